// `cets calibrate <scenario> [--seeds N|a..b|list] [--json]`: runs the seeds (N: 1..N) and compares the median of each figure with
// the published one (data/figures/<scenario>.json).
// `cets fit <scenario> [--seeds N|a..b|list] [--rounds R]`: the documented fitting procedure. Coordinate search over the
// parameters the scenario lists under calibration.params: for each parameter in turn, try the current value
// moved up and down by its step (clamped to [min, max]); keep a move when it lowers the loss (Σ (error /
// tolerance)² over the figures, bounds counted as misses, medians over the seeds); fits on disjoint seed sets
// (--seeds 1..10, 11..20, ...) give the spread of the fitted values; halve the steps after a round
// without improvement. Prints the best values; they are copied into the scenario file by hand (and the procedure,
// seeds and loss recorded in its calibration.notes), so a fit never rewrites a scenario behind anyone's back.
import { parseArgs } from 'node:util';
import { parseSeeds } from '../batch/plan.ts';
import { SimCode, SimError } from '../sim/errors.ts';
import { compare, type FigureResult, type FiguresFile, loss } from '../sim/figures.ts';
import { type RunContext, runScenario } from '../sim/run.ts';
import { getParam, setParam } from '../sim/scenario/params.ts';
import type { Scenario } from '../sim/scenario/schema.ts';
import { loadFigures, scenarioHash } from '../store/scenario-files.ts';
import { table } from './format.ts';
import { prepare } from './run.ts';

/** --seeds: "N" (1..N), "a..b" or "1,5,9"; at most `max` seeds. */
function seedList(raw: string | undefined, fallback: number, max: number): number[] {
  const seeds = parseSeeds(raw ?? String(fallback));
  if (seeds.length > max) throw new SimError(SimCode.Args, `--seeds ${raw}: at most ${max} seeds`);
  return seeds;
}

/** "seeds 1..20", or the list when it is not a range. */
function seedsLabel(seeds: readonly number[]): string {
  const range = seeds.every((s, i) => i === 0 || s === seeds[i - 1]! + 1);
  return range && seeds.length > 1
    ? `seeds ${seeds[0]}..${seeds.at(-1)}`
    : `seed${seeds.length === 1 ? '' : 's'} ${seeds.join(', ')}`;
}

function count(raw: string | undefined, name: string, fallback: number, max: number): number {
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (!Number.isSafeInteger(n) || n < 1 || n > max)
    throw new SimError(SimCode.Args, `--${name} must be a whole number 1..${max}, got "${raw}"`);
  return n;
}

export function calibrateRuns(
  ctx: RunContext,
  scenario: Scenario,
  figures: FiguresFile,
  seeds: readonly number[],
): FigureResult[] {
  const hash = scenarioHash(scenario);
  const runs = seeds.map((seed) => runScenario(ctx, { scenario, scenarioHash: hash, seed }).summary);
  return compare(figures, runs);
}

const fmt = (x: number): string =>
  Number.isNaN(x) ? 'n/a' : Math.abs(x) >= 1000 ? Math.round(x).toLocaleString('en-US') : x.toFixed(2);

export function figureTable(results: readonly FigureResult[]): string[] {
  return table(
    ['figure', 'published', 'simulated (median)', 'error', 'ok', 'seeds ok'],
    results.map((r) => [
      r.figure,
      fmt(r.published),
      fmt(r.simulated),
      r.error === null ? 'bound' : `${(r.error * 100).toFixed(1)}%`,
      r.ok ? 'yes' : 'NO',
      `${Math.round(r.seedsOk * 100)}%`,
    ]),
  );
}

export function calibrateCommand(args: readonly string[], out: (line: string) => void): number {
  const { values, positionals } = parseArgs({
    args: [...args],
    allowPositionals: true,
    options: { seeds: { type: 'string' }, json: { type: 'boolean' }, set: { type: 'string', multiple: true } },
  });
  const name = positionals[0];
  if (name === undefined)
    throw new SimError(
      SimCode.Args,
      'usage: cets calibrate <scenario> [--seeds N|a..b] [--set path=value ...] [--json]',
    );
  const seeds = seedList(values.seeds, 20, 1000);
  const { ctx, scenario } = prepare(name, values.set ?? []);
  const figures = loadFigures(scenario.id);
  const results = calibrateRuns(ctx, scenario, figures, seeds);
  if (values.json) {
    out(
      JSON.stringify(
        results.map((r) => ({
          figure: r.figure,
          published: r.published,
          simulated: r.simulated,
          error: r.error,
          ok: r.ok,
          seedsOk: r.seedsOk,
        })),
        null,
        2,
      ),
    );
  } else {
    out(`${figures.title}: ${seedsLabel(seeds)}, median of each figure`);
    for (const l of figureTable(results)) out(l);
    out(`${results.filter((r) => r.ok).length} of ${results.length} figures within tolerance`);
  }
  return results.every((r) => r.ok) ? 0 : 1;
}

export interface FitParam {
  readonly path: string;
  readonly min: number;
  readonly max: number;
  step: number;
}

export function fitCommand(args: readonly string[], out: (line: string) => void): number {
  const { values, positionals } = parseArgs({
    args: [...args],
    allowPositionals: true,
    options: { seeds: { type: 'string' }, rounds: { type: 'string' }, param: { type: 'string', multiple: true } },
  });
  const name = positionals[0];
  if (name === undefined)
    throw new SimError(
      SimCode.Args,
      'usage: cets fit <scenario> --param path:min:max:step ... [--seeds N|a..b] [--rounds R]',
    );
  const seeds = seedList(values.seeds, 3, 100);
  const rounds = count(values.rounds, 'rounds', 4, 50);
  const { ctx, scenario } = prepare(name);
  const figures = loadFigures(scenario.id);
  const params: FitParam[] = (values.param ?? []).map((p) => {
    const [path = '', min, max, step] = p.split(':');
    const nums = [min, max, step].map(Number);
    if (nums.some((n) => !Number.isFinite(n)) || typeof getParam(scenario, path) !== 'number')
      throw new SimError(SimCode.Args, `--param wants path:min:max:step for a numeric parameter, got "${p}"`);
    return { path, min: nums[0]!, max: nums[1]!, step: nums[2]! };
  });
  if (params.length === 0) throw new SimError(SimCode.Args, 'give at least one --param path:min:max:step');
  const evaluate = (s: Scenario): number => loss(figures, calibrateRuns(ctx, s, figures, seeds));
  let best = scenario;
  let bestLoss = evaluate(best);
  out(`start: loss ${bestLoss.toFixed(3)} (${seedsLabel(seeds)})`);
  for (let round = 1; round <= rounds; round++) {
    let improved = false;
    for (const p of params) {
      for (const dir of [1, -1]) {
        const cur = getParam(best, p.path) as number;
        const isInt = Number.isInteger(cur) && Number.isInteger(p.step);
        const raw = Math.min(p.max, Math.max(p.min, cur + dir * p.step));
        const next = isInt ? Math.round(raw) : Math.round(raw * 1e6) / 1e6;
        if (next === cur) continue;
        const cand = setParam(best, p.path, next);
        const l = evaluate(cand);
        if (l < bestLoss) {
          best = cand;
          bestLoss = l;
          improved = true;
          out(`round ${round}: ${p.path} = ${next}: loss ${l.toFixed(3)}`);
          break;
        }
      }
    }
    if (!improved) for (const p of params) p.step /= 2;
  }
  out('best values:');
  for (const p of params) out(`  ${p.path} = ${String(getParam(best, p.path))}`);
  for (const l of figureTable(calibrateRuns(ctx, best, figures, seeds))) out(l);
  return 0;
}
