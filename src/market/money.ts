// The only decimal.js import of the market layer: money crosses the boundary here (display, division).
import { Decimal } from 'decimal.js';

/** An independent Decimal constructor, so nobody's global configuration can change our rounding. */
const D = Decimal.clone({ precision: 40, rounding: Decimal.ROUND_HALF_UP });

/** 5823 -> "58.23", -5 -> "-0.05"; a bigint (a sum of many amounts) exactly too. The one formatter of money. */
export function fenToCny(fen: number | bigint): string {
  if (typeof fen === 'bigint') {
    const a = fen < 0n ? -fen : fen;
    return `${fen < 0n ? '-' : ''}${a / 100n}.${String(a % 100n).padStart(2, '0')}`;
  }
  // Whole fen (every amount here) by integer arithmetic, exact up to MAX_SAFE_INTEGER; anything else by decimal.
  if (Number.isSafeInteger(fen)) {
    const abs = Math.abs(fen);
    const cents = abs % 100;
    return `${fen < 0 ? '-' : ''}${(abs - cents) / 100}.${cents < 10 ? '0' : ''}${cents}`;
  }
  return new D(fen).div(100).toFixed(2);
}

/** Integer quotients below this are exact in doubles with room for the remainder check (q x c <= n + c <= 2^53). */
const EXACT = 2 ** 52;

/** Volume-weighted average price in fen, rounded half up to the fen; 0 when nothing traded. */
export function vwapFen(turnoverFen: number, volumeT: number): number {
  if (volumeT === 0) return 0;
  return new D(turnoverFen).div(volumeT).toDecimalPlaces(0, D.ROUND_HALF_UP).toNumber();
}

/** Fee on a trade value, in fen, rounded half up: value x bps / 10,000. */
export function feeFen(valueFen: number, bps: number): number {
  if (bps === 0) return 0;
  // Every fill pays a fee: stay in integers while value x bps is exact (trades up to about 9 bn CNY at 1%).
  const n = valueFen * bps;
  if (Number.isSafeInteger(n) && n >= 0) {
    const r = n % 10_000;
    return (n - r) / 10_000 + (r >= 5_000 ? 1 : 0);
  }
  return new D(valueFen).mul(bps).div(10_000).toDecimalPlaces(0, D.ROUND_HALF_UP).toNumber();
}

/**
 * Fee per tonne rounded up, at a price: a buy order reserves qty x (limit + this), which covers the fee of every
 * fill at or below the limit whatever the fills' sizes (each fill's fee, rounded half up, is at most its tonnes
 * times this ceiling).
 */
export function feeCeilPerTonneFen(priceFen: number, bps: number): number {
  if (bps === 0) return 0;
  const n = priceFen * bps;
  if (Number.isSafeInteger(n) && n >= 0) {
    const r = n % 10_000;
    return (n - r) / 10_000 + (r > 0 ? 1 : 0);
  }
  return new D(priceFen).mul(bps).div(10_000).toDecimalPlaces(0, D.ROUND_UP).toNumber();
}

/** a x b / c rounded half up, exact (averages, weights). */
export function mulDivRound(a: number, b: number, c: number): number {
  const n = a * b;
  // Positive whole numbers small enough: integer division with the remainder checked (the quotient of two doubles
  // may be off by one either way), ties up. Daily VWAPs take this path; anything else goes through decimal.
  if (n > 0 && n <= EXACT && c > 0 && c <= EXACT && Number.isInteger(a) && Number.isInteger(b) && Number.isInteger(c)) {
    let q = Math.floor(n / c);
    let r = n - q * c;
    if (r < 0) {
      q--;
      r += c;
    } else if (r >= c) {
      q++;
      r -= c;
    }
    return 2 * r >= c ? q + 1 : q;
  }
  return new D(a).mul(b).div(c).toDecimalPlaces(0, D.ROUND_HALF_UP).toNumber();
}

/** Sum of fen amounts as a yuan string, exact whatever the count (reports). */
export function sumFenToCny(fens: readonly number[]): string {
  let s = new D(0);
  for (const f of fens) s = s.add(f);
  return s.div(100).toFixed(2);
}

const CNY_RE = /^\d{1,12}(\.\d{1,2})?$/;

/** "97.25" -> 9725; null for anything but a plain non-negative amount with at most two decimals (no sign, no
 * exponent, at most 12 integer digits: still a safe integer of fen): money from outside is refused, never rounded. */
export function cnyToFen(yuan: string): number | null {
  if (typeof yuan !== 'string' || !CNY_RE.test(yuan)) return null;
  return new D(yuan).mul(100).toNumber();
}

/** A CNY decimal text as whole fen, exactly, whatever its size: "99.48" -> 9948n, "12" -> 1200n, "-1.5" -> -150n;
 * beyond two decimals rounded half up (sums read back from reports). Throws on anything else. */
export function cnyToBigFen(value: string): bigint {
  const m = /^(-?)(\d+)(?:\.(\d+))?$/.exec(value.trim());
  if (m === null) throw new RangeError(`not a decimal amount: ${JSON.stringify(value)}`);
  const frac = m[3] ?? '';
  let fen = BigInt(m[2]!) * 100n + BigInt(frac.padEnd(2, '0').slice(0, 2));
  if (frac.length > 2 && Number(frac[2]) >= 5) fen += 1n;
  return m[1] === '-' ? -fen : fen;
}
