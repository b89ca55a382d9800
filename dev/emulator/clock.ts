/**
 * The emulator's clock: real time plus an offset that tests move forward, so that "a day later" (the 24-hour
 * session window) takes no waiting. Everything dated by the emulator (messages, statuses, the window) reads it.
 *   GET  /__emulator/clock                     {now, offsetMs}
 *   POST /__emulator/clock {advance: "25h"}    moves it forward (units ms, s, m, h, d; combined: "1h30m")
 * POST /__emulator/reset puts it back to real time.
 */
import * as z from '../../lib/zod';
import { describeZodError } from '../../lib/validation';
import type { EmulatorReply, EmulatorRoute, EmulatorState } from './server';

const STORE = 'clock';
const UNIT_MS = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;
const DURATION = /^(?:\d+(?:\.\d+)?(?:ms|s|m|h|d))+$/;

type ClockStore = { offsetMs: number };

function clockOf(state: EmulatorState): ClockStore {
  let store = state.stores.get(STORE) as ClockStore | undefined;
  if (!store) state.stores.set(STORE, (store = { offsetMs: 0 }));
  return store;
}

/** The emulator's time now (epoch ms). */
export function now(state: EmulatorState): number {
  return Date.now() + clockOf(state).offsetMs;
}

/** "25h", "90m", "1h30m", "2d" -> milliseconds; undefined when it is not such a duration. */
export function parseDuration(text: string): number | undefined {
  const compact = text.replace(/\s+/g, '');
  if (!DURATION.test(compact)) return undefined;
  let total = 0;
  for (const [, amount, unit] of compact.matchAll(/(\d+(?:\.\d+)?)(ms|s|m|h|d)/g)) {
    total += Number(amount) * UNIT_MS[unit as keyof typeof UNIT_MS];
  }
  return total;
}

const advanceSchema = z.object({
  advance: z
    .string()
    .check(z.refine((v) => parseDuration(v) !== undefined, 'must be a duration such as "25h", "90m", "1h30m" or "2d"')),
});

const clockBody = (state: EmulatorState): EmulatorReply => ({
  status: 200,
  body: { now: new Date(now(state)).toISOString(), offsetMs: clockOf(state).offsetMs },
});

export const clockRoutes: EmulatorRoute[] = [
  {
    name: 'emulator.clock',
    method: 'GET',
    control: true,
    pattern: /^\/__emulator\/clock$/,
    handle: (_r, _m, state) => clockBody(state),
  },
  {
    name: 'emulator.clock.advance',
    method: 'POST',
    control: true,
    pattern: /^\/__emulator\/clock$/,
    handle(request, _match, state) {
      const parsed = advanceSchema.safeParse(request.body);
      if (!parsed.success) {
        return {
          status: 400,
          body: {
            message: 'POST /__emulator/clock takes {"advance": "25h"}.',
            problems: describeZodError(parsed.error),
          },
        };
      }
      clockOf(state).offsetMs += parseDuration(parsed.data.advance)!;
      return clockBody(state);
    },
  },
];
