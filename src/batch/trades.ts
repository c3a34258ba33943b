// A batch's trade logs (--trades). Each run's log is written beside its record, runs/<key>.trades.csv (the CSV of
// `cets run --trades`, src/sim/trade-csv.ts), by whoever ran it: worker threads here, a queue worker's result, a
// shard. When the batch ends they are read back in plan order into one table:
//   trades.csv      run, point, seed, then the run's trades.csv columns as written (price with two decimals)
//   trades.parquet  the same rows typed: seed and tradeId int32, date date32, price float64 CNY per tonne,
//                   qtyT float64 tonnes, the rest strings (dictionary-encoded, as daily.parquet)
// Built from the files, not from memory, so a resumed, queued or merged batch writes the same bytes as one run here.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { TRADE_COLUMNS } from '../sim/trade-csv.ts';
import type { BatchPlan } from './plan.ts';
import type { Columns } from './tables.ts';

export const tradesPath = (dir: string, key: string): string => join(dir, 'runs', `${key}.trades.csv`);

export const TRADE_TABLE_COLUMNS = ['run', 'point', 'seed', ...TRADE_COLUMNS] as const;

export interface TradeTables {
  readonly csv: string;
  readonly columns: Columns;
}

/** The trade logs of the runs of the plan that finished (`done`), in plan order, as CSV text and typed columns. */
export function tradeTables(dir: string, plan: BatchPlan, done: ReadonlySet<string>): TradeTables {
  const header = TRADE_COLUMNS.join(',');
  const lines = [TRADE_TABLE_COLUMNS.join(',')];
  const c = {
    run: [] as string[],
    point: [] as string[],
    seed: [] as number[],
    tradeId: [] as number[],
    date: [] as string[],
    time: [] as string[],
    market: [] as string[],
    instrument: [] as string[],
    mode: [] as string[],
    price: [] as number[],
    qtyT: [] as number[],
    buyer: [] as string[],
    seller: [] as string[],
  };
  for (const job of plan.jobs) {
    if (!done.has(job.key)) continue;
    const path = tradesPath(dir, job.key);
    if (!existsSync(path)) throw new Error(`${path} is missing: the run finished without its trade log`);
    const rows = readFileSync(path, 'utf8').split('\n');
    if (rows[0] !== header) throw new Error(`${path} does not start with the trade log's header`);
    const prefix = `${job.key},${job.point.id},${job.seed},`;
    for (let i = 1; i < rows.length; i++) {
      const line = rows[i]!;
      if (line === '') continue;
      const f = line.split(',');
      if (f.length !== TRADE_COLUMNS.length) throw new Error(`${path}:${i + 1}: ${f.length} fields`);
      lines.push(prefix + line);
      c.run.push(job.key);
      c.point.push(job.point.id);
      c.seed.push(job.seed);
      c.tradeId.push(Number(f[0]));
      c.date.push(f[1]!);
      c.time.push(f[2]!);
      c.market.push(f[3]!);
      c.instrument.push(f[4]!);
      c.mode.push(f[5]!);
      c.price.push(Number(f[6]));
      c.qtyT.push(Number(f[7]));
      c.buyer.push(f[8]!);
      c.seller.push(f[9]!);
    }
  }
  const utf8 = (values: string[]) => ({ type: 'utf8' as const, values });
  return {
    csv: `${lines.join('\n')}\n`,
    columns: {
      run: utf8(c.run),
      point: utf8(c.point),
      seed: { type: 'int32', values: c.seed },
      tradeId: { type: 'int32', values: c.tradeId },
      date: { type: 'date', values: c.date },
      time: utf8(c.time),
      market: utf8(c.market),
      instrument: utf8(c.instrument),
      mode: utf8(c.mode),
      price: { type: 'float64', values: c.price },
      qtyT: { type: 'float64', values: c.qtyT },
      buyer: utf8(c.buyer),
      seller: utf8(c.seller),
    },
  };
}
