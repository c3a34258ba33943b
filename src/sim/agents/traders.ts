// The traders around the covered entities. In the national market only covered entities may hold accounts, so
// there these are the trading desks of the large energy groups (entity accounts without an obligation of their
// own); in the pilots and the CCER market they are institutions.
//
// None of them reads a price path: each reads the book and the closes, and the valuers among them the public
// valuation from fundamentals scaled by their own view (drawn once).
//
// - Desk (a group's trading desk, holding the market's bank): holds bank × (1 − elasticity × ln(price / V_i)), so it
//   sells into a market above its valuation V_i and buys below it (banking is worth it while the price is under what
//   it expects an allowance to be worth later). Their elasticity is how much the bank absorbs a flow.
// - Dealer: quotes both sides around the market price every few minutes, leaned against its small inventory: every
//   10% it is long of its starting inventory moves the mid down leanBpsPer10Pct (and up when short), so order flow
//   that drains a dealer lifts its quotes: buying pressure moves the price. It also accepts block proposals near its
//   mid when it can (13:00–15:00).
// - Momentum: buys after the close rose more than thresholdBps over lookbackDays, sells after it fell (trend
//   following: a heterogeneous expectation that feeds on itself); no short selling, positions capped.
// - Fundamentalist: buys when the market is thresholdBps below its own valuation, sells when above.
// - Noise: a random side at a random price around the market price, sizes log-normal around orderT.
// - Offset supplier: holds credits (legacy or newly issued) and asks the credit market's value (set by the session
//   from issuance against the offset caps' demand; never below its project cost).

import type { Rng } from '../rng.ts';
import type { DeskParams, FundamentalistParams, SpeculatorParams } from '../scenario/schema.ts';
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
    return this.venue.markFen() * Math.exp(-lean);
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
  constructor(name: string, venue: Venue, accountId: number, p: SpeculatorParams, rng: Rng) {
    this.name = name;
    this.venue = venue;
    this.accountId = accountId;
    this.p = p;
    this.rng = rng;
  }

  wakesToday(): number {
    return +this.p.wakesPerDay; // a number as far as the compiler knows: see Agent.wakesToday
  }

  private signalBps(): number {
    const v = this.venue;
    return (Math.log(v.lastCloseFen / v.closeAgo(this.p.lookbackDays)) * 10_000) | 0;
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

export class Fundamentalist implements Agent {
  readonly name: string;
  readonly venue: Venue;
  readonly accountId: number;
  private readonly p: FundamentalistParams;
  private readonly rng: Rng;
  /** Its own view: its valuation is the public one times this. */
  private readonly view: number;

  constructor(name: string, venue: Venue, accountId: number, p: FundamentalistParams, rng: Rng, view: number) {
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

  act(tsMs: number): void {
    const v = this.venue;
    const value = v.fairFen * this.view;
    if (!(value > 0)) return;
    const gapBps = Math.log(value / v.markFen()) * 10_000;
    if (Math.abs(gapBps) < this.p.thresholdBps) return;
    trade(
      v,
      this.accountId,
      tsMs,
      gapBps > 0,
      Math.round(this.p.orderT * (0.5 + this.rng.next())),
      this.p.maxPositionT,
      this.rng,
    );
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
  /** The bank it started with, tonnes: its holding when the market stands at its valuation. */
  private readonly bankT: number;
  private restingId = 0;

  constructor(name: string, venue: Venue, accountId: number, p: DeskParams, rng: Rng, view: number, bankT: number) {
    this.name = name;
    this.venue = venue;
    this.accountId = accountId;
    this.p = p;
    this.rng = rng;
    this.view = view;
    this.bankT = bankT;
  }

  wakesToday(): number {
    return +this.p.wakesPerDay; // a number as far as the compiler knows: see Agent.wakesToday
  }

  act(tsMs: number): void {
    const v = this.venue;
    v.cancel(tsMs, this.accountId, this.restingId);
    this.restingId = 0;
    const value = v.fairFen * this.view;
    const mark = v.markFen();
    const ledger = v.market.ledger;
    const held = ledger.totalT(this.accountId, v.instrumentId);
    const target = value > 0 ? this.bankT * Math.max(0, 1 - this.p.elasticity * Math.log(mark / value)) : 0;
    const size = Math.round(this.p.orderT * (0.5 + this.rng.next()));
    if (held > target) {
      const qty = Math.min(size, Math.floor(held - target), ledger.availableT(this.accountId, v.instrumentId));
      // It rests an ask a little above the market: a desk supplies the book, it does not chase it.
      this.restingId = v.place(tsMs, this.accountId, 'sell', mark * (1 + 0.001 + 0.002 * this.rng.next()), qty, 'day');
    } else if (held < target) {
      const price = mark * (1 - 0.001 - 0.002 * this.rng.next());
      const cash = ledger.availableFen(this.accountId);
      const qty = Math.min(size, Math.floor(target - held), Math.floor(cash / (price * 1.02)));
      this.restingId = v.place(tsMs, this.accountId, 'buy', price, qty, 'day');
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
