// The public face of the classroom's auctions of the reserve (auctions.ts): the notice and its outcome as every
// student may see them (never who won what: bids are sealed), and the news lines that announce them.

import type { AuctionDesk } from '../market/auction.ts';
import type { AuctionAllocation, AuctionResult } from '../market/auction-types.ts';
import { fenToCny } from '../market/money.ts';
import { cstClockText } from '../market/time.ts';
import type { NewsDetail } from './types.ts';

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

/** A news line: the English title and text, and what a page needs to word it in its own language. */
export interface NewsLine extends NewsDetail {
  readonly title: string;
  readonly text: string;
}

/** The news line of a notice. */
export function noticeText(n: AuctionNotice): NewsLine {
  const how = n.allocation === 'uniform' ? 'all winners pay one clearing price' : 'each winner pays its own bid';
  const opens = cstClockText(n.opensTs);
  const closes = cstClockText(n.closesTs);
  return {
    title: `Auction ${n.auctionId}: ${n.qtyT.toLocaleString('en-US')} t of ${n.instrumentId} from the government reserve`,
    text:
      `Sealed bids at or above ${fenToCny(n.reservePriceFen)} CNY a tonne, from ${opens} to ` +
      `${closes} China time; best price first, ${how}.`,
    kind: 'auction-open',
    params: {
      auctionId: n.auctionId,
      qtyT: n.qtyT,
      instrumentId: n.instrumentId,
      reservePriceFen: n.reservePriceFen,
      opens,
      closes,
      allocation: n.allocation,
    },
  };
}

/** The news line of a closed auction's outcome. */
export function outcomeText(n: AuctionNotice): NewsLine {
  const o = n.outcome!;
  const base = { auctionId: n.auctionId, qtyT: n.qtyT, instrumentId: n.instrumentId, bidCount: o.bidCount };
  if (o.soldT === 0)
    return {
      title: `Auction ${n.auctionId} closed: nothing sold`,
      text: `${o.bidCount} bid(s) at or above the reserve of ${fenToCny(n.reservePriceFen)} CNY; the ${n.qtyT} t stay in the reserve.`,
      kind: 'auction-unsold',
      params: { ...base, reservePriceFen: n.reservePriceFen },
    };
  const price =
    o.clearingPriceFen !== null
      ? `at a clearing price of ${fenToCny(o.clearingPriceFen)} CNY`
      : `at ${fenToCny(o.lowPriceFen!)}-${fenToCny(o.highPriceFen!)} CNY, average ${fenToCny(o.vwapFen!)} CNY`;
  const prices: Record<string, number> =
    o.clearingPriceFen !== null
      ? { clearingPriceFen: o.clearingPriceFen }
      : { lowPriceFen: o.lowPriceFen!, highPriceFen: o.highPriceFen!, vwapFen: o.vwapFen! };
  return {
    title: `Auction ${n.auctionId} closed: ${o.soldT.toLocaleString('en-US')} of ${n.qtyT.toLocaleString('en-US')} t sold`,
    text: `${o.winners} winner(s) among ${o.bidCount} bid(s), ${price}.`,
    kind: 'auction-closed',
    params: { ...base, soldT: o.soldT, winners: o.winners, ...prices },
  };
}

/** The news line of an auction called off because the classroom ended while it was open. */
export function withdrawnText(n: AuctionNotice): NewsLine {
  const closes = cstClockText(n.closesTs);
  return {
    title: `Auction ${n.auctionId} withdrawn`,
    text: `The class ended before bidding closed at ${closes}: nothing was sold, every bid was cancelled and its cash released.`,
    kind: 'auction-withdrawn',
    params: { auctionId: n.auctionId, closes },
  };
}
