// The pages in Chinese and English, through i18next (served at /vendor/i18next.js).
//
// The language: the user's choice, remembered in localStorage; else the browser's first language (zh* → 中文,
// anything else → English). Strings live in /web/locales/{en,zh}.json (namespaces common, student and errors, the
// last keyed by error code) and, for a page with its own namespace, /web/locales/<ns>.{en,zh}.json.
//
// In the HTML: data-i18n="key" sets an element's text (put it on a leaf: the text replaces the children),
// data-i18n-title, data-i18n-placeholder and data-i18n-aria-label set those attributes. In JS: t(key, params).
// A key without a namespace is looked up in the page's default namespace, then in common. Text made in JS is
// redrawn on a language switch by onLanguageChange(fn).
//
//   import { initI18n, languageSwitch, t } from './i18n.js';
//   await initI18n({ namespaces: ['instructor'] });       // loads en/zh common + instructor.{en,zh}.json
//   languageSwitch(document.querySelector('header'));       // the 中文 / English switch
//   el.textContent = t(key);       // key: 'instructor:start', or 'start' with instructor the default namespace

import i18next from '/vendor/i18next.js';

const STORAGE_KEY = 'cets.lang';
export const LANGUAGES = Object.freeze([
  { code: 'zh', label: '中文' },
  { code: 'en', label: 'English' },
]);
const CODES = LANGUAGES.map((l) => l.code);
/** The namespaces in /web/locales/<lng>.json. */
const BUILT_IN = ['common', 'student', 'errors'];

const listeners = new Set();

function stored() {
  try {
    return localStorage.getItem(STORAGE_KEY);
  } catch {
    return null;
  }
}

/** The language to show: the remembered choice, else zh for a browser preferring Chinese, else en. */
export function detectLanguage(remembered = stored(), browser = globalThis.navigator?.languages) {
  if (CODES.includes(remembered)) return remembered;
  const first = (browser ?? [globalThis.navigator?.language]).find((l) => typeof l === 'string' && l !== '');
  return typeof first === 'string' && /^zh\b/i.test(first) ? 'zh' : 'en';
}

async function fetchJson(url) {
  const res = await fetch(url);
  if (!res.ok) throw new Error(`${url}: HTTP ${res.status}`);
  return res.json();
}

async function loadLanguage(lng, extra) {
  const [main, ...rest] = await Promise.all([
    fetchJson(`/web/locales/${lng}.json`),
    ...extra.map((ns) => fetchJson(`/web/locales/${ns}.${lng}.json`)),
  ]);
  const bundle = {};
  for (const ns of BUILT_IN) bundle[ns] = main[ns] ?? {};
  extra.forEach((ns, i) => {
    bundle[ns] = rest[i];
  });
  return bundle;
}

/**
 * Loads the strings of both languages and translates the page. namespaces: the page's own beyond the built-in
 * ones (the instructor page: ['instructor'], from /web/locales/instructor.{en,zh}.json); defaultNS: where keys
 * without a namespace are looked up first (the first of namespaces, else 'student').
 */
export async function initI18n({ namespaces = [], defaultNS } = {}) {
  const lng = detectLanguage();
  const extra = namespaces.filter((ns) => !BUILT_IN.includes(ns));
  const bundles = await Promise.all(CODES.map((code) => loadLanguage(code, extra)));
  const resources = Object.fromEntries(CODES.map((code, i) => [code, bundles[i]]));
  await i18next.init({
    lng,
    fallbackLng: 'en',
    supportedLngs: CODES,
    ns: [...BUILT_IN, ...extra],
    defaultNS: defaultNS ?? extra[0] ?? 'student',
    fallbackNS: 'common',
    resources,
    // Text goes into the page as text nodes (textContent), never as HTML: nothing to escape.
    interpolation: { escapeValue: false },
    returnNull: false,
  });
  translatePage();
  return i18next;
}

/** The current language code ('zh' or 'en'). */
export function language() {
  return CODES.includes(i18next.language) ? i18next.language : 'en';
}

/** A string by key, with {{params}} filled in. */
export function t(key, params) {
  return i18next.t(key, params);
}

/** Whether a key has a string (in the current language or the fallback). */
export function has(key) {
  return i18next.exists(key);
}

const ATTRS = [
  ['title', 'i18nTitle'],
  ['placeholder', 'i18nPlaceholder'],
  ['aria-label', 'i18nAriaLabel'],
];

/** Sets the text and attributes of every element under root marked with data-i18n*. */
export function translatePage(root = document) {
  for (const el of root.querySelectorAll('[data-i18n]')) el.textContent = t(el.dataset.i18n);
  for (const [attr, prop] of ATTRS)
    for (const el of root.querySelectorAll(`[data-i18n-${attr}]`)) el.setAttribute(attr, t(el.dataset[prop]));
  if (root === document) document.documentElement.lang = language() === 'zh' ? 'zh-CN' : 'en';
}

/** Switches the language, remembers it, translates the page and tells the listeners. */
export async function setLanguage(lng) {
  if (!CODES.includes(lng)) return;
  try {
    localStorage.setItem(STORAGE_KEY, lng);
  } catch {
    // A browser refusing storage still switches for this page.
  }
  await i18next.changeLanguage(lng);
  translatePage();
  for (const fn of listeners) fn(lng);
}

/** Calls fn(lng) after each language switch (to redraw text made in JS); returns a function that stops it. */
export function onLanguageChange(fn) {
  listeners.add(fn);
  return () => listeners.delete(fn);
}

/** Puts the language switch (a labelled select: 中文 / English) at the end of container; returns it. */
export function languageSwitch(container) {
  const select = document.createElement('select');
  select.className = 'lang';
  select.dataset.testid = 'lang-switch';
  select.setAttribute('aria-label', 'Language / 语言');
  select.title = 'Language / 语言';
  for (const l of LANGUAGES) {
    const o = document.createElement('option');
    o.value = l.code;
    o.lang = l.code === 'zh' ? 'zh-CN' : 'en';
    o.textContent = l.label;
    select.append(o);
  }
  select.value = language();
  select.addEventListener('change', () => setLanguage(select.value));
  onLanguageChange((lng) => {
    select.value = lng;
  });
  container.append(select);
  return select;
}

/** Params as people read numbers: 100000 -> "100,000", 24706300.40 -> "24,706,300.40" (ids and text as they are). */
function readable(params) {
  const out = {};
  for (const [k, v] of Object.entries(params)) {
    const m = /id$/i.test(k) ? null : /^(-?)(\d{4,})(\.\d+)?$/.exec(String(v));
    out[k] = m === null ? v : `${m[1]}${m[2].replace(/\B(?=(\d{3})+(?!\d))/g, ',')}${m[3] ?? ''}`;
  }
  return out;
}

/**
 * A refusal for a person, in the current language: the errors namespace's sentence for its code when the server
 * sent the message's params (or the code's message names none), else the server's English message.
 * err: { code, message, params? } (an ApiError, or a WebSocket error).
 */
export function errorSentence(err) {
  if (err === null || err === undefined) return '';
  const code = err.code;
  const message = err.message ?? String(err);
  // English: the server's own sentence (the en strings are its forms). Another language: the code's sentence.
  if (language() !== 'en' && typeof code === 'string' && err.params !== null && typeof err.params === 'object') {
    const key = `errors:${code}`;
    if (i18next.exists(key)) return t(key, readable(err.params));
  }
  // The server's sentences start in lower case (they are written to follow a code): a sentence on its own starts
  // with a capital.
  return message.charAt(0).toUpperCase() + message.slice(1);
}
