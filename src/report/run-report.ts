// report.html of one run: the scenario, key figures per market, then per market the price path with the events
// marked beside the public and the agents' valuation, the stylized facts of the daily returns, the expected balance,
// volume by mode and compliance by sector, and the event log. One self-contained page (uPlot inlined, data
// as JSON); pure string building, every text from the run escaped.
import type {
  DailyRow,
  LoggedEvent,
  MarketSummary,
  RunSummary,
  SectorResult,
  StylizedFacts,
} from '../sim/output-types.ts';
import { stylizedFactsOfPrices } from '../sim/stylized-facts.ts';
import type { ReportAssets } from './assets.ts';
import {
  type Cell,
  dateToUnix,
  escapeHtml,
  fenToCny,
  formatDecimal,
  formatInt,
  renderPage,
  renderTable,
  toFen,
  truncate,
} from './shared.ts';

export interface RunReportInput {
  readonly summary: RunSummary;
  readonly events: readonly LoggedEvent[];
  readonly assets: ReportAssets;
}

/** Above this many marked dates on one price chart, markers carry only their event numbers. */
const MAX_TEXT_MARKERS = 10;
const MARKER_TEXT_CHARS = 38;

/** What the page's script draws for one market. */
interface MarketChartData {
  readonly x: number[];
  readonly close: (number | null)[];
  readonly high: (number | null)[];
  readonly low: (number | null)[];
  /** The public valuation and the agents' mean valuation (CNY/t); null when the summary has none. */
  readonly fair: (number | null)[] | null;
  readonly agents: (number | null)[] | null;
  readonly listedT: number[];
  readonly blockT: number[];
  readonly markers: { x: number; label: string }[];
  readonly compliance: {
    readonly labels: string[];
    readonly rate: number[];
    readonly shortfallT: number[];
  } | null;
  /** The sampled expected balance: current cycle's net position and the first horizon year's deficit (t). */
  readonly balance: {
    readonly x: number[];
    readonly currentT: number[];
    readonly deficitT: (number | null)[];
    /** The first horizon year when the same on every sample, else null. */
    readonly year: number | null;
  } | null;
}

interface NumberedEvent extends LoggedEvent {
  readonly n: number;
}

interface KeyFigures {
  readonly listedT: number;
  readonly listedFen: bigint;
  readonly blockT: number;
  readonly blockFen: bigint;
  readonly high: string | null;
  readonly low: string | null;
  readonly lastClose: string | null;
  readonly daysTraded: number;
}

export function renderRunReport(input: RunReportInput): string {
  const { summary, assets } = input;
  const markets = orderedMarkets(summary);
  const events = numberedEvents(input.events);
  const marketName = (id: string | null): string => (id === null ? 'All markets' : (summary.markets[id]?.name ?? id));

  const chartData: MarketChartData[] = [];
  const sections: string[] = [];
  markets.forEach((m, i) => {
    const compliance = summary.compliance.filter((r) => r.marketId === m.id);
    const marketEvents = events.filter((e) => e.marketId === null || e.marketId === m.id);
    chartData.push(chartDataOf(m, compliance, marketEvents));
    sections.push(renderMarketSection(m, i, compliance, marketEvents.length));
  });

  const known = new Set(markets.map((m) => m.id));
  const orphans = summary.compliance.filter((r) => !known.has(r.marketId));
  if (orphans.length > 0) {
    sections.push(
      `<section class="card" id="other-compliance"><h2>Compliance in markets without trading data</h2>${complianceTable(orphans, true)}</section>`,
    );
  }

  const title = `${summary.scenario.title} — run report`;
  const body = [
    renderHeader(summary, markets),
    ...sections,
    renderEventLog(events, marketName),
    `<footer class="page">Prices in CNY per tonne, volumes in tonnes, money in CNY. Dates are trading days, China time. ` +
      `Charts: uPlot. Hover a chart for daily values; drag to zoom, double-click to reset.</footer>`,
  ].join('\n');

  return renderPage({ title, body, data: { markets: chartData }, script: RUN_SCRIPT, assets });
}

/** National first, then the pilots in the summary's order, then CCER. */
function orderedMarkets(summary: RunSummary): MarketSummary[] {
  const all = Object.values(summary.markets);
  const rank = (m: MarketSummary): number => (m.id === 'national' ? 0 : m.id === 'ccer' ? 2 : 1);
  return all
    .map((m, i) => ({ m, i }))
    .sort((a, b) => rank(a.m) - rank(b.m) || a.i - b.i)
    .map(({ m }) => m);
}

/** The log in date order (stable), numbered from 1: markers on the charts refer to these numbers. */
function numberedEvents(events: readonly LoggedEvent[]): NumberedEvent[] {
  return events
    .map((e, i) => ({ e, i }))
    .sort((a, b) => (a.e.date < b.e.date ? -1 : a.e.date > b.e.date ? 1 : a.i - b.i))
    .map(({ e }, k) => ({ ...e, n: k + 1 }));
}

function num(value: string | null): number | null {
  if (value === null) return null;
  const n = Number(value);
  return Number.isFinite(n) ? n : null;
}

function chartDataOf(
  m: MarketSummary,
  compliance: readonly SectorResult[],
  events: readonly NumberedEvent[],
): MarketChartData {
  const daily = m.daily;
  const first = daily[0]?.date;
  const last = daily[daily.length - 1]?.date;
  const inRange =
    first === undefined || last === undefined ? [] : events.filter((e) => e.date >= first && e.date <= last);
  const byDate = new Map<string, NumberedEvent[]>();
  for (const e of inRange) {
    const list = byDate.get(e.date);
    if (list === undefined) byDate.set(e.date, [e]);
    else list.push(e);
  }
  const textual = byDate.size <= MAX_TEXT_MARKERS;
  const markers = [...byDate].map(([date, list]) => {
    const numbers = list.map((e) => `#${e.n}`).join(' ');
    const firstText = list[0]?.text ?? '';
    const more = list.length > 1 ? ` (+${list.length - 1})` : '';
    return {
      x: dateToUnix(date),
      label: textual ? `${numbers} ${truncate(firstText, MARKER_TEXT_CHARS)}${more}` : numbers,
    };
  });

  const fair = daily.map((d) => num(d.fairValue ?? null));
  const agents = daily.map((d) => num(d.agentsValue ?? null));
  const balance = m.balance ?? [];
  const years = new Set(balance.map((b) => b.years[0]?.year ?? null));
  return {
    x: daily.map((d) => dateToUnix(d.date)),
    close: daily.map((d) => num(d.close)),
    high: daily.map((d) => num(d.high)),
    low: daily.map((d) => num(d.low)),
    fair: fair.some((v) => v !== null) ? fair : null,
    agents: agents.some((v) => v !== null) ? agents : null,
    listedT: daily.map((d) => d.listed.volumeT),
    blockT: daily.map((d) => d.block.volumeT),
    markers,
    compliance:
      compliance.length === 0
        ? null
        : {
            labels: compliance.map((r) => sectorLabel(r, compliance)),
            rate: compliance.map((r) => r.complianceRate),
            shortfallT: compliance.map((r) => r.shortfallT),
          },
    balance:
      balance.length === 0
        ? null
        : {
            x: balance.map((b) => dateToUnix(b.date)),
            currentT: balance.map((b) => b.currentT),
            deficitT: balance.map((b) => b.years[0]?.deficitT ?? null),
            year: years.size === 1 ? [...years][0]! : null,
          },
  };
}

/** The summary's stylized facts, or (a summary without them) computed from the closes of the days that traded. */
function factsOf(m: MarketSummary): StylizedFacts {
  if (m.stylizedFacts !== undefined) return m.stylizedFacts;
  const closes: number[] = [];
  for (const d of m.daily) {
    const c = d.open === null ? null : num(d.close);
    if (c !== null && c > 0) closes.push(c);
  }
  return stylizedFactsOfPrices(closes);
}

const fixed = (x: number | null, digits: number): string => (x === null ? '–' : x.toFixed(digits));
const percent = (x: number | null, digits: number): string => (x === null ? '–' : `${(x * 100).toFixed(digits)}%`);

/** The stylized facts as a small grid of figures: one row on a wide screen, two columns on a phone. */
function factsTable(f: StylizedFacts): string {
  const items: [string, string][] = [
    ['Returns', formatInt(f.returns)],
    ['Mean (daily)', percent(f.mean, 3)],
    ['SD (daily)', percent(f.sd, 2)],
    ['SD (annualised)', percent(f.sdAnnual, 1)],
    ['Excess kurtosis', fixed(f.excessKurtosis, 2)],
    ['ACF(1) of returns', fixed(f.acf1, 3)],
    ['ACF(1) of |returns|', fixed(f.absAcf1, 3)],
    ['ACF(5) of |returns|', fixed(f.absAcf5, 3)],
  ];
  const cells = items.map(([k, v]) => `<div><dt>${escapeHtml(k)}</dt><dd>${escapeHtml(v)}</dd></div>`).join('');
  return `<dl class="stats stylized-facts">${cells}</dl>`;
}

/** The sector, with its cycle when the market has results for more than one cycle. */
function sectorLabel(r: SectorResult, all: readonly SectorResult[]): string {
  const cycles = new Set(all.map((x) => x.cycleId));
  return cycles.size > 1 ? `${r.sector} (${r.cycleId})` : r.sector;
}

function keyFigures(daily: readonly DailyRow[]): KeyFigures {
  let listedT = 0;
  let blockT = 0;
  let listedFen = 0n;
  let blockFen = 0n;
  let high: string | null = null;
  let low: string | null = null;
  let lastClose: string | null = null;
  let daysTraded = 0;
  for (const d of daily) {
    listedT += d.listed.volumeT;
    blockT += d.block.volumeT;
    listedFen += toFen(d.listed.turnoverCny);
    blockFen += toFen(d.block.turnoverCny);
    if (d.listed.volumeT > 0 || d.block.volumeT > 0) daysTraded++;
    if (d.high !== null && (high === null || Number(d.high) > Number(high))) high = d.high;
    if (d.low !== null && (low === null || Number(d.low) < Number(low))) low = d.low;
    if (d.close !== null) lastClose = d.close;
  }
  return { listedT, listedFen, blockT, blockFen, high, low, lastClose, daysTraded };
}

/** Turnover over volume, in CNY per tonne rounded half up to the fen; null without volume. */
function averagePrice(fen: bigint, volumeT: number): string | null {
  if (volumeT <= 0) return null;
  const v = BigInt(volumeT);
  return fenToCny((fen * 2n + v) / (2n * v));
}

const dash = (s: string | null): string => (s === null ? '–' : formatDecimal(s));

function anchor(i: number): string {
  return `market-${i}`;
}

function renderHeader(summary: RunSummary, markets: readonly MarketSummary[]): string {
  const { scenario, period, counts } = summary;
  const facts: [string, string][] = [
    ['Scenario', scenario.id],
    ['Seed', String(summary.seed)],
    ['Scenario hash', scenario.hash],
    ['Period', `${period.from} to ${period.to} (${formatInt(counts.days)} trading days)`],
    [
      'Activity',
      `${formatInt(counts.orders)} orders, ${formatInt(counts.trades)} trades, ${formatInt(counts.rejected)} rejected`,
    ],
  ];
  const dl = facts
    .map(
      ([k, v], i) => `<dt>${escapeHtml(k)}</dt><dd>${i === 2 ? `<code>${escapeHtml(v)}</code>` : escapeHtml(v)}</dd>`,
    )
    .join('');
  const rows: Cell[][] = markets.map((m, i) => {
    const f = keyFigures(m.daily);
    return [
      { html: `<a href="#${anchor(i)}">${escapeHtml(m.name)}</a>` },
      formatInt(f.listedT),
      formatDecimal(fenToCny(f.listedFen)),
      dash(averagePrice(f.listedFen, f.listedT)),
      dash(f.high),
      dash(f.low),
      dash(f.lastClose),
      formatInt(f.blockT),
      formatDecimal(fenToCny(f.blockFen)),
    ];
  });
  const table = renderTable({
    columns: [
      'Market',
      'Listed volume (t)',
      'Listed turnover (CNY)',
      'Listed average (CNY/t)',
      'High (CNY/t)',
      'Low (CNY/t)',
      'Last close (CNY/t)',
      'Block volume (t)',
      'Block turnover (CNY)',
    ],
    rows,
    wrapColumns: [0],
    className: 'key-figures',
  });
  return `<header class="page">
<h1>${escapeHtml(scenario.title)}</h1>
<p class="subtitle">Simulation run report</p>
<dl class="facts">${dl}</dl>
<h3>Key figures</h3>
${table}
<nav class="markets">${markets.map((m, i) => `<a href="#${anchor(i)}">${escapeHtml(m.name)}</a>`).join('')}<a href="#event-log">Event log</a></nav>
</header>`;
}

function renderMarketSection(
  m: MarketSummary,
  i: number,
  compliance: readonly SectorResult[],
  eventCount: number,
): string {
  const f = keyFigures(m.daily);
  const note = [
    `<code>${escapeHtml(m.id)}</code>`,
    m.instruments.length > 0 ? `instruments ${m.instruments.map((s) => escapeHtml(s)).join(', ')}` : '',
    `${formatInt(m.daily.length)} trading days, ${formatInt(f.daysTraded)} with trades`,
  ]
    .filter((s) => s !== '')
    .join(' · ');
  const parts = [`<section class="card market" id="${anchor(i)}" data-market-id="${escapeHtml(m.id)}">`];
  parts.push(`<h2>${escapeHtml(m.name)}</h2><p class="note">${note}</p>`);

  if (m.daily.length === 0) {
    parts.push('<p class="empty">No trading days for this market in the run.</p>');
  } else {
    const markerNote =
      eventCount > 0 ? ' Dashed lines mark events for this market or all markets; numbers refer to the event log.' : '';
    const valued = m.daily.some((d) => d.fairValue != null || d.agentsValue != null);
    const valueNote = valued
      ? " Beside it the public fair value of an allowance (from fundamentals) and the agents' mean valuation, each morning."
      : '';
    parts.push(
      '<h3>Price path</h3>',
      `<p class="note">Daily close (the market's comprehensive price) and the band between the day's listed high and low.${valueNote}${markerNote}</p>`,
      `<div class="chart" data-chart="price" data-market="${i}"></div>`,
      '<h3>Stylized facts of daily returns</h3>',
      '<p class="note">Log returns of consecutive closes of the days with listed trades. Excess kurtosis above 0 means fat tails; autocorrelation (ACF) of absolute returns above 0 means volatility clustering.</p>',
      factsTable(factsOf(m)),
      '<h3>Volume by mode</h3>',
      '<p class="note">Tonnes traded per day by listed agreement and by block (bulk) agreement.</p>',
      `<div class="chart" data-chart="volume" data-market="${i}"></div>`,
    );
    const balance = m.balance ?? [];
    if (balance.length > 0) {
      parts.push(
        '<h3>Expected balance</h3>',
        '<p class="note">As the market\'s outlook saw it, on the first day, the last trading day of each month and the last day: the current cycle\'s net position (allowances and usable offsets held less obligations still to surrender; below 0: short) and the expected deficit of the first year after the cycle at the fair value (below 0: a surplus).</p>',
        `<div class="chart" data-chart="balance" data-market="${i}"></div>`,
      );
    }
    parts.push('<h3>Monthly</h3>', monthlyTable(m));
  }

  parts.push('<h3>Compliance by sector</h3>');
  if (compliance.length === 0) {
    parts.push('<p class="empty">No compliance deadline in this period.</p>');
  } else {
    parts.push(
      '<p class="note">Per sector: the share of entities fully compliant (left axis) and the tonnes still owed (right axis).</p>',
      `<div class="chart" data-chart="compliance" data-market="${i}"></div>`,
      complianceTable(compliance, false),
    );
  }
  parts.push('</section>');
  return parts.join('\n');
}

function monthlyTable(m: MarketSummary): string {
  const rows = Object.keys(m.monthly)
    .sort()
    .map((month) => {
      const r = m.monthly[month]!;
      return [
        month,
        formatInt(r.listed.volumeT),
        formatDecimal(r.listed.turnoverCny),
        dash(r.listedAverage),
        formatInt(r.block.volumeT),
        formatDecimal(r.block.turnoverCny),
      ];
    });
  if (rows.length === 0) return '<p class="empty">No monthly figures.</p>';
  return renderTable({
    columns: [
      'Month',
      'Listed volume (t)',
      'Listed turnover (CNY)',
      'Listed average (CNY/t)',
      'Block volume (t)',
      'Block turnover (CNY)',
    ],
    rows,
  });
}

function complianceTable(results: readonly SectorResult[], withMarket: boolean): string {
  const rows = results.map((r) => [
    ...(withMarket ? [r.marketId] : []),
    r.sector,
    r.cycleId,
    formatInt(r.entities),
    formatInt(r.verifiedT),
    formatInt(r.allocatedT),
    formatInt(r.surrenderedT),
    formatInt(r.offsetsT),
    formatInt(r.shortfallT),
    `${(r.complianceRate * 100).toFixed(1)}%`,
    formatDecimal(r.fineCny),
    formatDecimal(r.netCostCny),
  ]);
  return renderTable({
    columns: [
      ...(withMarket ? ['Market'] : []),
      'Sector',
      'Cycle',
      'Entities',
      'Verified (t)',
      'Allocated (t)',
      'Surrendered (t)',
      'Offsets (t)',
      'Shortfall (t)',
      'Compliance rate',
      'Fines (CNY)',
      'Net cost (CNY)',
    ],
    rows,
    textColumns: withMarket ? [0, 1, 2] : [0, 1],
    wrapColumns: withMarket ? [0] : [],
    className: 'compliance',
  });
}

function renderEventLog(events: readonly NumberedEvent[], marketName: (id: string | null) => string): string {
  const body =
    events.length === 0
      ? '<p class="empty">No events in this run.</p>'
      : renderTable({
          columns: ['#', 'Date', 'Market', 'Kind', 'Text'],
          rows: events.map((e) => [String(e.n), e.date, marketName(e.marketId), e.kind, e.text]),
          textColumns: [1, 2, 3, 4],
          wrapColumns: [2, 4],
          className: 'event-log',
        });
  return `<section class="card" id="event-log"><h2>Event log</h2>
<p class="note">Scenario events as they took effect, and what the simulator did because of them.</p>
${body}
</section>`;
}

/** The page's script: draws each market's charts from the embedded data (helpers from CLIENT_COMMON). */
const RUN_SCRIPT = `
function priceValue(u, v) { return fmtPrice(v); }
function tonnes(u, v) { return v == null ? '–' : fmtInt(v) + ' t'; }
function dayValue(u, v) { return v == null ? '–' : dayOf(v); }
var compactTicks = compactTicksCommon;
function fromZero(u, min, max) { return [0, max > 0 ? max * 1.08 : 1]; }
/** Zero always in view (above it long, below it short), with some room beyond the data. */
function withZero(u, min, max) {
  var lo = Math.min(0, min), hi = Math.max(0, max), pad = (hi - lo) * 0.08 || 1;
  return [lo < 0 ? lo - pad : 0, hi > 0 ? hi + pad : 0];
}
function chartEl(kind, i) { return document.querySelector('[data-chart="' + kind + '"][data-market="' + i + '"]'); }

REPORT.markets.forEach(function (m, i) {
  if (m.x.length > 0) {
    var xMin = m.x[0] - 0.7 * DAY, xMax = m.x[m.x.length - 1] + 0.7 * DAY;
    var first = m.x[0], last = m.x[m.x.length - 1];
    // Half a day of room either side for the bars, on the full view; a zoomed view keeps the selection.
    var xScale = { time: true, range: function (u, min, max) {
      return min === first && max === last ? [xMin, xMax] : [min, max];
    } };
    var sync = { key: 'market-' + i };
    var valueSeries = [];
    // The agents' valuation first (solid, under), the fair value dashed on top: they are often close.
    if (m.agents) valueSeries.push({ data: m.agents, series: { label: "Agents' valuation", stroke: COLORS.agents,
      width: 2.5, value: priceValue, points: { show: false } } });
    if (m.fair) valueSeries.push({ data: m.fair, series: { label: 'Fair value', stroke: COLORS.fair, width: 2,
      dash: [7, 5], value: priceValue, points: { show: false } } });
    mount(chartEl('price', i), function (width) {
      var markers = m.markers.map(function (k) { return { x: k.x, label: k.label }; });
      var rows = layoutMarkers(markers, xMin, xMax, width - 62 - 16);
      return [{
        width: width, height: 300 + rows * 16,
        padding: [rows > 0 ? rows * 16 + 4 : 12, 16, null, null],
        cursor: { sync: sync },
        scales: { x: xScale },
        tzDate: tzDate,
        axes: [xAxis(), axis('Price (CNY/t)')],
        series: [
          { label: 'Date', value: dayValue },
          { label: 'High', stroke: COLORS.hilo, width: 1, value: priceValue, points: { show: false } },
          { label: 'Low', stroke: COLORS.hilo, width: 1, value: priceValue, points: { show: false } },
          { label: 'Close (CNY/t)', stroke: COLORS.close, width: 2, value: priceValue },
        ].concat(valueSeries.map(function (v) { return v.series; })),
        bands: [{ series: [1, 2], fill: COLORS.band }],
        plugins: [markerPlugin(markers)],
      }, [m.x, m.high, m.low, m.close].concat(valueSeries.map(function (v) { return v.data; }))];
    });
    mount(chartEl('volume', i), function (width) {
      return [{
        width: width, height: 220,
        padding: [12, 16, null, null],
        cursor: { sync: sync },
        scales: { x: xScale, y: { range: fromZero } },
        tzDate: tzDate,
        axes: [xAxis(), axis('Volume (t)', compactTicks)],
        series: [
          { label: 'Date', value: dayValue },
          { label: 'Listed', fill: COLORS.listed, stroke: COLORS.listed, width: 0, paths: groupedBars(2, 0, DAY),
            points: { show: false }, value: tonnes },
          { label: 'Block', fill: COLORS.block, stroke: COLORS.block, width: 0, paths: groupedBars(2, 1, DAY),
            points: { show: false }, value: tonnes },
        ],
      }, [m.x, m.listedT, m.blockT]];
    });
  }
  var b = m.balance;
  if (b && m.x.length > 0) {
    var deficitLabel = b.year == null ? 'Deficit, first year after the cycle' : 'Deficit ' + b.year;
    mount(chartEl('balance', i), function (width) {
      return [{
        width: width, height: 220,
        padding: [12, 16, null, null],
        cursor: { sync: sync },
        // The run's whole span (not only the sampled days), so the chart lines up with the price above.
        scales: { x: { time: true, range: function (u, min, max) {
          return min === b.x[0] && max === b.x[b.x.length - 1] ? [xMin, xMax] : [min, max];
        } }, y: { range: withZero } },
        tzDate: tzDate,
        axes: [xAxis(), axis('Tonnes', compactTicks)],
        series: [
          { label: 'Date', value: dayValue },
          { label: 'Current cycle net position', stroke: COLORS.close, width: 2, value: tonnes,
            points: { show: true, size: 6, fill: COLORS.close } },
          { label: deficitLabel, stroke: COLORS.shortfall, width: 2, value: tonnes,
            points: { show: true, size: 6, fill: COLORS.shortfall } },
        ],
      }, [b.x, b.currentT, b.deficitT]];
    });
  }
  var c = m.compliance;
  if (c) {
    var n = c.labels.length;
    var cats = c.labels.map(function (_, j) { return j; });
    var percent = c.rate.map(function (r) { return Math.round(r * 1000) / 10; });
    mount(chartEl('compliance', i), function (width) {
      return [{
        width: width, height: 240,
        padding: [12, 8, null, null],
        cursor: { drag: { x: false, y: false } },
        scales: {
          x: { time: false, range: function () { return [-0.5, n - 0.5]; } },
          pct: { range: [0, 108] },
          t: { range: fromZero },
        },
        axes: [
          xAxis({ splits: function () { return cats; }, grid: { show: false },
            values: function (u, splits) { return splits.map(function (v) { return c.labels[v] || ''; }); } }),
          axis('Entities compliant (%)', null, { scale: 'pct' }),
          axis('Shortfall (t)', compactTicks, { scale: 't', side: 1, grid: { show: false } }),
        ],
        series: [
          { label: 'Sector', value: function (u, v) { return v == null ? '–' : (c.labels[v] || ''); } },
          { label: 'Entities compliant', scale: 'pct', fill: COLORS.surrendered, stroke: COLORS.surrendered, width: 0,
            paths: groupedBars(2, 0, 1), points: { show: false },
            value: function (u, v) { return v == null ? '–' : v.toFixed(1) + '%'; } },
          { label: 'Shortfall', scale: 't', fill: COLORS.shortfall, stroke: COLORS.shortfall, width: 0,
            paths: groupedBars(2, 1, 1), points: { show: false }, value: tonnes },
        ],
      }, [cats, percent, c.shortfallT]];
    });
  }
});
`;
