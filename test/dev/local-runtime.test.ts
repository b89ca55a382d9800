/**
 * The local runtime's live mode (what `npm start` runs), in a child process on a temporary functions
 * folder: each request reloads the project's own built files and nothing from node_modules, and a
 * function the build did not write (esbuild deletes the output of a file with a syntax error) or that
 * throws while loading answers 503 without any path of this machine.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from '../../dev/paths';
import { spawnLocalRuntime, type SpawnedRuntime } from '../../dev/local-runtime';

let dir: string;
let runtime: SpawnedRuntime;

// Inside the project, so that require('twilio') resolves as it does for dist/functions.
const fixture = `
globalThis.loads = (globalThis.loads || 0) + 1;
const loadsNow = globalThis.loads;
exports.handler = (context, event, callback) => {
  const twilio = require('twilio');
  const sameTwilio = globalThis.lastTwilio === undefined || globalThis.lastTwilio === twilio;
  globalThis.lastTwilio = twilio;
  // how many loaded copies of this file are still referenced as some module's child (an old build kept alive)
  const children = Object.values(require.cache).flatMap((m) => m.children);
  const copies = new Set(children.filter((c) => c.filename === __filename)).size;
  callback(null, { loads: loadsNow, sameTwilio, copies, version: VERSION });
};`;

const write = (name: string, text: string) => writeFileSync(join(dir, 'functions', name), text);

beforeAll(async () => {
  mkdirSync(join(ROOT, 'test-artifacts'), { recursive: true });
  dir = mkdtempSync(join(ROOT, 'test-artifacts', 'live-reload-'));
  mkdirSync(join(dir, 'functions'));
  mkdirSync(join(dir, 'assets'));
  write('probe.js', fixture.replace('VERSION', '1'));
  write('broken.js', 'exports.handler = (c, e, cb) => cb(null, "ok");');
  write('throws.js', "throw new Error('boom at load');");
  runtime = await spawnLocalRuntime({
    env: {},
    live: true,
    functionsFolder: join(dir, 'functions'),
    assetsFolder: join(dir, 'assets'),
  });
});

afterAll(async () => {
  await runtime?.stop();
  rmSync(dir, { recursive: true, force: true });
});

const getJson = async (path: string) => (await fetch(runtime.url + path)).json() as Promise<Record<string, unknown>>;

it('reloads the built function on every request, but not the modules of node_modules', async () => {
  const answers = [];
  for (let i = 0; i < 3; i++) answers.push(await getJson('/probe'));
  // one load per request: an edit is served at once ...
  expect(answers.map((a) => a.loads)).toEqual([1, 2, 3]);
  // ... while twilio (node_modules) stays the one module already loaded
  expect(answers.map((a) => a.sameTwilio)).toEqual([true, true, true]);
  // and the old copies are let go: Node lists every required module in its requirer's children
  expect(answers.map((a) => a.copies)).toEqual([1, 1, 1]);
  write('probe.js', fixture.replace('VERSION', '2'));
  expect(await getJson('/probe')).toMatchObject({ version: 2, sameTwilio: true });
});

it('answers 503 without a path when the built file is gone (the build failed)', async () => {
  rmSync(join(dir, 'functions', 'broken.js'));
  const response = await fetch(`${runtime.url}/broken`);
  const body = await response.text();
  expect(response.status).toBe(503);
  expect(body).toContain('the build did not write it');
  expect(body).toContain('see the console');
  expect(body).not.toContain(dir);
  expect(body).not.toContain(ROOT);
});

it('answers 503 without a path or stack when the function throws while loading', async () => {
  const response = await fetch(`${runtime.url}/throws`);
  const body = await response.text();
  expect(response.status).toBe(503);
  expect(body).toContain('it throws while loading');
  expect(body).not.toContain(ROOT);
  expect(body).not.toContain('boom at load');
  expect(runtime.logs.join('\n')).toContain('boom at load'); // the console says why
});
