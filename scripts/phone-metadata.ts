/**
 * Writes lib/phone-metadata.json: libphonenumber-js's own "min" metadata (Google's libphonenumber data) with the
 * fields only formatting reads removed, so that validating numbers costs the page ~10 KB gzipped instead of ~19.
 * Parsing and validation read the calling code, IDD prefix, national number pattern, possible lengths, national
 * prefix rules, leading digits and types; those are kept verbatim. test/lib/phone.test.ts checks that the
 * committed file matches the installed library and that every answer equals the untrimmed library's.
 *
 * Run after upgrading libphonenumber-js: `npm run phone-metadata`.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from '../dev/paths';
import type { MetadataJson } from 'libphonenumber-js/core';
import minMetadata from 'libphonenumber-js/metadata.min.json';

/** One numbering plan in metadata version 4: a positional array (see libphonenumber-js source/metadata.js). */
type Plan = unknown[];

/**
 * Positions read only when formatting numbers: 4 formats, 6 national-prefix formatting rule, 9 "national prefix
 * optional when formatting", 12 default IDD prefix (formatting for dialing abroad), 13 extension prefix.
 */
const FORMATTING_ONLY = [4, 6, 9, 12, 13];

function trimPlan(plan: Plan): Plan {
  const out = plan.map((value, index) => (FORMATTING_ONLY.includes(index) ? 0 : value));
  while (out.length > 0 && out[out.length - 1] === 0) out.pop();
  return out;
}

/** The metadata with formatting-only fields blanked (0 is the library's own "absent" value). */
export function trimPhoneMetadata(metadata: MetadataJson): MetadataJson {
  const source = metadata as unknown as { version: number; country_calling_codes: unknown; countries: Record<string, Plan>; nonGeographic?: Record<string, Plan> };
  if (source.version !== 4) throw new Error(`libphonenumber-js metadata version ${source.version}: check FORMATTING_ONLY positions`);
  const mapPlans = (plans: Record<string, Plan>) => Object.fromEntries(Object.entries(plans).map(([key, plan]) => [key, trimPlan(plan)]));
  return {
    version: source.version,
    country_calling_codes: source.country_calling_codes,
    countries: mapPlans(source.countries),
    nonGeographic: mapPlans(source.nonGeographic ?? {}),
  } as unknown as MetadataJson;
}

export const OUTPUT = join(ROOT, 'lib', 'phone-metadata.json');

if (require.main === module) {
  writeFileSync(OUTPUT, `${JSON.stringify(trimPhoneMetadata(minMetadata as unknown as MetadataJson))}\n`);
  console.log(`wrote ${OUTPUT}`);
}
