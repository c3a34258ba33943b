// `cets batch ... --trades`: every run's trade log in trades.parquet and trades.csv (src/batch/trades.ts). A run's
// rows are its `cets run --trades` trades.csv; a resumed batch and shards merged give the same bytes as one batch;
// DuckDB reads the Parquet file with its types; without --trades nothing of it is written.
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BatchCode } from '../../../src/batch/errors.ts';
import { mergeBatches } from '../../../src/batch/merge.ts';
import { defaultOutDir } from '../../../src/batch/plan.ts';
import { runBatch } from '../../../src/batch/run-batch.ts';
import { batchCommand } from '../../../src/cli/batch.ts';
import { runCommand } from '../../../src/cli/run.ts';
import { batchFiles } from '../../fixtures/batch-files.ts';
import { duck } from '../../fixtures/duckdb.ts';

let tmp: string;
let whole: string;
const base = { scenario: 'q3-2024', grid: { 'agents.noise.count': ['6', '9'] }, seeds: [1, 2], workers: 2 };

beforeAll(async () => {
  tmp = mkdtempSync(join(tmpdir(), 'cets-trades-'));
  whole = join(tmp, 'whole');
  const lines: string[] = [];
  const code = await batchCommand(
    ['q3-2024', '--grid', 'agents.noise.count=6,9', '--seeds', '1..2', '--workers', '2', '--out', whole, '--trades'],
    (l) => lines.push(l),
  );
  expect(code, lines.join('\n')).toBe(0);
  expect(lines.at(-1)).toContain('trades.parquet .csv');
});
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('batch --trades', () => {
  it("writes each run's trade log: its rows are the run's `cets run --trades` trades.csv", () => {
    const batch = JSON.parse(readFileSync(join(whole, 'batch.json'), 'utf8')) as { trades?: boolean };
    expect(batch.trades).toBe(true);
    const lines = readFileSync(join(whole, 'trades.csv'), 'utf8').trim().split('\n');
    expect(lines[0]).toBe('run,point,seed,tradeId,date,time,market,instrument,mode,price,qtyT,buyer,seller');
    const keys = ['p0-seed1', 'p0-seed2', 'p1-seed1', 'p1-seed2'];
    // in plan order, a run's trades together
    const order = [...new Set(lines.slice(1).map((l) => l.slice(0, l.indexOf(','))))];
    expect(order).toEqual(keys);
    for (const [key, noise, seed] of [
      ['p0-seed2', '6', '2'],
      ['p1-seed1', '9', '1'],
    ] as const) {
      const out = join(tmp, `run-${key}`);
      expect(
        runCommand(
          ['q3-2024', '--seed', seed, '--set', `agents.noise.count=${noise}`, '--trades', '--out', out],
          () => {},
        ),
      ).toBe(0);
      const run = readFileSync(join(out, 'trades.csv'), 'utf8');
      expect(readFileSync(join(whole, 'runs', `${key}.trades.csv`), 'utf8') === run, `${key}.trades.csv`).toBe(true);
      const mine = lines.filter((l) => l.startsWith(`${key},`));
      expect(mine.length).toBeGreaterThan(100);
      const prefix = `${key},${key.slice(0, 2)},${seed},`;
      expect(
        `${['tradeId,date,time,market,instrument,mode,price,qtyT,buyer,seller', ...mine.map((l) => l.slice(prefix.length))].join('\n')}\n`,
      ).toBe(run);
      expect(mine.every((l) => l.startsWith(prefix))).toBe(true);
    }
  });

  it('trades.parquet: the same rows, typed, as DuckDB reads them', async () => {
    const path = join(whole, 'trades.parquet');
    const types = await duck(
      `SELECT column_name AS c, column_type AS t FROM (DESCRIBE SELECT * FROM read_parquet('${path}'))`,
    );
    expect(types.map((r) => `${r['c']}:${r['t']}`)).toEqual([
      'run:VARCHAR',
      'point:VARCHAR',
      'seed:INTEGER',
      'tradeId:INTEGER',
      'date:DATE',
      'time:VARCHAR',
      'market:VARCHAR',
      'instrument:VARCHAR',
      'mode:VARCHAR',
      'price:DOUBLE',
      'qtyT:DOUBLE',
      'buyer:VARCHAR',
      'seller:VARCHAR',
    ]);
    const csv = readFileSync(join(whole, 'trades.csv'), 'utf8')
      .trim()
      .split('\n')
      .slice(1)
      .map((l) => l.split(','));
    const [n] = await duck(
      `SELECT count(*) AS n, count(DISTINCT run) AS runs, sum(price * qtyT) AS turnover FROM read_parquet('${path}')`,
    );
    expect([Number(n!['n']), Number(n!['runs'])]).toEqual([csv.length, 4]);
    const turnover = csv.reduce((s, f) => s + Number(f[9]) * Number(f[10]), 0);
    expect(Number(n!['turnover'])).toBeCloseTo(turnover, 0);
    // one row checked field by field: the 10th trade of p1-seed2
    const row = csv.filter((f) => f[0] === 'p1-seed2')[9]!;
    const [got] = await duck(
      `SELECT run, point, seed, tradeId, strftime(date, '%Y-%m-%d') AS date, time, market, instrument, mode, price, qtyT, buyer, seller
       FROM read_parquet('${path}') WHERE run = 'p1-seed2' AND tradeId = ${row[3]}`,
    );
    expect(Object.values(got!).map(String)).toEqual(row.map((v, i) => (i === 9 || i === 10 ? String(Number(v)) : v)));
  });

  it('a resumed batch and two shards merged give the same bytes', async () => {
    const want = batchFiles(whole);
    // Resumed: a run lost (record and log), and a record whose log is missing (runs again), then the same batch.
    const resumed = join(tmp, 'resumed');
    await runBatch({ ...base, trades: true, outDir: resumed, shard: { k: 1, n: 2 } });
    rmSync(join(resumed, 'runs', 'p1-seed1.trades.csv'));
    const r = await runBatch({ ...base, trades: true, outDir: resumed });
    expect([r.skipped, r.done]).toEqual([1, 3]);
    for (const [k, v] of want) expect(batchFiles(resumed).get(k) === v, `resumed ${k} differs`).toBe(true);

    const s1 = join(tmp, 's1');
    const s2 = join(tmp, 's2');
    await runBatch({ ...base, trades: true, outDir: s1, shard: { k: 1, n: 2 } });
    await runBatch({ ...base, trades: true, outDir: s2, shard: { k: 2, n: 2 } });
    expect(readdirSync(join(s2, 'runs')).sort()).toEqual([
      'p0-seed2.json',
      'p0-seed2.trades.csv',
      'p1-seed2.json',
      'p1-seed2.trades.csv',
    ]);
    const m = mergeBatches([s1, s2], join(tmp, 'merged'));
    expect([m.runs, m.missing.length, m.trades]).toEqual([4, 0, true]);
    const got = batchFiles(join(tmp, 'merged'));
    expect([...got.keys()].sort()).toEqual([...want.keys()].sort());
    for (const [k, v] of want) expect(got.get(k) === v, `merged ${k} differs`).toBe(true);
  });

  it('a batch without --trades is another plan: other folder, no trade files, merge refuses mixing', async () => {
    expect(defaultOutDir('q3-2024', base.grid, base.seeds)).not.toBe(
      defaultOutDir('q3-2024', base.grid, base.seeds, null, true),
    );
    const plain = join(tmp, 'plain');
    await runBatch({ ...base, outDir: plain, shard: { k: 2, n: 2 } });
    expect(readFileSync(join(plain, 'batch.json'), 'utf8')).not.toContain('trades');
    expect(readdirSync(join(plain, 'runs')).filter((n) => n.includes('trades'))).toEqual([]);
    expect(existsSync(join(plain, 'trades.csv'))).toBe(false);
    expect(() => mergeBatches([join(tmp, 's1'), plain], join(tmp, 'mixed'))).toThrow(
      expect.objectContaining({ code: BatchCode.Merge, message: expect.stringMatching(/not the same batch/) }),
    );
  });
});
