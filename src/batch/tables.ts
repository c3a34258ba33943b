// Tidy tables of a batch for analysts, written beside aggregate.* as Parquet and as CSV:
//   daily.parquet / daily.csv   long form, a row per run, day, market and variable with a value (built as results
//                               come in: src/batch/daily-table.ts):
//                               run, point, seed, date, market, instrument, variable, value
//                               (instrument "all": the market's instruments together, as the run summary keeps them)
//   run-figures.parquet / .csv  a row per finished run: run, point, seed, a column per design or grid parameter,
//                               a column per figure of the batch (as aggregate.json measures them)
// Parquet through Apache Arrow (the tables, typed: dates as date32, values float64) and parquet-wasm (the Arrow
// project's Rust Parquet writer compiled to WebAssembly; ZSTD): in-process and byte-deterministic, no native addon.
// pandas, polars, R arrow and DuckDB read them: pd.read_parquet("DIR/daily.parquet").
import {
  DateDay,
  Dictionary,
  Float64,
  Int32,
  makeData,
  makeVector,
  Table,
  tableToIPC,
  Utf8,
  type Vector,
  vectorFromArray,
} from 'apache-arrow';
import * as parquet from 'parquet-wasm';
import type { RunSummary } from '../sim/output-types.ts';
import { safeMeasure } from './aggregate.ts';
import type { FigureSet } from './figures.ts';
import type { BatchPlan } from './plan.ts';

export interface Columns {
  readonly [name: string]: { readonly type: 'utf8' | 'int32' | 'float64' | 'date'; readonly values: unknown[] };
}

export function csvCell(v: unknown): string {
  if (v === null || v === undefined) return '';
  const s = typeof v === 'number' ? (Number.isFinite(v) ? String(v) : '') : String(v);
  return /[",\n\r]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
}

export function toCsv(cols: Columns): string {
  const names = Object.keys(cols);
  const n = names.length === 0 ? 0 : cols[names[0]!]!.values.length;
  const lines = [names.map(csvCell).join(',')];
  for (let i = 0; i < n; i++) lines.push(names.map((k) => csvCell(cols[k]!.values[i])).join(','));
  return `${lines.join('\n')}\n`;
}

const DAY_MS = 86_400_000;

/** YYYY-MM-DD -> days since 1970-01-01 (Parquet's date32). */
export const epochDay = (date: string): number => Date.parse(`${date}T00:00:00Z`) / DAY_MS;

/** The value of `key` in `cache`, made once. */
export function cached<V>(cache: Map<string, V>, key: string, make: (key: string) => V): V {
  let v = cache.get(key);
  if (v === undefined) {
    v = make(key);
    cache.set(key, v);
  }
  return v;
}

/** The dates as date32 values, each distinct date parsed once. */
function days(dates: readonly string[]): Int32Array {
  const seen = new Map<string, number>();
  return Int32Array.from(dates, (d) => cached(seen, d, epochDay));
}

/**
 * Strings are dictionary-encoded (a long table repeats a few run keys, markets and variable names): built 25 times
 * faster than plain Utf8 (apache-arrow's Utf8 builder took 1.1 s for 410,000 strings, the dictionary 40 ms), and
 * Parquet stores them as a dictionary anyway. Readers see strings (pandas a category).
 */
export function toParquet(cols: Columns): Uint8Array {
  return writeParquet(
    Object.fromEntries(
      Object.entries(cols).map(([name, c]) => {
        if (c.type === 'utf8')
          return [name, vectorFromArray(c.values as (string | null)[], new Dictionary(new Utf8(), new Int32()))];
        if (c.type === 'int32') return [name, vectorFromArray(c.values as number[], new Int32())];
        if (c.type === 'date') {
          const data = days(c.values as string[]);
          return [name, makeVector(makeData({ type: new DateDay(), length: data.length, data }))];
        }
        return [
          name,
          vectorFromArray(
            (c.values as (number | null)[]).map((x) => (x === null || !Number.isFinite(x) ? null : x)),
            new Float64(),
          ),
        ];
      }),
    ),
  );
}

/** Columns of equal length as a Parquet file, ZSTD-compressed. */
export function writeParquet(vectors: Record<string, Vector>): Uint8Array {
  const props = new parquet.WriterPropertiesBuilder().setCompression(parquet.Compression.ZSTD).build();
  return parquet.writeParquet(parquet.Table.fromIPCStream(tableToIPC(new Table(vectors), 'stream')), props);
}

/** The runs of the plan that finished, in plan order. */
function finished(plan: BatchPlan, runs: ReadonlyMap<string, RunSummary>) {
  return plan.jobs.flatMap((j) => {
    const s = runs.get(j.key);
    return s === undefined ? [] : [{ job: j, summary: s }];
  });
}

export function runsTable(plan: BatchPlan, figures: FigureSet, runs: ReadonlyMap<string, RunSummary>): Columns {
  const rows = finished(plan, runs);
  const paths = [...new Set(plan.points.flatMap((p) => Object.keys(p.params)))];
  const cols: Record<string, { type: 'utf8' | 'int32' | 'float64' | 'date'; values: unknown[] }> = {
    run: { type: 'utf8', values: rows.map((r) => r.job.key) },
    point: { type: 'utf8', values: rows.map((r) => r.job.point.id) },
    seed: { type: 'int32', values: rows.map((r) => r.job.seed) },
  };
  for (const path of paths) {
    const raw = rows.map((r) => r.job.point.params[path] ?? null);
    const numeric = raw.every((v) => v === null || (v.trim() !== '' && Number.isFinite(Number(v))));
    cols[path] = numeric
      ? { type: 'float64', values: raw.map((v) => (v === null ? null : Number(v))) }
      : { type: 'utf8', values: raw };
  }
  for (const f of figures.figures)
    cols[f.id] = { type: 'float64', values: rows.map((r) => safeMeasure(r.summary, f.market, f.spec)) }; // NaN -> null in both files
  return cols;
}
