// The tidy tables of a batch: daily.parquet (long form) and run-figures.parquet, each beside its CSV with the same
// rows; DuckDB reads the Parquet files (as pandas, polars and R arrow do: one line each, docs/analysts.md).
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { tableFromIPC } from 'apache-arrow';
import { readParquet } from 'parquet-wasm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Aggregate } from '../../../src/batch/aggregate.ts';
import { DailyTable } from '../../../src/batch/daily-table.ts';
import { readRecord } from '../../../src/batch/folder.ts';
import type { BatchJob, BatchPlan } from '../../../src/batch/plan.ts';
import { runBatch } from '../../../src/batch/run-batch.ts';
import { type Columns, toCsv, toParquet } from '../../../src/batch/tables.ts';
import { longRows } from '../../../src/sim/daily-long.ts';
import { duck } from '../../fixtures/duckdb.ts';

let dir: string;
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'cets-tables-'));
  await runBatch({
    scenario: 'q3-2024',
    grid: { 'agents.noise.count': ['6', '9'] },
    seeds: [1],
    workers: 2,
    outDir: dir,
  });
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const csvRows = (name: string): string[][] =>
  readFileSync(join(dir, name), 'utf8')
    .trim()
    .split('\n')
    .map((l) => l.split(','));

describe('batch tables', () => {
  it('daily: long form, the same rows in Parquet and CSV, typed columns DuckDB reads', async () => {
    const csv = csvRows('daily.csv');
    expect(csv[0]).toEqual(['run', 'point', 'seed', 'date', 'market', 'instrument', 'variable', 'value']);
    const t = tableFromIPC(readParquet(readFileSync(join(dir, 'daily.parquet'))).intoIPCStream());
    expect(t.numRows).toBe(csv.length - 1);
    expect(t.schema.fields.map((f) => `${f.name}:${f.type}`)).toEqual([
      'run:Dictionary<Int32, Utf8>',
      'point:Dictionary<Int32, Utf8>',
      'seed:Int32',
      'date:Date32<DAY>',
      'market:Dictionary<Int32, Utf8>',
      'instrument:Dictionary<Int32, Utf8>',
      'variable:Dictionary<Int32, Utf8>',
      'value:Float64',
    ]);
    const row = t.get(7)!.toJSON() as Record<string, unknown>;
    const c = csv[8]!;
    expect([
      row['run'],
      row['seed'],
      new Date(row['date'] as number).toISOString().slice(0, 10),
      row['variable'],
    ]).toEqual([c[0], Number(c[2]), c[3], c[6]]);
    expect(row['value']).toBe(Number(c[7]));
    const path = join(dir, 'daily.parquet');
    const [n] = await duck(`SELECT count(*) AS n, count(DISTINCT run) AS runs FROM read_parquet('${path}')`);
    expect(n).toEqual({ n: String(csv.length - 1), runs: '2' });
    const closes = await duck(
      `SELECT run, last(value ORDER BY date) AS close FROM read_parquet('${path}') WHERE variable = 'close' AND market = 'national' GROUP BY run ORDER BY run`,
    );
    expect(closes.map((r) => r['run'])).toEqual(['p0-seed1', 'p1-seed1']);
  });

  it('run-figures: a row per run with its parameters and figures, as aggregate.json measures them', async () => {
    const csv = csvRows('run-figures.csv');
    const a = JSON.parse(readFileSync(join(dir, 'aggregate.json'), 'utf8')) as Aggregate;
    expect(csv[0]).toEqual(['run', 'point', 'seed', 'agents.noise.count', ...a.figures.map((f) => f.id)]);
    expect(csv.slice(1).map((r) => r.slice(0, 4))).toEqual([
      ['p0-seed1', 'p0', '1', '6'],
      ['p1-seed1', 'p1', '1', '9'],
    ]);
    // one seed per point: the median across seeds is the run's own figure
    const col = csv[0]!.indexOf('total-volume');
    expect(Number(csv[1]![col])).toBe(a.points[0]!.figures['total-volume']!.q50);
    const [r] = await duck(
      `SELECT "agents.noise.count" AS n, "total-volume" AS v FROM read_parquet('${join(dir, 'run-figures.parquet')}') WHERE point = 'p1'`,
    );
    expect(r).toEqual({ n: 9, v: Number(csv[2]![col]) });
  });

  it('writes the same bytes for the same table', () => {
    const cols = {
      a: { type: 'utf8' as const, values: ['x', 'y,z', null] },
      b: { type: 'float64' as const, values: [1.5, Number.NaN, null] },
    };
    expect(toCsv(cols)).toBe('a,b\nx,1.5\n"y,z",\n,\n');
    expect(Buffer.from(toParquet(cols)).equals(Buffer.from(toParquet(cols)))).toBe(true);
  });

  it('daily: built run by run in any order of arrival, the same bytes as the whole table built at once', () => {
    const recs = ['p0-seed1', 'p1-seed1'].map((k) => readRecord(join(dir, 'runs', `${k}.json`))!);
    const jobs = recs.map((r) => ({ key: r.key, seed: r.seed, point: { id: r.point } }) as unknown as BatchJob);
    const plan = { jobs } as unknown as BatchPlan;
    // The reference: every row of every run in plan order, through the generic column writers.
    const cols: Record<string, { type: 'utf8' | 'int32' | 'date' | 'float64'; values: unknown[] }> = {
      run: { type: 'utf8', values: [] },
      point: { type: 'utf8', values: [] },
      seed: { type: 'int32', values: [] },
      date: { type: 'date', values: [] },
      market: { type: 'utf8', values: [] },
      instrument: { type: 'utf8', values: [] },
      variable: { type: 'utf8', values: [] },
      value: { type: 'float64', values: [] },
    };
    for (const r of recs)
      for (const row of longRows(r.summary)) {
        const cells = [r.key, r.point, r.seed, row.date, row.market, row.instrument, row.variable, row.value];
        for (const [i, c] of Object.values(cols).entries()) c.values.push(cells[i]);
      }
    const reference = cols as Columns;
    const reversed = new DailyTable();
    reversed.add(jobs[1]!, recs[1]!.summary);
    reversed.add(jobs[0]!, recs[0]!.summary);
    reversed.add(jobs[1]!, recs[1]!.summary); // a result collected twice replaces, never doubles
    expect(reversed.csv(plan).toString('utf8')).toBe(toCsv(reference));
    expect(Buffer.from(reversed.parquet(plan)).equals(Buffer.from(toParquet(reference)))).toBe(true);
    expect(readFileSync(join(dir, 'daily.csv'), 'utf8')).toBe(toCsv(reference));
  });
});
