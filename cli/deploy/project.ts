/**
 * What a deploy would upload, read by twilio-run's own code, and every check run on it.
 *
 * The flags are parsed with twilio-run's deploy options (its yargs, its aliases and defaults) and turned
 * into the deploy config by twilio-run's `getConfigFromFlags`: the same .twilioserverlessrc merge, the
 * same .env parser (twilio-run bundles its own dotenv), the same filtering of ACCOUNT_SID, AUTH_TOKEN and
 * empty values, the same folders. The files are listed with @twilio-labs/serverless-api's
 * `getListOfFunctionsAndAssets`, as `deployLocalProject` lists them. So the checks see exactly what
 * `twilio-run deploy` (and `twilio serverless:deploy`, which runs the same handler) would send.
 * twilio-run 5.0.1 is pinned exactly in devDependencies; plugin-serverless imports the same modules.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, relative, resolve, sep } from 'node:path';
import { fsHelpers } from '@twilio-labs/serverless-api';
import type { ServerlessResourceConfigWithFilePath } from '@twilio-labs/serverless-api/dist/types/generic';
import type { DeployLocalProjectConfig } from 'twilio-run/dist/config/deploy';
import { isPlaceholder } from '../../lib/config';
import { SID_PATTERNS } from '../../lib/sids';
import { readEnvText } from '../../dev/env';
import type { ExternalCliOptions } from './twilio-run-deploy';
import {
  checkAssetFiles,
  checkBuiltFunctions,
  checkServiceName,
  checkVariablesSize,
  checkCredentials,
  checkDependencies,
  checkFunctionRoutes,
  checkRuntime,
  checkVariables,
  type Problem,
} from './checks';
import { checkFunctionsLoad } from './function-loads';

export type DeployConfig = DeployLocalProjectConfig;

type DeployCommandModule = { cliInfo: { options: Record<string, object> } };
type DeployConfigModule = {
  getConfigFromFlags(flags: Record<string, unknown>, external?: ExternalCliOptions): Promise<DeployConfig>;
};
type YargsFactory = (args: string[]) => {
  options(options: Record<string, object>): ReturnType<YargsFactory>;
  help(enable: boolean): ReturnType<YargsFactory>;
  version(enable: boolean): ReturnType<YargsFactory>;
  exitProcess(enable: boolean): ReturnType<YargsFactory>;
  parseSync(): Record<string, unknown>;
};

// twilio-run's modules and its own yargs, resolved from twilio-run's folder.
const fromTwilioRun = createRequire(require.resolve('twilio-run/package.json'));
const deployCommand = fromTwilioRun('./dist/commands/deploy') as DeployCommandModule;
const deployConfig = fromTwilioRun('./dist/config/deploy') as DeployConfigModule;
const yargs = fromTwilioRun('yargs/yargs') as YargsFactory;

/** The flags `twilio-run deploy <args>` would see. */
export function parseDeployFlags(args: readonly string[]): Record<string, unknown> {
  return yargs([...args])
    .options(deployCommand.cliInfo.options)
    .help(false)
    .version(false)
    .exitProcess(false)
    .parseSync();
}

/**
 * The config `twilio-run deploy <args>` would deploy with, run in `cwd` (the project root). Throws
 * twilio-run's own errors (e.g. a missing --env file).
 */
export async function readDeployConfig(
  args: readonly string[],
  cwd: string,
  external?: ExternalCliOptions,
): Promise<DeployConfig> {
  const flags = parseDeployFlags(args);
  if (flags.cwd === undefined) flags.cwd = cwd;
  return deployConfig.getConfigFromFlags(flags, external);
}

/** The env file's variables as the deploy reads them (twilio-run's dotenv), empty ones included. */
export function readDeployEnvFile(
  args: readonly string[],
  cwd: string,
): { path: string; values: Record<string, string> } {
  const flags = parseDeployFlags(args);
  const path = resolve(cwd, typeof flags.env === 'string' ? flags.env : '.env');
  return { path, values: existsSync(path) ? readEnvText(readFileSync(path, 'utf8')).values : {} };
}

/**
 * The credentials `npm run deploy` deploys with, handed to twilio-run as the Twilio CLI hands its own:
 * ACCOUNT_SID/AUTH_TOKEN from the environment first, then from the env file (as the bulk tool reads them);
 * --username/--password still win inside twilio-run. `accountSid` names the account for .twiliodeployinfo,
 * also when the username is an API key (SK...). Undefined when there is nothing to deploy with.
 */
export function deployCredentials(
  fileEnv: Readonly<Record<string, string>>,
  flags: Record<string, unknown>,
  processEnv: NodeJS.ProcessEnv = process.env,
): ExternalCliOptions | undefined {
  const pick = (key: string) =>
    [processEnv[key], fileEnv[key]].find((v): v is string => typeof v === 'string' && !isPlaceholder(v))?.trim();
  const flagUser = typeof flags.username === 'string' ? flags.username : undefined;
  const username = pick('ACCOUNT_SID') ?? '';
  const password = pick('AUTH_TOKEN') ?? '';
  const accountSid = [flagUser, username].find((v) => v !== undefined && SID_PATTERNS.account.test(v));
  if (!username && !password && !flagUser) return undefined;
  return { username, password, ...(accountSid ? { accountSid } : {}) };
}

/** The route sources the build compiles (functions/**\/*.ts), relative, with forward slashes. */
function listSources(folder: string): string[] {
  if (!existsSync(folder)) return [];
  return readdirSync(folder, { recursive: true, encoding: 'utf8' })
    .map((f) => f.split(sep).join('/'))
    .filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts'));
}

export type DeployFiles = {
  functions: ServerlessResourceConfigWithFilePath[];
  assets: ServerlessResourceConfigWithFilePath[];
};

/** The functions and assets `deployLocalProject` would upload for this config. */
export async function listDeployFiles(config: DeployConfig): Promise<DeployFiles> {
  const search: { functionsFolderNames?: string[]; assetsFolderNames?: string[] } = {};
  if (config.functionsFolderName) search.functionsFolderNames = [config.functionsFolderName];
  if (config.assetsFolderName) search.assetsFolderNames = [config.assetsFolderName];
  const listed = await fsHelpers.getListOfFunctionsAndAssets(config.cwd, search);
  return { functions: config.noFunctions ? [] : listed.functions, assets: config.noAssets ? [] : listed.assets };
}

export type InspectOptions = {
  /** Check the credentials too (not for `--check`, where the Twilio CLI may bring its own). */
  credentials: boolean;
  /** Where the deploy dependencies are installed (default: <cwd>/node_modules). */
  nodeModules?: string;
  /** The account an API-key deploy is recorded under (see deployCredentials); undefined when unknown. */
  accountSid?: string;
  /** Where the runtime judged comes from, for the message (a flag, or .twilioserverlessrc). */
  runtimeFrom?: string;
};

/** Every problem with deploying `config`; empty when the deploy may go ahead. */
export async function inspectDeploy(config: DeployConfig, options: InspectOptions): Promise<Problem[]> {
  const fromRoot = relative(config.cwd, config.envPath);
  const envPath = fromRoot && !fromRoot.startsWith('..') ? fromRoot : config.envPath;
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(config.env)) if (value !== undefined) env[key] = value;
  const fileProblems = existsSync(config.envPath) ? readEnvText(readFileSync(config.envPath, 'utf8')).problems : [];
  const problems: Problem[] = [
    ...fileProblems.map((p) => ({
      id: p.message.includes('control character') ? 'env.control-character' : 'env.parsers-differ',
      message: `${p.key} in ${envPath}${p.line ? ` (line ${p.line})` : ''} ${p.message}.`,
      fix: p.fix,
    })),
    ...checkVariables(env, envPath), // as twilio-run uploads them
    ...checkVariablesSize(env),
    ...(options.credentials ? checkCredentials(config.username, config.password, envPath, options.accountSid) : []),
    ...checkDependencies(config.pkgJson.dependencies as Record<string, string> | undefined),
    ...checkRuntime(config.runtime, options.runtimeFrom),
    ...(config.serviceName ? checkServiceName(config.serviceName) : []),
  ];
  let files: DeployFiles;
  try {
    files = await listDeployFiles(config);
  } catch (error) {
    // e.g. a file name twilio-run cannot turn into a URL path
    return [
      ...problems,
      {
        id: 'files.list',
        message: `The files to deploy cannot be listed: ${(error as Error).message}`,
        fix: 'Rename the file, rebuild and try again.',
      },
    ];
  }
  const assetsRoot = join(config.cwd, config.assetsFolderName ?? 'assets');
  const functionsRoot = join(config.cwd, config.functionsFolderName ?? 'functions');
  problems.push(
    ...checkBuiltFunctions(
      files.functions.map((f) => relative(functionsRoot, f.filePath).split(sep).join('/')),
      listSources(join(config.cwd, 'functions')).map((f) => f.replace(/\.ts$/, '.js')),
    ),
    ...checkFunctionRoutes(files.functions),
    ...checkAssetFiles(
      files.assets.map((a) => ({
        name: relative(assetsRoot, a.filePath).split(sep).join('/'),
        text: /\.(js|css)$/i.test(a.filePath) ? a.content.toString() : undefined,
      })),
    ),
    ...(await checkFunctionsLoad(files.functions, {
      nodeModules: options.nodeModules ?? join(config.cwd, 'node_modules'),
      dependencies: Object.keys(config.pkgJson.dependencies ?? {}),
      // a value with a NUL byte cannot go into a process environment (Node's error would print it)
      env: Object.fromEntries(Object.entries(env).filter(([, value]) => !value.includes('\u0000'))),
    })),
  );
  return problems;
}
