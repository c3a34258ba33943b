// What a batch runs: a grid of scenario parameters (every combination of the values given per path), or the points of
// a design (src/batch/design.ts), times a list of seeds. Parsing is pure and refuses bad input with SIM_ERR_ARGS; planBatch then builds the scenario of every grid
// point (setParam + parseScenario, via withOverrides) so a bad value stops the batch before any run starts.
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { SimCode, SimError } from '../sim/errors.ts';
import type { RunContext } from '../sim/run.ts';
import { withOverrides } from '../sim/scenario/overrides.ts';
import type { Scenario } from '../sim/scenario/schema.ts';
import { loadScenario, scenarioHash } from '../store/scenario-files.ts';

/** Parameter path -> the values to try, in the order given. */
export type Grid = Readonly<Record<string, readonly string[]>>;

export const MAX_SEED = 2 ** 32;
export const MAX_JOBS = 100_000;

/** `--grid path=v1,v2,...` options into a grid; repeated or empty paths and values are refused. */
export function parseGridArgs(specs: readonly string[]): Record<string, string[]> {
  const grid: Record<string, string[]> = {};
  for (const spec of specs) {
    const eq = spec.indexOf('=');
    const path = spec.slice(0, eq).trim();
    if (eq <= 0 || path === '') throw new SimError(SimCode.Args, `--grid wants path=v1,v2,..., got "${spec}"`);
    if (Object.hasOwn(grid, path)) throw new SimError(SimCode.Args, `--grid ${path} is given twice`);
    const values = spec
      .slice(eq + 1)
      .split(',')
      .map((v) => v.trim());
    if (values.some((v) => v === ''))
      throw new SimError(SimCode.Args, `--grid ${path}: empty value in "${spec.slice(eq + 1)}"`);
    if (new Set(values).size !== values.length)
      throw new SimError(SimCode.Args, `--grid ${path}: a value is repeated in "${spec.slice(eq + 1)}"`);
    grid[path] = values;
  }
  return grid;
}

function seed(raw: string, whole: string): number {
  const n = /^\d+$/.test(raw) ? Number(raw) : Number.NaN;
  if (!Number.isSafeInteger(n) || n > MAX_SEED)
    throw new SimError(SimCode.Args, `--seeds: "${raw}" in "${whole}" is not a whole number 0..${MAX_SEED}`);
  return n;
}

/** `--seeds`: "1..50" (a range, both ends included), "3" (= 1..3) or "1,5,9" (a list). */
export function parseSeeds(raw: string): number[] {
  const s = raw.trim();
  let out: number[];
  const range = /^(\d+)\s*\.\.\s*(\d+)$/.exec(s);
  if (range !== null) {
    const a = seed(range[1]!, raw);
    const b = seed(range[2]!, raw);
    if (b < a) throw new SimError(SimCode.Args, `--seeds ${raw}: the range ends before it starts`);
    if (b - a + 1 > MAX_JOBS) throw new SimError(SimCode.Args, `--seeds ${raw}: more than ${MAX_JOBS} seeds`);
    out = [];
    for (let i = a; i <= b; i++) out.push(i);
  } else if (s.includes(',')) {
    out = s.split(',').map((x) => seed(x.trim(), raw));
    if (new Set(out).size !== out.length) throw new SimError(SimCode.Args, `--seeds ${raw}: a seed is repeated`);
  } else {
    const n = seed(s, raw);
    if (n < 1) throw new SimError(SimCode.Args, `--seeds ${raw}: a count of at least 1 expected (or a range a..b)`);
    if (n > MAX_JOBS) throw new SimError(SimCode.Args, `--seeds ${raw}: more than ${MAX_JOBS} seeds`);
    out = [];
    for (let i = 1; i <= n; i++) out.push(i);
  }
  return out;
}

/** Every combination of the grid's values (the first path varies slowest); one empty point for an empty grid. */
export function gridPoints(grid: Grid): Record<string, string>[] {
  let points: Record<string, string>[] = [{}];
  for (const [path, values] of Object.entries(grid)) {
    if (values.length === 0) throw new SimError(SimCode.Args, `--grid ${path}: no values`);
    points = points.flatMap((p) => values.map((v) => ({ ...p, [path]: v })));
  }
  return points;
}

/** p0, p1, ... padded so that names sort in order: p00..p11 for 12 points. */
export function pointIds(count: number): string[] {
  const width = String(Math.max(0, count - 1)).length;
  return Array.from({ length: count }, (_, i) => `p${String(i).padStart(width, '0')}`);
}

export const jobKey = (pointId: string, seed: number): string => `${pointId}-seed${seed}`;

/**
 * Short hash naming the default folder: the same grid (or design) and seeds always land in the same folder; a batch
 * keeping trade logs (--trades) in another one than the same batch without (the hash of a batch without is unchanged).
 */
export function planHash(
  grid: Grid,
  seeds: readonly number[],
  design: DesignSpec | null = null,
  trades = false,
): string {
  const what = { ...(design === null ? { grid, seeds } : { design, seeds }), ...(trades ? { trades } : {}) };
  return createHash('sha256').update(JSON.stringify(what)).digest('hex').slice(0, 10);
}

export function defaultOutDir(
  scenarioId: string,
  grid: Grid,
  seeds: readonly number[],
  design: DesignSpec | null = null,
  trades = false,
): string {
  return join('runs', `batch-${scenarioId}-${planHash(grid, seeds, design, trades)}`);
}

/** A parameter a design varies, uniformly between min and max (whole numbers when both ends are). */
export interface ParamRange {
  readonly path: string;
  readonly min: number;
  readonly max: number;
  readonly integer: boolean;
}

/** How a design's points were made; written to batch.json. */
export interface DesignSpec {
  readonly kind: 'lhs' | 'sobol' | 'file';
  /** Base sample size (lhs: points; sobol: N of Saltelli's N·(d+2) points); rows for a file. */
  readonly n: number;
  readonly params: readonly ParamRange[];
  /** The CSV file and its columns, for kind 'file'. */
  readonly file?: string;
  readonly columns?: readonly string[];
}

export interface Design {
  readonly spec: DesignSpec;
  /** One row per point: path -> value as text. */
  readonly rows: readonly Record<string, string>[];
}

export interface BatchPoint {
  readonly id: string;
  /** Grid path -> value, as given. */
  readonly params: Readonly<Record<string, string>>;
  readonly scenario: Scenario;
  readonly scenarioHash: string;
}

export interface BatchJob {
  readonly key: string;
  readonly point: BatchPoint;
  readonly seed: number;
}

export interface BatchPlan {
  /** The scenario as loaded (no grid values applied). */
  readonly base: Scenario;
  readonly file: string;
  readonly grid: Grid;
  /** The design the points come from, or null for a grid. */
  readonly design: Design | null;
  readonly seeds: readonly number[];
  readonly points: readonly BatchPoint[];
  /** Point by point, seed by seed. */
  readonly jobs: readonly BatchJob[];
  /** Every run keeps its trade log (--trades): runs/<key>.trades.csv, then trades.parquet and trades.csv. */
  readonly trades: boolean;
}

/** Loads the scenario and validates every point; throws SIM_ERR_ARGS / SIM_ERR_SCENARIO before anything runs. */
export function planBatch(
  ctx: RunContext,
  scenario: string,
  grid: Grid,
  seeds: readonly number[],
  design: Design | null = null,
  trades = false,
): BatchPlan {
  if (seeds.length === 0) throw new SimError(SimCode.Args, 'no seeds to run');
  if (design !== null && Object.keys(grid).length > 0)
    throw new SimError(SimCode.Args, '--grid and --design cannot be combined: put the grid values in a design file');
  const raw = design === null ? gridPoints(grid) : design.rows;
  if (raw.length === 0) throw new SimError(SimCode.Args, 'the design has no points');
  if (raw.length * seeds.length > MAX_JOBS)
    throw new SimError(
      SimCode.Args,
      `${raw.length} points × ${seeds.length} seeds is more than ${MAX_JOBS} runs; split the batch`,
    );
  const loaded = loadScenario(scenario, ctx);
  const ids = pointIds(raw.length);
  const points = raw.map((params, i): BatchPoint => {
    const sets = Object.entries(params).map(([k, v]) => `${k}=${v}`);
    let s: Scenario;
    try {
      s = withOverrides(loaded.scenario, loaded.file, sets, ctx);
    } catch (e) {
      if (e instanceof SimError)
        throw new SimError(
          e.code,
          `${design === null ? 'grid' : 'design'} point ${ids[i]} (${sets.join(', ') || 'no parameters'}): ${e.message}`,
        );
      throw e;
    }
    return { id: ids[i]!, params, scenario: s, scenarioHash: scenarioHash(s) };
  });
  const jobs = points.flatMap((point) => seeds.map((seed) => ({ key: jobKey(point.id, seed), point, seed })));
  return { base: loaded.scenario, file: loaded.file, grid, design, seeds, points, jobs, trades };
}
