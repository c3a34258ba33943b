// What each channel carries, built from a classroom's read models: snapshots (status, news, depth, ticker, trades,
// a student's private data) and the depth delta between two snapshots. Channel names: status, news, private, and
// kind:market:instrument for depth, trades, ticker and bar.
import type { Classroom } from '../../live/classroom.ts';
import { fenToCny } from '../../market/money.ts';
import type { Principal } from '../hub.ts';
import {
  accountView,
  bidView,
  classroomView,
  complianceView,
  type DepthLevel,
  depthView,
  fillView,
  newsView,
  orderView,
} from '../views.ts';
import { channelTrade } from './messages.ts';

/** Levels a depth channel shows each side. */
export const DEPTH_LEVELS = 10;

export interface DepthState {
  bids: DepthLevel[];
  asks: DepthLevel[];
}

/**
 * Whether a channel name is one of this classroom's: status, news, private (students), or kind:market:instrument
 * with exactly those three parts, a market of the classroom and an instrument it lists. Anything else would be a
 * new key in the server's maps for every name a client makes up.
 */
export function validChannel(room: Classroom, principal: Principal | null, ch: string): boolean {
  if (ch === 'status' || ch === 'news') return true;
  if (ch === 'private') return principal?.role === 'student';
  const parts = ch.split(':');
  if (parts.length !== 3) return false;
  const [kind, mid, ins] = parts as [string, string, string];
  if (kind !== 'depth' && kind !== 'trades' && kind !== 'ticker' && kind !== 'bar') return false;
  return room.hasBook(mid, ins);
}

/**
 * A channel's snapshot (its kept name: `private:<studentId>`), or null for a channel without one (bar). A depth
 * snapshot is also the base its next delta is computed against: `depthBase` is told it.
 */
export function channelSnapshot(room: Classroom, ch: string, depthBase: (d: DepthState) => void): unknown {
  if (ch === 'status') return classroomView(room);
  if (ch === 'news') return room.news.slice(-20).reverse().map(newsView);
  if (ch.startsWith('private:')) return privateData(room, Number(ch.slice('private:'.length)), 'all');
  const [kind, mid, ins] = ch.split(':') as [string, string, string];
  if (kind === 'depth') {
    const v = depthView(room, mid, ins, DEPTH_LEVELS)!;
    depthBase({ bids: v.bids, asks: v.asks });
    return v;
  }
  if (kind === 'ticker') return tickerData(room, mid, ins);
  if (kind === 'trades') return room.recentTrades(mid, ins, 50).reverse().map(channelTrade);
  return null;
}

/** What changed for a student (`what`: order, fill, balance, compliance, bid; anything else: all of it). */
export function privateData(room: Classroom, studentId: number, what: string): unknown {
  const s = room.student(studentId);
  if (s === null) return null;
  const orders = () =>
    [...room.studentOrders(studentId)]
      .reverse()
      .slice(0, 100)
      .map((o) => orderView(room, o));
  const fills = () => [...room.studentFills(studentId)].reverse().slice(0, 100).map(fillView);
  const bids = () => room.studentBids(studentId).reverse().slice(0, 100).map(bidView);
  switch (what) {
    case 'order':
      return { kind: 'order', orders: orders() };
    case 'fill':
      return { kind: 'fill', fills: fills() };
    case 'balance':
      return { kind: 'balance', account: accountView(room, s) };
    case 'compliance':
      return { kind: 'compliance', compliance: complianceView(room.complianceOf(studentId)) };
    case 'bid':
      return { kind: 'bid', bids: bids() };
    default:
      return {
        kind: 'all',
        orders: orders(),
        fills: fills(),
        account: accountView(room, s),
        compliance: complianceView(room.complianceOf(studentId)),
        bids: bids(),
      };
  }
}

/** A ticker: last price and change on the previous close, today's listed range and volume, best bid and ask. */
export function tickerData(room: Classroom, marketId: string, instrumentId: string) {
  const t = room.ticker(marketId, instrumentId);
  const { lastFen: last, prevCloseFen: prevClose, today } = t;
  const cny = (f: number | null): string | null => (f !== null && f > 0 ? fenToCny(f) : null);
  return {
    lastCny: cny(last),
    changePct: prevClose > 0 && last > 0 ? Math.round(((last - prevClose) / prevClose) * 10_000) / 100 : 0,
    volumeT: today?.volumeT ?? 0,
    highCny: today === null ? null : cny(today.highFen),
    lowCny: today === null ? null : cny(today.lowFen),
    bidCny: cny(t.bidFen),
    askCny: cny(t.askFen),
  };
}

/** Levels that differ between two depth lists (by price); a removed level is sent with qtyT 0. */
export function diffLevels(prev: readonly DepthLevel[], next: readonly DepthLevel[]): DepthLevel[] {
  const before = new Map(prev.map((l) => [l.priceCny, l]));
  const out: DepthLevel[] = [];
  for (const l of next) {
    const b = before.get(l.priceCny);
    if (b === undefined || b.qtyT !== l.qtyT || b.orders !== l.orders) out.push(l);
    before.delete(l.priceCny);
  }
  for (const l of before.values()) out.push({ priceCny: l.priceCny, qtyT: 0, orders: 0 });
  return out;
}
