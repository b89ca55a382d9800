/**
 * The deploy's refusals, as pure functions of what twilio-run would upload: the variables, the
 * credentials, package.json `dependencies`, the runtime, the function routes and the asset files.
 * Each returns every problem it finds (never only the first), with how to fix it, and never a variable's
 * value: values may be secrets. Reading files and running twilio-run's config code is in project.ts;
 * loading the built functions is in function-loads.ts.
 *
 * This lives in cli/, not lib/: lib/ is the core the deployed functions and the page share, and none of
 * this ever runs on Twilio.
 */
import {
  ADMIN_TOKEN_MIN_LENGTH,
  adminSettingsSchema,
  botLocationSettingsSchema,
  botMenuSettingsSchema,
  conversationSettingsSchema,
  DEFAULT_SYNC_SERVICE,
  isPlaceholder,
  sandboxSettingsSchema,
  syncServiceRefSchema,
  twilioSettingsSchema,
  webhookSettingsSchema,
} from '../../lib/config';
import { sandboxJoin } from '../../lib/sandbox';
import { SID_PATTERNS } from '../../lib/sids';
import { describeZodError } from '../../lib/validation';

export type Problem = {
  /** Stable identifier of the check, e.g. "env.api-base-url" (tests and scripts match on it). */
  id: string;
  /** What is wrong and why it matters. */
  message: string;
  /** What to do about it. */
  fix: string;
};

/** The exact version Twilio accepts: 2.1.0 is refused at deploy (error 20001) and a range fails twilio-run. */
export const RUNTIME_HANDLER_VERSION = '2.0.1';

/** What Twilio must install; everything else is bundled into dist/ by the build. */
export const DEPLOY_DEPENDENCIES = ['@twilio/runtime-handler', 'twilio'] as const;

/** The routes the deploy prints for the WhatsApp configuration; a deploy without them would be useless. */
export const WEBHOOK_ROUTES = {
  incoming: '/whatsapp/incoming',
  status: '/whatsapp/status',
  fallback: '/whatsapp/fallback',
} as const;

/** Route families and the visibility each needs (the README's route table). */
export const ROUTE_VISIBILITY: readonly { prefix: string; access: 'public' | 'protected'; why: string }[] = [
  { prefix: '/whatsapp/', access: 'protected', why: 'Twilio then refuses unsigned requests before the code runs' },
  { prefix: '/admin/', access: 'public', why: 'admin callers send a Bearer ADMIN_TOKEN, not a Twilio signature' },
  { prefix: '/sandbox/', access: 'public', why: 'people open it from a browser or a QR code' },
];

const ENV_FIX_HINT = 'or deploy with your own file (ignored by git): npm run deploy -- --env .env.local';

/**
 * The variables twilio-run uploads (the env file minus ACCOUNT_SID, AUTH_TOKEN and empty values).
 * `envPath` only names the file in the messages.
 */
export function checkVariables(env: Readonly<Record<string, string>>, envPath: string): Problem[] {
  const problems: Problem[] = [];
  const handled = new Set(['TWILIO_API_BASE_URL', 'ADMIN_TOKEN', 'WHATSAPP_SANDBOX_KEYWORD', 'SYNC_SERVICE_SID']);

  if (env.TWILIO_API_BASE_URL !== undefined) {
    problems.push({
      id: 'env.api-base-url',
      message: `TWILIO_API_BASE_URL is set in ${envPath}: the deployed functions would send every Twilio REST call to that origin (the local emulator) instead of Twilio.`,
      fix: `Empty it (TWILIO_API_BASE_URL=) in ${envPath}, ${ENV_FIX_HINT}.`,
    });
  }

  const adminToken = env.ADMIN_TOKEN;
  const newToken =
    'generate one with `openssl rand -hex 32` ' +
    "(or `node -e \"console.log(require('crypto').randomBytes(32).toString('hex'))\"`)";
  if (adminToken === undefined) {
    problems.push({
      id: 'env.admin-token-missing',
      message: `ADMIN_TOKEN is not set in ${envPath}: the /admin/* routes would refuse every call.`,
      fix: `Set ADMIN_TOKEN to a secret of at least ${ADMIN_TOKEN_MIN_LENGTH} characters: ${newToken}.`,
    });
  } else if (isPlaceholder(adminToken)) {
    problems.push({
      id: 'env.admin-token-placeholder',
      message: `ADMIN_TOKEN in ${envPath} is still a placeholder: anyone who has read the example could call /admin/*.`,
      fix: `Replace it with a secret of at least ${ADMIN_TOKEN_MIN_LENGTH} characters: ${newToken}.`,
    });
  } else if (adminToken.trim().length < ADMIN_TOKEN_MIN_LENGTH) {
    problems.push({
      id: 'env.admin-token-short',
      message: `ADMIN_TOKEN in ${envPath} has ${adminToken.trim().length} characters; at least ${ADMIN_TOKEN_MIN_LENGTH} are required, since /admin/* is public and guarded only by it.`,
      fix: `Replace it with a longer secret: ${newToken}.`,
    });
  }

  if (isPlaceholder(env.WHATSAPP_SANDBOX_KEYWORD)) {
    problems.push({
      id: 'env.sandbox-keyword',
      message: `WHATSAPP_SANDBOX_KEYWORD in ${envPath} is ${env.WHATSAPP_SANDBOX_KEYWORD === undefined ? 'not set' : 'still a placeholder'}: the page and /sandbox/join would tell people to send "join <a word that is not yours>".`,
      fix: 'Copy your keyword from Console > Messaging > Try it out > Send a WhatsApp message (the "join <keyword>" line) into WHATSAPP_SANDBOX_KEYWORD.',
    });
  }

  if (env.PUBLIC_BASE_URL !== undefined && !isPlaceholder(env.PUBLIC_BASE_URL)) {
    problems.push({
      id: 'env.public-base-url',
      message: `PUBLIC_BASE_URL is set in ${envPath}: deployed, the webhooks would check Twilio's signatures against that origin instead of https://<the service's domain>, so every webhook would be refused with 403, and media links would point there.`,
      fix: `Empty it (PUBLIC_BASE_URL=) in ${envPath}: it is for tunnels to \`npm start\`, ${ENV_FIX_HINT}.`,
    });
  }

  const sync = env.SYNC_SERVICE_SID;
  if (sync !== undefined && !syncServiceRefSchema.safeParse(sync.trim()).success) {
    problems.push({
      id: 'env.sync-service',
      message: `SYNC_SERVICE_SID in ${envPath} cannot be a Sync service: it must be IS followed by 32 hex digits, or ${DEFAULT_SYNC_SERVICE}. The bot would keep no consent or session, and the contact routes would fail.`,
      fix: `Empty it (SYNC_SERVICE_SID=) to use the account's default Sync service, or copy the SID (IS...) from Console > Sync > Services.`,
    });
  }

  for (const [key, value] of Object.entries(env)) {
    if (handled.has(key) || !isPlaceholder(value)) continue;
    problems.push({
      id: 'env.placeholder',
      message: `${key} in ${envPath} is still a placeholder; it would be uploaded as is.`,
      fix: `Set a real value for ${key}, or empty it (${key}=) if the feature should use its default.`,
    });
  }

  const refusedAbove = ['PUBLIC_BASE_URL', 'TWILIO_API_BASE_URL', 'SYNC_SERVICE_SID'];
  problems.push(...checkSettingValues(env, envPath, refusedAbove));
  return problems;
}

/**
 * Values the functions parse at request time, one problem per variable: a bad one would only show up as
 * failing requests (an invalid latitude makes the bot say it has no location). `npm start` prints these too.
 */
export function checkSettingValues(
  env: Readonly<Record<string, string | undefined>>,
  envPath: string,
  skip: readonly string[] = [],
): Problem[] {
  const problems: Problem[] = [];
  const schemas = [
    sandboxSettingsSchema,
    botLocationSettingsSchema,
    botMenuSettingsSchema,
    webhookSettingsSchema,
    conversationSettingsSchema,
    twilioSettingsSchema,
    adminSettingsSchema,
  ];
  for (const schema of schemas) {
    const result = schema.safeParse(env);
    if (result.success) continue;
    for (const field of describeZodError(result.error)) {
      if (skip.includes(field.path)) continue;
      problems.push({
        id: 'env.invalid',
        message: `${field.path} in ${envPath} is not valid: ${field.message}.`,
        fix: `Correct ${field.path}${field.expected ? ` (expected ${field.expected})` : ''}.`,
      });
    }
  }
  // What /sandbox/join refuses at request time (an unset keyword is reported apart, as a placeholder).
  const sandbox = sandboxSettingsSchema.safeParse(env);
  if (sandbox.success) {
    const keyword = sandbox.data.WHATSAPP_SANDBOX_KEYWORD;
    const result = sandboxJoin({ ...sandbox.data, WHATSAPP_SANDBOX_KEYWORD: keyword ?? 'stand-in' });
    if (!result.ok && !skip.includes(result.variable)) {
      problems.push({
        id: 'env.invalid',
        message: `${result.variable} in ${envPath} would make /sandbox/join answer 503: ${result.reason}`,
        fix: `Correct ${result.variable} (copy it from the Twilio Console's sandbox page).`,
      });
    }
  }
  return problems;
}

/**
 * ACCOUNT_SID/AUTH_TOKEN (the environment's, else the env file's) or --username/--password that twilio-run
 * will deploy with. `accountSid`: the account an API key belongs to, needed to record the deploy.
 */
export function checkCredentials(username: string, password: string, envPath: string, accountSid?: string): Problem[] {
  const envFlag = envPath === '.env' ? '' : ` --env ${envPath}`;
  const twoWays =
    `Put ACCOUNT_SID and AUTH_TOKEN (console.twilio.com) in ${envPath} or the environment, ` +
    'or pass --username/--password (an API key SK... and its secret work too). ' +
    `With the Twilio CLI logged in instead: \`npm run deploy -- --check${envFlag}\`, ` +
    `then \`twilio serverless:deploy${envFlag}\`.`;
  if (isPlaceholder(username) || isPlaceholder(password)) {
    return [
      {
        id: 'credentials.missing',
        message: 'No Twilio credentials to deploy with (ACCOUNT_SID/AUTH_TOKEN are empty or placeholders).',
        fix: twoWays,
      },
    ];
  }
  const user = username.trim();
  if (!(SID_PATTERNS.account.test(user) || SID_PATTERNS.apiKey.test(user))) {
    return [
      {
        id: 'credentials.username',
        message:
          'The account to deploy with is not an Account SID (AC + 32 hex digits) ' +
          'nor an API key SID (SK + 32 hex digits).',
        fix: twoWays,
      },
    ];
  }
  if (SID_PATTERNS.apiKey.test(user) && accountSid === undefined) {
    return [
      {
        id: 'credentials.api-key-account',
        message:
          'Deploying with an API key, but the account it belongs to is unknown: the deploy could not be recorded in ' +
          '.twiliodeployinfo, so the next deploy would try to create the service again and fail on its name.',
        fix: `Set ACCOUNT_SID (AC..., the key's account; it is not uploaded) in ${envPath} or the environment.`,
      },
    ];
  }
  return [];
}

/** package.json `dependencies`: what Twilio installs for every function. */
export function checkDependencies(dependencies: Readonly<Record<string, string>> | undefined): Problem[] {
  const deps = dependencies ?? {};
  const problems: Problem[] = [];
  const handler = deps['@twilio/runtime-handler'];
  if (handler !== RUNTIME_HANDLER_VERSION) {
    problems.push({
      id: 'dependencies.runtime-handler',
      message: `package.json dependencies must pin "@twilio/runtime-handler": "${RUNTIME_HANDLER_VERSION}" exactly (found ${handler === undefined ? 'nothing' : JSON.stringify(handler)}): Twilio refuses 2.1.0 and twilio-run refuses ranges.`,
      fix: `npm install --save-exact @twilio/runtime-handler@${RUNTIME_HANDLER_VERSION}`,
    });
  }
  if (deps.twilio === undefined) {
    problems.push({
      id: 'dependencies.twilio',
      message: 'package.json dependencies lack "twilio": the functions require it at run time (it is not bundled).',
      fix: 'npm install --save twilio',
    });
  }
  for (const name of Object.keys(deps)) {
    if ((DEPLOY_DEPENDENCIES as readonly string[]).includes(name)) continue;
    problems.push({
      id: 'dependencies.extra',
      message: `package.json dependencies has "${name}": Twilio would install it on every deploy, but the build already bundles what the functions use.`,
      fix: `Move it to devDependencies: npm install --save-dev --save-exact ${name}`,
    });
  }
  return problems;
}

/**
 * Twilio refuses builds for retired Node versions (node20 builds are being refused). `from` says where the
 * runtime judged comes from: `twilio serverless:deploy` sends .twilioserverlessrc's, `npm run deploy` adds
 * --runtime node22 when none is given.
 */
export function checkRuntime(runtime: string | undefined, from = 'the deploy'): Problem[] {
  const major = /^node(\d+)$/.exec(runtime ?? '')?.[1];
  if (major !== undefined && Number(major) >= 22) return [];
  return [
    {
      id: 'runtime',
      message: `The runtime ${from} would send is ${runtime ? `"${runtime}"` : 'not set'}; Twilio builds need node22.`,
      fix: 'Set "runtime": "node22" in .twilioserverlessrc or pass --runtime node22.',
    },
  ];
}

/** Twilio's rule for a service's unique name: letters, digits and dashes, under 50 characters. */
export const SERVICE_NAME = /^[A-Za-z0-9-]{1,49}$/;

export function checkServiceName(name: string): Problem[] {
  if (SERVICE_NAME.test(name)) return [];
  return [
    {
      id: 'service-name',
      message:
        `The service name "${name.replace(/[^\x20-\x7e]/g, '?')}" would be refused by Twilio: ` +
        'only letters, digits and dashes, under 50 characters.',
      fix: 'Pass --service-name <name> (e.g. whatsapp-functions), or change "name" in package.json.',
    },
  ];
}

/**
 * Twilio's limit on a Functions environment's variables: 3 KB for all keys and values together (the
 * Functions limits in Twilio's docs). Past it the deploy fails halfway, with some variables set.
 */
export const VARIABLES_MAX_BYTES = 3 * 1024;

export function checkVariablesSize(env: Readonly<Record<string, string>>): Problem[] {
  const sizes = Object.entries(env).map(([k, v]) => ({ key: k, bytes: Buffer.byteLength(k) + Buffer.byteLength(v) }));
  const total = sizes.reduce((sum, s) => sum + s.bytes, 0);
  if (total <= VARIABLES_MAX_BYTES) return [];
  const largest = [...sizes]
    .sort((a, b) => b.bytes - a.bytes)
    .slice(0, 3)
    .map((s) => `${s.key} (${s.bytes} bytes)`);
  return [
    {
      id: 'env.size',
      message:
        `The variables to upload take ${total} bytes (keys and values); Twilio allows ${VARIABLES_MAX_BYTES} ` +
        `per environment. Largest: ${largest.join(', ')}.`,
      fix: 'Shorten or drop the largest values; keep large data in an asset or Twilio Sync instead.',
    },
  ];
}

/**
 * Every file of the functions folder becomes a function, public unless its name says otherwise: only
 * the build's outputs (one per functions/**\/*.ts source) may be there. `built` and `sources`: relative
 * paths, e.g. "whatsapp/incoming.protected.js" and the .js each source builds to.
 */
export function checkBuiltFunctions(built: readonly string[], expected: readonly string[]): Problem[] {
  const known = new Set(expected);
  return built
    .filter((file) => !known.has(file))
    .map((file) => ({
      id: 'functions.unexpected',
      message:
        `dist/functions/${file} was not made by the build (no functions/${file.replace(/\.js$/, '.ts')}): ` +
        `it would be deployed as a function${/\.(protected|private)\.js$/.test(file) ? '' : ', public'}.`,
      fix: 'Delete it, or run the deploy without --no-build (the build starts from an empty dist/).',
    }));
}

export type DeployedFunction = { path: string; access: string };

/** The route contract: visibilities by family, and the webhook routes that must exist. */
export function checkFunctionRoutes(functions: readonly DeployedFunction[]): Problem[] {
  const problems: Problem[] = [];
  for (const fn of functions) {
    const rule = ROUTE_VISIBILITY.find((r) => fn.path.startsWith(r.prefix));
    if (!rule || rule.access === fn.access) continue;
    const suffix = rule.access === 'protected' ? '.protected.ts' : '.ts (no .protected/.private suffix)';
    problems.push({
      id: 'functions.visibility',
      message: `${fn.path} would be deployed ${fn.access}; every ${rule.prefix}* route must be ${rule.access} (${rule.why}).`,
      fix: `Rename its source under functions/ to end in ${suffix} and rebuild.`,
    });
  }
  for (const path of Object.values(WEBHOOK_ROUTES)) {
    if (functions.some((fn) => fn.path === path)) continue;
    problems.push({
      id: 'functions.missing',
      message: `No function ${path} in the build: the WhatsApp webhook URLs the deploy prints would answer 404.`,
      fix: `Check that functions${path}.protected.ts exists and that the build writes dist/functions.`,
    });
  }
  return problems;
}

export type AssetFile = {
  /** Path relative to the assets folder, with forward slashes, e.g. "media/sample.png". */
  name: string;
  /** Text content, for scripts and styles (to find inline source maps). */
  text?: string;
};

const PAGE_FILE = /\.(html|css|js|svg|ico|png|jpe?g|gif|webp|txt)$/i;
const MEDIA_FILE = /\.(jpe?g|png|gif|webp|mp3|ogg|opus|amr|m4a|aac|mp4|3gp|pdf|vcf)$/i;

/**
 * Every file of the assets folder becomes public: only the page (HTML, CSS, bundled JS, icons and
 * images) and sample media under media/ may be there.
 */
export function checkAssetFiles(files: readonly AssetFile[]): Problem[] {
  const problems: Problem[] = [];
  for (const { name, text } of files) {
    const segments = name.split('/');
    const base = segments[segments.length - 1] ?? name;
    let reason: string | undefined;
    if (segments.some((s) => s.startsWith('.'))) reason = 'is a hidden file (it could be an .env or editor file)';
    else if (/\.map$/i.test(base)) reason = 'is a source map: it would publish the TypeScript sources';
    else if (/\.[cm]?tsx?$/i.test(base)) reason = 'is a TypeScript source: the build bundles it to .js';
    else if (segments[0] === 'media' ? !MEDIA_FILE.test(base) : !PAGE_FILE.test(base)) {
      reason =
        segments[0] === 'media'
          ? 'is not a media type WhatsApp can send (images, audio, video, PDF, vCard)'
          : 'is not a page file (.html, .css, .js, images, icons, .txt); sample media belong under media/';
    } else if (text !== undefined && /\.(js|css)$/i.test(base) && /[#@]\s*sourceMappingURL=/.test(text)) {
      reason = 'carries a sourceMappingURL comment: an inline or linked source map would publish the sources';
    }
    if (reason) {
      problems.push({
        id: 'assets.file',
        message: `dist/assets/${name} ${reason}; every file there is public once deployed.`,
        fix: `Remove it from assets/ (or stop the build from writing it), then run the deploy again.`,
      });
    }
  }
  return problems;
}

/** The refusal as printed: every problem, numbered, each with its fix. */
export function formatRefusal(problems: readonly Problem[]): string {
  const lines = [`Deploy refused: ${problems.length} problem${problems.length === 1 ? '' : 's'} to fix first.`, ''];
  problems.forEach((p, i) => {
    lines.push(`${i + 1}. ${p.message}`, `   Fix: ${p.fix}`, '');
  });
  return lines.join('\n');
}
