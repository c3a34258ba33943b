// Designs: the Sobol sequence against scipy's, Latin hypercube strata, Saltelli's rows, --param and --design parsing
// (bad input refused with SIM_ERR_ARGS), design files; a design batch is planned like a grid.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { latinHypercube, parseDesign, parseParamArgs, saltelliRows, scale } from '../../../src/batch/design.ts';
import { planBatch } from '../../../src/batch/plan.ts';
import { sobolPoints } from '../../../src/batch/sobol-sequence.ts';
import { SimCode } from '../../../src/sim/errors.ts';
import { loadRunContext } from '../../../src/store/scenario-files.ts';

const tmp = mkdtempSync(join(tmpdir(), 'cets-design-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const args = (f: () => unknown): void => expect(f).toThrow(expect.objectContaining({ code: SimCode.Args }));

describe('Sobol sequence', () => {
  it('equals scipy.stats.qmc.Sobol(scramble=False) on 256 points in 20 dimensions', () => {
    const fx = JSON.parse(
      readFileSync(join(import.meta.dirname, '../../fixtures/sobol-scipy-256x20.json'), 'utf8'),
    ) as {
      dims: number[][];
    };
    const p = sobolPoints(256, 20);
    for (let j = 0; j < 20; j++) expect(p.map((x) => x[j]! * 256)).toEqual(fx.dims[j]);
  });

  it('refuses dimensions it has no direction numbers for', () => {
    expect(() => sobolPoints(4, 22)).toThrow(RangeError);
    expect(sobolPoints(0, 3)).toEqual([]);
  });
});

describe('Latin hypercube and Saltelli rows', () => {
  it('puts one point in every stratum of every column, the same each time', () => {
    const rows = latinHypercube(10, 3);
    for (let j = 0; j < 3; j++)
      expect(rows.map((r) => Math.floor(r[j]! * 10)).sort((a, b) => a - b)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(latinHypercube(10, 3)).toEqual(rows);
  });

  it('gives N·(d+2) rows: A, A with column i from B, B', () => {
    const rows = saltelliRows(8, 3);
    expect(rows).toHaveLength(40);
    for (let j = 0; j < 8; j++) {
      const [a, ab0, ab1, ab2, b] = rows.slice(j * 5, j * 5 + 5) as number[][];
      expect(ab0).toEqual([b![0], a![1], a![2]]);
      expect(ab1).toEqual([a![0], b![1], a![2]]);
      expect(ab2).toEqual([a![0], a![1], b![2]]);
      expect(a).not.toEqual(b);
    }
  });
});

describe('--param and --design', () => {
  it('parses ranges; whole numbers at both ends make a whole-number parameter', () => {
    expect(parseParamArgs(['fundamentals.macScale:1:1.5', 'agents.noise.count:5:20'])).toEqual([
      { path: 'fundamentals.macScale', min: 1, max: 1.5, integer: false },
      { path: 'agents.noise.count', min: 5, max: 20, integer: true },
    ]);
    expect(parseParamArgs(['a.b:3.0:7'])[0]!.integer).toBe(false);
    for (const bad of ['a.b:1', 'a.b:x:2', ':1:2', 'a.b:2:1', 'a.b:1:1', 'a.b:1:2:3'])
      args(() => parseParamArgs([bad]));
    args(() => parseParamArgs(['a.b:1:2', 'a.b:3:4']));
  });

  it('scales a unit value to the range, whole numbers uniform over min..max', () => {
    const r = { path: 'x', min: 1, max: 1.5, integer: false };
    expect([scale(r, 0), scale(r, 0.5), scale(r, 0.999999)]).toEqual(['1', '1.25', '1.5']);
    const i = { path: 'n', min: 5, max: 7, integer: true };
    expect([0, 0.34, 0.67, 0.9999].map((u) => scale(i, u))).toEqual(['5', '6', '7', '7']);
  });

  it('builds lhs and sobol designs and refuses bad ones', () => {
    const ps = parseParamArgs(['fundamentals.macScale:1:1.5', 'agents.noise.count:5:20']);
    const lhs = parseDesign('lhs:6', ps);
    expect([lhs.spec.kind, lhs.spec.n, lhs.rows.length]).toEqual(['lhs', 6, 6]);
    const sob = parseDesign('sobol:4', ps);
    expect(sob.rows).toHaveLength(16);
    expect(Object.keys(sob.rows[0]!)).toEqual(['fundamentals.macScale', 'agents.noise.count']);
    for (const bad of ['lhs:1', 'lhs:x', 'sobol:', 'grid:3']) args(() => parseDesign(bad, ps));
    args(() => parseDesign('lhs:4', []));
    args(() => parseDesign('sobol:4', parseParamArgs(Array.from({ length: 11 }, (_, i) => `p${i}:0:1`))));
  });

  it('reads a design file: a header of paths, a row per point', () => {
    const f = join(tmp, 'd.csv');
    writeFileSync(f, 'fundamentals.macScale,agents.noise.count\n1.1,6\n# a comment\n1.3,9\n');
    const d = parseDesign(f, []);
    expect(d.rows).toEqual([
      { 'fundamentals.macScale': '1.1', 'agents.noise.count': '6' },
      { 'fundamentals.macScale': '1.3', 'agents.noise.count': '9' },
    ]);
    expect(d.spec).toMatchObject({ kind: 'file', n: 2, columns: ['fundamentals.macScale', 'agents.noise.count'] });
    writeFileSync(f, 'a,b\n1\n');
    args(() => parseDesign(f, []));
    writeFileSync(f, 'a,a\n1,2\n');
    args(() => parseDesign(f, []));
    args(() => parseDesign(join(tmp, 'none.csv'), []));
    args(() => parseDesign(f, parseParamArgs(['a:1:2'])));
  });

  it('plans a design like a grid: one point per row, each validated', () => {
    const ctx = loadRunContext();
    const d = parseDesign('lhs:3', parseParamArgs(['agents.noise.count:5:20']));
    const plan = planBatch(ctx, 'q3-2024', {}, [1, 2], d);
    expect(plan.points.map((p) => p.id)).toEqual(['p0', 'p1', 'p2']);
    expect(plan.jobs).toHaveLength(6);
    args(() => planBatch(ctx, 'q3-2024', { 'agents.noise.count': ['5'] }, [1], d));
    const bad = parseDesign('lhs:2', parseParamArgs(['agents.nope:1:2']));
    expect(() => planBatch(ctx, 'q3-2024', {}, [1], bad)).toThrow(/design point p0/);
  });
});
