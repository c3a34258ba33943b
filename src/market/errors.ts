// Market-layer rejections. Every rule violation is a returned Rejection with a stable MKT_ERR_* code and a
// sentence a person understands; the state it was checked against is unchanged. Codes are a public contract
// (stored, sent over the wire): never rename, only add. `status` is the HTTP status the server will map to.

export const MarketCode = {
  // input
  BadInput: 400,
  UnknownAccount: 404,
  UnknownInstrument: 404,
  UnknownMarket: 404,
  UnknownOrder: 404,
  UnknownProposal: 404,
  UnknownAuction: 404,
  UnknownEntity: 404,
  UnknownProject: 404,
  UnknownRepo: 404,
  DuplicateId: 409,
  // participation and session
  NotEligible: 403,
  NotOwner: 403,
  NotTradingDay: 409,
  SessionClosed: 409,
  ModeNotOffered: 409,
  // funds and holdings
  InsufficientCash: 409,
  InsufficientAllowances: 409,
  ResaleLocked: 409,
  Overflow: 400,
  // order rules (listed; engine codes are mapped onto these)
  OrderRejected: 409,
  PriceOutsideBand: 409,
  NoReferencePrice: 409,
  BelowBlockMinimum: 409,
  SelfDeal: 409,
  // state
  ProposalClosed: 409,
  AuctionClosed: 409,
  AuctionNotEnded: 409,
  AuctionWithdrawn: 409,
  RepoClosed: 409,
  RepoNotDue: 409,
  // compliance
  NotUsableForCompliance: 409,
  OffsetCapExceeded: 409,
  DeadlinePassed: 409,
  AlreadySettled: 409,
  // green certificates vs CCER
  DoubleClaim: 409,
  // one-way auction
  AuctionNotOpen: 409,
  ReserveNotMet: 409,
  BelowAuctionMinimum: 409,
  PriceOffTick: 400,
  QtyOffLot: 400,
  // compliance cycle (allocation, surrender, penalty, banking)
  UnknownCycle: 404,
  NotVerified: 409,
  ExceedsObligation: 409,
  DeadlineNotReached: 409,
  NotSettled: 409,
  MultipleOutOfRange: 400,
} as const;
export type MarketCode = keyof typeof MarketCode;

/** "InsufficientCash" -> "MKT_ERR_INSUFFICIENT_CASH" */
export function marketCodeName(code: MarketCode): string {
  return `MKT_ERR_${code.replace(/([a-z])([A-Z])/g, '$1_$2').toUpperCase()}`;
}

export interface Rejection {
  readonly ok: false;
  /** Stable name, e.g. MKT_ERR_INSUFFICIENT_CASH. */
  readonly code: string;
  readonly message: string;
  readonly status: number;
}
export type Result<T> = { readonly ok: true; readonly value: T } | Rejection;

export function reject(code: MarketCode, message: string): Rejection {
  return { ok: false, code: marketCodeName(code), message, status: MarketCode[code] };
}
export function ok<T>(value: T): { readonly ok: true; readonly value: T } {
  return { ok: true, value };
}

/** Thrown only where returning is impossible (a bad data file at start-up, a broken invariant). */
export class MarketError extends Error {
  readonly code: string;
  readonly status: number;
  constructor(code: string, message: string, status = 500) {
    super(message);
    this.name = 'MarketError';
    this.code = code;
    this.status = status;
  }
}
