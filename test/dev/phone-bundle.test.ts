/**
 * dev/build.ts bundles libphonenumber-js's modern build (es6-modern/) into the functions in place of the ES5
 * one its `core` entry names, with the dependency's locals renamed short: the bundled lib/phone.ts must answer
 * exactly as the source does (which jest runs on the package's CommonJS build), and be the smaller code.
 */
import { build } from 'esbuild';
import fc from 'fast-check';
import { getCountryCallingCode, type CountryCode } from 'libphonenumber-js/min';
import examples from 'libphonenumber-js/examples.mobile.json';
import { join } from 'node:path';
import { functionOptions } from '../../dev/build';
import { ROOT } from '../../dev/paths';
import { normalizePhoneNumber } from '../../lib/phone';

async function bundlePhone(withBuildPlugins: boolean): Promise<string> {
  const options = functionOptions();
  const result = await build({
    ...options,
    entryPoints: [join(ROOT, 'lib', 'phone.ts')],
    outdir: undefined,
    write: false,
    plugins: withBuildPlugins ? options.plugins : [],
    logLevel: 'silent',
  });
  return result.outputFiles[0]!.text;
}

let bundled: typeof normalizePhoneNumber;
let code: string;

beforeAll(async () => {
  code = await bundlePhone(true);
  const module = { exports: {} as { normalizePhoneNumber: typeof normalizePhoneNumber } };
  new Function('module', 'exports', 'require', code)(module, module.exports, require);
  bundled = module.exports.normalizePhoneNumber;
});

it('bundles the modern build: no ES5 class and iterator helpers, and smaller than the ES5 one', async () => {
  const es5 = await bundlePhone(false);
  // What the swap removes: Babel's helpers, repeated in each ES5 file.
  expect(es5).toContain('_createForOfIteratorHelperLoose');
  expect(code).not.toContain('_createForOfIteratorHelperLoose');
  expect(code).not.toContain('_classCallCheck');
  expect(code.length).toBeLessThan(es5.length - 10_000);
  // Dependencies' parameters are renamed short, their function names kept for stack traces.
  expect(es5).toMatch(/function extractCountryCallingCode\(number, ?country, ?defaultCountry, ?defaultCallingCode/);
  expect(code).toMatch(/function extractCountryCallingCode\(\w, ?\w, ?\w, ?\w, ?\w\)/);
});

it('answers as the source does for every country example number, humane forms and WhatsApp rewrites included', () => {
  const numbers = Object.entries(examples as Record<string, string>).flatMap(([country, national]) => {
    const code = getCountryCallingCode(country as CountryCode);
    return [`+${code}${national}`, `00${code} ${national}`, `whatsapp:+${code}${national}`];
  });
  expect(numbers.length).toBeGreaterThan(600);
  for (const input of [...numbers, '+54 9 11 1234 5678', '+52 1 55 1234 5678', '+49 0 30 1234567', 'hello', '']) {
    expect({ input, answer: bundled(input) }).toEqual({ input, answer: normalizePhoneNumber(input) });
  }
});

it('answers as the source does for random input', () => {
  fc.assert(
    fc.property(fc.stringMatching(/^(\+|00)?[0-9 ()-]{4,18}$/), (input) => {
      expect(bundled(input)).toEqual(normalizePhoneNumber(input));
    }),
    { numRuns: 3000 },
  );
});
