import { botLocationSettingsSchema, isPlaceholder, sandboxSettingsSchema, twilioSettingsSchema } from '../../lib/config';
import { describeZodError } from '../../lib/validation';

describe('isPlaceholder', () => {
  it.each([
    [undefined, true],
    ['', true],
    ['  ', true],
    ['your_auth_token', true],
    ['your-sandbox-keyword', true],
    ['ACxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx', true],
    ['<paste here>', true],
    ['AC0123456789abcdef0123456789abcdef', false],
    ['purple-tiger', false],
  ])('%j -> %s', (value, expected) => {
    expect(isPlaceholder(value)).toBe(expected);
  });
});

describe('settings schemas', () => {
  it('reads coordinates as numbers and treats placeholders as unset', () => {
    expect(botLocationSettingsSchema.parse({ BOT_LOCATION_LATITUDE: ' -33.5 ', BOT_LOCATION_LONGITUDE: '151', BOT_LOCATION_NAME: 'your_name' })).toEqual({
      BOT_LOCATION_LATITUDE: -33.5,
      BOT_LOCATION_LONGITUDE: 151,
      BOT_LOCATION_NAME: undefined,
      BOT_LOCATION_LABEL: undefined,
    });
  });

  it.each([
    [{ BOT_LOCATION_LATITUDE: 'north' }, 'BOT_LOCATION_LATITUDE'],
    [{ BOT_LOCATION_LATITUDE: '91' }, 'BOT_LOCATION_LATITUDE'],
    [{ BOT_LOCATION_LONGITUDE: '-180.5' }, 'BOT_LOCATION_LONGITUDE'],
  ])('names the bad variable in %j', (env, variable) => {
    const result = botLocationSettingsSchema.safeParse(env);
    expect(result.success).toBe(false);
    if (!result.success) expect(describeZodError(result.error).map((p) => p.path)).toEqual([variable]);
  });

  it('defaults the sandbox number and refuses a malformed Account SID', () => {
    expect(sandboxSettingsSchema.parse({}).WHATSAPP_SANDBOX_NUMBER).toBe('+14155238886');
    const result = twilioSettingsSchema.safeParse({ ACCOUNT_SID: 'AC123' });
    expect(result.success).toBe(false);
    if (!result.success) expect(describeZodError(result.error)[0]).toMatchObject({ path: 'ACCOUNT_SID', message: 'must be an account SID: AC followed by 32 hex digits' });
  });
});
