// `cets replay <prices.csv> [--scenario S] [--seed N] [--out DIR]`: runs a scenario (default q3-2024) beside the
// closes of a price file (src/store/replay-files.ts) and shows how the simulated market compares: the run folder as
// `cets run` writes it, plus replay.csv (given and simulated closes and volumes, and the public valuation from
// fundamentals). Prices are outcomes of the agents now, so nothing anchors the run to the given path: inferring the
// news that would make the simulated closes track it is the next step (issue: replay as inference).
import { basename, join } from 'node:path';
import { parseArgs } from 'node:util';
import { fenToYuan } from '../market/money.ts';
import { SimCode, SimError } from '../sim/errors.ts';
import type { RunResult } from '../sim/run.ts';
import { runScenario } from '../sim/run.ts';
import { loadReplayCsv, type ReplayRow } from '../store/replay-files.ts';
import { runFiles, writeRunFolder } from '../store/run-folder.ts';
import { scenarioHash } from '../store/scenario-files.ts';
import { table, tonnes } from './format.ts';
import { prepare, seedOf } from './run.ts';

export const REPLAY_USAGE = 'usage: cets replay <prices.csv> [--scenario S] [--seed N] [--out DIR]';

/** One simulated day next to the given one (given fields null on a day the file leaves out). */
export interface ReplayDayRow {
  readonly date: string;
  readonly givenClose: number | null;
  readonly simulatedClose: number | null;
  readonly givenVolumeT: number | null;
  /** Listed and block together. */
  readonly simulatedVolumeT: number;
  /** The market's expected price that day, CNY. */
  readonly fairValue: number | null;
}

export function replayDays(r: RunResult, marketId: string, given: readonly ReplayRow[]): ReplayDayRow[] {
  const m = r.summary.markets[marketId];
  if (m === undefined) throw new SimError(SimCode.Unsupported, `the run has no market ${marketId}`);
  const byDate = new Map(given.map((g) => [g.date, g]));
  const fair = r.fairCny[marketId] ?? [];
  return m.daily.map((d, i) => {
    const g = byDate.get(d.date);
    return {
      date: d.date,
      givenClose: g === undefined ? null : g.closeFen / 100,
      simulatedClose: d.close === null ? null : Number(d.close),
      givenVolumeT: g === undefined ? null : g.volumeT,
      simulatedVolumeT: d.listed.volumeT + d.block.volumeT,
      fairValue: fair[i] ?? null,
    };
  });
}

const cell = (x: number | null, digits?: number): string =>
  x === null ? '' : digits === undefined ? String(x) : x.toFixed(digits);

export function replayCsv(rows: readonly ReplayDayRow[]): string {
  const lines = ['date,givenClose,simulatedClose,givenVolumeT,simulatedVolumeT,fairValue'];
  for (const r of rows)
    lines.push(
      [
        r.date,
        cell(r.givenClose, 2),
        cell(r.simulatedClose, 2),
        cell(r.givenVolumeT),
        cell(r.simulatedVolumeT),
        cell(r.fairValue, 2),
      ].join(','),
    );
  return `${lines.join('\n')}\n`;
}

export interface ReplayStats {
  /** Days with both a given and a simulated close. */
  readonly days: number;
  readonly maeCny: number;
  /** Mean of |simulated − given| / given, percent. */
  readonly maePct: number;
  /** Pearson correlation of the daily closes; NaN with fewer than 2 days or a flat series. */
  readonly correlation: number;
  /** Totals over the days the file gives. */
  readonly givenVolumeT: number;
  readonly simulatedVolumeT: number;
  /** The last day of the file, its given close and the simulated close that day. */
  readonly lastDate: string | null;
  readonly lastGiven: number | null;
  readonly lastSimulated: number | null;
}

export function pearson(xs: readonly number[], ys: readonly number[]): number {
  const n = xs.length;
  if (n < 2 || ys.length !== n) return Number.NaN;
  const mx = xs.reduce((a, b) => a + b, 0) / n;
  const my = ys.reduce((a, b) => a + b, 0) / n;
  let sxy = 0;
  let sxx = 0;
  let syy = 0;
  for (let i = 0; i < n; i++) {
    const dx = xs[i]! - mx;
    const dy = ys[i]! - my;
    sxy += dx * dy;
    sxx += dx * dx;
    syy += dy * dy;
  }
  return sxx === 0 || syy === 0 ? Number.NaN : sxy / Math.sqrt(sxx * syy);
}

export function replayStats(rows: readonly ReplayDayRow[]): ReplayStats {
  const both = rows.filter((r) => r.givenClose !== null && r.simulatedClose !== null);
  const given = both.map((r) => r.givenClose!);
  const sim = both.map((r) => r.simulatedClose!);
  const abs = both.map((_, i) => Math.abs(sim[i]! - given[i]!));
  const mean = (xs: readonly number[]): number =>
    xs.length === 0 ? Number.NaN : xs.reduce((a, b) => a + b, 0) / xs.length;
  const inFile = rows.filter((r) => r.givenVolumeT !== null);
  const last = inFile[inFile.length - 1];
  return {
    days: both.length,
    maeCny: mean(abs),
    maePct: mean(abs.map((a, i) => (100 * a) / given[i]!)),
    correlation: pearson(given, sim),
    givenVolumeT: inFile.reduce((a, r) => a + r.givenVolumeT!, 0),
    simulatedVolumeT: inFile.reduce((a, r) => a + r.simulatedVolumeT, 0),
    lastDate: last?.date ?? null,
    lastGiven: last?.givenClose ?? null,
    lastSimulated: last?.simulatedClose ?? null,
  };
}

const num = (x: number | null, digits: number, suffix = ''): string =>
  x === null || Number.isNaN(x) ? 'n/a' : `${x.toFixed(digits)}${suffix}`;

export function statsTable(s: ReplayStats): string[] {
  const ratio = s.givenVolumeT > 0 ? ` (${((100 * s.simulatedVolumeT) / s.givenVolumeT).toFixed(1)}% of given)` : '';
  return table(
    ['measure', 'value'],
    [
      ['days compared (both closes)', String(s.days)],
      ['mean absolute close error', `${num(s.maeCny, 2, ' CNY')} (${num(s.maePct, 2, '%')})`],
      ['correlation of daily closes', num(s.correlation, 3)],
      ['volume given (t)', tonnes(s.givenVolumeT)],
      ['volume simulated (t)', `${tonnes(s.simulatedVolumeT)}${ratio}`],
      [`last close given (${s.lastDate ?? '-'})`, num(s.lastGiven, 2)],
      [`last close simulated (${s.lastDate ?? '-'})`, num(s.lastSimulated, 2)],
    ],
  );
}

export function replayCommand(args: readonly string[], out: (line: string) => void): number {
  const { values, positionals } = parseArgs({
    args: [...args],
    allowPositionals: true,
    options: { scenario: { type: 'string' }, seed: { type: 'string' }, out: { type: 'string' } },
  });
  const file = positionals[0];
  if (file === undefined || positionals.length > 1) throw new SimError(SimCode.Args, REPLAY_USAGE);
  const seed = seedOf(values.seed);
  const { ctx, scenario } = prepare(values.scenario ?? 'q3-2024');
  const market = scenario.markets[0]!.id;
  const given = loadReplayCsv(file, {
    from: scenario.period.from,
    to: scenario.period.to,
    isTradingDay: (d) => ctx.calendar.isTradingDay(d),
  });
  const t0 = performance.now();
  const r = runScenario(ctx, { scenario, scenarioHash: scenarioHash(scenario), seed });
  const ms = performance.now() - t0;
  const rows = replayDays(r, market, given);
  const dir = values.out ?? join('runs', `replay-${scenario.id}-${basename(file).replace(/\.csv$/i, '')}-seed${seed}`);
  const files = runFiles(r);
  files.set('replay.csv', replayCsv(rows));
  writeRunFolder(dir, files);
  const first = given[0]!;
  const lastGiven = given[given.length - 1]!;
  out(`${scenario.title}: replay of ${file} on ${market}`);
  out(
    `${given.length} given days, ${first.date} ${fenToYuan(first.closeFen)} to ${lastGiven.date} ${fenToYuan(lastGiven.closeFen)}; seed ${seed}, ${r.manifest.tradingDays} trading days, ${r.manifest.trades} trades in ${(ms / 1000).toFixed(2)} s`,
  );
  out('');
  for (const l of statsTable(replayStats(rows))) out(l);
  out('');
  out(`wrote ${dir}/: replay.csv summary.json bars.csv entities.csv sectors.csv events.json manifest.json report.html`);
  return 0;
}
