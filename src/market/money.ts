// The only decimal.js import of the market layer: money crosses the boundary here (parsing, display, division).
import { Decimal } from 'decimal.js';
import { MarketError } from './errors.ts';

/** An independent Decimal constructor, so nobody's global configuration can change our rounding. */
const D = Decimal.clone({ precision: 40, rounding: Decimal.ROUND_HALF_UP });

/** "58.23" -> 5823. Rejects more than two decimals, signs and anything unsafe. */
export function yuanToFen(yuan: string): number {
  if (!/^\d+(\.\d{1,2})?$/.test(yuan))
    throw new MarketError('MKT_ERR_PRICE_FORMAT', `price "${yuan}" is not an amount in yuan with at most two decimals`);
  const fen = new D(yuan).mul(100);
  if (fen.gt(Number.MAX_SAFE_INTEGER)) throw new MarketError('MKT_ERR_PRICE_RANGE', `price "${yuan}" is too large`);
  return fen.toNumber();
}

/** 5823 -> "58.23" */
export function fenToYuan(fen: number): string {
  return new D(fen).div(100).toFixed(2);
}

/** Volume-weighted average price in fen, rounded half up to the fen; 0 when nothing traded. */
export function vwapFen(turnoverFen: number, volumeT: number): number {
  if (volumeT === 0) return 0;
  return new D(turnoverFen).div(volumeT).toDecimalPlaces(0, D.ROUND_HALF_UP).toNumber();
}
