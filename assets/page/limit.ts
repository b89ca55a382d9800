/**
 * Length caps on the free-text fields (issue 12). Chromium itself spends tens of milliseconds editing and laying
 * out 100 KB in a field, more than the page's own work, so each field takes no more than its use allows: the
 * browser applies `maxLength` to typing, paste, drop and input methods. The field's notice says when an edit was
 * cut, and a longer value a script sets is trimmed on its input event.
 */

type Field = HTMLInputElement | HTMLTextAreaElement;

/** The text an insert adds as the field keeps it: a textarea holds line breaks as \n, a one-line input none. */
const asKept = (field: Field, text: string) =>
  field instanceof HTMLTextAreaElement ? text.replace(/\r\n?/g, '\n') : text.replace(/[\r\n]/g, '');

/** The first `max` UTF-16 units of `text`, without splitting a surrogate pair (half an emoji). */
function cutAt(text: string, max: number): string {
  const last = text.charCodeAt(max - 1);
  return text.slice(0, last >= 0xd800 && last <= 0xdbff ? max - 1 : max);
}

/**
 * Caps `field` at `max` characters (UTF-16 units, as the browser counts maxlength); `notice` (a live region)
 * says `Cut to <max> characters<why>.` after an edit that was cut, and empties after one that was not.
 * Call it before adding the field's own input listeners, so that they see the trimmed value.
 */
export function capLength(field: Field, max: number, notice: HTMLElement, why: string): void {
  field.maxLength = max;
  const text = `Cut to ${max.toLocaleString('en-US')} characters${why}.`;
  const tell = (cut: boolean) => {
    if (notice.textContent !== (cut ? text : '')) notice.textContent = cut ? text : '';
  };
  /** The length the field would have after the pending insert, uncapped. */
  let expected: number | undefined;
  const settle = () => {
    if (expected === undefined) return;
    tell(field.value.length < expected);
    expected = undefined;
  };
  (field as HTMLElement).addEventListener('beforeinput', (event) => {
    expected = undefined;
    if (!event.inputType.startsWith('insert')) return;
    const lineBreak = /^insert(LineBreak|Paragraph)$/.test(event.inputType) ? '\n' : '';
    const added = event.data ?? event.dataTransfer?.getData('text/plain') ?? lineBreak;
    const selected = (field.selectionEnd ?? 0) - (field.selectionStart ?? 0);
    expected = field.value.length - selected + asKept(field, added).length;
    setTimeout(settle, 0); // an insert refused whole (typing at the cap) fires no input event
  });
  field.addEventListener('input', (event) => {
    if (field.value.length > max) {
      field.value = cutAt(field.value, max); // set by a script: maxLength does not apply to it
      expected = undefined;
      tell(true);
    } else if (expected !== undefined) {
      settle();
    } else {
      // No beforeinput came first (a script's execCommand): an insert that ends at the cap was cut.
      const inputType = event instanceof InputEvent ? event.inputType : '';
      tell(inputType.startsWith('insert') && field.value.length >= max);
    }
  });
}
