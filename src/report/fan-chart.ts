// A page of fan charts: for each series the 5–95% and 25–75% bands and the median over dates, then a table. The
// batch runner uses it for quantiles across seeds. Self-contained like the run report; pure string building.
import type { ReportAssets } from './assets.ts';
import { dateToUnix, escapeHtml, renderPage, renderTable } from './shared.ts';

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
}

export interface FanReportInput {
  readonly title: string;
  readonly subtitle: string;
  readonly fans: readonly FanSeries[];
  readonly table: { readonly columns: string[]; readonly rows: string[][] };
  readonly assets: ReportAssets;
}

const QUANTILES = ['q05', 'q25', 'q50', 'q75', 'q95'] as const;

/** Non-finite values (NaN, ±Infinity) become gaps: JSON would turn them into null anyway. */
function finiteOrNull(values: readonly number[]): (number | null)[] {
  return values.map((v) => (Number.isFinite(v) ? v : null));
}

export function renderFanReport(input: FanReportInput): string {
  const data = input.fans.map((f) => {
    for (const q of QUANTILES) {
      if (f[q].length !== f.dates.length) {
        throw new RangeError(`fan "${f.label}": ${q} has ${f[q].length} values for ${f.dates.length} dates`);
      }
    }
    return {
      unit: f.unit ?? '',
      x: f.dates.map(dateToUnix),
      q05: finiteOrNull(f.q05),
      q25: finiteOrNull(f.q25),
      q50: finiteOrNull(f.q50),
      q75: finiteOrNull(f.q75),
      q95: finiteOrNull(f.q95),
    };
  });

  const charts = input.fans
    .map((f, i) => {
      const unit = f.unit === undefined || f.unit === '' ? '' : ` <span class="unit">(${escapeHtml(f.unit)})</span>`;
      const body =
        f.dates.length === 0
          ? '<p class="empty">No data.</p>'
          : `<div class="chart" data-chart="fan" data-fan="${i}"></div>`;
      return `<h3>${escapeHtml(f.label)}${unit}</h3>\n${body}`;
    })
    .join('\n');

  const table =
    input.table.rows.length === 0
      ? '<p class="empty">No rows.</p>'
      : renderTable({ columns: input.table.columns, rows: input.table.rows, wrapColumns: [0] });

  const body = `<header class="page">
<h1>${escapeHtml(input.title)}</h1>
<p class="subtitle">${escapeHtml(input.subtitle)}</p>
</header>
<section class="card fans">
<h2>Distributions over time</h2>
<p class="note">Median line; the dark band holds the middle half of the runs (25–75%), the light band 90% of them (5–95%).</p>
${input.fans.length === 0 ? '<p class="empty">No series.</p>' : charts}
</section>
<section class="card">
<h2>Table</h2>
${table}
</section>
<footer class="page">Dates are trading days, China time. Charts: uPlot. Hover a chart for the quantiles of a day; drag to zoom, double-click to reset.</footer>`;

  return renderPage({ title: input.title, body, data: { fans: data }, script: FAN_SCRIPT, assets: input.assets });
}

const FAN_SCRIPT = `
function fanValue(u, v) {
  if (v == null) return '–';
  return Math.abs(v) >= 1000 ? fmtInt(v) : fmtPrice(v);
}
REPORT.fans.forEach(function (f, i) {
  var el = document.querySelector('[data-chart="fan"][data-fan="' + i + '"]');
  if (!el) return;
  mount(el, function (width) {
    var edge = 'rgba(31,95,168,0.35)';
    return [{
      width: width, height: 280,
      padding: [12, 16, null, null],
      scales: { x: { time: true } },
      tzDate: tzDate,
      axes: [xAxis(), axis(f.unit, function (u, splits) {
        return splits.map(function (v) { return Math.abs(v) >= 1e4 ? fmtCompact(v) : uPlot.fmtNum(v); });
      })],
      series: [
        { label: 'Date', value: function (u, v) { return v == null ? '–' : dayOf(v); } },
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
