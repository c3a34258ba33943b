import { beforeAll, describe, expect, it } from 'vitest';
import {
  defaultOutDir,
  gridPoints,
  jobKey,
  parseGridArgs,
  parseSeeds,
  planBatch,
  pointIds,
} from '../../../src/batch/plan.ts';
import { SimCode, SimError } from '../../../src/sim/errors.ts';
import type { RunContext } from '../../../src/sim/run.ts';
import { loadRunContext } from '../../../src/store/scenario-files.ts';

function codeOf(f: () => unknown): string {
  try {
    f();
  } catch (e) {
    if (e instanceof SimError) return e.code;
    throw e;
  }
  throw new Error('no error thrown');
}

describe('--seeds', () => {
  it('reads a range, a count and a list', () => {
    expect(parseSeeds('1..5')).toEqual([1, 2, 3, 4, 5]);
    expect(parseSeeds('7..7')).toEqual([7]);
    expect(parseSeeds('3')).toEqual([1, 2, 3]);
    expect(parseSeeds('1,5,9')).toEqual([1, 5, 9]);
    expect(parseSeeds(' 0 .. 2 ')).toEqual([0, 1, 2]);
    expect(parseSeeds('1..50')).toHaveLength(50);
  });

  it('refuses what is not seeds', () => {
    for (const bad of ['', '0', '5..1', '-1', '1.5', 'a..b', '1,,2', '1,2,1', '1..x', '1..200000', '9999999999'])
      expect(
        codeOf(() => parseSeeds(bad)),
        bad,
      ).toBe(SimCode.Args);
  });
});

describe('--grid', () => {
  it('multiplies the values of every path, the first path slowest', () => {
    const grid = parseGridArgs(['a.b=1,2', 'c=x,y,z']);
    expect(grid).toEqual({ 'a.b': ['1', '2'], c: ['x', 'y', 'z'] });
    const points = gridPoints(grid);
    expect(points).toHaveLength(6);
    expect(points[0]).toEqual({ 'a.b': '1', c: 'x' });
    expect(points[1]).toEqual({ 'a.b': '1', c: 'y' });
    expect(points[5]).toEqual({ 'a.b': '2', c: 'z' });
  });

  it('is one point without parameters when no grid is given', () => {
    expect(gridPoints(parseGridArgs([]))).toEqual([{}]);
  });

  it('refuses malformed, repeated and empty entries', () => {
    for (const bad of [['nopath'], ['=1,2'], ['a=1,,2'], ['a='], ['a=1', 'a=2'], ['a=1,1']])
      expect(
        codeOf(() => parseGridArgs(bad)),
        bad.join(' '),
      ).toBe(SimCode.Args);
  });

  it('names points so that they sort, and jobs by point and seed', () => {
    expect(pointIds(1)).toEqual(['p0']);
    expect(pointIds(12)[0]).toBe('p00');
    expect(pointIds(12)[11]).toBe('p11');
    expect(jobKey('p03', 17)).toBe('p03-seed17');
  });

  it('has a default folder that depends on the grid and the seeds only', () => {
    const a = defaultOutDir('q3-2024', { x: ['1', '2'] }, [1, 2]);
    expect(a).toMatch(/^runs\/batch-q3-2024-[0-9a-f]{10}$/);
    expect(defaultOutDir('q3-2024', { x: ['1', '2'] }, [1, 2])).toBe(a);
    expect(defaultOutDir('q3-2024', { x: ['1', '3'] }, [1, 2])).not.toBe(a);
    expect(defaultOutDir('q3-2024', { x: ['1', '2'] }, [1, 3])).not.toBe(a);
  });
});

describe('planBatch', () => {
  let ctx: RunContext;
  beforeAll(() => {
    ctx = loadRunContext();
  });

  it('builds and validates the scenario of every grid point', () => {
    const plan = planBatch(
      ctx,
      'q3-2024',
      { 'agents.compliance.paceExponent': ['1.5', '3'], 'agents.noise.count': ['5', '10'] },
      [1, 2, 3],
    );
    expect(plan.points.map((p) => p.id)).toEqual(['p0', 'p1', 'p2', 'p3']);
    expect(plan.jobs).toHaveLength(12);
    expect(plan.jobs[0]!.key).toBe('p0-seed1');
    expect(plan.points[2]!.scenario.agents.compliance.paceExponent).toBe(3);
    expect(plan.points[2]!.scenario.agents.noise.count).toBe(5);
    expect(new Set(plan.points.map((p) => p.scenarioHash)).size).toBe(4);
  });

  it('refuses an unknown parameter, a value of the wrong type and a value the format forbids, naming the point', () => {
    expect(codeOf(() => planBatch(ctx, 'q3-2024', { 'agents.nope': ['1'] }, [1]))).toBe(SimCode.Args);
    expect(codeOf(() => planBatch(ctx, 'q3-2024', { 'agents.noise.count': ['many'] }, [1]))).toBe(SimCode.Args);
    expect(() => planBatch(ctx, 'q3-2024', { 'agents.compliance.paceExponent': ['2', '0'] }, [1])).toThrow(
      /grid point p1 \(agents\.compliance\.paceExponent=0\)/,
    );
    expect(codeOf(() => planBatch(ctx, 'q3-2024', { 'agents.compliance.paceExponent': ['2', '0'] }, [1]))).toBe(
      SimCode.Scenario,
    );
    expect(codeOf(() => planBatch(ctx, 'no-such-scenario', {}, [1]))).toBe(SimCode.Args);
  });
});
