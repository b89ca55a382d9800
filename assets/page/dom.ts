/** Small DOM helpers for the page: elements are built with text content only, never parsed from strings. */

export const byId = <T extends HTMLElement = HTMLElement>(id: string) => document.getElementById(id) as T;

/** An element with a class and children (strings become text nodes). */
export function el(tag: string, className = '', ...children: (Node | string)[]): HTMLElement {
  const element = document.createElement(tag);
  if (className) element.className = className;
  element.append(...children);
  return element;
}

/** A status line: its text and kind (hint, ok, error). */
export function say(element: HTMLElement, text: string, kind: '' | 'ok' | 'error' = ''): void {
  element.className = kind ? `msg ${kind}` : 'msg';
  element.textContent = text;
}

/** The time as a phone shows it next to a message (e.g. 14:05). */
export const clockTime = () => new Date().toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });
