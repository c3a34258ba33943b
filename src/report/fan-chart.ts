// A page of fan charts: for each series the 5–95% and 25–75% bands and the median over dates, then tables. The
// batch runner uses it for quantiles across seeds. Series of the same group (one per grid point) share one chart:
// each point's median as a line and its middle half (25–75%) as a band of the same colour. A visible warning says
// when a quantile comes from fewer than 10 runs. Self-contained like the run report; pure string building.
import type { ReportAssets } from './assets.ts';
import { type Cell, dateToUnix, escapeHtml, renderPage, renderTable } from './shared.ts';

export interface FanSeries {
  label: string;
  dates: string[];
  q05: number[];
  q25: number[];
  q50: number[];
  q75: number[];
  q95: number[];
  /** Unit for the value axis, e.g. "CNY/t"; none when absent. */
  unit?: string;
  /** Series of the same group are overlaid on one chart titled by the group (e.g. "national close"). */
  group?: string;
  /** The series' name on an overlaid chart (e.g. the grid point); the label when absent. */
  point?: string;
  /** How many runs the quantiles come from; fewer than MIN_RUNS is flagged. */
  runs?: number;
}

export interface FanReportInput {
  readonly title: string;
  readonly subtitle: string;
  readonly fans: readonly FanSeries[];
  /** Every quantile, a row per point and figure; `byPoint`: the figures side by side, a column per point. */
  readonly table: {
    readonly columns: string[];
    readonly rows: string[][];
    readonly byPoint?: { readonly columns: string[]; readonly rows: string[][] };
  };
  readonly assets: ReportAssets;
}

/** Below this many runs, quantiles (the 5% and 95% above all) are flagged as rough. */
export const MIN_RUNS = 10;

const QUANTILES = ['q05', 'q25', 'q50', 'q75', 'q95'] as const;

/** Non-finite values (NaN, ±Infinity) become gaps: JSON would turn them into null anyway. */
function finiteOrNull(values: readonly number[]): (number | null)[] {
  return values.map((v) => (Number.isFinite(v) ? v : null));
}

function checkLengths(f: FanSeries): void {
  for (const q of QUANTILES) {
    if (f[q].length !== f.dates.length) {
      throw new RangeError(`fan "${f.label}": ${q} has ${f[q].length} values for ${f.dates.length} dates`);
    }
  }
}

/** One chart of the page: a single fan, or several series overlaid (medians and 25–75% bands). */
type ChartData =
  | {
      readonly kind: 'fan';
      readonly unit: string;
      readonly x: number[];
      readonly q05: (number | null)[];
      readonly q25: (number | null)[];
      readonly q50: (number | null)[];
      readonly q75: (number | null)[];
      readonly q95: (number | null)[];
    }
  | {
      readonly kind: 'overlay';
      readonly unit: string;
      readonly x: number[];
      readonly series: {
        readonly label: string;
        readonly q25: (number | null)[];
        readonly q50: (number | null)[];
        readonly q75: (number | null)[];
      }[];
    };

/** Fans in order, those of one group together (at the place of the group's first). */
function groupsOf(fans: readonly FanSeries[]): FanSeries[][] {
  const groups: FanSeries[][] = [];
  const byName = new Map<string, FanSeries[]>();
  for (const f of fans) {
    if (f.group === undefined) {
      groups.push([f]);
      continue;
    }
    const g = byName.get(f.group);
    if (g !== undefined) g.push(f);
    else {
      const fresh = [f];
      byName.set(f.group, fresh);
      groups.push(fresh);
    }
  }
  return groups;
}

function fanData(f: FanSeries): ChartData {
  return {
    kind: 'fan',
    unit: f.unit ?? '',
    x: f.dates.map(dateToUnix),
    q05: finiteOrNull(f.q05),
    q25: finiteOrNull(f.q25),
    q50: finiteOrNull(f.q50),
    q75: finiteOrNull(f.q75),
    q95: finiteOrNull(f.q95),
  };
}

/** Several series on the union of their dates (a series without a date there has a gap). */
function overlayData(group: readonly FanSeries[]): ChartData {
  const dates = [...new Set(group.flatMap((f) => f.dates))].sort();
  const on = (f: FanSeries, values: readonly number[]): (number | null)[] => {
    const by = new Map(f.dates.map((d, i) => [d, values[i]!]));
    return finiteOrNull(dates.map((d) => by.get(d) ?? Number.NaN));
  };
  return {
    kind: 'overlay',
    unit: group[0]!.unit ?? '',
    x: dates.map(dateToUnix),
    series: group.map((f) => ({
      label: f.point ?? f.label,
      q25: on(f, f.q25),
      q50: on(f, f.q50),
      q75: on(f, f.q75),
    })),
  };
}

/** The warning of quantiles from too few runs, or '' when every series has enough (or says nothing). */
function fewRunsWarning(fans: readonly FanSeries[]): string {
  const few = new Map<string, number>();
  for (const f of fans) if (f.runs !== undefined && f.runs < MIN_RUNS) few.set(f.point ?? f.label, f.runs);
  if (few.size === 0) return '';
  const list = [...few].map(([name, runs]) => `${name}: ${runs} run${runs === 1 ? '' : 's'}`).join('; ');
  return `<p class="warn" role="alert"><strong>Fewer than ${MIN_RUNS} runs make these quantiles</strong> (${escapeHtml(list)}). With so few runs the 5% and 95% quantiles are little more than the lowest and the highest run, and the bands are rough: run more seeds (for example <code>--seeds 1..20</code>) before reading them.</p>`;
}

/** "92.00 [88.00–96.00]": the median over the range in brackets, on two lines (narrow on a phone). */
function twoLines(cell: string): Cell {
  const m = /^(.*\S) (\[[^[\]]*\])$/.exec(cell);
  return m === null ? cell : { html: `${escapeHtml(m[1]!)}<br><span class="range">${escapeHtml(m[2]!)}</span>` };
}

export function renderFanReport(input: FanReportInput): string {
  for (const f of input.fans) checkLengths(f);
  const groups = groupsOf(input.fans);
  const data: ChartData[] = groups.map((g) => (g.length === 1 ? fanData(g[0]!) : overlayData(g)));

  const charts = groups
    .map((g, i) => {
      const f = g[0]!;
      const unit = f.unit === undefined || f.unit === '' ? '' : ` <span class="unit">(${escapeHtml(f.unit)})</span>`;
      const title = g.length === 1 ? f.label : (f.group ?? f.label);
      const empty = g.every((s) => s.dates.length === 0);
      const kind = g.length === 1 ? 'fan' : 'overlay';
      const body = empty
        ? '<p class="empty">No data.</p>'
        : `<div class="chart" data-chart="${kind}" data-fan="${i}"></div>`;
      const note =
        g.length === 1
          ? ''
          : `<p class="note">${g.length} series on one chart: each one's median as a line and the middle half of its runs (25–75%) as a band of its colour. Click a name in the legend to hide or show it.</p>\n`;
      return `<h3>${escapeHtml(title)}${unit}</h3>\n${note}${body}`;
    })
    .join('\n');

  const byPoint = input.table.byPoint;
  const sideBySide =
    byPoint === undefined || byPoint.rows.length === 0
      ? ''
      : `<section class="card by-point">
<h2>Points side by side</h2>
<p class="note">Each figure across the points: the median over the runs, and in brackets the 5% and 95% quantiles.</p>
${renderTable({ columns: byPoint.columns, rows: byPoint.rows.map((r) => r.map(twoLines)), wrapColumns: [0], className: 'side-by-side' })}
</section>`;

  const table =
    input.table.rows.length === 0
      ? '<p class="empty">No rows.</p>'
      : renderTable({ columns: input.table.columns, rows: input.table.rows, wrapColumns: [0] });

  const anySingle = groups.some((g) => g.length === 1);
  const body = `<header class="page">
<h1>${escapeHtml(input.title)}</h1>
<p class="subtitle">${escapeHtml(input.subtitle)}</p>
${fewRunsWarning(input.fans)}
</header>
<section class="card fans">
<h2>Distributions over time</h2>
${anySingle ? '<p class="note">Median line; the dark band holds the middle half of the runs (25–75%), the light band 90% of them (5–95%).</p>' : ''}
${input.fans.length === 0 ? '<p class="empty">No series.</p>' : charts}
</section>
${sideBySide}
<section class="card">
<h2>${byPoint === undefined ? 'Table' : 'All quantiles'}</h2>
${table}
</section>
<footer class="page">Dates are trading days, China time. Charts: uPlot. Hover a chart for the values of a day; drag to zoom, double-click to reset.</footer>`;

  return renderPage({ title: input.title, body, data: { fans: data }, script: FAN_SCRIPT, assets: input.assets });
}

const FAN_SCRIPT = `
function fanValue(u, v) {
  if (v == null) return '–';
  return Math.abs(v) >= 1000 ? fmtInt(v) : fmtPrice(v);
}
function fanAxis(unit) {
  return axis(unit, function (u, splits) {
    return splits.map(function (v) { return Math.abs(v) >= 1e4 ? fmtCompact(v) : uPlot.fmtNum(v); });
  });
}
/** Colours of overlaid series, as r,g,b: a line in full colour, a band faint. */
var PALETTE = ['31,95,168', '217,115,13', '42,157,143', '138,79,191', '194,24,91', '107,114,128', '140,109,31',
  '15,118,110'];
function dateSeries() { return { label: 'Date', value: function (u, v) { return v == null ? '–' : dayOf(v); } }; }
REPORT.fans.forEach(function (f, i) {
  var el = document.querySelector('[data-fan="' + i + '"]');
  if (!el) return;
  if (f.kind === 'overlay') {
    mount(el, function (width) {
      var series = [dateSeries()];
      var data = [f.x];
      var bands = [];
      var hidden = [];
      f.series.forEach(function (s, k) {
        var rgb = PALETTE[k % PALETTE.length];
        // 75% and 25% edges (no line, out of the legend), the band between them, the median on top.
        series.push({ label: s.label + ' 75%', stroke: 'rgba(' + rgb + ',0)', width: 0, value: fanValue,
          points: { show: false } });
        data.push(s.q75);
        series.push({ label: s.label + ' 25%', stroke: 'rgba(' + rgb + ',0)', width: 0, value: fanValue,
          points: { show: false } });
        data.push(s.q25);
        bands.push({ series: [series.length - 2, series.length - 1], fill: 'rgba(' + rgb + ',0.13)' });
        hidden.push(series.length - 2, series.length - 1);
        series.push({ label: s.label, stroke: 'rgb(' + rgb + ')', width: 2, value: fanValue,
          points: { show: false } });
        data.push(s.q50);
      });
      return [{
        width: width, height: 320,
        padding: [12, 16, null, null],
        scales: { x: { time: true } },
        tzDate: tzDate,
        axes: [xAxis(), fanAxis(f.unit)],
        series: series,
        bands: bands,
        hooks: { init: [function (u) {
          // The band edges stay out of the legend; clicking a median hides its band with it.
          var rows = u.root.querySelectorAll('.u-legend .u-series');
          hidden.forEach(function (s) { if (rows[s]) rows[s].style.display = 'none'; });
        }], setSeries: [function (u, s) {
          if (s == null || hidden.indexOf(s) >= 0) return;
          var show = u.series[s].show;
          if (u.series[s - 1].show !== show) u.setSeries(s - 1, { show: show });
          if (u.series[s - 2].show !== show) u.setSeries(s - 2, { show: show });
        }] },
      }, data];
    });
    return;
  }
  mount(el, function (width) {
    var edge = 'rgba(31,95,168,0.35)';
    return [{
      width: width, height: 280,
      padding: [12, 16, null, null],
      scales: { x: { time: true } },
      tzDate: tzDate,
      axes: [xAxis(), fanAxis(f.unit)],
      series: [
        dateSeries(),
        { label: '5%', stroke: edge, width: 1, value: fanValue, points: { show: false } },
        { label: '25%', stroke: edge, width: 1, value: fanValue, points: { show: false } },
        { label: 'Median', stroke: COLORS.close, width: 2, value: fanValue },
        { label: '75%', stroke: edge, width: 1, value: fanValue, points: { show: false } },
        { label: '95%', stroke: edge, width: 1, value: fanValue, points: { show: false } },
      ],
      bands: [
        { series: [5, 1], fill: 'rgba(31,95,168,0.12)' },
        { series: [4, 2], fill: 'rgba(31,95,168,0.22)' },
      ],
    }, [f.x, f.q05, f.q25, f.q50, f.q75, f.q95]];
  });
});
`;
