/**
 * Independent readers of the formatter's HTML, for the property tests: a checker of the allow-list and
 * structure, the text content as an HTML parser would see it, and the input rebuilt by putting each consumed
 * delimiter back where its tag is.
 */
const TAG = /^<(\/?)(strong|em|del|code|pre|ul|ol|li|blockquote)>$/;
const ESCAPED_TEXT = /^(?:[^&<>"'\r]|&(?:amp|lt|gt|quot|#39|#13);)*$/;
const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', '#39': "'", '#13': '\r' };
const INLINE = new Set(['strong', 'em', 'del', 'code', 'pre']);
const CONTAINERS = new Set(['ul', 'ol', 'blockquote']);

function tokens(html: string): string[] {
  return html.match(/<[^>]*>?|[^<]+/g) ?? [];
}

function decode(text: string): string {
  return text.replace(/&(amp|lt|gt|quot|#39|#13);/g, (_, name: string) => ENTITIES[name]!);
}

/** Problems with the output's tags and text; [] when it is safe and well formed. */
export function checkFormatterOutput(html: string): string[] {
  const problems: string[] = [];
  const open: string[] = [];
  for (const token of tokens(html)) {
    if (token.startsWith('<')) {
      const match = TAG.exec(token);
      if (!match) {
        problems.push(`tag not allowed: ${token}`);
        continue;
      }
      const [, closing, tag] = match as unknown as [string, string, string];
      const parent = open[open.length - 1];
      if (closing) {
        if (parent !== tag) problems.push(`</${tag}> closes <${parent ?? 'nothing'}>`);
        else open.pop();
        continue;
      }
      if (CONTAINERS.has(tag) && open.length > 0) problems.push(`<${tag}> nested in <${parent}>`);
      if (tag === 'li' && parent !== 'ul' && parent !== 'ol') problems.push(`<li> in <${parent ?? 'nothing'}>`);
      if ((parent === 'ul' || parent === 'ol') && tag !== 'li') problems.push(`<${tag}> directly in <${parent}>`);
      if (INLINE.has(tag) && open.some((t) => t === 'code' || t === 'pre')) problems.push(`<${tag}> inside code`);
      open.push(tag);
    } else {
      if (!ESCAPED_TEXT.test(token)) problems.push(`unescaped text: ${JSON.stringify(token)}`);
      const inSpan = open.some((t) => t === 'strong' || t === 'em' || t === 'del' || t === 'code');
      if (inSpan && !open.includes('pre') && token.includes('\n'))
        problems.push(`span crosses a line: ${JSON.stringify(token)}`);
    }
  }
  if (open.length) problems.push(`unclosed: ${open.join(', ')}`);
  return problems;
}

/** Text content as the HTML parser builds it: entities decoded, the line feed right after <pre> dropped. */
export function textContent(html: string): string {
  let out = '';
  let afterPre = false;
  for (const token of tokens(html)) {
    if (token.startsWith('<')) {
      afterPre = token === '<pre>';
      continue;
    }
    const text = decode(token);
    out += afterPre && text.startsWith('\n') ? text.slice(1) : text;
    afterPre = false;
  }
  return out;
}

const DELIMITER: Record<string, string> = { strong: '*', em: '_', del: '~', code: '`', pre: '```' };

/**
 * The text content with every consumed delimiter put back: `*` for <strong>, "* " or "- " (whichever the input
 * has there; anything else is kept as a mismatch) for a bullet, "> " at each quoted line start, ``` around <pre>.
 */
export function reconstructInput(html: string, input: string): string {
  let out = '';
  const open: string[] = [];
  let afterPre = false;
  let quoteLineStart = false;
  const emit = (s: string) => {
    if (s === '') return;
    if (quoteLineStart) {
      out += '> ';
      quoteLineStart = false;
    }
    out += s;
  };
  for (const token of tokens(html)) {
    const match = TAG.exec(token);
    if (match) {
      const [, closing, tag] = match as unknown as [string, string, string];
      afterPre = !closing && tag === 'pre';
      if (closing) open.pop();
      if (tag === 'blockquote') quoteLineStart = !closing;
      else if (tag === 'li' && !closing && open[open.length - 1] === 'ul') {
        const marker = input[out.length] === '-' ? '-' : '*';
        out += `${marker} `;
      } else if (DELIMITER[tag]) emit(DELIMITER[tag]);
      if (!closing) open.push(tag);
      continue;
    }
    let text = decode(token);
    if (afterPre && text.startsWith('\n')) text = text.slice(1);
    afterPre = false;
    if (open.includes('blockquote') && !open.includes('pre')) {
      const lines = text.split('\n');
      lines.forEach((line, index) => {
        if (index > 0) {
          out += '\n';
          quoteLineStart = true;
        }
        emit(line);
      });
    } else {
      emit(text);
    }
  }
  return out;
}
