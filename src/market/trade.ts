// What every settled trade looks like, whatever the mode that produced it.

export type TradeMode = 'listed' | 'block' | 'auction';
export type SideName = 'buy' | 'sell';

export interface TradeRecord {
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
