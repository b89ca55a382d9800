/**
 * What a developer running the functions locally is told: a 503 for an unset ADMIN_TOKEN says to restart
 * with the variable set, not to redeploy (that hint is for a deployed service).
 */
import { startRuntime, type RunningRuntime } from '../support/runtime';

let runtime: RunningRuntime;
beforeAll(async () => {
  runtime = await startRuntime({ env: { WHATSAPP_SANDBOX_KEYWORD: 'purple-llama' } });
});
afterAll(() => runtime?.stop());

it('answers an unconfigured admin route with a hint for npm start', async () => {
  const response = await fetch(`${runtime.url}/admin/list-senders`, { headers: { Authorization: 'Bearer whatever' } });
  expect(response.status).toBe(503);
  const { error } = (await response.json()) as { error: { hint: string } };
  expect(error.hint).toContain('npm start -- --env .env.local');
  expect(error.hint).toContain('ADMIN_TOKEN=... npm start');
  expect(error.hint).not.toContain('redeploy');
});
