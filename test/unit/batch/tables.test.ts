// The tidy tables of a batch: daily.parquet (long form) and run-figures.parquet, each beside its CSV with the same
// rows; DuckDB reads the Parquet files (as pandas, polars and R arrow do: one line each, docs/analysts.md).
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { tableFromIPC } from 'apache-arrow';
import { readParquet } from 'parquet-wasm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Aggregate } from '../../../src/batch/aggregate.ts';
import { runBatch } from '../../../src/batch/run-batch.ts';
import { toCsv, toParquet } from '../../../src/batch/tables.ts';
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
});
