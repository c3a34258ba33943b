// Auctions of the government reserve in a classroom. The instructor announces one: a quantity of the home market's
// allowances, a reserve price and a number of trading minutes; students place sealed bids during that window; when
// the exchange clock reaches its end the exchange allocates (best price first, earlier bid first at one price; pay
// as bid or one clearing price) and settles through the ledger, as the market's one-way auction desk does
// (src/market/auction.ts). This is how the pilots' governments sell reserve allowances (Guangdong, Hubei): supply
// that arrives outside the book, at a price the bidders set.
//
// The reserve is a ledger account of the 'authority' kind, opened at the first notice; each notice mints what the
// reserve lacks for it, and only once every check has passed, so a refused notice changes nothing. Unsold tonnes
// stay in the reserve for the next notice. Pure state, no I/O: the classroom passes its world and its clock in.

import type { AuctionDesk } from '../market/auction.ts';
import type { AuctionAllocation, AuctionResult } from '../market/auction-types.ts';
import { fenToYuan } from '../market/money.ts';
import { cstClockText, tsOf } from '../market/time.ts';
import type { MarketWorld, World } from '../sim/world.ts';
import { stepClock, type Window } from './clock.ts';
import { LiveCode, type LiveResult, refuse } from './errors.ts';

/** What the instructor asks for. */
export interface AuctionInput {
  readonly qtyT: number;
  readonly reservePriceFen: number;
  /** Trading minutes the bidding stays open (the lunch break does not count); it must end today. */
  readonly minutes: number;
  /** Default: the market's rule (data/markets/<id>.json, modes.auction.allocation). */
  readonly allocation?: AuctionAllocation;
  /** Default: the classroom's home instrument. */
  readonly instrumentId?: string;
}

/** The public notice, and after the close the public outcome (never who won what: bids are sealed). */
export interface AuctionNotice {
  readonly auctionId: string;
  readonly marketId: string;
  readonly instrumentId: string;
  readonly qtyT: number;
  readonly reservePriceFen: number;
  readonly allocation: AuctionAllocation;
  readonly opensTs: number;
  readonly closesTs: number;
  readonly outcome: AuctionOutcome | null;
  /** When the instructor's end of the classroom called it off while bidding was open (no outcome), else null. */
  readonly withdrawnTs: number | null;
}

export interface AuctionOutcome {
  readonly soldT: number;
  readonly unsoldT: number;
  readonly bidCount: number;
  readonly winners: number;
  readonly clearingPriceFen: number | null;
  readonly vwapFen: number | null;
  readonly lowPriceFen: number | null;
  readonly highPriceFen: number | null;
  readonly closedTs: number;
}

/** A notice as its market's desk holds it, with the public outcome once the desk closed it. */
export function noticeOf(desk: AuctionDesk, marketId: string, auctionId: string, authorityId: number): AuctionNotice {
  const a = desk.auction(auctionId)!;
  const r = a.closed ? desk.results(auctionId, authorityId) : null;
  return {
    auctionId,
    marketId,
    instrumentId: a.instrumentId,
    qtyT: a.qtyT,
    reservePriceFen: a.reservePriceFen,
    allocation: a.allocation,
    opensTs: a.opensTs,
    closesTs: a.closesTs,
    outcome: r === null || !r.ok ? null : outcomeOf(r.value),
    withdrawnTs: a.withdrawnTs,
  };
}

function outcomeOf(r: AuctionResult): AuctionOutcome {
  return {
    soldT: r.qtySoldT,
    unsoldT: r.qtyUnsoldT,
    bidCount: r.bidCount,
    winners: new Set(r.allocations.map((a) => a.accountId)).size,
    clearingPriceFen: r.clearingPriceFen,
    vwapFen: r.vwapFen,
    lowPriceFen: r.lowPriceFen,
    highPriceFen: r.highPriceFen,
    closedTs: r.closedTs,
  };
}

/** Most notices a classroom takes: a lesson needs a handful, and each stays in the classroom's state. */
const MAX_AUCTIONS = 100;
/** Auctions too small to matter or too large to settle are refused before anything is minted. */
const MAX_AUCTION_T = 100_000_000;

export class AuctionHouse {
  /** The reserve's account, opened at the first notice. */
  authorityId: number | null = null;
  /** The auctions announced, in order, and their markets: notices and outcomes are read from the market's desk. */
  readonly announced: { readonly auctionId: string; readonly marketId: string }[] = [];
  /** Bid ids run across the classroom ("B1", "B2" ...): a student's cancel names one without its auction. */
  bidSeq = 0;

  /** The market holding an auction, or null when there is no such auction. */
  marketOf(auctionId: string): string | null {
    return this.announced.find((x) => x.auctionId === auctionId)?.marketId ?? null;
  }

  /**
   * Checks the notice whole (classroom rules, then the market's own check), then opens the reserve and mints what
   * it lacks, then announces. Nothing changes on a refusal.
   */
  announce(
    world: World,
    mw: MarketWorld,
    date: string,
    windows: readonly Window[],
    tsMs: number,
    input: AuctionInput,
  ): LiveResult<AuctionNotice> {
    const market = mw.market;
    if (market.auction === null)
      return refuse('MKT_ERR_MODE_NOT_OFFERED', `${market.spec.name} holds no one-way auctions`);
    if (this.announced.length >= MAX_AUCTIONS)
      return refuse(LiveCode.Full, `a classroom holds at most ${MAX_AUCTIONS} auctions`);
    const { qtyT, reservePriceFen, minutes } = input;
    if (!Number.isSafeInteger(qtyT) || qtyT <= 0 || qtyT > MAX_AUCTION_T)
      return refuse(LiveCode.BadInput, `an auction of ${qtyT} t is not a whole number from 1 to ${MAX_AUCTION_T} t`);
    if (!Number.isSafeInteger(minutes) || minutes < 1 || minutes > 240)
      return refuse(LiveCode.BadInput, `${minutes} minutes of bidding is not a whole number from 1 to 240`);
    const left = minutesLeft(date, windows, tsMs);
    if (minutes > left)
      return refuse(
        LiveCode.BadInput,
        `the bidding must end today: ${left} trading minute(s) are left, not ${minutes}`,
      );
    const step = stepClock(date, windows, tsMs, minutes * 60_000);
    const instrumentId = input.instrumentId ?? mw.setup.instrument;
    const auctionId = `A${this.announced.length + 1}`;
    // The reserve's account is opened with the first notice that passes every check.
    const opening = this.authorityId === null;
    const initiatorId = this.authorityId ?? world.nextAccountId;
    const cmd = {
      auctionId,
      tsMs,
      initiatorId,
      side: 'sell' as const,
      instrumentId,
      qtyT,
      reservePriceFen,
      opensTs: tsMs,
      closesTs: step.toTsMs,
      ...(input.allocation === undefined ? {} : { allocation: input.allocation }),
    };
    const bad = market.auctionNoticeProblem(cmd, opening ? 'authority' : null);
    if (bad !== null) return bad;
    if (opening) {
      const opened = world.ledger.open(initiatorId, 'authority');
      if (!opened.ok) throw new Error(`opening the reserve's account failed: ${opened.message}`);
      world.nextAccountId++;
      this.authorityId = initiatorId;
    }
    const lackT = qtyT - world.ledger.holding(initiatorId, instrumentId).availableT;
    if (lackT > 0) {
      const no = world.ledger.allocate(tsMs, initiatorId, instrumentId, lackT, `reserve for auction ${auctionId}`);
      if (no !== null) throw new Error(`minting the reserve for ${auctionId} failed: ${no.message}`);
    }
    const r = market.announceAuction(cmd);
    // The notice was checked and the reserve holds it: a refusal here is a broken invariant, not bad input.
    if (!r.ok) throw new Error(`auction ${auctionId} refused after its checks: ${r.message}`);
    this.announced.push({ auctionId, marketId: mw.setup.id });
    return { ok: true, value: noticeOf(market.auction, mw.setup.id, auctionId, initiatorId) };
  }

  nextBidId(): string {
    return `B${this.bidSeq + 1}`;
  }
}

/** The news line of a notice. */
export function noticeText(n: AuctionNotice): { title: string; text: string } {
  const how = n.allocation === 'uniform' ? 'all winners pay one clearing price' : 'each winner pays its own bid';
  return {
    title: `Auction ${n.auctionId}: ${n.qtyT.toLocaleString('en-US')} t of ${n.instrumentId} from the government reserve`,
    text:
      `Sealed bids at or above ${fenToYuan(n.reservePriceFen)} CNY a tonne, from ${cstClockText(n.opensTs)} to ` +
      `${cstClockText(n.closesTs)} China time; best price first, ${how}.`,
  };
}

/** The news line of a closed auction's outcome. */
export function outcomeText(n: AuctionNotice): { title: string; text: string } {
  const o = n.outcome!;
  if (o.soldT === 0)
    return {
      title: `Auction ${n.auctionId} closed: nothing sold`,
      text: `${o.bidCount} bid(s) at or above the reserve of ${fenToYuan(n.reservePriceFen)} CNY; the ${n.qtyT} t stay in the reserve.`,
    };
  const price =
    o.clearingPriceFen !== null
      ? `at a clearing price of ${fenToYuan(o.clearingPriceFen)} CNY`
      : `at ${fenToYuan(o.lowPriceFen!)}-${fenToYuan(o.highPriceFen!)} CNY, average ${fenToYuan(o.vwapFen!)} CNY`;
  return {
    title: `Auction ${n.auctionId} closed: ${o.soldT.toLocaleString('en-US')} of ${n.qtyT.toLocaleString('en-US')} t sold`,
    text: `${o.winners} winner(s) among ${o.bidCount} bid(s), ${price}.`,
  };
}

/** The news line of an auction called off because the classroom ended while it was open. */
export function withdrawnText(n: AuctionNotice): { title: string; text: string } {
  return {
    title: `Auction ${n.auctionId} withdrawn`,
    text: `The class ended before bidding closed at ${cstClockText(n.closesTs)}: nothing was sold, every bid was cancelled and its cash released.`,
  };
}

/** Whole trading minutes left today from tsMs. */
function minutesLeft(date: string, windows: readonly Window[], tsMs: number): number {
  const day0 = tsOf(date, '00:00');
  let ms = 0;
  for (const [a, b] of windows) ms += Math.max(0, day0 + b * 60_000 - Math.max(tsMs, day0 + a * 60_000));
  return Math.floor(ms / 60_000);
}
