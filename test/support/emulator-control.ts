/**
 * The emulator's control endpoints, as tests use them: over HTTP (so the endpoints themselves stay exercised),
 * failing loudly if the emulator refuses.
 */
import type { Emulator, Fault } from '../../dev/emulator/server';

async function control(emulator: Emulator, path: string, body?: unknown): Promise<void> {
  const res = await fetch(`${emulator.url}/__emulator/${path}`, {
    method: 'POST',
    ...(body === undefined ? {} : { headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) }),
  });
  if (!res.ok) throw new Error(`emulator ${path}: HTTP ${res.status} ${await res.text()}`);
}

/** Makes the next matching request(s) fail or slow down (POST /__emulator/faults). */
export const injectFault = (emulator: Emulator, fault: Fault): Promise<void> => control(emulator, 'faults', fault);

/** Forgets requests, faults and resources (POST /__emulator/reset). */
export const resetEmulator = (emulator: Emulator): Promise<void> => control(emulator, 'reset');

/** Moves the emulator's clock forward (POST /__emulator/clock), e.g. "25h" or "31d". */
export const advanceClock = (emulator: Emulator, advance: string): Promise<void> =>
  control(emulator, 'clock', { advance });
