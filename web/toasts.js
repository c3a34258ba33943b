// Notifications that clear: a region announced to screen readers (aria-live), each notice with a dismiss button,
// gone by itself after a few seconds (longer for warnings), at most a handful shown at once.
import { h } from './dom.js';
import { t } from './i18n.js';

const SHOW_MS = 8_000;
const WARN_MS = 20_000;
const MAX = 4;

export class Toasts {
  /** @param {HTMLElement} el the region (aria-live="polite") */
  constructor(el) {
    this.el = el;
  }

  /** Shows a notice; kind 'info' | 'warn'. Returns its element. */
  show(text, kind = 'info', testid = null) {
    const close = () => {
      clearTimeout(timer);
      item.remove();
    };
    const item = h(
      'div',
      // The region is polite (read when the reader is idle); a warning interrupts.
      { class: `toast ${kind}`, role: kind === 'warn' ? 'alert' : null, dataset: testid ? { testid } : {} },
      h('span', { class: 'text' }, text),
      h(
        'button',
        {
          type: 'button',
          class: 'dismiss',
          'aria-label': t('common:dismiss'),
          title: t('common:dismiss'),
          dataset: { testid: 'toast-dismiss' },
          onclick: close,
        },
        '×',
      ),
    );
    const timer = setTimeout(close, kind === 'warn' ? WARN_MS : SHOW_MS);
    this.el.prepend(item);
    while (this.el.children.length > MAX) this.el.lastElementChild.remove();
    return item;
  }
}
