// Formatting for people: money as CNY with 2 decimals and thousands separators (from the API's decimal strings,
// never through floating point), tonnes as whole numbers with separators, exchange times in China Standard Time.

import { errorSentence, t } from './i18n.js';

const group = (digits) => digits.replace(/\B(?=(\d{3})+(?!\d))/g, ',');

/** "24706300.4" -> "24,706,300.40"; null/undefined -> "—". */
export function cny(value) {
  if (value === null || value === undefined || value === '') return '—';
  let s = String(value).trim();
  let sign = '';
  if (s.startsWith('-')) {
    sign = '-';
    s = s.slice(1);
  }
  if (!/^\d+(\.\d*)?$/.test(s)) return String(value);
  const [whole, frac = ''] = s.split('.');
  return `${sign}${group(whole.replace(/^0+(?=\d)/, ''))}.${`${frac}00`.slice(0, 2)}`;
}

/**
 * An amount of money for people, one form per language: "CNY 1,234.56" (English), "1,234.56 元" (中文); null -> "—".
 * Prices per tonne in a column headed with the unit stay bare (cny).
 */
export function money(value) {
  const amount = cny(value);
  return amount === '—' ? amount : t('common:money', { amount });
}

/** 671895 -> "671,895 t". */
export function tonnes(value, unit = true) {
  if (value === null || value === undefined) return '—';
  const n = Math.trunc(Number(value));
  const s = `${n < 0 ? '-' : ''}${group(String(Math.abs(n)))}`;
  return unit ? `${s} t` : s;
}

/** Percent with sign and arrow (colour is not the only cue): 1.25 -> "▲ +1.25%", -0.5 -> "▼ -0.50%". */
export function pct(value) {
  if (value === null || value === undefined || Number.isNaN(Number(value))) return '—';
  const n = Number(value);
  return `${n > 0 ? '▲ +' : n < 0 ? '▼ ' : ''}${n.toFixed(2)}%`;
}

/** Tonnes times a CNY price, exactly (in fen): 1200, "97.25" -> "116700.00"; null without a price. */
export function valueCny(qtyT, priceCny) {
  if (priceCny === null || priceCny === undefined || !/^\d+(\.\d{1,2})?$/.test(String(priceCny))) return null;
  const [w, f = ''] = String(priceCny).split('.');
  const fen = BigInt(w) * 100n + BigInt(`${f}00`.slice(0, 2));
  const total = fen * BigInt(Math.trunc(qtyT));
  const neg = total < 0n;
  const abs = neg ? -total : total;
  return `${neg ? '-' : ''}${abs / 100n}.${String(abs % 100n).padStart(2, '0')}`;
}

/** A span of exchange time: {d, h, m} (whole days, hours and minutes, rounded down). */
export function span(ms) {
  const minutes = Math.max(0, Math.floor(ms / 60_000));
  return { d: Math.floor(minutes / 1440), h: Math.floor((minutes % 1440) / 60), m: minutes % 60 };
}

const CST_MS = 8 * 3_600_000;

/** Exchange epoch ms -> "HH:MM:SS" in China Standard Time. */
export function cstClock(tsMs) {
  const d = new Date(tsMs + CST_MS);
  return d.toISOString().slice(11, 19);
}

/** Exchange epoch ms -> "YYYY-MM-DD HH:MM" in China Standard Time. */
export function cstDateTime(tsMs) {
  const d = new Date(tsMs + CST_MS);
  return `${d.toISOString().slice(0, 10)} ${d.toISOString().slice(11, 16)}`;
}

/** The "HH:MM" of a "YYYY-MM-DD HH:MM" time text (for compact tables). */
export function hhmm(time) {
  return typeof time === 'string' && time.length >= 16 ? time.slice(11, 16) : (time ?? '');
}

/**
 * A refusal for a person: one sentence in the page's language (the code's sentence with the server's params, else
 * the server's message; see i18n.js errorSentence).
 */
export function errorText(err) {
  return errorSentence(err);
}
