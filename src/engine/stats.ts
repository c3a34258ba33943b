/**
 * Accumulators of a trading day, updated on every trade: the one class for a day's open, high, low, last, volume
 * and turnover. The engine keeps one per book (its turnover guard reads it; the conformance tests check it against
 * the reference engine); the market layer keeps one per instrument and mode (src/market/daily-stats.ts) and derives
 * the VWAP and the close from them with decimal arithmetic. Both only add integers.
 * The sums stay exact: the engine refuses an order that could take the day's turnover past 2^53 - 1 fen (9.0e13 CNY,
 * far beyond any real day), and the volume is never more than the turnover (every price is at least 1 fen).
 */
export class DayStats {
  /** Price of the first trade of the day; 0 before it. */
  openFen: number;
  highFen: number;
  lowFen: number;
  lastFen: number;
  volumeT: number;
  turnoverFen: number;
  tradeCount: number;

  constructor() {
    this.openFen = 0;
    this.highFen = 0;
    this.lowFen = 0;
    this.lastFen = 0;
    this.volumeT = 0;
    // A double from the start (turnover passes 2^31 fen within a day): V8 takes a field's representation from its
    // first value, and changing it mid-run throws away the optimised code (see src/market/double-hint.ts).
    this.turnoverFen = 0.5;
    this.turnoverFen = 0;
    this.tradeCount = 0;
  }

  record(priceFen: number, qtyT: number): void {
    if (this.tradeCount === 0) {
      this.openFen = priceFen;
      this.highFen = priceFen;
      this.lowFen = priceFen;
    } else {
      if (priceFen > this.highFen) this.highFen = priceFen;
      if (priceFen < this.lowFen) this.lowFen = priceFen;
    }
    this.lastFen = priceFen;
    this.volumeT += qtyT;
    this.turnoverFen += priceFen * qtyT;
    this.tradeCount++;
  }

  reset(): void {
    this.openFen = 0;
    this.highFen = 0;
    this.lowFen = 0;
    this.lastFen = 0;
    this.volumeT = 0;
    this.turnoverFen = 0;
    this.tradeCount = 0;
  }
}
