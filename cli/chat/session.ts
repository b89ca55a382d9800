/**
 * One chat: each line becomes a message to the bot (through the emulator, as Twilio delivers it) or a chat
 * command; what the bot sends back is printed once its statuses settle, in the conversation's order.
 */
import type { Button } from '../../dev/emulator/conversation';
import { parseLine, HELP } from './commands';
import {
  advanceClock,
  conversationOf,
  EmulatorCallError,
  sendInbound,
  settledConversation,
  type Conversation,
} from './emulator-client';
import { renderEntry, type Style } from './render';

export type ChatOptions = {
  emulator: string;
  user: string;
  bot: string;
  profileName: string;
  style: Style;
  /** Prints a block of lines. */
  write(text: string): void;
  /** Print the user's own text messages (scripted mode; a terminal already shows what was typed). */
  echoText: boolean;
  /** How long to wait for the bot's messages to settle after each message (ms). */
  settleMs?: number;
};

export type Chat = {
  /** Handles one line; resolves false when the user asked to leave. */
  handle(line: string): Promise<boolean>;
  /** Prints whatever arrived meanwhile and has settled (messages the bot sent on its own). */
  poll(): Promise<void>;
  /** Prints the start banner and the conversation so far. */
  begin(origin: string): Promise<void>;
  readonly busy: boolean;
};

const DEFAULT_SETTLE_MS = 10_000;

export function createChat(options: ChatOptions): Chat {
  const { emulator, bot, style, write } = options;
  let user = options.user;
  let busy = false;
  const printed = new Set<string>();
  let buttons: { messageSid: string; buttons: Button[] } | undefined;

  /** Prints unprinted messages in order; with `onlySettled`, stops at the first still moving. */
  function show(conversation: Conversation, onlySettled: boolean): void {
    for (const message of conversation.messages) {
      if (printed.has(message.sid)) continue;
      if (onlySettled && !message.settled) break;
      printed.add(message.sid);
      write(renderEntry(message, style).join('\n'));
      if (message.direction === 'outbound' && message.buttons?.length)
        buttons = { messageSid: message.sid, buttons: message.buttons };
    }
  }

  const settle = async () =>
    show(
      await settledConversation(emulator, user, { timeoutMs: options.settleMs ?? DEFAULT_SETTLE_MS, strict: false }),
      false,
    );

  function describeWindow(conversation: Conversation): string {
    const window = conversation.windows.find((w) => w.bot === bot);
    if (!window?.lastInbound) return 'You have not written to the bot yet: it may only send you templates.';
    if (window.open) return `The 24-hour window is open until ${window.closesAt} (emulator time).`;
    return 'The 24-hour window is closed: the bot may only send you templates until you write again.';
  }

  async function run(line: string): Promise<boolean> {
    const action = parseLine(line, buttons);
    switch (action.kind) {
      case 'nothing':
        return true;
      case 'quit':
        return false;
      case 'help':
        write(HELP);
        return true;
      case 'problem':
        write(`⚠ ${action.message}`);
        return true;
      case 'as':
        user = action.user;
        buttons = undefined;
        write(`You are now ${user}.`);
        show(await conversationOf(emulator, user), false);
        return true;
      case 'wait': {
        const clock = await advanceClock(emulator, action.duration);
        write(`⏱  ${action.duration} later: it is now ${clock.now} on the emulator's clock.`);
        write(describeWindow(await conversationOf(emulator, user)));
        return true;
      }
      case 'send': {
        const answer = await sendInbound(emulator, {
          ...action.message,
          from: user,
          to: bot,
          profileName: options.profileName,
        });
        const plainText = 'body' in action.message && !('media' in action.message);
        if (plainText && !options.echoText && answer.delivery.outcome !== 'failed') printed.add(answer.message.sid);
        await settle();
        return true;
      }
    }
  }

  return {
    get busy() {
      return busy;
    },
    async handle(line) {
      busy = true;
      try {
        return await run(line);
      } catch (error) {
        if (!(error instanceof EmulatorCallError)) throw error;
        write(`⚠ ${error.message}`);
        return true;
      } finally {
        busy = false;
      }
    },
    async poll() {
      if (busy) return;
      show(await conversationOf(emulator, user), true);
    },
    async begin(origin) {
      write(`Chatting as ${user} ("${options.profileName}") with the bot on ${bot}, through ${origin}.`);
      write('Type a message, or /help for the commands.');
      const history = await conversationOf(emulator, user);
      if (history.messages.length) write('— the conversation so far —');
      show(history, false);
    },
  };
}
