// The block proposals open today in one venue, as agents look for a counterparty: proposals are open to all, the
// proposer's side, price and size are public. The desk is the truth; the board is only an index of what to look at,
// pruned of proposals the desk has closed.

import type { Market } from '../../market/market.ts';
import type { SideName } from '../../market/trade.ts';
import type { Venue } from './venue.ts';

export interface BoardEntry {
  readonly proposalId: number;
  readonly proposerId: number;
  readonly side: SideName;
  readonly priceFen: number;
  readonly qtyT: number;
}

export class BlockBoard {
  private entries: BoardEntry[] = [];
  private readonly market: Market;

  constructor(market: Market) {
    this.market = market;
  }

  add(e: BoardEntry): void {
    this.entries.push(e);
  }

  /** Open proposals on the given side, oldest first. */
  open(side: SideName): BoardEntry[] {
    this.entries = this.entries.filter((e) => this.market.block?.get(e.proposalId)?.status === 'open');
    return this.entries.filter((e) => e.side === side);
  }

  /** A new day: yesterday's proposals expired at the close. */
  clear(): void {
    this.entries = [];
  }
}

/** Proposes a block to all (counted; a refusal counted as a rejection) and lists it on the board. */
export function proposeBlock(
  v: Venue,
  board: BlockBoard,
  accountId: number,
  tsMs: number,
  side: SideName,
  priceFen: number,
  qtyT: number,
): void {
  v.count();
  const r = v.market.proposeBlock({
    tsMs,
    proposerId: accountId,
    counterpartyId: null,
    side,
    instrumentId: v.instrumentId,
    priceFen,
    qtyT,
  });
  if (!r.ok) {
    v.reject(r.code);
    return;
  }
  board.add({ proposalId: r.value.proposalId, proposerId: accountId, side, priceFen, qtyT });
}
