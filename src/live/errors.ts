// Errors of the live classroom with stable codes. Market rejections keep the market's own codes (PriceOutsideBand,
// InsufficientCash ...); these are the classroom's: state, roles and lookups.

export const LiveCode = {
  NotRunning: 'LIVE_ERR_NOT_RUNNING',
  Ended: 'LIVE_ERR_ENDED',
  BadState: 'LIVE_ERR_BAD_STATE',
  UnknownMarket: 'LIVE_ERR_UNKNOWN_MARKET',
  UnknownOrder: 'LIVE_ERR_UNKNOWN_ORDER',
  UnknownProposal: 'LIVE_ERR_UNKNOWN_PROPOSAL',
  UnknownStudent: 'LIVE_ERR_UNKNOWN_STUDENT',
  UnknownEvent: 'LIVE_ERR_UNKNOWN_EVENT',
  EventDone: 'LIVE_ERR_EVENT_DONE',
  UnknownAuction: 'LIVE_ERR_UNKNOWN_AUCTION',
  UnknownBid: 'LIVE_ERR_UNKNOWN_BID',
  Full: 'LIVE_ERR_FULL',
  DuplicateClientOrderId: 'LIVE_ERR_DUPLICATE_CLIENT_ORDER_ID',
  DuplicateName: 'LIVE_ERR_DUPLICATE_NAME',
  BadInput: 'LIVE_ERR_BAD_INPUT',
} as const;
export type LiveCode = (typeof LiveCode)[keyof typeof LiveCode];

/** A refusal as the classroom returns it: a code (the classroom's or the market's) and a sentence for a person. */
export interface LiveRejection {
  readonly ok: false;
  readonly code: string;
  readonly message: string;
}
export type LiveResult<T> = { readonly ok: true; readonly value: T } | LiveRejection;

export function refuse(code: string, message: string): LiveRejection {
  return { ok: false, code, message };
}
