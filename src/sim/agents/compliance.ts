// A covered entity (重点排放单位) deciding from fundamentals (docs/model.md, "Covered firms").
//
// What it knows: its obligation for the cycle (verified emissions), what it holds (allowances, usable offsets), its
// net sales so far (for the banking cap), the rules (banking cap, offset cap, penalty), its own abatement cost curve,
// and its valuation of an allowance, V_i = the public value × its own view (drawn once; see fundamentals/outlook.ts).
// Its need: positive, a shortfall to buy; negative, a surplus.
//
// - Abatement. Each day it abates the share s_i(V_i) of its baseline emissions where that costs less than an
//   allowance is worth to it (MAC_i(s) ≤ V_i, mac.ts); that lowers its later emissions (the session books it), not
//   the obligation already verified.
// - Short. It must buy; the most it pays for a tonne is what not surrendering it costs: the fine (the market's
//   penalty multiple × the recent average price) plus the deducted tonne next cycle (V_i). It trades its need over
//   the time left, back-loaded (by time fraction τ of the cycle it plans to have done τ^k), bidding the market price
//   plus a premium that grows with τ^k, up to that bound; when it values an allowance above the market it buys part
//   of the rest ahead of plan (it expects the price to rise), and a large need goes in blocks (≥ 100,000 t,
//   13:00–15:00) at a negotiated discount. Offsets first, while cheaper than allowances and under the cap.
// - Long. The banking cap (B + m × net sales: the national 10,000 t + 1.5 N; bankingIfNoCap where a market has none)
//   would cancel what it cannot carry, so it must sell x ≥ (S − B − m N) / (1 + m) (paced like a buyer's need, asked
//   at the market, lower as the deadline nears). What it could bank it keeps unless the market pays more than it
//   values it: it offers that at its valuation plus bankAskPremiumBps (a long firm banks when it expects scarcity
//   later and sells when it does not).
// At its deadline it surrenders what it holds (the simulator does that); after it, it is done.

import { DOUBLE_HINT } from '../../market/double-hint.ts';
import { abatedShare } from '../fundamentals/mac.ts';
import type { Rng } from '../rng.ts';
import type { Agents } from '../scenario/schema.ts';
import type { Agent } from './agent.ts';
import { type BlockBoard, proposeBlock } from './block-board.ts';
import type { Venue } from './venue.ts';

/** Its look on the deadline: the first minute of the listed session (session minute 0, 09:30). */
const DEADLINE_LOOK: readonly number[] = [0];

export interface CompliancePlan {
  readonly entityId: string;
  readonly obligationT: number;
  /** Offsets usable for the cycle (cap), tonnes. */
  readonly offsetCapT: number;
  /** Day numbers (days since 1970-01-01, China time) of the cycle's start and of the last trading day on or before
   * its deadline (the plan's end: a deadline on a weekend leaves no session on the day itself). */
  readonly startDay: number;
  deadlineDay: number;
}

/** The entity's own abatement cost curve and baseline (its latest verified emissions a year). */
export interface FirmAbatement {
  readonly baselineT: number;
  readonly costAt1PctFen: number;
  readonly exponent: number;
  readonly maxShare: number;
}

export class ComplianceAgent implements Agent {
  readonly name: string;
  readonly venue: Venue;
  readonly accountId: number;
  readonly plan: CompliancePlan;
  private readonly rng: Rng;
  private readonly p: Agents['compliance'];
  private readonly board: BlockBoard | null;
  /** The credit market whose instrument counts toward the offset cap, or null. */
  private readonly offsets: Venue | null;
  /** The simulation's clock: today's day number (the World). A field read, not a closure call: the closures, one per
   * agent and run, could not be inlined, and the call in the daily draw of looks cost a heap number per agent per day. */
  private readonly clock: { readonly today: number };
  /** The banking cap it plans for: B (tonnes) and m (per tonne of net sales); see the header. */
  private readonly bankBaseT: number;
  private readonly bankPerSoldT: number;
  /** Need and share of the plan left at the first look (the plan is paced from there). */
  private need0: number | null = null;
  private left0 = 1;
  private sellTotal0: number | null = null;
  private restingId = 0;
  private bankAskId = 0;
  /** The price and size its bank ask was placed at (to leave it when still right). */
  private bankAskFen = 0;
  private bankAskT = 0;
  /** netSoldT when the bank ask was placed: unchanged, the ask is untouched (nothing of this firm's sold since). */
  private bankAskSold = 0;
  /** Its holdings of the allowance and of its credit, once it has them (see heldT; scratch, not state: a classroom
   * snapshot leaves them out and they are found again). */
  private heldRef: { readonly totalT: number } | undefined = undefined;
  private creditsRef: { readonly totalT: number } | undefined = undefined;
  /** Its own view: its valuation is the public one times this (log-normal, drawn once). */
  readonly view: number;
  readonly abatement: FirmAbatement;
  /** Tonnes abated so far in the run (they lower its later emissions; entities.csv reports them). */
  abatedT = 0;
  /** Net tonnes sold in the run (sales − purchases of the allowance); the simulator updates it on every trade. */
  netSoldT = 0;
  done = false;

  constructor(
    name: string,
    venue: Venue,
    accountId: number,
    plan: CompliancePlan,
    params: Agents['compliance'],
    rng: Rng,
    board: BlockBoard | null,
    offsets: Venue | null,
    clock: { readonly today: number },
    view: number,
    abatement: FirmAbatement,
  ) {
    this.name = name;
    this.venue = venue;
    this.accountId = accountId;
    this.plan = plan;
    this.p = params;
    this.rng = rng;
    this.board = board;
    this.offsets = offsets;
    this.clock = clock;
    this.bankAskFen = DOUBLE_HINT; // see DOUBLE_HINT
    this.bankAskFen = 0;
    this.view = DOUBLE_HINT; // see DOUBLE_HINT
    this.view = view;
    this.abatement = abatement;
    const bank = venue.market.spec.compliance?.banking ?? params.bankingIfNoCap;
    this.bankBaseT = bank.baseT;
    this.bankPerSoldT = bank.netSalesMultipleBps / 10_000;
    this.left0 = DOUBLE_HINT; // see DOUBLE_HINT
    this.left0 = 1;
  }

  private tau(): number {
    const span = this.plan.deadlineDay - this.plan.startDay;
    if (span <= 0) return 1;
    return Math.min(1, Math.max(0, (this.clock.today - this.plan.startDay) / span));
  }

  /** Its valuation of an allowance today, fen. */
  valueFen(): number {
    return this.venue.fairFen * this.view;
  }

  /** The most it pays for a tonne: the fine for a tonne short plus the tonne deducted next cycle. */
  private boundFen(): number {
    const pen = this.venue.market.spec.compliance?.penalty;
    const multiple = pen === undefined ? 1 : pen.multipleDefault;
    return multiple * this.venue.recentAvgFen + this.valueFen();
  }

  /** Abates the share of its baseline its curve gives at its valuation, over `days` calendar days (each morning). */
  abateDay(days: number): void {
    const a = this.abatement;
    const share = abatedShare(this.valueFen(), a.costAt1PctFen, a.exponent, a.maxShare);
    this.abatedT += (a.baselineT * share * days) / 365;
  }

  /** Allowances it holds, tonnes. Read on every look and every morning (the market's valuation sums them): the
   * holding is looked up once it exists and kept, rather than through two maps each time. */
  heldT(): number {
    this.heldRef ??= this.venue.market.ledger.liveHolding(this.accountId, this.venue.instrumentId);
    return this.heldRef === undefined ? 0 : this.heldRef.totalT;
  }

  /** Credits it holds of the instrument it may use toward its offset cap, tonnes (0 without one). */
  offsetsHeldT(): number {
    if (this.offsets === null) return 0;
    this.creditsRef ??= this.venue.market.ledger.liveHolding(this.accountId, this.offsets.instrumentId);
    return this.creditsRef === undefined ? 0 : this.creditsRef.totalT;
  }

  /** The credit instrument it may use toward its cap, or null. */
  get offsetInstrument(): string | null {
    return this.offsets === null ? null : this.offsets.instrumentId;
  }

  /** What the banking cap lets it carry past the deadline now, tonnes. */
  bankCapT(): number {
    return this.bankBaseT + this.bankPerSoldT * Math.max(0, this.netSoldT);
  }

  /** Credits of this instrument it would still use: room under its cap, up to its need (0 when long). */
  offsetRoomT(instrumentId: string): number {
    if (this.offsets === null || this.offsets.instrumentId !== instrumentId) return 0;
    const credits = this.offsetsHeldT();
    return this.roomFrom(this.needFrom(this.heldT(), credits), credits);
  }

  /** Positive: tonnes still to buy; negative: surplus held. */
  needT(): number {
    return this.needFrom(this.heldT(), this.offsetsHeldT());
  }

  /** The need given what it holds of the allowance and of its credits (the morning update reads both once). */
  needFrom(heldT: number, creditsT: number): number {
    return this.plan.obligationT - heldT - Math.min(creditsT, this.plan.offsetCapT);
  }

  /** Credits it would still use given its need and the credits it holds. */
  roomFrom(needT: number, creditsT: number): number {
    return needT <= 0 ? 0 : Math.max(0, Math.min(needT, this.plan.offsetCapT - creditsT));
  }

  /** Looks per day: the base rate, rising up to (1 + rushWakesMultiple)-fold over the last tenth of the cycle (the rush). */
  wakesToday(): number {
    if (this.done) return 0;
    return this.p.wakesPerDay * (1 + this.p.rushWakesMultiple * this.rush());
  }

  /**
   * On its deadline, with allowances still to buy, it looks at the opening whatever its random looks: a firm that can
   * comply does not leave its last purchase to chance (its random looks alone missed the day for some firms).
   */
  fixedWakes(): readonly number[] | null {
    if (this.done || this.tau() < 1 || !(this.needT() > 0)) return null;
    return DEADLINE_LOOK;
  }

  /** 0 until the last tenth of the cycle, then rising to 1 at the deadline. */
  private rush(): number {
    return Math.max(0, this.tau() - 0.9) / 0.1;
  }

  /** Stops trading and withdraws its resting orders (a live classroom's bot, when the student it stood in for is back). */
  retire(tsMs: number): void {
    this.done = true;
    for (const id of [this.restingId, this.bankAskId]) if (id !== 0) this.venue.cancel(tsMs, this.accountId, id);
    this.restingId = 0;
    this.bankAskId = 0;
  }

  act(tsMs: number, inBlockSession: boolean): void {
    if (this.done) return;
    const need = this.needT();
    // A plan per side: made at the first look, and made again if the need changed side since (a long firm whose
    // sales took it short, or a short one that bought more than it needed).
    if (this.need0 === null || (need > 0 && this.need0 <= 0) || (need < 0 && this.need0 > 0)) {
      this.need0 = need;
      this.left0 = 1 - this.tau() ** this.p.paceExponent;
      this.sellTotal0 = null;
    }
    if (need > 0) this.buy(tsMs, need, inBlockSession);
    else if (need < 0) this.sell(tsMs, -need, inBlockSession);
  }

  /**
   * The plan's pace now: by now, need0 x (1 - tau^k) / (1 - tau0^k) should be left (`left`); tau^k is the urgency.
   * buy and sell work these out themselves from the fields rather than take them from act: a double passed to a
   * method is boxed, two heap numbers per look.
   */
  private leftOf(urgency: number): number {
    return this.left0 <= 0 ? 0 : Math.max(0, (1 - urgency) / this.left0);
  }

  private buy(tsMs: number, need: number, inBlock: boolean): void {
    const urgency = this.tau() ** this.p.paceExponent;
    // Trade the backlog beyond the planned position, and, when it values an allowance above the market (it expects
    // the price to rise), a share of the rest ahead of plan: all of it once its valuation is 10 % above the market.
    const planned = Math.max(0, this.need0! * this.leftOf(urgency));
    const ahead = Math.min(1, Math.max(0, (this.valueFen() / this.venue.markFen() - 1) * 10));
    const backlog = need - planned * (1 - ahead);
    if (!(backlog > 0)) return;
    const v = this.venue;
    const e = v.markFen();
    const bound = this.boundFen();
    if (this.offsets !== null && this.buyOffsets(tsMs, need, Math.min(bound, Math.max(e, this.valueFen())))) return;
    const block = v.market.spec.modes.block;
    // A large need (a block or more at the first look) is bought in blocks, in the block session, a block at a
    // time (ahead of plan, so the next one waits until the plan catches up); only a remainder below a block goes to the listed book.
    const large = block !== null && this.board !== null && (this.need0 ?? 0) >= block.minQtyT && need >= block.minQtyT;
    if (large) {
      const rush = this.rush();
      if (inBlock) {
        const p = this.p.blockPropensityBps / 10_000;
        if (backlog <= 0 || !this.rng.chance(p + (1 - p) * rush)) return;
        const limit = e * (1 - (this.p.blockDiscountBps - 50) / 10_000);
        for (const o of this.board!.open('sell')) {
          if (o.priceFen > limit || o.qtyT > need || o.proposerId === this.accountId) continue;
          v.count();
          const r = v.market.acceptBlock(tsMs, o.proposalId, this.accountId);
          if (r.ok) return;
          v.reject(r.code);
        }
        const qty = Math.min(need, Math.max(block!.minQtyT, Math.round(backlog)));
        this.propose(tsMs, 'buy', v.blockPrice(e * (1 - this.p.blockDiscountBps / 10_000)), qty);
        return;
      }
      // Outside the block window a large buyer waits, except in the December rush, when it buys in the book too.
      if (rush === 0) return;
    }
    // On the last trading day (urgency 1) all of it; before, a random share around the backlog.
    const draw = Math.ceil(backlog * (0.5 + this.rng.next()));
    const qty = Math.min(this.orderCapT(need), urgency >= 1 ? Math.ceil(backlog) : draw);
    if (qty <= 0) return;
    v.cancel(tsMs, this.accountId, this.restingId);
    let price = e * (1 + (this.p.urgencyPremiumBps * urgency) / 10_000 + 0.002 * this.rng.normal());
    // Near the deadline it takes what is offered: a short firm that can comply does, up to its penalty bound.
    const ask = v.market.listed.engine(v.instrumentId)?.bestAskFen() ?? 0;
    if (urgency >= 0.5 && ask > price) price = ask;
    // What the order will carry: on the tick and inside today's band (the cash it reserves is worked out on that).
    price = v.listedPrice(Math.min(bound, price));
    const cash = v.market.ledger.availableFen(this.accountId);
    const affordable = Math.floor(cash / (price * 1.01));
    this.restingId = v.place(tsMs, this.accountId, 'buy', price, Math.min(qty, affordable), 'day');
  }

  /**
   * The largest listed order it sends: maxListedOrderT, or more when its looks left before the deadline at that size
   * could not finish its need (it sizes its orders so that it can).
   */
  private orderCapT(need: number): number {
    return Math.max(this.p.maxListedOrderT, Math.ceil(need / Math.max(1, this.looksLeft())));
  }

  /** Looks it expects before its deadline: its daily rate over the trading days left, the rush included. */
  private looksLeft(): number {
    const { startDay, deadlineDay } = this.plan;
    const today = this.clock.today;
    const span = Math.max(1, deadlineDay - startDay);
    const rushStart = startDay + 0.9 * span;
    const days = Math.max(0, deadlineDay - today);
    // ∫ rush over the days left: rush rises linearly from 0 at rushStart to 1 at the deadline.
    const from = Math.max(today, rushStart);
    const rushDays = Math.max(0, deadlineDay - from);
    const r0 = (from - rushStart) / (0.1 * span);
    const rushIntegral = rushDays * (r0 + 1) * 0.5;
    return (this.p.wakesPerDay * (days + this.p.rushWakesMultiple * rushIntegral) * 5) / 7;
  }

  /** Buys credits when they are cheaper than allowances and the cap has room; true when it did something. */
  private buyOffsets(tsMs: number, need: number, allowanceFen: number): boolean {
    const o = this.offsets!;
    const room = Math.min(
      need,
      Math.floor((this.plan.offsetCapT * this.p.offsetUseBps) / 10_000) - this.offsetsHeldT(),
    );
    if (room <= 0) return false;
    const eng = o.market.listed.engine(o.instrumentId);
    if (eng === null || o.market.date === null) return false;
    const ask = eng.bestAskFen();
    if (ask <= 0 || ask >= allowanceFen * 0.97) return false;
    const qty = Math.min(room, eng.bestAskQtyT(), this.p.maxListedOrderT);
    return o.send(tsMs, this.accountId, 'buy', ask, qty, 'ioc') && o.market.listed.last.filledT > 0;
  }

  /**
   * Sells what the banking cap would cancel, paced like a buyer's need; offers the bankable rest above its value.
   * Never offers more than its surplus (resting asks and open block proposals together): a long firm that oversold
   * would end short itself.
   */
  private sell(tsMs: number, surplus: number, inBlock: boolean): void {
    const urgency = this.tau() ** this.p.paceExponent;
    const left = this.leftOf(urgency);
    const v = this.venue;
    v.cancel(tsMs, this.accountId, this.restingId);
    this.restingId = 0;
    const m = this.bankPerSoldT;
    const mustSell = Math.max(0, (surplus - this.bankBaseT - m * Math.max(0, this.netSoldT)) / (1 + m));
    const forced = Math.min(surplus, Math.floor((mustSell * this.p.surplusSellBps) / 10_000));
    if (this.sellTotal0 === null) this.sellTotal0 = forced;
    const backlog = Math.min(forced, Math.floor(forced - this.sellTotal0 * left));
    const ledger = v.market.ledger;
    // What it may still offer: the surplus less what open block proposals hold (its bank ask, if it is still resting
    // untouched, is counted back: offerBank may leave it or replace it).
    let room =
      surplus -
      ledger.holding(this.accountId, v.instrumentId).reservedT +
      (this.bankAskUntouched() ? this.bankAskT : 0);
    const avail = ledger.availableT(this.accountId, v.instrumentId);
    if (avail <= 0 || room <= 0) return;
    const e = v.markFen();
    const value = this.valueFen();
    if (backlog > 0) room -= this.sellForced(tsMs, backlog, forced, Math.min(avail, room), urgency, inBlock, e);
    // The bankable rest, offered at its valuation plus a premium: it trades only when the market pays more.
    this.offerBank(
      tsMs,
      Math.min(room, ledger.availableT(this.accountId, v.instrumentId), surplus - Math.max(0, backlog)),
      value,
    );
  }

  /** The forced part: a block in the block window for a large seller, else a listed ask; returns tonnes offered. */
  private sellForced(
    tsMs: number,
    backlog: number,
    forced: number,
    room: number,
    urgency: number,
    inBlock: boolean,
    e: number,
  ): number {
    const v = this.venue;
    const block = v.market.spec.modes.block;
    const large = block !== null && this.board !== null && (this.sellTotal0 ?? 0) >= block.minQtyT;
    const rush = this.rush();
    // Outside the block window a large seller waits, except in the rush, when it sells in the book too (as buyers do).
    if (large && forced >= block.minQtyT && (inBlock || rush === 0)) {
      if (!inBlock || backlog * 2 < block.minQtyT) return 0;
      const floor = e * (1 - (this.p.blockDiscountBps + 50) / 10_000);
      for (const o of this.board.open('buy')) {
        if (o.priceFen < floor || o.qtyT > Math.min(forced, room) || o.proposerId === this.accountId) continue;
        v.count();
        const r = v.market.acceptBlock(tsMs, o.proposalId, this.accountId);
        if (r.ok) return o.qtyT;
        v.reject(r.code);
      }
      if (!this.rng.chance(this.p.blockPropensityBps / 10_000)) return 0;
      const qty = Math.min(room, forced, Math.max(block.minQtyT, backlog));
      if (qty < block.minQtyT) return 0;
      this.propose(tsMs, 'sell', v.blockPrice(e * (1 - this.p.blockDiscountBps / 10_000)), qty);
      return qty;
    }
    const draw = Math.ceil(backlog * (0.5 + this.rng.next()));
    const qty = Math.min(room, this.p.maxListedOrderT, draw);
    if (qty <= 0) return 0;
    // What it cannot bank is worth nothing to it after the deadline: it asks the market, less as the deadline nears.
    const price = e * (1 - (this.p.urgencyPremiumBps * urgency) / 10_000 + 0.003 * this.rng.normal());
    this.restingId = v.place(tsMs, this.accountId, 'sell', price, qty, 'day');
    return qty;
  }

  /** Its bank ask still rests and nothing of this firm's has sold since it was placed (so all of it rests). */
  private bankAskUntouched(): boolean {
    return (
      this.bankAskId !== 0 && this.netSoldT === this.bankAskSold && this.venue.market.listed.isLive(this.bankAskId)
    );
  }

  /**
   * Keeps one resting ask for the surplus it could bank, at its valuation plus the premium. An ask still resting at
   * about that price (within 0.2%) and size is left as it is: a firm does not requote for nothing.
   */
  private offerBank(tsMs: number, qtyT: number, valueFen: number): void {
    const v = this.venue;
    const qty = Math.min(qtyT, this.p.maxListedOrderT);
    // Never below the market less a little: worth less to it than the market pays, it still sells dearly as it can.
    const price = Math.max(valueFen * (1 + this.p.bankAskPremiumBps / 10_000), v.markFen() * 0.995);
    if (this.bankAskUntouched() && qty > 0 && Math.abs(price - this.bankAskFen) < 0.002 * price && this.bankAskT <= qty)
      return;
    v.cancel(tsMs, this.accountId, this.bankAskId);
    this.bankAskId = 0;
    if (qty <= 0) return;
    // Only worth sending when it is inside today's band: an ask above the band would be clamped to the band's top.
    const eng = v.market.listed.engine(v.instrumentId);
    if (eng !== null && eng.bandHighFen > 0 && price > eng.bandHighFen) return;
    this.bankAskId = v.place(tsMs, this.accountId, 'sell', price, qty, 'day');
    this.bankAskFen = price;
    this.bankAskT = qty;
    this.bankAskSold = this.netSoldT;
  }

  private propose(tsMs: number, side: 'buy' | 'sell', priceFen: number, qtyT: number): void {
    proposeBlock(this.venue, this.board!, this.accountId, tsMs, side, priceFen, qtyT);
  }
}
