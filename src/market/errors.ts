// Market-layer rejections. Every rule violation is a returned Rejection with a stable MKT_ERR_* code and a
// sentence a person understands; the state it was checked against is unchanged. Codes are a public contract
// (stored, sent over the wire): never rename, only add. The core gives codes only: what a code means over HTTP is the
// server's business (src/server/errors.ts, the one table of codes).

export const MarketCode = {
  // input
  BadInput: 'MKT_ERR_BAD_INPUT',
  UnknownAccount: 'MKT_ERR_UNKNOWN_ACCOUNT',
  UnknownInstrument: 'MKT_ERR_UNKNOWN_INSTRUMENT',
  UnknownMarket: 'MKT_ERR_UNKNOWN_MARKET',
  UnknownOrder: 'MKT_ERR_UNKNOWN_ORDER',
  UnknownProposal: 'MKT_ERR_UNKNOWN_PROPOSAL',
  UnknownAuction: 'MKT_ERR_UNKNOWN_AUCTION',
  UnknownEntity: 'MKT_ERR_UNKNOWN_ENTITY',
  UnknownProject: 'MKT_ERR_UNKNOWN_PROJECT',
  UnknownRepo: 'MKT_ERR_UNKNOWN_REPO',
  DuplicateId: 'MKT_ERR_DUPLICATE_ID',
  // participation and session
  NotEligible: 'MKT_ERR_NOT_ELIGIBLE',
  NotOwner: 'MKT_ERR_NOT_OWNER',
  NotTradingDay: 'MKT_ERR_NOT_TRADING_DAY',
  SessionClosed: 'MKT_ERR_SESSION_CLOSED',
  ModeNotOffered: 'MKT_ERR_MODE_NOT_OFFERED',
  // funds and holdings
  InsufficientCash: 'MKT_ERR_INSUFFICIENT_CASH',
  InsufficientAllowances: 'MKT_ERR_INSUFFICIENT_ALLOWANCES',
  ResaleLocked: 'MKT_ERR_RESALE_LOCKED',
  Overflow: 'MKT_ERR_OVERFLOW',
  // order rules (listed; engine codes are mapped onto these)
  OrderRejected: 'MKT_ERR_ORDER_REJECTED',
  PriceOutsideBand: 'MKT_ERR_PRICE_OUTSIDE_BAND',
  NoReferencePrice: 'MKT_ERR_NO_REFERENCE_PRICE',
  BelowBlockMinimum: 'MKT_ERR_BELOW_BLOCK_MINIMUM',
  SelfDeal: 'MKT_ERR_SELF_DEAL',
  // state
  ProposalClosed: 'MKT_ERR_PROPOSAL_CLOSED',
  AuctionClosed: 'MKT_ERR_AUCTION_CLOSED',
  AuctionNotEnded: 'MKT_ERR_AUCTION_NOT_ENDED',
  AuctionWithdrawn: 'MKT_ERR_AUCTION_WITHDRAWN',
  RepoClosed: 'MKT_ERR_REPO_CLOSED',
  RepoNotDue: 'MKT_ERR_REPO_NOT_DUE',
  // compliance
  NotUsableForCompliance: 'MKT_ERR_NOT_USABLE_FOR_COMPLIANCE',
  OffsetCapExceeded: 'MKT_ERR_OFFSET_CAP_EXCEEDED',
  DeadlinePassed: 'MKT_ERR_DEADLINE_PASSED',
  AlreadySettled: 'MKT_ERR_ALREADY_SETTLED',
  // green certificates vs CCER
  DoubleClaim: 'MKT_ERR_DOUBLE_CLAIM',
  // one-way auction
  AuctionNotOpen: 'MKT_ERR_AUCTION_NOT_OPEN',
  ReserveNotMet: 'MKT_ERR_RESERVE_NOT_MET',
  BelowAuctionMinimum: 'MKT_ERR_BELOW_AUCTION_MINIMUM',
  PriceOffTick: 'MKT_ERR_PRICE_OFF_TICK',
  QtyOffLot: 'MKT_ERR_QTY_OFF_LOT',
  // compliance cycle (allocation, surrender, penalty, banking)
  UnknownCycle: 'MKT_ERR_UNKNOWN_CYCLE',
  NotVerified: 'MKT_ERR_NOT_VERIFIED',
  ExceedsObligation: 'MKT_ERR_EXCEEDS_OBLIGATION',
  DeadlineNotReached: 'MKT_ERR_DEADLINE_NOT_REACHED',
  NotSettled: 'MKT_ERR_NOT_SETTLED',
  MultipleOutOfRange: 'MKT_ERR_MULTIPLE_OUT_OF_RANGE',
} as const;
export type MarketCode = keyof typeof MarketCode;

/** "InsufficientCash" -> "MKT_ERR_INSUFFICIENT_CASH" */
export function marketCodeName(code: MarketCode): string {
  return MarketCode[code];
}

export interface Rejection {
  readonly ok: false;
  /** Stable name, e.g. MKT_ERR_INSUFFICIENT_CASH. */
  readonly code: string;
  readonly message: string;
}
export type Result<T> = { readonly ok: true; readonly value: T } | Rejection;

export function reject(code: MarketCode, message: string): Rejection {
  return { ok: false, code: MarketCode[code], message };
}
export function ok<T>(value: T): { readonly ok: true; readonly value: T } {
  return { ok: true, value };
}

/** Thrown only where returning is impossible (a bad data file at start-up, a broken invariant). */
export class MarketError extends Error {
  readonly code: string;
  constructor(code: string, message: string) {
    super(message);
    this.name = 'MarketError';
    this.code = code;
  }
}
