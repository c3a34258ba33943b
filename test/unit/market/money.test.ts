import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { cnyToFen, feeCeilPerTonneFen, feeFen, fenToCny } from '../../../src/market/money.ts';

// The fee functions take an integer path while value x bps is exact and fall back to decimal arithmetic beyond;
// both must give what BigInt arithmetic says.
const halfUp = (v: bigint, bps: bigint): bigint => (v * bps + 5_000n) / 10_000n;
const up = (v: bigint, bps: bigint): bigint => (v * bps + 9_999n) / 10_000n;

describe('fees', () => {
  it('round half up per fill and up per tonne, on both sides of the exact-integer limit', () => {
    const value = fc.oneof(
      fc.integer({ min: 0, max: 10 ** 12 }),
      fc.integer({ min: 10 ** 12, max: Number.MAX_SAFE_INTEGER }),
    );
    fc.assert(
      fc.property(value, fc.integer({ min: 0, max: 10_000 }), (v, bps) => {
        expect(feeFen(v, bps)).toBe(Number(halfUp(BigInt(v), BigInt(bps))));
        expect(feeCeilPerTonneFen(v, bps)).toBe(Number(up(BigInt(v), BigInt(bps))));
      }),
      { seed: 7, numRuns: 2_000 },
    );
    expect(feeFen(27_003, 50)).toBe(135); // 135.015
    expect(feeFen(1, 5_000)).toBe(1); // 0.5 rounds up
    expect(feeCeilPerTonneFen(9_001, 50)).toBe(46); // 45.005
  });
});

describe('yuan from outside', () => {
  it('parses plain amounts exactly and refuses anything else rather than rounding it', () => {
    expect(cnyToFen('97.25')).toBe(9_725);
    expect(cnyToFen('97.2')).toBe(9_720);
    expect(cnyToFen('0.01')).toBe(1);
    expect(cnyToFen('999999999999.99')).toBe(99_999_999_999_999);
    expect(cnyToFen('1000000000000.00')).toBeNull();
    for (const bad of ['97.255', '-1', '+1', '1e3', '', ' 1', '1,000', '0x10', '1.', '.5', '1234567890123'])
      expect([bad, cnyToFen(bad)]).toEqual([bad, null]);
    fc.assert(
      // Up to the largest amount accepted (12 integer digits of yuan): 10 ** 14 fen itself has 13 and is refused.
      fc.property(fc.integer({ min: 0, max: 10 ** 14 - 1 }), (fen) => {
        expect(cnyToFen(fenToCny(fen))).toBe(fen);
      }),
    );
  });
});
