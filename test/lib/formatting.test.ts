import fc from 'fast-check';
import { ALLOWED_TAGS, escapeHtml, findMonospaceBlocks, formatWhatsApp } from '../../lib/formatting';
import { messageUnits } from '../../lib/message-length';
import { checkFormatterOutput, reconstructInput, textContent } from '../support/formatting-cases';

describe('formatWhatsApp: cases that trip other previewers', () => {
  it.each<[string, string, string]>([
    ['a lone * between spaces is not bold', '2 * 3 = 6 and *bold*', '2 * 3 = 6 and <strong>bold</strong>'],
    ['two spans on a line', '*a* *b*', '<strong>a</strong> <strong>b</strong>'],
    ['spans next to punctuation', '*x*,*y*', '<strong>x</strong>,<strong>y</strong>'],
    ['spans in parentheses', '(*p*)', '(<strong>p</strong>)'],
    ['delimiters must hug the text (line start: a bullet)', '* spaced *', '<ul><li>spaced *</li></ul>'],
    ['delimiters must hug the text (mid-line)', 'a * spaced * b', 'a * spaced * b'],
    ['snake_case keeps its underscores', 'snake_case_name and _it_', 'snake_case_name and <em>it</em>'],
    ['URL keeps its underscores', 'https://x.io/a_b_c', 'https://x.io/a_b_c'],
    [
      'URL with underscores at a path boundary',
      'see https://x.io/_a_b_ and www.x.io/_c_',
      'see https://x.io/_a_b_ and www.x.io/_c_',
    ],
    ['a span around a URL', '_https://x.io/a_b_', '<em>https://x.io/a_b</em>'],
    ['nothing is formatted in ``` blocks', '```code *x*```', '<pre>\ncode *x*</pre>'],
    ['nothing is formatted in inline code', '`*x*` and *y*', '<code>*x*</code> and <strong>y</strong>'],
    ['a span does not cross a line break', '*a\nb*', '*a\nb*'],
    ['an accented letter before a delimiter is part of the word', 'é*bold*', 'é*bold*'],
    ['a decomposed accent (combining mark) too', 'e\u0301*bold*', 'e\u0301*bold*'],
    ['CJK letters are word characters', '中*文*字', '中*文*字'],
    ['a letter outside the BMP is a word character', '𝒜*x*', '𝒜*x*'],
    ['emoji neighbours are not', '😀*bold*😀', '😀<strong>bold</strong>😀'],
    ['an emoji inside a span', '*😀*', '<strong>😀</strong>'],
    ['no closing delimiter before a letter', '*bold*text', '*bold*text'],
    ['an unmatched delimiter', '*a and b*', '<strong>a and b</strong>'],
    ['only an opening one', 'price: *5', 'price: *5'],
    ['an empty span', '** and __', '** and __'],
    ['bold around italic', '*_x_*', '<strong><em>x</em></strong>'],
    ['italic around bold', '_*x*_', '<em><strong>x</strong></em>'],
    ['three styles nested', '~*_x_*~', '<del><strong><em>x</em></strong></del>'],
    ['a style does not nest in itself: markdown-style **a**', '**a**', '<strong>*a*</strong>'],
    ['crossing spans: the inner one stays as typed', '*a _b* c_', '<strong>a _b</strong> c_'],
    ['strike', 'was ~10~ now 8', 'was <del>10</del> now 8'],
    ['bold around inline code', '*`x`*', '<strong><code>x</code></strong>'],
    ['``` inside a word is literal', 'a```b```', 'a```b```'],
    ['inline code needs a closing backtick', 'a `b c', 'a `b c'],
    ['spans around a one-line ``` block', '*see ```x``` now*', '<strong>see <pre>\nx</pre> now</strong>'],
    ['a multi-line ``` block', '```\nline *1*\nline 2\n```', '<pre>\n\nline *1*\nline 2\n</pre>'],
    ['spans do not cross a multi-line block', '*a ```x\ny``` b*', '*a <pre>\nx\ny</pre> b*'],
    [
      'lists and quotes',
      '* one\n- two\n1. three\n2. *four*\n> quote\n> _more_\nplain',
      '<ul><li>one\n</li><li>two\n</li></ul><ol><li>1. three\n</li><li>2. <strong>four</strong>\n</li></ol><blockquote>quote\n<em>more</em>\n</blockquote>plain',
    ],
    [
      'a list item holding a multi-line block',
      '* a ```x\n* y``` b\n* c',
      '<ul><li>a <pre>\nx\n* y</pre> b\n</li><li>c</li></ul>',
    ],
    ['a blank line after a list', '- a\n\nb', '<ul><li>a\n</li></ul>\nb'],
    ['markers need a space and text', '*\n- \n>quote\n1.5 kg', '*\n- \n&gt;quote\n1.5 kg'],
    ['HTML is text', '<img src=x onerror=alert(1)>', '&lt;img src=x onerror=alert(1)&gt;'],
    ['a script tag is text', '<script>alert("x")</script>', '&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;'],
    [
      'HTML inside a span and inside code',
      "*<b>* `<i>` ```'&'```",
      '<strong>&lt;b&gt;</strong> <code>&lt;i&gt;</code> <pre>\n&#39;&amp;&#39;</pre>',
    ],
    ['a javascript: URL is plain text', 'javascript:alert(1)', 'javascript:alert(1)'],
    ['CRLF line ends', '*a*\r\nb', '<strong>a</strong>&#13;\nb'],
  ])('%s', (_name, input, html) => {
    expect(formatWhatsApp(input)).toBe(html);
    expect(checkFormatterOutput(html)).toEqual([]);
  });
});

describe('formatWhatsApp: long lines', () => {
  it('keeps what a long line has marked when a later ``` block carries it past another line feed', () => {
    const filler = 'x'.repeat(5000);
    expect(formatWhatsApp(`*a* \`\`\`b\nc\`\`\` ${filler} \`\`\`d\ne\`\`\` ${filler} _f_`)).toBe(
      `<strong>a</strong> <pre>\nb\nc</pre> ${filler} <pre>\nd\ne</pre> ${filler} <em>f</em>`,
    );
  });
});

describe('formatWhatsApp: properties (fast-check)', () => {
  // Inputs dense in what matters: delimiters, markers, spaces, newlines, letters of several scripts, HTML.
  const piece = fc.constantFrom(
    '*',
    '_',
    '~',
    '`',
    '```',
    ' ',
    '\n',
    '\r',
    '\t',
    'a',
    'Z',
    'é',
    'e\u0301',
    '中',
    '𝒜',
    '1',
    '2.',
    '.',
    ',',
    '(',
    ')',
    '> ',
    '* ',
    '- ',
    '1. ',
    '<',
    '>',
    '&',
    '"',
    "'",
    '😀',
    'https://x.io/',
    'www.',
    '/',
    '<img src=x onerror=alert(1)>',
    '```\n',
    '\n```',
    '\n* ',
    '\n> ',
    '\n1. ',
  );
  const markup = fc.array(piece, { maxLength: 80, size: 'medium' }).map((parts) => parts.join(''));
  const anyText = fc.oneof(
    markup,
    fc.string({ unit: 'binary', maxLength: 80 }),
    fc.string({ unit: 'grapheme', maxLength: 80 }),
  );

  it('emits only allow-listed tags, without attributes, well nested, with every text character escaped', () => {
    fc.assert(
      fc.property(anyText, (input) => {
        expect(checkFormatterOutput(formatWhatsApp(input))).toEqual([]);
      }),
      { numRuns: 5000 },
    );
  });

  it('text content equals the input minus the consumed delimiters (putting them back gives the input)', () => {
    fc.assert(
      fc.property(anyText, (input) => {
        const html = formatWhatsApp(input);
        expect(reconstructInput(html, input)).toBe(input);
      }),
      { numRuns: 5000 },
    );
  });

  it('formats pieces 5,000 characters apart as the same pieces one character apart', () => {
    // The formatter keeps a line's marks in a buffer that grows with the longest line, also when a ``` block
    // moves a line's end. "+" is in no piece, tag or entity, and is neither a letter nor a space nor a
    // delimiter, so stretching it changes no decision: only the stretched runs may differ. Pieces dense in
    // ``` blocks and line feeds, so that blocks carry long lines past line feeds.
    const stretch = '+'.repeat(5000);
    const blocky = fc.constantFrom('```', '```\n', '\n```', '\n', '*a', 'b*', '_', '`', '> ', '* ', 'é');
    fc.assert(
      fc.property(fc.array(blocky, { maxLength: 40, size: 'max' }), (parts) => {
        expect(formatWhatsApp(parts.join(stretch))).toBe(formatWhatsApp(parts.join('+')).split('+').join(stretch));
      }),
      { numRuns: 300 },
    );
  });

  it('leaves text without delimiters or markers as escaped text', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 80 }), (input) => {
        const plain = input.replace(/[*_~`>\-\d]/g, '');
        expect(formatWhatsApp(plain)).toBe(escapeHtml(plain));
        expect(textContent(formatWhatsApp(plain))).toBe(plain);
      }),
    );
  });
});

describe('helpers', () => {
  it('the allow-list is the one the checks enforce', () => {
    expect([...ALLOWED_TAGS].sort()).toEqual(['blockquote', 'code', 'del', 'em', 'li', 'ol', 'pre', 'strong', 'ul']);
  });

  it('escapeHtml escapes every special character', () => {
    expect(escapeHtml(`<a href="x" title='y'>&\r</a>`)).toBe(
      '&lt;a href=&quot;x&quot; title=&#39;y&#39;&gt;&amp;&#13;&lt;/a&gt;',
    );
  });

  it('escapeHtml leaves no special character and decodes back to its input (any string)', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 300 }), (text) => {
        const escaped = escapeHtml(text);
        expect(escaped).not.toMatch(/[<>"'\r]|&(?!(?:amp|lt|gt|quot|#39|#13);)/);
        expect(textContent(escaped)).toBe(text);
      }),
      { numRuns: 2000 },
    );
  });

  it('findMonospaceBlocks finds ``` pairs and skips an unclosed or in-word opener', () => {
    expect(findMonospaceBlocks('```a``` x ```b\nc``` ```open')).toEqual([
      { start: 0, end: 7 },
      { start: 10, end: 19 },
    ]);
    expect(findMonospaceBlocks('x```a``` ``````')).toEqual([]);
  });

  it('messageUnits counts what Twilio counts (an emoji is 2)', () => {
    expect(messageUnits('héllo')).toBe(5);
    expect(messageUnits('😀')).toBe(2);
  });
});
