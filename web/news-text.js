// A news item (or a debrief event) in the page's language. The server sends the English title and text, and for
// the items the classroom words itself a `kind` with `params` (money as CNY text, tonnes as integers); the page
// words those from its strings (common news.kinds.<kind> in /web/locales/{en,zh}.json). A scenario's
// announcement may carry its own Chinese title and text; a scenario's policy plan (coverage, allocation, CCER
// outlook) its own Chinese title, its quantities worded by the page. Anything else keeps the server's English.
import { cny, tonnes } from './format.js';
import { has, language, t } from './i18n.js';

/** The values a kind's strings fill in: tonnes and money formatted, the rest as sent. */
function values(n) {
  const p = n.params ?? {};
  const v = { ...p };
  for (const [k, x] of Object.entries(p)) {
    if (k.endsWith('T') && typeof x === 'number') v[k.slice(0, -1)] = tonnes(x);
    if (k.endsWith('Cny')) v[k] = cny(x);
  }
  for (const k of ['compliant', 'entities', 'winners', 'bidCount'])
    if (typeof p[k] === 'number') v[k] = tonnes(p[k], false);
  if (typeof p.marketId === 'string') v.market = t(`common:markets.${p.marketId}`, { defaultValue: p.marketId });
  if (typeof p.sectors === 'string') v.sectorList = sectorList(p.sectors);
  if (typeof p.credibilityBps === 'number') v.credibility = number(p.credibilityBps / 100);
  if (typeof p.cutBps === 'number') v.cut = number(Math.abs(p.cutBps) / 100);
  if (n.kind === 'auction-open')
    v.how = t(`common:news.allocation.${p.allocation}`, { defaultValue: String(p.allocation ?? '') });
  if (n.kind === 'auction-closed')
    v.price =
      p.clearingPriceCny !== undefined
        ? t('common:news.price.clearing', { price: cny(p.clearingPriceCny) })
        : t('common:news.price.range', { low: cny(p.lowPriceCny), high: cny(p.highPriceCny), avg: cny(p.vwapCny) });
  return v;
}

/** Sector ids "cement,steel" as words in the page's language; none: every sector. */
function sectorList(ids) {
  const list = ids.split(',').filter((x) => x !== '');
  if (list.length === 0) return t('common:news.allSectors');
  return list.map((id) => t(`common:sectors.${id}`, { defaultValue: id })).join(t('common:news.listSeparator'));
}

/** 0.5 -> "0.5", 2 -> "2": a percentage as the scenario gave it, without trailing zeros. */
const number = (x) => String(Math.round(x * 100) / 100);

const PLANS = new Set(['coverage-plan', 'allocation-plan', 'ccer-outlook']);

function worded(n, part) {
  const zh = language() === 'zh';
  if (PLANS.has(n.kind)) {
    // The scenario's own title (in Chinese when it gives one, else the kind's); the quantities worded here.
    if (part === 'title') return zh ? n.titleZh || t(`common:news.kinds.${n.kind}.title`) : (n.title ?? '');
    const loosen = n.kind === 'allocation-plan' && Number(n.params?.cutBps) < 0;
    const balanced = n.kind === 'coverage-plan' && n.params?.balancedThrough !== undefined;
    const key = loosen ? 'textLoosen' : balanced ? 'textBalanced' : 'text';
    return t(`common:news.kinds.${n.kind}.${key}`, values(n));
  }
  if (n.kind === 'announcement') {
    if (zh && part === 'title' && n.titleZh) return n.titleZh;
    if (zh && part === 'text' && n.textZh) return n.textZh;
    if (zh && part === 'text' && n.titleZh) return '';
    return n[part] ?? '';
  }
  const key = `common:news.kinds.${n.kind}.${part}`;
  if (typeof n.kind !== 'string' || !has(key)) return n[part] ?? '';
  return t(key, values(n));
}

/** The item's title in the page's language. */
export function newsTitle(n) {
  return worded(n, 'title');
}

/** The item's text in the page's language ('' when it has none). */
export function newsText(n) {
  return worded(n, 'text');
}

/** Whether the item is about an auction of the reserve (the auctions list is worth fetching again). */
export function isAuctionNews(n) {
  return typeof n.kind === 'string' ? n.kind.startsWith('auction-') : /^Auction /.test(n.title ?? '');
}
