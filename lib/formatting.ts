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
 * ALLOWED_TAGS, without attributes. Time: one forward pass; no search reads past the line it serves, and no
 * regular expression runs over more than one character or a fixed-length prefix, so the time is linear in the
 * input (measured on adversarial shapes in bench/page.bench.ts).
 *
 * Output layout: line breaks stay as "\n" text (show it with `white-space: pre-wrap`), so the output's text
 * content is exactly the input minus the delimiters that were consumed. Bullet and quote markers are consumed;
 * numbers of numbered lists are kept as typed, as WhatsApp shows them.
 */

/** The only tags the formatter emits (never with attributes). */
export const ALLOWED_TAGS = ['strong', 'em', 'del', 'code', 'pre', 'ul', 'ol', 'li', 'blockquote'] as const;

/**
 * Escapes the characters that are special in HTML text and attribute values, and CR, written as a reference
 * because the HTML parser turns a literal one into a line feed. One pass; the input itself when nothing needs it.
 */
export function escapeHtml(text: string): string {
  let out = '';
  let copied = 0;
  for (let i = 0; i < text.length; i += 1) {
    let entity: string;
    switch (text.charCodeAt(i)) {
      case 0x26: entity = '&amp;'; break;
      case 0x3c: entity = '&lt;'; break;
      case 0x3e: entity = '&gt;'; break;
      case 0x22: entity = '&quot;'; break;
      case 0x27: entity = '&#39;'; break;
      case 0x0d: entity = '&#13;'; break;
      default: continue;
    }
    out += text.slice(copied, i) + entity;
    copied = i + 1;
  }
  return copied === 0 ? text : out + text.slice(copied);
}

const STYLE_TAGS = { '*': 'strong', _: 'em', '~': 'del' } as const;
type StyleDelimiter = keyof typeof STYLE_TAGS;
const isStyleDelimiter = (c: string): c is StyleDelimiter => c === '*' || c === '_' || c === '~';

/** Letters, digits and combining marks of any script: characters that make a delimiter part of a word. */
const WORD_CHARACTER = /[\p{L}\p{N}\p{M}]/u;
const SPACE = /\s/u;
/** No code point: the start or end of the line. */
const NONE = -1;

/** Is the code point a letter, digit or mark? (ASCII answered without a regular expression.) */
function isWord(code: number): boolean {
  if (code < 0x80) return (code >= 0x30 && code <= 0x39) || ((code | 0x20) >= 0x61 && (code | 0x20) <= 0x7a);
  return WORD_CHARACTER.test(String.fromCodePoint(code));
}

/** Is the code point white space? */
function isSpace(code: number): boolean {
  if (code < 0x80) return code === 0x20 || (code >= 0x09 && code <= 0x0d);
  return SPACE.test(String.fromCodePoint(code));
}

/** The code point that ends just before `index`, or NONE at `lineStart`. */
function codePointBefore(text: string, index: number, lineStart: number): number {
  if (index <= lineStart) return NONE;
  const low = text.charCodeAt(index - 1);
  if (low >= 0xdc00 && low <= 0xdfff && index - 2 >= lineStart) {
    const high = text.charCodeAt(index - 2);
    if (high >= 0xd800 && high <= 0xdbff) return (high - 0xd800) * 0x400 + (low - 0xdc00) + 0x10000;
  }
  return low;
}

/** The code point that starts at `index`, or NONE at `lineEnd`. */
function codePointAt(text: string, index: number, lineEnd: number): number {
  if (index >= lineEnd) return NONE;
  const code = text.codePointAt(index)!;
  return code > 0xffff && index + 2 > lineEnd ? text.charCodeAt(index) : code;
}

type Line = { start: number; end: number };

/** Can the one-character delimiter at `index` open a span? */
function canOpen(text: string, index: number, line: Line): boolean {
  const before = codePointBefore(text, index, line.start);
  const after = codePointAt(text, index + 1, line.end);
  if (after === NONE || isSpace(after)) return false;
  return before === NONE || (!isWord(before) && before !== text.charCodeAt(index));
}

/** Can the one-character delimiter at `index` close a span? */
function canClose(text: string, index: number, line: Line): boolean {
  const before = codePointBefore(text, index, line.start);
  const after = codePointAt(text, index + 1, line.end);
  if (before === NONE || isSpace(before)) return false;
  return after === NONE || (!isWord(after) && after !== text.charCodeAt(index));
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
    const before = codePointBefore(text, open, 0);
    if (before !== NONE && isWord(before)) {
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
  if (!URL_START.test(text)) return -1;
  const before = codePointBefore(text, index, line.start);
  if (before !== NONE && isWord(before)) return -1;
  const start = URL_START.lastIndex;
  let end = start;
  while (end < to && !isSpace(text.charCodeAt(end))) end += 1;
  while (end > start && URL_TRAILING.includes(text[end - 1]!)) end -= 1;
  return end;
}

/** Does the inline scanner stop at this character code? Delimiters, and the first letters of a URL (h, w). */
function isSpecial(code: number): boolean {
  return code === 0x2a || code === 0x5f || code === 0x7e || code === 0x60 || (code | 0x20) === 0x68 || (code | 0x20) === 0x77;
}

/**
 * The formatter's state: the output pieces of the whole document, the current line, and the line's stack of open
 * style delimiters. A closing delimiter closes the innermost open span of its style; spans opened inside it and
 * never closed stay as typed. Each delimiter is pushed and popped at most once. One state serves every line, so
 * the work per line allocates nothing but its output.
 */
type Inline = {
  text: string;
  line: Line;
  /** The output so far; an open delimiter's piece is replaced by its tag when the span closes. */
  pieces: string[];
  stack: { delimiter: StyleDelimiter; piece: number }[];
  /** Where the open span of each style started, or -1 (a style does not nest in itself). */
  openAt: Record<StyleDelimiter, number>;
};

function closeSpan(state: Inline, delimiter: StyleDelimiter): void {
  for (;;) {
    const top = state.stack.pop()!;
    state.openAt[top.delimiter] = -1;
    if (top.delimiter === delimiter) {
      const tag = STYLE_TAGS[delimiter];
      state.pieces[top.piece] = `<${tag}>`;
      state.pieces.push(`</${tag}>`);
      return;
    }
  }
}

/** The first backtick in [from, to) that can close inline code, or -1. Never reads past `to`. */
function findCodeCloser(text: string, from: number, to: number, line: Line): number {
  for (let j = from; j < to; j += 1) {
    if (text.charCodeAt(j) === 0x60 && canClose(text, j, line)) return j;
  }
  return -1;
}

/**
 * Formats text[runStart, runEnd), a part of a line without ``` blocks. Inline code is looked for with one
 * forward scan per run: a found closer is kept until passed, and once none is left none is looked for again.
 */
function scanRun(state: Inline, runStart: number, runEnd: number): void {
  const { text, line, pieces, stack, openAt } = state;
  let plainFrom = runStart;
  let codeCloser = -1;
  let codeScannedTo = runStart;
  let codeExhausted = false;
  // Every index is visited once, and nothing past runEnd is read: a search to the next special character
  // anywhere in the text would make a document of many plain lines quadratic.
  for (let i = runStart; i < runEnd; i += 1) {
    if (!isSpecial(text.charCodeAt(i))) continue;
    const c = text[i]!;
    if (c === '`') {
      if (codeExhausted || !canOpen(text, i, line)) continue;
      if (codeCloser < i + 2) {
        codeCloser = findCodeCloser(text, Math.max(codeScannedTo, i + 2), runEnd, line);
        codeScannedTo = codeCloser === -1 ? runEnd : codeCloser + 1;
        codeExhausted = codeCloser === -1;
        if (codeExhausted) continue;
      }
      if (i > plainFrom) pieces.push(escapeHtml(text.slice(plainFrom, i)));
      pieces.push(`<code>${escapeHtml(text.slice(i + 1, codeCloser))}</code>`);
      plainFrom = codeCloser + 1;
      i = codeCloser;
    } else if (isStyleDelimiter(c)) {
      if (openAt[c] !== -1) {
        if (i > openAt[c] + 1 && canClose(text, i, line)) {
          if (i > plainFrom) pieces.push(escapeHtml(text.slice(plainFrom, i)));
          closeSpan(state, c);
          plainFrom = i + 1;
        }
      } else if (canOpen(text, i, line)) {
        if (i > plainFrom) pieces.push(escapeHtml(text.slice(plainFrom, i)));
        openAt[c] = i;
        stack.push({ delimiter: c, piece: pieces.length });
        pieces.push(c);
        plainFrom = i + 1;
      }
    } else {
      const end = urlEnd(text, i, runEnd, line);
      if (end !== -1) i = end - 1;
    }
  }
  if (runEnd > plainFrom) pieces.push(escapeHtml(text.slice(plainFrom, runEnd)));
}

/** Resets the open spans: at a new line, and after a multi-line ``` block (spans do not cross lines). */
function forgetOpenSpans(state: Inline): void {
  state.stack.length = 0;
  state.openAt['*'] = state.openAt._ = state.openAt['~'] = -1;
}

/** Appends the inline formatting of text[from, to) within state.line, whose ``` blocks are blocks[first, last). */
function renderInline(state: Inline, from: number, to: number, blocks: readonly MonospaceBlock[], first: number, last: number): void {
  const { text } = state;
  forgetOpenSpans(state);
  let position = from;
  for (let b = first; b < last; b += 1) {
    const block = blocks[b]!;
    if (block.start < from) continue;
    scanRun(state, position, block.start);
    const content = text.slice(block.start + 3, block.end - 3);
    // The HTML parser drops one line feed right after <pre>: emit one, so the content's own stays.
    state.pieces.push(`<pre>\n${escapeHtml(content)}</pre>`);
    // Spans do not cross lines: spans open before a multi-line block stay as typed.
    if (content.includes('\n')) forgetOpenSpans(state);
    position = block.end;
  }
  scanRun(state, position, to);
}

type LineKind = 'ul' | 'ol' | 'blockquote' | 'plain';

/** Is there a marker's space at `index`, then a non-space on the line? */
function markerThenText(text: string, index: number, line: Line): boolean {
  return text[index] === ' ' && index + 1 < line.end && !isSpace(text.charCodeAt(index + 1));
}

/**
 * What a line is, by its first characters: a marker, a space, then a non-space. Bullet and quote markers
 * ("* ", "- ", "> ") are consumed; a number is kept as text.
 */
function classifyLine(text: string, line: Line): LineKind {
  const first = text[line.start];
  if ((first === '*' || first === '-') && markerThenText(text, line.start + 1, line)) return 'ul';
  if (first === '>' && markerThenText(text, line.start + 1, line)) return 'blockquote';
  let digitsEnd = line.start;
  while (digitsEnd < line.end && digitsEnd - line.start < 9 && text[digitsEnd]! >= '0' && text[digitsEnd]! <= '9') digitsEnd += 1;
  if (digitsEnd > line.start && text[digitsEnd] === '.' && markerThenText(text, digitsEnd + 1, line)) return 'ol';
  return 'plain';
}

/**
 * WhatsApp markup -> HTML using only ALLOWED_TAGS. Lines are split at "\n" outside ``` blocks; runs of bullet,
 * numbered or quote lines become one list or quote. Each line keeps its "\n" (inside its <li>), so the text
 * content is the input minus consumed delimiters.
 */
export function formatWhatsApp(text: string): string {
  const blocks = findMonospaceBlocks(text);
  const state: Inline = { text, line: { start: 0, end: 0 }, pieces: [], stack: [], openAt: { '*': -1, _: -1, '~': -1 } };
  const out = state.pieces;
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
    state.line.start = lineStart;
    state.line.end = lineEnd;
    const kind = classifyLine(text, state.line);
    const wanted = kind === 'plain' ? undefined : kind;
    if (wanted !== container) {
      if (container) out.push(`</${container}>`);
      if (wanted) out.push(`<${wanted}>`);
      container = wanted;
    }
    const isItem = kind === 'ul' || kind === 'ol';
    if (isItem) out.push('<li>');
    renderInline(state, kind === 'ul' || kind === 'blockquote' ? lineStart + 2 : lineStart, lineEnd, blocks, firstBlock, nextBlock);
    if (lineEnd < text.length) out.push('\n');
    if (isItem) out.push('</li>');
    if (lineEnd >= text.length) break;
    lineStart = lineEnd + 1;
  }
  if (container) out.push(`</${container}>`);
  return out.join('');
}
