/** The template linter: each rule fails on a bad file and names the file, the field and the rule. */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from '../../../dev/paths';
import {
  fillVariables,
  lintProblemText,
  lintTemplate,
  lintTemplateSource,
  lintTemplates,
  type LintProblem,
} from '../../../lib/templates';

const FILE = 'templates/shop_update.json';
type Json = Record<string, unknown>;
const good = (): Json => ({
  friendly_name: 'shop_update',
  language: 'en',
  category: 'UTILITY',
  variables: { '1': 'Maria', '2': '#10452' },
  types: {
    'twilio/quick-reply': {
      body: 'Hello {{1}}, your order {{2}} has shipped. Need anything else?',
      actions: [
        { title: 'Track it', id: 'track' },
        { title: 'Talk to us', id: 'agent' },
      ],
    },
    'twilio/text': { body: 'Hello {{1}}, your order {{2}} has shipped.' },
  },
});
const withTypes = (types: Json, variables: Json = {}): Json => ({ ...good(), variables, types });
const strip = (problems: LintProblem[]) =>
  problems.map(({ file, field, rule, severity }) => ({ file, field, rule, severity }));

it('a good template has no problem, nor do the shipped ones', () => {
  expect(lintTemplate(FILE, good()).problems).toEqual([]);
  const dir = join(ROOT, 'templates');
  const files = readdirSync(dir).map((f) => ({ file: `templates/${f}`, source: readFileSync(join(dir, f), 'utf8') }));
  expect(lintTemplates(files).problems).toEqual([]);
});

const buttons = (n: number) => Array.from({ length: n }, (_, i) => ({ title: `Option ${i + 1}`, id: `o${i + 1}` }));
const long = 'word '.repeat(205);

describe.each<[string, Json, string, ('error' | 'warning')?]>([
  ['schema', { ...good(), types: { 'twilio/text': { body: 'Hi', footer: 'x' } } }, 'types.twilio/text'],
  ['schema', { ...good(), category: 'PROMO' }, 'category'],
  ['file-name', { ...good(), friendly_name: 'other_name' }, 'friendly_name'],
  ['approval-name', { ...good(), friendly_name: 'Shop Update' }, 'friendly_name'],
  ['language', { ...good(), language: 'english' }, 'language'],
  ['no-types', withTypes({}), 'types'],
  ['category-type', { ...good(), category: 'AUTHENTICATION' }, 'category'],
  ['body-length', withTypes({ 'twilio/text': { body: `Hi ${long}` } }), 'types.twilio/text.body'],
  ['body-empty', withTypes({ 'twilio/text': { body: '  ' } }), 'types.twilio/text.body'],
  [
    'variable-at-start',
    withTypes({ 'twilio/text': { body: '{{1}}, your order is ready.' } }, { 1: 'Maria' }),
    'types.twilio/text.body',
  ],
  [
    'variable-at-end',
    withTypes({ 'twilio/text': { body: 'Your order is ready, {{1}}' } }, { 1: 'Maria' }),
    'types.twilio/text.body',
  ],
  [
    'variables-adjacent',
    withTypes({ 'twilio/text': { body: 'Hello {{1}} {{2}}, welcome.' } }, { 1: 'Maria', 2: 'Silva' }),
    'types.twilio/text.body',
  ],
  ['placeholder-format', withTypes({ 'twilio/text': { body: 'Hello {{ 1 }}, welcome.' } }), 'types.twilio/text.body'],
  ['placeholder-format', withTypes({ 'twilio/text': { body: 'Hello {{1}, welcome.' } }), 'types.twilio/text.body'],
  [
    'placeholder-quoted',
    withTypes({ 'twilio/text': { body: 'Hello {{"1"}}, welcome.' } }, { '"1"': 'Maria' }),
    'types.twilio/text.body',
  ],
  [
    'placeholder-quoted',
    withTypes({ 'twilio/text': { body: 'Hello {{‘1’}}, welcome.' } }, { '‘1’': 'Maria' }),
    'types.twilio/text.body',
  ],
  [
    'variable-numbering',
    withTypes({ 'twilio/text': { body: 'Hello {{name}}, welcome.' } }, { name: 'Maria' }),
    'variables',
  ],
  [
    'variable-numbering',
    withTypes({ 'twilio/text': { body: 'Hello {{1}}, order {{3}} is here.' } }, { 1: 'Maria', 3: '#1' }),
    'variables',
  ],
  ['sample-missing', withTypes({ 'twilio/text': { body: 'Hello {{1}}, welcome.' } }), 'variables.1'],
  ['sample-unused', withTypes({ 'twilio/text': { body: 'Hello, welcome.' } }, { 1: 'Maria' }), 'variables.1'],
  [
    'sample-value',
    withTypes({ 'twilio/text': { body: 'Hello {{1}}, welcome.' } }, { 1: 'Maria\nSilva' }),
    'variables.1',
  ],
  ['sample-value', withTypes({ 'twilio/text': { body: 'Hello {{1}}, welcome.' } }, { 1: '' }), 'variables.1'],
  [
    'buttons-max',
    withTypes({ 'twilio/quick-reply': { body: 'Pick one.', actions: buttons(11) } }),
    'types.twilio/quick-reply.actions',
  ],
  [
    'buttons-session',
    withTypes({ 'twilio/quick-reply': { body: 'Pick one.', actions: buttons(4) } }),
    'types.twilio/quick-reply.actions',
    'warning',
  ],
  [
    'buttons-min',
    withTypes({ 'twilio/quick-reply': { body: 'Pick one.', actions: [] } }),
    'types.twilio/quick-reply.actions',
  ],
  [
    'button-title-length',
    withTypes({ 'twilio/quick-reply': { body: 'Pick one.', actions: [{ title: 'A very long button title' }] } }),
    'types.twilio/quick-reply.actions.0.title',
  ],
  [
    'button-duplicate',
    withTypes({ 'twilio/quick-reply': { body: 'Pick one.', actions: [{ title: 'Yes' }, { title: 'Yes' }] } }),
    'types.twilio/quick-reply.actions.1',
  ],
  [
    'buttons-max',
    withTypes({
      'twilio/list-picker': {
        body: 'Pick one.',
        button: 'Open',
        items: Array.from({ length: 11 }, (_, i) => ({ id: `i${i}`, item: `Item ${i}` })),
      },
    }),
    'types.twilio/list-picker.items',
  ],
  [
    'button-title-length',
    withTypes({
      'twilio/list-picker': {
        body: 'Pick one.',
        button: 'Open',
        items: [{ id: 'a', item: 'An item name far too long for it' }],
      },
    }),
    'types.twilio/list-picker.items.0.item',
  ],
  [
    'session-only',
    withTypes({ 'twilio/list-picker': { body: 'Pick one.', button: 'Open', items: [{ id: 'a', item: 'A' }] } }),
    'types.twilio/list-picker',
    'warning',
  ],
  [
    'buttons-max',
    withTypes({
      'twilio/call-to-action': {
        body: 'Visit us.',
        actions: [1, 2, 3].map((n) => ({ type: 'URL', title: `Site ${n}`, url: `https://example.com/${n}` })),
      },
    }),
    'types.twilio/call-to-action.actions',
  ],
  [
    'button-target',
    withTypes({
      'twilio/call-to-action': {
        body: 'Call us.',
        actions: [{ type: 'PHONE_NUMBER', title: 'Call', phone: '555-0100' }],
      },
    }),
    'types.twilio/call-to-action.actions.0.phone',
  ],
  [
    'media-count',
    withTypes({
      'twilio/media': { body: 'Two pictures.', media: ['https://example.com/a.png', 'https://example.com/b.png'] },
    }),
    'types.twilio/media.media',
  ],
  [
    'media-url',
    withTypes({ 'twilio/media': { body: 'A picture.', media: ['{{1}}'] } }, { 1: 'https://example.com/a.png' }),
    'types.twilio/media.media.0',
  ],
  ['card-fields', withTypes({ 'twilio/card': { title: 'Only a title' } }), 'types.twilio/card'],
])('rule %s', (rule, template, field, severity = 'error') => {
  it(`is named, with ${field} of the file`, () => {
    const { problems } = lintTemplate(FILE, template);
    expect(strip(problems)).toContainEqual({ file: FILE, field, rule, severity });
    const problem = problems.find((p) => p.rule === rule)!;
    expect(lintProblemText(problem)).toBe(
      `${severity === 'warning' ? 'warning: ' : ''}${FILE}: ${field}: ${problem.message} [${rule}]`,
    );
    expect(problem.message.length).toBeGreaterThan(8);
  });
});

it('a file that is not JSON is named with rule json', () => {
  expect(strip(lintTemplateSource(FILE, '{"friendly_name": ').problems)).toEqual([
    { file: FILE, field: '(root)', rule: 'json', severity: 'error' },
  ]);
});

it('two files with one friendly name: duplicate-name on the second', () => {
  const source = JSON.stringify(good());
  const { problems } = lintTemplates([
    { file: 'a/shop_update.json', source },
    { file: 'b/shop_update.json', source },
  ]);
  expect(strip(problems)).toEqual([
    { file: 'b/shop_update.json', field: 'friendly_name', rule: 'duplicate-name', severity: 'error' },
  ]);
});

describe('fillVariables', () => {
  const template = lintTemplate(FILE, good()).template!;

  it('fills every variable: ContentVariables JSON and the body WhatsApp shows', () => {
    expect(fillVariables(template, { 1: 'Ana', 2: '#7' })).toEqual({
      ok: true,
      contentVariables: '{"1":"Ana","2":"#7"}',
      body: 'Hello Ana, your order #7 has shipped. Need anything else?',
    });
  });

  it.each<[string, unknown, { field: string; rule: string }[]]>([
    ['a missing variable', { 1: 'Ana' }, [{ field: 'variables.2', rule: 'missing-variable' }]],
    ['an unknown variable', { 1: 'Ana', 2: '#7', 3: 'x' }, [{ field: 'variables.3', rule: 'unknown-variable' }]],
    ['a value with a line break', { 1: 'Ana\nB', 2: '#7' }, [{ field: 'variables.1', rule: 'variable-value' }]],
    ['an empty value', { 1: ' ', 2: '#7' }, [{ field: 'variables.1', rule: 'variable-value' }]],
    ['a value that is not text', { 1: { a: 1 }, 2: '#7' }, [{ field: 'variables.1', rule: 'variable-value' }]],
    [
      'no variables at all',
      undefined,
      [
        { field: 'variables.1', rule: 'missing-variable' },
        { field: 'variables.2', rule: 'missing-variable' },
      ],
    ],
    ['not an object', ['Ana'], [{ field: 'variables', rule: 'variable-value' }]],
  ])('refuses %s, naming it', (_, given, expected) => {
    const result = fillVariables(template, given);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.problems.map(({ field, rule }) => ({ field, rule }))).toEqual(expected);
  });
});
