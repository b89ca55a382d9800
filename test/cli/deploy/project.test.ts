/**
 * The deploy's file-level refusals on temporary projects: each built function loaded in a fresh process
 * with only the deploy dependencies resolvable, and a whole project read with twilio-run's own config
 * code (its .env parser, .twilioserverlessrc, folders) then inspected.
 */
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { ROOT } from '../../../dev/paths';
import { checkFunctionsLoad } from '../../../cli/deploy/function-loads';
import { inspectDeploy, readDeployConfig } from '../../../cli/deploy/project';

let dir: string;

function write(path: string, content: string): string {
  const full = join(dir, path);
  mkdirSync(dirname(full), { recursive: true });
  writeFileSync(full, content);
  return full;
}

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'deploy-project-test-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('checkFunctionsLoad', () => {
  const options = { nodeModules: join(ROOT, 'node_modules'), dependencies: ['@twilio/runtime-handler', 'twilio'] };

  it('accepts functions that export a handler and require only deploy dependencies', async () => {
    const functions = [
      { path: '/lazy', filePath: write('lazy.js', "exports.handler = (c, e, cb) => cb(null, require('twilio') && 'ok');") },
      { path: '/eager', filePath: write('eager.js', "const twilio = require('twilio');\nexports.handler = (c, e, cb) => cb(null, typeof twilio);") },
    ];
    expect(await checkFunctionsLoad(functions, options)).toEqual([]);
  });

  it.each<[string, string, RegExp]>([
    ['throws while loading', "throw new Error('boom at load');\nexports.handler = () => {};", /throws while loading: boom at load/],
    ['exports no handler', 'exports.main = () => {};', /exports no handler function \(handler is undefined\)/],
    ['exports a handler that is not a function', "exports.handler = 'nope';", /handler is string/],
    // zod is installed here (devDependencies) but Twilio would not install it: only dependencies resolve
    ['requires a package that is not a deploy dependency', "require('zod');\nexports.handler = () => {};", /Cannot find module 'zod'/],
    // each function is stored on its own on Twilio: a sibling is not there
    ['requires a sibling file', "require('./helper');\nexports.handler = () => {};", /Cannot find module '\.\/helper'/],
  ])('refuses a function that %s', async (_name, source, reason) => {
    write('helper.js', 'module.exports = {};');
    const problems = await checkFunctionsLoad([{ path: '/admin/broken', filePath: write('broken.js', source) }], options);
    expect(problems).toHaveLength(1);
    expect(problems[0]!.id).toBe('functions.load');
    expect(problems[0]!.message).toContain('/admin/broken');
    expect(problems[0]!.message).toMatch(reason);
  });
});

describe('inspectDeploy on a project read by twilio-run', () => {
  const handler = 'exports.handler = (context, event, callback) => callback(null, "ok");';
  const accountSid = 'AC' + '0123456789abcdef'.repeat(2);

  function project(options: { dependencies: Record<string, string>; env: string }): void {
    write('package.json', JSON.stringify({ name: 'temp-project', dependencies: options.dependencies }));
    write('.twilioserverlessrc', '{ "functionsFolder": "dist/functions", "assetsFolder": "dist/assets", "runtime": "node22" }');
    symlinkSync(join(ROOT, 'node_modules'), join(dir, 'node_modules'), 'dir');
    write('dist/functions/whatsapp/incoming.protected.js', handler);
    write('dist/functions/whatsapp/status.protected.js', handler);
    write('dist/functions/whatsapp/fallback.protected.js', handler);
    write('dist/functions/sandbox/join.js', handler);
    write('dist/assets/index.html', '<!doctype html><title>t</title>');
    write('dist/assets/media/sample.png', 'png');
    write('.env.deploy', options.env);
  }

  const goodEnv = [`ACCOUNT_SID=${accountSid}`, `AUTH_TOKEN=${'t'.repeat(32)}`, `ADMIN_TOKEN=${'a1'.repeat(20)}`, 'WHATSAPP_SANDBOX_KEYWORD=purple-llama', 'TWILIO_API_BASE_URL='].join('\n');

  it('passes a clean project, reading --env as twilio-run does (credentials and empty values not uploaded)', async () => {
    project({ dependencies: { '@twilio/runtime-handler': '2.0.1', twilio: '6.2.0' }, env: goodEnv });
    const config = await readDeployConfig(['--env', '.env.deploy', '--runtime', 'node22'], dir);
    expect(Object.keys(config.env).sort()).toEqual(['ADMIN_TOKEN', 'WHATSAPP_SANDBOX_KEYWORD']);
    expect(config.username).toBe(accountSid);
    expect(await inspectDeploy(config, { credentials: true })).toEqual([]);
  });

  it('refuses, listing every problem: variables, dependencies, runtime, routes, assets and a broken function', async () => {
    project({
      dependencies: { '@twilio/runtime-handler': '^2.0.1', twilio: '6.2.0', zod: '4.6.7' },
      env: ['ACCOUNT_SID=ACxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx', 'AUTH_TOKEN=your_auth_token', 'ADMIN_TOKEN=too-short', 'WHATSAPP_SANDBOX_KEYWORD=your-sandbox-keyword', 'TWILIO_API_BASE_URL=http://127.0.0.1:3001'].join('\n'),
    });
    write('dist/functions/whatsapp/open.js', handler);
    // an unbundled route: its lib/ import is not there once deployed
    write('dist/functions/admin/register-sender.js', "require('../../lib/phone');\nexports.handler = () => {};");
    write('dist/lib/phone.js', 'module.exports = {};');
    write('dist/assets/page.js.map', '{}');
    write('dist/assets/page.ts', 'export {};');
    write('dist/assets/.env', 'AUTH_TOKEN=leak');
    const config = await readDeployConfig(['--env', '.env.deploy', '--runtime', 'node20'], dir);
    const problems = await inspectDeploy(config, { credentials: true });
    expect(problems.map((p) => p.id).sort()).toEqual(
      [
        'assets.file',
        'assets.file',
        'assets.file',
        'credentials.missing',
        'dependencies.extra',
        'dependencies.runtime-handler',
        'env.admin-token-short',
        'env.api-base-url',
        'env.sandbox-keyword',
        'functions.load',
        'functions.visibility',
        'runtime',
      ].sort(),
    );
    const text = problems.map((p) => p.message).join('\n');
    expect(text).toContain('dist/assets/page.js.map');
    expect(text).toContain('dist/assets/page.ts');
    expect(text).toContain('dist/assets/.env');
    expect(text).toContain('/whatsapp/open');
    expect(text).toMatch(/\/admin\/register-sender would not work on Twilio: .*Cannot find module '\.\.\/\.\.\/lib\/phone'/);
    expect(text).not.toContain('too-short');
  });

  it('leaves the credentials to the Twilio CLI with --check', async () => {
    project({ dependencies: { '@twilio/runtime-handler': '2.0.1', twilio: '6.2.0' }, env: goodEnv.replace(/^(ACCOUNT_SID|AUTH_TOKEN)=.*$/gm, '$1=') });
    const config = await readDeployConfig(['--env', '.env.deploy', '--runtime', 'node22'], dir);
    expect(await inspectDeploy(config, { credentials: false })).toEqual([]);
    expect((await inspectDeploy(config, { credentials: true })).map((p) => p.id)).toEqual(['credentials.missing']);
  });
});
