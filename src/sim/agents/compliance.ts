// A covered entity (重点排放单位) trading toward its compliance position.
//
// It knows its obligation for the cycle (verified emissions) and what it holds, so it knows its need: positive, a
// shortfall to buy; negative, a surplus. It trades that need over the time left to the deadline, back-loaded: by time
// fraction τ of the cycle (from the start of the year after the emission year to the deadline) it plans to have done
// τ^k of it, so each look does the share 1 − (1 − τ^k)/(1 − τ_last^k) of what is left, and everything on the last
// look. A buyer pays up to the expected price plus a premium that grows as τ^k does; a buyer whose remaining need is
// a block or more may instead take or propose a block (≥ 100,000 t, 13:00–15:00) at a negotiated discount. Offsets:
// while they are cheaper than allowances and the offset cap is not filled, a buyer buys credits first.
// A long entity sells what the banking cap would otherwise cancel: with surplus S and net sales N so far, banking
// keeps at most B + m N (the market's rule; the national market's is 10,000 t + 1.5 N; in a market without a cap,
// the scenario's bankingIfNoCap), so it must sell x ≥ (S − B − m N) / (1 + m); surplusSellBps scales that. It
// asks around the expected price and accepts block bids near it. In the last tenth of the cycle (the rush, when
// short firms bid up) it also offers the surplus it could bank: rushSellBps of it, in step with the rush and all of it
// by the rush's midpoint (a deadline often falls on a weekend or holiday: the last days may have no session), asking
// the expected price plus rushAskPremiumBps × (1 − 2 rush), a premium gone by that midpoint.
// Without it, a market whose firms are short and long in equal measure still ends with most short firms short: the
// long ones keep what they may bank. At its deadline it surrenders what it holds (the simulator does that); after
// it, it is done.

import { DOUBLE_HINT } from '../../market/double-hint.ts';
import type { Rng } from '../rng.ts';
import type { Agents } from '../scenario/schema.ts';
import type { Agent } from './agent.ts';
import type { BlockBoard } from './block-board.ts';
import type { Venue } from './venue.ts';

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

  private offsetsHeldT(): number {
    if (this.offsets === null) return 0;
    return this.venue.market.ledger.totalT(this.accountId, this.offsets.instrumentId);
  }

  /** Positive: tonnes still to buy; negative: surplus held. */
  needT(): number {
    const held = this.venue.market.ledger.totalT(this.accountId, this.venue.instrumentId);
    const offsets = Math.min(this.offsetsHeldT(), this.plan.offsetCapT);
    return this.plan.obligationT - held - offsets;
  }

  /** Looks per day: the base rate, rising up to elevenfold over the last tenth of the cycle (the December rush). */
  wakesToday(): number {
    if (this.done) return 0;
    return this.p.wakesPerDay * (1 + 10 * this.rush());
  }

  /** 0 until the last tenth of the cycle, then rising to 1 at the deadline. */
  private rush(): number {
    return Math.max(0, this.tau() - 0.9) / 0.1;
  }

  act(tsMs: number, inBlockSession: boolean): void {
    if (this.done) return;
    const need = this.needT();
    if (this.need0 === null) {
      this.need0 = need;
      this.left0 = 1 - this.tau() ** this.p.paceExponent;
    }
    if (need > 0 && this.need0 > 0) this.buy(tsMs, need, inBlockSession);
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
    // Trade the backlog beyond the planned position.
    const backlog = need - Math.max(0, this.need0! * this.leftOf(urgency));
    if (!(backlog > 0)) return;
    const v = this.venue;
    const e = v.belief.fen;
    if (this.offsets !== null && this.buyOffsets(tsMs, need, e)) return;
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
    const qty = Math.min(this.p.maxListedOrderT, urgency >= 1 ? Math.ceil(backlog) : draw);
    if (qty <= 0) return;
    v.cancel(tsMs, this.accountId, this.restingId);
    const price = e * (1 + (this.p.urgencyPremiumBps * urgency) / 10_000 + 0.002 * this.rng.normal());
    const cash = v.market.ledger.availableFen(this.accountId);
    const affordable = Math.floor(cash / (price * 1.01));
    this.restingId = v.place(tsMs, this.accountId, 'buy', price, Math.min(qty, affordable), 'day');
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

  /** Sells toward what the banking cap would cancel, paced like a buyer's need. */
  private sell(tsMs: number, surplus: number, inBlock: boolean): void {
    const left = this.leftOf(this.tau() ** this.p.paceExponent);
    const v = this.venue;
    const m = this.bankPerSoldT;
    const mustSell = Math.max(0, (surplus - this.bankBaseT - m * Math.max(0, this.netSoldT)) / (1 + m));
    const forced = Math.min(surplus, Math.floor((mustSell * this.p.surplusSellBps) / 10_000));
    if (this.sellTotal0 === null) this.sellTotal0 = forced;
    const rush = this.rush();
    // In the rush, the bankable rest too, a growing share of it (see the header).
    const offered = Math.min(1, 2 * rush);
    const target =
      rush === 0 ? forced : forced + Math.floor(((surplus - forced) * this.p.rushSellBps * offered) / 10_000);
    const backlog = Math.min(target, Math.floor(target - this.sellTotal0 * left));
    const avail = v.market.ledger.availableT(this.accountId, v.instrumentId);
    if (backlog <= 0 || avail <= 0) return;
    const e = v.belief.fen;
    const block = v.market.spec.modes.block;
    const large = block !== null && this.board !== null && (this.sellTotal0 ?? 0) >= block.minQtyT;
    // Outside the block window a large seller waits, except in the rush, when it sells in the book too (as buyers do).
    if (large && target >= block.minQtyT && (inBlock || rush === 0)) {
      if (!inBlock || backlog * 2 < block.minQtyT) return;
      const floor = e * (1 - (this.p.blockDiscountBps + 50) / 10_000);
      for (const o of this.board.open('buy')) {
        if (o.priceFen < floor || o.qtyT > Math.min(target, avail) || o.proposerId === this.accountId) continue;
        v.count();
        const r = v.market.acceptBlock(tsMs, o.proposalId, this.accountId);
        if (r.ok) return;
        v.reject(r.code);
      }
      if (!this.rng.chance(this.p.blockPropensityBps / 10_000)) return;
      const qty = Math.min(avail, target, Math.max(block.minQtyT, backlog));
      if (qty >= block.minQtyT)
        this.propose(tsMs, 'sell', v.blockPrice(e * (1 - this.p.blockDiscountBps / 10_000)), qty);
      return;
    }
    // Never more than the surplus: a long firm that oversold would end short itself.
    const draw = Math.ceil(backlog * (0.5 + this.rng.next()));
    const qty = Math.min(avail, this.p.maxListedOrderT, rush === 0 ? draw : Math.min(draw, surplus));
    if (qty <= 0) return;
    v.cancel(tsMs, this.accountId, this.restingId);
    const premium = rush === 0 ? 0 : (this.p.rushAskPremiumBps * Math.max(0, 1 - 2 * rush)) / 10_000;
    const price = e * (1 + premium + 0.003 * this.rng.normal());
    this.restingId = v.place(tsMs, this.accountId, 'sell', price, qty, 'day');
  }

  private propose(tsMs: number, side: 'buy' | 'sell', priceFen: number, qtyT: number): void {
    const v = this.venue;
    v.count();
    const r = v.market.proposeBlock({
      tsMs,
      proposerId: this.accountId,
      counterpartyId: null,
      side,
      instrumentId: v.instrumentId,
      priceFen,
      qtyT,
    });
    if (!r.ok) {
      v.reject(r.code);
      return;
    }
    this.board!.add({ proposalId: r.value.proposalId, proposerId: this.accountId, side, priceFen, qtyT });
  }
}
