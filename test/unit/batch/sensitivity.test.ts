// The Sobol estimator on the Ishigami function, f(x) = sin x1 + a sin² x2 + b x3⁴ sin x1 on [−π, π]³ with a = 7,
// b = 0.1, whose indices are known analytically (Ishigami & Homma 1990; Saltelli et al. 2008, Global Sensitivity
// Analysis, §4.7): each analytic index lies in the bootstrap interval of its estimate, and the estimates are close.
import { describe, expect, it } from 'vitest';
import { saltelliRows } from '../../../src/batch/design.ts';
import { sobolIndices } from '../../../src/batch/sensitivity.ts';
import { sensitivitySection } from '../../../src/batch/sensitivity-chart.ts';

const A = 7;
const B = 0.1;
const PI = Math.PI;
const ishigami = (x: readonly number[]): number =>
  Math.sin(x[0]!) + A * Math.sin(x[1]!) ** 2 + B * x[2]! ** 4 * Math.sin(x[0]!);

// Analytic variances: V1 = ½(1 + bπ⁴/5)², V2 = a²/8, V3 = 0, V13 = b²π⁸(1/18 − 1/50), V = V1 + V2 + V13.
const V1 = 0.5 * (1 + (B * PI ** 4) / 5) ** 2;
const V2 = A ** 2 / 8;
const V13 = B ** 2 * PI ** 8 * (1 / 18 - 1 / 50);
const V = V1 + V2 + V13;
const FIRST = [V1 / V, V2 / V, 0];
const TOTAL = [(V1 + V13) / V, V2 / V, V13 / V];

describe('Sobol indices', () => {
  it('analytic Ishigami values: S = 0.314, 0.442, 0; ST = 0.558, 0.442, 0.244', () => {
    expect(FIRST.map((x) => x.toFixed(3))).toEqual(['0.314', '0.442', '0.000']);
    expect(TOTAL.map((x) => x.toFixed(3))).toEqual(['0.558', '0.442', '0.244']);
  });

  it('estimates every Ishigami index within its bootstrap interval', () => {
    const n = 4096;
    const y = saltelliRows(n, 3).map((u) => ishigami(u.map((v) => -PI + 2 * PI * v)));
    const s = sobolIndices(y, n, 3);
    expect(s.samples).toBe(n);
    for (let i = 0; i < 3; i++) {
      for (const [est, truth] of [
        [s.first[i]!, FIRST[i]!],
        [s.total[i]!, TOTAL[i]!],
      ] as const) {
        expect(est.low, `index ${i}`).toBeLessThanOrEqual(truth);
        expect(est.high, `index ${i}`).toBeGreaterThanOrEqual(truth);
        expect(Math.abs(est.value - truth), `index ${i}`).toBeLessThan(0.03);
        expect(est.high - est.low).toBeLessThan(0.1);
      }
    }
  });

  it('is deterministic and drops samples with a missing output', () => {
    const n = 64;
    const y = saltelliRows(n, 2).map((u) => u[0]! + 2 * u[1]!);
    const a = sobolIndices(y, n, 2);
    expect(sobolIndices(y, n, 2)).toEqual(a);
    // linear: first = total, shares 1 : 4
    expect(a.first[0]!.value).toBeCloseTo(0.2, 1);
    expect(a.total[1]!.value).toBeCloseTo(0.8, 1);
    const holed = [...y];
    holed[5] = Number.NaN; // sample 1 (rows 4..7)
    expect(sobolIndices(holed, n, 2).samples).toBe(n - 1);
    expect(() => sobolIndices(y.slice(1), n, 2)).toThrow(RangeError);
  });

  it('draws a chart per figure: two bars per parameter, whiskers for the intervals', () => {
    const n = 256;
    const y = saltelliRows(n, 3).map((u) => ishigami(u.map((v) => -PI + 2 * PI * v)));
    const params = ['x1', 'x2', 'x3'].map((path) => ({ path, min: -3.14, max: 3.14, integer: false }));
    const html = sensitivitySection(
      [{ figure: 'f', label: 'Ishigami <f>', indices: sobolIndices(y, n, 3) }],
      params,
      n,
      1,
    );
    expect(html.match(/<svg data-chart="sobol"/g)).toHaveLength(1);
    expect(html).toContain('Ishigami &lt;f&gt;');
    expect(html.match(/<rect /g)!.length).toBeGreaterThanOrEqual(5); // x3's first order is about 0: it may have no bar
    expect(html.match(/<line /g)!.length).toBeGreaterThan(5 * 3);
  });
});
