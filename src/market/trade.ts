// What every settled trade looks like, whatever the mode that produced it.

export type TradeMode = 'listed' | 'block' | 'auction';
export type SideName = 'buy' | 'sell';

/** What aggregates read of a trade (volumes, prices, who paid what): what a fill listener is given. */
export interface Fill {
  /** Market-wide trade number, 1, 2, 3 ... */
  readonly tradeId: number;
  readonly tsMs: number;
  readonly marketId: string;
  readonly instrumentId: string;
  readonly mode: TradeMode;
  readonly buyerId: number;
  readonly sellerId: number;
  readonly priceFen: number;
  readonly qtyT: number;
  readonly buyerFeeFen: number;
  readonly sellerFeeFen: number;
}

export interface TradeRecord extends Fill {
  /** Listed: the resting order's id; block: the proposal's id; auction: the auction's id. */
  readonly makerRef: number;
  /** Listed: the incoming order's id; block: the accepting side's proposal or 0; auction: the bid's id. */
  readonly takerRef: number;
  /** Side of the party who acted last (the taker, the acceptor, the auction's bidders). */
  readonly aggressor: SideName;
  /** Where it came from, for people: 'order 12 x 9', 'proposal 5', 'auction A1 bid B7'. */
  readonly ref: string;
}

export type TradeListener = (t: TradeRecord) => void;

/**
 * Called with every trade. The object may be reused once the call returns (copy what you keep): fill listeners are
 * for aggregates, and a market that keeps no tape and has no TradeListener builds no TradeRecord for a listed fill.
 */
export type FillListener = (f: Fill) => void;
