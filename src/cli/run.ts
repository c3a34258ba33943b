// `cets run <scenario> [--seed N] [--out DIR] [--set path=value ...] [--observed FILE] [--trades]`: one run, written to a run
// folder. report.html carries the scenario's published figures (data/figures/<scenario>.json, when there is one) and,
// with --observed, the observed closes and volumes of a price file (src/store/observed-files.ts) over the simulated.
import { basename, join } from 'node:path';
import { parseArgs } from 'node:util';
import { SimCode, SimError } from '../sim/errors.ts';
import { compare, type FiguresFile } from '../sim/figures.ts';
import { type RunContext, type RunResult, runScenario } from '../sim/run.ts';
import { withOverrides } from '../sim/scenario/overrides.ts';
import type { Scenario } from '../sim/scenario/schema.ts';
import { loadObserved } from '../store/observed-files.ts';
import { writeRunFolder } from '../store/run-folder.ts';
import { loadFigures, loadRunContext, loadScenario, scenarioHash } from '../store/scenario-files.ts';
import { table, tonnes } from './format.ts';
import { cycleDeadlines, type ReportExtras, runFiles } from './run-files.ts';

/** Kept for callers that import it from here; it lives in src/sim/scenario/overrides.ts. */
export { withOverrides };

export function seedOf(raw: string | undefined, fallback = 1): number {
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (!Number.isSafeInteger(n) || n < 0 || n > 2 ** 32)
    throw new SimError(SimCode.Args, `--seed must be a whole number 0..4294967296, got "${raw}"`);
  return n;
}

export function prepare(
  name: string,
  sets: readonly string[] = [],
): { ctx: RunContext; scenario: Scenario; file: string } {
  const base = loadRunContext();
  const loaded = loadScenario(name, base);
  const scenario = withOverrides(loaded.scenario, loaded.file, sets, base);
  return { ctx: base, scenario, file: loaded.file };
}

export function runCommand(args: readonly string[], out: (line: string) => void): number {
  const { values, positionals } = parseArgs({
    args: [...args],
    allowPositionals: true,
    options: {
      seed: { type: 'string' },
      out: { type: 'string' },
      set: { type: 'string', multiple: true },
      observed: { type: 'string' },
      trades: { type: 'boolean' },
    },
  });
  const name = positionals[0];
  if (name === undefined || positionals.length > 1)
    throw new SimError(
      SimCode.Args,
      'usage: cets run <scenario> [--seed N] [--out DIR] [--set path=value] [--observed prices.csv] [--trades]',
    );
  const seed = seedOf(values.seed);
  const { ctx, scenario } = prepare(name, values.set ?? []);
  // A bad price file is refused before the run.
  const observed = values.observed === undefined ? null : loadObserved(values.observed);
  const t0 = performance.now();
  const r = runScenario(ctx, {
    scenario,
    scenarioHash: scenarioHash(scenario),
    seed,
    ...(values.trades === true ? { keepTrades: true } : {}),
  });
  const ms = performance.now() - t0;
  const dir = values.out ?? join('runs', `${scenario.id}-seed${seed}`);
  const figures = publishedFigures(scenario.id);
  const report: ReportExtras = {
    deadlines: cycleDeadlines(ctx.markets),
    ...(figures === null ? {} : { figures: { file: figures, results: compare(figures, [r.summary]), seeds: 1 } }),
    ...(observed === null
      ? {}
      : {
          observed: observed.days,
          observedLabel: basename(values.observed!),
          ...(figures === null ? {} : { compareMarket: figures.market }),
        }),
  };
  writeRunFolder(dir, runFiles(r, report));
  out(`${scenario.title}`);
  out(
    `seed ${seed}, ${r.manifest.tradingDays} trading days, ${r.manifest.orders} orders, ${r.manifest.trades} trades in ${(ms / 1000).toFixed(2)} s`,
  );
  out('');
  for (const l of summaryTable(r)) out(l);
  out('');
  if (observed !== null) {
    const first = r.summary.period.from;
    const last = r.summary.period.to;
    const inside = observed.days.filter((d) => d.date >= first && d.date <= last).length;
    out(
      `observed: ${observed.days.length} days from ${observed.days[0]!.date} to ${observed.days.at(-1)!.date}, ${inside} of them in the run, drawn in report.html`,
    );
  }
  out(
    `wrote ${dir}/: summary.json bars.csv daily.csv entities.csv sectors.csv events.json manifest.json report.html${values.trades === true ? ' trades.csv' : ''}`,
  );
  return 0;
}

/** The scenario's published figures, or null when data/figures has none for it. */
export function publishedFigures(scenarioId: string): FiguresFile | null {
  try {
    return loadFigures(scenarioId);
  } catch (e) {
    // No file for this scenario (SIM_ERR_ARGS); a file that is there but bad is still an error.
    if (e instanceof SimError && e.code === SimCode.Args) return null;
    throw e;
  }
}

function summaryTable(r: RunResult): string[] {
  const rows = Object.values(r.summary.markets).map((m) => {
    let lv = 0;
    let bv = 0;
    let lt = 0;
    for (const d of m.daily) {
      lv += d.listed.volumeT;
      bv += d.block.volumeT;
      lt += Number(d.listed.turnoverCny);
    }
    const first = m.daily[0]?.close ?? '';
    const last = m.daily[m.daily.length - 1]?.close ?? '';
    return [m.id, first, last, tonnes(lv), lv > 0 ? (lt / lv).toFixed(2) : '', tonnes(bv)];
  });
  return table(['market', 'first close', 'last close', 'listed t', 'listed avg', 'block t'], rows);
}
