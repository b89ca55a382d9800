/**
 * WhatsApp message markup -> safe HTML, for previews (the page) and anyone else who shows a message as it will
 * look. The syntax (FACTS.md): *bold*, _italic_, ~strike~, ```monospace``` (may span lines), `inline code`,
 * line-start "* " / "- " bullets, "1. " numbered lists, "> " quotes, and nesting of different styles.
 *
 * Rules, as WhatsApp applies them (and other previewers get wrong):
 * - An opening delimiter follows the start of the line or a character that is not a letter, digit or mark of
 *   any script (and not the same delimiter), and is followed by a non-space. A closing one follows a non-space
 *   and is followed by the end of the line or a character that is not a letter, digit or mark (nor the same
 *   delimiter). So `2 * 3`, `snake_case`, `é*x*` stay as typed, and `**a**` is `*a*` in bold.
 * - Spans stay on one line, except ``` blocks. A style does not nest in itself. Nothing is formatted inside
 *   code, nor inside a URL (underscores in links stay).
 *
 * Safety: every character of the input reaches the output only through `escapeHtml`; tags come only from
 * ALLOWED_TAGS, without attributes. Time: one forward pass; no regular expression runs over more than one
 * character or a fixed-length prefix, so the time is linear in the input (measured in tools/bench/page.bench.ts).
 *
 * Output layout: line breaks stay as "\n" text (show it with `white-space: pre-wrap`), so the output's text
 * content is exactly the input minus the delimiters that were consumed. Bullet and quote markers are consumed;
 * numbers of numbered lists are kept as typed, as WhatsApp shows them.
 */

/** The only tags the formatter emits (never with attributes). */
export const ALLOWED_TAGS = ['strong', 'em', 'del', 'code', 'pre', 'ul', 'ol', 'li', 'blockquote'] as const;

/**
 * Twilio's limit for a message body. Twilio counts some characters (emoji) as more than one (error 21617):
 * count UTF-16 code units, as `bodyLength` does.
 */
export const BODY_LIMIT = 1600;

/** Length of a body as Twilio's 1600 limit counts it (UTF-16 code units: an emoji counts 2). */
export function bodyLength(text: string): number {
  return text.length;
}

// A carriage return is written as a reference: the HTML parser turns a literal one into a line feed.
const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;', '\r': '&#13;' };

/** Escapes the characters that are special in HTML text and attribute values (and CR, see above). */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"'\r]/g, (c) => ESCAPES[c]!);
}

const STYLE_TAGS = { '*': 'strong', _: 'em', '~': 'del' } as const;
type StyleDelimiter = keyof typeof STYLE_TAGS;
const isStyleDelimiter = (c: string): c is StyleDelimiter => c === '*' || c === '_' || c === '~';

/** Letters, digits and combining marks of any script: characters that make a delimiter part of a word. */
const WORD_CHARACTER = /[\p{L}\p{N}\p{M}]/u;
const SPACE = /\s/u;

/** The code point that ends just before `index`, or '' at `lineStart`. */
function codePointBefore(text: string, index: number, lineStart: number): string {
  if (index <= lineStart) return '';
  const low = text.charCodeAt(index - 1);
  if (low >= 0xdc00 && low <= 0xdfff && index - 2 >= lineStart) {
    const high = text.charCodeAt(index - 2);
    if (high >= 0xd800 && high <= 0xdbff) return text.slice(index - 2, index);
  }
  return text.charAt(index - 1);
}

/** The code point that starts at `index`, or '' at `lineEnd`. */
function codePointAt(text: string, index: number, lineEnd: number): string {
  if (index >= lineEnd) return '';
  const code = text.codePointAt(index)!;
  return code > 0xffff && index + 2 <= lineEnd ? text.slice(index, index + 2) : text.charAt(index);
}

type Line = { start: number; end: number };

/** Can the one-character delimiter at `index` open a span? */
function canOpen(text: string, index: number, line: Line): boolean {
  const before = codePointBefore(text, index, line.start);
  const after = codePointAt(text, index + 1, line.end);
  if (after === '' || SPACE.test(after)) return false;
  return before === '' || (!WORD_CHARACTER.test(before) && before !== text[index]);
}

/** Can the one-character delimiter at `index` close a span? */
function canClose(text: string, index: number, line: Line): boolean {
  const before = codePointBefore(text, index, line.start);
  const after = codePointAt(text, index + 1, line.end);
  if (before === '' || SPACE.test(before)) return false;
  return after === '' || (!WORD_CHARACTER.test(after) && after !== text[index]);
}

/** A ``` monospace block: from its opening backticks to just after its closing ones. */
type MonospaceBlock = { start: number; end: number };

/**
 * Every ``` block, in one forward pass: an opening ``` not preceded by a word character, closed by the next ```
 * after at least one character. Once an opening ``` finds no closing one, no later one can.
 */
export function findMonospaceBlocks(text: string): MonospaceBlock[] {
  const blocks: MonospaceBlock[] = [];
  let from = 0;
  for (;;) {
    const open = text.indexOf('```', from);
    if (open === -1) break;
    if (WORD_CHARACTER.test(codePointBefore(text, open, 0))) {
      from = open + 1;
      continue;
    }
    const close = text.indexOf('```', open + 4);
    if (close === -1) break;
    blocks.push({ start: open, end: close + 3 });
    from = close + 3;
  }
  return blocks;
}

/** Where a URL starts: its opening characters, matched at one position only (sticky). */
const URL_START = /https?:\/\/|www\./iy;
/** Characters that end a sentence or close a span rather than belong to a URL they follow. */
const URL_TRAILING = '.,:;!?\'"*_~`)]}<>';

/** End of the URL starting at `index` (at a word boundary), or -1 when none starts there. */
function urlEnd(text: string, index: number, to: number, line: Line): number {
  URL_START.lastIndex = index;
  if (!URL_START.test(text) || WORD_CHARACTER.test(codePointBefore(text, index, line.start))) return -1;
  let end = URL_START.lastIndex;
  while (end < to && !SPACE.test(text[end]!)) end += 1;
  while (end > URL_START.lastIndex && URL_TRAILING.includes(text[end - 1]!)) end -= 1;
  return end;
}

/**
 * Inline formatting of text[from, to) within `line`, with the line's ``` blocks. Delimiters are matched with a
 * stack: a closing delimiter closes the innermost open span of its style, and spans opened inside it that were
 * never closed stay as typed. Each delimiter is pushed and popped at most once.
 */
function renderInline(text: string, from: number, to: number, line: Line, blocks: readonly MonospaceBlock[]): string {
  const pieces: string[] = [];
  const stack: { delimiter: StyleDelimiter; piece: number }[] = [];
  const openAt: Record<StyleDelimiter, number> = { '*': -1, _: -1, '~': -1 };

  const closeSpan = (delimiter: StyleDelimiter) => {
    for (;;) {
      const top = stack.pop()!;
      openAt[top.delimiter] = -1;
      if (top.delimiter === delimiter) {
        const tag = STYLE_TAGS[delimiter];
        pieces[top.piece] = `<${tag}>`;
        pieces.push(`</${tag}>`);
        return;
      }
    }
  };

  const scanRun = (runStart: number, runEnd: number) => {
    let plainFrom = runStart;
    const flush = (until: number) => {
      if (until > plainFrom) pieces.push(escapeHtml(text.slice(plainFrom, until)));
    };
    // The next backtick that can close inline code; found by a scan that only moves forward.
    let codeScan = runStart;
    let codeCloser = -1;
    let codeExhausted = false;
    const nextCodeCloser = (atLeast: number): number => {
      if (codeCloser >= atLeast) return codeCloser;
      if (codeExhausted) return -1;
      for (let j = text.indexOf('`', Math.max(codeScan, atLeast)); j !== -1 && j < runEnd; j = text.indexOf('`', j + 1)) {
        if (canClose(text, j, line)) {
          codeScan = j + 1;
          codeCloser = j;
          return j;
        }
      }
      codeExhausted = true;
      return -1;
    };

    const special = /[*_~`hw]/gi;
    special.lastIndex = runStart;
    for (let match = special.exec(text); match !== null && match.index < runEnd; match = special.exec(text)) {
      const i = match.index;
      const c = text[i]!;
      if (c === '`') {
        const closer = canOpen(text, i, line) ? nextCodeCloser(i + 2) : -1;
        if (closer !== -1) {
          flush(i);
          pieces.push(`<code>${escapeHtml(text.slice(i + 1, closer))}</code>`);
          plainFrom = closer + 1;
          special.lastIndex = closer + 1;
        }
      } else if (isStyleDelimiter(c)) {
        if (openAt[c] !== -1) {
          if (i > openAt[c] + 1 && canClose(text, i, line)) {
            flush(i);
            closeSpan(c);
            plainFrom = i + 1;
          }
        } else if (canOpen(text, i, line)) {
          flush(i);
          openAt[c] = i;
          stack.push({ delimiter: c, piece: pieces.length });
          pieces.push(c);
          plainFrom = i + 1;
        }
      } else {
        const end = urlEnd(text, i, runEnd, line);
        if (end !== -1) special.lastIndex = end;
      }
    }
    flush(runEnd);
  };

  let position = from;
  for (const block of blocks) {
    if (block.start < from) continue;
    scanRun(position, block.start);
    const content = text.slice(block.start + 3, block.end - 3);
    // The HTML parser drops one line feed right after <pre>: emit one, so the content's own stays.
    pieces.push(`<pre>\n${escapeHtml(content)}</pre>`);
    if (content.includes('\n')) {
      // Spans do not cross lines: spans open before a multi-line block stay as typed.
      stack.length = 0;
      openAt['*'] = openAt._ = openAt['~'] = -1;
    }
    position = block.end;
  }
  scanRun(position, to);
  return pieces.join('');
}

type LineKind = 'ul' | 'ol' | 'blockquote' | 'plain';

/** What a line is, by its first characters: a marker, a space, then a non-space. */
function classifyLine(text: string, line: Line): { kind: LineKind; contentStart: number } {
  const markerThenText = (markerEnd: number) =>
    text[markerEnd] === ' ' && markerEnd + 1 < line.end && !SPACE.test(text[markerEnd + 1]!);
  const first = text[line.start];
  if ((first === '*' || first === '-') && markerThenText(line.start + 1)) return { kind: 'ul', contentStart: line.start + 2 };
  if (first === '>' && markerThenText(line.start + 1)) return { kind: 'blockquote', contentStart: line.start + 2 };
  let digitsEnd = line.start;
  while (digitsEnd < line.end && digitsEnd - line.start < 9 && text[digitsEnd]! >= '0' && text[digitsEnd]! <= '9') digitsEnd += 1;
  if (digitsEnd > line.start && text[digitsEnd] === '.' && markerThenText(digitsEnd + 1)) return { kind: 'ol', contentStart: line.start };
  return { kind: 'plain', contentStart: line.start };
}

/**
 * WhatsApp markup -> HTML using only ALLOWED_TAGS. Lines are split at "\n" outside ``` blocks; runs of bullet,
 * numbered or quote lines become one list or quote. Each line keeps its "\n" (inside its <li>), so the text
 * content is the input minus consumed delimiters.
 */
export function formatWhatsApp(text: string): string {
  const blocks = findMonospaceBlocks(text);
  const out: string[] = [];
  let container: Exclude<LineKind, 'plain'> | undefined;
  let nextBlock = 0;
  let lineStart = 0;
  for (;;) {
    let lineEnd = text.indexOf('\n', lineStart);
    if (lineEnd === -1) lineEnd = text.length;
    const firstBlock = nextBlock;
    while (nextBlock < blocks.length && blocks[nextBlock]!.start < lineEnd) {
      const block = blocks[nextBlock]!;
      if (block.end > lineEnd) {
        lineEnd = text.indexOf('\n', block.end);
        if (lineEnd === -1) lineEnd = text.length;
      }
      nextBlock += 1;
    }
    const line = { start: lineStart, end: lineEnd };
    const { kind, contentStart } = classifyLine(text, line);
    const wanted = kind === 'plain' ? undefined : kind;
    if (wanted !== container) {
      if (container) out.push(`</${container}>`);
      if (wanted) out.push(`<${wanted}>`);
      container = wanted;
    }
    const body = renderInline(text, contentStart, lineEnd, line, blocks.slice(firstBlock, nextBlock)) + (lineEnd < text.length ? '\n' : '');
    out.push(kind === 'ul' || kind === 'ol' ? `<li>${body}</li>` : body);
    if (lineEnd >= text.length) break;
    lineStart = lineEnd + 1;
  }
  if (container) out.push(`</${container}>`);
  return out.join('');
}
