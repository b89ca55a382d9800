/**
 * Links shown in a box that wraps at safe points, with an "Open" link beside a Copy button. Copy uses the
 * Clipboard API; where it is refused or missing (an insecure origin, a policy) the page copies the old way,
 * and failing that selects the link and says which keys copy it.
 */
import { byId, el } from './dom';

/** Longer links are shown cut (Copy and Open still use all of it): laying out 100 KB of text would stall. */
const SHOWN_LIMIT = 2000;
const RESET_MS = 2500;

/** The full link of each box, by box id (the box may show it cut). */
const links = new Map<string, string>();

/** Shows `href` in the box `id` (see `breakable`) and points the link `<id>-open` at it. */
export function showLink(id: string, href: string): void {
  links.set(id, href);
  byId(id).replaceChildren(...breakable(href));
  const open = document.getElementById(`${id}-open`);
  if (open instanceof HTMLAnchorElement) open.href = href;
}

/** A link as text nodes with <wbr> after / ? & = # and before each %-escape; cut after SHOWN_LIMIT. */
export function breakable(href: string): Node[] {
  const shown = href.slice(0, SHOWN_LIMIT);
  const nodes: Node[] = [];
  for (const piece of shown.split(/(?<=[/?&=#])|(?=%)/)) nodes.push(document.createTextNode(piece), el('wbr'));
  if (href.length > shown.length) {
    nodes.push(el('span', 'small', ` … and ${(href.length - shown.length).toLocaleString('en-US')} more characters`));
  }
  return nodes;
}

/** The old way: a selected off-screen textarea and execCommand('copy'). False when the browser refuses. */
function copyBySelection(value: string): boolean {
  const focused = document.activeElement;
  const area = el('textarea', 'visually-hidden') as HTMLTextAreaElement;
  area.value = value;
  area.setAttribute('aria-hidden', 'true');
  document.body.append(area);
  area.select();
  let copied = false;
  try {
    copied = document.execCommand('copy');
  } catch {
    copied = false;
  }
  area.remove();
  if (focused instanceof HTMLElement) focused.focus(); // keyboard users stay on the Copy button
  return copied;
}

/** Copy buttons: `data-copy` names the link box whose link is copied. */
export function setupCopy(): void {
  const status = byId('copy-status');
  const timers = new WeakMap<HTMLButtonElement, number>();
  document.addEventListener('click', (event) => {
    const button = (event.target as Element).closest<HTMLButtonElement>('button[data-copy]');
    const id = button?.dataset.copy ?? '';
    const value = links.get(id);
    if (!button || value === undefined) return;
    const label = button.firstChild;
    const feedback = (copied: boolean) => {
      if (!copied) {
        const range = document.createRange();
        range.selectNodeContents(byId(id));
        getSelection()?.removeAllRanges();
        getSelection()?.addRange(range);
      }
      if (label) label.textContent = copied ? 'Copied ✓' : 'Selected: press Ctrl+C';
      button.classList.toggle('done', copied);
      status.textContent = copied
        ? 'Link copied.'
        : 'Copying is blocked here: the link is selected, press Ctrl+C (⌘C on a Mac).';
      clearTimeout(timers.get(button));
      timers.set(button, window.setTimeout(() => {
        if (label) label.textContent = 'Copy';
        button.classList.remove('done');
      }, RESET_MS));
    };
    if (navigator.clipboard) {
      navigator.clipboard.writeText(value).then(() => feedback(true), () => feedback(copyBySelection(value)));
    } else {
      feedback(copyBySelection(value));
    }
  });
}
