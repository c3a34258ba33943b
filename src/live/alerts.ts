// Alerts: what a student should notice now, pushed to them rather than found by looking (a block proposal to them,
// an auction announced or about to close, a fill, the deadline near). The slices raise the alerts of their own
// commands (a proposal in blocks.ts, a fill in orders.ts, an announcement in auctions.ts) through alertEvent; the
// ones that come with time passing (an auction closing soon, the deadline warning) are raised here, when a tick
// moves exchange time over their moment. Deterministic: driven only by commands and ticks, each moment is met by
// exactly one tick, since ticks cover exchange time in back-to-back spans [from, to). Keeps nothing: an alert is an
// event, not state, so a replayed journal raises the same alerts again and snapshots are as before.
import { cstDate, tsOf } from '../market/time.ts';
import type { Auctions } from './auctions.ts';
import type { Window } from './clock.ts';
import type { RoomContext } from './context.ts';
import type { Positions } from './positions.ts';
import type { AlertType, LiveEvent } from './types.ts';

/**
 * How long before an auction's close bidders are told it closes soon: one wall minute at the classroom's speed (a
 * class at 60x gets an exchange hour's notice, one at real time a minute), never less than five exchange minutes,
 * and never more than half the auction's window (a short auction gets its notice halfway). Counted in trading time:
 * an auction over the lunch break is not "closing soon" during it.
 */
export const AUCTION_CLOSING_MIN_MS = 5 * 60_000;
export const AUCTION_CLOSING_WALL_MS = 60_000;

export function alertEvent(
  studentId: number | null,
  type: AlertType,
  tsMs: number,
  params: Record<string, string | number>,
): LiveEvent {
  return { kind: 'alert', studentId, alert: { type, tsMs, params } };
}

export class Alerts {
  private readonly ctx: RoomContext;
  private readonly auctions: Auctions;
  private readonly positions: Positions;

  constructor(ctx: RoomContext, auctions: Auctions, positions: Positions) {
    this.ctx = ctx;
    this.auctions = auctions;
    this.positions = positions;
  }

  /** Exchange time moves from `fromTs` to `toTs` (a tick, before anything in it happens) at `speed`. */
  clock(fromTs: number, toTs: number, speed: number): void {
    if (!(toTs > fromTs)) return;
    const within = (ts: number): boolean => ts >= fromTs && ts < toTs;
    const notice = Math.max(AUCTION_CLOSING_MIN_MS, AUCTION_CLOSING_WALL_MS * speed);
    for (const n of this.auctions.notices().reverse()) {
      if (n.outcome !== null || n.withdrawnTs !== null) continue;
      const closingMs = Math.min(notice, tradingMs(this.ctx.windows, n.opensTs, n.closesTs) / 2);
      const at = tradingBefore(this.ctx.windows, n.closesTs, closingMs);
      if (at !== null && at > n.opensTs && within(at))
        this.ctx.emit(
          alertEvent(null, 'auction-closing', at, {
            auctionId: n.auctionId,
            marketId: n.marketId,
            instrumentId: n.instrumentId,
            qtyT: n.qtyT,
            reservePriceFen: n.reservePriceFen,
            closesTsMs: n.closesTs,
            minutesLeft: Math.max(1, Math.round(closingMs / 60_000)),
          }),
        );
    }
    const { warnFromTsMs } = this.positions.deadlineTimes();
    if (within(warnFromTsMs)) this.warnDeadline(warnFromTsMs);
  }

  /** The deadline moved: if its warning time has already passed, students still owing are warned now. */
  deadlineMoved(): void {
    const { warnFromTsMs } = this.positions.deadlineTimes();
    if (warnFromTsMs <= this.ctx.tsMs) this.warnDeadline(this.ctx.tsMs);
  }

  /** Each student who still owes allowances for the cycle is told the deadline is near, and where they stand. */
  private warnDeadline(tsMs: number): void {
    for (const p of this.positions.all()) {
      // Nothing owed (met, settled, or a firm without an obligation in this scenario): no warning.
      if (p.status !== 'open' || p.obligationT === 0) continue;
      this.ctx.emit(
        alertEvent(p.studentId, 'deadline-warning', tsMs, {
          deadline: p.deadline,
          deadlineTsMs: p.deadlineTsMs,
          obligationT: p.obligationT,
          surrenderedT: p.surrenderedT,
          heldT: p.heldT,
          shortT: p.shortT,
          shortValueFen: p.shortValueFen,
        }),
      );
    }
  }
}

/** The moment `ms` of trading time (the day's windows) before `tsMs` on its day, or null when the day has less. */
export function tradingBefore(windows: readonly Window[], tsMs: number, ms: number): number | null {
  const day0 = tsOf(cstDate(tsMs), '00:00');
  let left = ms;
  for (let i = windows.length - 1; i >= 0; i--) {
    const [a, b] = windows[i]!;
    const start = day0 + a * 60_000;
    const end = Math.min(tsMs, day0 + b * 60_000);
    if (end <= start) continue;
    if (end - start >= left) return end - left;
    left -= end - start;
  }
  return null;
}

/** Trading time (the day's windows) from `fromTs` to `toTs`, both on one day. */
export function tradingMs(windows: readonly Window[], fromTs: number, toTs: number): number {
  const day0 = tsOf(cstDate(fromTs), '00:00');
  let ms = 0;
  for (const [a, b] of windows)
    ms += Math.max(0, Math.min(toTs, day0 + b * 60_000) - Math.max(fromTs, day0 + a * 60_000));
  return ms;
}
