// report.html of one run: the scenario, key figures per market, then per market the price path with the events
// marked beside the public and the agents' valuation, the stylized facts of the daily returns, the expected balance,
// volume by mode and compliance by sector, and the event log. One self-contained page (uPlot inlined, data
// as JSON); pure string building, every text from the run escaped.

import { cnyToBigFen, fenToCny } from '../market/money.ts';
import type { FigureResult, FigureSpec, FiguresFile } from '../sim/figures.ts';
import type {
  DailyRow,
  LoggedEvent,
  MarketSummary,
  RunSummary,
  SectorResult,
  StylizedFacts,
} from '../sim/output-types.ts';
import type { ObservedDay } from '../sim/replay/observed-day.ts';
import { stylizedFactsOfPrices } from '../sim/stylized-facts.ts';
import type { ReportAssets } from './assets.ts';
import {
  type Cell,
  dateToUnix,
  escapeHtml,
  formatDecimal,
  formatInt,
  renderPage,
  renderTable,
  truncate,
} from './shared.ts';

export interface RunReportInput {
  readonly summary: RunSummary;
  readonly events: readonly LoggedEvent[];
  readonly assets: ReportAssets;
  /** The market that observed, band and overlays belong to; default the report's first (national when present). */
  readonly compareMarket?: string;
  /** Observed days (e.g. a replay's price file), drawn over the simulated closes and volumes; outside days ignored. */
  readonly observed?: readonly ObservedDay[];
  /** Where the observed days come from (a file name), for the legend and the notes. */
  readonly observedLabel?: string;
  /** The spread of closes across seeds per day, drawn as a band in place of the day's high-low band. */
  readonly band?: readonly BandPoint[];
  /** Extra close lines, e.g. a counterfactual path. */
  readonly overlays?: readonly Overlay[];
  /** The scenario's published figures and how the run (or the runs) measure up, as a table. */
  readonly figures?: FiguresInput;
  /** Tables a command adds after the figures (e.g. a counterfactual's measures against its replay). */
  readonly tables?: readonly ReportTable[];
  /** Compliance deadlines by market and cycle: the compliance section names the deadline of a cycle not yet due. */
  readonly deadlines?: Readonly<Record<string, Readonly<Record<string, string>>>>;
}

/** A titled table with a note, every cell text (escaped when rendered). */
export interface ReportTable {
  readonly id: string;
  readonly title: string;
  readonly note: string;
  readonly columns: readonly string[];
  readonly rows: readonly (readonly string[])[];
}

/** The lowest and highest close across seeds on a day, CNY/t. */
export interface BandPoint {
  readonly date: string;
  readonly lowCny: number;
  readonly highCny: number;
}

/** An extra close line over the price chart, CNY/t. */
export interface Overlay {
  readonly label: string;
  readonly points: readonly { readonly date: string; readonly cny: number }[];
}

export interface FiguresInput {
  readonly file: FiguresFile;
  /** compare(file, runs) of src/sim/figures.ts: one result per figure of the file, in its order. */
  readonly results: readonly FigureResult[];
  /** How many runs (seeds) the results are the median of. */
  readonly seeds: number;
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
  readonly listedT: (number | null)[];
  readonly blockT: (number | null)[];
  readonly markers: { x: number; label: string }[];
  /** Settled sectors only: a cycle not yet due has no compliance to draw. */
  readonly compliance: {
    readonly labels: string[];
    readonly rate: number[];
    readonly shortfallT: number[];
  } | null;
  /** Observed days, the seeds' band and overlays, on the same x (the compared market only). */
  readonly compare: CompareChartData | null;
  /** The sampled expected balance: current cycle's net position and the first horizon year's deficit (t). */
  readonly balance: {
    readonly x: number[];
    readonly currentT: number[];
    readonly deficitT: (number | null)[];
    /** The first horizon year when the same on every sample, else null. */
    readonly year: number | null;
  } | null;
}

interface CompareChartData {
  readonly observedLabel: string;
  readonly observedClose: (number | null)[] | null;
  readonly observedVolume: (number | null)[] | null;
  readonly observedVolumeLabel: string;
  readonly bandLow: (number | null)[] | null;
  readonly bandHigh: (number | null)[] | null;
  readonly overlays: { label: string; values: (number | null)[] }[];
}

/** What the compared market is drawn with. */
interface CompareInput {
  readonly observed: readonly ObservedDay[];
  readonly observedLabel: string;
  readonly band: readonly BandPoint[];
  readonly overlays: readonly Overlay[];
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

  const compareId = input.compareMarket ?? markets[0]?.id;
  if (compareId !== undefined && summary.markets[compareId] === undefined)
    throw new RangeError(`compareMarket: the run has no market ${JSON.stringify(compareId)}`);
  const compare: CompareInput | null =
    (input.observed?.length ?? 0) + (input.band?.length ?? 0) + (input.overlays?.length ?? 0) === 0
      ? null
      : {
          observed: input.observed ?? [],
          observedLabel: input.observedLabel ?? 'observed',
          band: input.band ?? [],
          overlays: input.overlays ?? [],
        };

  const chartData: MarketChartData[] = [];
  const sections: string[] = [];
  markets.forEach((m, i) => {
    const compliance = summary.compliance.filter((r) => r.marketId === m.id);
    const marketEvents = events.filter((e) => e.marketId === null || e.marketId === m.id);
    const cmp = m.id === compareId ? compare : null;
    chartData.push(chartDataOf(m, compliance, marketEvents, cmp));
    sections.push(
      renderMarketSection(
        m,
        i,
        compliance,
        marketEvents.length,
        cmp,
        input.deadlines?.[m.id] ?? {},
        summary.period.to,
        summary.seed,
      ),
    );
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
    ...(input.figures === undefined ? [] : [renderFigures(input.figures)]),
    ...(input.tables ?? []).map(
      (t) =>
        `<section class="card" id="${escapeHtml(t.id)}"><h2>${escapeHtml(t.title)}</h2>\n<p class="note">${escapeHtml(t.note)}</p>\n${renderTable({ columns: t.columns, rows: t.rows, wrapColumns: [0] })}\n</section>`,
    ),
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
  cmp: CompareInput | null,
): MarketChartData {
  const daily = m.daily;
  const first = daily[0]?.date;
  const last = daily[daily.length - 1]?.date;
  // News events (a replay's inferred news, one nearly every day) stay in the log but get no marker: they would bury
  // the policy events' markers.
  const inRange =
    first === undefined || last === undefined
      ? []
      : events.filter((e) => e.kind !== 'news' && e.date >= first && e.date <= last);
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

  // The x of every chart: the run's days, and any compared day inside the run's span the run did not trade.
  const simulated = new Map(daily.map((d) => [d.date, d]));
  let dates = daily.map((d) => d.date);
  if (cmp !== null && first !== undefined && last !== undefined) {
    const extra = new Set<string>();
    const consider = (date: string): void => {
      if (date >= first && date <= last && !simulated.has(date)) extra.add(date);
    };
    for (const o of cmp.observed) consider(o.date);
    for (const b of cmp.band) consider(b.date);
    for (const o of cmp.overlays) for (const p of o.points) consider(p.date);
    if (extra.size > 0) dates = [...dates, ...extra].sort();
  }
  const per = <T>(f: (d: DailyRow) => T): (T | null)[] =>
    dates.map((date) => {
      const d = simulated.get(date);
      return d === undefined ? null : f(d);
    });

  const fair = per((d) => num(d.fairValue ?? null));
  const agents = per((d) => num(d.agentsValue ?? null));
  const balance = m.balance ?? [];
  const years = new Set(balance.map((b) => b.years[0]?.year ?? null));
  const settled = compliance.filter((r) => !notYetDue(r));
  return {
    x: dates.map(dateToUnix),
    close: per((d) => num(d.close)),
    high: per((d) => num(d.high)),
    low: per((d) => num(d.low)),
    fair: fair.some((v) => v !== null) ? fair : null,
    agents: agents.some((v) => v !== null) ? agents : null,
    listedT: per((d) => d.listed.volumeT),
    blockT: per((d) => d.block.volumeT),
    markers,
    compliance:
      settled.length === 0
        ? null
        : {
            labels: settled.map((r) => sectorLabel(r, compliance)),
            rate: settled.map((r) => r.complianceRate),
            shortfallT: settled.map((r) => r.shortfallT),
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
    compare: cmp === null || daily.length === 0 ? null : compareData(cmp, dates),
  };
}

/** The compared series on the chart's dates (null where a series has no value). */
function compareData(cmp: CompareInput, dates: readonly string[]): CompareChartData {
  const on = <T extends { readonly date: string }>(items: readonly T[], value: (t: T) => number | null) => {
    const by = new Map(items.map((t) => [t.date, value(t)]));
    return dates.map((d) => by.get(d) ?? null);
  };
  const given = (xs: (number | null)[]): (number | null)[] | null => (xs.some((v) => v !== null) ? xs : null);
  // The observed volume: the total where the file gives it (or listed and block), else listed alone.
  const total = given(on(cmp.observed, (o) => o.volumeT ?? null));
  const listed = given(on(cmp.observed, (o) => o.listedVolumeT ?? null));
  const band = cmp.band.length > 0;
  return {
    observedLabel: cmp.observedLabel,
    observedClose: given(on(cmp.observed, (o) => o.closeFen / 100)),
    observedVolume: total ?? listed,
    observedVolumeLabel: total !== null ? 'Observed volume (listed and block)' : 'Observed listed volume',
    bandLow: band ? on(cmp.band, (b) => b.lowCny) : null,
    bandHigh: band ? on(cmp.band, (b) => b.highCny) : null,
    overlays: cmp.overlays.map((o) => ({ label: o.label, values: on(o.points, (p) => p.cny) })),
  };
}

/**
 * A sector of a cycle not settled by the run's end: the summary gives it a compliance rate and a shortfall of 0. A
 * settled sector never has both (an entity short of its obligation is counted in the shortfall), so the pair says it.
 */
function notYetDue(r: SectorResult): boolean {
  return r.complianceRate === 0 && r.shortfallT === 0;
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
    listedFen += cnyToBigFen(d.listed.turnoverCny);
    blockFen += cnyToBigFen(d.block.turnoverCny);
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
  cmp: CompareInput | null,
  deadlines: Readonly<Record<string, string>>,
  runEnd: string,
  seed: number,
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
    const compared = cmp === null ? '' : compareNote(cmp);
    const rangeNote =
      cmp !== null && cmp.band.length > 0
        ? ` of this run (seed ${formatInt(seed)}); the shaded band is the range of the closes across seeds (lowest to highest) each day.`
        : " and the band between the day's listed high and low.";
    parts.push(
      '<h3>Price path</h3>',
      `<p class="note">Daily close (the market's comprehensive price)${rangeNote}${compared}${valueNote}${markerNote}</p>`,
      `<div class="chart" data-chart="price" data-market="${i}"></div>`,
      ...(cmp === null || cmp.observed.length === 0 ? [] : [observedStats(m, cmp)]),
      '<h3>Stylized facts of daily returns</h3>',
      '<p class="note">Log returns of consecutive closes of the days with listed trades. Excess kurtosis above 0 means fat tails; autocorrelation (ACF) of absolute returns above 0 means volatility clustering.</p>',
      factsTable(factsOf(m)),
      '<h3>Volume by mode</h3>',
      cmp?.observed.some((o) => o.volumeT !== undefined || o.listedVolumeT !== undefined)
        ? '<p class="note">Tonnes traded per day in the run, block (bulk) agreement stacked on listed agreement, and the observed volume as a line with dots.</p>'
        : '<p class="note">Tonnes traded per day by listed agreement and by block (bulk) agreement.</p>',
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
  const due = compliance.filter((r) => !notYetDue(r));
  const pending = [...new Set(compliance.filter(notYetDue).map((r) => r.cycleId))];
  if (compliance.length === 0) {
    parts.push('<p class="empty">No compliance deadline in this period.</p>');
  } else {
    for (const cycle of pending) {
      const deadline = deadlines[cycle];
      parts.push(
        `<p class="not-due"><strong>Cycle ${escapeHtml(cycle)}: not yet due${deadline === undefined ? '' : ` (deadline ${escapeHtml(deadline)})`}.</strong> ` +
          `The run ends ${escapeHtml(runEnd)}, before the cycle is settled: no entity is compliant or short yet. The table shows what each sector owes and has surrendered so far.</p>`,
      );
    }
    if (due.length > 0)
      parts.push(
        '<p class="note">Per sector: the share of entities fully compliant (left axis) and the tonnes still owed (right axis).</p>',
        `<div class="chart" data-chart="compliance" data-market="${i}"></div>`,
      );
    parts.push(complianceTable(compliance, false));
  }
  parts.push('</section>');
  return parts.join('\n');
}

/** What the price chart draws besides the run, for the note above it. */
function compareNote(cmp: CompareInput): string {
  const parts: string[] = [];
  if (cmp.observed.length > 0)
    parts.push(`the observed closes of ${escapeHtml(cmp.observedLabel)} (dark line with dots)`);
  if (cmp.overlays.length > 0) parts.push(cmp.overlays.map((o) => escapeHtml(o.label)).join(', '));
  return parts.length === 0 ? '' : ` Over it: ${parts.join('; ')}.`;
}

/** Observed against simulated on the days both give: errors in fen summed exactly, shown in CNY. */
function observedStats(m: MarketSummary, cmp: CompareInput): string {
  const daily = m.daily;
  const first = daily[0]!.date;
  const last = daily[daily.length - 1]!.date;
  const inside = cmp.observed.filter((o) => o.date >= first && o.date <= last);
  const byDate = new Map(daily.map((d) => [d.date, d]));
  let n = 0;
  let absFen = 0n;
  let pct = 0;
  let obsT = 0;
  let simT = 0;
  let volumeDays = 0;
  let lastPair: { date: string; observed: number; simulated: bigint } | null = null;
  for (const o of inside) {
    const d = byDate.get(o.date);
    if (d === undefined || d.close === null) continue;
    const sim = cnyToBigFen(d.close);
    const diff = sim - BigInt(o.closeFen);
    const abs = diff < 0n ? -diff : diff;
    n++;
    absFen += abs;
    pct += (100 * Number(abs)) / o.closeFen;
    lastPair = { date: o.date, observed: o.closeFen, simulated: sim };
    const v = o.volumeT;
    if (v !== undefined) {
      volumeDays++;
      obsT += v;
      simT += d.listed.volumeT + d.block.volumeT;
    }
  }
  const items: [string, string][] = [
    ['Observed days in the run', `${formatInt(inside.length)} of ${formatInt(cmp.observed.length)}`],
    ['Days compared', formatInt(n)],
  ];
  if (n > 0) {
    const big = BigInt(n);
    items.push(
      ['Mean abs. close error', `${fenToCny((absFen * 2n + big) / (2n * big))} CNY`],
      ['Mean abs. close error (%)', `${(pct / n).toFixed(2)}%`],
      [`Observed close ${lastPair!.date}`, fenToCny(BigInt(lastPair!.observed))],
      [`Simulated close ${lastPair!.date}`, fenToCny(lastPair!.simulated)],
    );
  }
  if (volumeDays > 0)
    items.push(
      [`Observed volume, ${formatInt(volumeDays)} days (t)`, formatInt(obsT)],
      ['Simulated volume, same days (t)', formatInt(simT)],
    );
  const cells = items.map(([k, v]) => `<div><dt>${escapeHtml(k)}</dt><dd>${escapeHtml(v)}</dd></div>`).join('');
  const outside = cmp.observed.length - inside.length;
  const outsideNote =
    outside > 0
      ? `<p class="note">${formatInt(outside)} observed ${outside === 1 ? 'day falls' : 'days fall'} outside the run (${escapeHtml(first)} to ${escapeHtml(last)}) and ${outside === 1 ? 'is' : 'are'} not drawn.</p>`
      : '';
  return `<h3>Observed against simulated</h3>\n<dl class="stats observed-stats">${cells}</dl>${outsideNote}`;
}

const percentOf = (x: number): string => `${(x * 100).toFixed(1)}%`;

/** A figure's value in its kind's form: tonnes and CNY as whole numbers, prices to the fen, ratios to 2 decimals. */
function figureValue(f: FigureSpec, v: number): string {
  if (Number.isNaN(v)) return '–';
  if (f.kind === 'volume' || f.kind === 'turnover') return formatInt(v);
  return v.toFixed(2);
}

function tolerance(f: FigureSpec): string {
  if (f.bound === 'at-least') return 'at least';
  if (f.bound === 'at-most') return 'at most';
  if (f.bound === 'above') return 'above';
  return `±${f.tolerancePct}%`;
}

/** The scenario's published figures beside the run's (or the median over seeds), with tolerance and result. */
function renderFigures(input: FiguresInput): string {
  const { file, results, seeds } = input;
  if (results.length !== file.figures.length)
    throw new RangeError(`figures: ${results.length} results for ${file.figures.length} figures`);
  const many = seeds > 1;
  const rows: Cell[][] = file.figures.map((f, i) => {
    const r = results[i]!;
    return [
      f.label,
      figureValue(f, r.published),
      tolerance(f),
      figureValue(f, r.simulated),
      r.error === null ? '–' : `${r.error >= 0 ? '+' : ''}${percentOf(r.error)}`,
      { html: r.ok ? '<span class="ok">within</span>' : '<span class="miss">outside</span>' },
      ...(many ? [percentOf(r.seedsOk)] : []),
    ];
  });
  const within = results.filter((r) => r.ok).length;
  const table = renderTable({
    columns: [
      'Figure',
      'Published',
      'Tolerance',
      many ? `Simulated (median of ${seeds} seeds)` : 'Simulated',
      'Error',
      'Result',
      ...(many ? ['Seeds within'] : []),
    ],
    rows,
    textColumns: [0, 2, 5],
    wrapColumns: [0],
    className: 'figures',
  });
  return `<section class="card" id="figures"><h2>Published figures</h2>
<p class="note">${escapeHtml(file.title)}: ${formatInt(within)} of ${formatInt(results.length)} within tolerance. Sources: ${file.sources.map((x) => escapeHtml(x)).join('; ')}.</p>
${table}
</section>`;
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
    notYetDue(r) ? '–' : formatInt(r.shortfallT),
    notYetDue(r) ? 'not yet due' : `${(r.complianceRate * 100).toFixed(1)}%`,
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
    var cmp = m.compare;
    mount(chartEl('price', i), function (width) {
      var markers = m.markers.map(function (k) { return { x: k.x, label: k.label }; });
      var rows = layoutMarkers(markers, xMin, xMax, width - 62 - 16);
      var series = [{ label: 'Date', value: dayValue }];
      var data = [m.x];
      var bands = [];
      function add(s, d) { series.push(s); data.push(d); return series.length - 1; }
      if (cmp && cmp.bandLow) {
        // The seeds' range in place of one run's high-low band.
        var hi = add({ label: 'Highest close of the seeds', stroke: COLORS.seeds, width: 1, value: priceValue,
          points: { show: false } }, cmp.bandHigh);
        var lo = add({ label: 'Lowest close of the seeds', stroke: COLORS.seeds, width: 1, value: priceValue,
          points: { show: false } }, cmp.bandLow);
        bands.push({ series: [hi, lo], fill: COLORS.seedsFill });
      } else {
        var h = add({ label: 'High', stroke: COLORS.hilo, width: 1, value: priceValue, points: { show: false } }, m.high);
        var l = add({ label: 'Low', stroke: COLORS.hilo, width: 1, value: priceValue, points: { show: false } }, m.low);
        bands.push({ series: [h, l], fill: COLORS.band });
      }
      add({ label: cmp ? 'Close, simulated (CNY/t)' : 'Close (CNY/t)', stroke: COLORS.close, width: 2,
        value: priceValue }, m.close);
      valueSeries.forEach(function (v) { add(v.series, v.data); });
      if (cmp) {
        cmp.overlays.forEach(function (o, k) {
          add({ label: o.label, stroke: COLORS.overlays[k % COLORS.overlays.length], width: 2, spanGaps: true,
            value: priceValue, points: { show: false } }, o.values);
        });
        // Dots of a size that stay apart on a narrow chart.
        if (cmp.observedClose) add({ label: 'Close, observed', stroke: COLORS.observed, width: 1.5, spanGaps: true,
          value: priceValue, points: { show: true, size: width < 600 ? 3 : 5, fill: COLORS.observed,
          stroke: COLORS.observed } }, cmp.observedClose);
      }
      return [{
        width: width, height: 300 + rows * 16,
        padding: [rows > 0 ? rows * 16 + 4 : 12, 16, null, null],
        cursor: { sync: sync },
        scales: { x: xScale },
        tzDate: tzDate,
        axes: [xAxis(), axis('Price (CNY/t)')],
        series: series,
        bands: bands,
        plugins: [markerPlugin(markers)],
      }, data];
    });
    mount(chartEl('volume', i), function (width) {
      var stacked = !!(cmp && cmp.observedVolume);
      var total = m.listedT.map(function (v, j) { return v == null ? null : v + m.blockT[j]; });
      var series = [
        { label: 'Date', value: dayValue },
        stacked
          ? { label: 'Block, simulated', fill: COLORS.block, stroke: COLORS.block, width: 0,
              paths: groupedBars(1, 0, DAY), points: { show: false },
              value: function (u, v, s, j) { return j == null ? '–' : tonnes(u, m.blockT[j]); } }
          : { label: 'Listed', fill: COLORS.listed, stroke: COLORS.listed, width: 0, paths: groupedBars(2, 0, DAY),
              points: { show: false }, value: tonnes },
        stacked
          ? { label: 'Listed, simulated', fill: COLORS.listed, stroke: COLORS.listed, width: 0,
              paths: groupedBars(1, 0, DAY), points: { show: false }, value: tonnes }
          : { label: 'Block', fill: COLORS.block, stroke: COLORS.block, width: 0, paths: groupedBars(2, 1, DAY),
              points: { show: false }, value: tonnes },
      ];
      // Stacked: the total drawn first in the block colour, listed over its lower part.
      var data = stacked ? [m.x, total, m.listedT] : [m.x, m.listedT, m.blockT];
      if (stacked) {
        series.push({ label: cmp.observedVolumeLabel, stroke: COLORS.observed, width: 1.5, spanGaps: true,
          value: tonnes, points: { show: true, size: width < 600 ? 3 : 5, fill: COLORS.observed,
          stroke: COLORS.observed } });
        data.push(cmp.observedVolume);
      }
      return [{
        width: width, height: 220,
        padding: [12, 16, null, null],
        cursor: { sync: sync },
        scales: { x: xScale, y: { range: fromZero } },
        tzDate: tzDate,
        axes: [xAxis(), axis('Volume (t)', compactTicks)],
        series: series,
      }, data];
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
