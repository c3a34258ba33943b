// Stylized facts of a price path (Cont 2001, "Empirical properties of asset returns"): from the closes of the days
// that traded, the log returns of consecutive closes, their mean, standard deviation (daily and annualised), excess
// kurtosis (fat tails: > 0), and the autocorrelation of returns (near 0 in real markets) and of absolute returns
// (volatility clustering: > 0, decaying slowly). Pure arithmetic on numbers; no rounding here.
//
// Estimators:
//   mean  r̄ = Σ r_t / n
//   sd    s = sqrt(Σ (r_t − r̄)² / (n − 1))               (sample standard deviation; annualised × sqrt(250))
//   kurt  g2 = m4 / m2² − 3, m_k = Σ (r_t − r̄)^k / n      (moment estimator; 0 for a normal distribution)
//   acf   ρ(k) = Σ_{t=1}^{n−k} (x_t − x̄)(x_{t+k} − x̄) / Σ_{t=1}^{n} (x_t − x̄)²   (the usual sample ACF)
// A figure that cannot be computed (too few returns, no variance) is null.

/** Trading days a year, for annualising the daily standard deviation. */
export const TRADING_DAYS_PER_YEAR = 250;

export interface StylizedFactsValues {
  /** Number of log returns. */
  readonly returns: number;
  readonly mean: number | null;
  /** Daily standard deviation (sample, n − 1), and annualised (× sqrt(250)). */
  readonly sd: number | null;
  readonly sdAnnual: number | null;
  /** Excess kurtosis (m4 / m2² − 3): 0 for normal returns, > 0 for fat tails. */
  readonly excessKurtosis: number | null;
  /** Autocorrelation of returns at lag 1. */
  readonly acf1: number | null;
  /** Autocorrelation of absolute returns at lag 1 and 5 (volatility clustering: > 0). */
  readonly absAcf1: number | null;
  readonly absAcf5: number | null;
}

/** Log returns of consecutive values: ln(p_t / p_{t−1}). Values must be positive. */
export function logReturns(values: readonly number[]): number[] {
  const out: number[] = [];
  for (let i = 1; i < values.length; i++) {
    const a = values[i - 1]!;
    const b = values[i]!;
    if (!(a > 0) || !(b > 0)) throw new RangeError(`log return of non-positive prices ${a} -> ${b} at ${i}`);
    out.push(Math.log(b / a));
  }
  return out;
}

function meanOf(xs: readonly number[]): number {
  let s = 0;
  for (const x of xs) s += x;
  return s / xs.length;
}

/** The sample autocorrelation at lag k, or null (n ≤ k, or no variance). */
export function autocorrelation(xs: readonly number[], lag: number): number | null {
  const n = xs.length;
  if (!Number.isInteger(lag) || lag < 1) throw new RangeError(`lag must be a positive integer, got ${lag}`);
  if (n <= lag) return null;
  const m = meanOf(xs);
  let den = 0;
  for (const x of xs) den += (x - m) * (x - m);
  if (!isVarying(xs)) return null;
  let num = 0;
  for (let t = 0; t + lag < n; t++) num += (xs[t]! - m) * (xs[t + lag]! - m);
  return num / den;
}

/**
 * Whether the values vary beyond rounding: ln(110/100) and −ln(100/110) may differ in the last bit, and a series of
 * such "equal" values must count as constant (no variance), not as noise with an autocorrelation.
 */
function isVarying(xs: readonly number[]): boolean {
  if (xs.length === 0) return false;
  let lo = xs[0]!;
  let hi = xs[0]!;
  for (const x of xs) {
    if (x < lo) lo = x;
    if (x > hi) hi = x;
  }
  return hi - lo > 1e-12 * Math.max(Math.abs(lo), Math.abs(hi));
}

/** The stylized facts of a series of returns. */
export function stylizedFacts(returns: readonly number[]): StylizedFactsValues {
  const n = returns.length;
  const mean = n === 0 ? null : meanOf(returns);
  let sd: number | null = null;
  let excessKurtosis: number | null = null;
  if (mean !== null && n >= 2) {
    let m2 = 0;
    let m4 = 0;
    for (const r of returns) {
      const d2 = (r - mean) * (r - mean);
      m2 += d2;
      m4 += d2 * d2;
    }
    const varying = isVarying(returns);
    sd = varying ? Math.sqrt(m2 / (n - 1)) : 0;
    if (varying) excessKurtosis = m4 / n / ((m2 / n) * (m2 / n)) - 3;
  }
  const abs = returns.map(Math.abs);
  return {
    returns: n,
    mean,
    sd,
    sdAnnual: sd === null ? null : sd * Math.sqrt(TRADING_DAYS_PER_YEAR),
    excessKurtosis,
    acf1: autocorrelation(returns, 1),
    absAcf1: autocorrelation(abs, 1),
    absAcf5: autocorrelation(abs, 5),
  };
}

/** The stylized facts of a price path: log returns of consecutive prices (the closes of the days that traded). */
export function stylizedFactsOfPrices(prices: readonly number[]): StylizedFactsValues {
  return stylizedFacts(logReturns(prices));
}
