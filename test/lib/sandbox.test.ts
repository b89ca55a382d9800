import { sandboxSettingsSchema } from '../../lib/config';
import { normalizeSandboxKeyword, sandboxJoin, sandboxJoinQuerySchema } from '../../lib/sandbox';

const settings = (env: Record<string, string>) => sandboxSettingsSchema.parse(env);

describe('sandboxJoin', () => {
  it('builds the join links for the default sandbox number', () => {
    expect(sandboxJoin(settings({ WHATSAPP_SANDBOX_KEYWORD: 'shadow-river' }))).toEqual({
      ok: true,
      join: {
        number: '+14155238886',
        keyword: 'shadow-river',
        link: 'https://wa.me/14155238886?text=join%20shadow-river',
        app_link: 'whatsapp://send?phone=14155238886&text=join%20shadow-river',
      },
    });
  });

  it('uses a configured number written any human way', () => {
    const result = sandboxJoin(settings({ WHATSAPP_SANDBOX_NUMBER: '+44 20 7946 0958', WHATSAPP_SANDBOX_KEYWORD: 'x-y' }));
    expect(result).toMatchObject({ ok: true, join: { number: '+442079460958', link: 'https://wa.me/442079460958?text=join%20x-y' } });
  });

  it.each([
    ['join shadow-river', 'shadow-river'],
    ['  JOIN   shadow-river ', 'shadow-river'],
    ['shadow-river', 'shadow-river'],
  ])('accepts the keyword pasted as %j', (value, keyword) => {
    expect(normalizeSandboxKeyword(value)).toBe(keyword);
    expect(sandboxJoin(settings({ WHATSAPP_SANDBOX_KEYWORD: value }))).toMatchObject({ ok: true, join: { keyword } });
  });

  it.each<Record<string, string>>([{}, { WHATSAPP_SANDBOX_KEYWORD: '' }, { WHATSAPP_SANDBOX_KEYWORD: 'your_keyword' }])('names the missing keyword variable (%j)', (env) => {
    const result = sandboxJoin(settings(env));
    expect(result).toMatchObject({ ok: false, variable: 'WHATSAPP_SANDBOX_KEYWORD' });
    if (!result.ok) expect(result.reason).toContain('WHATSAPP_SANDBOX_KEYWORD');
  });

  it.each(['two words', 'a&b', 'x'.repeat(65), '<script>'])('refuses a keyword that cannot be one: %j', (keyword) => {
    expect(sandboxJoin(settings({ WHATSAPP_SANDBOX_KEYWORD: keyword }))).toMatchObject({ ok: false, variable: 'WHATSAPP_SANDBOX_KEYWORD' });
  });

  it('names a wrong sandbox number with the reason', () => {
    const result = sandboxJoin(settings({ WHATSAPP_SANDBOX_NUMBER: '4155238886', WHATSAPP_SANDBOX_KEYWORD: 'a-b' }));
    expect(result).toMatchObject({ ok: false, variable: 'WHATSAPP_SANDBOX_NUMBER' });
    if (!result.ok) expect(result.reason).toMatch(/WHATSAPP_SANDBOX_NUMBER: Start with the country code/);
  });
});

describe('sandboxJoinQuerySchema', () => {
  it('accepts no format, or json, and other parameters', () => {
    expect(sandboxJoinQuerySchema.parse({})).toEqual({});
    expect(sandboxJoinQuerySchema.parse({ format: 'json', utm: 'x' })).toEqual({ format: 'json', utm: 'x' });
  });

  it.each(['xml', 'JSON', ''])('refuses format=%j', (format) => {
    expect(sandboxJoinQuerySchema.safeParse({ format }).success).toBe(false);
  });
});
