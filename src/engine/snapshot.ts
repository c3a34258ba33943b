import { checkEngineConfig, type EngineConfig } from './config.ts';
import { SessionState, Side, Stp, Tif } from './constants.ts';
import type { Engine } from './engine.ts';
import { ACCT, FLAGS, ID, QTY, SEQ, sideOf, stpOf, tifOf } from './order-store.ts';
import type { DayStats } from './stats.ts';

/** [orderId, accountId, side, priceFen, qtyT, tif, stp, entrySeq] */
export type SnapshotOrder = [number, number, Side, number, number, Tif, Stp, number];

/**
 * The whole state of an engine as plain JSON. Orders are listed in time-priority order, which is both
 * each level's FIFO order and each account's order, so replaying them in sequence rebuilds the book exactly.
 */
export interface EngineSnapshot {
  version: 1;
  config: EngineConfig;
  seq: number;
  lastTsMs: number;
  session: SessionState;
  refPriceFen: number;
  dayStats: {
    openFen: number;
    highFen: number;
    lowFen: number;
    lastFen: number;
    volumeT: number;
    turnoverFen: number;
    tradeCount: number;
  };
  orders: SnapshotOrder[];
}

export function buildSnapshot(e: Engine): EngineSnapshot {
  const st = e.store;
  const orders = e.liveSlots().map((h): SnapshotOrder => {
    const flags = st.lnk(h, FLAGS);
    return [
      st.get(h, ID),
      st.get(h, ACCT),
      sideOf(flags),
      e.priceOf(h),
      st.get(h, QTY),
      tifOf(flags),
      stpOf(flags),
      st.get(h, SEQ),
    ];
  });
  const s: DayStats = e.dayStats;
  return {
    version: 1,
    config: { ...e.config },
    seq: e.seqNo,
    lastTsMs: e.lastTsMs,
    session: e.state,
    refPriceFen: e.refFen,
    dayStats: {
      openFen: s.openFen,
      highFen: s.highFen,
      lowFen: s.lowFen,
      lastFen: s.lastFen,
      volumeT: s.volumeT,
      turnoverFen: s.turnoverFen,
      tradeCount: s.tradeCount,
    },
    orders,
  };
}

const nonNeg = (v: unknown): boolean => Number.isSafeInteger(v) && (v as number) >= 0;
const pos = (v: unknown): boolean => Number.isSafeInteger(v) && (v as number) > 0;

/** Returns null when the snapshot is well formed, else what is wrong with it. */
export function checkSnapshot(s: EngineSnapshot): string | null {
  if (typeof s !== 'object' || s === null) return 'snapshot: expected an object';
  if (s.version !== 1) return `snapshot.version: expected 1, got ${String(s.version)}`;
  if (typeof s.config !== 'object' || s.config === null) return 'snapshot.config: expected an object';
  const cfg = checkEngineConfig(s.config);
  if (cfg !== null) return `snapshot.config.${cfg}`;
  if (!nonNeg(s.seq)) return 'snapshot.seq: expected a non-negative integer';
  if (!nonNeg(s.lastTsMs)) return 'snapshot.lastTsMs: expected a non-negative integer';
  if (!(s.session === SessionState.Closed || s.session === SessionState.Open || s.session === SessionState.Halted))
    return 'snapshot.session: expected 0, 1 or 2';
  if (!nonNeg(s.refPriceFen) || s.refPriceFen > 2 ** 40 || s.refPriceFen % s.config.tickFen !== 0)
    return 'snapshot.refPriceFen: expected 0 or a multiple of the tick';
  const d = s.dayStats;
  if (typeof d !== 'object' || d === null) return 'snapshot.dayStats: expected an object';
  for (const k of ['openFen', 'highFen', 'lowFen', 'lastFen', 'volumeT', 'turnoverFen', 'tradeCount'] as const)
    if (!nonNeg(d[k])) return `snapshot.dayStats.${k}: expected a non-negative integer`;
  if (!Array.isArray(s.orders)) return 'snapshot.orders: expected an array';
  const ids = new Set<number>();
  let prevSeq = 0;
  for (let i = 0; i < s.orders.length; i++) {
    const o = s.orders[i];
    if (!Array.isArray(o) || o.length !== 8) return `snapshot.orders[${i}]: expected 8 numbers`;
    const [id, acct, side, priceFen, qtyT, tif, stp, entrySeq] = o;
    if (!pos(id) || ids.has(id)) return `snapshot.orders[${i}]: order id missing or repeated`;
    ids.add(id);
    if (!pos(acct)) return `snapshot.orders[${i}]: bad account id`;
    if (side !== Side.Buy && side !== Side.Sell) return `snapshot.orders[${i}]: bad side`;
    if (!pos(priceFen) || priceFen % s.config.tickFen !== 0) return `snapshot.orders[${i}]: bad price`;
    if (!pos(qtyT) || priceFen * qtyT > Number.MAX_SAFE_INTEGER) return `snapshot.orders[${i}]: bad quantity`;
    if (tif !== Tif.GFD && tif !== Tif.GTC) return `snapshot.orders[${i}]: only GFD and GTC orders rest`;
    if (!(Number.isSafeInteger(stp) && stp >= Stp.None && stp <= Stp.Decrement))
      return `snapshot.orders[${i}]: bad stp`;
    if (!pos(entrySeq) || entrySeq <= prevSeq || entrySeq > s.seq)
      return `snapshot.orders[${i}]: entrySeq must increase and not exceed seq`;
    prevSeq = entrySeq;
  }
  return null;
}
