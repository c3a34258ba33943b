// `cets replay <prices.csv> [--scenario S] [--seeds N] [--seed FIRST] [--iterations K] [--out DIR]
//              [--news news.csv] [--counterfactual [--set path=value ...] [--without DATE ...]]`
// Replay as inference (src/sim/replay/infer.ts): the news, in tonnes of expected shortage, that makes the scenario's
// simulated closes track the given ones, written as news.csv; then, with --counterfactual, the same days, seeds and
// news under a changed policy. docs/researchers.md has the procedure and an example.
import { basename, join } from 'node:path';
import { parseArgs } from 'node:util';
import { SimCode, SimError } from '../sim/errors.ts';
import { compare } from '../sim/figures.ts';
import { type CloseStats, runsStats, seedsDays } from '../sim/replay/compare.ts';
import { counterfactualDays, counterfactualMeasures } from '../sim/replay/counterfactual.ts';
import { type Inference, inferNews, type NewsEvent, scenarioWithNews } from '../sim/replay/infer.ts';
import { type RunContext, type RunResult, runScenario } from '../sim/run.ts';
import { withOverrides } from '../sim/scenario/overrides.ts';
import type { Scenario } from '../sim/scenario/schema.ts';
import { loadNewsCsv, type NewsRow, newsCsv } from '../store/news-files.ts';
import { loadObserved, type ObservedDay } from '../store/observed-files.ts';
import { writeRunFolder } from '../store/run-folder.ts';
import { scenarioHash } from '../store/scenario-files.ts';
import { table, tonnes } from './format.ts';
import { prepare, publishedFigures, seedOf } from './run.ts';
import { cycleDeadlines, type ReportExtras, runFiles } from './run-files.ts';

export const REPLAY_USAGE =
  'usage: cets replay <prices.csv> [--scenario S] [--seeds N] [--seed FIRST] [--iterations K] [--out DIR] [--news news.csv] [--counterfactual [--set path=value ...] [--without YYYY-MM-DD ...]]';

const num = (x: number, digits: number, suffix = ''): string =>
  Number.isNaN(x) ? 'n/a' : `${x.toFixed(digits)}${suffix}`;

function fitRows(label: string, s: CloseStats): string[] {
  return [
    label,
    `${num(s.maeCny, 2)} (${num(s.maePct, 2, '%')})`,
    num(s.seedMaePct, 2, '%'),
    num(s.correlation, 3),
    num(100 * s.explained, 1, '%'),
  ];
}

/** The scenario without its own events of these dates (news kept); every date must drop at least one. */
export function withoutDates(s: Scenario, dates: readonly string[]): Scenario {
  for (const d of dates)
    if (!s.events.some((e) => e.kind !== 'news' && e.date === d))
      throw new SimError(
        SimCode.Args,
        `--without ${d}: ${s.id} has no event dated ${d} (its events: ${[...new Set(s.events.filter((e) => e.kind !== 'news').map((e) => e.date))].join(', ')})`,
      );
  return { ...s, events: s.events.filter((e) => e.kind === 'news' || !dates.includes(e.date)) };
}

function runSeeds(ctx: RunContext, s: Scenario, seeds: readonly number[]): RunResult[] {
  const hash = scenarioHash(s);
  return seeds.map((seed) => runScenario(ctx, { scenario: s, scenarioHash: hash, seed }));
}

/** Per day: given close and volume, the seeds' mean close, lowest and highest, mean volume, the news so far. */
function replayCsv(runs: readonly RunResult[], market: string, given: readonly ObservedDay[]): string {
  const byDate = new Map(given.map((g) => [g.date, g]));
  const cny = (x: number | null): string => (x === null ? '' : x.toFixed(2));
  const lines = [
    'date,givenClose,givenVolumeT,simulatedClose,simulatedLow,simulatedHigh,simulatedVolumeT,fairValue,newsT',
  ];
  seedsDays(runs, market).forEach((d, i) => {
    const g = byDate.get(d.date);
    lines.push(
      [
        d.date,
        g === undefined ? '' : (g.closeFen / 100).toFixed(2),
        g?.volumeT === undefined ? '' : String(g.volumeT),
        cny(d.meanCny),
        cny(d.lowCny),
        cny(d.highCny),
        String(Math.round(d.volumeT)),
        (runs[0]!.fairCny[market]?.[i] ?? 0).toFixed(2),
        String(runs[0]!.newsT[market]?.[i] ?? 0),
      ].join(','),
    );
  });
  return `${lines.join('\n')}\n`;
}

/** The lowest and highest close across runs per day, for the report's band. */
function bandOf(runs: readonly RunResult[], market: string): { date: string; lowCny: number; highCny: number }[] {
  return seedsDays(runs, market).flatMap((d) =>
    d.lowCny === null || d.highCny === null ? [] : [{ date: d.date, lowCny: d.lowCny, highCny: d.highCny }],
  );
}

/** The seeds' mean close as a line for the report. */
function meanLine(label: string, runs: readonly RunResult[], market: string) {
  const points = seedsDays(runs, market).flatMap((d) => (d.meanCny === null ? [] : [{ date: d.date, cny: d.meanCny }]));
  return { label, points };
}

function newsRows(runs: readonly RunResult[], market: string, given: readonly ObservedDay[]): NewsRow[] {
  const byDate = new Map(given.map((g) => [g.date, g.closeFen / 100]));
  const news = runs[0]!.newsT[market] ?? [];
  let prev = 0;
  return seedsDays(runs, market).map((d, i) => {
    const newsT = news[i] ?? prev;
    const row = {
      date: d.date,
      market,
      shockT: newsT - prev,
      newsT,
      givenClose: byDate.get(d.date) ?? null,
      simulatedClose: d.meanCny,
    };
    prev = newsT;
    return row;
  });
}

export function replayCommand(args: readonly string[], out: (line: string) => void): number {
  const { values, positionals } = parseArgs({
    args: [...args],
    allowPositionals: true,
    options: {
      scenario: { type: 'string' },
      seed: { type: 'string' },
      seeds: { type: 'string' },
      iterations: { type: 'string' },
      out: { type: 'string' },
      news: { type: 'string' },
      counterfactual: { type: 'boolean' },
      set: { type: 'string', multiple: true },
      without: { type: 'string', multiple: true },
    },
  });
  const file = positionals[0];
  if (file === undefined || positionals.length > 1) throw new SimError(SimCode.Args, REPLAY_USAGE);
  const sets = values.set ?? [];
  const without = values.without ?? [];
  if (!values.counterfactual && (sets.length > 0 || without.length > 0))
    throw new SimError(
      SimCode.Args,
      `--set and --without change the counterfactual: add --counterfactual. ${REPLAY_USAGE}`,
    );
  const first = seedOf(values.seed);
  const n = values.seeds === undefined ? 5 : Number(values.seeds);
  if (!Number.isInteger(n) || n < 1 || n > 1000)
    throw new SimError(SimCode.Args, `--seeds must be a whole number 1..1000, got "${values.seeds}"`);
  const iterations = values.iterations === undefined ? 4 : Number(values.iterations);
  if (!Number.isInteger(iterations) || iterations < 1 || iterations > 50)
    throw new SimError(SimCode.Args, `--iterations must be a whole number 1..50, got "${values.iterations}"`);
  const seeds = Array.from({ length: n }, (_, i) => first + i);
  const { ctx, scenario, file: scenarioFile } = prepare(values.scenario ?? 'q3-2024');
  const market = scenario.markets[0]!.id;
  const isTradingDay = (d: string): boolean => ctx.calendar.isTradingDay(d);
  // Any observed format (plain CSV or a data terminal's export); days outside the scenario's period are left out.
  const observed = loadObserved(file, {
    check: { from: scenario.period.from, to: scenario.period.to, isTradingDay },
    outside: 'skip',
  });
  const given = observed.days;
  if (given.length === 0)
    throw new SimError(
      SimCode.Replay,
      `${file}: no day with a close inside ${scenario.id}'s period ${scenario.period.from} to ${scenario.period.to}`,
    );
  const givenFen = new Map(given.map((g) => [g.date, g.closeFen]));
  const t0 = performance.now();
  let inference: Inference | null = null;
  let news: readonly NewsEvent[];
  let runs: RunResult[];
  let baseline: RunResult[];
  if (values.news !== undefined) {
    news = loadNewsCsv(values.news, isTradingDay);
    baseline = runSeeds(ctx, scenario, seeds);
    runs = runSeeds(ctx, scenarioWithNews(scenario, news), seeds);
  } else {
    inference = inferNews({ ctx, scenario, market, givenFen, seeds, iterations, hashOf: scenarioHash });
    news = inference.news;
    baseline = [...inference.baseline];
    runs = [...inference.runs];
  }
  const stats = runsStats(givenFen, runs, market);
  const baseStats = runsStats(givenFen, baseline, market);
  const dir = values.out ?? join('runs', `replay-${scenario.id}-seeds${first}-${first + n - 1}`);
  const figures = publishedFigures(scenario.id);
  const report: ReportExtras = {
    compareMarket: market,
    observed: given,
    observedLabel: basename(file),
    band: bandOf(runs, market),
    overlays: [
      meanLine(`with the inferred news (mean of ${n} seeds)`, runs, market),
      meanLine(`the scenario's events only (mean of ${n} seeds)`, baseline, market),
    ],
    deadlines: cycleDeadlines(ctx.markets),
    ...(figures === null
      ? {}
      : {
          figures: {
            file: figures,
            results: compare(
              figures,
              runs.map((r) => r.summary),
            ),
            seeds: n,
          },
        }),
  };
  const files = runFiles(runs[0]!, report);
  files.set('replay.csv', replayCsv(runs, market, given));
  const rows = newsRows(runs, market, given);
  files.set('news.csv', newsCsv(rows));
  files.set(
    'fit.json',
    `${JSON.stringify(
      {
        scenario: scenario.id,
        market,
        prices: file,
        seeds,
        news: values.news ?? null,
        baseline: baseStats,
        withNews: stats,
        iterations: inference?.iterations ?? [],
        kept: inference?.kept ?? null,
      },
      null,
      2,
    )}\n`,
  );
  writeRunFolder(dir, files);
  const ms = performance.now() - t0;
  const g0 = given[0]!;
  const gN = given[given.length - 1]!;
  out(`${scenario.title}: replay of ${file} on ${market}`);
  const outside = observed.skipped.length;
  out(
    `${given.length} given days${outside > 0 ? ` (${outside} rows skipped: outside the period or no close)` : ''}, ${g0.date} ${(g0.closeFen / 100).toFixed(2)} to ${gN.date} ${(gN.closeFen / 100).toFixed(2)}; seeds ${first}..${first + n - 1}; ${values.news === undefined ? `news inferred in ${iterations} iterations (kept ${inference!.kept + 1})` : `news from ${values.news}`}; ${(ms / 1000).toFixed(1)} s`,
  );
  out('');
  for (const l of table(
    ['closes against the given', 'mean abs. error CNY (%)', 'one seed %', 'correlation', 'variance explained'],
    [fitRows("scenario's own events only", baseStats), fitRows('with the inferred news', stats)],
  ))
    out(l);
  const shocks = rows.filter((r) => r.shockT !== 0);
  const absMt = shocks.reduce((a, r) => a + Math.abs(r.shockT), 0) / 1e6;
  const last = rows[rows.length - 1]!;
  const volGiven = given.reduce((a, g) => a + (g.volumeT ?? 0), 0);
  const volSim = Math.round(runs.reduce((a, r) => a + sumVolume(r, market), 0) / runs.length);
  out('');
  out(
    `news: ${shocks.length} days, ${absMt.toFixed(1)} Mt of shocks in all, net ${(last.newsT / 1e6).toFixed(1)} Mt of expected shortage by ${last.date}`,
  );
  const withVolume = given.filter((g) => g.volumeT !== undefined).length;
  out(`volume: given ${tonnes(volGiven)} t on ${withVolume} days, simulated ${tonnes(volSim)} t (seeds' mean)`);
  out(`wrote ${dir}/: news.csv replay.csv fit.json and the first seed's run folder (report.html)`);
  if (values.counterfactual) {
    // The change applies to the scenario as written (its event indices as in the file), then the same news joins it.
    const changed = scenarioWithNews(withOverrides(withoutDates(scenario, without), scenarioFile, sets, ctx), news);
    const cf = runSeeds(ctx, changed, seeds);
    const change = [...sets, ...without.map((d) => `without the events of ${d}`)];
    const cfReport: ReportExtras = {
      compareMarket: market,
      observed: given,
      observedLabel: basename(file),
      band: bandOf(cf, market),
      overlays: [
        meanLine(`replay (mean of ${n} seeds)`, runs, market),
        meanLine(`counterfactual (mean of ${n} seeds)`, cf, market),
      ],
      deadlines: cycleDeadlines(ctx.markets),
    };
    counterfactual(dir, runs, cf, market, change, cfReport, out);
  }
  return 0;
}

function sumVolume(r: RunResult, market: string): number {
  return r.summary.markets[market]!.daily.reduce((a, d) => a + d.listed.volumeT + d.block.volumeT, 0);
}

function counterfactual(
  dir: string,
  replay: readonly RunResult[],
  cf: readonly RunResult[],
  market: string,
  change: readonly string[],
  report: ReportExtras,
  out: (line: string) => void,
): void {
  const days = counterfactualDays(replay, cf, market);
  const measures = counterfactualMeasures(replay, cf, market);
  const cell = (x: number | null): string => (x === null ? '' : x.toFixed(2));
  const daily = [
    'date,replayClose,counterfactualClose,differenceCny,replayVolumeT,counterfactualVolumeT',
    ...days.map((d) =>
      [
        d.date,
        cell(d.replayClose),
        cell(d.counterfactualClose),
        d.replayClose === null || d.counterfactualClose === null ? '' : cell(d.counterfactualClose - d.replayClose),
        Math.round(d.replayVolumeT),
        Math.round(d.counterfactualVolumeT),
      ].join(','),
    ),
  ];
  const summary = [
    'measure,unit,replay,counterfactual,difference,lowestDifference,highestDifference',
    ...measures.map((m) =>
      [m.name, m.unit, m.replay, m.counterfactual, m.difference, m.lowest, m.highest]
        .map((x) => (typeof x === 'number' ? x.toFixed(2) : `"${x}"`))
        .join(','),
    ),
  ];
  const fmt = (x: number, unit: string): string =>
    unit === 't' || unit === 'CNY' ? Math.round(x).toLocaleString('en-US') : x.toFixed(2);
  const rows = measures.map((m) => [
    m.name,
    m.unit,
    fmt(m.replay, m.unit),
    fmt(m.counterfactual, m.unit),
    fmt(m.difference, m.unit),
    `${fmt(m.lowest, m.unit)} .. ${fmt(m.highest, m.unit)}`,
  ]);
  const header = ['measure', 'unit', 'replay', 'counterfactual', 'difference', `range over ${cf.length} seeds`];
  const files = runFiles(cf[0]!, {
    ...report,
    tables: [
      {
        id: 'counterfactual',
        title: 'Counterfactual against the replay',
        note: `Change: ${change.length === 0 ? 'none (the replay again)' : change.join('; ')}. Same days, seeds and inferred news; means over ${cf.length} seeds, the difference seed by seed (its mean and range). Per day: counterfactual.csv.`,
        columns: header,
        rows,
      },
    ],
  });
  files.set('counterfactual.csv', `${daily.join('\n')}\n`);
  files.set('counterfactual-summary.csv', `${summary.join('\n')}\n`);
  writeRunFolder(join(dir, 'counterfactual'), files);
  out('');
  out(`counterfactual: ${change.length === 0 ? 'no change (the replay again)' : change.join('; ')}`);
  for (const l of table(header, rows)) out(l);
  const lastDay = days[days.length - 1]!;
  out(
    `last close ${lastDay.date}: replay ${cell(lastDay.replayClose)}, counterfactual ${cell(lastDay.counterfactualClose)}`,
  );
  out(`wrote ${dir}/counterfactual/: counterfactual.csv counterfactual-summary.csv and its first seed's run folder`);
}
