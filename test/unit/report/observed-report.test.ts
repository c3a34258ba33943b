// report.html with what a run is compared against: observed days, the seeds' band, overlays, the published figures;
// and the compliance section of a cycle not yet due.
import { describe, expect, it } from 'vitest';
import { cnyToBigFen } from '../../../src/market/money.ts';
import { loadReportAssets } from '../../../src/report/assets.ts';
import { type RunReportInput, renderRunReport } from '../../../src/report/run-report.ts';
import { dateToUnix } from '../../../src/report/shared.ts';
import { compare, type FiguresFile, parseFigures } from '../../../src/sim/figures.ts';
import type { RunSummary } from '../../../src/sim/output-types.ts';
import type { ObservedDay } from '../../../src/store/observed-files.ts';
import { buildRunSummary, FIXTURE_EVENTS } from '../../fixtures/run-summary.ts';

const assets = loadReportAssets();
const summary = buildRunSummary();
const national = summary.markets['national']!;

interface CompareData {
  observedLabel: string;
  observedClose: (number | null)[] | null;
  observedVolume: (number | null)[] | null;
  observedVolumeLabel: string;
  bandLow: (number | null)[] | null;
  bandHigh: (number | null)[] | null;
  overlays: { label: string; values: (number | null)[] }[];
}
interface MarketData {
  x: number[];
  close: (number | null)[];
  listedT: (number | null)[];
  compare: CompareData | null;
  compliance: { labels: string[] } | null;
}

function render(extra: Partial<RunReportInput> = {}, s: RunSummary = summary): string {
  return renderRunReport({ summary: s, events: FIXTURE_EVENTS, assets, ...extra });
}

function markets(html: string): MarketData[] {
  const m = /<script type="application\/json" id="report-data">([\s\S]*?)<\/script>/.exec(html);
  return (JSON.parse(m![1]!) as { markets: MarketData[] }).markets;
}

function section(html: string, id: string): string {
  const start = html.indexOf(`data-market-id="${id}"`);
  return html.slice(start, html.indexOf('</section>', start));
}

/** Observed closes exactly 1.00 CNY above the simulated ones, on every day that closed. */
function observedAbove(): ObservedDay[] {
  return national.daily
    .filter((d) => d.close !== null)
    .map((d, i) => ({
      date: d.date,
      closeFen: Number(cnyToBigFen(d.close!)) + 100,
      volumeT: d.listed.volumeT + d.block.volumeT + 10,
      line: i + 2,
    }));
}

describe('report.html: observed against simulated', () => {
  it('draws nothing extra without observed days, band or overlays', () => {
    for (const m of markets(render())) expect(m.compare).toBeNull();
    expect(render()).not.toContain('Observed against simulated');
  });

  it('puts the observed closes and volumes on the compared market, day by day', () => {
    const observed = observedAbove();
    const html = render({ observed, observedLabel: 'cea.csv' });
    const [nat, ...others] = markets(html);
    for (const m of others) expect(m.compare).toBeNull();
    const c = nat!.compare!;
    expect(nat!.x).toHaveLength(64);
    expect(c.observedLabel).toBe('cea.csv');
    const closed = national.daily.map((d) => (d.close === null ? null : Number(d.close) + 1));
    expect(c.observedClose!.map((v) => (v === null ? null : Math.round(v * 100)))).toEqual(
      closed.map((v) => (v === null ? null : Math.round(v * 100))),
    );
    expect(c.observedVolume![0]).toBe(national.daily[0]!.listed.volumeT + national.daily[0]!.block.volumeT + 10);
    expect(c.observedVolumeLabel).toBe('Observed volume (listed and block)');
    // The fit, summed in fen: every day 1.00 CNY apart.
    const stats = /<dl class="stats observed-stats">([\s\S]*?)<\/dl>/.exec(html)![1]!;
    expect(stats).toContain(`<dt>Days compared</dt><dd>${observed.length}</dd>`);
    expect(stats).toContain('<dt>Mean abs. close error</dt><dd>1.00 CNY</dd>');
    expect(stats).toContain(`<dt>Observed days in the run</dt><dd>${observed.length} of ${observed.length}</dd>`);
    expect(section(html, 'national')).toContain('the observed closes of cea.csv (dark line with dots)');
  });

  it('keeps observed days outside the run off the chart and says how many; adds a day the run did not trade', () => {
    const observed: ObservedDay[] = [
      { date: '2024-06-28', closeFen: 9000, line: 2 },
      { date: '2024-07-01', closeFen: 9100, line: 3 },
      { date: '2024-07-06', closeFen: 9200, line: 4 }, // a Saturday: not a day of the run
      { date: '2024-10-08', closeFen: 9300, line: 5 },
    ];
    const html = render({ observed });
    const nat = markets(html)[0]!;
    expect(nat.x).toHaveLength(65);
    const sat = nat.x.indexOf(dateToUnix('2024-07-06'));
    expect(sat).toBeGreaterThan(0);
    expect(nat.close[sat]).toBeNull();
    expect(nat.listedT[sat]).toBeNull();
    expect(nat.compare!.observedClose![sat]).toBe(92);
    expect(nat.compare!.observedClose![0]).toBe(91);
    expect(nat.compare!.observedVolume).toBeNull();
    expect(html).toContain('2 observed days fall outside the run (2024-07-01 to 2024-09-30) and are not drawn.');
    expect(html).toContain('<dt>Observed days in the run</dt><dd>2 of 4</dd>');
    expect(html).toContain('<dt>Days compared</dt><dd>1</dd>');
  });

  it("draws the seeds' band and overlays, on another market when asked", () => {
    const dates = summary.markets['shanghai']!.daily.map((d) => d.date);
    const html = render({
      compareMarket: 'shanghai',
      band: dates.map((date, i) => ({ date, lowCny: 40 + i / 100, highCny: 50 })),
      overlays: [{ label: 'Without the draft', points: [{ date: dates[3]!, cny: 44.5 }] }],
    });
    const ms = markets(html);
    expect(ms.map((m) => m.compare !== null)).toEqual([false, false, true, false, false]);
    const c = ms[2]!.compare!;
    expect(c.bandLow![1]).toBeCloseTo(40.01);
    expect(c.bandHigh![63]).toBe(50);
    expect(c.observedClose).toBeNull();
    expect(c.overlays).toEqual([{ label: 'Without the draft', values: dates.map((_, i) => (i === 3 ? 44.5 : null)) }]);
    expect(section(html, 'shanghai')).toContain('the shaded band is the range of the closes across seeds');
    expect(section(html, 'shanghai')).toContain('Over it: Without the draft.');
    expect(() => render({ compareMarket: 'hubei', band: [] })).toThrow(/compareMarket: the run has no market "hubei"/);
  });
});

const FIGURES: FiguresFile = parseFigures('test', {
  scenario: 'q3-2024',
  market: 'national',
  title: 'Test figures <b>',
  sources: ['a source'],
  notes: [],
  figures: [
    { id: 'v', label: 'total volume (t)', kind: 'volume', modes: ['listed', 'block'], published: 1, tolerancePct: 10 },
    { id: 'c', label: 'last close (CNY/t)', kind: 'last-close', published: 1, tolerancePct: 1 },
    { id: 'h', label: 'a close above 1', kind: 'high', published: 1, bound: 'above' },
  ],
});

describe('report.html: published figures', () => {
  it('tables each figure with its published value, tolerance and result', () => {
    const results = compare(FIGURES, [summary]);
    const html = render({ figures: { file: FIGURES, results, seeds: 1 } });
    const table = /<section class="card" id="figures">([\s\S]*?)<\/section>/.exec(html)![1]!;
    expect(table).toContain('Test figures &lt;b&gt;: 1 of 3 within tolerance. Sources: a source.');
    const rows = [...table.matchAll(/<tr><td[^>]*>([^<]*)<\/td><td[^>]*>([^<]*)<\/td><td[^>]*>([^<]*)<\/td>/g)].map(
      (m) => [m[1], m[2], m[3]],
    );
    expect(rows).toEqual([
      ['total volume (t)', '1', '±10%'],
      ['last close (CNY/t)', '1.00', '±1%'],
      ['a close above 1', '1.00', 'above'],
    ]);
    expect(table.match(/<span class="miss">outside<\/span>/g)).toHaveLength(2);
    expect(table.match(/<span class="ok">within<\/span>/g)).toHaveLength(1);
    expect(table).not.toContain('Seeds within');
    const many = render({ figures: { file: FIGURES, results, seeds: 5 } });
    expect(many).toContain('<th>Simulated (median of 5 seeds)</th>');
    expect(many).toContain('<th>Seeds within</th>');
    expect(() => render({ figures: { file: FIGURES, results: results.slice(1), seeds: 1 } })).toThrow(
      /2 results for 3 figures/,
    );
  });
});

describe('report.html: compliance of a cycle not yet due', () => {
  /** Shanghai's sectors as the summary gives them before the deadline: rate and shortfall 0. */
  const pending = (s: RunSummary): RunSummary => ({
    ...s,
    compliance: s.compliance.map((r) => ({ ...r, complianceRate: 0, shortfallT: 0, fineCny: '0.00' })),
  });

  it('says "not yet due" with the deadline instead of a chart of 0.0%', () => {
    const html = render({ deadlines: { shanghai: { '2023': '2024-12-31' } } }, pending(summary));
    const sh = section(html, 'shanghai');
    expect(sh).toContain('<strong>Cycle 2023: not yet due (deadline 2024-12-31).</strong> The run ends 2024-09-30');
    expect(sh).not.toContain('data-chart="compliance"');
    expect(sh).not.toContain('0.0%');
    expect(sh.match(/<td>not yet due<\/td>/g)).toHaveLength(summary.compliance.length);
    expect(markets(html)[2]!.compliance).toBeNull();
    // Without deadlines it still says so.
    expect(section(render({}, pending(summary)), 'shanghai')).toContain('Cycle 2023: not yet due.</strong>');
  });

  it('draws the settled sectors and notes the pending cycle when a market has both', () => {
    const s = buildRunSummary();
    const mixed: RunSummary = {
      ...s,
      compliance: [
        ...s.compliance,
        { ...s.compliance[0]!, cycleId: '2024', complianceRate: 0, shortfallT: 0, fineCny: '0.00' },
      ],
    };
    const html = render({ deadlines: { shanghai: { '2023': '2024-06-30', '2024': '2025-06-30' } } }, mixed);
    const sh = section(html, 'shanghai');
    expect(sh).toContain('Cycle 2024: not yet due (deadline 2025-06-30).');
    expect(sh).not.toContain('Cycle 2023: not yet due');
    expect(sh).toContain('data-chart="compliance"');
    expect(markets(html)[2]!.compliance!.labels).toHaveLength(s.compliance.length);
  });
});
