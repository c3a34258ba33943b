// Seeded random streams. Every agent draws from its own stream, keyed by the run's seed and the agent's name, so
// adding an agent or reordering a population never shifts another agent's draws, and the same scenario and seed
// give the same run. sfc32 (Chris Doty-Humphrey's small fast chaotic generator): 128 bits of state, passes
// PractRand, four 32-bit integer ops per draw. Seeded through cyrb128 of "seed/key", then 12 warm-up draws.

function cyrb128(text: string): [number, number, number, number] {
  let h1 = 1779033703;
  let h2 = 3144134277;
  let h3 = 1013904242;
  let h4 = 2773480762;
  for (let i = 0; i < text.length; i++) {
    const k = text.charCodeAt(i);
    h1 = h2 ^ Math.imul(h1 ^ k, 597399067);
    h2 = h3 ^ Math.imul(h2 ^ k, 2869860233);
    h3 = h4 ^ Math.imul(h3 ^ k, 951274213);
    h4 = h1 ^ Math.imul(h4 ^ k, 2716044179);
  }
  h1 = Math.imul(h3 ^ (h1 >>> 18), 597399067);
  h2 = Math.imul(h4 ^ (h2 >>> 22), 2869860233);
  h3 = Math.imul(h1 ^ (h3 >>> 17), 951274213);
  h4 = Math.imul(h2 ^ (h4 >>> 19), 2716044179);
  h1 ^= h2 ^ h3 ^ h4;
  h2 ^= h1;
  h3 ^= h1;
  h4 ^= h1;
  // Signed 32-bit words (the bits sfc32 needs; every operation on them below is 32-bit): unsigned ones past 2^31
  // would not be small integers, and the state fields would start as doubles in some streams and as small integers
  // in others, deoptimising the code that makes streams (a compliance agent's) in every run.
  return [h1 | 0, h2 | 0, h3 | 0, h4 | 0];
}

export class Rng {
  private a: number;
  private b: number;
  private c: number;
  private d: number;
  /** A spare standard normal from the last Box–Muller pair, or NaN. */
  private spare = Number.NaN;

  constructor(seed: number, key: string) {
    [this.a, this.b, this.c, this.d] = cyrb128(`${seed}/${key}`);
    for (let i = 0; i < 12; i++) this.bits();
  }

  /**
   * The next 32 random bits as a signed 32-bit integer: always a small integer, so a call the compiler did not
   * inline returns it as is, where u32's value (past 2^31 half the time) and next's come back as new heap numbers.
   * Hot loops take `(rng.bits() >>> 0) / 2 ** 32`, which is next() exactly.
   */
  bits(): number {
    const t = (((this.a + this.b) | 0) + this.d) | 0;
    this.d = (this.d + 1) | 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) | 0;
    this.c = (this.c << 21) | (this.c >>> 11);
    this.c = (this.c + t) | 0;
    return t;
  }

  /** A uniform 32-bit unsigned integer. */
  u32(): number {
    return this.bits() >>> 0;
  }

  /** Uniform in [0, 1). */
  next(): number {
    return (this.bits() >>> 0) / 4294967296;
  }

  /** Uniform whole number in [0, n). */
  int(n: number): number {
    return Math.floor(this.next() * n);
  }

  /** True with probability p. */
  chance(p: number): boolean {
    return this.next() < p;
  }

  /** Standard normal (Box–Muller; the second value of each pair is kept for the next call). */
  normal(): number {
    if (!Number.isNaN(this.spare)) {
      const s = this.spare;
      this.spare = Number.NaN;
      return s;
    }
    let u = this.next();
    while (u === 0) u = this.next();
    const v = this.next();
    const r = Math.sqrt(-2 * Math.log(u));
    this.spare = r * Math.sin(2 * Math.PI * v);
    return r * Math.cos(2 * Math.PI * v);
  }

  /** Exponential with the given mean. */
  exp(mean: number): number {
    return -Math.log(1 - this.next()) * mean;
  }

  /** Log-normal whose logarithm has mean mu and standard deviation sigma. */
  logNormal(mu: number, sigma: number): number {
    return Math.exp(mu + sigma * this.normal());
  }
}
