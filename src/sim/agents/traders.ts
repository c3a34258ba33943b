// The traders around the covered entities. In the national market only covered entities may hold accounts, so
// there these are the trading desks of the large energy groups (entity accounts without an obligation of their
// own); in the pilots and the CCER market they are institutions.
//
// - Dealer: quotes both sides around a mid every few minutes. The mid is the expected price leaned against its
//   inventory: every 10% it is long of its starting inventory moves the mid down leanBpsPer10Pct (and up when short),
//   so order flow that drains a dealer lifts its quotes: that is how buying pressure moves the price. It also
//   accepts block proposals near its mid when it can (13:00–15:00).
// - Momentum: buys after the close rose more than thresholdBps over lookbackDays, sells after it fell; no short
//   selling, positions capped.
// - Mean reversion: buys when the close is thresholdBps below its lookbackDays average, sells when above.
// - Noise: a random side at a random price around the expected price, sizes log-normal around orderT.
// - Offset supplier: holds legacy credits (or newly issued ones) and offers them around its venue's expected price.

import type { Rng } from '../rng.ts';
import type { SpeculatorParams } from '../scenario/schema.ts';
import type { Agent } from './agent.ts';
import type { BlockBoard } from './block-board.ts';
import type { Venue } from './venue.ts';

export interface DealerParams {
  readonly spreadBps: number;
  readonly quoteT: number;
  readonly inventoryT: number;
  readonly leanBpsPer10Pct: number;
  readonly requoteMinutes: number;
  readonly blockDiscountBps: number;
}

export class Dealer implements Agent {
  readonly name: string;
  readonly venue: Venue;
  readonly accountId: number;
  private readonly p: DealerParams;
  private readonly rng: Rng;
  private readonly board: BlockBoard | null;
  private bidId = 0;
  private askId = 0;
  private readonly times: number[];

  constructor(
    name: string,
    venue: Venue,
    accountId: number,
    p: DealerParams,
    rng: Rng,
    board: BlockBoard | null,
    sessionMinutes: number,
  ) {
    this.name = name;
    this.venue = venue;
    this.accountId = accountId;
    this.p = p;
    this.rng = rng;
    this.board = board;
    const offset = rng.int(p.requoteMinutes);
    this.times = [];
    for (let m = offset; m < sessionMinutes; m += p.requoteMinutes) this.times.push(m);
  }

  wakesToday(): number {
    return 0;
  }

  fixedWakes(): readonly number[] {
    return this.times;
  }

  private midFen(): number {
    const held = this.venue.market.ledger.totalT(this.accountId, this.venue.instrumentId);
    const inv0 = Math.max(1, this.p.inventoryT);
    const lean = ((held - inv0) / (0.1 * inv0)) * (this.p.leanBpsPer10Pct / 10_000);
    return this.venue.belief.fen * Math.exp(-lean);
  }

  act(tsMs: number, inBlockSession: boolean): void {
    const v = this.venue;
    const mid = this.midFen();
    if (inBlockSession && this.board !== null) this.takeBlocks(tsMs, mid);
    v.cancel(tsMs, this.accountId, this.bidId);
    v.cancel(tsMs, this.accountId, this.askId);
    const half = this.p.spreadBps / 20_000;
    const jitter = 1 + 0.001 * this.rng.normal();
    // Quotes grow with the flow: when yesterday's listed volume passed 50 quotes' worth, quote proportionally more.
    const flow = Math.max(1, v.lastListedT / (50 * Math.max(1, this.p.quoteT)));
    const size = Math.round(this.p.quoteT * flow * (0.5 + this.rng.next()));
    const ledger = v.market.ledger;
    const avail = ledger.availableT(this.accountId, v.instrumentId);
    this.askId = v.place(tsMs, this.accountId, 'sell', mid * (1 + half) * jitter, Math.min(size, avail), 'day');
    const bid = mid * (1 - half) * jitter;
    const cash = ledger.availableFen(this.accountId);
    this.bidId = v.place(tsMs, this.accountId, 'buy', bid, Math.min(size, Math.floor(cash / (bid * 1.02))), 'day');
  }

  private takeBlocks(tsMs: number, mid: number): void {
    const v = this.venue;
    const ledger = v.market.ledger;
    const tol = (this.p.blockDiscountBps + 100) / 10_000;
    for (const o of this.board!.open('buy')) {
      const avail = ledger.availableT(this.accountId, v.instrumentId);
      if (o.priceFen < mid * (1 - tol) || o.qtyT > avail * 0.5 || o.proposerId === this.accountId) continue;
      v.count();
      const r = v.market.acceptBlock(tsMs, o.proposalId, this.accountId);
      if (!r.ok) v.reject(r.code);
      return;
    }
  }
}

export class Speculator implements Agent {
  readonly name: string;
  readonly venue: Venue;
  readonly accountId: number;
  private readonly p: SpeculatorParams;
  private readonly rng: Rng;
  private readonly style: 'momentum' | 'mean-reversion';

  constructor(
    name: string,
    venue: Venue,
    accountId: number,
    style: 'momentum' | 'mean-reversion',
    p: SpeculatorParams,
    rng: Rng,
  ) {
    this.name = name;
    this.venue = venue;
    this.accountId = accountId;
    this.style = style;
    this.p = p;
    this.rng = rng;
  }

  wakesToday(): number {
    return +this.p.wakesPerDay; // a number as far as the compiler knows: see Agent.wakesToday
  }

  private signalBps(): number {
    const v = this.venue;
    const last = v.lastCloseFen;
    if (this.style === 'momentum') return (Math.log(last / v.closeAgo(this.p.lookbackDays)) * 10_000) | 0;
    let sum = 0;
    const n = Math.min(this.p.lookbackDays, v.closes.length);
    for (let i = 0; i < n; i++) sum += v.closeAgo(i);
    // Mean reversion trades against the gap: a close below the average is a buy signal.
    return (Math.log(sum / n / last) * 10_000) | 0;
  }

  act(tsMs: number): void {
    const v = this.venue;
    const s = this.signalBps();
    if (Math.abs(s) < this.p.thresholdBps) return;
    const ledger = v.market.ledger;
    const e = v.belief.fen;
    const size = Math.round(this.p.orderT * (0.5 + this.rng.next()));
    if (s > 0) {
      const room = this.p.maxPositionT - ledger.totalT(this.accountId, v.instrumentId);
      const price = e * (1 + 0.004 + 0.002 * this.rng.next());
      const cash = ledger.availableFen(this.accountId);
      v.place(tsMs, this.accountId, 'buy', price, Math.min(size, room, Math.floor(cash / (price * 1.02))), 'ioc');
    } else {
      const price = e * (1 - 0.004 - 0.002 * this.rng.next());
      const avail = ledger.availableT(this.accountId, v.instrumentId);
      v.place(tsMs, this.accountId, 'sell', price, Math.min(size, avail), 'ioc');
    }
  }
}

export interface NoiseParams {
  readonly wakesPerDay: number;
  readonly priceSigmaBps: number;
  readonly orderT: number;
}

export class NoiseTrader implements Agent {
  readonly name: string;
  readonly venue: Venue;
  readonly accountId: number;
  private readonly p: NoiseParams;
  private readonly rng: Rng;

  constructor(name: string, venue: Venue, accountId: number, p: NoiseParams, rng: Rng) {
    this.name = name;
    this.venue = venue;
    this.accountId = accountId;
    this.p = p;
    this.rng = rng;
  }

  wakesToday(): number {
    return +this.p.wakesPerDay; // a number as far as the compiler knows: see Agent.wakesToday
  }

  act(tsMs: number): void {
    const v = this.venue;
    const ledger = v.market.ledger;
    const price = v.belief.fen * (1 + (this.p.priceSigmaBps / 10_000) * this.rng.normal());
    const size = Math.round(this.p.orderT * Math.exp(0.7 * this.rng.normal()));
    if (this.rng.chance(0.5)) {
      const cash = ledger.availableFen(this.accountId);
      v.place(tsMs, this.accountId, 'buy', price, Math.min(size, Math.floor(cash / (price * 1.02))), 'day');
    } else {
      const avail = ledger.availableT(this.accountId, v.instrumentId);
      v.place(tsMs, this.accountId, 'sell', price, Math.min(size, avail), 'day');
    }
  }
}

export class OffsetSupplier implements Agent {
  readonly name: string;
  readonly venue: Venue;
  readonly accountId: number;
  private readonly p: { wakesPerDay: number; orderT: number };
  private readonly rng: Rng;
  private restingId = 0;

  constructor(name: string, venue: Venue, accountId: number, p: { wakesPerDay: number; orderT: number }, rng: Rng) {
    this.name = name;
    this.venue = venue;
    this.accountId = accountId;
    this.p = p;
    this.rng = rng;
  }

  wakesToday(): number {
    return +this.p.wakesPerDay; // a number as far as the compiler knows: see Agent.wakesToday
  }

  act(tsMs: number): void {
    const v = this.venue;
    const avail = v.market.ledger.availableT(this.accountId, v.instrumentId);
    if (avail <= 0) return;
    v.cancel(tsMs, this.accountId, this.restingId);
    const price = v.belief.fen * (1 + 0.01 * this.rng.normal());
    const qty = Math.min(avail, Math.round(this.p.orderT * (0.5 + this.rng.next())));
    this.restingId = v.place(tsMs, this.accountId, 'sell', price, qty, 'day');
  }
}
