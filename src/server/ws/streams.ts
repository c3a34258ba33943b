// WebSocket market data and order entry at /ws: public channels per classroom (depth, trades, ticker, bar, status,
// news) and a private one per student (channels.ts), written out in flushes (transport.ts), in the wire format of
// messages.ts. This file admits connections (tokens, the caps per address and per token) and handles what clients
// send: subscriptions, orders and cancels (order-entry.ts, as over HTTP), pings.
//
// When the journal cannot write (the hub's journal state), every client is told with an {op:"notice"}, and again when
// it writes again; a classroom the hub rebuilt from its journal gets fresh snapshots (channels.ts).
import type { IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { type WebSocket, WebSocketServer } from 'ws';
import type { Classroom } from '../../live/classroom.ts';
import { authPrincipal, HttpError } from '../http.ts';
import type { Hub, JournalState, Principal } from '../hub.ts';
import { DEFAULT_LIMITS, identityKey, Limits } from '../limits.ts';
import { cancelByClientId, cancelOrder, placeOrder } from '../order-entry.ts';
import { validChannel } from './channel-data.ts';
import { Channels } from './channels.ts';
import type { Conn, StreamStats } from './conn.ts';
import { ackText, type ClientMessage, errorText, journalNotice, readClientMessage, refuseUpgrade } from './messages.ts';
import { FLUSH_INTERVAL_MS, Transport } from './transport.ts';

export { MAX_BUFFERED_BYTES } from './transport.ts';

const HEARTBEAT_MS = 10_000;
/** Messages a client may send per second (order entry included); beyond that it gets RATE_LIMITED answers. */
const MSGS_PER_SEC = 200;

export interface StreamsOptions {
  /** Least time between two scheduled flushes, ms (default FLUSH_INTERVAL_MS; see transport.ts for more). */
  flushIntervalMs?: number;
  /** Called before a flush writes anything; a returned promise holds the writes until it settles (see flush). */
  beforeFlush?: () => void | Promise<void>;
  /**
   * An error of a scheduled flush (its hook failed; the same error again is not reported until a flush succeeds) or
   * a command's unexpected failure (default: thrown away; the server passes its logger's).
   */
  onError?: (err: unknown) => void;
  /** Time between heartbeats, ms (default HEARTBEAT_MS). */
  heartbeatMs?: number;
  /**
   * The server's limits: sockets per address and per token, subscriptions per socket, and the per-identity request
   * budget that WebSocket upgrades, orders and cancels count against (default: the DEFAULT_LIMITS, no request limit).
   */
  limits?: Limits;
  /** The server's clock (wall ms): message rates, pings, heartbeats. */
  now: () => number;
}

export class Streams {
  private readonly wss = new WebSocketServer({ noServer: true, maxPayload: 16 * 1024, perMessageDeflate: false });
  private readonly channels = new Channels();
  private readonly transport: Transport;
  /** Open sockets per address and per identity (for the caps). */
  private readonly perAddress = new Map<string, number>();
  private readonly perIdentity = new Map<string, number>();
  private readonly limits: Limits;
  private readonly now: () => number;
  private heartbeat: NodeJS.Timeout | null = null;
  private readonly onError: (err: unknown) => void;
  private readonly hub: Hub;

  constructor(hub: Hub, opts: StreamsOptions) {
    this.hub = hub;
    this.now = opts.now;
    this.onError = opts.onError ?? (() => undefined);
    this.limits = opts.limits ?? new Limits({ ...DEFAULT_LIMITS, requestsPerMin: Number.POSITIVE_INFINITY }, opts.now);
    this.transport = new Transport({
      channels: this.channels,
      writable: () => hub.journalState().writable,
      now: this.now,
      dropped: (c) => this.drop(c),
      onError: (e) => this.onError(e),
      flushIntervalMs: opts.flushIntervalMs ?? FLUSH_INTERVAL_MS,
      beforeFlush: opts.beforeFlush ?? null,
    });
    hub.onRoom((room) =>
      room.on((e) => {
        this.channels.onEvent(room, e);
        this.transport.queueFlush();
      }),
    );
    hub.onRoomReloaded((room) => {
      this.channels.reloaded(room);
      this.transport.queueFlush();
    });
    hub.onJournalState((s) => this.journalState(s));
    this.heartbeat = setInterval(() => this.transport.beat(), opts.heartbeatMs ?? HEARTBEAT_MS);
    this.heartbeat.unref();
  }

  get stats(): StreamStats {
    return this.transport.stats;
  }

  /** The channel keys held, with their subscribers and sequence numbers (tests: no made-up name adds one). */
  get subs(): ReadonlyMap<string, ReadonlySet<Conn>> {
    return this.channels.subs;
  }
  get seqs(): ReadonlyMap<string, number> {
    return this.channels.seqs;
  }

  close(): void {
    if (this.heartbeat !== null) clearInterval(this.heartbeat);
    this.transport.close();
    this.wss.close();
  }

  /**
   * The hook run before every flush that has something to write, or null for none. If it returns a promise, the
   * flush's messages (already built from the state of the moment it was called) are written when it resolves,
   * and later flushes wait; if it throws or rejects, they are never written (their clients see a sequence gap
   * and subscribe again) and the error goes to onError (or to the caller of flush()).
   */
  setBeforeFlush(hook: (() => void | Promise<void>) | null): void {
    this.transport.beforeFlush = hook;
  }

  /** The least time between two scheduled flushes, ms. */
  setFlushInterval(ms: number): void {
    this.transport.flushIntervalMs = ms;
  }

  /** Sends what is pending now (see Transport.flush). */
  flush(): Promise<void> {
    return this.transport.flush();
  }

  /** The current sequence number of a channel (REST depth answers carry it, to line up with the socket). */
  seqOf(room: Classroom, channel: string): number {
    return this.channels.seqOf(room, channel);
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
    for (const c of [...this.transport.conns])
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
    this.transport.add(conn);
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
    if (principal?.role === 'student') this.hub.presence.opened(room, principal.studentId);
    const state = this.hub.journalState();
    if (!state.writable) this.transport.answer(conn, journalNotice(state));
  }

  private drop(conn: Conn): void {
    if (!this.transport.remove(conn)) return;
    if (conn.principal?.role === 'student') this.hub.presence.closed(conn.room, conn.principal.studentId, this.now());
    this.count(conn.address, conn.identity, conn.principal !== null, -1);
    this.channels.forget(conn);
  }

  private subscribe(conn: Conn, chs: string[]): void {
    this.channels.subscribe(conn, chs);
    this.transport.wait(conn);
  }

  /** The journal stopped or started writing: every client is told; once it writes, stale classrooms are resent. */
  private journalState(s: JournalState): void {
    const text = journalNotice(s);
    for (const c of this.transport.conns) this.transport.answer(c, text);
    if (s.writable) this.transport.queueFlush();
  }

  // ---- client messages -------------------------------------------------------------------------------------------

  private onMessage(conn: Conn, text: string | null): void {
    const now = this.now();
    if (now - conn.windowStart >= 1_000) {
      conn.windowStart = now;
      conn.windowCount = 0;
    }
    if (++conn.windowCount > MSGS_PER_SEC) {
      this.transport.answer(conn, errorText(null, 'RATE_LIMITED', `at most ${MSGS_PER_SEC} messages a second`));
      return;
    }
    const m = readClientMessage(text);
    switch (m.op) {
      case 'error':
        this.transport.answer(conn, errorText(m.reqId, m.code, m.message));
        return;
      case 'ping':
        this.transport.answer(conn, JSON.stringify({ op: 'pong', tsMs: conn.room.nowTsMs }));
        return;
      case 'subscribe':
      case 'unsubscribe': {
        const bad = m.channels.find((c) => !validChannel(conn.room, conn.principal, c));
        if (bad !== undefined) {
          this.transport.answer(conn, errorText(m.reqId, 'BAD_REQUEST', `no such channel here: ${String(bad)}`));
          return;
        }
        const max = this.limits.settings.subscriptionsPerSocket;
        const all = new Set([...conn.channels, ...m.channels.map((c) => this.channels.named(conn, c))]);
        if (m.op === 'subscribe' && all.size > max) {
          const message = `at most ${max} channels on one connection; unsubscribe from some first`;
          this.transport.answer(conn, errorText(m.reqId, 'TOO_MANY_SUBSCRIPTIONS', message));
          return;
        }
        if (m.op === 'subscribe') this.subscribe(conn, m.channels);
        else for (const c of m.channels) this.channels.unsubscribe(conn, c);
        return;
      }
      default:
        void this.command(conn, m);
    }
  }

  /** An order or a cancel: a student's, within their request budget; answered once durable. */
  private async command(conn: Conn, m: Extract<ClientMessage, { reqId: string }>): Promise<void> {
    const p = conn.principal;
    const ack = (error: { code: string; message: string } | null, result?: unknown) =>
      this.transport.answer(conn, ackText(m.reqId, error, result));
    if (p === null || p.role !== 'student') {
      ack({ code: 'UNAUTHORIZED', message: 'connect with a student token to trade' });
      return;
    }
    // The same budget as the student's HTTP requests.
    const limited = this.limits.request(conn.identity);
    if (limited !== null) {
      ack({ code: 'RATE_LIMITED', message: limited });
      return;
    }
    try {
      if (m.op === 'refused') ack({ code: m.code, message: m.message });
      // Each answered once its command is durable (order entry resolves after the journal commits it).
      else if (m.op === 'order') ack(null, await placeOrder(this.hub, conn.room, p.studentId, m.body));
      else if (m.op === 'cancel-client')
        ack(null, await cancelByClientId(this.hub, conn.room, p.studentId, m.clientOrderId));
      else if (m.op === 'cancel') ack(null, await cancelOrder(this.hub, conn.room, p.studentId, m.orderId));
    } catch (e) {
      if (e instanceof HttpError) {
        ack({ code: e.code, message: e.message });
        return;
      }
      ack({ code: 'INTERNAL', message: 'something went wrong on the server; it is logged' });
      this.onError(e);
    }
  }
}
