// The channels of every classroom: who subscribes to what, each channel's sequence number (one per message: a
// client that sees a gap subscribes again and gets a fresh snapshot), and what changed since the last flush.
//
// Nothing is built from inside a classroom event: onEvent only records what changed. collect() then builds, per
// channel, one message of everything since the previous flush (the trades as one list, the depth as one coalesced
// delta of the changed levels, the ticker and status as they are now), serialized and framed once for all its
// subscribers, and the answers and snapshots each waiting client gets.
//
// A classroom the hub rebuilt from its journal after a failed write (reloaded), and one whose channel messages a
// flush held back, is stale: what was kept of it here (the depth each delta is computed against, the changes waiting
// for the next flush) may show refused commands or lack what clients missed. Its pending changes are dropped and no
// message is built from them; once the journal writes again, the next flush sends every subscribed channel of it a
// fresh snapshot with the next seq, which replaces what the client had.
import type { Classroom, LiveEvent } from '../../live/classroom.ts';
import type { Alert } from '../../live/types.ts';
import type { TradeRecord } from '../../market/trade.ts';
import { barView, classroomView, depthView, newsView } from '../views.ts';
import { alertMessage } from './alerts.ts';
import { channelSnapshot, DEPTH_LEVELS, type DepthState, diffLevels, privateData, tickerData } from './channel-data.ts';
import type { Batch, Conn, DirectFrame, Outgoing } from './conn.ts';
import { channelTrade, textFrame } from './messages.ts';

type Pending = { room: Classroom; ch: string };

export class Channels {
  /** Subscribers and sequence number per channel key (`<classroom>|<channel>`); read by the limits tests. */
  readonly subs = new Map<string, Set<Conn>>();
  readonly seqs = new Map<string, number>();
  /** Per depth channel, the levels its last message left the clients with: the base of the next delta. */
  private readonly depth = new Map<string, DepthState>();
  // What changed since the last flush, by channel key.
  private readonly newTrades = new Map<string, Pending & { trades: TradeRecord[] }>();
  private readonly dirtyBooks = new Map<string, Pending>();
  private readonly dirtyTickers = new Map<string, Pending>();
  private readonly dirtyStatus = new Set<Classroom>();
  private readonly events: (Pending & { data: unknown })[] = [];
  private readonly dirtyPrivate = new Map<string, Pending & { studentId: number; what: Set<string> }>();
  /**
   * Alerts since the last flush, kept only when someone is there to get them: a student's go to the connections on
   * their private channel, the class's to the students' connections on status (every trading page subscribes to both).
   */
  private readonly alerts: { room: Classroom; studentId: number | null; alert: Alert }[] = [];
  /** Classrooms whose channels get a fresh snapshot at the first flush once the journal writes. */
  private readonly stale = new Set<Classroom>();

  key(room: Classroom, ch: string): string {
    return `${room.id}|${ch}`;
  }

  /** The channel as kept: a student's `private` is `private:<studentId>`. */
  named(conn: Conn, ch: string): string {
    return ch === 'private' && conn.principal?.role === 'student' ? `private:${conn.principal.studentId}` : ch;
  }

  /** The current sequence number of a channel (REST depth answers carry it, to line up with the socket). */
  seqOf(room: Classroom, channel: string): number {
    return this.seqs.get(this.key(room, channel)) ?? 0;
  }

  /** Subscribed at once (so events are kept for it); the snapshots are taken in the next flush. */
  subscribe(conn: Conn, chs: readonly string[]): void {
    conn.out.push(JSON.stringify({ op: 'subscribed', channels: chs }));
    for (const shown of chs) {
      const named = this.named(conn, shown);
      conn.channels.add(named);
      conn.fresh.add(named);
      const k = this.key(conn.room, named);
      let set = this.subs.get(k);
      if (set === undefined) {
        set = new Set();
        this.subs.set(k, set);
      }
      set.add(conn);
      conn.out.push({ shown, named });
    }
  }

  unsubscribe(conn: Conn, ch: string): void {
    const named = this.named(conn, ch);
    conn.channels.delete(named);
    conn.fresh.delete(named);
    this.subs.get(this.key(conn.room, named))?.delete(conn);
  }

  /** A connection closed: off every channel. */
  forget(conn: Conn): void {
    for (const ch of conn.channels) this.subs.get(this.key(conn.room, ch))?.delete(conn);
  }

  // ---- classroom events: recorded for the next flush -------------------------------------------------------------

  onEvent(room: Classroom, e: LiveEvent): void {
    switch (e.kind) {
      case 'trade': {
        const base = `${e.marketId}:${e.trade.instrumentId}`;
        const ch = `trades:${base}`;
        const k = this.key(room, ch);
        if (this.hasSubs(k)) {
          let pending = this.newTrades.get(k);
          if (pending === undefined) {
            pending = { room, ch, trades: [] };
            this.newTrades.set(k, pending);
          }
          pending.trades.push(e.trade);
        }
        const tk = this.key(room, `ticker:${base}`);
        if (this.hasSubs(tk)) this.dirtyTickers.set(tk, { room, ch: `ticker:${base}` });
        this.markBook(room, e.marketId, e.trade.instrumentId);
        break;
      }
      case 'book':
        this.markBook(room, e.marketId, e.instrumentId);
        break;
      case 'bar':
        this.events.push({ room, ch: `bar:${e.marketId}:${e.bar.instrumentId}`, data: barView(e.bar) });
        break;
      case 'status':
        this.dirtyStatus.add(room);
        break;
      case 'news':
        this.events.push({ room, ch: 'news', data: newsView(e.item) });
        break;
      case 'private': {
        const ch = `private:${e.studentId}`;
        const k = this.key(room, ch);
        if (!this.hasSubs(k)) return;
        let pending = this.dirtyPrivate.get(k);
        if (pending === undefined) {
          pending = { room, ch, studentId: e.studentId, what: new Set() };
          this.dirtyPrivate.set(k, pending);
        }
        pending.what.add(e.what);
        break;
      }
      case 'alert':
        if (this.hasSubs(this.key(room, e.studentId === null ? 'status' : `private:${e.studentId}`)))
          this.alerts.push({ room, studentId: e.studentId, alert: e.alert });
        break;
    }
  }

  private hasSubs(k: string): boolean {
    return (this.subs.get(k)?.size ?? 0) > 0;
  }

  private markBook(room: Classroom, marketId: string, instrumentId: string): void {
    const ch = `depth:${marketId}:${instrumentId}`;
    const k = this.key(room, ch);
    if (!this.hasSubs(k)) {
      this.depth.delete(k);
      return;
    }
    this.dirtyBooks.set(k, { room, ch });
  }

  /** Whether a flush has channel messages to build (`writable`: the journal writes, so stale rooms resync). */
  hasPending(writable: boolean): boolean {
    return (
      (this.stale.size > 0 && writable) ||
      this.newTrades.size > 0 ||
      this.dirtyBooks.size > 0 ||
      this.dirtyTickers.size > 0 ||
      this.dirtyStatus.size > 0 ||
      this.events.length > 0 ||
      this.dirtyPrivate.size > 0 ||
      this.alerts.length > 0
    );
  }

  // ---- building a flush --------------------------------------------------------------------------------------------

  /** Builds the flush's messages (and takes their sequence numbers) and the waiting clients' frames from the state now. */
  collect(waiting: Iterable<Conn>, writable: boolean): Batch {
    const messages: Outgoing[] = [];
    // Stale classrooms: nothing is built from what was pending of them. Once the journal writes, every subscribed
    // channel of theirs gets a fresh snapshot instead, with the next seq (bar, which has none, goes on as it was).
    const resynced = this.stale.size > 0 && writable ? [...this.stale] : [];
    for (const room of this.stale) this.dropPending(room, resynced.includes(room));
    for (const room of resynced) {
      this.stale.delete(room);
      const prefix = `${room.id}|`;
      for (const [k, set] of this.subs) {
        if (set.size === 0 || !k.startsWith(prefix)) continue;
        const ch = k.slice(prefix.length);
        const data = this.snapshot(room, ch); // a depth snapshot is the channel's new base for its deltas
        if (data !== null) this.publish(messages, room, k, ch, 'snapshot', data);
      }
    }
    for (const [k, p] of this.newTrades) this.publish(messages, p.room, k, p.ch, 'event', p.trades.map(channelTrade));
    this.newTrades.clear();
    for (const [k, t] of this.dirtyTickers) {
      const [, mid, ins] = t.ch.split(':') as [string, string, string];
      this.publish(messages, t.room, k, t.ch, 'event', tickerData(t.room, mid, ins));
    }
    this.dirtyTickers.clear();
    for (const [k, b] of this.dirtyBooks) {
      const [, mid, ins] = b.ch.split(':') as [string, string, string];
      const v = depthView(b.room, mid, ins, DEPTH_LEVELS);
      if (v === null) continue;
      const prev = this.depth.get(k) ?? { bids: [], asks: [] };
      const bids = diffLevels(prev.bids, v.bids);
      const asks = diffLevels(prev.asks, v.asks);
      this.depth.set(k, { bids: v.bids, asks: v.asks });
      if (bids.length > 0 || asks.length > 0)
        this.publish(messages, b.room, k, b.ch, 'delta', { bids, asks, listings: v.listings });
    }
    this.dirtyBooks.clear();
    for (const e of this.events) this.publish(messages, e.room, this.key(e.room, e.ch), e.ch, 'event', e.data);
    this.events.length = 0;
    for (const room of this.dirtyStatus)
      this.publish(messages, room, this.key(room, 'status'), 'status', 'event', classroomView(room));
    this.dirtyStatus.clear();
    for (const [k, p] of this.dirtyPrivate)
      for (const what of p.what)
        this.publish(messages, p.room, k, p.ch, 'event', privateData(p.room, p.studentId, what));
    this.dirtyPrivate.clear();
    for (const a of this.alerts) this.alert(messages, a.room, a.studentId, a.alert);
    this.alerts.length = 0;
    return { direct: this.answers(waiting), messages, resynced };
  }

  /** Answers and snapshots, after the messages: a snapshot shows the state they brought. */
  private answers(waiting: Iterable<Conn>): [Conn, DirectFrame[]][] {
    const direct: [Conn, DirectFrame[]][] = [];
    const snaps = new Map<string, Buffer>();
    for (const conn of waiting) {
      const frames: DirectFrame[] = [];
      for (const item of conn.out) {
        if (typeof item === 'string') {
          frames.push({ frame: textFrame(item), shows: false });
          continue;
        }
        if (!conn.channels.has(item.named)) continue; // unsubscribed meanwhile
        conn.fresh.delete(item.named);
        const k = this.key(conn.room, item.named);
        let frame = snaps.get(`${k}|${item.shown}`);
        if (frame === undefined) {
          const data = this.snapshot(conn.room, item.named);
          if (data === null) continue;
          const seq = this.seqs.get(k) ?? 0;
          frame = textFrame(JSON.stringify({ ch: item.shown, seq, type: 'snapshot', data }));
          snaps.set(`${k}|${item.shown}`, frame);
        }
        frames.push({ frame, shows: true });
      }
      conn.out = [];
      if (frames.length > 0) direct.push([conn, frames]);
    }
    return direct;
  }

  /** A channel's snapshot; a depth snapshot, taken after this flush's delta was built, is its new base. */
  private snapshot(room: Classroom, ch: string): unknown {
    return channelSnapshot(room, ch, (d) => this.depth.set(this.key(room, ch), d));
  }

  private publish(
    into: Outgoing[],
    room: Classroom,
    k: string,
    ch: string,
    type: 'event' | 'delta' | 'snapshot',
    data: unknown,
  ): void {
    const seq = (this.seqs.get(k) ?? 0) + 1;
    this.seqs.set(k, seq);
    const set = this.subs.get(k);
    if (set === undefined || set.size === 0) return;
    const to: Conn[] = [];
    for (const c of set) if (!c.fresh.has(ch)) to.push(c);
    if (to.length === 0) return;
    const shown = ch.startsWith('private:') ? 'private' : ch;
    into.push({ frame: textFrame(JSON.stringify({ ch: shown, seq, type, data })), to, room });
  }

  /** One frame per alert, built once, to its student's connections or every student's in the class. */
  private alert(into: Outgoing[], room: Classroom, studentId: number | null, alert: Alert): void {
    const set = this.subs.get(this.key(room, studentId === null ? 'status' : `private:${studentId}`));
    if (set === undefined || set.size === 0) return;
    const to: Conn[] = [];
    for (const c of set) if (studentId !== null || c.principal?.role === 'student') to.push(c);
    if (to.length > 0) into.push({ frame: textFrame(alertMessage(alert)), to, room });
  }

  // ---- stale classrooms ----------------------------------------------------------------------------------------------

  /** A classroom whose messages or snapshots were held back: it gets fresh snapshots once the journal writes. */
  markStale(room: Classroom): void {
    this.stale.add(room);
  }

  /**
   * A classroom rebuilt in place from its journal (a write failed): what was kept of it here may show commands that
   * were refused. Its cached depth and pending changes are dropped, and its channels get fresh snapshots once the
   * journal writes again (collect).
   */
  reloaded(room: Classroom): void {
    const prefix = `${room.id}|`;
    for (const k of [...this.depth.keys()]) if (k.startsWith(prefix)) this.depth.delete(k);
    this.dropPending(room, false);
    this.stale.add(room);
  }

  /**
   * Forgets what was pending of a classroom (and, unless `keepBars`, its bars: after a rebuild they may be of refused
   * ticks; on a resync they came after it and have no snapshot to replace them).
   */
  private dropPending(room: Classroom, keepBars: boolean): void {
    for (const m of [this.newTrades, this.dirtyBooks, this.dirtyTickers, this.dirtyPrivate])
      for (const [k, v] of m) if (v.room === room) m.delete(k);
    this.dirtyStatus.delete(room);
    let n = 0;
    for (const e of this.events) if (e.room !== room || (keepBars && e.ch.startsWith('bar:'))) this.events[n++] = e;
    this.events.length = n;
    n = 0;
    for (const a of this.alerts) if (a.room !== room) this.alerts[n++] = a;
    this.alerts.length = n;
  }
}
