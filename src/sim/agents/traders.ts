// The traders around the covered entities. In the national market only covered entities may hold accounts, so
// there these are the trading desks of the large energy groups (entity accounts without an obligation of their
// own); in the pilots and the CCER market they are institutions.
//
// None of them reads a price path: each reads the book and the closes, and the valuers among them the public
// valuation from fundamentals scaled by their own view (drawn once).
//
// - Desk (a group's trading desk, holding the market's bank): holds bank × (1 − elasticity × ln(price / V_i)), so it
//   sells into a market above its valuation V_i and buys below it (banking is worth it while the price is under what
//   it expects an allowance to be worth later). Their elasticity is how much the bank absorbs a flow. It quotes
//   around the market, but never more than maxMarkupBps beyond its reservation price for what the order leaves it
//   (the inverse of that schedule): four desks compete for the same buyers, so in a one-sided rush their asks stop
//   at what they would gladly sell at instead of following each trade up.
// - Dealer: quotes both sides around the last trade (pulled a little toward the public valuation) every few minutes, leaned against its small inventory: every
//   10% it is long of its starting inventory moves the mid down leanBpsPer10Pct (and up when short), so order flow
//   that drains a dealer lifts its quotes: buying pressure moves the price. It also accepts block proposals near its
//   mid when it can (13:00–15:00).
// - Momentum: expects the trend of the last lookbackDays to go on, blended with the gap to its own valuation
//   (fundamentalWeightBps): buys when that expectation is more than thresholdBps up, sells when down (heterogeneous
//   expectations: trend following that feeds on itself, reined in far from value); no short selling, capped.
// - Fundamentalist: a Speculator that weighs only the gap to its valuation (fundamentalWeightBps 10,000): buys when
//   the market is thresholdBps below its own valuation, sells when above.
// - Noise: a random side at a random price around the market price, sizes log-normal around orderT.
// - Offset supplier: holds credits (legacy or newly issued) and asks the credit market's value (set by the session
//   from issuance against the offset caps' demand; never below its project cost).

import type { Rng } from '../rng.ts';
import type { DeskParams, SpeculatorParams } from '../scenario/schema.ts';
import type { Agent } from './agent.ts';
import { type BlockBoard, proposeBlock } from './block-board.ts';
import type { Venue } from './venue.ts';

export interface DealerParams {
  readonly spreadBps: number;
  readonly quoteT: number;
  readonly inventoryT: number;
  readonly leanBpsPer10Pct: number;
  readonly requoteMinutes: number;
  readonly blockDiscountBps: number;
  readonly fundamentalWeightBps: number;
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
    // Around the last trade, not the book: the book holds the other dealers' leaned quotes, and quoting off them
    // compounds every dealer's lean into the next requote (a thin market ran away that way). Pulled toward the
    // public valuation by fundamentalWeightBps at each requote: a dealer knows roughly what an allowance is worth.
    const v = this.venue;
    const w = this.p.fundamentalWeightBps / 10_000;
    const ref = v.fairFen > 0 ? v.lastTradeFen ** (1 - w) * v.fairFen ** w : v.lastTradeFen;
    return ref * Math.exp(-lean);
  }

  act(tsMs: number, inBlockSession: boolean): void {
    const v = this.venue;
    // Its own quotes out of the book first, so the market price it reads is everyone else's.
    v.cancel(tsMs, this.accountId, this.bidId);
    v.cancel(tsMs, this.accountId, this.askId);
    const mid = this.midFen();
    if (inBlockSession && this.board !== null) this.takeBlocks(tsMs, mid);
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
  private readonly view: number;

  constructor(name: string, venue: Venue, accountId: number, p: SpeculatorParams, rng: Rng, view: number) {
    this.name = name;
    this.venue = venue;
    this.accountId = accountId;
    this.p = p;
    this.rng = rng;
    this.view = view;
  }

  wakesToday(): number {
    return +this.p.wakesPerDay; // a number as far as the compiler knows: see Agent.wakesToday
  }

  /**
   * Its expected return, bps: the trend over lookbackDays carried forward, blended in logs with the gap to its
   * valuation (weight fundamentalWeightBps): a chartist that still knows roughly what an allowance is worth, so a
   * trend far above value stops feeding itself.
   */
  private signalBps(): number {
    const v = this.venue;
    const trend = Math.log(v.lastCloseFen / v.closeAgo(this.p.lookbackDays));
    const value = v.fairFen * this.view;
    const w = this.p.fundamentalWeightBps / 10_000;
    const gap = value > 0 ? Math.log(value / v.markFen()) : 0;
    return ((w * gap + (1 - w) * trend) * 10_000) | 0;
  }

  act(tsMs: number): void {
    const v = this.venue;
    const s = this.signalBps();
    if (Math.abs(s) < this.p.thresholdBps) return;
    trade(
      v,
      this.accountId,
      tsMs,
      s > 0,
      Math.round(this.p.orderT * (0.5 + this.rng.next())),
      this.p.maxPositionT,
      this.rng,
    );
  }
}

/** An IOC order a little through the market price, sized within the position cap, cash and holdings. */
function trade(
  v: Venue,
  accountId: number,
  tsMs: number,
  buy: boolean,
  size: number,
  maxPositionT: number,
  rng: Rng,
): void {
  const ledger = v.market.ledger;
  const e = v.markFen();
  if (buy) {
    const room = maxPositionT - ledger.totalT(accountId, v.instrumentId);
    const price = e * (1 + 0.004 + 0.002 * rng.next());
    const cash = ledger.availableFen(accountId);
    v.place(tsMs, accountId, 'buy', price, Math.min(size, room, Math.floor(cash / (price * 1.02))), 'ioc');
  } else {
    const price = e * (1 - 0.004 - 0.002 * rng.next());
    v.place(tsMs, accountId, 'sell', price, Math.min(size, ledger.availableT(accountId, v.instrumentId)), 'ioc');
  }
}

/** A group's trading desk holding part of the market's bank (see the header). */
export class Desk implements Agent {
  readonly name: string;
  readonly venue: Venue;
  readonly accountId: number;
  private readonly p: DeskParams;
  private readonly rng: Rng;
  private readonly view: number;
  private readonly board: BlockBoard | null;
  /** The bank it started with, tonnes: its holding when the market stands at its valuation. */
  private readonly bankT: number;
  /** Its resting orders (ids). */
  private readonly resting: number[] = [];

  constructor(
    name: string,
    venue: Venue,
    accountId: number,
    p: DeskParams,
    rng: Rng,
    view: number,
    bankT: number,
    board: BlockBoard | null,
  ) {
    this.name = name;
    this.venue = venue;
    this.accountId = accountId;
    this.p = p;
    this.rng = rng;
    this.view = view;
    this.bankT = bankT;
    this.board = board;
  }

  wakesToday(): number {
    return +this.p.wakesPerDay; // a number as far as the compiler knows: see Agent.wakesToday
  }

  /** What it wants to hold at a price (fen): bank x (1 - elasticity x ln(price / its valuation)), at least 0. */
  private targetT(priceFen: number): number {
    const value = this.venue.fairFen * this.view;
    if (!(value > 0)) return 0;
    return this.bankT * Math.max(0, 1 - this.p.elasticity * Math.log(priceFen / value));
  }

  /**
   * Its reservation price for holding h tonnes (fen), the inverse of targetT: V_i exp((1 − h / bank) / elasticity);
   * with no elasticity, its valuation.
   */
  private reserveFen(h: number): number {
    const value = this.venue.fairFen * this.view;
    const e = this.p.elasticity;
    return e > 0 ? value * Math.exp((1 - h / Math.max(1, this.bankT)) / e) : value;
  }

  act(tsMs: number, inBlockSession: boolean): void {
    const v = this.venue;
    for (let i = 0; i < this.resting.length; i++) v.cancel(tsMs, this.accountId, this.resting[i]!);
    this.resting.length = 0;
    const ledger = v.market.ledger;
    if (inBlockSession && this.board !== null) this.takeBlocks(tsMs);
    const mark = v.markFen();
    const held = ledger.totalT(this.accountId, v.instrumentId);
    const gap = this.targetT(mark) - held;
    // A tenth of the way to its target per look (at least orderT), as a ladder of up to 5 orders a tick-spread
    // apart: a desk moves a bank over days, not at once, and supplies the book rather than chasing it. Each order is
    // kept within the markup of its reservation for what the ladder leaves it (reserveFen).
    let left = Math.round(Math.max(this.p.orderT, Math.abs(gap) / 10) * (0.5 + this.rng.next()));
    const maxQty = v.market.spec.modes.listed.maxQtyT;
    const markup = this.p.maxMarkupBps / 10_000;
    let movedT = 0;
    for (let k = 0; k < 5 && left > 0; k++) {
      const step = 0.001 * (k + 1) + 0.002 * this.rng.next();
      let id = 0;
      if (gap < 0) {
        const qty = Math.min(left, maxQty, Math.floor(-gap), ledger.availableT(this.accountId, v.instrumentId));
        if (qty <= 0) break;
        movedT += qty;
        const cap = this.reserveFen(held - movedT) * (1 + markup + step);
        id = v.place(tsMs, this.accountId, 'sell', Math.min(mark * (1 + step), cap), qty, 'day');
        left -= qty;
      } else if (gap > 0) {
        const floor = this.reserveFen(held + movedT + Math.min(left, maxQty)) * (1 - markup - step);
        const price = Math.max(mark * (1 - step), floor);
        const qty = Math.min(
          left,
          maxQty,
          Math.floor(gap),
          Math.floor(ledger.availableFen(this.accountId) / (price * 1.02)),
        );
        if (qty <= 0) break;
        id = v.place(tsMs, this.accountId, 'buy', price, qty, 'day');
        movedT += qty;
        left -= qty;
      }
      if (id !== 0) this.resting.push(id);
    }
  }

  /**
   * Accepts buy blocks whose price it would sell at (after the sale it still holds at least its target there); with a
   * block's worth or more to sell, proposes one at the market less the block discount.
   */
  private takeBlocks(tsMs: number): void {
    const v = this.venue;
    const ledger = v.market.ledger;
    for (const o of this.board!.open('buy')) {
      if (o.proposerId === this.accountId) continue;
      const held = ledger.totalT(this.accountId, v.instrumentId);
      if (held - o.qtyT < this.targetT(o.priceFen) || o.qtyT > ledger.availableT(this.accountId, v.instrumentId))
        continue;
      v.count();
      const r = v.market.acceptBlock(tsMs, o.proposalId, this.accountId);
      if (!r.ok) v.reject(r.code);
      return;
    }
    const block = v.market.spec.modes.block;
    if (block === null) return;
    const price = v.blockPrice(v.markFen() * (1 - this.p.blockDiscountBps / 10_000));
    const excess = ledger.totalT(this.accountId, v.instrumentId) - this.targetT(price);
    // Sized like a covered firm's need, not the desk's bank: a block the firms can take.
    const size = Math.round(block.minQtyT * (1 + 2 * this.rng.next()));
    const qty = Math.min(Math.floor(excess / 4), ledger.availableT(this.accountId, v.instrumentId), size);
    if (qty >= block.minQtyT) proposeBlock(v, this.board!, this.accountId, tsMs, 'sell', price, qty);
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
    const price = v.markFen() * (1 + (this.p.priceSigmaBps / 10_000) * this.rng.normal());
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
  private readonly costFen: number;
  private restingId = 0;

  constructor(
    name: string,
    venue: Venue,
    accountId: number,
    p: { wakesPerDay: number; orderT: number },
    rng: Rng,
    costFen: number,
  ) {
    this.name = name;
    this.venue = venue;
    this.accountId = accountId;
    this.p = p;
    this.rng = rng;
    this.costFen = costFen;
  }

  wakesToday(): number {
    return +this.p.wakesPerDay; // a number as far as the compiler knows: see Agent.wakesToday
  }

  act(tsMs: number): void {
    const v = this.venue;
    const avail = v.market.ledger.availableT(this.accountId, v.instrumentId);
    if (avail <= 0) return;
    v.cancel(tsMs, this.accountId, this.restingId);
    // The credit market's value (the session sets it from issuance and the caps' demand), never below its cost.
    const price = Math.max(this.costFen, v.fairFen) * (1 + 0.01 * this.rng.normal());
    const qty = Math.min(avail, Math.round(this.p.orderT * (0.5 + this.rng.next())));
    this.restingId = v.place(tsMs, this.accountId, 'sell', price, qty, 'day');
  }
}
