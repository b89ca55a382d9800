/**
 * dev/env.ts: the env file read as the deploy reads it (twilio-run's dotenv 6.2) with every line the local
 * tools' dotenv 18 reads differently refused; the environment over the file; emulator mode's credentials.
 */
import { devEnv, EMULATOR_ACCOUNT_SID, EMULATOR_AUTH_TOKEN, readEnvText, withProcessEnv } from '../../dev/env';

describe('readEnvText', () => {
  it('accepts what both parsers read alike: plain, quoted, \\n in double quotes, comments on their own line', () => {
    const text = [
      '# a comment',
      'A=plain',
      'B="quoted # not a comment"',
      "C='single'",
      'D="two\\nlines"',
      'E=',
      '  F = spaced  ',
      '',
    ].join('\n');
    expect(readEnvText(text)).toEqual({
      values: { A: 'plain', B: 'quoted # not a comment', C: 'single', D: 'two\nlines', E: '', F: 'spaced' },
      problems: [],
    });
  });

  it.each<[string, string, RegExp]>([
    ['an inline comment', 'ADMIN_TOKEN=abcdef0123456789 # old one', /has a `#` in an unquoted value/],
    ['a # inside an unquoted value', 'BOT_LOCATION_NAME=Shop#2', /has a `#` in an unquoted value/],
    ['an export line', 'export WHATSAPP_SANDBOX_KEYWORD=purple-llama', /starts with `export`/],
    [
      'a multi-line quoted value',
      'BOT_LOCATION_LABEL="101 Spear St\nSan Francisco"',
      /quoted value that goes on past the line/,
    ],
    ['back-quotes', 'BOT_LOCATION_NAME=`Twilio HQ`', /back-quotes/],
  ])('refuses %s, naming the variable and line, never the value', (_name, line, reason) => {
    const { problems } = readEnvText(`A=1\n${line}\n`);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatchObject({ line: 2, message: expect.stringMatching(reason) });
    const value = line.split('=')[1]!.slice(0, 8);
    expect(JSON.stringify(problems)).not.toContain(value);
  });

  it('refuses a control character (a NUL byte) by its code point, never printing the value', () => {
    const { problems } = readEnvText('AUTH_TOKEN=abc\u0000def\n');
    expect(problems).toEqual([
      expect.objectContaining({ key: 'AUTH_TOKEN', line: 1, message: expect.stringContaining('U+0000') }),
    ]);
    expect(JSON.stringify(problems)).not.toMatch(/abc|def|\\u0000/);
  });
});

describe('withProcessEnv', () => {
  it('lets the environment win for the variables the project knows, ignoring empty ones and the rest', () => {
    const merged = withProcessEnv(
      { ADMIN_TOKEN: 'from-file', OWN: 'x' },
      { ADMIN_TOKEN: 'from-env', WHATSAPP_SANDBOX_KEYWORD: '', OWN: 'y', PATH: '/bin' },
    );
    expect(merged).toEqual({ ADMIN_TOKEN: 'from-env', OWN: 'y' });
  });
});

describe('devEnv', () => {
  const sid = 'AC' + '0123456789abcdef'.repeat(2);
  it('talks to Twilio with both credentials', () => {
    expect(devEnv({ ACCOUNT_SID: sid, AUTH_TOKEN: 'real-token' })).toMatchObject({ mode: 'twilio', warnings: [] });
  });
  it('keeps a real AUTH_TOKEN in emulator mode (a tunnel still passes) and says why REST goes to the emulator', () => {
    const { env, mode, warnings } = devEnv({ AUTH_TOKEN: 'real-token' }, 'http://127.0.0.1:9');
    expect({ mode, ACCOUNT_SID: env.ACCOUNT_SID, AUTH_TOKEN: env.AUTH_TOKEN, base: env.TWILIO_API_BASE_URL }).toEqual({
      mode: 'emulator',
      ACCOUNT_SID: EMULATOR_ACCOUNT_SID,
      AUTH_TOKEN: 'real-token',
      base: 'http://127.0.0.1:9',
    });
    expect(warnings).toEqual([expect.stringContaining('ACCOUNT_SID is empty or a placeholder')]);
  });
  it('warns that a lone ACCOUNT_SID means the stand-in token (signed tunnels would be refused)', () => {
    const { env, warnings } = devEnv({ ACCOUNT_SID: sid, AUTH_TOKEN: '' });
    expect(env.AUTH_TOKEN).toBe(EMULATOR_AUTH_TOKEN);
    expect(warnings).toEqual([expect.stringContaining('refused with 403')]);
  });
});
