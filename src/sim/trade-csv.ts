// The trade log as CSV text, one definition for `cets run --trades` (a run folder's trades.csv) and a batch's
// runs/<key>.trades.csv (read back into the batch's trades.parquet and trades.csv, src/batch/trades.ts).
import type { TradeRow } from './run.ts';

export const TRADE_COLUMNS = [
  'tradeId',
  'date',
  'time',
  'market',
  'instrument',
  'mode',
  'price',
  'qtyT',
  'buyer',
  'seller',
] as const;

/** A header line, then a line per trade in the order made (no field needs quoting: names, ids, decimals). */
export function tradeLogCsv(trades: readonly TradeRow[]): string {
  const lines = [TRADE_COLUMNS.join(',')];
  for (const t of trades) lines.push(TRADE_COLUMNS.map((c) => t[c]).join(','));
  return `${lines.join('\n')}\n`;
}
