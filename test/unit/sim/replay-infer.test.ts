// Replay as inference and its counterfactual (issue 18): src/sim/replay/*, src/store/news-files.ts, src/cli/replay.ts.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { replayCommand } from '../../../src/cli/replay.ts';
import { SimCode, SimError } from '../../../src/sim/errors.ts';
import { closeStats, pearson } from '../../../src/sim/replay/compare.ts';
import { newsEvents, scenarioWithNews } from '../../../src/sim/replay/infer.ts';
import type { Scenario } from '../../../src/sim/scenario/schema.ts';
import { parseNewsCsv } from '../../../src/store/news-files.ts';
import { loadRunContext, loadScenario, ROOT_DIR } from '../../../src/store/scenario-files.ts';

const PRICES = join(ROOT_DIR, 'data/replay/cea-q3-2024-smooth.csv');
const RUN_FILES = ['summary.json', 'bars.csv', 'entities.csv', 'sectors.csv', 'events.json', 'manifest.json'];

describe('news events', () => {
  it('one event per change of the cumulative series, merged after the same day’s own events', () => {
    const news = newsEvents('national', ['2024-07-01', '2024-07-02', '2024-07-03', '2024-09-09'], [5, 5, -3, 7]);
    expect(news).toEqual([
      { date: '2024-07-01', kind: 'news', market: 'national', shortageT: 5 },
      { date: '2024-07-03', kind: 'news', market: 'national', shortageT: -8 },
      { date: '2024-09-09', kind: 'news', market: 'national', shortageT: 10 },
    ]);
    const { scenario } = loadScenario('q3-2024', loadRunContext());
    const merged = scenarioWithNews(scenario, news);
    expect(merged.events.map((e) => `${e.date} ${e.kind}`)).toEqual([
      '2024-07-01 news',
      '2024-07-03 news',
      ...scenario.events.map((e) => `${e.date} ${e.kind}`),
      '2024-09-09 news',
    ]);
  });

  it('reads news.csv back exactly, and refuses what it cannot read with the line', () => {
    const ok = (d: string): boolean => d !== '2024-07-06';
    const h = 'date,market,shockT,newsT,givenClose,simulatedClose\n';
    expect(
      parseNewsCsv('n.csv', `${h}2024-07-01,national,-5,-5,90.40,90.41\n2024-07-02,national,0,-5,,\n`, ok),
    ).toEqual([{ date: '2024-07-01', kind: 'news', market: 'national', shortageT: -5 }]);
    const problem = (text: string): string => {
      try {
        parseNewsCsv('n.csv', text, ok);
      } catch (e) {
        if (e instanceof SimError && e.code === SimCode.Replay) return e.message;
        throw e;
      }
      throw new Error('no error');
    };
    expect(problem('date,close\n')).toMatch(/^n\.csv: line 1: the header/);
    expect(problem(`${h}2024-07-06,national,1,1,,\n`)).toMatch(/line 2: date: a trading day expected/);
    expect(problem(`${h}2024-07-02,national,1,1,,\n2024-07-01,national,1,2,,\n`)).toMatch(/line 3: date: .* in order/);
    expect(problem(`${h}2024-07-01,national,1.5,1.5,,\n`)).toMatch(/line 2: shockT: whole tonnes/);
    expect(problem(`${h}2024-07-01,national,1,2,,\n`)).toMatch(/line 2: newsT: 2 is not the sum/);
  });
});

describe('fit measures', () => {
  it('mean absolute error, correlation and variance explained of the mean path', () => {
    const given = new Map([
      ['a', 10000],
      ['b', 11000],
      ['c', 12000],
    ]);
    const s = closeStats(
      given,
      new Map([
        ['a', 10100],
        ['b', 11000],
        ['c', 11900],
      ]),
    );
    expect(s.days).toBe(3);
    expect(s.maeCny).toBeCloseTo(2 / 3);
    expect(s.explained).toBeCloseTo(1 - 2e4 / 2e6);
    expect(pearson([1, 2, 3], [3, 2, 1])).toBeCloseTo(-1);
    expect(pearson([1], [1])).toBeNaN();
  });
});

describe('cets replay', () => {
  let dir: string;
  const lines: string[] = [];
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'cets-replay-'));
    const args = [PRICES, '--seeds', '2', '--iterations', '2', '--out', join(dir, 'r'), '--counterfactual'];
    expect(replayCommand(args, (l) => lines.push(l))).toBe(0);
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const fitJson = (): { baseline: { maePct: number }; withNews: { maePct: number; days: number } } =>
    JSON.parse(readFileSync(join(dir, 'r/fit.json'), 'utf8'));

  it('infers news that brings the simulated closes to the given ones, and says what the events alone gave', () => {
    const f = fitJson();
    expect(f.withNews.days).toBe(64);
    // The scenario alone misses the given path by several percent; the news must do far better.
    expect(f.withNews.maePct).toBeLessThan(f.baseline.maePct / 3);
    expect(f.withNews.maePct).toBeLessThan(1);
    const text = lines.join('\n');
    expect(text).toMatch(/scenario's own events only\s+\d+\.\d\d \(\d+\.\d\d%\)/);
    expect(text).toMatch(/with the inferred news\s+\d+\.\d\d \(0\.\d\d%\)/);
    const news = readFileSync(join(dir, 'r/news.csv'), 'utf8').trim().split('\n');
    expect(news[0]).toBe('date,market,shockT,newsT,givenClose,simulatedClose');
    expect(news).toHaveLength(65);
    expect(news[1]).toMatch(/^2024-07-01,national,-?\d+,-?\d+,90\.40,\d+\.\d\d$/);
  });

  it('the counterfactual with no change is the replay, byte for byte', () => {
    for (const f of RUN_FILES)
      expect(readFileSync(join(dir, 'r/counterfactual', f), 'utf8'), f).toBe(readFileSync(join(dir, 'r', f), 'utf8'));
    const diffs = readFileSync(join(dir, 'r/counterfactual/counterfactual.csv'), 'utf8').trim().split('\n').slice(1);
    for (const d of diffs) expect(d.split(',')[3]).toBe('0.00');
    const html = readFileSync(join(dir, 'r/counterfactual/report.html'), 'utf8');
    expect(html).toContain('Counterfactual against the replay');
    expect(html).toContain('Change: none (the replay again)');
  });

  it('--news reuses the inferred news: the same runs, byte for byte', () => {
    const out = join(dir, 'again');
    replayCommand([PRICES, '--seeds', '2', '--news', join(dir, 'r/news.csv'), '--out', out], () => {});
    for (const f of [...RUN_FILES, 'news.csv', 'replay.csv'])
      expect(readFileSync(join(out, f), 'utf8'), f).toBe(readFileSync(join(dir, 'r', f), 'utf8'));
  });

  it('a tighter allocation in the counterfactual raises the price under the same news', () => {
    const out: string[] = [];
    const cf = join(dir, 'tight');
    const args = ['--seeds', '2', '--news', join(dir, 'r/news.csv'), '--out', cf, '--counterfactual'];
    replayCommand([PRICES, ...args, '--set', 'supply.allocationFactor=0.9'], (l) => out.push(l));
    const rows = readFileSync(join(cf, 'counterfactual/counterfactual-summary.csv'), 'utf8').trim().split('\n');
    const price = rows.find((r) => r.startsWith('"listed average price"'))!.split(',');
    // Every seed's difference (the lowest of them) is up by more than 2 CNY.
    expect(Number(price[5])).toBeGreaterThan(2);
    expect(out.join('\n')).toMatch(/counterfactual: supply\.allocationFactor=0\.9/);
  });

  it('reads a data terminal export (UTF-8 with a BOM, units 万吨/万元, blank weekend rows, source lines) as the given path', () => {
    const out: string[] = [];
    const file = join(ROOT_DIR, 'test/fixtures/observed/terminal-utf8.csv');
    replayCommand([file, '--seeds', '1', '--iterations', '1', '--out', join(dir, 'gbk')], (l) => out.push(l));
    expect(out[1]).toMatch(
      /^2 given days \(\d+ rows skipped: outside the period or no close\), 2024-09-27 95\.08 to 2024-09-30 99\.48/,
    );
    const news = readFileSync(join(dir, 'gbk/news.csv'), 'utf8').trim().split('\n');
    expect(news.find((l) => l.startsWith('2024-09-30'))).toMatch(/,99\.48,\d+\.\d\d$/);
  });

  it('refuses arguments that cannot work, before running', () => {
    const err = (args: string[]): string => {
      try {
        replayCommand(args, () => {});
      } catch (e) {
        if (e instanceof SimError) return e.message;
        throw e;
      }
      throw new Error('no error');
    };
    expect(err([])).toMatch(/usage: cets replay/);
    expect(err([PRICES, '--set', 'supply.allocationFactor=0.9'])).toMatch(/add --counterfactual/);
    expect(err([PRICES, '--seeds', '0'])).toMatch(/--seeds must be a whole number/);
    expect(err([PRICES, '--iterations', 'x'])).toMatch(/--iterations must be a whole number/);
    const s: Scenario = loadScenario('q3-2024', loadRunContext()).scenario;
    expect(s.events.some((e) => e.date === '2024-08-01')).toBe(false);
    expect(err([PRICES, '--seeds', '1', '--iterations', '1', '--counterfactual', '--without', '2024-08-01'])).toMatch(
      /--without 2024-08-01: q3-2024 has no event dated 2024-08-01/,
    );
  });
});
