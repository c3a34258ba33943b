// Daily statistics per instrument and mode, with the fields of the exchange's daily report: open, high, low,
// close, VWAP, volume, turnover, trade count, and year-to-date and cumulative totals. The close follows the
// market's rule: the VWAP of the day's listed trades, or the previous close when listed volume is at most the
// entry's threshold (0 for the national market: no trade; 100 t for Guangdong). Block and auction trades never
// set the close; their bars are reported apart.

import { DayStats } from '../engine/stats.ts';
import { mulDivRound } from './money.ts';
import type { Fill, TradeMode } from './trade.ts';

export interface DailyBar {
  readonly date: string;
  readonly instrumentId: string;
  readonly mode: TradeMode;
  /** Listed: first trade, or the previous close when none. Block/auction: first trade, or null when none. */
  readonly openFen: number | null;
  readonly highFen: number | null;
  readonly lowFen: number | null;
  /** Listed: the market's closing price. Block/auction: null (they have no close). */
  readonly closeFen: number | null;
  /** Turnover / volume, rounded half up to the fen; null when nothing traded. */
  readonly vwapFen: number | null;
  readonly volumeT: number;
  readonly turnoverFen: number;
  readonly trades: number;
  readonly ytdVolumeT: number;
  readonly ytdTurnoverFen: number;
  readonly cumVolumeT: number;
  readonly cumTurnoverFen: number;
}

interface Totals {
  year: string;
  ytdVolumeT: number;
  ytdTurnoverFen: number;
  cumVolumeT: number;
  cumTurnoverFen: number;
}

const MODES: readonly TradeMode[] = ['listed', 'block', 'auction'];

/** A mode that did not trade today (read only). */
const EMPTY_DAY = new DayStats();

// The 'instrument|mode' keys of the accumulator maps, built once per instrument rather than on every trade.
const keyCache = new Map<string, Readonly<Record<TradeMode, string>>>();
function keyOf(instrumentId: string, mode: TradeMode): string {
  let k = keyCache.get(instrumentId);
  if (k === undefined) {
    k = {
      listed: `${instrumentId}|listed`,
      block: `${instrumentId}|block`,
      auction: `${instrumentId}|auction`,
    };
    if (keyCache.size < 4096) keyCache.set(instrumentId, k);
  }
  return k[mode];
}

export class DailyStats {
  private readonly today = new Map<string, DayStats>();
  private readonly totals = new Map<string, Totals>();
  private readonly closes = new Map<string, number>();
  private readonly bars: DailyBar[] = [];
  private readonly instrumentIds: readonly string[];
  private readonly closeThresholdT: number;

  constructor(
    instrumentIds: readonly string[],
    closeThresholdT: number,
    initialCloseFen: Readonly<Record<string, number>>,
  ) {
    this.instrumentIds = instrumentIds;
    this.closeThresholdT = closeThresholdT;
    for (const [id, fen] of Object.entries(initialCloseFen)) this.closes.set(id, fen);
  }

  add(t: Fill): void {
    const key = keyOf(t.instrumentId, t.mode);
    let a = this.today.get(key);
    if (a === undefined) {
      a = new DayStats();
      this.today.set(key, a);
    }
    a.record(t.priceFen, t.qtyT);
  }

  /** Today's running figures of one instrument and mode so far (null before its first trade today). */
  todaySoFar(instrumentId: string, mode: TradeMode): { highFen: number; lowFen: number; volumeT: number } | null {
    const a = this.today.get(keyOf(instrumentId, mode));
    return a === undefined || a.tradeCount === 0 ? null : { highFen: a.highFen, lowFen: a.lowFen, volumeT: a.volumeT };
  }

  /** The last close of an instrument (0 when it never had one). */
  closeFen(instrumentId: string): number {
    return this.closes.get(instrumentId) ?? 0;
  }

  /** Ends the day: computes every bar, sets the closes, resets the accumulators. Returns the day's bars. */
  endDay(date: string): DailyBar[] {
    const out: DailyBar[] = [];
    for (const id of this.instrumentIds) {
      for (const mode of MODES) {
        const a = this.today.get(keyOf(id, mode)) ?? EMPTY_DAY;
        if (mode !== 'listed' && a.tradeCount === 0) continue;
        const t = this.bump(id, mode, date, a);
        const vwap = a.volumeT > 0 ? mulDivRound(a.turnoverFen, 1, a.volumeT) : null;
        if (mode === 'listed') {
          const prev = this.closes.get(id) ?? 0;
          const closeFen = a.volumeT > this.closeThresholdT && vwap !== null ? vwap : prev;
          if (closeFen > 0) this.closes.set(id, closeFen);
          const flat = closeFen > 0 ? closeFen : null;
          out.push({
            date,
            instrumentId: id,
            mode,
            openFen: a.tradeCount > 0 ? a.openFen : flat,
            highFen: a.tradeCount > 0 ? a.highFen : flat,
            lowFen: a.tradeCount > 0 ? a.lowFen : flat,
            closeFen: flat,
            vwapFen: vwap,
            volumeT: a.volumeT,
            turnoverFen: a.turnoverFen,
            trades: a.tradeCount,
            ...t,
          });
        } else {
          out.push({
            date,
            instrumentId: id,
            mode,
            openFen: a.openFen,
            highFen: a.highFen,
            lowFen: a.lowFen,
            closeFen: null,
            vwapFen: vwap,
            volumeT: a.volumeT,
            turnoverFen: a.turnoverFen,
            trades: a.tradeCount,
            ...t,
          });
        }
      }
    }
    this.today.clear();
    this.bars.push(...out);
    return out;
  }

  history(): readonly DailyBar[] {
    return this.bars;
  }

  private bump(id: string, mode: TradeMode, date: string, a: DayStats): Omit<Totals, 'year'> {
    const key = keyOf(id, mode);
    const year = date.slice(0, 4);
    let t = this.totals.get(key);
    if (t === undefined) {
      t = { year, ytdVolumeT: 0, ytdTurnoverFen: 0, cumVolumeT: 0, cumTurnoverFen: 0 };
      this.totals.set(key, t);
    }
    if (t.year !== year) {
      t.year = year;
      t.ytdVolumeT = 0;
      t.ytdTurnoverFen = 0;
    }
    t.ytdVolumeT += a.volumeT;
    t.ytdTurnoverFen += a.turnoverFen;
    t.cumVolumeT += a.volumeT;
    t.cumTurnoverFen += a.turnoverFen;
    return {
      ytdVolumeT: t.ytdVolumeT,
      ytdTurnoverFen: t.ytdTurnoverFen,
      cumVolumeT: t.cumVolumeT,
      cumTurnoverFen: t.cumTurnoverFen,
    };
  }
}

/**
 * SEEE's comprehensive price P = Σ P_y · W_y over vintages. The exchange does not publish its weights; the default
 * weights each vintage's close by its listed volume that day. With explicit weights (any non-negative integers),
 * those are used instead. When the weights sum to zero (no listed volume anywhere), the closes are weighted equally.
 * Returns fen rounded half up, or null when no vintage has a close.
 */
export function comprehensivePriceFen(
  bars: readonly DailyBar[],
  weights: Readonly<Record<string, number>> | null = null,
): number | null {
  const listed = bars.filter((b) => b.mode === 'listed' && b.closeFen !== null);
  if (listed.length === 0) return null;
  let num = 0;
  let den = 0;
  for (const b of listed) {
    const w = weights === null ? b.volumeT : (weights[b.instrumentId] ?? 0);
    num += b.closeFen! * w;
    den += w;
  }
  if (den === 0) {
    for (const b of listed) num += b.closeFen!;
    den = listed.length;
  }
  return mulDivRound(num, 1, den);
}

/** Average listed price of a calendar month ('YYYY-MM') from daily bars: turnover / volume, or null. */
export function monthlyAveragePriceFen(
  bars: readonly DailyBar[],
  instrumentIds: readonly string[],
  month: string,
): number | null {
  const ids = new Set(instrumentIds);
  let v = 0;
  let t = 0;
  for (const b of bars) {
    if (b.mode !== 'listed' || !ids.has(b.instrumentId) || !b.date.startsWith(month)) continue;
    v += b.volumeT;
    t += b.turnoverFen;
  }
  return v > 0 ? mulDivRound(t, 1, v) : null;
}
