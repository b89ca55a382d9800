/**
 * The deploy's file-level refusals on temporary projects: each built function loaded in a fresh process
 * with only the deploy dependencies resolvable, and a whole project read with twilio-run's own config
 * code (its .env parser, .twilioserverlessrc, folders) then inspected.
 */
import { spawnSync } from 'node:child_process';
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
      {
        path: '/lazy',
        filePath: write('lazy.js', "exports.handler = (c, e, cb) => cb(null, require('twilio') && 'ok');"),
      },
      {
        path: '/eager',
        filePath: write(
          'eager.js',
          "const twilio = require('twilio');\nexports.handler = (c, e, cb) => cb(null, typeof twilio);",
        ),
      },
    ];
    expect(await checkFunctionsLoad(functions, options)).toEqual([]);
  });

  it.each<[string, string, RegExp]>([
    [
      'throws while loading',
      "throw new Error('boom at load');\nexports.handler = () => {};",
      /throws while loading: boom at load/,
    ],
    ['exports no handler', 'exports.main = () => {};', /exports no handler function \(handler is undefined\)/],
    ['exports a handler that is not a function', "exports.handler = 'nope';", /handler is string/],
    // zod is installed here (devDependencies) but Twilio would not install it: only dependencies resolve
    [
      'requires a package that is not a deploy dependency',
      "require('zod');\nexports.handler = () => {};",
      /Cannot find module 'zod'/,
    ],
    // each function is stored on its own on Twilio: a sibling is not there
    ['requires a sibling file', "require('./helper');\nexports.handler = () => {};", /Cannot find module '\.\/helper'/],
  ])('refuses a function that %s', async (_name, source, reason) => {
    write('helper.js', 'module.exports = {};');
    const problems = await checkFunctionsLoad(
      [{ path: '/admin/broken', filePath: write('broken.js', source) }],
      options,
    );
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
    write(
      '.twilioserverlessrc',
      '{ "functionsFolder": "dist/functions", "assetsFolder": "dist/assets", "runtime": "node22" }',
    );
    symlinkSync(join(ROOT, 'node_modules'), join(dir, 'node_modules'), 'dir');
    for (const route of [
      'whatsapp/incoming.protected',
      'whatsapp/status.protected',
      'whatsapp/fallback.protected',
      'sandbox/join',
    ]) {
      write(`functions/${route}.ts`, 'export {};'); // the sources the build would compile
      write(`dist/functions/${route}.js`, handler);
    }
    write('dist/assets/index.html', '<!doctype html><title>t</title>');
    write('dist/assets/media/sample.png', 'png');
    write('.env.deploy', options.env);
  }

  const goodEnv = [
    `ACCOUNT_SID=${accountSid}`,
    `AUTH_TOKEN=${'7e1f'.repeat(8)}`,
    `ADMIN_TOKEN=${'a1'.repeat(20)}`,
    'WHATSAPP_SANDBOX_KEYWORD=purple-llama',
    'TWILIO_API_BASE_URL=',
  ].join('\n');

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
      env: [
        'ACCOUNT_SID=ACxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx',
        'AUTH_TOKEN=your_auth_token',
        'ADMIN_TOKEN=too-short',
        'WHATSAPP_SANDBOX_KEYWORD=your-sandbox-keyword',
        'TWILIO_API_BASE_URL=http://127.0.0.1:3001',
      ].join('\n'),
    });
    write('functions/whatsapp/open.ts', 'export {};');
    write('dist/functions/whatsapp/open.js', handler);
    // an unbundled route: its lib/ import is not there once deployed
    write('functions/admin/register-sender.ts', 'export {};');
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
    expect(text).toMatch(
      /\/admin\/register-sender would not work on Twilio: .*Cannot find module '\.\.\/\.\.\/lib\/phone'/,
    );
    expect(text).not.toContain('too-short');
  });

  it('refuses a file in dist/functions that the build did not make (it would become a public function)', async () => {
    project({ dependencies: { '@twilio/runtime-handler': '2.0.1', twilio: '6.2.0' }, env: goodEnv });
    write('dist/functions/notes.js', handler); // e.g. left by an editor or copied by hand, with --no-build
    const config = await readDeployConfig(['--env', '.env.deploy', '--runtime', 'node22'], dir);
    const problems = await inspectDeploy(config, { credentials: true });
    expect(problems.map((p) => p.id)).toEqual(['functions.unexpected']);
    expect(problems[0]!.message).toContain('dist/functions/notes.js was not made by the build (no functions/notes.ts)');
    expect(problems[0]!.message).toContain('public');
  });

  it('judges values as twilio-run uploads them, refusing lines the two dotenv parsers read differently', async () => {
    const token = 'f00dfeed'.repeat(5);
    const env = [
      goodEnv.replace(/^ADMIN_TOKEN=.*$/m, `ADMIN_TOKEN=${token} # rotated in May`),
      'export BOT_LOCATION_NAME=Twilio HQ',
      'BOT_LOCATION_LABEL="101 Spear Street',
      'San Francisco"',
      `WHATSAPP_SANDBOX_NUMBER=+1415523\u00008886`,
    ].join('\n');
    project({ dependencies: { '@twilio/runtime-handler': '2.0.1', twilio: '6.2.0' }, env });
    const config = await readDeployConfig(['--env', '.env.deploy', '--runtime', 'node22'], dir);
    expect(config.env.ADMIN_TOKEN).toBe(`${token} # rotated in May`); // twilio-run's dotenv 6.2 keeps the comment
    const problems = await inspectDeploy(config, { credentials: true });
    const lineProblems = problems.filter((p) => /^env\.(parsers-differ|control-character)$/.test(p.id));
    const byKey = Object.fromEntries(lineProblems.map((p) => [p.message.split(' ')[0], p]));
    const expected: [string, string, string][] = [
      ['ADMIN_TOKEN', 'env.parsers-differ', '(line 3) has a `#` in an unquoted value'],
      ['BOT_LOCATION_NAME', 'env.parsers-differ', 'starts with `export`'],
      ['BOT_LOCATION_LABEL', 'env.parsers-differ', 'quoted value that goes on'],
      ['WHATSAPP_SANDBOX_NUMBER', 'env.control-character', 'U+0000'],
    ];
    for (const [key, id, reason] of expected) {
      expect(byKey[key]).toMatchObject({ id, message: expect.stringContaining(reason) });
    }
    const text = problems.map((p) => `${p.message} ${p.fix}`).join('\n');
    for (const value of [token, '+1415523', 'rotated', 'Spear']) expect(text).not.toContain(value);
  });

  it('judges the runtime each path sends: --check the .twilioserverlessrc one, npm run deploy its added node22', () => {
    project({ dependencies: { '@twilio/runtime-handler': '2.0.1', twilio: '6.2.0' }, env: goodEnv });
    write(
      '.twilioserverlessrc',
      '{ "functionsFolder": "dist/functions", "assetsFolder": "dist/assets", "runtime": "node20" }',
    );
    // In a fresh process: twilio-run keeps the first .twilioserverlessrc it reads for the life of the process.
    const script = `
      const { splitDeployArgs } = require('./cli/deploy/args.ts');
      const { inspectDeploy, readDeployConfig } = require('./cli/deploy/project.ts');
      (async () => {
        const args = splitDeployArgs(['--check', '--env', '.env.deploy']);
        const judge = async (argv, from) => (await inspectDeploy(await readDeployConfig(argv, ${JSON.stringify(dir)}), { credentials: false, runtimeFrom: from })).map((p) => p.message);
        console.log(JSON.stringify({ cli: await judge(args.passedArgs, args.runtimeFrom.cli), deploy: await judge(args.twilioRunArgs, args.runtimeFrom.deploy) }));
      })();`;
    const run = spawnSync(process.execPath, ['--import', 'tsx', '--eval', script], { cwd: ROOT, encoding: 'utf8' });
    expect(JSON.parse(run.stdout || JSON.stringify(run.stderr))).toEqual({
      cli: [
        'The runtime `twilio serverless:deploy` (from .twilioserverlessrc) would send is "node20"; Twilio builds need node22.',
      ],
      deploy: [],
    });
  });

  it('leaves the credentials to the Twilio CLI with --check', async () => {
    project({
      dependencies: { '@twilio/runtime-handler': '2.0.1', twilio: '6.2.0' },
      env: goodEnv.replace(/^(ACCOUNT_SID|AUTH_TOKEN)=.*$/gm, '$1='),
    });
    const config = await readDeployConfig(['--env', '.env.deploy', '--runtime', 'node22'], dir);
    expect(await inspectDeploy(config, { credentials: false })).toEqual([]);
    expect((await inspectDeploy(config, { credentials: true })).map((p) => p.id)).toEqual(['credentials.missing']);
  });
});
