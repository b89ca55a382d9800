/**
 * Clickjacking guard, loaded first and synchronously. A static page cannot send frame-ancestors (a meta CSP
 * cannot carry it), so page.css hides everything but a notice until this script marks the top-level page.
 * Framed, or in a sandboxed frame with scripts off, the controls never show, so nothing can be clicked through.
 */
if (window.top === window.self) document.documentElement.classList.add('unframed');
