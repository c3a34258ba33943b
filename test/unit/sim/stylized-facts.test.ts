import { describe, expect, it } from 'vitest';
import {
  autocorrelation,
  logReturns,
  stylizedFacts,
  stylizedFactsOfPrices,
  TRADING_DAYS_PER_YEAR,
} from '../../../src/sim/stylized-facts.ts';

/** Prices from a start and log returns: p_t = p_0 · exp(r_1 + … + r_t). */
function pricesOf(start: number, returns: readonly number[]): number[] {
  const out = [start];
  for (const r of returns) out.push(out[out.length - 1]! * Math.exp(r));
  return out;
}

describe('logReturns', () => {
  it('is ln(p_t / p_{t-1}) of consecutive prices', () => {
    const r = logReturns([100, 110, 99]);
    expect(r).toHaveLength(2);
    expect(r[0]).toBeCloseTo(Math.log(1.1), 14);
    expect(r[1]).toBeCloseTo(Math.log(0.9), 14);
    expect(logReturns([100])).toEqual([]);
    expect(logReturns([])).toEqual([]);
  });

  it('refuses non-positive prices', () => {
    expect(() => logReturns([100, 0])).toThrow(RangeError);
    expect(() => logReturns([-1, 100])).toThrow(RangeError);
  });
});

describe('autocorrelation', () => {
  it('is the sample ACF: a linear trend at lag 1 gives 0.4', () => {
    // deviations -2..2, denominator 10, lag-1 products 2 + 0 + 0 + 2.
    expect(autocorrelation([1, 2, 3, 4, 5], 1)).toBeCloseTo(0.4, 14);
  });

  it('is (n - k) / n for a pulse of period k at lag k', () => {
    const xs = Array.from({ length: 20 }, (_, i) => (i % 5 === 0 ? 1 : 0));
    expect(autocorrelation(xs, 5)).toBeCloseTo(0.75, 14);
    // Lag 1: seven pulse/zero pairs (0.8 · -0.2) and twelve zero/zero pairs (0.04), over 3.2.
    expect(autocorrelation(xs, 1)).toBeCloseTo((7 * -0.16 + 12 * 0.04) / 3.2, 14);
    expect(autocorrelation(xs, 1)).toBeCloseTo(-0.2, 14);
  });

  it('is null without variance or with too few values, and refuses a bad lag', () => {
    expect(autocorrelation([3, 3, 3, 3], 1)).toBeNull();
    expect(autocorrelation([1, 2, 3, 4, 5], 5)).toBeNull();
    expect(autocorrelation([], 1)).toBeNull();
    expect(() => autocorrelation([1, 2, 3], 0)).toThrow(RangeError);
    expect(() => autocorrelation([1, 2, 3], 1.5)).toThrow(RangeError);
  });
});

describe('stylizedFacts', () => {
  it('a constant price: returns all zero, no variance, no kurtosis or autocorrelation', () => {
    const f = stylizedFactsOfPrices(Array.from({ length: 10 }, () => 92.76));
    expect(f).toEqual({
      returns: 9,
      mean: 0,
      sd: 0,
      sdAnnual: 0,
      excessKurtosis: null,
      acf1: null,
      absAcf1: null,
      absAcf5: null,
    });
  });

  it('an alternating price: lag-1 autocorrelation -(n-1)/n (-> -1), kurtosis -2, constant absolute returns', () => {
    const prices = Array.from({ length: 101 }, (_, i) => (i % 2 === 0 ? 100 : 110));
    const f = stylizedFactsOfPrices(prices);
    expect(f.returns).toBe(100);
    expect(f.mean).toBeCloseTo(0, 14);
    expect(f.acf1).toBeCloseTo(-0.99, 12);
    // A two-point distribution: m4 / m2^2 = 1.
    expect(f.excessKurtosis).toBeCloseTo(-2, 10);
    // |ln 1.1| = |ln(1/1.1)| up to the last bit: constant, so no autocorrelation.
    expect(f.absAcf1).toBeNull();
    expect(f.absAcf5).toBeNull();
    // Sample sd of ±a with mean 0: a · sqrt(n / (n - 1)).
    expect(f.sd).toBeCloseTo(Math.log(1.1) * Math.sqrt(100 / 99), 12);
  });

  it('a known kurtosis: eight zeros and ±x give m4 / m2^2 = 5, excess 2', () => {
    const returns = [0, 0, 0, 0, 0, 0, 0, 0, 0.03, -0.03];
    const f = stylizedFacts(returns);
    expect(f.excessKurtosis).toBeCloseTo(2, 12);
    // The same from prices.
    expect(stylizedFactsOfPrices(pricesOf(50, returns)).excessKurtosis).toBeCloseTo(2, 9);
  });

  it('mean and sd (daily and annualised) of 1%..5%', () => {
    const f = stylizedFacts([0.01, 0.02, 0.03, 0.04, 0.05]);
    expect(f.mean).toBeCloseTo(0.03, 15);
    // Sample variance 2.5e-4.
    expect(f.sd).toBeCloseTo(Math.sqrt(2.5e-4), 15);
    expect(f.sdAnnual).toBeCloseTo(Math.sqrt(2.5e-4) * Math.sqrt(250), 13);
    expect(TRADING_DAYS_PER_YEAR).toBe(250);
  });

  it('volatility clustering without return autocorrelation: a shock every 5 days of alternating sign', () => {
    // Returns +2%, 0, 0, 0, 0, -2%, 0, 0, 0, 0, ... (20): |r| is a pulse of period 5.
    const returns = Array.from({ length: 20 }, (_, i) => (i % 5 === 0 ? (i % 10 === 0 ? 0.02 : -0.02) : 0));
    const f = stylizedFactsOfPrices(pricesOf(90, returns));
    expect(f.returns).toBe(20);
    expect(f.absAcf5).toBeCloseTo(0.75, 9);
    // Every lag-1 product has a zero factor (mean 0).
    expect(f.acf1).toBeCloseTo(0, 9);
    // |r| at lag 1: the pulse against its neighbours, as for the pulse series above.
    expect(f.absAcf1).toBeCloseTo(-0.2, 9);
  });

  it('nothing to say about fewer than two returns', () => {
    expect(stylizedFacts([])).toEqual({
      returns: 0,
      mean: null,
      sd: null,
      sdAnnual: null,
      excessKurtosis: null,
      acf1: null,
      absAcf1: null,
      absAcf5: null,
    });
    const one = stylizedFactsOfPrices([100, 101]);
    expect(one.returns).toBe(1);
    expect(one.mean).toBeCloseTo(Math.log(1.01), 14);
    expect(one.sd).toBeNull();
    expect(one.acf1).toBeNull();
  });
});
