/**
 * WhatsApp message markup -> safe HTML, for previews (the page) and anyone else who shows a message as it will
 * look. The syntax (WhatsApp's help page "How to format your messages"): *bold*, _italic_, ~strike~,
 * ```monospace``` (may span lines), `inline code`, line-start "* " / "- " bullets, "1. " numbered lists,
 * "> " quotes, and nesting of different styles.
 *
 * Rules, as WhatsApp applies them (and other previewers get wrong):
 * - An opening delimiter follows the start of the line or a character that is not a letter, digit or mark of
 *   any script (and not the same delimiter), and is followed by a non-space. A closing one follows a non-space
 *   and is followed by the end of the line or a character that is not a letter, digit or mark (nor the same
 *   delimiter). So `2 * 3`, `snake_case`, `é*x*` stay as typed, and `**a**` is `*a*` in bold.
 * - Spans stay on one line, except ``` blocks. A style does not nest in itself. Nothing is formatted inside
 *   code, nor inside a URL (underscores in links stay).
 *
 * Safety: every character of the input reaches the output escaped with ENTITIES (escapeHtml's table); tags
 * come only from ALLOWED_TAGS, without attributes. Time: per line, one forward pass marks what becomes a tag and
 * one writes the line out; no search reads past the line it serves, no regular expression runs over more than
 * one character or a fixed-length prefix, and nothing is allocated per delimiter, so the time is linear in the
 * input (measured on adversarial shapes up to 1 MB in bench/page.bench.ts). Nothing the size of the input is
 * kept but the output: marks live as long as their line and ``` blocks are found as the lines reach them (a
 * list of every block, an object each, made a 1 MB input of short blocks grow ~11× from 100 KB, not ~10×).
 *
 * Output layout: line breaks stay as "\n" text (show it with `white-space: pre-wrap`), so the output's text
 * content is exactly the input minus the delimiters that were consumed. Bullet and quote markers are consumed;
 * numbers of numbered lists are kept as typed, as WhatsApp shows them.
 */

/** The only tags the formatter emits (never with attributes). */
export const ALLOWED_TAGS = ['strong', 'em', 'del', 'code', 'pre', 'ul', 'ol', 'li', 'blockquote'] as const;

/**
 * The entity for each character code that is special in HTML text and attribute values (all below 0x3f), and
 * CR, written as a reference because the HTML parser turns a literal one into a line feed.
 */
const ENTITIES: (string | undefined)[] = [];
ENTITIES[0x26] = '&amp;';
ENTITIES[0x3c] = '&lt;';
ENTITIES[0x3e] = '&gt;';
ENTITIES[0x22] = '&quot;';
ENTITIES[0x27] = '&#39;';
ENTITIES[0x0d] = '&#13;';
const LONGEST_ENTITY = 6;

/** Escapes text with ENTITIES. One pass; the input itself when nothing needs it. */
export function escapeHtml(text: string): string {
  let out = '';
  let copied = 0;
  for (let i = 0; i < text.length; i += 1) {
    const code = text.charCodeAt(i);
    const entity = code <= 0x3e ? ENTITIES[code] : undefined;
    if (entity === undefined) continue;
    out += text.slice(copied, i) + entity;
    copied = i + 1;
  }
  return copied === 0 ? text : out + text.slice(copied);
}

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
 * The ``` blocks of a text, found one at a time as the formatter reaches them (none is kept longer than its
 * line): an opening ``` not preceded by a word character, closed by the next ``` after at least one character.
 * Once an opening ``` finds no closing one, no later one can. `start` is -1 when no block is left.
 */
class MonospaceBlocks {
  start = -1;
  end = -1;
  private from = 0;

  constructor(private readonly text: string) {
    this.next();
  }

  /** Moves to the next block (from where the current one ends). */
  next(): void {
    const text = this.text;
    this.start = -1;
    for (;;) {
      const open = text.indexOf('```', this.from);
      if (open === -1) return;
      const before = codePointBefore(text, open, 0);
      if (before !== NONE && isWord(before)) {
        this.from = open + 1;
        continue;
      }
      const close = text.indexOf('```', open + 4);
      if (close === -1) return;
      this.start = open;
      this.end = close + 3;
      this.from = this.end;
      return;
    }
  }
}

/** Every ``` block of the text, as the formatter sees them. */
export function findMonospaceBlocks(text: string): MonospaceBlock[] {
  const blocks: MonospaceBlock[] = [];
  for (const found = new MonospaceBlocks(text); found.start !== -1; found.next()) {
    blocks.push({ start: found.start, end: found.end });
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
  return (
    code === 0x2a || code === 0x5f || code === 0x7e || code === 0x60 || (code | 0x20) === 0x68 || (code | 0x20) === 0x77
  );
}

/**
 * Output is written as UTF-16 code units into a small buffer, turned into a string each time it fills: building
 * it from a string per piece (an array of pieces, or `+=`) allocates an object per delimiter, and on a 1 MB
 * adversarial input the garbage collector's share made the time grow faster than the input. The buffer stays
 * small so that it stays in the processor's cache.
 */
class Output {
  private readonly units: Uint16Array;
  private length = 0;
  private readonly pieces: string[] = [];

  /** Decodes a full buffer several times faster than fromCharCode, but would replace lone surrogates. */
  private readonly decoder: TextDecoder | undefined;

  constructor(expected: number, wellFormed: boolean) {
    this.units = new Uint16Array(Math.min(OUTPUT_CHUNK, Math.max(64, expected)));
    this.decoder = wellFormed ? new TextDecoder('utf-16le') : undefined;
  }

  private flush(): void {
    const filled = this.units.subarray(0, this.length);
    // `stream` keeps a surrogate pair split at the buffer's end for the next piece.
    const piece = this.decoder
      ? this.decoder.decode(filled, { stream: true })
      : String.fromCharCode.apply(null, filled as unknown as number[]); // keeps lone surrogates as they are
    this.pieces.push(piece);
    this.length = 0;
  }

  /** Appends a tag or other markup (ASCII, never from the input; shorter than the buffer). */
  markup(tag: string): void {
    if (this.length + tag.length > this.units.length) this.flush();
    for (let i = 0; i < tag.length; i += 1) this.units[this.length++] = tag.charCodeAt(i);
  }

  /** Appends text[from, to) with HTML's special characters (and CR) escaped, as escapeHtml does. */
  escaped(text: string, from: number, to: number): void {
    const units = this.units;
    while (from < to) {
      // Each input character writes at most LONGEST_ENTITY units: take as many as surely fit.
      let room = Math.floor((units.length - this.length) / LONGEST_ENTITY);
      if (room === 0) {
        this.flush();
        room = Math.floor(units.length / LONGEST_ENTITY);
      }
      const end = Math.min(to, from + room);
      let length = this.length;
      for (let i = from; i < end; i += 1) {
        const code = text.charCodeAt(i);
        const entity = code <= 0x3e ? ENTITIES[code] : undefined;
        if (entity === undefined) {
          units[length++] = code;
        } else {
          for (let k = 0; k < entity.length; k += 1) units[length++] = entity.charCodeAt(k);
        }
      }
      this.length = length;
      from = end;
    }
  }

  toString(): string {
    if (this.length > 0) this.flush();
    if (this.decoder) this.pieces.push(this.decoder.decode());
    return this.pieces.length === 1 ? this.pieces[0]! : this.pieces.join('');
  }
}

/** Output buffer size in UTF-16 units (32 KB). */
const OUTPUT_CHUNK = 16384;

/**
 * Marks: what the output has in place of the input at a position, set while a line is read and written out
 * after it (a span is only known to be one when it closes). 0: the character itself, escaped.
 */
const OPEN_STYLE = [1, 3, 5]; // by style index: *, _, ~
const CLOSE_STYLE = [2, 4, 6];
const CODE_OPEN = 7;
const CODE_CLOSE = 8;
const PRE_OPEN = 9;
const PRE_CLOSE = 10;
/** The markup written for each mark, and how many input characters it stands for. */
const MARK_MARKUP = [
  '',
  '<strong>',
  '</strong>',
  '<em>',
  '</em>',
  '<del>',
  '</del>',
  '<code>',
  '</code>',
  '<pre>\n',
  '</pre>',
];
// The HTML parser drops one line feed right after <pre>: the one emitted keeps the content's own.
const MARK_WIDTH = [1, 1, 1, 1, 1, 1, 1, 1, 1, 3, 3];

/** The style index of a delimiter code (* _ ~), or -1. */
function styleIndex(code: number): number {
  return code === 0x2a ? 0 : code === 0x5f ? 1 : code === 0x7e ? 2 : -1;
}

/**
 * The formatter's state: the input, the current line, the marks, and the line's stack of open style delimiters.
 * A closing delimiter closes the innermost open span of its style; spans opened inside it and never closed stay
 * as typed. A style does not nest in itself, so the stack holds at most one delimiter of each style (three).
 * One state serves every line: the work per line allocates nothing (but growing `marks` for a line longer than
 * any before it).
 */
type Inline = {
  text: string;
  line: Line;
  /** Marks of the current line, indexed from line.start; all 0 between lines. */
  marks: Uint8Array;
  blocks: MonospaceBlocks;
  /** Positions of the open delimiters, innermost last, and their style indexes. */
  stackAt: number[];
  stackStyle: number[];
  depth: number;
  /** Where the open span of each style started, or -1. */
  openAt: number[];
};

/** Drops the innermost open span: its delimiter stays as typed. */
function dropInnermost(state: Inline): void {
  state.depth -= 1;
  state.marks[state.stackAt[state.depth]! - state.line.start] = 0;
  state.openAt[state.stackStyle[state.depth]!] = -1;
}

function closeSpan(state: Inline, style: number, at: number): void {
  while (state.stackStyle[state.depth - 1] !== style) dropInnermost(state);
  state.depth -= 1;
  state.openAt[style] = -1;
  state.marks[at - state.line.start] = CLOSE_STYLE[style]!;
}

/** Resets the open spans: at a line's end, and after a multi-line ``` block (spans do not cross lines). */
function forgetOpenSpans(state: Inline): void {
  while (state.depth > 0) dropInnermost(state);
}

/** The first backtick in [from, to) that can close inline code, or -1. Never reads past `to`. */
function findCodeCloser(text: string, from: number, to: number, line: Line): number {
  for (let j = from; j < to; j += 1) {
    if (text.charCodeAt(j) === 0x60 && canClose(text, j, line)) return j;
  }
  return -1;
}

/**
 * Marks text[runStart, runEnd), a part of a line without ``` blocks. Inline code is looked for with one
 * forward scan per run: a found closer is kept until passed, and once none is left none is looked for again.
 */
function scanRun(state: Inline, runStart: number, runEnd: number): void {
  const { text, line, marks, openAt } = state;
  const base = line.start;
  let codeCloser = -1;
  let codeScannedTo = runStart;
  let codeExhausted = false;
  // Every index is visited once, and nothing past runEnd is read: a search to the next special character
  // anywhere in the text would make a document of many plain lines quadratic.
  for (let i = runStart; i < runEnd; i += 1) {
    const code = text.charCodeAt(i);
    if (!isSpecial(code)) continue;
    if (code === 0x60) {
      if (codeExhausted || !canOpen(text, i, line)) continue;
      if (codeCloser < i + 2) {
        codeCloser = findCodeCloser(text, Math.max(codeScannedTo, i + 2), runEnd, line);
        codeScannedTo = codeCloser === -1 ? runEnd : codeCloser + 1;
        codeExhausted = codeCloser === -1;
        if (codeExhausted) continue;
      }
      marks[i - base] = CODE_OPEN;
      marks[codeCloser - base] = CODE_CLOSE;
      i = codeCloser;
      continue;
    }
    const style = styleIndex(code);
    if (style !== -1) {
      if (openAt[style] !== -1) {
        if (i > openAt[style]! + 1 && canClose(text, i, line)) closeSpan(state, style, i);
      } else if (canOpen(text, i, line)) {
        openAt[style] = i;
        state.stackAt[state.depth] = i;
        state.stackStyle[state.depth] = style;
        state.depth += 1;
        marks[i - base] = OPEN_STYLE[style]!;
      }
    } else {
      const end = urlEnd(text, i, runEnd, line);
      if (end !== -1) i = end - 1;
    }
  }
}

/**
 * Ends the current line at the first line feed from `index` (or the text's end), and makes room for its marks,
 * keeping those already made (a ``` block moves the end of a line partly marked).
 */
function endLineAfter(state: Inline, index: number): void {
  const { text, line } = state;
  const end = text.indexOf('\n', index);
  line.end = end === -1 ? text.length : end;
  if (line.end - line.start > state.marks.length) {
    const marks = new Uint8Array(Math.max(line.end - line.start, 2 * state.marks.length));
    marks.set(state.marks);
    state.marks = marks;
  }
}

/**
 * Marks the inline formatting of the current line from `from`, around its ``` blocks, taken from state.blocks
 * as they come: a block that spans line feeds moves the line's end past its own end. Reading a run never looks
 * further than one character past it, so the line's end known so far is as good as its final one.
 */
function markInline(state: Inline, from: number): void {
  const { text, line, blocks } = state;
  let position = from;
  for (; blocks.start !== -1 && blocks.start < line.end; blocks.next()) {
    const { start, end } = blocks;
    if (end > line.end) endLineAfter(state, end);
    if (start < from) continue;
    scanRun(state, position, start);
    state.marks[start - line.start] = PRE_OPEN;
    state.marks[end - 3 - line.start] = PRE_CLOSE;
    // Spans do not cross lines: spans open before a multi-line block stay as typed.
    for (let j = start + 3; j < end - 3; j += 1) {
      if (text.charCodeAt(j) === 0x0a) {
        forgetOpenSpans(state);
        break;
      }
    }
    position = end;
  }
  scanRun(state, position, line.end);
  forgetOpenSpans(state);
}

/**
 * Writes text[from, to) of the current line to `out`: marked positions as their markup, everything else
 * escaped. Clears the marks it reads, for the next line.
 */
function writeMarked(out: Output, text: string, marks: Uint8Array, base: number, from: number, to: number): void {
  let plainFrom = from;
  for (let i = from; i < to; i += 1) {
    const mark = marks[i - base]!;
    if (mark === 0) continue;
    marks[i - base] = 0;
    out.escaped(text, plainFrom, i);
    out.markup(MARK_MARKUP[mark]!);
    i += MARK_WIDTH[mark]! - 1;
    plainFrom = i + 1;
  }
  out.escaped(text, plainFrom, to);
}

type LineKind = 'ul' | 'ol' | 'blockquote' | 'plain';

/** Is there a marker's space at `index`, then a non-space on the line? */
function markerThenText(text: string, index: number, line: Line): boolean {
  return text.charCodeAt(index) === 0x20 && index + 1 < line.end && !isSpace(text.charCodeAt(index + 1));
}

/**
 * What a line is, by its first characters: a marker, a space, then a non-space. Bullet and quote markers
 * ("* ", "- ", "> ") are consumed; a number is kept as text.
 */
function classifyLine(text: string, line: Line): LineKind {
  const first = text.charCodeAt(line.start);
  if ((first === 0x2a || first === 0x2d) && markerThenText(text, line.start + 1, line)) return 'ul';
  if (first === 0x3e && markerThenText(text, line.start + 1, line)) return 'blockquote';
  let digitsEnd = line.start;
  while (digitsEnd < line.end && digitsEnd - line.start < 9) {
    const code = text.charCodeAt(digitsEnd);
    if (code < 0x30 || code > 0x39) break;
    digitsEnd += 1;
  }
  const dot = digitsEnd > line.start && text.charCodeAt(digitsEnd) === 0x2e;
  if (dot && markerThenText(text, digitsEnd + 1, line)) return 'ol';
  return 'plain';
}

/** The marks buffer's first size; it grows to the longest line. */
const FIRST_MARKS = 4096;

const CONTAINER_OPEN = { ul: '<ul>', ol: '<ol>', blockquote: '<blockquote>' } as const;
const CONTAINER_CLOSE = { ul: '</ul>', ol: '</ol>', blockquote: '</blockquote>' } as const;

/**
 * WhatsApp markup -> HTML using only ALLOWED_TAGS. Lines are split at "\n" outside ``` blocks; runs of bullet,
 * numbered or quote lines become one list or quote. Each line keeps its "\n" (inside its <li>), so the text
 * content is the input minus consumed delimiters.
 */
export function formatWhatsApp(text: string): string {
  const state: Inline = {
    text,
    line: { start: 0, end: 0 },
    marks: new Uint8Array(Math.min(text.length, FIRST_MARKS)),
    blocks: new MonospaceBlocks(text),
    stackAt: [0, 0, 0],
    stackStyle: [0, 0, 0],
    depth: 0,
    openAt: [-1, -1, -1],
  };
  // Only an input without lone surrogates can go through a TextDecoder (the output holds the same ones).
  // isWellFormed is missing in browsers before 2023 (the page runs this too): then fromCharCode it is.
  const wellFormed = typeof text.isWellFormed === 'function' && text.isWellFormed();
  const out = new Output(2 * text.length, wellFormed);
  const line = state.line;
  let container: Exclude<LineKind, 'plain'> | undefined;
  for (let lineStart = 0; ; lineStart = line.end + 1) {
    line.start = lineStart;
    endLineAfter(state, lineStart);
    // A ``` block may yet move the line's end; the markers read only the line's first characters.
    const kind = classifyLine(text, line);
    const wanted = kind === 'plain' ? undefined : kind;
    if (wanted !== container) {
      if (container) out.markup(CONTAINER_CLOSE[container]);
      if (wanted) out.markup(CONTAINER_OPEN[wanted]);
      container = wanted;
    }
    const isItem = kind === 'ul' || kind === 'ol';
    if (isItem) out.markup('<li>');
    const from = kind === 'ul' || kind === 'blockquote' ? lineStart + 2 : lineStart;
    markInline(state, from);
    const lineEnd = line.end;
    writeMarked(out, text, state.marks, lineStart, from, lineEnd);
    if (lineEnd < text.length) out.markup('\n');
    if (isItem) out.markup('</li>');
    if (lineEnd >= text.length) break;
  }
  if (container) out.markup(CONTAINER_CLOSE[container]);
  return out.toString();
}
