// Getting frames to the clients. Nothing is sent from inside a classroom event or a client message: they only record
// what changed and queue answers. Everything goes out in flush(): at once when the server is quiet, under load at
// most every FLUSH_INTERVAL_MS, or further apart when the writes take long (FLUSH_DUTY). Each message is framed once
// (a server's frames are unmasked and, with compression off, the same bytes for every client) and written straight
// to each subscriber's socket, corked for the flush: one system call per client per flush, whatever it subscribes
// to. The owner may gate a flush (setBeforeFlush: e.g. make the journal durable first; the messages are built before
// the hook runs, from the state it covers, and written after it).
//
// A slow reader never holds up the others: the server counts the bytes it writes to each client and pings it with
// the count; the pong confirms the client has read that far. A client with more than MAX_BUFFERED_BYTES written and
// not confirmed (in our buffer, the operating system's socket buffers or the network, which ws.bufferedAmount does
// not see) is dropped at the next flush. One that answers no ping for DEAD_MS is dropped too. Times of pings and
// heartbeats are the server's injected clock; the pacing of flushes is the process's monotonic timer.
import type { Classroom } from '../../live/classroom.ts';
import type { Channels } from './channels.ts';
import type { Batch, Conn, StreamStats } from './conn.ts';
import { HELD_BACK } from './messages.ts';

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
/** A client that has not answered a ping for this long is dropped. */
const DEAD_MS = 30_000;

export interface TransportOptions {
  readonly channels: Channels;
  /** Whether the journal writes now (held-back classrooms resync once it does). */
  readonly writable: () => boolean;
  /** The server's clock (wall ms). */
  readonly now: () => number;
  /** A connection is gone (closed, dropped as slow or dead). */
  readonly dropped: (conn: Conn) => void;
  readonly onError: (err: unknown) => void;
  readonly flushIntervalMs: number;
  readonly beforeFlush: (() => void | Promise<void>) | null;
}

export class Transport {
  readonly conns = new Set<Conn>();
  readonly stats: StreamStats = { clients: 0, dropped: 0, flushes: 0, flushMs: 0, maxFlushMs: 0, frames: 0, bytes: 0 };
  /** Clients with answers or snapshots waiting. */
  private readonly waiting = new Set<Conn>();
  private readonly o: TransportOptions;
  private scheduled: { cancel(): void } | null = null;
  private inFlight: Promise<void> | null = null;
  private lastFlushAt = -Infinity;
  /** The last error of the flush hook reported, until a flush succeeds (a broken journal fails every flush). */
  private lastHookError: unknown = null;
  /** Moving average of the time a flush's writes take, ms. */
  private writeMs = 0;
  private flushNo = 0;
  flushIntervalMs: number;
  beforeFlush: (() => void | Promise<void>) | null;

  constructor(o: TransportOptions) {
    this.o = o;
    this.flushIntervalMs = o.flushIntervalMs;
    this.beforeFlush = o.beforeFlush;
  }

  close(): void {
    this.scheduled?.cancel();
    this.scheduled = null;
    for (const c of this.conns) c.ws.terminate();
  }

  add(conn: Conn): void {
    this.conns.add(conn);
    this.stats.clients = this.conns.size;
  }

  /** Forgets a connection; false if it was gone already. */
  remove(conn: Conn): boolean {
    if (!this.conns.delete(conn)) return false;
    this.waiting.delete(conn);
    this.stats.clients = this.conns.size;
    return true;
  }

  /** An answer to one client, sent with the next flush. */
  answer(conn: Conn, text: string): void {
    if (!this.conns.has(conn)) return;
    conn.out.push(text);
    this.waiting.add(conn);
    this.queueFlush();
  }

  /** The client has snapshots or answers queued in conn.out (a subscription). */
  wait(conn: Conn): void {
    this.waiting.add(conn);
    this.queueFlush();
  }

  /** A heartbeat to every client (a ping goes with it, see PROBE_MS); one that answered no ping for DEAD_MS is dropped. */
  beat(): void {
    const now = this.o.now();
    const text = JSON.stringify({ op: 'heartbeat', tsMs: now });
    for (const c of [...this.conns]) {
      if (c.probes.length > 0 && now - c.probes[0]!.at > DEAD_MS) {
        c.ws.terminate();
        this.o.dropped(c);
        continue;
      }
      this.answer(c, text);
    }
  }

  private hasPending(): boolean {
    return this.waiting.size > 0 || this.o.channels.hasPending(this.o.writable());
  }

  /** The time from one scheduled flush to the next, ms: at least the set interval, longer when writes are slow. */
  private interval(): number {
    return Math.min(MAX_FLUSH_INTERVAL_MS, Math.max(this.flushIntervalMs, this.writeMs / FLUSH_DUTY));
  }

  /** A flush at once if the last one is older than the interval, else when it will be. */
  queueFlush(): void {
    if (this.scheduled !== null || this.inFlight !== null) return;
    const run = () => {
      this.scheduled = null;
      this.flush().catch((e: unknown) => {
        if (e === this.lastHookError) return;
        this.lastHookError = e;
        this.o.onError(e);
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
    const batch = this.o.channels.collect(this.waiting, this.o.writable());
    this.waiting.clear();
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

  /**
   * Writes a built flush: each client's socket corked, its frames written, a ping if due, uncorked. Without `shown`
   * (the hook failed: what the messages show may not be durable), only the answers are written.
   */
  private write(batch: Batch, t0: number, shown: boolean): void {
    // Held back because the journal does not write: the classrooms whose messages or snapshots are not sent get fresh
    // snapshots once it does (their seqs moved on; what is cached here is ahead of what the clients have).
    const resync = !shown && !this.o.writable();
    const stale = (room: Classroom) => this.o.channels.markStale(room);
    if (resync) {
      for (const m of batch.messages) stale(m.room);
      for (const room of batch.resynced) stale(room);
    }
    const no = ++this.flushNo;
    const now = this.o.now();
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
          if (resync) stale(c.room);
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
      this.o.dropped(c);
      return false;
    }
    return true;
  }
}
