// The one-way auction's commands, views and results (the desk is in auction.ts).
import type { AuctionModeSpec } from './catalogue/schema.ts';

export type AuctionSide = 'sell' | 'buy';
export type AuctionAllocation = AuctionModeSpec['allocation'];
export type InstrumentKind = 'allowance' | 'offset' | 'inclusive';

export interface AuctionDeskOptions {
  /** Trading days bought tonnes stay locked (the market's resaleLockDays). */
  readonly lockDays: number;
  /** Kind of an instrument id, null when unknown. Default: every id is an allowance. Allowances count in flows. */
  readonly instrumentKind?: (instrumentId: string) => InstrumentKind | null;
}

export interface AnnounceCmd {
  readonly auctionId: string;
  readonly tsMs: number;
  readonly initiatorId: number;
  readonly side: AuctionSide;
  readonly instrumentId: string;
  readonly qtyT: number;
  readonly reservePriceFen: number;
  readonly opensTs: number;
  readonly closesTs: number;
  /** Overrides spec.allocation for this auction. */
  readonly allocation?: AuctionAllocation;
}

export interface BidCmd {
  readonly auctionId: string;
  readonly bidId: string;
  readonly tsMs: number;
  readonly accountId: number;
  readonly priceFen: number;
  readonly qtyT: number;
}

export interface CancelBidCmd {
  readonly auctionId: string;
  readonly bidId: string;
  readonly tsMs: number;
  readonly accountId: number;
}

export type BidStatus = 'live' | 'cancelled' | 'won' | 'lost';

export interface BidView {
  readonly auctionId: string;
  readonly bidId: string;
  readonly seq: number;
  readonly tsMs: number;
  readonly accountId: number;
  readonly priceFen: number;
  readonly qtyT: number;
  readonly status: BidStatus;
  /** Tonnes allocated at close (0 before). */
  readonly filledT: number;
  /** Price paid or received per tonne at close; null when nothing was allocated. */
  readonly fillPriceFen: number | null;
}

export interface AuctionAllocationRow {
  readonly bidId: string;
  readonly accountId: number;
  readonly qtyT: number;
  readonly priceFen: number;
  readonly valueFen: number;
  /** Fee paid by each side of this allocation. */
  readonly feeFen: number;
}

export interface AuctionResult {
  readonly auctionId: string;
  readonly side: AuctionSide;
  readonly instrumentId: string;
  readonly allocation: AuctionAllocation;
  readonly qtyOfferedT: number;
  readonly qtySoldT: number;
  /** Returned to (sell) or not bought by (buy) the initiator. */
  readonly qtyUnsoldT: number;
  /** Uniform: the single price; pay-as-bid: null. Null too when nothing traded. */
  readonly clearingPriceFen: number | null;
  readonly lowPriceFen: number | null;
  readonly highPriceFen: number | null;
  /** Volume-weighted average, rounded half up. */
  readonly vwapFen: number | null;
  readonly turnoverFen: number;
  /** Bids live at close (cancelled bids excluded). */
  readonly bidCount: number;
  readonly closedTs: number;
  readonly allocations: readonly AuctionAllocationRow[];
}

export interface AuctionView {
  readonly auctionId: string;
  readonly initiatorId: number;
  readonly side: AuctionSide;
  readonly instrumentId: string;
  readonly qtyT: number;
  readonly reservePriceFen: number;
  readonly opensTs: number;
  readonly closesTs: number;
  readonly allocation: AuctionAllocation;
  readonly closed: boolean;
  /** When it was called off before its window ended (nothing allocated, every reservation released), else null. */
  readonly withdrawnTs: number | null;
}
