/**
 * `npm run deploy [-- flags]`: build dist/, refuse a deploy that would be broken or unsafe (every problem
 * listed with its fix, exit 1), then run `twilio-run deploy` with the flags passed through, and print the
 * webhook URLs to paste into the sandbox or sender configuration, and the page's URL.
 *
 * The deploy itself is twilio-run's CLI, the code `twilio serverless:deploy` runs too: same config file,
 * same .twiliodeployinfo, same messages. The checks read the config with twilio-run's own code
 * (deploy/project.ts), so they judge exactly what it uploads. See docs/deploy.md.
 */
import { spawn } from 'node:child_process';
import { build } from '../dev/build';
import { ROOT } from '../dev/paths';
import { splitDeployArgs, USAGE } from './deploy/args';
import { formatRefusal } from './deploy/checks';
import { inspectDeploy, readDeployConfig, type DeployConfig } from './deploy/project';
import { formatSummary, parseDeployOutput, webhookUrls } from './deploy/summary';

/** Runs `twilio-run deploy`; its progress and errors go to stderr, its JSON result is returned. */
function runTwilioRunDeploy(args: readonly string[]): Promise<{ code: number; stdout: string }> {
  const bin = require.resolve('twilio-run/bin/twilio-run.js');
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [bin, 'deploy', ...args], { cwd: ROOT, stdio: ['inherit', 'pipe', 'inherit'] });
    let stdout = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.once('error', reject);
    child.once('close', (code) => resolve({ code: code ?? 1, stdout }));
  });
}

async function main(argv: readonly string[]): Promise<number> {
  const args = splitDeployArgs(argv);
  if (args.help) {
    process.stdout.write(USAGE);
    return 0;
  }
  process.chdir(ROOT); // twilio-run resolves .twilioserverlessrc, --env and the folders from here

  if (args.build) {
    process.stderr.write('Building dist/ ...\n');
    await build();
  }

  let config: DeployConfig;
  try {
    config = await readDeployConfig(args.twilioRunArgs, ROOT);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    process.stderr.write(formatRefusal([{ id: 'config', message: `twilio-run cannot read the deploy configuration: ${message}`, fix: 'Check the flags and the --env path (relative to the project root).' }]));
    return 1;
  }
  const problems = await inspectDeploy(config, { credentials: !args.checkOnly });
  if (problems.length > 0) {
    process.stderr.write(formatRefusal(problems));
    return 1;
  }
  if (args.checkOnly) {
    process.stdout.write('Every deploy check passed. Deploy with `twilio serverless:deploy` and the same flags (e.g. the same --env).\n');
    return 0;
  }

  process.stderr.write('Checks passed. Deploying with twilio-run ...\n');
  const { code, stdout } = await runTwilioRunDeploy(args.twilioRunArgs);
  if (code !== 0) {
    if (stdout.trim()) process.stderr.write(stdout);
    process.stderr.write(`twilio-run deploy failed (exit ${code}); nothing more to print.\n`);
    return code;
  }
  const output = parseDeployOutput(stdout);
  if (args.jsonOutput) {
    const urls = webhookUrls(output.domain);
    const { page, ...webhooks } = urls;
    process.stdout.write(`${JSON.stringify({ ...output, webhooks, page }, null, 2)}\n`);
  } else {
    process.stdout.write(`${formatSummary(output)}\n`);
  }
  return 0;
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (error: unknown) => {
      process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
      process.exitCode = 1;
    },
  );
}
