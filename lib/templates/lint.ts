/**
 * The template linter: what the contract allows but WhatsApp (or the Content API) refuses, found before anyone
 * submits a template. Each problem names the file, the field (dotted path) and the rule, so a reader knows what
 * to change and where. Errors stop `npm run templates`; warnings are printed and let it go on.
 *
 * Limits, from Twilio's Content API pages and WhatsApp's template rules:
 * - a template body holds at most 1,024 characters; it may not start or end with a variable, nor have two
 *   variables side by side; variables are {{1}} .. {{n}}, each with a sample;
 * - twilio/quick-reply: at most 10 buttons, but a session message sent without approval shows 3; titles up to
 *   20 characters;
 * - twilio/list-picker: 1 to 10 items (item 24, description 72, id 200 characters, button 20); never approved
 *   by WhatsApp, so session only;
 * - twilio/call-to-action: at most 2 URL buttons, 1 phone button, 1 copy-code button; titles up to 25 characters;
 * - twilio/media: one media URL on WhatsApp; twilio/card: a title and at least one more field;
 * - template names are lowercase letters, digits and underscores; AUTHENTICATION templates need WhatsApp's own
 *   authentication type, which this project does not build.
 */
import { describeZodError } from '../validation';
import { templateFileSchema, typesOf, type TemplateFile } from './schema';
import { PLACEHOLDER, placeholdersIn, templateStrings, templateVariables, valueProblem } from './variables';

export type LintSeverity = 'error' | 'warning';

export type LintProblem = {
  file: string;
  /** Dotted path inside the file, e.g. `types.twilio/quick-reply.actions.3.title` ("(root)" for the file). */
  field: string;
  /** Stable id of the rule, e.g. `variable-at-start`. */
  rule: string;
  severity: LintSeverity;
  message: string;
};

export type LintResult = { template?: TemplateFile; problems: LintProblem[] };

export const TEMPLATE_BODY_MAX = 1024;
export const QUICK_REPLY_MAX = 10;
export const QUICK_REPLY_SESSION_MAX = 3;
export const QUICK_REPLY_TITLE_MAX = 20;
export const LIST_ITEMS_MAX = 10;
export const CALL_TO_ACTION_TITLE_MAX = 25;
const CALL_TO_ACTION_MAX: Record<string, number> = { URL: 2, PHONE_NUMBER: 1, COPY_CODE: 1 };
const TEMPLATE_NAME = /^[a-z0-9_]{1,512}$/;
const LANGUAGE = /^[a-z]{2,3}(_[A-Z]{2}|_\d{3})?$/;
const QUOTES = /["'“”‘’`]/;
const length = (value: string) => Array.from(value).length;

type Report = (field: string, rule: string, message: string, severity?: LintSeverity) => void;

/** Placement and form of the placeholders in one string. */
function lintPlaceholders(field: string, value: string, isBody: boolean, report: Report): void {
  const rest = value.replace(PLACEHOLDER, '');
  if (/\{\{|\}\}/.test(rest)) {
    report(
      field,
      'placeholder-format',
      'holds a malformed placeholder: write variables as {{1}}, two braces on each side, no spaces',
    );
  }
  for (const name of placeholdersIn(value)) {
    if (QUOTES.test(name))
      report(
        field,
        'placeholder-quoted',
        `placeholder {{${name}}} has quote characters inside the braces: ` +
          `write {{${name.replace(/["'“”‘’`]/g, '')}}}`,
      );
  }
  if (!isBody || placeholdersIn(value).length === 0) return;
  const trimmed = value.trim();
  if (/^\{\{[^{}\s]+\}\}/.test(trimmed))
    report(
      field,
      'variable-at-start',
      'starts with a variable: WhatsApp refuses it; put words before the first variable',
    );
  if (/\{\{[^{}\s]+\}\}$/.test(trimmed))
    report(
      field,
      'variable-at-end',
      'ends with a variable: WhatsApp refuses it; put words (or a full stop) after the last variable',
    );
  const adjacent = /\{\{[^{}\s]+\}\}\s*\{\{[^{}\s]+\}\}/.exec(value);
  if (adjacent)
    report(
      field,
      'variables-adjacent',
      `has two variables side by side (${adjacent[0]}): WhatsApp refuses it; put words between them`,
    );
}

function lintText(field: string, value: string, max: number, rule: string, report: Report): void {
  if (length(value) > max) report(field, rule, `is ${length(value)} characters long: at most ${max}`);
}

function lintBody(field: string, body: string, report: Report): void {
  if (body.trim() === '') report(field, 'body-empty', 'is empty: WhatsApp refuses a message without text');
  lintText(field, body, TEMPLATE_BODY_MAX, 'body-length', report);
}

function lintDuplicates(field: string, values: (string | undefined)[], what: string, report: Report): void {
  const seen = new Set<string>();
  values.forEach((value, i) => {
    if (value === undefined) return;
    if (seen.has(value))
      report(
        `${field}.${i}`,
        'button-duplicate',
        `${what} "${value}" is used twice in this message: each must be unique`,
      );
    seen.add(value);
  });
}

function lintMediaUrl(field: string, url: string, report: Report): void {
  if (!/^https?:\/\/[^\s/{}]+\/\S*$/.test(url)) {
    report(
      field,
      'media-url',
      'must be an absolute http(s) URL; a variable may only follow the host, e.g. https://example.com/{{1}}',
    );
  }
}

/** The rules of each content type. */
function lintTypes(template: TemplateFile, report: Report): void {
  const { types } = template;
  const quickReply = types['twilio/quick-reply'];
  const listPicker = types['twilio/list-picker'];
  const callToAction = types['twilio/call-to-action'];
  const media = types['twilio/media'];
  const card = types['twilio/card'];
  const text = types['twilio/text'];
  if (text) lintBody('types.twilio/text.body', text.body, report);
  if (media) {
    if (media.body !== undefined) lintBody('types.twilio/media.body', media.body, report);
    if (media.media.length !== 1)
      report(
        'types.twilio/media.media',
        'media-count',
        `holds ${media.media.length} URLs: WhatsApp sends exactly one media per message`,
      );
    for (const [i, url] of media.media.entries()) lintMediaUrl(`types.twilio/media.media.${i}`, url, report);
  }
  if (quickReply) {
    const at = 'types.twilio/quick-reply';
    lintBody(`${at}.body`, quickReply.body, report);
    const n = quickReply.actions.length;
    if (n === 0) report(`${at}.actions`, 'buttons-min', 'needs at least one button');
    if (n > QUICK_REPLY_MAX)
      report(`${at}.actions`, 'buttons-max', `has ${n} buttons: a quick reply holds at most ${QUICK_REPLY_MAX}`);
    else if (n > QUICK_REPLY_SESSION_MAX) {
      report(
        `${at}.actions`,
        'buttons-session',
        `has ${n} buttons: sent in a session without approval, WhatsApp shows only ${QUICK_REPLY_SESSION_MAX}`,
        'warning',
      );
    }
    for (const [i, a] of quickReply.actions.entries()) {
      lintText(`${at}.actions.${i}.title`, a.title, QUICK_REPLY_TITLE_MAX, 'button-title-length', report);
    }
    lintDuplicates(
      `${at}.actions`,
      quickReply.actions.map((a) => a.title),
      'button title',
      report,
    );
    lintDuplicates(
      `${at}.actions`,
      quickReply.actions.map((a) => a.id),
      'button id',
      report,
    );
  }
  if (listPicker) {
    const at = 'types.twilio/list-picker';
    lintBody(`${at}.body`, listPicker.body, report);
    lintText(`${at}.button`, listPicker.button, 20, 'button-title-length', report);
    const n = listPicker.items.length;
    if (n === 0) report(`${at}.items`, 'buttons-min', 'needs at least one item');
    if (n > LIST_ITEMS_MAX)
      report(`${at}.items`, 'buttons-max', `has ${n} items: a list picker holds at most ${LIST_ITEMS_MAX}`);
    listPicker.items.forEach((item, i) => {
      lintText(`${at}.items.${i}.item`, item.item, 24, 'button-title-length', report);
      lintText(`${at}.items.${i}.id`, item.id, 200, 'button-id-length', report);
      if (item.description !== undefined)
        lintText(`${at}.items.${i}.description`, item.description, 72, 'button-title-length', report);
    });
    lintDuplicates(
      `${at}.items`,
      listPicker.items.map((item) => item.id),
      'item id',
      report,
    );
    report(
      at,
      'session-only',
      'WhatsApp never approves a list picker: it can only be sent inside the 24-hour session, ' +
        'and is not submitted for approval',
      'warning',
    );
  }
  if (callToAction) {
    const at = 'types.twilio/call-to-action';
    lintBody(`${at}.body`, callToAction.body, report);
    if (callToAction.actions.length === 0) report(`${at}.actions`, 'buttons-min', 'needs at least one button');
    for (const [type, max] of Object.entries(CALL_TO_ACTION_MAX)) {
      const n = callToAction.actions.filter((a) => a.type === type).length;
      if (n > max) report(`${at}.actions`, 'buttons-max', `has ${n} ${type} buttons: at most ${max}`);
    }
    callToAction.actions.forEach((a, i) => {
      const field = `${at}.actions.${i}`;
      lintText(`${field}.title`, a.title, CALL_TO_ACTION_TITLE_MAX, 'button-title-length', report);
      if (a.type === 'URL' && !a.url) report(`${field}.url`, 'button-target', 'a URL button needs "url"');
      if (a.type === 'URL' && a.url) lintMediaUrl(`${field}.url`, a.url, report);
      if (a.type === 'PHONE_NUMBER' && !/^\+[1-9]\d{6,14}$/.test(a.phone ?? ''))
        report(`${field}.phone`, 'button-target', 'a PHONE_NUMBER button needs "phone" in E.164, e.g. +14155550100');
      if (a.type === 'COPY_CODE' && !a.code)
        report(`${field}.code`, 'button-target', 'a COPY_CODE button needs "code"');
    });
    lintDuplicates(
      `${at}.actions`,
      callToAction.actions.map((a) => a.title),
      'button title',
      report,
    );
  }
  if (card) {
    const at = 'types.twilio/card';
    const others = [
      card.subtitle,
      card.media?.length ? 'media' : undefined,
      card.actions?.length ? 'actions' : undefined,
    ];
    if (!card.title?.trim()) report(`${at}.title`, 'card-fields', 'a card needs a title');
    else if (!others.some(Boolean))
      report(at, 'card-fields', 'a card needs a title and at least one of subtitle, media, actions');
    if (card.title) lintBody(`${at}.title`, card.title, report);
    if (card.subtitle !== undefined) lintText(`${at}.subtitle`, card.subtitle, 60, 'body-length', report);
    if ((card.media?.length ?? 0) > 1) report(`${at}.media`, 'media-count', 'a card holds one media URL at most');
    for (const [i, url] of (card.media ?? []).entries()) lintMediaUrl(`${at}.media.${i}`, url, report);
  }
}

/** Variables: numbered 1..n, each with a usable sample, no sample without its variable. */
function lintVariables(template: TemplateFile, report: Report): void {
  const used = templateVariables(template.types);
  const numeric = used.filter((name) => /^[1-9]\d*$/.test(name)).map(Number);
  for (const name of used) {
    if (!/^[1-9]\d*$/.test(name))
      report(
        'variables',
        'variable-numbering',
        `{{${name}}} is not a number: WhatsApp templates number their variables {{1}}, {{2}} ...`,
      );
  }
  const gaps = numeric.length
    ? [...Array(Math.max(...numeric)).keys()].map((i) => i + 1).filter((n) => !numeric.includes(n))
    : [];
  if (gaps.length)
    report(
      'variables',
      'variable-numbering',
      `the variables skip ${gaps.map((n) => `{{${n}}}`).join(', ')}: number them 1..n without gaps`,
    );
  for (const name of used) {
    if (!(name in template.variables))
      report(`variables.${name}`, 'sample-missing', `{{${name}}} has no sample value: WhatsApp's reviewers need one`);
  }
  for (const [name, sample] of Object.entries(template.variables)) {
    if (!used.includes(name)) {
      report(`variables.${name}`, 'sample-unused', `a sample for {{${name}}}, which no field uses`);
      continue;
    }
    const problem = valueProblem(sample);
    if (problem) report(`variables.${name}`, 'sample-value', `the sample ${problem}`);
    if (/\{\{|\}\}/.test(sample))
      report(`variables.${name}`, 'sample-value', 'the sample holds braces: give the text a customer would read');
  }
}

/** Lints one parsed template file. `file` is how the problems name it (e.g. templates/bot_menu.json). */
export function lintTemplate(file: string, value: unknown): LintResult {
  const problems: LintProblem[] = [];
  const report: Report = (field, rule, message, severity = 'error') =>
    problems.push({ file, field, rule, severity, message });
  const parsed = templateFileSchema.safeParse(value);
  if (!parsed.success) {
    for (const p of describeZodError(parsed.error))
      report(p.path, 'schema', `${p.message}${p.expected ? ` (expected ${p.expected})` : ''}`);
    return { problems };
  }
  const template = parsed.data;
  const base = file
    .split(/[\\/]/)
    .pop()
    ?.replace(/\.json$/, '');
  if (base !== undefined && base !== template.friendly_name) {
    report(
      'friendly_name',
      'file-name',
      `is "${template.friendly_name}" but the file is ${base}.json: name the file after the template`,
    );
  }
  if (!TEMPLATE_NAME.test(template.friendly_name)) {
    report(
      'friendly_name',
      'approval-name',
      'is also the WhatsApp template name: lowercase letters, digits and underscores only',
    );
  }
  if (!LANGUAGE.test(template.language))
    report('language', 'language', `"${template.language}" is not a WhatsApp language code such as en, en_US or pt_BR`);
  if (typesOf(template.types).length === 0)
    report('types', 'no-types', 'defines no content type: add one of twilio/text, twilio/quick-reply ...');
  if (template.category === 'AUTHENTICATION') {
    report(
      'category',
      'category-type',
      'AUTHENTICATION templates must use the whatsapp/authentication type, ' +
        'which this folder does not support: use UTILITY',
    );
  }
  for (const { field, value: text } of templateStrings(template.types)) {
    lintPlaceholders(field, text, /\.(body|title)$/.test(field) && !/\.actions\.\d+\.title$/.test(field), report);
  }
  lintTypes(template, report);
  lintVariables(template, report);
  return { template, problems };
}

/** Lints a file's text: its JSON first. */
export function lintTemplateSource(file: string, source: string): LintResult {
  let value: unknown;
  try {
    value = JSON.parse(source);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    return {
      problems: [{ file, field: '(root)', rule: 'json', severity: 'error', message: `is not valid JSON: ${reason}` }],
    };
  }
  return lintTemplate(file, value);
}

/** Lints a folder's worth of files, and that no two share a friendly name (the key `npm run templates` syncs by). */
export function lintTemplates(files: { file: string; source: string }[]): {
  templates: { file: string; template: TemplateFile }[];
  problems: LintProblem[];
} {
  const templates: { file: string; template: TemplateFile }[] = [];
  const problems: LintProblem[] = [];
  const byName = new Map<string, string>();
  for (const { file, source } of files) {
    const result = lintTemplateSource(file, source);
    problems.push(...result.problems);
    if (!result.template) continue;
    const first = byName.get(result.template.friendly_name);
    if (first) {
      problems.push({
        file,
        field: 'friendly_name',
        rule: 'duplicate-name',
        severity: 'error',
        message: `"${result.template.friendly_name}" is already the name of ${first}`,
      });
    } else {
      byName.set(result.template.friendly_name, file);
    }
    templates.push({ file, template: result.template });
  }
  return { templates, problems };
}

/** One line per problem: `file: field: message [rule]`. */
export function lintProblemText(p: LintProblem): string {
  return `${p.severity === 'warning' ? 'warning: ' : ''}${p.file}: ${p.field}: ${p.message} [${p.rule}]`;
}

export const hasErrors = (problems: readonly LintProblem[]) => problems.some((p) => p.severity === 'error');
