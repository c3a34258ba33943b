// The batch report: grid points overlaid on one chart, the figures side by side, a warning on too few runs.
import { describe, expect, it } from 'vitest';
import { type Aggregate, fanReportParts, SIDE_BY_SIDE_MAX } from '../../../src/batch/aggregate.ts';
import { loadReportAssets } from '../../../src/report/assets.ts';
import { type FanSeries, renderFanReport } from '../../../src/report/fan-chart.ts';
import { dateToUnix } from '../../../src/report/shared.ts';

const assets = loadReportAssets();
const HOSTILE = '</script><script>alert(1)</script><!-- <img src=x onerror=alert(2)>';
const dates = ['2024-07-01', '2024-07-02', '2024-07-03'];

function fan(label: string, extra: Partial<FanSeries> = {}): FanSeries {
  return {
    label,
    unit: 'CNY/t',
    dates,
    q05: [88, 87, 86],
    q25: [90, 90, 89],
    q50: [92, 92, 92],
    q75: [94, 94, 95],
    q95: [96, 97, 98],
    ...extra,
  };
}

interface Chart {
  kind: 'fan' | 'overlay';
  x: number[];
  series?: { label: string; q25: (number | null)[]; q50: (number | null)[]; q75: (number | null)[] }[];
}

function charts(html: string): Chart[] {
  const m = /<script type="application\/json" id="report-data">([\s\S]*?)<\/script>/.exec(html);
  return (JSON.parse(m![1]!) as { fans: Chart[] }).fans;
}

const table = { columns: ['figure', 'median'], rows: [['last close', '92.00']] };

describe('renderFanReport', () => {
  it('draws one chart per series, a table, and escapes its text', () => {
    const out = renderFanReport({
      title: HOSTILE,
      subtitle: 'seeds 1–200',
      fans: [fan('National close'), fan(HOSTILE, { unit: 't' })],
      table: { columns: ['Measure', HOSTILE], rows: [[HOSTILE, '1']] },
      assets,
    });
    expect(out.match(/class="chart" data-chart="fan"/g)).toHaveLength(2);
    expect(out).not.toContain('<script>alert');
    expect(out).not.toContain('<img');
    expect(out.match(/<script/gi)).toHaveLength(3);
    const data = charts(out) as unknown as { x: number[]; q50: number[] }[];
    expect(data[0]!.x).toEqual(dates.map(dateToUnix));
    expect(data[1]!.q50).toEqual([92, 92, 92]);
    expect(out).not.toMatch(/(src|href)\s*=\s*["']?\s*(https?:)?\/\//i);
  });

  it('refuses quantiles that do not match the dates', () => {
    expect(() =>
      renderFanReport({
        title: 't',
        subtitle: '',
        fans: [fan('National close', { q75: [1] })],
        table: { columns: [], rows: [] },
        assets,
      }),
    ).toThrow(/q75 has 1 values for 3 dates/);
  });
});

describe('renderFanReport: overlaid points', () => {
  it('overlays the series of one group on one chart, on the union of their dates', () => {
    const html = renderFanReport({
      title: 'b',
      subtitle: '',
      fans: [
        fan('p0 long label', { group: 'national close', point: 'p0 (x=1)', runs: 20 }),
        fan('other', { unit: 't' }),
        fan('p1 long label', {
          group: 'national close',
          point: 'p1 (x=2)',
          runs: 20,
          dates: ['2024-07-02', '2024-07-03', '2024-07-04'],
          q50: [93, 94, 95],
        }),
      ],
      table,
      assets,
    });
    expect(html.match(/data-chart="overlay"/g)).toHaveLength(1);
    expect(html.match(/data-chart="fan"/g)).toHaveLength(1);
    // The group's chart sits where its first series was, titled by the group.
    expect([...html.matchAll(/<h3>([^<]*)/g)].map((m) => m[1]!.trim())).toEqual(['national close', 'other']);
    const [overlay, single] = charts(html);
    expect(overlay!.kind).toBe('overlay');
    expect(overlay!.x).toEqual([...dates, '2024-07-04'].map(dateToUnix));
    expect(overlay!.series!.map((s) => s.label)).toEqual(['p0 (x=1)', 'p1 (x=2)']);
    expect(overlay!.series![0]!.q50).toEqual([92, 92, 92, null]);
    expect(overlay!.series![1]!.q50).toEqual([null, 93, 94, 95]);
    expect(single!.kind).toBe('fan');
    expect(html).not.toContain('class="warn"');
  });

  it('draws a group of one as a plain fan', () => {
    const html = renderFanReport({
      title: 'b',
      subtitle: '',
      fans: [fan('p0: national close, 20 runs', { group: 'national close', runs: 20 })],
      table,
      assets,
    });
    expect(html.match(/data-chart="fan"/g)).toHaveLength(1);
    expect(html).toContain('<h3>p0: national close, 20 runs <span class="unit">(CNY/t)</span></h3>');
  });

  it('warns, visibly, when fewer than 10 runs make a quantile', () => {
    const html = renderFanReport({
      title: 'b',
      subtitle: '',
      fans: [
        fan('a', { group: 'g', point: 'p0 (x=1)', runs: 2 }),
        fan('b', { group: 'g', point: 'p1 (x=2)', runs: 10 }),
        fan('c', { group: 'g', point: 'p2 (x=3)', runs: 1 }),
      ],
      table,
      assets,
    });
    const warn = /<p class="warn" role="alert">([\s\S]*?)<\/p>/.exec(html)![1]!;
    expect(warn).toContain(
      '<strong>Fewer than 10 runs make these quantiles</strong> (p0 (x=1): 2 runs; p2 (x=3): 1 run)',
    );
    expect(warn).toContain('5% and 95% quantiles are little more than the lowest and the highest run');
    // In the header, above every chart and table.
    expect(html.indexOf('class="warn"')).toBeLessThan(html.indexOf('<section'));
  });

  it('shows the side-by-side table before all the quantiles', () => {
    const html = renderFanReport({
      title: 'b',
      subtitle: '',
      fans: [],
      table: {
        ...table,
        byPoint: {
          columns: ['figure', 'published', 'p0', 'p1'],
          rows: [['last close', '99.48', '92 [1–2]', '93 [1–2]']],
        },
      },
      assets,
    });
    expect(html).toContain('<h2>Points side by side</h2>');
    expect(html).toContain('<table class="side-by-side">');
    // The range goes under the median, so a column stays narrow.
    expect(html).toContain('<td>92<br><span class="range">[1–2]</span></td>');
    expect(html.indexOf('Points side by side')).toBeLessThan(html.indexOf('<h2>All quantiles</h2>'));
    expect(renderFanReport({ title: 'b', subtitle: '', fans: [], table, assets })).not.toContain('side by side');
  });
});

describe('fanReportParts', () => {
  const q = (m: number) => ({ q05: m - 2, q25: m - 1, q50: m, q75: m + 1, q95: m + 2 });
  const point = (id: string, x: string, runs: number, m: number) => ({
    id,
    params: { x },
    scenarioHash: 'h',
    runs,
    failed: 0,
    figures: { close: q(m), volume: q(m * 1000) },
    closes: { national: { dates, q05: [1, 1, 1], q25: [2, 2, 2], q50: [3, 3, 3], q75: [4, 4, 4], q95: [5, 5, 5] } },
  });
  const agg: Aggregate = {
    scenario: 's',
    title: 'S',
    grid: { x: ['1', '2'] },
    seeds: [1, 2],
    figureSource: 'f',
    figures: [
      { id: 'close', label: 'last close', market: 'national', published: 95 },
      { id: 'volume', label: 'volume (t)', market: 'national', published: null },
    ],
    points: [point('p0', '1', 2, 90), point('p1', '2', 2, 91)],
  };

  it('groups the points of a market into one chart, with their runs, and lays the figures side by side', () => {
    const parts = fanReportParts(agg);
    expect(parts.fans.map((f) => [f.group, f.point, f.runs])).toEqual([
      ['national close', 'p0 (x=1)', 2],
      ['national close', 'p1 (x=2)', 2],
    ]);
    expect(parts.table.byPoint).toEqual({
      columns: ['figure', 'published', 'p0 (x=1), 2 runs', 'p1 (x=2), 2 runs'],
      rows: [
        ['last close', '95.00', '90.00 [88.00–92.00]', '91.00 [89.00–93.00]'],
        ['volume (t)', '', '90,000 [89,998–90,002]', '91,000 [90,998–91,002]'],
      ],
    });
    const html = renderFanReport({ title: 't', subtitle: '', ...parts, assets });
    expect(html.match(/data-chart="overlay"/g)).toHaveLength(1);
    expect(html).toContain('Fewer than 10 runs make these quantiles');
    expect(fanReportParts({ ...agg, points: [agg.points[0]!] }).table.byPoint).toBeUndefined();
    // A design's many points stay in the long table: 13 columns of points would not read.
    const many = Array.from({ length: SIDE_BY_SIDE_MAX + 1 }, (_, k) => point(`p${k}`, String(k), 20, 90 + k));
    expect(fanReportParts({ ...agg, points: many.slice(0, SIDE_BY_SIDE_MAX) }).table.byPoint!.columns).toHaveLength(
      SIDE_BY_SIDE_MAX + 2,
    );
    expect(fanReportParts({ ...agg, points: many }).table.byPoint).toBeUndefined();
  });
});
