// The only decimal.js import of the market layer: money crosses the boundary here (display, division).
import { Decimal } from 'decimal.js';

/** An independent Decimal constructor, so nobody's global configuration can change our rounding. */
const D = Decimal.clone({ precision: 40, rounding: Decimal.ROUND_HALF_UP });

/** 5823 -> "58.23" */
export function fenToYuan(fen: number): string {
  return new D(fen).div(100).toFixed(2);
}

/** Volume-weighted average price in fen, rounded half up to the fen; 0 when nothing traded. */
export function vwapFen(turnoverFen: number, volumeT: number): number {
  if (volumeT === 0) return 0;
  return new D(turnoverFen).div(volumeT).toDecimalPlaces(0, D.ROUND_HALF_UP).toNumber();
}
