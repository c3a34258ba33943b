import { Decimal } from 'decimal.js';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fenToCny, mulDivRound } from '../../../src/market/money.ts';

// fenToCny and mulDivRound take integer arithmetic where it is exact; decimal.js, which they used throughout
// before, must agree to the last character (run files depend on it).
const D = Decimal.clone({ precision: 40, rounding: Decimal.ROUND_HALF_UP });

describe('integer paths against decimal arithmetic', () => {
  it('fenToCny', () => {
    const fen = fc.oneof(
      fc.integer({ min: -1_000_000, max: 1_000_000 }),
      fc.integer({ min: Number.MIN_SAFE_INTEGER, max: Number.MAX_SAFE_INTEGER }),
      fc.constantFrom(0, -0, 1, -1, 99, 100, -100, 101, 0.5, -0.5, 1e21, Number.MAX_SAFE_INTEGER + 2),
    );
    fc.assert(
      fc.property(fen, (f) => {
        expect(fenToCny(f)).toBe(new D(f).div(100).toFixed(2));
      }),
      { seed: 11, numRuns: 5_000 },
    );
  });

  it('mulDivRound', () => {
    const n = fc.oneof(
      fc.integer({ min: 0, max: 10_000 }),
      fc.integer({ min: 0, max: 2 ** 26 }),
      fc.integer({ min: 2 ** 40, max: 2 ** 53 }),
      fc.integer({ min: -(2 ** 30), max: 2 ** 30 }),
      fc.constantFrom(-0, 0.5, 2.5),
    );
    const c = fc.oneof(
      fc.integer({ min: 1, max: 1_000 }),
      fc.integer({ min: 1, max: 2 ** 53 }),
      fc.integer({ min: -50, max: 50 }).filter((x) => x !== 0),
    );
    fc.assert(
      fc.property(n, n, c, (a, b, d) => {
        const want = new D(a).mul(b).div(d).toDecimalPlaces(0, D.ROUND_HALF_UP).toNumber();
        expect(Object.is(mulDivRound(a, b, d), want)).toBe(true);
      }),
      { seed: 12, numRuns: 20_000 },
    );
    // Ties round up, and quotients whose double division lands on the wrong side of an integer.
    expect(mulDivRound(5, 1, 2)).toBe(3);
    expect(mulDivRound(2 ** 52 - 1, 1, 2 ** 52)).toBe(1);
    expect(mulDivRound(2 ** 52, 1, 3)).toBe(Math.round(2 ** 52 / 3));
    for (let c = 1; c < 2_000; c++)
      for (const a of [c * 7 - 1, c * 7, c * 7 + 1, Math.floor(c / 2), 2 ** 52 - c])
        expect(mulDivRound(a, 1, c)).toBe(new D(a).div(c).toDecimalPlaces(0, D.ROUND_HALF_UP).toNumber());
  });
});
