// A run's daily series in long form: one row per day, market and variable with a value, the shape analysts load in one
// line (pandas, polars, R, DuckDB). The run folder's daily.csv and the batch's daily.parquet/.csv are built from it.
// Instrument is "all": the run summary keeps a market's instruments (the national market's vintages) together.

import type { DailyRow, RunSummary } from './output-types.ts';

/** The daily variables, in the order written: name and how to read it from a day of the summary. */
export const DAILY_VARIABLES: readonly (readonly [string, (d: DailyRow) => string | number | null | undefined])[] = [
  ['open', (d) => d.open],
  ['high', (d) => d.high],
  ['low', (d) => d.low],
  ['close', (d) => d.close],
  ['listed_volume_t', (d) => d.listed.volumeT],
  ['listed_turnover_cny', (d) => d.listed.turnoverCny],
  ['block_volume_t', (d) => d.block.volumeT],
  ['block_turnover_cny', (d) => d.block.turnoverCny],
  ['fair_value', (d) => d.fairValue],
  ['agents_value', (d) => d.agentsValue],
];

export interface LongRow {
  readonly date: string;
  readonly market: string;
  readonly instrument: string;
  readonly variable: string;
  readonly value: number;
}

/** Every day, market and variable of a summary that has a finite value, in summary order. */
export function* longRows(summary: RunSummary): Generator<LongRow> {
  for (const [market, m] of Object.entries(summary.markets))
    for (const d of m.daily)
      for (const [variable, get] of DAILY_VARIABLES) {
        const raw = get(d);
        if (raw === null || raw === undefined) continue;
        const value = typeof raw === 'number' ? raw : Number(raw);
        if (Number.isFinite(value)) yield { date: d.date, market, instrument: 'all', variable, value };
      }
}
