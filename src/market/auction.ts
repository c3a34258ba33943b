// One-way auction (单向竞价). One party (the initiator) asks the exchange to sell, or to buy, a quantity of one
// instrument; a notice opens a bidding window [opensTs, closesTs); counterparties place sealed bids; at close the
// exchange allocates by price priority and settles each allocation through the ledger.
//
// Rules as modelled (the exchange publishes them per auction; what is data here comes from AuctionModeSpec):
// - side 'sell': the initiator sells qtyT, bidders buy. Its tonnes are reserved at announce. A bid must be at or
//   above the reserve price; the bidder's cash is reserved: qty x (price + fee ceiling per tonne), which covers the
//   fee of any fill at or below that price.
// - side 'buy': the initiator buys qtyT, bidders sell (offers). Its cash is reserved at announce for
//   qty x (reserve + fee ceiling per tonne); an offer must be at or below the reserve price; the bidder's tonnes
//   are reserved.
// - Price on tick, quantity on lot, at least minBidT and at most the auctioned quantity. A bidder may place several
//   bids and cancel any of them before the window ends. The initiator may not bid on its own auction.
// - Sealed: bidders see only their own bids (myBids); the full results go to the initiator after close.
// - Allocation: best price first (highest bid in a sell auction, lowest offer in a buy auction), then the earlier
//   bid (the desk's acceptance sequence, i.e. arrival order). The marginal bid is filled partially. The price is
//   each winner's own bid ('pay-as-bid') or one clearing price, the worst winning bid ('uniform'), per the spec
//   or an override at announce. Fees: spec.feeBps on each side of each allocation, rounded half up.
// - Bought tonnes are locked for the market's resale period (options.lockDays). Unsold tonnes stay with the
//   initiator; every reservation left over is released.
// A rejection changes nothing. close() checks every transfer before applying any.

import type {
  AnnounceCmd,
  AuctionAllocationRow,
  AuctionDeskOptions,
  AuctionResult,
  AuctionView,
  BidCmd,
  BidStatus,
  BidView,
  CancelBidCmd,
  InstrumentKind,
} from './auction-types.ts';
import type { AuctionModeSpec } from './catalogue/schema.ts';
import { MarketError, ok, type Rejection, type Result, reject } from './errors.ts';
import type { Ledger, Transfer } from './ledger.ts';
import { feeCeilPerTonneFen, feeFen, fenToCny, vwapFen } from './money.ts';
import type { Reservation } from './reservations.ts';

interface Bid {
  readonly bidId: string;
  readonly seq: number;
  readonly tsMs: number;
  readonly accountId: number;
  readonly priceFen: number;
  readonly qtyT: number;
  /** Cash (sell auction) or tonnes (buy auction) reserved for this bid. */
  readonly reserved: number;
  status: BidStatus;
  filledT: number;
  fillPriceFen: number | null;
}

interface Auction {
  readonly a: AuctionView;
  /** Initiator's reservation: tonnes (sell) or fen (buy). */
  readonly reserved: number;
  readonly bids: Map<string, Bid>;
  closed: boolean;
  withdrawnTs: number | null;
  result: AuctionResult | null;
}

const isPos = (v: number): boolean => Number.isSafeInteger(v) && v > 0;

export class AuctionDesk {
  private readonly ledger: Ledger;
  private readonly spec: AuctionModeSpec;
  private readonly lockDays: number;
  private readonly kindOf: (instrumentId: string) => InstrumentKind | null;
  private readonly auctions = new Map<string, Auction>();
  private seq = 0;

  constructor(ledger: Ledger, spec: AuctionModeSpec, options: AuctionDeskOptions) {
    if (!Number.isSafeInteger(options.lockDays) || options.lockDays < 0)
      throw new MarketError('MKT_ERR_BAD_INPUT', `lockDays ${options.lockDays} is not a whole number >= 0`);
    this.ledger = ledger;
    this.spec = spec;
    this.lockDays = options.lockDays;
    this.kindOf = options.instrumentKind ?? (() => 'allowance');
  }

  /** What open auctions hold in reserve: the initiator's side and every live bid. */
  *reservations(): Iterable<Reservation> {
    for (const au of this.auctions.values()) {
      if (au.closed) continue;
      const { initiatorId, instrumentId, side } = au.a;
      yield { accountId: initiatorId, instrumentId: side === 'sell' ? instrumentId : null, amount: au.reserved };
      for (const b of au.bids.values())
        if (b.status === 'live')
          yield { accountId: b.accountId, instrumentId: side === 'sell' ? null : instrumentId, amount: b.reserved };
    }
  }

  /**
   * Why this notice would be refused, or null; changes nothing (the initiator's holdings or cash are not checked,
   * nor, when `initiatorOpening`, that its account exists: the caller opens it once the notice passes).
   */
  noticeProblem(cmd: AnnounceCmd, initiatorOpening = false): Rejection | null {
    if (typeof cmd.auctionId !== 'string' || cmd.auctionId === '') return reject('BadInput', 'auction id is empty');
    if (this.auctions.has(cmd.auctionId)) return reject('DuplicateId', `auction ${cmd.auctionId} already exists`);
    if (!initiatorOpening && !this.ledger.has(cmd.initiatorId))
      return reject('UnknownAccount', `there is no account ${cmd.initiatorId}`);
    if (cmd.side !== 'sell' && cmd.side !== 'buy')
      return reject('BadInput', `side ${String(cmd.side)} is not sell or buy`);
    if (this.kindOf(cmd.instrumentId) === null)
      return reject('UnknownInstrument', `there is no instrument ${cmd.instrumentId}`);
    const allocation = cmd.allocation ?? this.spec.allocation;
    if (allocation !== 'pay-as-bid' && allocation !== 'uniform')
      return reject('BadInput', `allocation ${String(allocation)} is not pay-as-bid or uniform`);
    const bad = this.checkPriceQty(cmd.reservePriceFen, cmd.qtyT, 'reserve price', 'auctioned quantity');
    if (bad !== null) return bad;
    if (!Number.isSafeInteger(cmd.opensTs) || !Number.isSafeInteger(cmd.closesTs) || cmd.opensTs >= cmd.closesTs)
      return reject('BadInput', 'the bidding window must open before it closes');
    if (!Number.isSafeInteger(cmd.tsMs) || cmd.tsMs > cmd.opensTs)
      return reject('BadInput', 'the auction must be announced before its window opens');
    return null;
  }

  announce(cmd: AnnounceCmd): Result<AuctionView> {
    const bad = this.noticeProblem(cmd);
    if (bad !== null) return bad;
    const allocation = cmd.allocation ?? this.spec.allocation;
    let reserved: number;
    let no: Rejection | null;
    if (cmd.side === 'sell') {
      reserved = cmd.qtyT;
      no = this.ledger.reserveQty(cmd.initiatorId, cmd.instrumentId, reserved);
    } else {
      reserved = this.cashFor(cmd.reservePriceFen, cmd.qtyT);
      if (!Number.isSafeInteger(reserved)) return reject('Overflow', 'the auction value overflows');
      no = this.ledger.reserveCash(cmd.initiatorId, reserved);
    }
    if (no !== null) return no;
    const a: AuctionView = {
      auctionId: cmd.auctionId,
      initiatorId: cmd.initiatorId,
      side: cmd.side,
      instrumentId: cmd.instrumentId,
      qtyT: cmd.qtyT,
      reservePriceFen: cmd.reservePriceFen,
      opensTs: cmd.opensTs,
      closesTs: cmd.closesTs,
      allocation,
      closed: false,
      withdrawnTs: null,
    };
    this.auctions.set(cmd.auctionId, { a, reserved, bids: new Map(), closed: false, withdrawnTs: null, result: null });
    return ok(a);
  }

  /** The public notice of an auction (no bids). */
  auction(auctionId: string): AuctionView | null {
    const x = this.auctions.get(auctionId);
    return x === undefined ? null : { ...x.a, closed: x.closed, withdrawnTs: x.withdrawnTs };
  }

  bid(cmd: BidCmd): Result<BidView> {
    const x = this.auctions.get(cmd.auctionId);
    if (x === undefined) return reject('UnknownAuction', `there is no auction ${cmd.auctionId}`);
    const a = x.a;
    if (typeof cmd.bidId !== 'string' || cmd.bidId === '') return reject('BadInput', 'bid id is empty');
    if (x.bids.has(cmd.bidId)) return reject('DuplicateId', `bid ${cmd.bidId} already exists in ${a.auctionId}`);
    const window = this.checkWindow(x, cmd.tsMs);
    if (window !== null) return window;
    if (!this.ledger.has(cmd.accountId)) return reject('UnknownAccount', `there is no account ${cmd.accountId}`);
    if (cmd.accountId === a.initiatorId)
      return reject('SelfDeal', `account ${cmd.accountId} initiated auction ${a.auctionId} and cannot bid on it`);
    const bad = this.checkPriceQty(cmd.priceFen, cmd.qtyT, 'bid price', 'bid quantity');
    if (bad !== null) return bad;
    if (cmd.qtyT < this.spec.minBidT)
      return reject('BelowAuctionMinimum', `a bid of ${cmd.qtyT} t is below the minimum bid of ${this.spec.minBidT} t`);
    if (cmd.qtyT > a.qtyT) return reject('BadInput', `a bid of ${cmd.qtyT} t is more than the ${a.qtyT} t auctioned`);
    if (a.side === 'sell' && cmd.priceFen < a.reservePriceFen)
      return reject('ReserveNotMet', `a bid is at least the reserve of ${fenToCny(a.reservePriceFen)} CNY`);
    if (a.side === 'buy' && cmd.priceFen > a.reservePriceFen)
      return reject(
        'ReserveNotMet',
        `offer ${fenToCny(cmd.priceFen)} CNY is above the reserve price of ${fenToCny(a.reservePriceFen)} CNY`,
      );
    let reserved: number;
    let no: Rejection | null;
    if (a.side === 'sell') {
      reserved = this.cashFor(cmd.priceFen, cmd.qtyT);
      if (!Number.isSafeInteger(reserved)) return reject('Overflow', 'the bid value overflows');
      no = this.ledger.reserveCash(cmd.accountId, reserved);
    } else {
      reserved = cmd.qtyT;
      no = this.ledger.reserveQty(cmd.accountId, a.instrumentId, reserved);
    }
    if (no !== null) return no;
    const b: Bid = {
      bidId: cmd.bidId,
      seq: ++this.seq,
      tsMs: cmd.tsMs,
      accountId: cmd.accountId,
      priceFen: cmd.priceFen,
      qtyT: cmd.qtyT,
      reserved,
      status: 'live',
      filledT: 0,
      fillPriceFen: null,
    };
    x.bids.set(b.bidId, b);
    return ok(this.bidView(a.auctionId, b));
  }

  /** A bidder withdraws its own live bid before the window ends; its reservation is released. */
  cancelBid(cmd: CancelBidCmd): Result<BidView> {
    const x = this.auctions.get(cmd.auctionId);
    if (x === undefined) return reject('UnknownAuction', `there is no auction ${cmd.auctionId}`);
    const b = x.bids.get(cmd.bidId);
    // Another account's bid is reported as unknown too: bids are sealed.
    if (b === undefined || b.accountId !== cmd.accountId)
      return reject('UnknownOrder', `account ${cmd.accountId} has no bid ${cmd.bidId} in ${cmd.auctionId}`);
    const window = this.checkWindow(x, cmd.tsMs);
    if (window !== null) return window;
    if (b.status !== 'live') return reject('BadInput', `bid ${cmd.bidId} is already cancelled`);
    this.releaseBid(x, b, b.reserved);
    b.status = 'cancelled';
    return ok(this.bidView(x.a.auctionId, b));
  }

  /** An account's own bids (sealed: never anyone else's), by auction then sequence. */
  myBids(accountId: number, auctionId?: string): BidView[] {
    const out: BidView[] = [];
    for (const x of this.auctions.values()) {
      if (auctionId !== undefined && x.a.auctionId !== auctionId) continue;
      for (const b of x.bids.values()) if (b.accountId === accountId) out.push(this.bidView(x.a.auctionId, b));
    }
    return out.sort((p, q) => p.seq - q.seq);
  }

  /** Full results: only to the initiator, only after close. */
  results(auctionId: string, viewerId: number): Result<AuctionResult> {
    const x = this.auctions.get(auctionId);
    if (x === undefined) return reject('UnknownAuction', `there is no auction ${auctionId}`);
    if (viewerId !== x.a.initiatorId)
      return reject('NotOwner', `only the initiator of ${auctionId} sees its results; bidders see their own bids`);
    if (x.withdrawnTs !== null) return reject('AuctionWithdrawn', `auction ${auctionId} was withdrawn`);
    if (x.result === null) return reject('AuctionNotEnded', `auction ${auctionId} has not been closed yet`);
    return ok(x.result);
  }

  /** Allocates, settles and releases. Allowed once, at or after closesTs. Returns the results (exchange view). */
  close(auctionId: string, tsMs: number): Result<AuctionResult> {
    const x = this.auctions.get(auctionId);
    if (x === undefined) return reject('UnknownAuction', `there is no auction ${auctionId}`);
    const a = x.a;
    if (x.closed) return reject('AuctionClosed', `auction ${auctionId} is already closed`);
    if (!Number.isSafeInteger(tsMs) || tsMs < a.closesTs)
      return reject('AuctionNotEnded', `auction ${auctionId} closes at ${a.closesTs}, not before`);

    const live = [...x.bids.values()].filter((b) => b.status === 'live');
    const sign = a.side === 'sell' ? -1 : 1; // sell auction: highest bid first; buy auction: lowest offer first
    const ranked = [...live].sort((p, q) => sign * (p.priceFen - q.priceFen) || p.seq - q.seq);
    const fills: { b: Bid; qtyT: number }[] = [];
    let left = a.qtyT;
    for (const b of ranked) {
      if (left === 0) break;
      const q = Math.min(left, b.qtyT);
      fills.push({ b, qtyT: q });
      left -= q;
    }
    const worst = fills.length === 0 ? null : fills[fills.length - 1]!.b.priceFen;
    const priceOf = (b: Bid): number => (a.allocation === 'uniform' && worst !== null ? worst : b.priceFen);

    const transfers: Transfer[] = fills.map(({ b, qtyT }) => this.transferFor(a, b, qtyT, priceOf(b), tsMs));
    for (const t of transfers) {
      const no = this.ledger.checkTransfer(t);
      if (no !== null) return no;
    }

    // Apply: nothing below may fail; a failure is a broken invariant (a reservation was taken from outside).
    let initiatorUsed = 0;
    const rows: AuctionAllocationRow[] = [];
    for (let i = 0; i < fills.length; i++) {
      const { b, qtyT } = fills[i]!;
      const t = transfers[i]!;
      const no = this.ledger.transfer(t);
      if (no !== null) throw new MarketError(no.code, `auction ${auctionId} settlement broke: ${no.message}`);
      if (a.side === 'sell') {
        initiatorUsed += qtyT;
        this.releaseBid(x, b, b.reserved - (t.valueFen + t.buyerFeeFen));
      } else {
        initiatorUsed += t.valueFen + t.buyerFeeFen;
        this.releaseBid(x, b, b.reserved - qtyT);
      }
      b.status = 'won';
      b.filledT = qtyT;
      b.fillPriceFen = priceOf(b);
      rows.push({
        bidId: b.bidId,
        accountId: b.accountId,
        qtyT,
        priceFen: priceOf(b),
        valueFen: t.valueFen,
        feeFen: t.buyerFeeFen,
      });
    }
    for (const b of live) {
      if (b.status !== 'live') continue;
      this.releaseBid(x, b, b.reserved);
      b.status = 'lost';
    }
    if (a.side === 'sell') this.ledger.releaseQty(a.initiatorId, a.instrumentId, x.reserved - initiatorUsed);
    else this.ledger.releaseCash(a.initiatorId, x.reserved - initiatorUsed);

    const soldT = a.qtyT - left;
    const turnoverFen = rows.reduce((s, r) => s + r.valueFen, 0);
    const prices = rows.map((r) => r.priceFen);
    const result: AuctionResult = {
      auctionId,
      side: a.side,
      instrumentId: a.instrumentId,
      allocation: a.allocation,
      qtyOfferedT: a.qtyT,
      qtySoldT: soldT,
      qtyUnsoldT: left,
      clearingPriceFen: a.allocation === 'uniform' ? worst : null,
      lowPriceFen: prices.length === 0 ? null : Math.min(...prices),
      highPriceFen: prices.length === 0 ? null : Math.max(...prices),
      vwapFen: soldT === 0 ? null : vwapFen(turnoverFen, soldT),
      turnoverFen,
      bidCount: live.length,
      closedTs: tsMs,
      allocations: rows,
    };
    x.closed = true;
    x.result = result;
    return ok(result);
  }

  /**
   * Calls off an open auction before its window ends (its classroom ended): nothing is allocated, every live bid
   * becomes 'cancelled' and every reservation (the initiator's and the bids') is released. Once, while open.
   */
  withdraw(auctionId: string, tsMs: number): Result<AuctionView> {
    const x = this.auctions.get(auctionId);
    if (x === undefined) return reject('UnknownAuction', `there is no auction ${auctionId}`);
    if (x.closed) return reject('AuctionClosed', `auction ${auctionId} is already closed`);
    if (!Number.isSafeInteger(tsMs)) return reject('BadInput', `time ${tsMs} is not a whole number of milliseconds`);
    for (const b of x.bids.values()) {
      if (b.status !== 'live') continue;
      this.releaseBid(x, b, b.reserved);
      b.status = 'cancelled';
    }
    if (x.a.side === 'sell') this.ledger.releaseQty(x.a.initiatorId, x.a.instrumentId, x.reserved);
    else this.ledger.releaseCash(x.a.initiatorId, x.reserved);
    x.closed = true;
    x.withdrawnTs = tsMs;
    return ok(this.auction(auctionId)!);
  }

  // ---- internals ------------------------------------------------------------------------------------------

  /** Cash that covers qty at price plus the fee of any fill at or below it. */
  private cashFor(priceFen: number, qtyT: number): number {
    return qtyT * (priceFen + feeCeilPerTonneFen(priceFen, this.spec.feeBps));
  }

  private checkWindow(x: Auction, tsMs: number): Rejection | null {
    if (!Number.isSafeInteger(tsMs)) return reject('BadInput', `time ${tsMs} is not a whole number of milliseconds`);
    if (x.withdrawnTs !== null) return reject('AuctionWithdrawn', `auction ${x.a.auctionId} was withdrawn`);
    if (x.closed || tsMs >= x.a.closesTs)
      return reject('AuctionClosed', `bidding on ${x.a.auctionId} ended at ${x.a.closesTs}`);
    if (tsMs < x.a.opensTs) return reject('AuctionNotOpen', `bidding on ${x.a.auctionId} opens at ${x.a.opensTs}`);
    return null;
  }

  private checkPriceQty(priceFen: number, qtyT: number, pLabel: string, qLabel: string): Rejection | null {
    if (!isPos(priceFen)) return reject('BadInput', `${pLabel} ${priceFen} fen is not a positive whole number`);
    if (priceFen % this.spec.tickFen !== 0)
      return reject(
        'PriceOffTick',
        `${pLabel} ${priceFen} fen is not a multiple of the tick, ${this.spec.tickFen} fen`,
      );
    if (!isPos(qtyT)) return reject('BadInput', `${qLabel} ${qtyT} t is not a positive whole number`);
    if (qtyT % this.spec.lotT !== 0)
      return reject('QtyOffLot', `${qLabel} ${qtyT} t is not a multiple of the lot, ${this.spec.lotT} t`);
    return null;
  }

  private releaseBid(x: Auction, b: Bid, amount: number): void {
    if (amount === 0) return;
    if (x.a.side === 'sell') this.ledger.releaseCash(b.accountId, amount);
    else this.ledger.releaseQty(b.accountId, x.a.instrumentId, amount);
  }

  private transferFor(a: AuctionView, b: Bid, qtyT: number, priceFen: number, tsMs: number): Transfer {
    const valueFen = priceFen * qtyT;
    const fee = feeFen(valueFen, this.spec.feeBps);
    const sell = a.side === 'sell';
    return {
      tsMs,
      buyerId: sell ? b.accountId : a.initiatorId,
      sellerId: sell ? a.initiatorId : b.accountId,
      instrumentId: a.instrumentId,
      qtyT,
      valueFen,
      buyerFeeFen: fee,
      sellerFeeFen: fee,
      buyerReservedUseFen: valueFen + fee,
      sellerReservedUseT: qtyT,
      lockDays: this.lockDays,
      countFlows: this.kindOf(a.instrumentId) === 'allowance',
      ref: `auction:${a.auctionId}:${b.bidId}`,
    };
  }

  private bidView(auctionId: string, b: Bid): BidView {
    return {
      auctionId,
      bidId: b.bidId,
      seq: b.seq,
      tsMs: b.tsMs,
      accountId: b.accountId,
      priceFen: b.priceFen,
      qtyT: b.qtyT,
      status: b.status,
      filledT: b.filledT,
      fillPriceFen: b.fillPriceFen,
    };
  }
}
