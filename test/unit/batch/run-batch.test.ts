// One small real batch in worker threads (q3-2024, seeds 1..2, 2 workers), then a resume that runs nothing, then
// injected failures (an exception in a run, a worker crash) recorded while the batch goes on, then an interrupt.
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Aggregate } from '../../../src/batch/aggregate.ts';
import { WORKER_CRASH } from '../../../src/batch/pool.ts';
import { type BatchProgress, runBatch } from '../../../src/batch/run-batch.ts';
import { prepare } from '../../../src/cli/run.ts';
import { SimCode } from '../../../src/sim/errors.ts';
import type { RunSummary } from '../../../src/sim/output-types.ts';
import { runScenario } from '../../../src/sim/run.ts';
import { scenarioHash } from '../../../src/store/scenario-files.ts';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'cets-batch-'));
});
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

const json = (...p: string[]): unknown => JSON.parse(readFileSync(join(dir, ...p), 'utf8'));
const noTemps = (): void => {
  for (const d of [dir, join(dir, 'runs'), join(dir, 'failed')])
    expect(
      readdirSync(d).filter((n) => n.endsWith('.tmp')),
      d,
    ).toEqual([]);
};

describe('runBatch on q3-2024', () => {
  it('runs every seed in workers and writes runs, aggregate.json, .csv and .html', async () => {
    const progress: BatchProgress[] = [];
    const s = await runBatch({
      scenario: 'q3-2024',
      grid: {},
      seeds: [1, 2],
      workers: 2,
      outDir: dir,
      onProgress: (p) => progress.push(p),
    });
    expect([s.done, s.failed, s.skipped, s.total, s.interrupted]).toEqual([2, 0, 0, 2, false]);
    expect(s.runMs).toBeGreaterThan(0);
    expect(s.wallMs).toBeGreaterThan(0);
    expect(progress.at(-1)).toMatchObject({ total: 2, done: 2, failed: 0, etaMs: 0 });
    expect(readdirSync(join(dir, 'runs')).sort()).toEqual(['p0-seed1.json', 'p0-seed2.json']);
    const a = json('aggregate.json') as Aggregate;
    expect(a.scenario).toBe('q3-2024');
    expect(a.figures.map((f) => f.id)).toContain('total-volume');
    const p = a.points[0]!;
    expect([p.runs, p.failed]).toEqual([2, 0]);
    const q = p.figures['total-volume']!;
    expect(q.q05).not.toBeNull();
    expect(q.q05! <= q.q50! && q.q50! <= q.q95!).toBe(true);
    const fan = p.closes['national']!;
    expect(fan.dates.length).toBeGreaterThan(50);
    expect(fan.q50).toHaveLength(fan.dates.length);
    expect(readFileSync(join(dir, 'aggregate.csv'), 'utf8')).toMatch(/^point,figure,q05,q25,q50,q75,q95\np0,/);
    const html = readFileSync(join(dir, 'aggregate.html'), 'utf8');
    expect(html).toContain('data-chart="fan"');
    expect(html).toContain('total volume (t)');
    // seed 1 in a worker is the same run as `cets run q3-2024 --seed 1` in this thread
    const rec = json('runs', 'p0-seed1.json') as { seed: number; summary: RunSummary };
    expect(rec.seed).toBe(1);
    // wall times are in timings.csv, not in the run files (which a queue batch writes byte for byte the same)
    expect(Object.keys(rec)).not.toContain('ms');
    expect(readFileSync(join(dir, 'timings.csv'), 'utf8')).toMatch(/^key,ms\n(p0-seed[12],\d+\n){2}$/);
    const { ctx, scenario } = prepare('q3-2024');
    const here = runScenario(ctx, { scenario, scenarioHash: scenarioHash(scenario), seed: 1 }).summary;
    expect(rec.summary).toEqual(JSON.parse(JSON.stringify(here)));
    noTemps();
  });

  it('resumes: the same batch again runs nothing and gives the same aggregate', async () => {
    const before = readFileSync(join(dir, 'aggregate.json'), 'utf8');
    const s = await runBatch({ scenario: 'q3-2024', grid: {}, seeds: [1, 2], workers: 2, outDir: dir });
    expect([s.done, s.failed, s.skipped, s.runMs]).toEqual([0, 0, 2, 0]);
    expect(readFileSync(join(dir, 'aggregate.json'), 'utf8')).toBe(before);
  });

  it('records a failed run and a crashed worker, replaces the worker and goes on', async () => {
    const s = await runBatch({
      scenario: 'q3-2024',
      grid: {},
      seeds: [1, 2, 3, 4, 5],
      workers: 1,
      outDir: dir,
      faults: { 'p0-seed3': 'crash', 'p0-seed4': 'throw' },
    });
    expect([s.done, s.failed, s.skipped]).toEqual([1, 2, 2]);
    const byKey = Object.fromEntries(s.failures.map((f) => [f.key, f]));
    expect(byKey['p0-seed3']!.code).toBe(WORKER_CRASH);
    expect(byKey['p0-seed3']!.message).toContain('injected crash');
    expect(byKey['p0-seed4']!.code).toBe(SimCode.Unsupported);
    expect(readdirSync(join(dir, 'failed')).sort()).toEqual(['p0-seed3.json', 'p0-seed4.json']);
    expect(json('failed', 'p0-seed4.json')).toMatchObject({ key: 'p0-seed4', seed: 4, code: SimCode.Unsupported });
    expect(existsSync(join(dir, 'runs', 'p0-seed5.json'))).toBe(true);
    const p = (json('aggregate.json') as Aggregate).points[0]!;
    expect([p.runs, p.failed]).toEqual([3, 2]);
    noTemps();
  });

  it('refuses to resume runs of another version of the scenario, before running anything', async () => {
    await expect(
      runBatch({ scenario: 'q3-2024', grid: { 'agents.noise.count': ['7'] }, seeds: [1], workers: 1, outDir: dir }),
    ).rejects.toMatchObject({ code: SimCode.Args, message: expect.stringMatching(/another version of the scenario/) });
  });

  it('refuses a bad grid before creating the folder', async () => {
    const other = join(dir, 'never');
    await expect(
      runBatch({ scenario: 'q3-2024', grid: { 'agents.nope': ['1'] }, seeds: [1], workers: 1, outDir: other }),
    ).rejects.toMatchObject({ code: SimCode.Args });
    expect(existsSync(other)).toBe(false);
  });

  it('stops when aborted, leaving complete files only and no aggregate', async () => {
    const other = join(dir, 'aborted');
    const abort = new AbortController();
    const s = await runBatch({
      scenario: 'q3-2024',
      grid: {},
      seeds: [11, 12, 13, 14],
      workers: 1,
      outDir: other,
      signal: abort.signal,
      onProgress: (p) => {
        if (p.done >= 1) abort.abort();
      },
    });
    expect(s.interrupted).toBe(true);
    expect(s.aggregate).toBeNull();
    expect(s.done).toBe(1);
    expect(existsSync(join(other, 'aggregate.json'))).toBe(false);
    const files = readdirSync(join(other, 'runs'));
    expect(files).toEqual(['p0-seed11.json']);
    for (const f of files) expect(() => JSON.parse(readFileSync(join(other, 'runs', f), 'utf8'))).not.toThrow();
  });
});
