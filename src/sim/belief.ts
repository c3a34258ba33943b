// The news-driven expected price of one market: what traders think an allowance is worth today. Agents price their
// orders off it (each with its own noise); trades and the close then come out of the book. It moves once per
// trading day:
//
//   log E(t+1) = log E(t) + d · (log A − log E(t)) + σ · ε(t),      ε ~ N(0, 1) from the market's own stream
//
// where A is the anchor (where the news says the price belongs) and d the share of the gap closed per day: a policy
// announcement moves the anchor by its impact at once, and the price follows over the next days as the news
// diffuses. Without news the anchor stays put, so the price wanders around it. A replay pins the anchor to a given
// daily path instead.

import type { Rng } from './rng.ts';

export class Belief {
  private logE: number;
  private logAnchor: number;
  private readonly sigma: number;
  private readonly diffusion: number;
  private readonly rng: Rng;

  constructor(openingFen: number, volBpsPerDay: number, diffusionBpsPerDay: number, rng: Rng) {
    this.logE = Math.log(openingFen);
    this.logAnchor = this.logE;
    this.sigma = volBpsPerDay / 10_000;
    this.diffusion = diffusionBpsPerDay / 10_000;
    this.rng = rng;
  }

  /** Expected price in fen (not rounded: agents round their own prices to the tick). */
  get fen(): number {
    return Math.exp(this.logE);
  }

  get anchorFen(): number {
    return Math.exp(this.logAnchor);
  }

  /** News: the anchor moves by impactBps (the price follows as the news diffuses). */
  shock(impactBps: number): void {
    this.logAnchor += Math.log(1 + impactBps / 10_000);
  }

  /**
   * After a shock that came during a trading day, past the day's step (a live instructor's): the expected price moves
   * by the share of it the step would have closed, as if the news had come before the step.
   */
  catchUp(impactBps: number): void {
    this.logE += this.diffusion * Math.log(1 + impactBps / 10_000);
  }

  /** Replay: the anchor is the given price. */
  pin(anchorFen: number): void {
    this.logAnchor = Math.log(anchorFen);
  }

  /** One trading day passes. */
  step(): void {
    this.logE += this.diffusion * (this.logAnchor - this.logE) + this.sigma * this.rng.normal();
  }
}
