// Result codes of engine commands. 0 is success; every rejection has its own stable number, grouped by range:
// 1xx malformed input, 2xx order rules, 3xx session, 4xx order state, 5xx listed agreement.
// Codes are part of the public contract (stored, sent over the wire): never renumber, only add.

export const Code = {
  Ok: 0,

  BadTime: 101,
  TimeBackwards: 102,
  BadOrderId: 103,
  DuplicateOrderId: 104,
  BadAccount: 105,
  BadSide: 106,
  BadTif: 107,
  BadStp: 108,
  BadPrice: 109,
  BadQty: 110,
  BadSessionState: 111,

  PriceOffTick: 201,
  PriceAboveBand: 202,
  PriceBelowBand: 203,
  QtyOffLot: 204,
  QtyBelowMin: 205,
  QtyAboveMax: 206,
  NotionalOverflow: 207,
  MarketTifNotAllowed: 208,
  LevelTotalOverflow: 209,
  DayTurnoverOverflow: 210,

  SessionClosed: 301,
  SessionHalted: 302,
  SessionNotClosed: 303,

  UnknownOrder: 401,
  NotOwner: 402,
  AmendNoChange: 403,

  TakeNotListedMode: 501,
  TakeBeyondDepth: 502,
  TakeQtyExceedsListing: 503,
  TakeOwnListing: 504,
} as const;
export type Code = (typeof Code)[keyof typeof Code];

const names = new Map<number, string>();
for (const [k, v] of Object.entries(Code)) names.set(v, k);

/** Stable string name for logs and APIs, e.g. 202 -> "ENG_PRICE_ABOVE_BAND". */
export function codeName(code: number): string {
  const n = names.get(code);
  if (n === undefined) return `ENG_UNKNOWN_${code}`;
  return `ENG_${n.replace(/([a-z])([A-Z])/g, '$1_$2').toUpperCase()}`;
}

// Messages a person understands. {v} is the offending value, {l} the limit it broke (see Engine.lastReject*).
const messages: Record<number, string> = {
  [Code.Ok]: 'accepted',
  [Code.BadTime]: 'the command time {v} is not a non-negative whole number of milliseconds',
  [Code.TimeBackwards]: 'the command time {v} is earlier than the last command time {l}',
  [Code.BadOrderId]: 'the order id {v} is not a positive whole number',
  [Code.DuplicateOrderId]: 'an order with id {v} is already live',
  [Code.BadAccount]: 'the account id {v} is not a positive whole number',
  [Code.BadSide]: 'the side {v} is neither buy (0) nor sell (1)',
  [Code.BadTif]: 'the time in force {v} is not one of GFD (0), GTC (1), IOC (2), FOK (3)',
  [Code.BadStp]: 'the self-trade prevention mode {v} is not one of 0-4',
  [Code.BadPrice]: 'the price {v} fen is not a positive whole number of fen',
  [Code.BadQty]: 'the quantity {v} t is not a positive whole number of tonnes',
  [Code.BadSessionState]: 'the session state {v} is not closed (0), open (1) or halted (2)',
  [Code.PriceOffTick]: 'the price {v} fen is not a multiple of the tick, {l} fen',
  [Code.PriceAboveBand]: 'the price {v} fen is above the upper price limit of {l} fen',
  [Code.PriceBelowBand]: 'the price {v} fen is below the lower price limit of {l} fen',
  [Code.QtyOffLot]: 'the quantity {v} t is not a multiple of the lot, {l} t',
  [Code.QtyBelowMin]: 'the quantity {v} t is below the minimum order size of {l} t',
  [Code.QtyAboveMax]: 'the quantity {v} t is above the maximum order size of {l} t',
  [Code.NotionalOverflow]: 'price times quantity ({v} fen) is beyond the largest exact amount, {l} fen',
  [Code.MarketTifNotAllowed]: 'a market order must be IOC (2) or FOK (3); {v} was given',
  [Code.LevelTotalOverflow]:
    'the quantity {v} t would take the total resting at its price past the largest exact amount; {l} t more fit',
  [Code.DayTurnoverOverflow]: `the quantity {v} t, trading at up to {l} fen, could take the day's turnover past the largest exact amount, ${Number.MAX_SAFE_INTEGER} fen`,
  [Code.SessionClosed]: 'the market is closed',
  [Code.SessionHalted]: 'trading is halted',
  [Code.SessionNotClosed]: 'the end of day needs a closed session',
  [Code.UnknownOrder]: 'no live order has id {v}',
  [Code.NotOwner]: 'order {v} belongs to another account',
  [Code.AmendNoChange]: 'the amendment of order {v} changes neither price nor quantity',
  [Code.TakeNotListedMode]: 'taking a listing needs the listed-agreement mode',
  [Code.TakeBeyondDepth]: 'listing {v} is beyond the best {l} price levels that may be taken',
  [Code.TakeQtyExceedsListing]: 'the quantity {v} t is more than the listing has left, {l} t',
  [Code.TakeOwnListing]: 'listing {v} is your own account’s',
};

export function codeMessage(code: number, value?: number, limit?: number): string {
  const m = messages[code] ?? `unknown result code ${code}`;
  return m.replace('{v}', String(value ?? '?')).replace('{l}', String(limit ?? '?'));
}
