/**
 * Runs twilio-run's own deploy handler (the code `twilio-run deploy` and `twilio serverless:deploy` run),
 * given the credentials the way the Twilio CLI gives them (`externalCliOptions`), read from this process's
 * environment, never from argv, where other users of the machine could read them.
 *
 * Why not `twilio-run deploy --username ... --password ...`: the secret would be in argv, and an API key
 * (SK...) deploy would not know its account, so twilio-run neither writes nor finds .twiliodeployinfo and
 * the next deploy clashes with the service it created. The Twilio CLI passes `accountSid` for that.
 *
 * As a program: `tsx cli/deploy/twilio-run-deploy.ts <twilio-run deploy flags>` with DEPLOY_CREDENTIALS
 * = JSON {username, password, accountSid?} in the environment.
 */
import { createRequire } from 'node:module';
import { parseDeployFlags } from './project';

export type ExternalCliOptions = { username: string; password: string; accountSid?: string };

type DeployHandler = (flags: Record<string, unknown>, external?: ExternalCliOptions) => Promise<void>;
const fromTwilioRun = createRequire(require.resolve('twilio-run/package.json'));
const { handler } = fromTwilioRun('./dist/commands/deploy') as { handler: DeployHandler };

if (require.main === module) {
  const raw = process.env.DEPLOY_CREDENTIALS;
  delete process.env.DEPLOY_CREDENTIALS; // nothing twilio-run runs needs to see it
  const external = raw ? (JSON.parse(raw) as ExternalCliOptions) : undefined;
  handler(parseDeployFlags(process.argv.slice(2)), external).then(
    () => undefined,
    (error: unknown) => {
      process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
      process.exitCode = 1;
    },
  );
}
