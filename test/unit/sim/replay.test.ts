import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pearson, type ReplayDayRow, replayCommand, replayStats } from '../../../src/cli/replay.ts';
import { TradingCalendar } from '../../../src/market/calendar.ts';
import { SimCode, SimError } from '../../../src/sim/errors.ts';
import { loadCatalogue } from '../../../src/store/catalogue-files.ts';
import { parseReplayCsv, priceToFen, type ReplayCheck } from '../../../src/store/replay-files.ts';
import { ROOT_DIR } from '../../../src/store/scenario-files.ts';

let check: ReplayCheck;
beforeAll(() => {
  const cal = new TradingCalendar(loadCatalogue().calendar);
  check = { from: '2024-07-01', to: '2024-09-30', isTradingDay: (d) => cal.isTradingDay(d) };
});

function problem(text: string): string {
  try {
    parseReplayCsv('prices.csv', text, check);
  } catch (e) {
    if (e instanceof SimError && e.code === SimCode.Replay) return e.message;
    throw e;
  }
  throw new Error('no error thrown');
}

describe('replay price file', () => {
  it('reads rows in fen and tonnes, skipping comments, blank lines and CRLF', () => {
    const rows = parseReplayCsv(
      'prices.csv',
      '# illustrative\r\ndate,close,volume\r\n\r\n2024-07-01,90.4,270000\r\n2024-07-03, 91.05 ,0\r\n',
      check,
    );
    expect(rows).toEqual([
      { date: '2024-07-01', closeFen: 9040, volumeT: 270000, line: 4 },
      { date: '2024-07-03', closeFen: 9105, volumeT: 0, line: 5 },
    ]);
    expect(priceToFen('99.48')).toBe(9948);
    expect(priceToFen('100')).toBe(10000);
    expect(priceToFen('1.5')).toBe(150);
    expect(priceToFen('1.505')).toBeNull();
  });

  it('names the file, the line and the field of every problem', () => {
    const h = 'date,close,volume\n';
    expect(problem('date,price,volume\n')).toBe(
      'prices.csv: line 1: the header date,close,volume expected, got "date,price,volume"',
    );
    expect(problem('')).toMatch(/^prices\.csv: line 1: empty/);
    expect(problem(h)).toMatch(/no rows after the header/);
    expect(problem(`${h}2024-07-01,90.40\n`)).toBe('prices.csv: line 2: 3 fields (date,close,volume) expected, got 2');
    expect(problem(`${h}2024-7-1,90.40,1\n`)).toMatch(/^prices\.csv: line 2: date: a real date/);
    expect(problem(`${h}2024-06-31,90.40,1\n`)).toMatch(/^prices\.csv: line 2: date: a real date/);
    expect(problem(`${h}2024-06-28,90.40,1\n`)).toMatch(/line 2: date: 2024-06-28 is outside the scenario's period/);
    expect(problem(`${h}2024-10-08,90.40,1\n`)).toMatch(/line 2: date: 2024-10-08 is outside/);
    expect(problem(`${h}2024-07-06,90.40,1\n`)).toMatch(/line 2: date: 2024-07-06 is not a trading day/);
    expect(problem(`${h}2024-09-16,90.40,1\n`)).toMatch(/line 2: date: 2024-09-16 is not a trading day/); // Mid-Autumn
    expect(problem(`${h}2024-07-02,90,1\n2024-07-01,90,1\n`)).toMatch(
      /line 3: date: 2024-07-01 is not after 2024-07-02/,
    );
    expect(problem(`${h}2024-07-02,90,1\n2024-07-02,90,1\n`)).toMatch(/line 3: date: .* in order, each once/);
    for (const c of ['0', '0.00', '-90', '90.123', 'abc', ''])
      expect(problem(`${h}2024-07-01,${c},1\n`), c).toMatch(/^prices\.csv: line 2: close: /);
    for (const v of ['-1', '1.5', '1e5', 'x', ''])
      expect(problem(`${h}2024-07-01,90,${v}\n`), v).toMatch(/^prices\.csv: line 2: volume: whole tonnes/);
  });

  it('accepts the sample file, which says it is illustrative', () => {
    const text = readFileSync(join(ROOT_DIR, 'data/replay/cea-q3-2024-sample.csv'), 'utf8');
    expect(text.split('\n')[0]).toMatch(/^# ILLUSTRATIVE PATH, NOT MARKET DATA/);
    const rows = parseReplayCsv('sample', text, check);
    expect(rows[0]).toMatchObject({ date: '2024-07-01', closeFen: 9040 });
    expect(rows.at(-1)).toMatchObject({ date: '2024-09-30', closeFen: 9948 });
  });
});

describe('replay statistics', () => {
  const row = (date: string, g: number | null, s: number | null, gv: number | null, sv: number): ReplayDayRow => ({
    date,
    givenClose: g,
    simulatedClose: s,
    givenVolumeT: gv,
    simulatedVolumeT: sv,
    fairValue: null,
  });

  it('compares the days both give, and totals volume over the days of the file', () => {
    const s = replayStats([
      row('2024-07-01', 100, 101, 10, 12),
      row('2024-07-02', null, 103, null, 50),
      row('2024-07-03', 110, 108, 20, 15),
      row('2024-07-04', 120, null, 30, 0),
    ]);
    expect(s.days).toBe(2);
    expect(s.maeCny).toBeCloseTo(1.5);
    expect(s.maePct).toBeCloseTo((1 + 200 / 110) / 2);
    expect(s.correlation).toBeCloseTo(1);
    expect([s.givenVolumeT, s.simulatedVolumeT]).toEqual([60, 27]);
    expect([s.lastDate, s.lastGiven, s.lastSimulated]).toEqual(['2024-07-04', 120, null]);
  });

  it('correlates like Pearson', () => {
    expect(pearson([1, 2, 3], [2, 4, 6])).toBeCloseTo(1);
    expect(pearson([1, 2, 3], [3, 2, 1])).toBeCloseTo(-1);
    expect(pearson([1, 2, 3, 4], [1, 3, 2, 4])).toBeCloseTo(0.8);
    expect(pearson([1], [1])).toBeNaN();
    expect(pearson([1, 1], [1, 2])).toBeNaN();
  });
});

describe('cets replay', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'cets-replay-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('runs q3-2024 beside the sample path, writes the run folder and replay.csv, and prints the comparison', () => {
    const lines: string[] = [];
    const code = replayCommand([join(ROOT_DIR, 'data/replay/cea-q3-2024-sample.csv'), '--out', dir], (l) =>
      lines.push(l),
    );
    expect(code).toBe(0);
    const text = lines.join('\n');
    expect(text).toMatch(/mean absolute close error\s+\d+\.\d\d CNY \(\d+\.\d\d%\)/);
    expect(text).toMatch(/correlation of daily closes/);
    expect(text).toMatch(/volume given \(t\)\s+17,280,000/);
    expect(text).toMatch(/last close given \(2024-09-30\)\s+99\.48/);
    const csv = readFileSync(join(dir, 'replay.csv'), 'utf8').trim().split('\n');
    expect(csv[0]).toBe('date,givenClose,simulatedClose,givenVolumeT,simulatedVolumeT,fairValue');
    expect(csv).toHaveLength(65);
    expect(csv[1]).toMatch(/^2024-07-01,90\.40,\d+\.\d\d,270000,\d+,\d+\.\d\d$/);
    for (const f of ['summary.json', 'bars.csv', 'manifest.json', 'report.html'])
      expect(readFileSync(join(dir, f), 'utf8').length, f).toBeGreaterThan(0);
    // Nothing anchors the run to the path any more (prices are the agents' outcome): the file only sits beside it.
    // Each row's fair value is the run's public valuation, a positive price.
    const rows = csv.slice(1).map((l) => l.split(',').map(Number));
    for (const r of rows) expect(r[5]).toBeGreaterThan(0);
  });

  it('refuses a bad file before running, and a seed or usage error as arguments', () => {
    const bad = join(dir, 'bad.csv');
    writeFileSync(bad, 'date,close,volume\n2024-07-06,90,1\n');
    expect(() => replayCommand([bad], () => {})).toThrow(/bad\.csv: line 2: date: 2024-07-06 is not a trading day/);
    expect(() => replayCommand([], () => {})).toThrow(/usage: cets replay/);
  });
});
