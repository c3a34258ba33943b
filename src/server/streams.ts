// WebSocket market data and order entry at /ws. Public channels per classroom (depth, trades, ticker, bar, status,
// news) and a private one per student. Each channel has its own sequence number, one per message: a client that
// sees a gap subscribes again and gets a fresh snapshot.
//
// Nothing is sent from inside a classroom event or a client message: they only record what changed (and queue
// answers: acks, errors, snapshots). Everything goes out in flush(): at once when the server is quiet, under load
// at most every FLUSH_INTERVAL_MS, or further apart when the writes take long (FLUSH_DUTY). Per channel, one
// message carries what happened since the previous flush (the trades as one list, the depth as one coalesced delta
// of the changed levels, the ticker and status as they are now). Each message is serialized and framed once (a
// server's frames are unmasked and, with compression off, the same bytes for every client), and the frame is
// written straight to each subscriber's socket, corked for the flush: one system call per client per flush,
// whatever it subscribes to. The owner may gate a flush (setBeforeFlush: e.g. make the journal durable first;
// the messages are built before the hook runs, from the state it covers, and written after it).
//
// A slow reader never holds up the others: the server counts the bytes it writes to each client and pings it
// with the count; the pong confirms the client has read that far. A client with more than MAX_BUFFERED_BYTES
// written and not confirmed (in our buffer, the operating system's socket buffers or the network, which
// ws.bufferedAmount does not see) is dropped at the next flush. One that answers no ping for 30 s is dropped too.
//
// When the journal cannot write (the hub's journal state), every client is told with an {op:"notice"}, and again when
// it writes again. A classroom the hub rebuilt from its journal after a failed write (onRoomReloaded), and one whose
// channel messages a flush held back, is stale: what was kept of it here (the depth each delta is computed against,
// the changes waiting for the next flush) may show refused commands or lack what clients missed. Its pending changes
// are dropped and no message is built from them; once the journal writes again, the next flush sends every subscribed
// channel of it a fresh snapshot with the next seq, which replaces what the client had.
import { type IncomingMessage, STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import Value from 'typebox/value';
import { type WebSocket, WebSocketServer } from 'ws';
import type { Classroom, LiveEvent } from '../live/classroom.ts';
import { fenToYuan } from '../market/money.ts';
import type { TradeRecord } from '../market/trade.ts';
import { authPrincipal, errorBody, HttpError, statusOf } from './http.ts';
import type { Hub, JournalState, Principal } from './hub.ts';
import { DEFAULT_LIMITS, identityKey, Limits } from './limits.ts';
import { cancelByClientId, cancelOrder, type OrderCmd, placeOrder } from './routes/student.ts';
import { ClientOrderId, OrderBody } from './schemas.ts';
import {
  accountView,
  barView,
  bidView,
  classroomView,
  complianceView,
  type DepthLevel,
  depthView,
  fillView,
  newsView,
  orderView,
} from './views.ts';

const DEPTH_LEVELS = 10;
/** Bytes written to one client and not yet confirmed read (by its pong) before it is dropped as too slow. */
export const MAX_BUFFERED_BYTES = 1 << 20;
/** Least time between two scheduled flushes, ms. */
export const FLUSH_INTERVAL_MS = 5;
/**
 * Under load, flushes are spaced so that writing takes at most this share of the time: a write to a socket costs
 * about the same for 100 bytes as for 10 kB (the system call), so fewer, larger flushes carry the same data for
 * less. The interval follows the time the writes have been taking (a moving average), up to MAX_FLUSH_INTERVAL_MS.
 */
const FLUSH_DUTY = 0.5;
const MAX_FLUSH_INTERVAL_MS = 100;
/**
 * A ping goes out at the end of a flush to a client that has been sent PROBE_BYTES since the last one, or anything
 * at all (a heartbeat, at least) in PROBE_MS; at most MAX_PROBES unanswered.
 */
const PROBE_MS = 1_000;
const PROBE_BYTES = MAX_BUFFERED_BYTES / 8;
const MAX_PROBES = 16;
const HEARTBEAT_MS = 10_000;
/** A client that has not answered a ping for this long is dropped. */
const DEAD_MS = 30_000;
/** Messages a client may send per second (order entry included); beyond that it gets RATE_LIMITED answers. */
const MSGS_PER_SEC = 200;

/** A channel a client asked for, as it names it and as it is kept (a student's `private` is `private:<id>`). */
interface SnapshotWanted {
  readonly shown: string;
  readonly named: string;
}

interface Conn {
  readonly ws: WebSocket;
  /** Who it counts against: the remote address, and the principal's identity (limits.ts identityKey). */
  readonly address: string;
  readonly identity: string;
  /** The ws client's own socket: corked during a flush, and written to with whole frames. */
  readonly socket: Socket;
  readonly room: Classroom;
  readonly principal: Principal | null;
  readonly channels: Set<string>;
  /** Channels subscribed since the last flush: the next flush sends them a snapshot, not its messages. */
  readonly fresh: Set<string>;
  /** Answers and snapshots for the next flush, in order. */
  out: (string | SnapshotWanted)[];
  /** Bytes written to the socket; bytes the client has confirmed reading (the count its last pong carried). */
  sentBytes: number;
  readBytes: number;
  /** Unanswered pings, oldest first: the byte count each carried and when it went out. */
  readonly probes: { bytes: number; at: number }[];
  /** When the last ping went out, and the count it carried. */
  lastProbeAt: number;
  lastProbeBytes: number;
  /** The flush that last looked at this client, and whether it may be written to in it. */
  flushNo: number;
  writable: boolean;
  windowStart: number;
  windowCount: number;
}

interface DepthState {
  bids: DepthLevel[];
  asks: DepthLevel[];
}

/** One channel message of a flush: its frame, who gets it (fixed when the message is built) and its classroom. */
interface Outgoing {
  readonly frame: Buffer;
  readonly to: Conn[];
  readonly room: Classroom;
}

/**
 * A frame for one client. Answers (acks, errors, pongs, heartbeats, subscription confirmations) show nothing a crash
 * could take back (an ok ack is sent only once its command is durable); a snapshot shows the state now, so it is
 * held back, like the channel messages, when the flush's hook fails.
 */
interface DirectFrame {
  readonly frame: Buffer;
  readonly shows: boolean;
}

interface Batch {
  readonly direct: [Conn, DirectFrame[]][];
  readonly messages: Outgoing[];
  /** Stale classrooms this flush sends fresh snapshots of (stale again if they are held back). */
  readonly resynced: Classroom[];
}

export interface StreamStats {
  clients: number;
  dropped: number;
  /** Flushes that wrote something, the time spent in them (building and writing; ms) and the longest. */
  flushes: number;
  flushMs: number;
  maxFlushMs: number;
  /** Frames and bytes written, all clients. */
  frames: number;
  bytes: number;
}

export interface StreamsOptions {
  /** Least time between two scheduled flushes, ms (default FLUSH_INTERVAL_MS; see FLUSH_DUTY for more). */
  flushIntervalMs?: number;
  /** Called before a flush writes anything; a returned promise holds the writes until it settles (see flush). */
  beforeFlush?: () => void | Promise<void>;
  /**
   * An error of a scheduled flush (its hook failed; the same error again is not reported until a flush succeeds) or
   * a command's unexpected failure (default: to stderr).
   */
  onError?: (err: unknown) => void;
  /** Time between heartbeats, ms (default HEARTBEAT_MS). */
  heartbeatMs?: number;
  /**
   * The server's limits: sockets per address and per token, subscriptions per socket, and the per-identity request
   * budget that WebSocket upgrades, orders and cancels count against (default: the DEFAULT_LIMITS, no request limit).
   */
  limits?: Limits;
}

export class Streams {
  private readonly wss = new WebSocketServer({ noServer: true, maxPayload: 16 * 1024, perMessageDeflate: false });
  private readonly subs = new Map<string, Set<Conn>>();
  private readonly seqs = new Map<string, number>();
  private readonly depth = new Map<string, DepthState>();
  private readonly conns = new Set<Conn>();
  /** Open sockets per address and per identity (for the caps). */
  private readonly perAddress = new Map<string, number>();
  private readonly perIdentity = new Map<string, number>();
  private readonly limits: Limits;
  // What changed since the last flush, by channel key.
  private readonly newTrades = new Map<string, { room: Classroom; ch: string; trades: TradeRecord[] }>();
  private readonly dirtyBooks = new Map<string, { room: Classroom; ch: string }>();
  private readonly dirtyTickers = new Map<string, { room: Classroom; ch: string }>();
  private readonly dirtyStatus = new Set<Classroom>();
  private readonly events: { room: Classroom; ch: string; data: unknown }[] = [];
  private readonly dirtyPrivate = new Map<
    string,
    { room: Classroom; ch: string; studentId: number; what: Set<string> }
  >();
  /** Clients with answers or snapshots waiting. */
  private readonly waiting = new Set<Conn>();
  /**
   * Classrooms whose channels get a fresh snapshot at the first flush once the journal writes: rebuilt from the
   * journal (their cached depth and pending changes may show refused commands), or with channel messages held back.
   */
  private readonly stale = new Set<Classroom>();
  private heartbeat: NodeJS.Timeout | null = null;
  private scheduled: { cancel(): void } | null = null;
  private inFlight: Promise<void> | null = null;
  private lastFlushAt = -Infinity;
  /** The last error of the flush hook reported, until a flush succeeds (a broken journal fails every flush). */
  private lastHookError: unknown = null;
  /** Moving average of the time a flush's writes take, ms. */
  private writeMs = 0;
  private flushNo = 0;
  private flushIntervalMs: number;
  private beforeFlush: (() => void | Promise<void>) | null;
  private readonly onError: (err: unknown) => void;
  readonly stats: StreamStats = { clients: 0, dropped: 0, flushes: 0, flushMs: 0, maxFlushMs: 0, frames: 0, bytes: 0 };

  private readonly hub: Hub;

  constructor(hub: Hub, opts: StreamsOptions = {}) {
    this.hub = hub;
    this.flushIntervalMs = opts.flushIntervalMs ?? FLUSH_INTERVAL_MS;
    this.beforeFlush = opts.beforeFlush ?? null;
    this.onError = opts.onError ?? ((err) => console.error('cets streams:', err));
    this.limits = opts.limits ?? new Limits({ ...DEFAULT_LIMITS, requestsPerMin: Number.POSITIVE_INFINITY });
    hub.onRoom((room) => room.on((e) => this.onEvent(room, e)));
    hub.onRoomReloaded((room) => this.reloaded(room));
    hub.onJournalState((s) => this.journalState(s));
    this.heartbeat = setInterval(() => this.beat(), opts.heartbeatMs ?? HEARTBEAT_MS);
    this.heartbeat.unref();
  }

  close(): void {
    if (this.heartbeat !== null) clearInterval(this.heartbeat);
    this.scheduled?.cancel();
    this.scheduled = null;
    for (const c of this.conns) c.ws.terminate();
    this.wss.close();
  }

  /**
   * The hook run before every flush that has something to write, or null for none. If it returns a promise, the
   * flush's messages (already built from the state of the moment it was called) are written when it resolves,
   * and later flushes wait; if it throws or rejects, they are never written (their clients see a sequence gap
   * and subscribe again) and the error goes to onError (or to the caller of flush()).
   */
  setBeforeFlush(hook: (() => void | Promise<void>) | null): void {
    this.beforeFlush = hook;
  }

  /** The least time between two scheduled flushes, ms. */
  setFlushInterval(ms: number): void {
    this.flushIntervalMs = ms;
  }

  /** The current sequence number of a channel (REST depth answers carry it, to line up with the socket). */
  seqOf(room: Classroom, channel: string): number {
    return this.seqs.get(`${room.id}|${channel}`) ?? 0;
  }

  /** Upgrade handler for the HTTP server: /ws?token=...&classroom=... */
  upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    let url: URL;
    try {
      url = new URL(req.url ?? '/', 'http://x');
    } catch {
      socket.destroy();
      return;
    }
    if (url.pathname !== '/ws') {
      socket.destroy();
      return;
    }
    const address = req.socket.remoteAddress ?? '?';
    const token = url.searchParams.get('token') ?? undefined;
    const principal = token === undefined ? null : authPrincipal(this.hub, token);
    const identity = identityKey(principal, address);
    // An upgrade is a request: it counts against the identity's budget (the address's, for a wrong token).
    const limited = this.limits.request(identity);
    if (limited !== null) {
      refuseUpgrade(socket, 'RATE_LIMITED', limited);
      return;
    }
    if (token !== undefined && principal === null) {
      refuseUpgrade(
        socket,
        'UNAUTHORIZED',
        this.hub.auth(token)?.role === 'student' ? 'this token was revoked by the instructor' : 'unknown token',
      );
      return;
    }
    const cid =
      principal !== null && principal.role !== 'admin'
        ? principal.classroomId
        : (url.searchParams.get('classroom') ?? 'default');
    const room = this.hub.rooms.get(cid);
    if (room === undefined) {
      refuseUpgrade(socket, 'NOT_FOUND', 'no such classroom');
      return;
    }
    const { socketsPerAddress, socketsPerToken } = this.limits.settings;
    if ((this.perAddress.get(address) ?? 0) >= socketsPerAddress) {
      refuseUpgrade(
        socket,
        'TOO_MANY_CONNECTIONS',
        `at most ${socketsPerAddress} WebSocket connections from one address; close one first`,
      );
      return;
    }
    if (principal !== null && (this.perIdentity.get(identity) ?? 0) >= socketsPerToken) {
      refuseUpgrade(
        socket,
        'TOO_MANY_CONNECTIONS',
        `at most ${socketsPerToken} WebSocket connections with one token; close one first`,
      );
      return;
    }
    // Counted now, not when the handshake ends, so that a burst of upgrades cannot pass the cap together.
    this.count(address, identity, principal !== null, 1);
    let accepted = false;
    socket.once('close', () => {
      if (!accepted) this.count(address, identity, principal !== null, -1);
    });
    this.wss.handleUpgrade(req, socket, head, (ws) => {
      accepted = true;
      this.accept(ws, room, principal, address, identity);
    });
  }

  private count(address: string, identity: string, withToken: boolean, d: number): void {
    const bump = (m: Map<string, number>, k: string) => {
      const n = (m.get(k) ?? 0) + d;
      if (n <= 0) m.delete(k);
      else m.set(k, n);
    };
    bump(this.perAddress, address);
    if (withToken) bump(this.perIdentity, identity);
  }

  /** Closes every socket of a student (their token was revoked). */
  closeStudent(room: Classroom, studentId: number): void {
    for (const c of [...this.conns])
      if (c.room === room && c.principal?.role === 'student' && c.principal.studentId === studentId) {
        c.ws.close(4401, 'token revoked');
        this.drop(c);
      }
  }

  private accept(ws: WebSocket, room: Classroom, principal: Principal | null, address: string, identity: string): void {
    const conn: Conn = {
      ws,
      address,
      identity,
      socket: (ws as unknown as { _socket: Socket })._socket,
      room,
      principal,
      channels: new Set(),
      fresh: new Set(),
      out: [],
      sentBytes: 0,
      readBytes: 0,
      probes: [],
      lastProbeAt: 0,
      lastProbeBytes: 0,
      flushNo: 0,
      writable: false,
      windowStart: 0,
      windowCount: 0,
    };
    this.conns.add(conn);
    this.stats.clients = this.conns.size;
    ws.on('pong', (data) => {
      // Only the answer to our own ping counts: it says the client has read everything written before it.
      // Pongs come back in order; one that answers none of our pings is ignored.
      const n = Number(data.toString());
      const i = conn.probes.findIndex((p) => p.bytes === n);
      if (i < 0) return;
      conn.readBytes = n;
      conn.probes.splice(0, i + 1);
    });
    ws.on('message', (data, isBinary) => this.onMessage(conn, isBinary ? null : data.toString()));
    ws.on('close', () => this.drop(conn));
    ws.on('error', () => this.drop(conn));
    if (principal?.role === 'student') this.subscribe(conn, ['private']);
    const state = this.hub.journalState();
    if (!state.writable) this.answer(conn, journalNotice(state));
  }

  private drop(conn: Conn): void {
    if (!this.conns.delete(conn)) return;
    this.count(conn.address, conn.identity, conn.principal !== null, -1);
    for (const ch of conn.channels) this.subs.get(this.key(conn.room, ch))?.delete(conn);
    this.waiting.delete(conn);
    this.stats.clients = this.conns.size;
  }

  private key(room: Classroom, ch: string): string {
    return `${room.id}|${ch}`;
  }

  private privateChannel(studentId: number): string {
    return `private:${studentId}`;
  }

  private named(conn: Conn, ch: string): string {
    return ch === 'private' && conn.principal?.role === 'student' ? this.privateChannel(conn.principal.studentId) : ch;
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
        this.answer(conn, JSON.stringify({ op: 'pong', tsMs: conn.room.nowTsMs }));
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
        const max = this.limits.settings.subscriptionsPerSocket;
        if (m.op === 'subscribe' && new Set([...conn.channels, ...chs.map((c) => this.named(conn, c))]).size > max) {
          this.error(
            conn,
            reqId,
            'TOO_MANY_SUBSCRIPTIONS',
            `at most ${max} channels on one connection; unsubscribe from some first`,
          );
          return;
        }
        if (m.op === 'subscribe') this.subscribe(conn, chs as string[]);
        else for (const c of chs as string[]) this.unsubscribe(conn, c);
        return;
      }
      case 'order':
      case 'cancel':
        void this.command(conn, reqId, m);
        return;
      default:
        this.error(conn, reqId, 'BAD_REQUEST', 'op must be one of subscribe, unsubscribe, order, cancel, ping');
        return;
    }
  }

  private async command(conn: Conn, reqId: string | null, m: Record<string, unknown>): Promise<void> {
    const p = conn.principal;
    if (reqId === null) {
      this.error(conn, null, 'BAD_REQUEST', 'orders and cancels need a reqId (a string of at most 64)');
      return;
    }
    if (p === null || p.role !== 'student') {
      this.ack(conn, reqId, { code: 'UNAUTHORIZED', message: 'connect with a student token to trade' });
      return;
    }
    // The same budget as the student's HTTP requests.
    const limited = this.limits.request(conn.identity);
    if (limited !== null) {
      this.ack(conn, reqId, { code: 'RATE_LIMITED', message: limited });
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
        // Answered once the order is durable (placeOrder resolves after the journal commits it).
        this.ack(conn, reqId, null, await placeOrder(this.hub, conn.room, p.studentId, body as unknown as OrderCmd));
        return;
      }
      // A cancel names the order by the exchange's id or by the student's own (clientOrderId), not both.
      const { orderId, clientOrderId } = m;
      if (clientOrderId !== undefined && orderId === undefined) {
        if (!Value.Check(ClientOrderId, clientOrderId)) {
          this.ack(conn, reqId, {
            code: 'BAD_REQUEST',
            message: 'clientOrderId: 1 to 36 letters, digits or _ . : -',
          });
          return;
        }
        this.ack(conn, reqId, null, await cancelByClientId(this.hub, conn.room, p.studentId, clientOrderId));
        return;
      }
      if (
        typeof orderId !== 'number' ||
        !Number.isSafeInteger(orderId) ||
        orderId <= 0 ||
        clientOrderId !== undefined
      ) {
        this.ack(conn, reqId, {
          code: 'BAD_REQUEST',
          message: 'a cancel needs orderId (a positive whole number) or clientOrderId, not both',
        });
        return;
      }
      this.ack(conn, reqId, null, await cancelOrder(this.hub, conn.room, p.studentId, orderId));
    } catch (e) {
      if (e instanceof HttpError) {
        this.ack(conn, reqId, { code: e.code, message: e.message });
        return;
      }
      this.ack(conn, reqId, { code: 'INTERNAL', message: 'something went wrong on the server; it is logged' });
      this.onError(e);
    }
  }

  /**
   * Whether a channel name is one of this classroom's: status, news, private (students), or kind:market:instrument
   * with exactly those three parts, a market of the classroom and an instrument it lists. Anything else would be a
   * new key in the server's maps for every name a client makes up.
   */
  private validChannel(conn: Conn, ch: string): boolean {
    if (ch === 'status' || ch === 'news') return true;
    if (ch === 'private') return conn.principal?.role === 'student';
    const parts = ch.split(':');
    if (parts.length !== 3) return false;
    const [kind, mid, ins] = parts as [string, string, string];
    if (kind !== 'depth' && kind !== 'trades' && kind !== 'ticker' && kind !== 'bar') return false;
    return conn.room.hasBook(mid, ins);
  }

  /** Subscribed at once (so events are kept for it); the snapshots are taken in the next flush. */
  private subscribe(conn: Conn, chs: string[]): void {
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
    this.waiting.add(conn);
    this.queueFlush();
  }

  private unsubscribe(conn: Conn, ch: string): void {
    const named = this.named(conn, ch);
    conn.channels.delete(named);
    conn.fresh.delete(named);
    this.subs.get(this.key(conn.room, named))?.delete(conn);
  }

  /** A channel's snapshot (its kept name: `private:<studentId>`), or null for a channel without one (bar). */
  private snapshot(room: Classroom, ch: string): unknown {
    if (ch === 'status') return classroomView(room);
    if (ch === 'news') return room.news.slice(-20).reverse().map(newsView);
    if (ch.startsWith('private:')) return this.privateData(room, Number(ch.slice('private:'.length)), 'all');
    const [kind, mid, ins] = ch.split(':') as [string, string, string];
    if (kind === 'depth') {
      // Taken after this flush's delta was built: the channel's state is the book now, and so is the snapshot.
      const v = depthView(room, mid, ins, DEPTH_LEVELS)!;
      this.depth.set(this.key(room, ch), { bids: v.bids, asks: v.asks });
      return v;
    }
    if (kind === 'ticker') return this.ticker(room, mid, ins);
    if (kind === 'trades') return room.recentTrades(mid, ins, 50).reverse().map(channelTrade);
    return null;
  }

  // ---- classroom events: recorded for the next flush -------------------------------------------------------------

  private onEvent(room: Classroom, e: LiveEvent): void {
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
        const ch = this.privateChannel(e.studentId);
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
    }
    this.queueFlush();
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

  // ---- flushing ----------------------------------------------------------------------------------------------------

  private hasPending(): boolean {
    return (
      this.waiting.size > 0 ||
      (this.stale.size > 0 && this.hub.journalState().writable) ||
      this.newTrades.size > 0 ||
      this.dirtyBooks.size > 0 ||
      this.dirtyTickers.size > 0 ||
      this.dirtyStatus.size > 0 ||
      this.events.length > 0 ||
      this.dirtyPrivate.size > 0
    );
  }

  /** The time from one scheduled flush to the next, ms: at least the set interval, longer when writes are slow. */
  private interval(): number {
    return Math.min(MAX_FLUSH_INTERVAL_MS, Math.max(this.flushIntervalMs, this.writeMs / FLUSH_DUTY));
  }

  /** A flush at once if the last one is older than the interval, else when it will be. */
  private queueFlush(): void {
    if (this.scheduled !== null || this.inFlight !== null) return;
    const run = () => {
      this.scheduled = null;
      this.flush().catch((e: unknown) => {
        if (e === this.lastHookError) return;
        this.lastHookError = e;
        this.onError(e);
      });
    };
    const wait = this.lastFlushAt + this.interval() - performance.now();
    if (wait <= 0) {
      const h = setImmediate(run);
      this.scheduled = { cancel: () => clearImmediate(h) };
    } else {
      const h = setTimeout(run, Math.ceil(wait));
      this.scheduled = { cancel: () => clearTimeout(h) };
    }
  }

  /**
   * Sends everything that changed since the last flush: answers, snapshots, one message per changed channel.
   * Runs by itself (see queueFlush); the owner may call it to send at once. The messages are built now; the
   * beforeFlush hook runs; they are written when it returns (or its promise resolves). Resolves when written.
   * While a flush waits for its hook, a new one waits for it. If the hook fails (the journal broke), only the answers
   * are written: what shows the state (channel messages, snapshots) is dropped, and the clients that wanted a
   * snapshot are told why; acks, refusals, pongs and heartbeats still go out, so a client is never left silent.
   */
  flush(): Promise<void> {
    if (this.inFlight !== null) return this.inFlight.then(() => this.flush());
    this.scheduled?.cancel();
    this.scheduled = null;
    if (!this.hasPending()) return Promise.resolve();
    const t0 = performance.now();
    this.lastFlushAt = t0;
    const batch = this.collect();
    if (batch.direct.length === 0 && batch.messages.length === 0) return Promise.resolve();
    let gate: void | Promise<void>;
    try {
      gate = this.beforeFlush?.();
    } catch (e) {
      this.write(batch, t0, false);
      return Promise.reject(e);
    }
    if (gate === undefined || typeof (gate as Promise<void>).then !== 'function') {
      this.write(batch, t0, true);
      this.lastHookError = null;
      return Promise.resolve();
    }
    const inFlight = (gate as Promise<void>)
      .then(
        () => {
          this.write(batch, performance.now(), true);
          this.lastHookError = null;
        },
        (e: unknown) => {
          this.write(batch, performance.now(), false);
          throw e;
        },
      )
      .finally(() => {
        this.inFlight = null;
        if (this.hasPending()) this.queueFlush();
      });
    this.inFlight = inFlight;
    return inFlight;
  }

  /** Builds the flush's messages (and takes its sequence numbers) from the state now. */
  private collect(): Batch {
    const messages: Outgoing[] = [];
    // Stale classrooms: nothing is built from what was pending of them. Once the journal writes, every subscribed
    // channel of theirs gets a fresh snapshot instead, with the next seq (bar, which has none, goes on as it was).
    const resynced = this.stale.size > 0 && this.hub.journalState().writable ? [...this.stale] : [];
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
      this.publish(messages, t.room, k, t.ch, 'event', this.ticker(t.room, mid, ins));
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
        this.publish(messages, p.room, k, p.ch, 'event', this.privateData(p.room, p.studentId, what));
    this.dirtyPrivate.clear();

    // Answers and snapshots, after the messages: a snapshot shows the state they brought.
    const direct: [Conn, DirectFrame[]][] = [];
    const snaps = new Map<string, Buffer>();
    for (const conn of this.waiting) {
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
    this.waiting.clear();
    return { direct, messages, resynced };
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
  }

  /**
   * A classroom rebuilt in place from its journal (a write failed): what was kept of it here may show commands that
   * were refused. Its cached depth and pending changes are dropped, and its channels get fresh snapshots once the
   * journal writes again (collect).
   */
  private reloaded(room: Classroom): void {
    const prefix = `${room.id}|`;
    for (const k of [...this.depth.keys()]) if (k.startsWith(prefix)) this.depth.delete(k);
    this.dropPending(room, false);
    this.stale.add(room);
    this.queueFlush();
  }

  /** The journal stopped or started writing: every client is told; once it writes, stale classrooms are resent. */
  private journalState(s: JournalState): void {
    const text = journalNotice(s);
    for (const c of this.conns) this.answer(c, text);
    if (s.writable) this.queueFlush();
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

  /**
   * Writes a built flush: each client's socket corked, its frames written, a ping if due, uncorked. Without `shown`
   * (the hook failed: what the messages show may not be durable), only the answers are written.
   */
  private write(batch: Batch, t0: number, shown: boolean): void {
    // Held back because the journal does not write: the classrooms whose messages or snapshots are not sent get fresh
    // snapshots once it does (their seqs moved on; what is cached here is ahead of what the clients have).
    const resync = !shown && !this.hub.journalState().writable;
    if (resync) {
      for (const m of batch.messages) this.stale.add(m.room);
      for (const room of batch.resynced) this.stale.add(room);
    }
    const no = ++this.flushNo;
    const now = Date.now();
    const tw = performance.now();
    const corked: Conn[] = [];
    const open = (c: Conn): boolean => {
      if (c.flushNo === no) return c.writable;
      c.flushNo = no;
      c.writable = this.writable(c);
      if (c.writable) {
        c.socket.cork();
        corked.push(c);
      }
      return c.writable;
    };
    let frames = 0;
    let bytes = 0;
    for (const [c, list] of batch.direct)
      if (open(c)) {
        let held = false;
        for (const { frame: f, shows } of list) {
          if (shows && !shown) {
            held = true;
            continue;
          }
          c.socket.write(f);
          c.sentBytes += f.length;
          frames++;
          bytes += f.length;
        }
        if (held) {
          if (resync) this.stale.add(c.room);
          c.socket.write(HELD_BACK);
          c.sentBytes += HELD_BACK.length;
        }
      }
    for (const m of shown ? batch.messages : []) {
      const f = m.frame;
      let n = 0;
      for (const c of m.to)
        if (open(c)) {
          c.socket.write(f);
          c.sentBytes += f.length;
          n++;
        }
      frames += n;
      bytes += n * f.length;
    }
    for (const c of corked) {
      const due =
        c.sentBytes > c.lastProbeBytes &&
        (now - c.lastProbeAt >= PROBE_MS || c.sentBytes - c.lastProbeBytes >= PROBE_BYTES);
      if (due && c.probes.length < MAX_PROBES) {
        c.probes.push({ bytes: c.sentBytes, at: now });
        c.lastProbeAt = now;
        c.lastProbeBytes = c.sentBytes;
        c.ws.ping(String(c.sentBytes));
      }
      c.socket.uncork();
    }
    const end = performance.now();
    this.writeMs += 0.2 * (end - tw - this.writeMs);
    const ms = end - t0;
    this.stats.flushes++;
    this.stats.flushMs += ms;
    this.stats.maxFlushMs = Math.max(this.stats.maxFlushMs, ms);
    this.stats.frames += frames;
    this.stats.bytes += bytes;
  }

  /** Whether a client may be written to now; one too far behind is dropped. */
  private writable(c: Conn): boolean {
    if (c.ws.readyState !== c.ws.OPEN || !this.conns.has(c)) return false;
    // Written and not confirmed read: in our buffer, the kernel's, or the network. bufferedAmount (our buffer
    // only) is within it, as long as the count covers every write.
    const behind = Math.max(c.sentBytes - c.readBytes, c.ws.bufferedAmount);
    if (behind > MAX_BUFFERED_BYTES) {
      // Too slow: drop it rather than queue without bound or slow the others.
      this.stats.dropped++;
      c.ws.terminate();
      this.drop(c);
      return false;
    }
    return true;
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

  private ticker(room: Classroom, marketId: string, instrumentId: string) {
    const t = room.ticker(marketId, instrumentId);
    const last = t.lastFen;
    const prevClose = t.prevCloseFen;
    const today = t.today;
    const cny = (f: number | null): string | null => (f !== null && f > 0 ? fenToYuan(f) : null);
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

  // ---- answers -----------------------------------------------------------------------------------------------------

  /** An answer to one client, sent with the next flush. */
  private answer(conn: Conn, text: string): void {
    if (!this.conns.has(conn)) return;
    conn.out.push(text);
    this.waiting.add(conn);
    this.queueFlush();
  }

  private ack(conn: Conn, reqId: string, error: { code: string; message: string } | null, result?: unknown): void {
    this.answer(
      conn,
      JSON.stringify(error === null ? { op: 'ack', reqId, ok: true, result } : { op: 'ack', reqId, ok: false, error }),
    );
  }

  private error(conn: Conn, reqId: string | null, code: string, message: string): void {
    this.answer(conn, JSON.stringify({ op: 'error', reqId, error: { code, message } }));
  }

  private beat(): void {
    const now = Date.now();
    const text = JSON.stringify({ op: 'heartbeat', tsMs: now });
    for (const c of [...this.conns]) {
      if (c.probes.length > 0 && now - c.probes[0]!.at > DEAD_MS) {
        c.ws.terminate();
        this.drop(c);
        continue;
      }
      this.answer(c, text); // and a ping goes with it (see PROBE_MS)
    }
  }
}

/**
 * A trade on a trades channel: what GET .../trades gives less what the channel names (market, instrument) and the
 * time text (the client has tsMs): every subscriber gets every trade, so bytes count.
 */
function channelTrade(t: TradeRecord) {
  return {
    tradeId: t.tradeId,
    tsMs: t.tsMs,
    priceCny: fenToYuan(t.priceFen),
    qtyT: t.qtyT,
    mode: t.mode,
    aggressor: t.mode === 'listed' ? t.aggressor : null,
  };
}

/** Refuses a WebSocket upgrade with an HTTP answer in the API's error shape. */
function refuseUpgrade(socket: Duplex, code: string, message: string): void {
  const status = statusOf(code);
  const body = JSON.stringify(errorBody(code, message));
  socket.end(
    `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nContent-Type: application/json; charset=utf-8\r\n` +
      `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
  );
}

/**
 * What every client is told when the journal stops writing (changes are refused, market data is held back) and when it
 * writes again: `{op: "notice", journal: <the hub's JournalState>, message}`.
 */
function journalNotice(s: JournalState): string {
  const message = s.writable
    ? 'the server records changes again: orders are taken, and each channel that missed messages gets a fresh snapshot'
    : s.needsRestart
      ? `the server cannot record changes (${s.reason}) and needs a restart: orders and other changes are refused ` +
        'and market data is held back; nothing acknowledged is lost'
      : `the server cannot record changes (${s.reason}): orders and other changes are refused and market data is ` +
        'held back until it can again (once its disk has room); nothing acknowledged is lost';
  return JSON.stringify({ op: 'notice', journal: s, message });
}

/** Told to a client whose snapshot was held back because the journal could not make the state durable. */
const HELD_BACK = textFrame(
  JSON.stringify({
    op: 'error',
    reqId: null,
    error: {
      code: 'JOURNAL_ERR_WRITE',
      message:
        'the server cannot record changes just now, so market data is held back and orders are refused; ' +
        'subscribe again later',
    },
  }),
);

/** A WebSocket text frame as a server sends it (final, unmasked, uncompressed), header and payload in one buffer. */
function textFrame(text: string): Buffer {
  const n = Buffer.byteLength(text);
  const head = n < 126 ? 2 : n < 65_536 ? 4 : 10;
  const f = Buffer.allocUnsafe(head + n);
  f[0] = 0x81;
  if (n < 126) f[1] = n;
  else if (n < 65_536) {
    f[1] = 126;
    f.writeUInt16BE(n, 2);
  } else {
    f[1] = 127;
    f.writeUInt32BE(Math.floor(n / 2 ** 32), 2);
    f.writeUInt32BE(n >>> 0, 6);
  }
  f.write(text, head);
  return f;
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
