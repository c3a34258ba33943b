// The Sobol low-discrepancy sequence, unscrambled, in up to 21 dimensions: the first point is the origin, as in
// scipy.stats.qmc.Sobol(scramble=False), which test/unit/batch/design.test.ts checks it against. Direction numbers:
// S. Joe and F. Y. Kuo, "Constructing Sobol sequences with better two-dimensional projections", SIAM J. Sci. Comput.
// 30 (2008), file new-joe-kuo-6.21201, its first 20 rows (dimensions 2..21); dimension 1 is van der Corput's.
// No npm package for Sobol sequences is maintained (none with more than a few downloads); this is the textbook
// Gray-code construction (Antonov-Saleev), 32-bit integers throughout.

/** Per dimension from 2: degree s, coefficients a, initial m_1..m_s. */
const JOE_KUO: readonly (readonly [number, number, readonly number[]])[] = [
  [1, 0, [1]],
  [2, 1, [1, 3]],
  [3, 1, [1, 3, 1]],
  [3, 2, [1, 1, 1]],
  [4, 1, [1, 1, 3, 3]],
  [4, 4, [1, 3, 5, 13]],
  [5, 2, [1, 1, 5, 5, 17]],
  [5, 4, [1, 1, 5, 5, 5]],
  [5, 7, [1, 1, 7, 11, 19]],
  [5, 11, [1, 1, 5, 1, 1]],
  [5, 13, [1, 1, 1, 3, 11]],
  [5, 14, [1, 3, 5, 5, 31]],
  [6, 1, [1, 3, 3, 9, 7, 49]],
  [6, 13, [1, 1, 1, 15, 21, 21]],
  [6, 16, [1, 3, 1, 13, 27, 49]],
  [6, 19, [1, 1, 1, 15, 7, 5]],
  [6, 22, [1, 3, 1, 15, 13, 25]],
  [6, 25, [1, 1, 5, 5, 19, 61]],
  [7, 1, [1, 3, 7, 11, 23, 15, 103]],
  [7, 4, [1, 3, 7, 13, 13, 15, 69]],
];

export const SOBOL_MAX_DIMS = JOE_KUO.length + 1;
const BITS = 32;

function directions(dim: number): Uint32Array {
  const v = new Uint32Array(BITS + 1); // v[k], k = 1..32
  if (dim === 0) {
    for (let k = 1; k <= BITS; k++) v[k] = (1 << (BITS - k)) >>> 0;
    return v;
  }
  const [s, a, m] = JOE_KUO[dim - 1]!;
  for (let k = 1; k <= Math.min(s, BITS); k++) v[k] = (m[k - 1]! << (BITS - k)) >>> 0;
  for (let k = s + 1; k <= BITS; k++) {
    let x = (v[k - s]! ^ (v[k - s]! >>> s)) >>> 0;
    for (let j = 1; j < s; j++) if (((a >>> (s - 1 - j)) & 1) === 1) x = (x ^ v[k - j]!) >>> 0;
    v[k] = x;
  }
  return v;
}

/** The first n points of the d-dimensional sequence, each a d-array in [0, 1). */
export function sobolPoints(n: number, d: number): number[][] {
  if (!Number.isSafeInteger(d) || d < 1 || d > SOBOL_MAX_DIMS)
    throw new RangeError(`Sobol sequence: 1..${SOBOL_MAX_DIMS} dimensions, not ${d}`);
  if (!Number.isSafeInteger(n) || n < 0 || n > 2 ** BITS) throw new RangeError(`Sobol sequence: bad count ${n}`);
  const dirs = Array.from({ length: d }, (_, j) => directions(j));
  const x = new Uint32Array(d);
  const out: number[][] = [];
  for (let i = 0; i < n; i++) {
    out.push(Array.from(x, (xi) => xi / 2 ** BITS));
    // Gray code: the next point flips the direction number of the lowest zero bit of i.
    let c = 1;
    let k = i;
    while ((k & 1) === 1) {
      k >>>= 1;
      c++;
    }
    for (let j = 0; j < d; j++) x[j] = (x[j]! ^ dirs[j]![c]!) >>> 0;
  }
  return out;
}
