// A sink that keeps every event as a plain object, in order. Used by the property tests to compare the event
// streams of two engines; `formatEvent` turns one into a stable one-line string (NaN and -0 stay visible).

import type { CancelReason, OrderType, SessionState, Side, Tif } from '../../src/engine/constants.ts';
import type { EngineSink } from '../../src/engine/events.ts';

export type RecordedEvent =
  | {
      ev: 'accepted';
      seq: number;
      tsMs: number;
      orderId: number;
      accountId: number;
      side: number;
      type: number;
      priceFen: number;
      qtyT: number;
      tif: number;
    }
  | { ev: 'rejected'; seq: number; tsMs: number; orderId: number; code: number }
  | {
      ev: 'trade';
      seq: number;
      tsMs: number;
      makerOrderId: number;
      takerOrderId: number;
      makerAccountId: number;
      takerAccountId: number;
      takerSide: number;
      priceFen: number;
      qtyT: number;
      makerRemainingT: number;
      takerRemainingT: number;
    }
  | {
      ev: 'cancelled';
      seq: number;
      tsMs: number;
      orderId: number;
      cancelledT: number;
      remainingT: number;
      reason: number;
    }
  | {
      ev: 'amended';
      seq: number;
      tsMs: number;
      orderId: number;
      priceFen: number;
      qtyT: number;
      keptPriority: boolean;
    }
  | { ev: 'expired'; seq: number; tsMs: number; orderId: number; qtyT: number }
  | { ev: 'level'; seq: number; tsMs: number; side: number; priceFen: number; qtyT: number; count: number }
  | { ev: 'session'; seq: number; tsMs: number; state: number }
  | { ev: 'dayEnded'; seq: number; tsMs: number; refPriceFen: number; bandLowFen: number; bandHighFen: number };

export class RecordingSink implements EngineSink {
  readonly events: RecordedEvent[] = [];

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
  ): void {
    this.events.push({ ev: 'accepted', seq, tsMs, orderId, accountId, side, type, priceFen, qtyT, tif });
  }

  rejected(seq: number, tsMs: number, orderId: number, code: number): void {
    this.events.push({ ev: 'rejected', seq, tsMs, orderId, code });
  }

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
  ): void {
    this.events.push({
      ev: 'trade',
      seq,
      tsMs,
      makerOrderId,
      takerOrderId,
      makerAccountId,
      takerAccountId,
      takerSide,
      priceFen,
      qtyT,
      makerRemainingT,
      takerRemainingT,
    });
  }

  cancelled(
    seq: number,
    tsMs: number,
    orderId: number,
    cancelledT: number,
    remainingT: number,
    reason: CancelReason,
  ): void {
    this.events.push({ ev: 'cancelled', seq, tsMs, orderId, cancelledT, remainingT, reason });
  }

  amended(seq: number, tsMs: number, orderId: number, priceFen: number, qtyT: number, keptPriority: boolean): void {
    this.events.push({ ev: 'amended', seq, tsMs, orderId, priceFen, qtyT, keptPriority });
  }

  expired(seq: number, tsMs: number, orderId: number, qtyT: number): void {
    this.events.push({ ev: 'expired', seq, tsMs, orderId, qtyT });
  }

  level(seq: number, tsMs: number, side: Side, priceFen: number, qtyT: number, count: number): void {
    this.events.push({ ev: 'level', seq, tsMs, side, priceFen, qtyT, count });
  }

  session(seq: number, tsMs: number, state: SessionState): void {
    this.events.push({ ev: 'session', seq, tsMs, state });
  }

  dayEnded(seq: number, tsMs: number, refPriceFen: number, bandLowFen: number, bandHighFen: number): void {
    this.events.push({ ev: 'dayEnded', seq, tsMs, refPriceFen, bandLowFen, bandHighFen });
  }
}

/** Exact one-line rendering of a value: keeps NaN, Infinity, -0 and the type (a boolean is not a number). */
export function formatValue(v: unknown): string {
  if (typeof v === 'number') return Object.is(v, -0) ? '-0' : String(v);
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  return JSON.stringify(v) ?? String(v);
}

/** `trade seq=7 tsMs=3 makerOrderId=2 ...`: every field, in the order the sink received them. */
export function formatEvent(e: RecordedEvent): string {
  const parts: string[] = [e.ev];
  for (const [k, v] of Object.entries(e)) if (k !== 'ev') parts.push(`${k}=${formatValue(v)}`);
  return parts.join(' ');
}
