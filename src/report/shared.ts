// What the run report and the fan report share: escaping, the data block, dates on uPlot's axis, number formatting,
// the page around the content, and the browser-side chart helpers (plain JS, sent as text into the page).
import type { ReportAssets } from './assets.ts';

const HTML_ESCAPES: Readonly<Record<string, string>> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

/** Text (or an attribute value in double quotes) made inert: every tag, entity and quote escaped. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => HTML_ESCAPES[c] ?? c);
}

/**
 * JSON for a `<script type="application/json">` block: `<`, `>` and `&` as \u escapes, so no `</script` or `<!--`
 * can close or confuse the block, whatever the strings hold. JSON.parse reads the escapes back as the characters.
 */
export function jsonForScript(value: unknown): string {
  return JSON.stringify(value)
    .replace(/</g, '\\u003c')
    .replace(/>/g, '\\u003e')
    .replace(/&/g, '\\u0026')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');
}

/** Library code inside a `<script>`: a `</script` in a string or comment would end the element early. */
function inlineScript(js: string): string {
  return js.replace(/<\/(script)/gi, '<\\/$1').replace(/<!--/g, '<\\!--');
}

function inlineStyle(css: string): string {
  return css.replace(/<\/(style)/gi, '<\\/$1');
}

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** A YYYY-MM-DD date as unix seconds at noon China time (UTC+8, no daylight saving), where uPlot puts the day. */
export function dateToUnix(date: string): number {
  const m = DATE.exec(date);
  if (m === null) throw new RangeError(`not a YYYY-MM-DD date: ${JSON.stringify(date)}`);
  return Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]), 4, 0, 0) / 1000;
}

/** Whole numbers with thousands separators: 1234567 -> "1,234,567". */
export function formatInt(n: number): string {
  return groupDigits(String(Math.round(n)));
}

/** A decimal string with thousands separators in its integer part, digits kept as given: "1580632300.00" -> "1,580,632,300.00". */
export function formatDecimal(value: string): string {
  const m = /^(-?)(\d+)(\.\d+)?$/.exec(value);
  if (m === null) return value;
  return `${m[1]}${groupDigits(m[2]!)}${m[3] ?? ''}`;
}

function groupDigits(digits: string): string {
  const neg = digits.startsWith('-');
  const d = neg ? digits.slice(1) : digits;
  const grouped = d.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return neg ? `-${grouped}` : grouped;
}

/** Shortens text to at most `max` characters (code points), with an ellipsis when cut. */
export function truncate(text: string, max: number): string {
  const chars = Array.from(text);
  return chars.length <= max ? text : `${chars.slice(0, max - 1).join('')}…`;
}

/** A table cell: text (escaped when rendered) or markup the caller has already escaped. */
export type Cell = string | { readonly html: string };

export interface TableSpec {
  readonly columns: readonly string[];
  readonly rows: readonly (readonly Cell[])[];
  /** Columns holding text (left-aligned); the others are figures (right-aligned, tabular digits). Default: the first. */
  readonly textColumns?: readonly number[];
  /** Columns whose cells may wrap over lines (long names, free text); the others stay on one line. */
  readonly wrapColumns?: readonly number[];
  readonly className?: string;
}

/** A table with every header and cell escaped. */
export function renderTable(spec: TableSpec): string {
  const text = new Set(spec.textColumns ?? [0]);
  const wrap = new Set(spec.wrapColumns ?? []);
  const cls = (i: number): string => {
    const names = [text.has(i) ? 'text' : '', wrap.has(i) ? 'wrap' : ''].filter((c) => c !== '');
    return names.length === 0 ? '' : ` class="${names.join(' ')}"`;
  };
  const head = spec.columns.map((c, i) => `<th${cls(i)}>${escapeHtml(c)}</th>`).join('');
  const cell = (c: Cell): string => (typeof c === 'string' ? escapeHtml(c) : c.html);
  const body = spec.rows
    .map((row) => `<tr>${row.map((c, i) => `<td${cls(i)}>${cell(c)}</td>`).join('')}</tr>`)
    .join('\n');
  const tableClass = spec.className === undefined ? '' : ` class="${escapeHtml(spec.className)}"`;
  return `<div class="table-wrap"><table${tableClass}><thead><tr>${head}</tr></thead><tbody>\n${body}\n</tbody></table></div>`;
}

const PAGE_CSS = `
:root { --ink: #1d2430; --muted: #5b6472; --line: #e2e5ea; --bg: #f4f5f7; --card: #fff; --accent: #1f5fa8; }
* { box-sizing: border-box; }
html { background: var(--bg); }
body { margin: 0; color: var(--ink); font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial,
  "Noto Sans", "Noto Sans CJK SC", "PingFang SC", "Microsoft YaHei", sans-serif; }
main { max-width: 1120px; margin: 0 auto; padding: 28px 20px 64px; }
header.page h1 { font-size: 26px; line-height: 1.25; margin: 0 0 6px; }
header.page .subtitle { color: var(--muted); margin: 0 0 14px; }
dl.facts { display: grid; grid-template-columns: max-content 1fr; gap: 2px 16px; margin: 0 0 18px; font-size: 14px; }
dl.facts dt { color: var(--muted); }
dl.facts dd { margin: 0; overflow-wrap: anywhere; }
code { font: 13px ui-monospace, SFMono-Regular, Menlo, Consolas, "DejaVu Sans Mono", monospace; }
nav.markets { display: flex; flex-wrap: wrap; gap: 6px 14px; margin: 10px 0 0; font-size: 14px; }
a { color: var(--accent); text-decoration: none; }
a:hover { text-decoration: underline; }
section.card { background: var(--card); border: 1px solid var(--line); border-radius: 8px; padding: 18px 22px 10px;
  margin: 22px 0; }
section.card h2 { font-size: 20px; margin: 0 0 2px; }
section.card h3 { font-size: 15px; margin: 18px 0 4px; }
.note { color: var(--muted); font-size: 13.5px; margin: 2px 0 8px; }
.empty { color: var(--muted); font-style: italic; margin: 6px 0 14px; }
.table-wrap { overflow-x: auto; margin: 4px 0 14px; }
table { border-collapse: collapse; width: 100%; font-size: 13.5px; font-variant-numeric: tabular-nums; }
th, td { padding: 4px 8px; text-align: right; border-bottom: 1px solid var(--line); vertical-align: top; }
th { font-weight: 600; color: var(--muted); background: #fafbfc; vertical-align: bottom; line-height: 1.3; }
td { white-space: nowrap; }
th.text, td.text { text-align: left; }
td.wrap { white-space: normal; overflow-wrap: break-word; min-width: 10em; }
table.key-figures td.wrap { min-width: 14em; }
tbody tr:hover { background: #f7f9fc; }
dl.stats { display: grid; grid-template-columns: repeat(auto-fill, minmax(118px, 1fr)); gap: 8px 12px; margin: 6px 0 16px;
  font-variant-numeric: tabular-nums; }
dl.stats div { border-left: 3px solid var(--line); padding: 0 0 0 8px; display: flex; flex-direction: column;
  justify-content: space-between; }
dl.stats dt { color: var(--muted); font-size: 12.5px; line-height: 1.3; }
dl.stats dd { margin: 2px 0 0; font-size: 16px; font-weight: 600; }
.chart { margin: 6px 0 16px; min-height: 120px; }
.chart .uplot { width: 100%; }
.u-legend { font-size: 12.5px; }
.u-legend th { background: none; border: 0; color: var(--ink); text-align: left; line-height: 1.3; }
.u-legend .u-label { display: inline; }
.u-legend td { border: 0; }
.u-legend tr:hover { background: none; }
footer.page { color: var(--muted); font-size: 12.5px; margin-top: 28px; }
.not-due { background: #fff7e6; border-left: 3px solid #e39b2d; padding: 8px 12px; margin: 6px 0 12px; font-size: 14px; }
.warn { background: #fdecea; border-left: 3px solid #d2483b; padding: 8px 12px; margin: 6px 0 12px; font-size: 14px; }
span.ok { color: #13804a; font-weight: 600; }
td span.range { color: var(--muted); font-size: 12px; }
span.miss { color: #b3261e; font-weight: 600; }
@media print { html { background: #fff; } section.card { break-inside: avoid-page; border: 0; padding: 0; } }
`;

/**
 * Browser-side helpers, defined before each report's own script. Plain ES2020 (no template literals) so it can sit in a
 * TypeScript string. Charts are uPlot instances sized to their container and rebuilt when the window width changes.
 */
export const CLIENT_COMMON = `
'use strict';
var REPORT = JSON.parse(document.getElementById('report-data').textContent);
var TZ = 'Asia/Shanghai';
var FONT = 'system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, "Noto Sans", sans-serif';
var DAY = 86400;
var COLORS = { close: '#1f5fa8', hilo: 'rgba(31,95,168,0.45)', band: 'rgba(31,95,168,0.13)', listed: '#2f7fd1',
  block: '#e39b2d', verified: '#9aa3af', surrendered: '#2e9e5b', offsets: '#69c2b0', shortfall: '#d2483b',
  marker: 'rgba(190,55,40,0.85)', markerFaint: 'rgba(190,55,40,0.3)', markerText: '#9c2b1d', fair: '#13804a',
  agents: 'rgba(138,79,191,0.75)',
  observed: '#1d2430', seeds: 'rgba(31,95,168,0.4)', seedsFill: 'rgba(31,95,168,0.16)',
  overlays: ['#d9730d', '#2a9d8f', '#8a4fbf', '#6b7280'] };
var nf0 = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });
var nf2 = new Intl.NumberFormat('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 });
function fmtInt(v) { return v == null ? '–' : nf0.format(v); }
function fmtPrice(v) { return v == null ? '–' : nf2.format(v); }
function fmtCompact(v) {
  var a = Math.abs(v);
  function s(x, unit) { return (Math.round(x * 10) / 10).toString() + unit; }
  if (a >= 1e9) return s(v / 1e9, 'G');
  if (a >= 1e6) return s(v / 1e6, 'M');
  if (a >= 1e3) return s(v / 1e3, 'k');
  return nf0.format(v);
}
function compactTicksCommon(u, splits) { return splits.map(fmtCompact); }
function tzDate(ts) { return uPlot.tzDate(new Date(ts * 1e3), TZ); }
var fmtDay = uPlot.fmtDate('{YYYY}-{MM}-{DD}');
function dayOf(ts) { return fmtDay(tzDate(ts)); }
/** Whole-number steps for axes of tonnes: no 0.2 t ticks (all rounding to the same label) on an empty chart. */
var INT_INCRS = [1, 2, 5, 10, 20, 50, 100, 200, 500, 1e3, 2e3, 5e3, 1e4, 2e4, 5e4, 1e5, 2e5, 5e5, 1e6, 2e6, 5e6, 1e7,
  2e7, 5e7, 1e8, 2e8, 5e8, 1e9, 2e9, 5e9, 1e10, 2e10, 5e10, 1e11, 2e11, 5e11, 1e12];
function axis(label, values, extra) {
  var a = { label: label, labelSize: 20, labelFont: '600 12px ' + FONT, font: '12px ' + FONT, size: 62,
    stroke: '#4a5361', grid: { stroke: '#eceef2', width: 1 }, ticks: { stroke: '#d5d9df', width: 1, size: 4 } };
  if (values) a.values = values;
  if (values === compactTicksCommon) a.incrs = INT_INCRS;
  if (extra) for (var k in extra) a[k] = extra[k];
  return a;
}
function xAxis(extra) {
  var a = { font: '12px ' + FONT, stroke: '#4a5361', grid: { stroke: '#f0f1f4', width: 1 },
    ticks: { stroke: '#d5d9df', width: 1, size: 4 } };
  if (extra) for (var k in extra) a[k] = extra[k];
  return a;
}
/** Bars for series s of k sharing each x: each takes its slot in a column 'col' scale units wide. */
function groupedBars(k, s, col) {
  var inner = col * 0.78;
  var w = inner / k;
  return uPlot.paths.bars({
    disp: {
      x0: { unit: 1, values: function (u) { return u.data[0].map(function (x) { return x - inner / 2 + s * w; }); } },
      size: { unit: 1, values: function () { return [w * 0.92]; } },
    },
  });
}
/** Room above the plot and a row for each marker label, so labels neither overlap each other nor the data. */
var measureCtx = document.createElement('canvas').getContext('2d');
var MARKER_ROWS = 3;
function layoutMarkers(markers, xMin, xMax, plotWidth) {
  measureCtx.font = '11px ' + FONT;
  var rows = [];
  var span = Math.max(1, xMax - xMin);
  // A label may reach over the value axis on the left (62 px) and the padding on the right (16 px), no further.
  var minLeft = -58, maxRight = plotWidth + 12;
  markers.forEach(function (m) {
    var x = (m.x - xMin) / span * plotWidth;
    // Too long for the chart (a narrow screen): cut, keeping the event numbers at its start.
    var chars = Array.from(m.label);
    while (chars.length > 4 && measureCtx.measureText(m.label).width + 10 > maxRight - minLeft) {
      chars = chars.slice(0, chars.length - 2);
      m.label = chars.join('') + '…';
    }
    var w = measureCtx.measureText(m.label).width + 10;
    var left = x + 3 + w > maxRight ? Math.max(minLeft, x - 3 - w) : x + 3;
    var row = 0;
    while (row < rows.length && rows[row] > left - 10) row++;
    // Dense markers (a news event a day): no more than MARKER_ROWS rows of labels; the rest are lines only.
    if (row >= MARKER_ROWS) {
      m.row = -1;
      return;
    }
    rows[row] = left + w;
    m.row = row;
    m.left = left;
    m.flip = left < x;
  });
  return rows.length;
}
function markerPlugin(markers) {
  return { hooks: { draw: [function (u) {
    if (markers.length === 0) return;
    var ctx = u.ctx, r = uPlot.pxRatio, b = u.bbox;
    ctx.save();
    ctx.font = (11 * r) + 'px ' + FONT;
    ctx.textBaseline = 'middle';
    // Many markers: fainter lines, so the data stays readable under them.
    var dense = markers.length > 24;
    markers.forEach(function (m) {
      var x = Math.round(u.valToPos(m.x, 'x', true)) + 0.5;
      if (x < b.left - 1 || x > b.left + b.width + 1) return;
      var y = m.row < 0 ? b.top : b.top - (m.row + 1) * 16 * r + 8 * r;
      ctx.strokeStyle = dense ? COLORS.markerFaint : COLORS.marker;
      ctx.lineWidth = r;
      ctx.setLineDash([4 * r, 3 * r]);
      ctx.beginPath();
      ctx.moveTo(x, y);
      ctx.lineTo(x, b.top + b.height);
      ctx.stroke();
      ctx.setLineDash([]);
      if (m.row < 0) return;
      ctx.fillStyle = COLORS.markerText;
      var w = ctx.measureText(m.label).width;
      ctx.textAlign = 'left';
      ctx.fillText(m.label, m.flip ? b.left + (m.left + 5) * r : x + 4 * r, y);
    });
    ctx.restore();
  }] } };
}
var CHARTS = [];
/** Builds a chart into el; make(width) returns [opts, data] so it can be rebuilt at a new width. */
function mount(el, make) {
  var width = Math.max(300, el.clientWidth);
  var od = make(width);
  var u = new uPlot(od[0], od[1], el);
  CHARTS.push({ el: el, make: make, u: u, width: width });
}
var resizeTimer = null;
window.addEventListener('resize', function () {
  clearTimeout(resizeTimer);
  resizeTimer = setTimeout(function () {
    CHARTS.forEach(function (c) {
      var width = Math.max(300, c.el.clientWidth);
      if (width === c.width) return;
      c.u.destroy();
      var od = c.make(width);
      c.u = new uPlot(od[0], od[1], c.el);
      c.width = width;
    });
  }, 150);
});
`;

export interface PageSpec {
  readonly title: string;
  /** Body markup, already escaped by the caller. */
  readonly body: string;
  /** Data for the page's script, embedded as JSON. */
  readonly data: unknown;
  /** The page's own script (after uPlot and CLIENT_COMMON). */
  readonly script: string;
  readonly assets: ReportAssets;
}

/**
 * A whole self-contained page. The content security policy forbids every fetch (scripts, styles, images, fonts,
 * connections) beyond what is inline, so the report cannot reach the network even if some text were to slip through.
 */
export function renderPage(spec: PageSpec): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src data:">
<title>${escapeHtml(spec.title)}</title>
<style>${inlineStyle(spec.assets.css)}</style>
<style>${PAGE_CSS}</style>
</head>
<body>
<main>
${spec.body}
</main>
<script type="application/json" id="report-data">${jsonForScript(spec.data)}</script>
<script>${inlineScript(spec.assets.js)}</script>
<script>${inlineScript(CLIENT_COMMON)}
${inlineScript(spec.script)}</script>
</body>
</html>
`;
}
