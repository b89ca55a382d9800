/**
 * The deploy command line: this tool's own flags, and everything else passed to `twilio-run deploy`
 * unchanged (service name, environment, --production, --env, credentials ...), plus the defaults this
 * project needs: `--runtime node22`, and `--output-format json` so the result can be read back.
 */
import { parseDeployFlags } from './project';

export type DeployArgs = {
  /** Build and check only; deploy nothing (`--check`). */
  checkOnly: boolean;
  /** Build dist/ first (default; `--no-build` deploys dist/ as it is). */
  build: boolean;
  help: boolean;
  /** The caller asked twilio-run for JSON: print JSON (with the webhook URLs added) instead of the summary. */
  jsonOutput: boolean;
  /** Arguments for `twilio-run deploy`. */
  twilioRunArgs: string[];
  /** The flags as given, what `twilio serverless:deploy` gets with "the same flags" (no runtime added). */
  passedArgs: string[];
  /** Where the deploy's runtime comes from, in words. */
  runtimeFrom: { deploy: string; cli: string };
};

export const DEFAULT_RUNTIME = 'node22';

export function splitDeployArgs(argv: readonly string[]): DeployArgs {
  const own = new Set(['--check', '--no-build', '--help', '-h']);
  const passed = argv.filter((a) => !own.has(a));
  const flags = parseDeployFlags(passed);
  const jsonOutput = flags.outputFormat === 'json';
  const twilioRunArgs = [...passed];
  if (flags.runtime === undefined) twilioRunArgs.push('--runtime', DEFAULT_RUNTIME);
  if (!jsonOutput) twilioRunArgs.push('--output-format', 'json');
  return {
    checkOnly: argv.includes('--check'),
    build: !argv.includes('--no-build'),
    help: argv.includes('--help') || argv.includes('-h'),
    jsonOutput,
    twilioRunArgs,
    passedArgs: passed,
    runtimeFrom:
      flags.runtime === undefined
        ? {
            deploy: `npm run deploy (--runtime ${DEFAULT_RUNTIME}, added)`,
            cli: '`twilio serverless:deploy` (from .twilioserverlessrc)',
          }
        : { deploy: 'npm run deploy (--runtime)', cli: '`twilio serverless:deploy` (--runtime)' },
  };
}

export const USAGE = `Usage: npm run deploy [-- <flags>]

Builds dist/, checks what would be uploaded, then runs \`twilio-run deploy\` and prints the webhook URLs.

This tool's flags:
  --check       build and check only; deploy nothing (then deploy with \`twilio serverless:deploy\`)
  --no-build    deploy dist/ as it is (it is still checked)
  --help        this text

Every other flag goes to \`twilio-run deploy\` as is, for example:
  --service-name <name> (-n)   the service (default: "name" in package.json)
  --environment <suffix>       the domain suffix (default: dev)
  --production                 deploy to the environment without suffix
  --env <file>                 the variables to upload (default: .env), relative to the project root
  --username <sid> --password <token>   credentials instead of ACCOUNT_SID/AUTH_TOKEN from the env file
  --override-existing-project  deploy to an existing service of that name
\`--runtime ${DEFAULT_RUNTIME}\` is added unless you pass --runtime. See \`npx twilio-run deploy --help\`.
`;
