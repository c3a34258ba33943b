import { describe, expect, it } from 'vitest';
import { cnyToBigFen } from '../../../src/market/money.ts';
import { loadReportAssets, type ReportAssets } from '../../../src/report/assets.ts';
import { renderRunReport } from '../../../src/report/run-report.ts';
import { dateToUnix, escapeHtml, formatDecimal, jsonForScript } from '../../../src/report/shared.ts';
import type { MarketSummary, RunSummary, StylizedFacts } from '../../../src/sim/output-types.ts';
import { stylizedFactsOfPrices } from '../../../src/sim/stylized-facts.ts';
import { buildRunSummary, FIXTURE_EVENTS } from '../../fixtures/run-summary.ts';

const HOSTILE = '</script><script>alert(1)</script><!-- <img src=x onerror=alert(2)>';
const assets = loadReportAssets();

function dataBlock(html: string): unknown {
  const m = /<script type="application\/json" id="report-data">([\s\S]*?)<\/script>/.exec(html);
  expect(m).not.toBeNull();
  return JSON.parse(m![1]!);
}

function scriptTags(html: string): number {
  return html.match(/<script/gi)?.length ?? 0;
}

describe('renderRunReport', () => {
  const summary = buildRunSummary();
  const html = renderRunReport({ summary, events: FIXTURE_EVENTS, assets });

  it('is one page with uPlot inlined and no external references', () => {
    expect(html.startsWith('<!doctype html>')).toBe(true);
    expect(html).toContain(assets.js.slice(0, 200));
    expect(html).toContain('.uplot');
    expect(html).not.toMatch(/(src|href)\s*=\s*["']?\s*(https?:)?\/\//i);
    expect(html).not.toMatch(/url\(\s*["']?(https?:)?\/\//i);
    expect(html).not.toMatch(/<link\b/i);
    expect(html).toContain("default-src 'none'");
    // The data block, uPlot, the page script: nothing else runs.
    expect(scriptTags(html)).toBe(3);
  });

  it('embeds the daily data of every market as JSON', () => {
    const data = dataBlock(html) as { markets: { x: number[]; close: (number | null)[]; listedT: number[] }[] };
    expect(data.markets).toHaveLength(5);
    const national = data.markets[0]!;
    expect(national.x).toHaveLength(64);
    expect(national.x[0]).toBe(dateToUnix('2024-07-01'));
    expect(national.close[63]).toBe(Number(summary.markets['national']!.daily[63]!.close));
    expect(national.listedT).toEqual(summary.markets['national']!.daily.map((d) => d.listed.volumeT));
  });

  it('has the header facts and key figures', () => {
    expect(html).toContain(`<h1>${escapeHtml(summary.scenario.title)}</h1>`);
    for (const fact of ['q3-2024', 'sha256:3f9a0c7e51d2b8a4', '2024-07-01 to 2024-09-30', '>42<']) {
      expect(html).toContain(fact);
    }
    const keyFigures = /<table class="key-figures">([\s\S]*?)<\/table>/.exec(html)![1]!;
    expect(keyFigures.match(/<tr>/g)).toHaveLength(6);
    // Listed average over the run = turnover / volume, exactly.
    const national = summary.markets['national']!;
    let fen = 0n;
    let t = 0;
    for (const d of national.daily) {
      fen += cnyToBigFen(d.listed.turnoverCny);
      t += d.listed.volumeT;
    }
    const avg = Number(fen) / 100 / t;
    expect(keyFigures).toContain(avg.toFixed(2));
  });

  it('has one section per market: national first, pilots in order, CCER last', () => {
    const ids = [...html.matchAll(/<section class="card market" id="market-\d+" data-market-id="([^"]+)">/g)].map(
      (m) => m[1],
    );
    expect(ids).toEqual(['national', 'beijing', 'shanghai', 'guangdong', 'ccer']);
    for (const m of Object.values(summary.markets)) expect(html).toContain(`<h2>${escapeHtml(m.name)}</h2>`);
  });

  it('orders markets whatever the order of the summary', () => {
    const { national, ccer, ...pilots } = summary.markets;
    const shuffled: RunSummary = { ...summary, markets: { ccer: ccer!, ...pilots, national: national! } };
    const out = renderRunReport({ summary: shuffled, events: [], assets });
    const ids = [...out.matchAll(/data-market-id="([^"]+)"/g)].map((m) => m[1]);
    expect(ids).toEqual(['national', 'beijing', 'shanghai', 'guangdong', 'ccer']);
  });

  it('has one chart slot per drawn chart', () => {
    expect(html.match(/class="chart" data-chart="price"/g)).toHaveLength(5);
    expect(html.match(/class="chart" data-chart="volume"/g)).toHaveLength(5);
    expect(html.match(/class="chart" data-chart="compliance"/g)).toHaveLength(1);
    // Every market but CCER has an expected balance.
    expect(html.match(/class="chart" data-chart="balance"/g)).toHaveLength(4);
    const sections = html.split('<section class="card market"');
    expect(sections.find((s) => s.includes('data-market-id="ccer"'))).not.toContain('data-chart="balance"');
  });

  it("embeds the fair value and the agents' valuation beside the close, and the sampled balance", () => {
    const data = dataBlock(html) as {
      markets: {
        fair: (number | null)[] | null;
        agents: (number | null)[] | null;
        balance: { x: number[]; currentT: number[]; deficitT: (number | null)[]; year: number | null } | null;
      }[];
    };
    const national = summary.markets['national']!;
    expect(data.markets[0]!.fair).toEqual(national.daily.map((d) => Number(d.fairValue)));
    expect(data.markets[0]!.agents).toEqual(national.daily.map((d) => Number(d.agentsValue)));
    const b = data.markets[0]!.balance!;
    // First day, the last trading day of July, August and September.
    expect(b.x).toEqual(['2024-07-01', '2024-07-31', '2024-08-30', '2024-09-30'].map(dateToUnix));
    expect(b.currentT).toEqual(national.balance!.map((r) => r.currentT));
    expect(b.deficitT).toEqual(national.balance!.map((r) => r.years[0]!.deficitT));
    expect(b.year).toBe(2025);
    expect(data.markets[4]!.balance).toBeNull();
  });

  it('shows the stylized facts: computed from the closes of traded days, or as the summary gives them', () => {
    const sections = html.split('<section class="card market"');
    const national = sections.find((s) => s.includes('data-market-id="national"'))!;
    const beijing = summary.markets['beijing']!;
    const closes = beijing.daily.filter((d) => d.open !== null).map((d) => Number(d.close));
    const f = stylizedFactsOfPrices(closes);
    const bj = sections.find((s) => s.includes('data-market-id="beijing"'))!;
    expect(f.returns).toBe(closes.length - 1);
    expect(bj).toContain(`<dt>Returns</dt><dd>${f.returns}</dd>`);
    expect(bj).toContain(`<dt>SD (daily)</dt><dd>${(f.sd! * 100).toFixed(2)}%</dd>`);
    expect(bj).toContain(`<dt>ACF(1) of returns</dt><dd>${f.acf1!.toFixed(3)}</dd>`);
    expect(national).toContain('<dl class="stats stylized-facts">');

    const given: StylizedFacts = {
      returns: 241,
      mean: -0.000618064,
      sd: 0.0186784,
      sdAnnual: 0.295331,
      excessKurtosis: 6.74988,
      acf1: 0.76026,
      absAcf1: null,
      absAcf5: 0.515705,
    };
    const withFacts: RunSummary = {
      ...summary,
      markets: { ...summary.markets, national: { ...summary.markets['national']!, stylizedFacts: given } },
    };
    const out = renderRunReport({ summary: withFacts, events: [], assets });
    const n = out.split('<section class="card market"').find((s) => s.includes('data-market-id="national"'))!;
    for (const cell of [
      '<dt>Returns</dt><dd>241</dd>',
      '<dt>Mean (daily)</dt><dd>-0.062%</dd>',
      '<dt>SD (daily)</dt><dd>1.87%</dd>',
      '<dt>SD (annualised)</dt><dd>29.5%</dd>',
      '<dt>Excess kurtosis</dt><dd>6.75</dd>',
      '<dt>ACF(1) of returns</dt><dd>0.760</dd>',
      '<dt>ACF(1) of |returns|</dt><dd>–</dd>',
      '<dt>ACF(5) of |returns|</dt><dd>0.516</dd>',
    ]) {
      expect(n).toContain(cell);
    }
  });

  it('draws no valuation and no balance from a summary made before they were recorded', () => {
    const strip = (m: MarketSummary): MarketSummary => ({
      id: m.id,
      name: m.name,
      instruments: m.instruments,
      monthly: m.monthly,
      daily: m.daily.map(({ fairValue: _f, agentsValue: _a, ...d }) => d),
    });
    const old: RunSummary = {
      ...summary,
      markets: Object.fromEntries(Object.entries(summary.markets).map(([k, m]) => [k, strip(m)])),
    };
    const out = renderRunReport({ summary: old, events: FIXTURE_EVENTS, assets });
    const data = dataBlock(out) as { markets: { fair: unknown; agents: unknown; balance: unknown }[] };
    for (const m of data.markets) expect([m.fair, m.agents, m.balance]).toEqual([null, null, null]);
    expect(out).not.toContain('data-chart="balance"');
    expect(out).not.toContain('public fair value');
    expect(out.match(/<dl class="stats stylized-facts">/g)).toHaveLength(5);
  });

  it('shows compliance by sector where there is some, and says so where there is none', () => {
    const sections = html.split('<section class="card market"');
    const shanghai = sections.find((s) => s.includes('data-market-id="shanghai"'))!;
    const national = sections.find((s) => s.includes('data-market-id="national"'))!;
    expect(national).toContain('No compliance deadline in this period.');
    expect(shanghai).not.toContain('No compliance deadline');
    for (const sector of ['power', 'steel', 'petrochemical', 'aviation', 'buildings']) {
      expect(shanghai).toContain(`<td class="text">${sector}</td>`);
    }
    expect(shanghai).toContain('83.3%');
    expect(shanghai).toContain('18,400,000.00');
    expect(shanghai).toContain('-3,260,000.00');
  });

  it('lists the event log in date order, and marks events on the price charts', () => {
    const log = /<section class="card" id="event-log">([\s\S]*?)<\/section>/.exec(html)![1]!;
    expect(log.match(/<tr>/g)).toHaveLength(FIXTURE_EVENTS.length + 1);
    expect(log).toContain('MEE consultation draft: cement, steel and aluminium to join the national market');
    expect(log).toContain('All markets');
    const data = dataBlock(html) as { markets: { markers: { x: number; label: string }[] }[] };
    const national = data.markets[0]!.markers;
    // The run start (all markets), the band, the expansion draft and its note on one date.
    expect(national.map((m) => m.x)).toEqual(['2024-07-01', '2024-08-19', '2024-09-09'].map(dateToUnix));
    expect(national[2]!.label).toMatch(/^#5 #6 MEE consultation draft/);
    const beijing = data.markets[1]!.markers;
    expect(beijing.map((m) => m.x)).toEqual(['2024-07-01', '2024-08-01'].map(dateToUnix));
  });

  it('escapes a hostile scenario title, market name, sector and event text', () => {
    const hostile: RunSummary = {
      ...summary,
      scenario: { ...summary.scenario, title: HOSTILE, id: HOSTILE },
      markets: { ...summary.markets, beijing: { ...summary.markets['beijing']!, name: HOSTILE } },
      compliance: summary.compliance.map((r) => ({ ...r, sector: HOSTILE })),
    };
    const events = [...FIXTURE_EVENTS, { date: '2024-08-02', kind: 'note' as const, marketId: HOSTILE, text: HOSTILE }];
    const out = renderRunReport({ summary: hostile, events, assets });
    expect(out).not.toContain('<script>alert');
    expect(out).not.toContain('<img');
    expect(out).not.toContain('<!-- <img');
    expect(scriptTags(out)).toBe(3);
    expect(out).toContain(`<h1>${escapeHtml(HOSTILE)}</h1>`);
    expect(out).toContain(`<title>${escapeHtml(HOSTILE)} — run report</title>`);
    // The data still carries the text as it was, for the charts' labels.
    const data = dataBlock(out) as { markets: { markers: { label: string }[]; compliance: { labels: string[] } }[] };
    expect(data.markets[2]!.compliance.labels[0]).toBe(HOSTILE);
  });

  it('escapes a `</script` inside the inlined library', () => {
    const evil: ReportAssets = { js: 'var uPlot = "</script><script>alert(1)</script>";', css: '</style><b>x</b>' };
    const out = renderRunReport({ summary, events: FIXTURE_EVENTS, assets: evil });
    // Only the three real scripts close; the library's text stays inside its element.
    expect(out.match(/<\/script>/gi)).toHaveLength(3);
    expect(out).toContain('var uPlot = "<\\/script><script>alert(1)<\\/script>";');
    expect(out).not.toContain('</style><b>');
  });

  it('copes with a market without trading days and a run without events', () => {
    const empty: RunSummary = {
      ...summary,
      markets: { national: { id: 'national', name: 'National', instruments: [], daily: [], monthly: {} } },
      compliance: [],
    };
    const out = renderRunReport({ summary: empty, events: [], assets });
    expect(out).toContain('No trading days for this market in the run.');
    expect(out).toContain('No events in this run.');
    expect(out).not.toContain('class="chart"');
  });
});

describe('helpers', () => {
  it('keeps the JSON block closed whatever the strings hold', () => {
    const s = jsonForScript({ a: '</script><!-- & \u2028' });
    expect(s).not.toMatch(/[<>&\u2028]/);
    expect(JSON.parse(s)).toEqual({ a: '</script><!-- & \u2028' });
  });

  it('reads CNY exactly and groups digits', () => {
    expect(cnyToBigFen('1580632300.00')).toBe(158063230000n);
    expect(cnyToBigFen('99.5')).toBe(9950n);
    expect(cnyToBigFen('-3.005')).toBe(-301n);
    expect(formatDecimal('1580632300.00')).toBe('1,580,632,300.00');
    expect(formatDecimal('-3260000.00')).toBe('-3,260,000.00');
    expect(formatDecimal('999')).toBe('999');
  });

  it('puts a date at noon China time', () => {
    expect(dateToUnix('2024-09-09')).toBe(Date.parse('2024-09-09T12:00:00+08:00') / 1000);
    expect(() => dateToUnix('2024-9-9')).toThrow(RangeError);
  });
});
