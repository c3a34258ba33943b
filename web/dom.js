// A small element builder. Text always goes in as text nodes (names and news come from other people).

/**
 * h('td', { class: 'num', dataset: { testid: 'x' }, onclick }, 'text', child) -> element.
 * Attributes: class, dataset, style (an object of CSS properties), on* handlers, and anything else via setAttribute
 * (null/false skipped). Styles go through the element's style object: the content security policy refuses style
 * attributes, not the CSS object model.
 */
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs ?? {})) {
    if (v === null || v === undefined || v === false) continue;
    if (k === 'class') el.className = v;
    else if (k === 'dataset') Object.assign(el.dataset, v);
    else if (k === 'style') Object.assign(el.style, v);
    else if (k.startsWith('on') && typeof v === 'function') el.addEventListener(k.slice(2), v);
    else if (k === 'value') el.value = v;
    else el.setAttribute(k, v === true ? '' : String(v));
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const c of children) {
    if (c === null || c === undefined || c === false) continue;
    if (Array.isArray(c)) append(el, c);
    else el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
}

/** Replaces the children of an element. */
export function fill(el, ...children) {
  el.replaceChildren();
  append(el, children);
  return el;
}

/** The element with this data-testid (or id), which the page must have. */
export function $(name) {
  const el = document.querySelector(`[data-testid="${name}"]`) ?? document.getElementById(name);
  if (el === null) throw new Error(`page is missing element ${name}`);
  return el;
}

/** How long a message stays up when nothing replaces it. */
export const MESSAGE_MS = 15_000;
const clearers = new WeakMap();

/**
 * Shows a message in a status line: kind 'error' | 'ok' | '' (cleared). A message clears itself after MESSAGE_MS,
 * and the next action's outcome replaces it (every action starts by clearing its line).
 */
export function say(el, kind, text) {
  clearTimeout(clearers.get(el));
  el.textContent = text ?? '';
  el.classList.toggle('error', kind === 'error');
  el.classList.toggle('ok', kind === 'ok');
  el.hidden = !text;
  if (text)
    clearers.set(
      el,
      setTimeout(() => say(el, '', ''), MESSAGE_MS),
    );
}

/** Rows of a table body, or one "empty" row spanning the table when there are none. */
export function rows(tbody, list, render, emptyText, span) {
  if (list.length === 0) fill(tbody, h('tr', { class: 'empty' }, h('td', { colspan: span }, emptyText)));
  else fill(tbody, list.map(render));
}
