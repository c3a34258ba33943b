// The classroom's market data, and the read models of its markets that the server shows: the tape (the world's
// markets keep none of their own, so this is its one copy), the daily bars (the session's), the books' depth and
// listings, tickers, rules, accounts, and the books' integrity. Money in fen and quantities in tonnes: the server
// formats them. The server sees the markets only through here (a test forbids it the engine and the world).
import { Side } from '../engine/index.ts';
import type { DailyBar } from '../market/daily-stats.ts';
import type { TradeRecord } from '../market/trade.ts';
import type { RoomContext } from './context.ts';

export interface DepthLevelFen {
  readonly priceFen: number;
  readonly qtyT: number;
  readonly orders: number;
}

export interface ListingFen {
  readonly listingId: number;
  readonly priceFen: number;
  readonly qtyT: number;
}

export class MarketData {
  private readonly ctx: RoomContext;
  private readonly tape = new Map<string, TradeRecord[]>();

  constructor(ctx: RoomContext) {
    this.ctx = ctx;
    for (const mw of ctx.session.world.markets) this.tape.set(mw.setup.id, []);
    ctx.onTrade((t) => this.tape.get(t.marketId)!.push(t));
  }

  trades(marketId: string): readonly TradeRecord[] {
    return this.tape.get(marketId) ?? [];
  }

  /** The last `limit` trades of one instrument, newest first. */
  recentTrades(marketId: string, instrumentId: string, limit: number): TradeRecord[] {
    const tape = this.trades(marketId);
    const out: TradeRecord[] = [];
    for (let i = tape.length - 1; i >= 0 && out.length < limit; i--)
      if (tape[i]!.instrumentId === instrumentId) out.push(tape[i]!);
    return out;
  }

  /** The market's daily bars so far, oldest first (kept by the session). */
  bars(marketId: string): readonly DailyBar[] {
    return this.ctx.session.result().bars.filter((b) => b.marketId === marketId);
  }

  /** The last listed trade's price, else the last close. Block and auction trades are negotiated or sealed prices
   * outside the book: like the close, the last price ignores them. */
  lastPriceFen(marketId: string, instrumentId: string): number {
    const t = this.tape.get(marketId) ?? [];
    for (let i = t.length - 1; i >= 0; i--) {
      const x = t[i]!;
      if (x.instrumentId === instrumentId && x.mode === 'listed') return x.priceFen;
    }
    return this.ctx.marketOf(marketId)?.market.stats.closeFen(instrumentId) ?? 0;
  }

  // ---- read models ----------------------------------------------------------------------------------------------

  /** The markets, with the instruments listed by today, and each one's primary instrument. */
  markets(): { id: string; name: string; instruments: string[]; primary: string }[] {
    const date = this.ctx.date;
    return this.ctx.session.world.markets.map((mw) => ({
      id: mw.setup.id,
      name: mw.market.spec.name,
      instruments: mw.market.spec.instruments.filter((i) => i.listedFrom <= date).map((i) => i.id),
      primary: mw.setup.instrument,
    }));
  }

  /** The home market's id and the instrument students comply with. */
  home(): { marketId: string; instrumentId: string } {
    const home = this.ctx.home();
    return { marketId: home.setup.id, instrumentId: home.setup.instrument };
  }

  hasMarket(marketId: string): boolean {
    return this.ctx.marketOf(marketId) !== null;
  }

  /** Whether the market has a listed book for the instrument now. */
  hasBook(marketId: string, instrumentId: string): boolean {
    return this.ctx.marketOf(marketId)?.market.listed.engine(instrumentId) != null;
  }

  /** A market's trading rules and today's price bands, or null for no such market. */
  rules(marketId: string) {
    const mw = this.ctx.marketOf(marketId);
    if (mw === null) return null;
    const spec = mw.market.spec;
    const bands: Record<string, { lowFen: number; highFen: number; refFen: number }> = {};
    for (const ins of spec.instruments) {
      const e = mw.market.listed.engine(ins.id);
      if (e !== null) bands[ins.id] = { lowFen: e.bandLowFen, highFen: e.bandHighFen, refFen: e.refPriceFen };
    }
    return { spec, bands };
  }

  /** Depth by price level, and the listings of the best levels (what a taker picks from), or null for no book. */
  depth(marketId: string, instrumentId: string, levels: number) {
    const mw = this.ctx.marketOf(marketId);
    const e = mw?.market.listed.engine(instrumentId) ?? null;
    if (mw === null || e === null) return null;
    const side = (s: Side): DepthLevelFen[] =>
      e.depth(s, levels).map((l) => ({ priceFen: l.priceFen, qtyT: l.qtyT, orders: l.count }));
    const n = mw.market.spec.modes.listed.listedDepth;
    const best = (s: Side) => new Set(e.depth(s, n).map((l) => l.priceFen));
    const bidSet = best(Side.Buy);
    const askSet = best(Side.Sell);
    const listings = { bids: [] as ListingFen[], asks: [] as ListingFen[] };
    for (const o of e.liveOrders()) {
      if (!(o.side === Side.Buy ? bidSet : askSet).has(o.priceFen)) continue;
      (o.side === Side.Buy ? listings.bids : listings.asks).push({
        listingId: o.orderId,
        priceFen: o.priceFen,
        qtyT: o.qtyT,
      });
    }
    listings.bids.sort((a, b) => b.priceFen - a.priceFen);
    listings.asks.sort((a, b) => a.priceFen - b.priceFen);
    return { bids: side(Side.Buy), asks: side(Side.Sell), listings };
  }

  /** The figures of a ticker: last price, previous close, today's listed range and volume, best bid and ask. */
  ticker(marketId: string, instrumentId: string) {
    const mw = this.ctx.marketOf(marketId)!;
    const e = mw.market.listed.engine(instrumentId);
    // The day's listed figures so far come from the market's own accumulators: no scan of the tape per trade.
    const today = mw.market.stats.todaySoFar(instrumentId, 'listed');
    return {
      lastFen: this.lastPriceFen(marketId, instrumentId),
      prevCloseFen: mw.market.stats.closeFen(instrumentId),
      today,
      bidFen: e === null ? null : e.bestBidFen(),
      askFen: e === null ? null : e.bestAskFen(),
    };
  }

  /** A ledger account's cash and holdings. */
  account(accountId: number) {
    const ledger = this.ctx.session.world.ledger;
    const a = ledger.account(accountId)!;
    return {
      cashFen: a.cashFen,
      reservedFen: a.reservedFen,
      availableFen: a.availableFen,
      holdings: ledger.holdings(accountId),
    };
  }

  /**
   * Why the books do not add up, or null: the ledger's cash and allowances equal the running sums of what was
   * minted, moved and burned, and every reservation is backed by a live order, proposal or bid.
   */
  integrity(): string | null {
    const w = this.ctx.session.world;
    const c = w.ledger.checkConservation();
    if (c !== null) return `ledger: ${c}`;
    // The markets share one ledger: each checks its own books, and the first checks the ledger's reservations
    // against every market's desks together.
    const [first, ...rest] = w.markets;
    for (const mw of rest) {
      const r = mw.market.listed.checkReservations();
      if (r !== null) return `${mw.setup.id}: ${r}`;
    }
    const r = first?.market.checkReservations(rest.flatMap((mw) => mw.market.desks())) ?? null;
    return r === null ? null : `${first!.setup.id}: ${r}`;
  }
}
