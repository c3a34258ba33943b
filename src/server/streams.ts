// WebSocket market data and order entry at /ws. Public channels per classroom (depth, trades, ticker, bar, status,
// news) and a private one per student. Each channel has its own sequence number: a client that sees a gap
// subscribes again and gets a fresh snapshot. A message for a channel is serialized once and the same string sent
// to every subscriber. Book changes are coalesced: the depth is recomputed at most once per flush and only the
// changed levels go out. A client whose send buffer passes a bound is dropped, so a slow reader never holds up
// anyone else. Heartbeats every 10 s; a client that answers no ping for 30 s is dropped.
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import Value from 'typebox/value';
import { type WebSocket, WebSocketServer } from 'ws';
import type { Classroom, LiveEvent } from '../live/classroom.ts';
import { fenToYuan } from '../market/money.ts';
import { HttpError } from './http.ts';
import type { Hub, Principal } from './hub.ts';
import { cancelOrder, type OrderCmd, placeOrder } from './routes/student.ts';
import { OrderBody } from './schemas.ts';
import {
  accountView,
  barView,
  classroomView,
  complianceView,
  type DepthLevel,
  depthView,
  fillView,
  newsView,
  orderView,
  tradeView,
} from './views.ts';

const DEPTH_LEVELS = 10;
/** Bytes queued for one client before it is dropped as too slow. */
export const MAX_BUFFERED_BYTES = 1 << 20;
const HEARTBEAT_MS = 10_000;
/** Messages a client may send per second (order entry included); beyond that it gets RATE_LIMITED answers. */
const MSGS_PER_SEC = 200;

interface Conn {
  readonly ws: WebSocket;
  readonly room: Classroom;
  readonly principal: Principal | null;
  readonly channels: Set<string>;
  alive: boolean;
  windowStart: number;
  windowCount: number;
}

interface DepthState {
  bids: DepthLevel[];
  asks: DepthLevel[];
}

export interface StreamStats {
  clients: number;
  dropped: number;
}

export class Streams {
  private readonly wss = new WebSocketServer({ noServer: true, maxPayload: 16 * 1024 });
  private readonly subs = new Map<string, Set<Conn>>();
  private readonly seqs = new Map<string, number>();
  private readonly depth = new Map<string, DepthState>();
  private readonly dirtyBooks = new Set<string>();
  private readonly dirtyPrivate = new Map<string, Set<string>>();
  private readonly conns = new Set<Conn>();
  private heartbeat: NodeJS.Timeout | null = null;
  private flushQueued = false;
  readonly stats: StreamStats = { clients: 0, dropped: 0 };

  private readonly hub: Hub;

  constructor(hub: Hub) {
    this.hub = hub;
    hub.onRoom((room) => room.on((e) => this.onEvent(room, e)));
    this.heartbeat = setInterval(() => this.beat(), HEARTBEAT_MS);
    this.heartbeat.unref();
  }

  close(): void {
    if (this.heartbeat !== null) clearInterval(this.heartbeat);
    for (const c of this.conns) c.ws.terminate();
    this.wss.close();
  }

  /** The current sequence number of a channel (REST depth answers carry it, to line up with the socket). */
  seqOf(room: Classroom, channel: string): number {
    return this.seqs.get(`${room.id}|${channel}`) ?? 0;
  }

  /** Upgrade handler for the HTTP server: /ws?token=...&classroom=... */
  upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    const url = new URL(req.url ?? '/', 'http://x');
    if (url.pathname !== '/ws') {
      socket.destroy();
      return;
    }
    const token = url.searchParams.get('token') ?? undefined;
    const principal = token === undefined ? null : this.hub.auth(token);
    if (token !== undefined && principal === null) {
      socket.end(
        'HTTP/1.1 401 Unauthorized\r\nContent-Type: application/json\r\n\r\n{"error":{"code":"UNAUTHORIZED","message":"unknown token"}}',
      );
      return;
    }
    const cid =
      principal !== null && principal.role !== 'admin'
        ? principal.classroomId
        : (url.searchParams.get('classroom') ?? 'default');
    const room = this.hub.rooms.get(cid);
    if (room === undefined) {
      socket.end(
        'HTTP/1.1 404 Not Found\r\nContent-Type: application/json\r\n\r\n{"error":{"code":"NOT_FOUND","message":"no such classroom"}}',
      );
      return;
    }
    this.wss.handleUpgrade(req, socket, head, (ws) => this.accept(ws, room, principal));
  }

  private accept(ws: WebSocket, room: Classroom, principal: Principal | null): void {
    const conn: Conn = { ws, room, principal, channels: new Set(), alive: true, windowStart: 0, windowCount: 0 };
    this.conns.add(conn);
    this.stats.clients = this.conns.size;
    ws.on('pong', () => {
      conn.alive = true;
    });
    ws.on('message', (data, isBinary) => this.onMessage(conn, isBinary ? null : data.toString()));
    ws.on('close', () => this.drop(conn));
    ws.on('error', () => this.drop(conn));
    if (principal?.role === 'student') this.subscribe(conn, ['private']);
  }

  private drop(conn: Conn): void {
    if (!this.conns.delete(conn)) return;
    for (const ch of conn.channels) this.subs.get(this.key(conn.room, ch))?.delete(conn);
    this.stats.clients = this.conns.size;
  }

  private key(room: Classroom, ch: string): string {
    return `${room.id}|${ch}`;
  }

  private privateChannel(_room: Classroom, studentId: number): string {
    return `private:${studentId}`;
  }

  // ---- client messages -------------------------------------------------------------------------------------------

  private onMessage(conn: Conn, text: string | null): void {
    const now = Date.now();
    if (now - conn.windowStart >= 1_000) {
      conn.windowStart = now;
      conn.windowCount = 0;
    }
    if (++conn.windowCount > MSGS_PER_SEC) {
      this.error(conn, null, 'RATE_LIMITED', `at most ${MSGS_PER_SEC} messages a second`);
      return;
    }
    let msg: unknown;
    try {
      msg = text === null ? null : JSON.parse(text);
    } catch {
      this.error(conn, null, 'BAD_REQUEST', 'a message is one JSON object');
      return;
    }
    if (msg === null || typeof msg !== 'object' || Array.isArray(msg)) {
      this.error(conn, null, 'BAD_REQUEST', 'a message is one JSON object with an "op"');
      return;
    }
    const m = msg as Record<string, unknown>;
    const reqId = typeof m.reqId === 'string' && m.reqId.length <= 64 ? m.reqId : null;
    switch (m.op) {
      case 'ping':
        this.send(conn, JSON.stringify({ op: 'pong', tsMs: conn.room.nowTsMs }));
        return;
      case 'subscribe':
      case 'unsubscribe': {
        const chs = m.channels;
        if (!Array.isArray(chs) || chs.length > 50 || !chs.every((c) => typeof c === 'string' && c.length <= 100)) {
          this.error(conn, reqId, 'BAD_REQUEST', 'channels: a list of at most 50 channel names');
          return;
        }
        const bad = chs.find((c) => !this.validChannel(conn, c as string));
        if (bad !== undefined) {
          this.error(conn, reqId, 'BAD_REQUEST', `no such channel here: ${String(bad)}`);
          return;
        }
        if (m.op === 'subscribe') this.subscribe(conn, chs as string[]);
        else for (const c of chs as string[]) this.unsubscribe(conn, c);
        return;
      }
      case 'order':
      case 'cancel':
        this.command(conn, reqId, m);
        return;
      default:
        this.error(conn, reqId, 'BAD_REQUEST', 'op must be one of subscribe, unsubscribe, order, cancel, ping');
        return;
    }
  }

  private command(conn: Conn, reqId: string | null, m: Record<string, unknown>): void {
    const p = conn.principal;
    if (reqId === null) {
      this.error(conn, null, 'BAD_REQUEST', 'orders and cancels need a reqId (a string of at most 64)');
      return;
    }
    if (p === null || p.role !== 'student') {
      this.ack(conn, reqId, { code: 'UNAUTHORIZED', message: 'connect with a student token to trade' });
      return;
    }
    try {
      if (m.op === 'order') {
        const { op: _op, reqId: _r, ...body } = m;
        if (!Value.Check(OrderBody, body)) {
          const first = [...Value.Errors(OrderBody, body)][0];
          this.ack(conn, reqId, {
            code: 'BAD_REQUEST',
            message: `order ${first?.instancePath || 'body'}: ${first?.message ?? 'invalid'}`,
          });
          return;
        }
        void this.settle(conn, reqId, () => placeOrder(this.hub, conn.room, p.studentId, body as unknown as OrderCmd));
        return;
      }
      const orderId = m.orderId;
      if (typeof orderId !== 'number' || !Number.isSafeInteger(orderId) || orderId <= 0) {
        this.ack(conn, reqId, { code: 'BAD_REQUEST', message: 'orderId: a positive whole number' });
        return;
      }
      void this.settle(conn, reqId, () => cancelOrder(this.hub, conn.room, p.studentId, orderId));
      return;
    } catch (e) {
      if (e instanceof HttpError) {
        this.ack(conn, reqId, { code: e.code, message: e.message });
        return;
      }
      throw e;
    }
  }

  /** Acknowledges a command once it is durable (the journal committed it), or answers its refusal. */
  private async settle(conn: Conn, reqId: string, work: () => Promise<unknown>): Promise<void> {
    try {
      this.ack(conn, reqId, null, await work());
    } catch (e) {
      if (e instanceof HttpError) this.ack(conn, reqId, { code: e.code, message: e.message });
      else this.ack(conn, reqId, { code: 'INTERNAL', message: 'something went wrong on the server; it is logged' });
    }
  }

  private validChannel(conn: Conn, ch: string): boolean {
    if (ch === 'status' || ch === 'news') return true;
    if (ch === 'private') return conn.principal?.role === 'student';
    const [kind, mid, ins] = ch.split(':');
    if (!['depth', 'trades', 'ticker', 'bar'].includes(kind ?? '') || mid === undefined || ins === undefined)
      return false;
    return conn.room.marketOf(mid)?.market.listed.engine(ins) != null;
  }

  private subscribe(conn: Conn, chs: string[]): void {
    this.flush();
    const named = chs.map((c) =>
      c === 'private' && conn.principal?.role === 'student'
        ? this.privateChannel(conn.room, conn.principal.studentId)
        : c,
    );
    for (const ch of named) {
      conn.channels.add(ch);
      const k = this.key(conn.room, ch);
      let set = this.subs.get(k);
      if (set === undefined) {
        set = new Set();
        this.subs.set(k, set);
      }
      set.add(conn);
    }
    this.send(conn, JSON.stringify({ op: 'subscribed', channels: chs }));
    for (let i = 0; i < named.length; i++) {
      const snap = this.snapshot(conn, named[i]!);
      if (snap !== null)
        this.send(
          conn,
          JSON.stringify({
            ch: chs[i],
            seq: this.seqs.get(this.key(conn.room, named[i]!)) ?? 0,
            type: 'snapshot',
            data: snap,
          }),
        );
    }
  }

  private unsubscribe(conn: Conn, ch: string): void {
    const named =
      ch === 'private' && conn.principal?.role === 'student'
        ? this.privateChannel(conn.room, conn.principal.studentId)
        : ch;
    conn.channels.delete(named);
    this.subs.get(this.key(conn.room, named))?.delete(conn);
  }

  private snapshot(conn: Conn, ch: string): unknown {
    const room = conn.room;
    if (ch === 'status') return classroomView(room);
    if (ch === 'news') return room.news.slice(-20).reverse().map(newsView);
    if (ch.startsWith('private:')) {
      const p = conn.principal;
      if (p?.role !== 'student') return null;
      return this.privateData(room, p.studentId, 'all');
    }
    const [kind, mid, ins] = ch.split(':') as [string, string, string];
    if (kind === 'depth') {
      // subscribe() flushed first, so the book now is what the channel last published: the snapshot and the
      // next delta line up.
      const v = depthView(room, mid, ins, DEPTH_LEVELS)!;
      this.depth.set(this.key(room, ch), { bids: v.bids, asks: v.asks });
      return v;
    }
    if (kind === 'ticker') return this.ticker(room, mid, ins);
    if (kind === 'trades') return room.recentTrades(mid, ins, 50).map(tradeView);
    return null;
  }

  // ---- classroom events ------------------------------------------------------------------------------------------

  private onEvent(room: Classroom, e: LiveEvent): void {
    switch (e.kind) {
      case 'trade': {
        const base = `${e.marketId}:${e.trade.instrumentId}`;
        this.publish(room, `trades:${base}`, 'event', tradeView(e.trade));
        if (this.hasSubs(room, `ticker:${base}`))
          this.publish(room, `ticker:${base}`, 'event', this.ticker(room, e.marketId, e.trade.instrumentId));
        this.markBook(room, e.marketId, e.trade.instrumentId);
        return;
      }
      case 'book':
        this.markBook(room, e.marketId, e.instrumentId);
        return;
      case 'bar':
        this.publish(room, `bar:${e.marketId}:${e.bar.instrumentId}`, 'event', barView(e.bar));
        return;
      case 'status':
        this.publish(room, 'status', 'event', classroomView(room));
        return;
      case 'news':
        this.publish(room, 'news', 'event', newsView(e.item));
        return;
      case 'private': {
        const ch = this.privateChannel(room, e.studentId);
        if (!this.hasSubs(room, ch)) return;
        const k = this.key(room, ch);
        let set = this.dirtyPrivate.get(k);
        if (set === undefined) {
          set = new Set();
          this.dirtyPrivate.set(k, set);
        }
        set.add(e.what);
        this.queueFlush();
        return;
      }
    }
  }

  private hasSubs(room: Classroom, ch: string): boolean {
    return (this.subs.get(this.key(room, ch))?.size ?? 0) > 0;
  }

  private markBook(room: Classroom, marketId: string, instrumentId: string): void {
    const ch = `depth:${marketId}:${instrumentId}`;
    if (!this.hasSubs(room, ch)) {
      this.depth.delete(this.key(room, ch));
      return;
    }
    this.dirtyBooks.add(`${room.id}|${ch}`);
    this.queueFlush();
  }

  private queueFlush(): void {
    if (this.flushQueued) return;
    this.flushQueued = true;
    setImmediate(() => this.flush());
  }

  /** Sends what changed since the last flush: depth deltas and private updates. */
  flush(): void {
    this.flushQueued = false;
    for (const k of this.dirtyBooks) {
      const [cid, ch] = k.split('|') as [string, string];
      const room = this.hub.rooms.get(cid);
      if (room === undefined) continue;
      const [, mid, ins] = ch.split(':') as [string, string, string];
      const v = depthView(room, mid, ins, DEPTH_LEVELS);
      if (v === null) continue;
      const prev = this.depth.get(k) ?? { bids: [], asks: [] };
      const bids = diffLevels(prev.bids, v.bids);
      const asks = diffLevels(prev.asks, v.asks);
      this.depth.set(k, { bids: v.bids, asks: v.asks });
      if (bids.length > 0 || asks.length > 0) this.publish(room, ch, 'delta', { bids, asks, listings: v.listings });
    }
    this.dirtyBooks.clear();
    for (const [k, whats] of this.dirtyPrivate) {
      const [cid, ch] = k.split('|') as [string, string];
      const room = this.hub.rooms.get(cid);
      const studentId = Number(ch.slice('private:'.length));
      if (room === undefined) continue;
      for (const what of whats) this.publish(room, ch, 'event', this.privateData(room, studentId, what));
    }
    this.dirtyPrivate.clear();
  }

  private privateData(room: Classroom, studentId: number, what: string): unknown {
    const s = room.student(studentId);
    if (s === null) return null;
    const orders = () =>
      [...room.studentOrders(studentId)]
        .reverse()
        .slice(0, 100)
        .map((o) => orderView(room, o));
    const fills = () => [...room.studentFills(studentId)].reverse().slice(0, 100).map(fillView);
    switch (what) {
      case 'order':
        return { kind: 'order', orders: orders() };
      case 'fill':
        return { kind: 'fill', fills: fills() };
      case 'balance':
        return { kind: 'balance', account: accountView(room, s) };
      case 'compliance':
        return { kind: 'compliance', compliance: complianceView(room.compliance(studentId)) };
      default:
        return {
          kind: 'all',
          orders: orders(),
          fills: fills(),
          account: accountView(room, s),
          compliance: complianceView(room.compliance(studentId)),
        };
    }
  }

  private ticker(room: Classroom, marketId: string, instrumentId: string) {
    const mw = room.marketOf(marketId)!;
    const e = mw.market.listed.engine(instrumentId);
    const prevClose = mw.market.stats.closeFen(instrumentId);
    const last = room.lastPriceFen(marketId, instrumentId);
    // The day's listed figures so far come from the market's own accumulators: no scan of the tape per trade.
    const today = mw.market.stats.todaySoFar(instrumentId, 'listed');
    const cny = (f: number): string | null => (f > 0 ? fenToYuan(f) : null);
    return {
      lastCny: cny(last),
      changePct: prevClose > 0 && last > 0 ? Math.round(((last - prevClose) / prevClose) * 10_000) / 100 : 0,
      volumeT: today?.volumeT ?? 0,
      highCny: today === null ? null : cny(today.highFen),
      lowCny: today === null ? null : cny(today.lowFen),
      bidCny: e === null ? null : cny(e.bestBidFen()),
      askCny: e === null ? null : cny(e.bestAskFen()),
    };
  }

  // ---- sending ---------------------------------------------------------------------------------------------------

  private publish(room: Classroom, ch: string, type: 'event' | 'delta', data: unknown): void {
    const k = this.key(room, ch);
    const seq = (this.seqs.get(k) ?? 0) + 1;
    this.seqs.set(k, seq);
    const set = this.subs.get(k);
    if (set === undefined || set.size === 0) return;
    const shown = ch.startsWith('private:') ? 'private' : ch;
    const text = JSON.stringify({ ch: shown, seq, type, data });
    for (const c of set) this.send(c, text);
  }

  private send(conn: Conn, text: string): void {
    if (conn.ws.readyState !== conn.ws.OPEN) return;
    if (conn.ws.bufferedAmount > MAX_BUFFERED_BYTES) {
      // Too slow: drop it rather than queue without bound or slow the others.
      this.stats.dropped++;
      conn.ws.terminate();
      this.drop(conn);
      return;
    }
    conn.ws.send(text);
  }

  private ack(conn: Conn, reqId: string, error: { code: string; message: string } | null, result?: unknown): void {
    this.send(
      conn,
      JSON.stringify(error === null ? { op: 'ack', reqId, ok: true, result } : { op: 'ack', reqId, ok: false, error }),
    );
    this.flush();
  }

  private error(conn: Conn, reqId: string | null, code: string, message: string): void {
    this.send(conn, JSON.stringify({ op: 'error', reqId, error: { code, message } }));
  }

  private beat(): void {
    const text = JSON.stringify({ op: 'heartbeat', tsMs: Date.now() });
    for (const c of [...this.conns]) {
      if (!c.alive) {
        c.ws.terminate();
        this.drop(c);
        continue;
      }
      c.alive = false;
      c.ws.ping();
      this.send(c, text);
    }
  }
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
