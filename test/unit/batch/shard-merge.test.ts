// --shard k/N and `cets batch merge`: two shards of a batch, merged, give the folder the batch gives in one go, byte
// for byte (timings.csv aside); merging folders of other plans, or the same run with other bytes, is refused.
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BatchCode } from '../../../src/batch/errors.ts';
import { mergeBatches } from '../../../src/batch/merge.ts';
import { runBatch } from '../../../src/batch/run-batch.ts';
import { parseShard } from '../../../src/cli/batch.ts';
import { SimCode } from '../../../src/sim/errors.ts';
import { batchFiles } from '../../fixtures/batch-files.ts';

let tmp: string;
beforeAll(() => {
  tmp = mkdtempSync(join(tmpdir(), 'cets-shard-'));
});
afterAll(() => {
  rmSync(tmp, { recursive: true, force: true });
});

const base = { scenario: 'q3-2024', grid: { 'agents.noise.count': ['6', '9'] }, seeds: [1, 2], workers: 2 };

describe('shards and merge', () => {
  it('parses k/N and refuses the rest', () => {
    expect(parseShard('2/5')).toEqual({ k: 2, n: 5 });
    for (const bad of ['0/3', '4/3', '1/0', 'a/b', '1', '1/2/3'])
      expect(() => parseShard(bad), bad).toThrow(expect.objectContaining({ code: SimCode.Args }));
  });

  it('two shards merged equal the whole batch byte for byte', async () => {
    const whole = join(tmp, 'whole');
    const s1 = join(tmp, 's1');
    const s2 = join(tmp, 's2');
    await runBatch({ ...base, outDir: whole });
    const a = await runBatch({ ...base, outDir: s1, shard: { k: 1, n: 2 } });
    const b = await runBatch({ ...base, outDir: s2, shard: { k: 2, n: 2 } });
    // every second job: p0-seed1 p1-seed1 in the first, p0-seed2 p1-seed2 in the second; no aggregate in either
    expect(readdirSync(join(s1, 'runs')).sort()).toEqual(['p0-seed1.json', 'p1-seed1.json']);
    expect(readdirSync(join(s2, 'runs')).sort()).toEqual(['p0-seed2.json', 'p1-seed2.json']);
    expect([a.aggregate, b.aggregate, existsSync(join(s1, 'aggregate.json'))]).toEqual([null, null, false]);

    const partial = mergeBatches([s1], join(tmp, 'partial'));
    expect([partial.runs, partial.missing, partial.aggregate]).toEqual([2, ['p0-seed2', 'p1-seed2'], null]);

    const m = mergeBatches([s1, s2]);
    expect([m.outDir, m.runs, m.failed, m.missing.length, m.copied]).toEqual([s1, 4, 0, 0, 2]);
    const want = batchFiles(whole);
    const got = batchFiles(s1);
    expect([...got.keys()].sort()).toEqual([...want.keys()].sort());
    for (const [k, v] of want) expect(got.get(k) === v, `${k} differs`).toBe(true);
    expect(readFileSync(join(s1, 'timings.csv'), 'utf8').trim().split('\n')).toHaveLength(5);
  });

  it('refuses folders of other plans and runs that disagree', async () => {
    const other = join(tmp, 'other');
    await runBatch({ ...base, seeds: [3], grid: {}, outDir: other });
    expect(() => mergeBatches([join(tmp, 'whole'), other])).toThrow(
      expect.objectContaining({ code: BatchCode.Merge, message: expect.stringMatching(/not the same batch/) }),
    );
    const run = join(tmp, 's2', 'runs', 'p0-seed2.json');
    writeFileSync(run, readFileSync(run, 'utf8').replace('"seed":2', '"seed": 2'));
    expect(() => mergeBatches([join(tmp, 'whole'), join(tmp, 's2')])).toThrow(
      expect.objectContaining({ code: BatchCode.Merge, message: expect.stringMatching(/other results/) }),
    );
    expect(() => mergeBatches([join(tmp, 'nothing')])).toThrow(expect.objectContaining({ code: BatchCode.Merge }));
  });
});
