// Engine output. Every event carries the engine-wide sequence number `seq` (1, 2, 3, ... across all events,
// snapshot included) and the time `tsMs` of the command that caused it. Arguments are primitives so that the
// engine allocates nothing per event; a sink that wants objects builds them itself.

import type { CancelReason, OrderType, SessionState, Side, Tif } from './constants.ts';

export interface EngineSink {
  /** An order passed every check. priceFen: the limit; for a market order the protection price; for a take the listing price. */
  accepted(
    seq: number,
    tsMs: number,
    orderId: number,
    accountId: number,
    side: Side,
    type: OrderType,
    priceFen: number,
    qtyT: number,
    tif: Tif,
  ): void;
  /** A command failed a check and changed nothing. orderId is 0 when the command had none or it was malformed. */
  rejected(seq: number, tsMs: number, orderId: number, code: number): void;
  /** A trade, always at the resting (maker) order's price. Remaining quantities are after this trade. */
  trade(
    seq: number,
    tsMs: number,
    makerOrderId: number,
    takerOrderId: number,
    makerAccountId: number,
    takerAccountId: number,
    takerSide: Side,
    priceFen: number,
    qtyT: number,
    makerRemainingT: number,
    takerRemainingT: number,
  ): void;
  /** cancelledT tonnes of the order left without trading; remainingT is what stays live (0: the order is gone). */
  cancelled(
    seq: number,
    tsMs: number,
    orderId: number,
    cancelledT: number,
    remainingT: number,
    reason: CancelReason,
  ): void;
  /** A resting order was amended. keptPriority: true for a pure quantity decrease. */
  amended(seq: number, tsMs: number, orderId: number, priceFen: number, qtyT: number, keptPriority: boolean): void;
  /** A day order (GFD) expired at the end of day. */
  expired(seq: number, tsMs: number, orderId: number, qtyT: number): void;
  /** New aggregate of one price level; qtyT = 0 and count = 0 mean the level is gone. */
  level(seq: number, tsMs: number, side: Side, priceFen: number, qtyT: number, count: number): void;
  /** The session state changed. */
  session(seq: number, tsMs: number, state: SessionState): void;
  /** End of day: day statistics were reset and the next reference price (band centre) was set; 0 = no band. */
  dayEnded(seq: number, tsMs: number, refPriceFen: number, bandLowFen: number, bandHighFen: number): void;
}

/** A sink that drops everything (the engine's default). */
export class NullSink implements EngineSink {
  accepted(): void {}
  rejected(): void {}
  trade(): void {}
  cancelled(): void {}
  amended(): void {}
  expired(): void {}
  level(): void {}
  session(): void {}
  dayEnded(): void {}
}
