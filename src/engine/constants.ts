// Small integer enumerations of the engine. `as const` objects plus a union type, no `enum`
// (erasableSyntaxOnly): they cost nothing at run time and pass through the sink as plain numbers.

export const Side = { Buy: 0, Sell: 1 } as const;
export type Side = (typeof Side)[keyof typeof Side];

/** Time in force. GFD expires at end of day, GTC survives it; IOC and FOK never rest. */
export const Tif = { GFD: 0, GTC: 1, IOC: 2, FOK: 3 } as const;
export type Tif = (typeof Tif)[keyof typeof Tif];

/** What the order was entered as; reported in the `accepted` event. */
export const OrderType = { Limit: 0, Market: 1, Take: 2 } as const;
export type OrderType = (typeof OrderType)[keyof typeof OrderType];

/**
 * Self-trade prevention, applied when an incoming order meets a resting order of the same account.
 * None lets the trade happen (only for benchmarks and markets that allow it).
 */
export const Stp = { None: 0, CancelNewest: 1, CancelOldest: 2, CancelBoth: 3, Decrement: 4 } as const;
export type Stp = (typeof Stp)[keyof typeof Stp];

export const SessionState = { Closed: 0, Open: 1, Halted: 2 } as const;
export type SessionState = (typeof SessionState)[keyof typeof SessionState];

/** PriceTime: continuous price-time priority. Listed: listed agreement (best N levels, no time priority for a take). */
export const MatchMode = { PriceTime: 0, Listed: 1 } as const;
export type MatchMode = (typeof MatchMode)[keyof typeof MatchMode];

/** Why an order (or part of it) left the book without trading. */
export const CancelReason = {
  /** The owner cancelled it. */
  User: 1,
  /** IOC or market order: what did not fill at once. */
  IocRemainder: 2,
  /** FOK order that could not fill in full: nothing traded. */
  FokKilled: 3,
  /** Self-trade prevention. */
  SelfTrade: 4,
  /** Listed mode: the remainder would still cross beyond the best N levels, so it cannot rest. */
  DepthLimit: 5,
  /** End of day: a GTC order lies outside the next day's price band. */
  OutOfBand: 6,
  /** Cancel-all for the account. */
  CancelAll: 7,
} as const;
export type CancelReason = (typeof CancelReason)[keyof typeof CancelReason];

export const MAX_SAFE = Number.MAX_SAFE_INTEGER;
