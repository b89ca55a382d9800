/**
 * `npm run deploy [-- flags]`: build dist/, refuse a deploy that would be broken or unsafe (every problem
 * listed with its fix, exit 1), then run `twilio-run deploy` with the flags passed through, and print the
 * webhook URLs to paste into the sandbox or sender configuration, and the page's URL.
 *
 * The deploy itself is twilio-run's CLI, the code `twilio serverless:deploy` runs too: same config file,
 * same .twiliodeployinfo, same messages. The checks read the config with twilio-run's own code
 * (deploy/project.ts), so they judge exactly what it uploads. See docs/deploy.md.
 */
import { spawn } from 'node:child_process';
import { join, relative } from 'node:path';
import { TwilioServerlessApiClient } from '@twilio-labs/serverless-api';
import { build } from '../dev/build';
import { ROOT } from '../dev/paths';
import { splitDeployArgs, USAGE } from './deploy/args';
import { formatRefusal } from './deploy/checks';
import {
  deployCredentials,
  inspectDeploy,
  parseDeployFlags,
  readDeployConfig,
  readDeployEnvFile,
  type DeployConfig,
} from './deploy/project';
import type { ExternalCliOptions } from './deploy/twilio-run-deploy';
import { formatSummary, parseDeployOutput, webhookUrls } from './deploy/summary';

/**
 * Runs twilio-run's deploy (cli/deploy/twilio-run-deploy.ts), the credentials in its environment; its
 * progress and errors go to stderr, its JSON result is returned.
 */
function runTwilioRunDeploy(
  args: readonly string[],
  credentials: ExternalCliOptions | undefined,
): Promise<{ code: number; stdout: string }> {
  const script = join(__dirname, 'deploy', 'twilio-run-deploy.ts');
  const env = { ...process.env, ...(credentials ? { DEPLOY_CREDENTIALS: JSON.stringify(credentials) } : {}) };
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', script, ...args], {
      cwd: ROOT,
      env,
      stdio: ['inherit', 'pipe', 'inherit'],
    });
    let stdout = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.once('error', reject);
    child.once('close', (code) => resolve({ code: code ?? 1, stdout }));
  });
}

/**
 * Variables emptied in the env file: twilio-run uploads no empty value, so the old one would stay live.
 * Removed from the environment just deployed (a variable change applies to the next execution).
 */
async function removeEmptiedVariables(
  config: DeployConfig,
  fileValues: Record<string, string>,
  serviceSid: string,
  environmentSid: string,
): Promise<string[]> {
  const keys = Object.entries(fileValues)
    .filter(([key, value]) => value === '' && key !== 'ACCOUNT_SID' && key !== 'AUTH_TOKEN')
    .map(([key]) => key);
  if (keys.length === 0) return [];
  const auth = { username: config.username, password: config.password };
  const client = new TwilioServerlessApiClient(auth);
  const where = { ...auth, serviceSid, environment: environmentSid };
  const { variables } = await client.getEnvironmentVariables({ ...where, keys, getValues: false });
  const live = variables.map((v) => v.key);
  if (live.length) await client.removeEnvironmentVariables({ ...where, keys: live });
  return live;
}

async function main(argv: readonly string[]): Promise<number> {
  const args = splitDeployArgs(argv);
  if (args.help) {
    process.stdout.write(USAGE);
    return 0;
  }
  process.chdir(ROOT); // twilio-run resolves .twilioserverlessrc, --env and the folders from here

  if (args.build) {
    process.stderr.write('Building dist/ ...\n');
    await build();
  }

  // --check judges what `twilio serverless:deploy` would send with the same flags; a deploy, what it runs.
  const judged = args.checkOnly ? args.passedArgs : args.twilioRunArgs;
  const envFile = readDeployEnvFile(judged, ROOT);
  const credentials = args.checkOnly ? undefined : deployCredentials(envFile.values, parseDeployFlags(judged));
  let config: DeployConfig;
  try {
    config = await readDeployConfig(judged, ROOT, credentials);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    process.stderr.write(
      formatRefusal([
        {
          id: 'config',
          message: `twilio-run cannot read the deploy configuration: ${message}`,
          fix: 'Check the flags and the --env path (relative to the project root).',
        },
      ]),
    );
    return 1;
  }
  const problems = await inspectDeploy(config, {
    credentials: !args.checkOnly,
    accountSid: credentials?.accountSid,
    runtimeFrom: args.checkOnly ? args.runtimeFrom.cli : args.runtimeFrom.deploy,
  });
  if (problems.length > 0) {
    process.stderr.write(formatRefusal(problems));
    return 1;
  }
  if (args.checkOnly) {
    const flags = args.passedArgs.length ? ` ${args.passedArgs.join(' ')}` : '';
    process.stdout.write(
      `Every deploy check passed. Deploy with \`twilio serverless:deploy${flags}\` (the same flags).\n`,
    );
    return 0;
  }

  process.stderr.write('Checks passed. Deploying with twilio-run ...\n');
  const { code, stdout } = await runTwilioRunDeploy(args.twilioRunArgs, credentials);
  if (code !== 0) {
    if (stdout.trim()) process.stderr.write(stdout);
    process.stderr.write(`twilio-run deploy failed (exit ${code}); nothing more to print.\n`);
    return code;
  }
  const output = parseDeployOutput(stdout);
  const removed = await removeEmptiedVariables(config, envFile.values, output.serviceSid, output.environmentSid);
  if (removed.length) {
    process.stderr.write(
      `Removed from the environment, since ${relative(ROOT, envFile.path)} empties them: ${removed.join(', ')}\n`,
    );
  }
  if (args.jsonOutput) {
    const urls = webhookUrls(output.domain);
    const { page, ...webhooks } = urls;
    process.stdout.write(`${JSON.stringify({ ...output, webhooks, page, removedVariables: removed }, null, 2)}\n`);
  } else {
    process.stdout.write(`${formatSummary(output)}\n`);
  }
  return 0;
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (error: unknown) => {
      process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
      process.exitCode = 1;
    },
  );
}
