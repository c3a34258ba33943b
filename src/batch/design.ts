// Designs of experiments for a batch, besides the grid: `--param path:min:max` (repeatable) with
//   --design lhs:N     a Latin hypercube of N points (each parameter's range cut in N equal strata, one point in each,
//                      strata paired at random with a fixed seed: the same command, the same points)
//   --design sobol:N   Saltelli's scheme for Sobol indices: N·(d+2) points from a 2d-dimensional Sobol sequence
//                      (matrices A and B, and A with column i from B, for each of the d parameters), in SALib's order:
//                      per sample j the rows A_j, AB_1j .. AB_dj, B_j. The sample is the sequence's points N..2N−1: not
//                      the first N, whose first point is the origin (A = B there, d+2 runs of one run), and for N a
//                      power of two as evenly spread as the first N.
//   --design file.csv  one row per point, a column per parameter path (header), values as written
// A parameter whose min and max are both whole numbers takes whole values (uniform over min..max).
import { existsSync, readFileSync } from 'node:fs';
import { SimCode, SimError } from '../sim/errors.ts';
import { Rng } from '../sim/rng.ts';
import { type Design, type DesignSpec, MAX_JOBS, type ParamRange } from './plan.ts';
import { SOBOL_MAX_DIMS, sobolPoints } from './sobol-sequence.ts';

/** Saltelli's scheme needs a Sobol sequence of twice the parameters. */
export const MAX_SOBOL_PARAMS = Math.floor(SOBOL_MAX_DIMS / 2);

const NUMBER = /^-?(\d+\.?\d*|\.\d+)(e[-+]?\d+)?$/i;

/** `--param path:min:max` options; repeated paths, min >= max and non-numbers are refused. */
export function parseParamArgs(specs: readonly string[]): ParamRange[] {
  const out: ParamRange[] = [];
  for (const spec of specs) {
    const parts = spec.split(':');
    const [path = '', lo = '', hi = ''] = parts.map((p) => p.trim());
    if (parts.length !== 3 || path === '' || !NUMBER.test(lo) || !NUMBER.test(hi))
      throw new SimError(SimCode.Args, `--param wants path:min:max with numbers, got "${spec}"`);
    const min = Number(lo);
    const max = Number(hi);
    if (!(min < max)) throw new SimError(SimCode.Args, `--param ${path}: min ${lo} is not below max ${hi}`);
    if (out.some((p) => p.path === path)) throw new SimError(SimCode.Args, `--param ${path} is given twice`);
    out.push({ path, min, max, integer: /^-?\d+$/.test(lo) && /^-?\d+$/.test(hi) });
  }
  return out;
}

/** A value in [0, 1) to the parameter's value as text: 6 significant digits, or a whole number. */
export function scale(p: ParamRange, u: number): string {
  if (p.integer) return String(Math.min(p.max, p.min + Math.floor(u * (p.max - p.min + 1))));
  return String(Number((p.min + u * (p.max - p.min)).toPrecision(6)));
}

/** Latin hypercube in [0,1)^d: n rows, one per stratum in every column; deterministic (fixed stream). */
export function latinHypercube(n: number, d: number, rng = new Rng(0, 'design/lhs')): number[][] {
  const rows = Array.from({ length: n }, () => new Array<number>(d).fill(0));
  for (let j = 0; j < d; j++) {
    const perm = Array.from({ length: n }, (_, i) => i);
    for (let i = n - 1; i > 0; i--) {
      const k = rng.int(i + 1);
      [perm[i], perm[k]] = [perm[k]!, perm[i]!];
    }
    for (let i = 0; i < n; i++) rows[i]![j] = (perm[i]! + rng.next()) / n;
  }
  return rows;
}

/** Saltelli's N·(d+2) rows in [0,1)^d, SALib's order: per j, A_j, AB_1j .. AB_dj, B_j. */
export function saltelliRows(n: number, d: number): number[][] {
  const base = sobolPoints(2 * n, 2 * d).slice(n);
  const rows: number[][] = [];
  for (const x of base) {
    const a = x.slice(0, d);
    const b = x.slice(d);
    rows.push(a);
    for (let i = 0; i < d; i++) rows.push(a.map((v, k) => (k === i ? b[i]! : v)));
    rows.push(b);
  }
  return rows;
}

function count(raw: string, kind: string): number {
  const n = /^\d+$/.test(raw) ? Number(raw) : Number.NaN;
  if (!Number.isSafeInteger(n) || n < 2 || n > MAX_JOBS)
    throw new SimError(SimCode.Args, `--design ${kind}:N wants a whole number N of 2..${MAX_JOBS}, got "${raw}"`);
  return n;
}

/** One row per line; the header names the parameter paths. Quotes are not needed for numbers and paths. */
function fileDesign(file: string): Design {
  if (!existsSync(file)) throw new SimError(SimCode.Args, `--design ${file}: no such file`);
  const lines = readFileSync(file, 'utf8')
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l !== '' && !l.startsWith('#'));
  const header = (lines[0] ?? '').split(',').map((c) => c.trim());
  if (header.length === 0 || header.some((c) => c === ''))
    throw new SimError(
      SimCode.Args,
      `${file}: the first line must name the parameter paths, e.g. "supply.allocationFactor"`,
    );
  if (new Set(header).size !== header.length) throw new SimError(SimCode.Args, `${file}: a column is repeated`);
  const rows = lines.slice(1).map((l, i) => {
    const cells = l.split(',').map((c) => c.trim());
    if (cells.length !== header.length || cells.some((c) => c === ''))
      throw new SimError(SimCode.Args, `${file} line ${i + 2}: ${header.length} values expected, got "${l}"`);
    return Object.fromEntries(header.map((h, k) => [h, cells[k]!]));
  });
  if (rows.length === 0) throw new SimError(SimCode.Args, `${file}: no rows after the header`);
  return { spec: { kind: 'file', n: rows.length, file, params: [], columns: header }, rows };
}

/** `--design lhs:N | sobol:N | file.csv` with the `--param` ranges. */
export function parseDesign(raw: string, params: readonly ParamRange[]): Design {
  const m = /^(lhs|sobol):(.*)$/.exec(raw.trim());
  if (m === null) {
    if (params.length > 0)
      throw new SimError(
        SimCode.Args,
        '--param goes with --design lhs:N or sobol:N; a design file names its own columns',
      );
    return fileDesign(raw);
  }
  const kind = m[1] as 'lhs' | 'sobol';
  const n = count(m[2]!, kind);
  if (params.length === 0)
    throw new SimError(SimCode.Args, `--design ${kind}:N needs at least one --param path:min:max`);
  if (kind === 'sobol' && params.length > MAX_SOBOL_PARAMS)
    throw new SimError(SimCode.Args, `--design sobol: at most ${MAX_SOBOL_PARAMS} parameters, got ${params.length}`);
  const unit = kind === 'lhs' ? latinHypercube(n, params.length) : saltelliRows(n, params.length);
  if (unit.length > MAX_JOBS) throw new SimError(SimCode.Args, `--design ${raw}: more than ${MAX_JOBS} points`);
  const spec: DesignSpec = { kind, n, params: [...params] };
  return { spec, rows: unit.map((u) => Object.fromEntries(params.map((p, j) => [p.path, scale(p, u[j]!)]))) };
}
