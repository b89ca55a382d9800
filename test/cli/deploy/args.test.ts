/** The deploy command line: own flags taken out, the rest passed to twilio-run, project defaults added. */
import { splitDeployArgs } from '../../../cli/deploy/args';
import { parseDeployFlags } from '../../../cli/deploy/project';

describe('splitDeployArgs', () => {
  it('passes every other flag through unchanged, adding --runtime node22 and JSON output', () => {
    const passed = ['--service-name', 'my-bot', '--production', '--env', '.env.prod', '--override-existing-project'];
    const args = splitDeployArgs(passed);
    expect(args).toEqual({
      checkOnly: false,
      build: true,
      help: false,
      jsonOutput: false,
      twilioRunArgs: [...passed, '--runtime', 'node22', '--output-format', 'json'],
      // what `twilio serverless:deploy` gets with the same flags: its runtime comes from .twilioserverlessrc
      passedArgs: passed,
      runtimeFrom: {
        deploy: 'npm run deploy (--runtime node22, added)',
        cli: '`twilio serverless:deploy` (from .twilioserverlessrc)',
      },
    });
    // and twilio-run reads them as intended
    expect(parseDeployFlags(args.twilioRunArgs)).toMatchObject({
      serviceName: 'my-bot',
      production: true,
      env: '.env.prod',
      runtime: 'node22',
      outputFormat: 'json',
    });
  });

  it('keeps a runtime and an output format given by the caller', () => {
    const args = splitDeployArgs(['-n', 'x', '--runtime=node24', '-o', 'json', '--to', 'qa']);
    expect(args.twilioRunArgs).toEqual(['-n', 'x', '--runtime=node24', '-o', 'json', '--to', 'qa']);
    expect(args.jsonOutput).toBe(true);
    expect(parseDeployFlags(args.twilioRunArgs)).toMatchObject({
      serviceName: 'x',
      runtime: 'node24',
      environment: 'qa',
    });
  });

  it('takes out its own flags', () => {
    const args = splitDeployArgs(['--check', '--no-build', '--environment', 'stage']);
    expect(args).toMatchObject({ checkOnly: true, build: false, help: false });
    expect(args.twilioRunArgs).toEqual(['--environment', 'stage', '--runtime', 'node22', '--output-format', 'json']);
    expect(splitDeployArgs(['--help']).help).toBe(true);
  });
});
