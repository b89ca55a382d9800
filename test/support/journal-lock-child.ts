/**
 * One contender in the journal-lock race (test/cli/senders-journal.test.ts): waits for the start instant given
 * as argv[3] (epoch ms), opens the journal argv[2], prints "won" or "refused: <why>", and, when it won, holds the
 * journal until its stdin closes, so the others race against a live holder.
 */
import { openJournal } from '../../cli/senders/journal';

async function main(): Promise<void> {
  const [path, startAt] = process.argv.slice(2);
  while (Date.now() < Number(startAt)) {
    // Spin for the last few ms so every contender starts at the same instant.
  }
  try {
    const journal = await openJournal(path!);
    process.stdout.write('won\n');
    process.stdin.resume();
    await new Promise((resolve) => process.stdin.on('end', resolve));
    await journal.close();
  } catch (error) {
    process.stdout.write(`refused: ${error instanceof Error ? error.message : String(error)}\n`);
  }
}

void main();
