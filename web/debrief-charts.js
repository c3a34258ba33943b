// The debrief of a round, drawn for the class (the instructor page's projector view and the students' printable
// page, web/debrief.html): the price against the firms' average abatement cost (fair value) day by day with the
// scenario's events marked, who bought and sold (the bots as one row), the compliance outcomes and the fines.
// Data: GET /api/classrooms/:cid/debrief?round=N. Charts are SVG (crisp on a projector and on paper) with
// presentation attributes only (the content security policy refuses style attributes; the CSS object model is
// allowed, as dom.js uses it).
import { fill, h } from './dom.js';
import { cny, tonnes } from './format.js';
import { t } from './i18n.js';
import { newsText, newsTitle } from './news-text.js';

const SVG = 'http://www.w3.org/2000/svg';
const PRICE = '#1f5fbf';
const FAIR = '#b26b00';
const EVENT = '#8a8f98';

function s(tag, attrs = {}, ...children) {
  const el = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) if (v !== null && v !== undefined) el.setAttribute(k, String(v));
  for (const c of children) el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  return el;
}

const num = (x) => (x === null || x === undefined || x === '' ? null : Number(x));

/** Ticks for a value range: about n round numbers. */
function ticks(lo, hi, n = 5) {
  const span = hi - lo || 1;
  const raw = span / n;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * mag).find((x) => x >= raw) ?? raw;
  const out = [];
  for (let v = Math.ceil(lo / step) * step; v <= hi + 1e-9; v += step) out.push(Number(v.toFixed(6)));
  return out;
}

/** Price (close) and fair value by day, events as numbered dotted lines, daily volume as bars underneath. */
export function priceChart(d, width = 820) {
  const days = d.days ?? [];
  // Drawn at the width it is shown at (its text then reads at its size on a phone as on a projector).
  const W = Math.round(Math.max(340, Math.min(1400, width)));
  const H = 300;
  const L = 52;
  const R = 14;
  const T = 14;
  const volH = 50;
  const B = 26;
  const plotH = H - T - B - volH - 8;
  const values = days.flatMap((x) => [num(x.closeCny), num(x.fairValueCny)]).filter((v) => v !== null);
  const svg = s('svg', {
    viewBox: `0 0 ${W} ${H}`,
    class: 'dbf-chart',
    role: 'img',
    'aria-label': t('dbf.priceAria'),
    'data-testid': 'dbf-price-chart',
  });
  if (days.length === 0 || values.length === 0) {
    svg.append(s('text', { x: W / 2, y: H / 2, 'text-anchor': 'middle', fill: '#7a828c' }, t('dbf.noPrices')));
    return svg;
  }
  let lo = Math.min(...values);
  let hi = Math.max(...values);
  const pad = (hi - lo) * 0.08 || Math.max(1, hi * 0.05);
  lo -= pad;
  hi += pad;
  // Days inset by half a volume bar (and room for the axis labels) from either side.
  const inset = 22;
  const x = (i) =>
    L + inset + (days.length === 1 ? (W - L - R) / 2 - inset : (i * (W - L - R - 2 * inset)) / (days.length - 1));
  const y = (v) => T + plotH - ((v - lo) / (hi - lo)) * plotH;
  for (const v of ticks(lo, hi)) {
    svg.append(s('line', { x1: L, x2: W - R, y1: y(v), y2: y(v), stroke: '#eef1f4' }));
    svg.append(s('text', { x: L - 6, y: y(v) + 4, 'text-anchor': 'end', class: 'dbf-axis' }, v.toFixed(v % 1 ? 1 : 0)));
  }
  // Daily volume underneath.
  const vmax = Math.max(1, ...days.map((x) => x.volumeT ?? 0));
  const bw = Math.max(2, Math.min(24, ((W - L - R) / Math.max(1, days.length)) * 0.6));
  const vBase = T + plotH + 8 + volH;
  days.forEach((day, i) => {
    const hgt = ((day.volumeT ?? 0) / vmax) * volH;
    if (hgt > 0) svg.append(s('rect', { x: x(i) - bw / 2, y: vBase - hgt, width: bw, height: hgt, fill: '#c9d3df' }));
  });
  svg.append(s('text', { x: L - 6, y: vBase, 'text-anchor': 'end', class: 'dbf-axis' }, t('dbf.vol')));
  // Events: dotted verticals numbered as in the list below the chart; a day's several events share its line and
  // their numbers stack down it (drawn on top of each other they would read as one).
  const dayIndex = new Map(days.map((day, i) => [day.date, i]));
  const onDay = new Map();
  (d.events ?? []).forEach((e, k) => {
    const i = dayIndex.get(e.date);
    if (i === undefined) return;
    const nth = onDay.get(i) ?? 0;
    onDay.set(i, nth + 1);
    if (nth === 0)
      svg.append(s('line', { x1: x(i), x2: x(i), y1: T, y2: vBase, stroke: EVENT, 'stroke-dasharray': '3 3' }));
    svg.append(s('text', { x: x(i) + 3, y: T + 10 + nth * 12, class: 'dbf-event' }, String(k + 1)));
  });
  const line = (key, color, dash) => {
    let path = '';
    days.forEach((day, i) => {
      const v = num(day[key]);
      if (v === null) return;
      path += `${path === '' ? 'M' : 'L'}${x(i).toFixed(1)},${y(v).toFixed(1)}`;
    });
    if (path !== '')
      svg.append(s('path', { d: path, fill: 'none', stroke: color, 'stroke-width': 2.5, 'stroke-dasharray': dash }));
    // A dot a day (a single day has no line to draw).
    days.forEach((day, i) => {
      const v = num(day[key]);
      if (v !== null) svg.append(s('circle', { cx: x(i), cy: y(v), r: days.length > 40 ? 1.5 : 3, fill: color }));
    });
  };
  line('fairValueCny', FAIR, '6 4');
  line('closeCny', PRICE, null);
  // Date labels: about eight.
  const every = Math.max(1, Math.ceil(days.length / Math.max(3, Math.floor(W / 90))));
  days.forEach((day, i) => {
    if (i % every !== 0 && i !== days.length - 1) return;
    svg.append(s('text', { x: x(i), y: H - 6, 'text-anchor': 'middle', class: 'dbf-axis' }, day.date.slice(5)));
  });
  return svg;
}

function legend() {
  return h(
    'p',
    { class: 'dbf-legend' },
    h('span', { class: 'key price' }),
    t('dbf.close'),
    ' ',
    h('span', { class: 'key fair' }),
    t('dbf.fair'),
    ' ',
    h('span', { class: 'key vol' }),
    t('dbf.volume'),
  );
}

function bar(cls, value, max) {
  const el = h('span', { class: `dbf-bar ${cls}` });
  el.style.width = `${max > 0 ? Math.max(value > 0 ? 1 : 0, (value / max) * 100) : 0}%`;
  return el;
}

/** Who bought and sold, tonnes: one row a student (by name or pseudonym) and one for the bots. */
export function tradersChart(d) {
  const rowsOf = [
    ...(d.students ?? []).map((x) => ({
      who: x.name ?? x.pseudonym ?? '?',
      boughtT: x.boughtT,
      soldT: x.soldT,
      you: x.you === true,
    })),
    ...(d.bots ? [{ who: t('dbf.bots'), boughtT: d.bots.boughtT, soldT: d.bots.soldT, bots: true }] : []),
  ];
  const max = Math.max(1, ...rowsOf.flatMap((r) => [r.boughtT ?? 0, r.soldT ?? 0]));
  return h(
    'div',
    { class: 'dbf-traders', dataset: { testid: 'dbf-traders' } },
    rowsOf.map((r) =>
      h(
        'div',
        { class: `dbf-row${r.bots ? ' bots' : ''}${r.you ? ' you' : ''}` },
        h('span', { class: 'who' }, r.who),
        h('span', { class: 'side sold' }, bar('sold', r.soldT ?? 0, max)),
        h('span', { class: 'side bought' }, bar('bought', r.boughtT ?? 0, max)),
        h('span', { class: 'nums' }, `▼ ${tonnes(r.soldT ?? 0)} · ▲ ${tonnes(r.boughtT ?? 0)}`),
      ),
    ),
  );
}

/** Met against short, fines, and each student's outcome. */
export function complianceBlock(d) {
  const c = d.compliance ?? { met: 0, short: 0, finesCny: '0' };
  const total = (c.met ?? 0) + (c.short ?? 0) + (c.open ?? 0);
  const metBar = h('span', { class: 'met' });
  metBar.style.width = `${total > 0 ? (c.met / total) * 100 : 0}%`;
  const shortBar = h('span', { class: 'short' });
  shortBar.style.width = `${total > 0 ? (c.short / total) * 100 : 0}%`;
  return h(
    'div',
    { class: 'dbf-compliance', dataset: { testid: 'dbf-compliance' } },
    h('div', { class: 'dbf-split' }, metBar, shortBar),
    h(
      'p',
      {},
      h('b', {}, t('dbf.met', { n: c.met ?? 0 })),
      ' · ',
      h('b', { class: (c.short ?? 0) > 0 ? 'bad' : '' }, t('dbf.short', { n: c.short ?? 0 })),
      c.open ? ` · ${t('dbf.open', { n: c.open })}` : null,
      ' · ',
      t('dbf.fines', { cny: cny(c.finesCny) }),
    ),
    h(
      'table',
      { class: 'compact' },
      h(
        'thead',
        {},
        h(
          'tr',
          {},
          h('th', {}, t('dbf.who')),
          h('th', {}, t('dbf.status')),
          h('th', { class: 'num' }, t('dbf.fineCny')),
          h('th', { class: 'num' }, t('dbf.profitCny')),
        ),
      ),
      h(
        'tbody',
        {},
        (d.students ?? []).map((x) =>
          h(
            'tr',
            { class: x.you ? 'you' : '' },
            h('td', {}, x.name ?? x.pseudonym ?? '?', x.you ? t('dbf.youMark') : ''),
            h(
              'td',
              {},
              h('span', { class: `badge ${x.status}` }, t(`dbf.statusOf.${x.status}`, { defaultValue: x.status })),
            ),
            h('td', { class: 'num' }, cny(x.fineCny)),
            h('td', { class: 'num' }, cny(x.profitCny)),
          ),
        ),
      ),
    ),
  );
}

/** The whole debrief into el. */
export function renderDebrief(el, d) {
  const events = d.events ?? [];
  const share = d.bots?.shareOfVolumeBps;
  fill(
    el,
    h(
      'div',
      { class: 'dbf' },
      h(
        'div',
        { class: 'dbf-block wide' },
        h('h3', {}, t('dbf.priceTitle')),
        priceChart(d, el.clientWidth || 820),
        legend(),
        events.length === 0
          ? null
          : h(
              'ol',
              { class: 'dbf-events', dataset: { testid: 'dbf-events' } },
              events.map((e) =>
                h(
                  'li',
                  {},
                  h('span', { class: 'muted' }, e.date),
                  ' ',
                  newsTitle(e),
                  // A settlement's title says who complied; its text the offsets and the tonnes short.
                  e.kind === 'settlement' ? h('span', { class: 'muted' }, ` · ${newsText(e)}`) : null,
                ),
              ),
            ),
      ),
      h(
        'div',
        { class: 'dbf-block' },
        h('h3', {}, t('dbf.tradersTitle')),
        share === undefined ? null : h('p', { class: 'muted' }, t('dbf.botShare', { pct: (share / 100).toFixed(1) })),
        tradersChart(d),
      ),
      h('div', { class: 'dbf-block' }, h('h3', {}, t('dbf.complianceTitle')), complianceBlock(d)),
    ),
  );
}
