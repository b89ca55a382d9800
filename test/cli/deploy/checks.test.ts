/** The deploy's pure checks: one table row per refusal, and the cases that must pass. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from '../../../dev/paths';
import {
  checkAssetFiles,
  checkCredentials,
  checkDependencies,
  checkFunctionRoutes,
  checkRuntime,
  checkServiceName,
  checkVariables,
  checkVariablesSize,
  formatRefusal,
  VARIABLES_MAX_BYTES,
  type Problem,
} from '../../../cli/deploy/checks';
import { formatSummary, parseDeployOutput, webhookUrls } from '../../../cli/deploy/summary';

const ids = (problems: Problem[]) => problems.map((p) => p.id);
const ADMIN_TOKEN = 'f3a9c2e71b0d4c8e9a6b5d4c3b2a1f0e'; // 32 characters
const GOOD_ENV = {
  ADMIN_TOKEN,
  WHATSAPP_SANDBOX_NUMBER: '+14155238886',
  WHATSAPP_SANDBOX_KEYWORD: 'purple-llama',
  BOT_LOCATION_LATITUDE: '37.7908',
  BOT_LOCATION_LONGITUDE: '-122.3931',
  BOT_LOCATION_NAME: 'Twilio HQ',
  BOT_LOCATION_LABEL: '101 Spear Street, San Francisco',
};

describe('checkVariables', () => {
  it('accepts a complete env', () => {
    expect(checkVariables(GOOD_ENV, '.env')).toEqual([]);
  });

  it.each<[string, Record<string, string | undefined>, string]>([
    ['TWILIO_API_BASE_URL set', { TWILIO_API_BASE_URL: 'http://127.0.0.1:3001' }, 'env.api-base-url'],
    ['ADMIN_TOKEN missing', { ADMIN_TOKEN: undefined }, 'env.admin-token-missing'],
    ['ADMIN_TOKEN of 31 characters', { ADMIN_TOKEN: ADMIN_TOKEN.slice(1) }, 'env.admin-token-short'],
    [
      'ADMIN_TOKEN a placeholder',
      { ADMIN_TOKEN: 'your-admin-token-of-at-least-32-characters' },
      'env.admin-token-placeholder',
    ],
    [
      'WHATSAPP_SANDBOX_KEYWORD a placeholder',
      { WHATSAPP_SANDBOX_KEYWORD: 'your-sandbox-keyword' },
      'env.sandbox-keyword',
    ],
    ['WHATSAPP_SANDBOX_KEYWORD missing', { WHATSAPP_SANDBOX_KEYWORD: undefined }, 'env.sandbox-keyword'],
    ['another value a placeholder', { BOT_LOCATION_NAME: 'your_location_name' }, 'env.placeholder'],
    ['an unknown variable a placeholder', { SOME_FEATURE_KEY: '<your key>' }, 'env.placeholder'],
    ['PUBLIC_BASE_URL set (a tunnel)', { PUBLIC_BASE_URL: 'https://abcd.ngrok.app' }, 'env.public-base-url'],
    ['a latitude out of range', { BOT_LOCATION_LATITUDE: '123' }, 'env.invalid'],
    // what /sandbox/join would refuse at request time
    [
      'a sandbox keyword that is not words joined by hyphens',
      { WHATSAPP_SANDBOX_KEYWORD: 'purple llama!' },
      'env.invalid',
    ],
    ['a sandbox number that is not a phone number', { WHATSAPP_SANDBOX_NUMBER: '+1 415' }, 'env.invalid'],
    ['an admin budget that is not a number of milliseconds', { ADMIN_REQUEST_BUDGET_MS: 'soon' }, 'env.invalid'],
    // placeholder forms people type into a template
    [
      'ADMIN_TOKEN "change_me..."',
      { ADMIN_TOKEN: 'change_me_change_me_change_me_change_me' },
      'env.admin-token-placeholder',
    ],
    ['ADMIN_TOKEN one repeated character', { ADMIN_TOKEN: 'x'.repeat(40) }, 'env.admin-token-placeholder'],
    [
      'ADMIN_TOKEN "replace with ..."',
      { ADMIN_TOKEN: 'replace-with-a-secret-of-32-characters!!' },
      'env.admin-token-placeholder',
    ],
    ['a keyword "TBD"', { WHATSAPP_SANDBOX_KEYWORD: 'TBD' }, 'env.sandbox-keyword'],
    ['a name "todo"', { BOT_LOCATION_NAME: 'todo' }, 'env.placeholder'],
    ['SYNC_SERVICE_SID not a Sync service SID', { SYNC_SERVICE_SID: 'IS123' }, 'env.sync-service'],
    ['SYNC_SERVICE_SID another kind of SID', { SYNC_SERVICE_SID: 'AC' + 'a'.repeat(32) }, 'env.sync-service'],
    ['SYNC_SERVICE_SID a placeholder', { SYNC_SERVICE_SID: 'ISxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx' }, 'env.sync-service'],
    ['WEBHOOK_SYNC_BUDGET_MS out of range', { WEBHOOK_SYNC_BUDGET_MS: '60000' }, 'env.invalid'],
    ['a MENU_CONTENT_SID that is not a Content SID', { MENU_CONTENT_SID: 'HX123' }, 'env.invalid'],
  ])('refuses %s', (_name, change, id) => {
    const env: Record<string, string> = {};
    for (const [key, value] of Object.entries({ ...GOOD_ENV, ...change })) if (value !== undefined) env[key] = value;
    const problems = checkVariables(env, '.env.deploy');
    expect(ids(problems)).toEqual([id]);
    expect(problems[0]!.message).toContain('.env.deploy');
    expect(problems[0]!.fix.length).toBeGreaterThan(10);
  });

  it.each(['IS' + 'a'.repeat(32), 'default'])('accepts SYNC_SERVICE_SID=%s', (sid) => {
    expect(checkVariables({ ...GOOD_ENV, SYNC_SERVICE_SID: sid }, '.env')).toEqual([]);
  });

  it('lists every problem at once', () => {
    const problems = checkVariables(
      {
        TWILIO_API_BASE_URL: 'http://127.0.0.1:3001',
        ADMIN_TOKEN: 'short',
        WHATSAPP_SANDBOX_KEYWORD: 'your-sandbox-keyword',
      },
      '.env',
    );
    expect(ids(problems).sort()).toEqual(['env.admin-token-short', 'env.api-base-url', 'env.sandbox-keyword']);
  });

  it('never prints a value: only names and lengths', () => {
    const secret = 'Sup3rS3cret-value';
    const problems = checkVariables(
      {
        ADMIN_TOKEN: secret,
        WHATSAPP_SANDBOX_KEYWORD: 'xxx-secret-like',
        TWILIO_API_BASE_URL: 'http://127.0.0.1:9/secret-path',
      },
      '.env',
    );
    const text = formatRefusal(problems);
    expect(text).toContain(`has ${secret.length} characters`);
    expect(text).not.toContain(secret);
    expect(text).not.toContain('xxx-secret-like');
    expect(text).not.toContain('secret-path');
  });
});

describe('checkServiceName', () => {
  it.each(['whatsapp-functions', 'a', 'A1-b2', 'x'.repeat(49)])('accepts %s', (name) =>
    expect(checkServiceName(name)).toEqual([]),
  );
  it.each(['whatsapp_functions', 'my bot', 'x'.repeat(50), 'bot.prod', 'ünïcode'])(
    'refuses %s (letters, digits, dashes, under 50)',
    (name) => {
      expect(ids(checkServiceName(name))).toEqual(['service-name']);
    },
  );
});

describe('checkVariablesSize', () => {
  it("accepts the variables up to Twilio's limit and refuses past it, naming the largest but no value", () => {
    const fits = { A: 'v'.repeat(VARIABLES_MAX_BYTES - 1) };
    expect(checkVariablesSize(fits)).toEqual([]);
    const secret = 's3cr3t'.repeat(600);
    const problems = checkVariablesSize({ ...GOOD_ENV, BIG_SECRET: secret });
    expect(ids(problems)).toEqual(['env.size']);
    expect(problems[0]!.message).toContain('BIG_SECRET (3610 bytes)');
    expect(problems[0]!.message).not.toContain('s3cr3t');
  });
});

describe('checkCredentials', () => {
  const sid = 'AC' + '0123456789abcdef'.repeat(2);
  it.each([
    [sid, '0a1b'.repeat(8)],
    ['SK' + 'a'.repeat(32), 'api-key-secret'],
  ])('accepts %s', (username, password) => {
    expect(checkCredentials(username, password, '.env', sid)).toEqual([]);
  });
  it('refuses an API key whose account is unknown (the deploy could not be recorded in .twiliodeployinfo)', () => {
    const problems = checkCredentials('SK' + 'a'.repeat(32), 'api-key-secret', '.env.local');
    expect(ids(problems)).toEqual(['credentials.api-key-account']);
    expect(problems[0]!.fix).toContain('Set ACCOUNT_SID');
  });
  it('keeps --env in the fix for the Twilio CLI path', () => {
    expect(checkCredentials('', '', '.env.local')[0]!.fix).toContain(
      '`npm run deploy -- --check --env .env.local`, then `twilio serverless:deploy --env .env.local`',
    );
  });
  it.each<[string, string, string, string]>([
    ['the committed placeholders', 'AC' + 'x'.repeat(32), 'your_auth_token', 'credentials.missing'],
    ['nothing', '', '', 'credentials.missing'],
    ['no auth token', sid, '', 'credentials.missing'],
    ['a malformed account', 'AC123', 'token-token-token', 'credentials.username'],
  ])('refuses %s', (_name, username, password, id) => {
    const problems = checkCredentials(username, password, '.env');
    expect(ids(problems)).toEqual([id]);
    expect(problems[0]!.fix).toContain('twilio serverless:deploy');
  });
});

describe('checkDependencies', () => {
  it("accepts this project's package.json", () => {
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
      dependencies: Record<string, string>;
    };
    expect(checkDependencies(pkg.dependencies)).toEqual([]);
  });
  it.each<[string, Record<string, string> | undefined, string[]]>([
    [
      'a caret range for the runtime handler',
      { '@twilio/runtime-handler': '^2.0.1', twilio: '6.2.0' },
      ['dependencies.runtime-handler'],
    ],
    [
      'runtime handler 2.1.0',
      { '@twilio/runtime-handler': '2.1.0', twilio: '6.2.0' },
      ['dependencies.runtime-handler'],
    ],
    ['no twilio', { '@twilio/runtime-handler': '2.0.1' }, ['dependencies.twilio']],
    [
      'a bundled package in dependencies',
      { '@twilio/runtime-handler': '2.0.1', twilio: '6.2.0', zod: '4.6.7' },
      ['dependencies.extra'],
    ],
    ['no dependencies at all', undefined, ['dependencies.runtime-handler', 'dependencies.twilio']],
  ])('refuses %s', (_name, deps, expected) => {
    expect(ids(checkDependencies(deps))).toEqual(expected);
  });
});

describe('checkRuntime', () => {
  it.each(['node22', 'node24'])('accepts %s', (runtime) => expect(checkRuntime(runtime)).toEqual([]));
  it.each([['node20'], ['node18'], [undefined], ['latest']])('refuses %s', (runtime) => {
    expect(ids(checkRuntime(runtime))).toEqual(['runtime']);
  });
});

describe('checkFunctionRoutes', () => {
  const contract = [
    { path: '/whatsapp/incoming', access: 'protected' },
    { path: '/whatsapp/status', access: 'protected' },
    { path: '/whatsapp/fallback', access: 'protected' },
    { path: '/sandbox/join', access: 'public' },
    { path: '/admin/register-sender', access: 'public' },
  ];
  it('accepts the route contract', () => {
    expect(checkFunctionRoutes(contract)).toEqual([]);
  });
  it('refuses a public /whatsapp/ route and a protected /admin/ route', () => {
    const problems = checkFunctionRoutes([
      ...contract,
      { path: '/whatsapp/debug', access: 'public' },
      { path: '/admin/list-senders', access: 'protected' },
    ]);
    expect(ids(problems)).toEqual(['functions.visibility', 'functions.visibility']);
    expect(problems[0]!.message).toContain('/whatsapp/debug');
    expect(problems[1]!.message).toContain('/admin/list-senders');
  });
  it('refuses a build without the webhook routes', () => {
    const problems = checkFunctionRoutes(contract.filter((f) => f.path !== '/whatsapp/incoming'));
    expect(ids(problems)).toEqual(['functions.missing']);
    expect(problems[0]!.message).toContain('/whatsapp/incoming');
  });
});

describe('checkAssetFiles', () => {
  const page = [
    { name: 'index.html' },
    { name: 'assets/index.html' },
    { name: 'page.js', text: '(()=>{console.log(1)})();' },
    { name: 'page.css', text: 'body{margin:0}' },
    { name: 'favicon.ico' },
    { name: 'media/sample.png' },
    { name: 'media/sample.pdf' },
    { name: 'media/voice.ogg' },
  ];
  it('accepts the page, its bundle and sample media', () => {
    expect(checkAssetFiles(page)).toEqual([]);
  });
  it.each<[string, { name: string; text?: string }]>([
    ['a source map', { name: 'page.js.map' }],
    ['a TypeScript source', { name: 'page.ts' }],
    ['a declaration file', { name: 'lib/page.d.ts' }],
    ['an .env file', { name: '.env' }],
    ['a file in a hidden folder', { name: '.git/config' }],
    ['a JSON file', { name: 'config.json' }],
    ['media outside media/', { name: 'sample.pdf' }],
    ['a script under media/', { name: 'media/run.js' }],
    ['a bundle with a sourceMappingURL', { name: 'page.js', text: 'x();\n//# sourceMappingURL=page.js.map' }],
    [
      'a stylesheet with an inline map',
      { name: 'page.css', text: 'a{}/*# sourceMappingURL=data:application/json;base64,eyJ9 */' },
    ],
  ])('refuses %s', (_name, file) => {
    const problems = checkAssetFiles([...page, file]);
    expect(ids(problems)).toEqual(['assets.file']);
    expect(problems[0]!.message).toContain(`dist/assets/${file.name}`);
  });
});

describe('formatRefusal', () => {
  it('numbers every problem and gives each its fix', () => {
    const text = formatRefusal([
      { id: 'a', message: 'First thing.', fix: 'Do one.' },
      { id: 'b', message: 'Second thing.', fix: 'Do two.' },
    ]);
    expect(text).toMatch(/^Deploy refused: 2 problems/);
    expect(text).toContain('1. First thing.\n   Fix: Do one.');
    expect(text).toContain('2. Second thing.\n   Fix: Do two.');
  });
});

describe('the summary after a deploy', () => {
  const output = {
    domain: 'whatsapp-functions-1234-dev.twil.io',
    serviceName: 'whatsapp-functions',
    serviceSid: 'ZS' + 'a'.repeat(32),
    environmentSuffix: 'dev',
    environmentSid: 'ZE' + 'a'.repeat(32),
    buildSid: 'ZB' + 'a'.repeat(32),
    runtime: 'node22',
    viewLiveLogs: 'https://www.twilio.com/console/functions/editor/ZS/environment/ZE',
    functions: [
      {
        access: 'protected',
        path: '/whatsapp/incoming',
        url: 'https://whatsapp-functions-1234-dev.twil.io/whatsapp/incoming',
      },
    ],
    assets: [{ access: 'public', path: '/index.html', url: 'https://whatsapp-functions-1234-dev.twil.io/index.html' }],
  };
  it('reads twilio-run JSON and names the URLs to paste', () => {
    const text = formatSummary(parseDeployOutput(JSON.stringify(output)));
    const urls = webhookUrls(output.domain);
    expect(urls.incoming).toBe('https://whatsapp-functions-1234-dev.twil.io/whatsapp/incoming');
    expect(text).toContain(`When a message comes in:  ${urls.incoming}`);
    expect(text).toContain(`Status callback URL:      ${urls.status}`);
    expect(text).toContain(`Fallback URL:             ${urls.fallback}`);
    expect(text).toContain(`The page: ${urls.page}`);
  });
  it('says so when no page was deployed', () => {
    expect(formatSummary(parseDeployOutput(JSON.stringify({ ...output, assets: [] })))).toContain(
      'No index.html was deployed',
    );
  });
  it('refuses output without a domain, naming the field', () => {
    expect(() => parseDeployOutput(JSON.stringify({ ...output, domain: undefined }))).toThrow(/domain/);
  });
});
