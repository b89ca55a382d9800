/** The functions' log: one JSON line per event, read in the Twilio Console or the local runtime's output. */

/** Logs one JSON line. Callers pass only fields that are safe to log (never tokens or credentials). */
export function logEvent(record: Record<string, unknown>): void {
  console.log(JSON.stringify({ time: new Date().toISOString(), ...record }));
}
