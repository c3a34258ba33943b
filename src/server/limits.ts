// Limits that hold against a hostile client: requests per identity (a valid token's principal, or the address for
// everyone else, so a random Bearer string buys nothing), wrong join codes per address, joins per code and address,
// WebSocket connections per address and per token, subscriptions per socket. One counter of requests serves HTTP
// (through @fastify/rate-limit's store) and WebSocket order entry, so a student has one budget whichever way they
// trade.
import type { Principal } from './hub.ts';

export interface LimitSettings {
  /** Requests a minute per identity (HTTP requests, WebSocket upgrades, WebSocket orders and cancels). */
  readonly requestsPerMin: number;
  /** Join attempts with a code that names no classroom, a minute per address. */
  readonly joinFailuresPerMin: number;
  /** Joins with one code from one address, a minute. */
  readonly joinsPerCodePerMin: number;
  /** Open WebSocket connections per address (a school behind one NAT shares one; bench:ws opens 1,000 from one). */
  readonly socketsPerAddress: number;
  /** Open WebSocket connections per token. */
  readonly socketsPerToken: number;
  /** Channels one socket may be subscribed to at once. */
  readonly subscriptionsPerSocket: number;
}

export const DEFAULT_LIMITS: Omit<LimitSettings, 'requestsPerMin'> = {
  joinFailuresPerMin: 20,
  joinsPerCodePerMin: 60,
  socketsPerAddress: 2_000,
  socketsPerToken: 5,
  subscriptionsPerSocket: 64,
};

/** Counters kept at most; past it the oldest windows are forgotten (their keys start afresh). */
const MAX_KEYS = 100_000;

/** Fixed-window counters by key: each key counts hits in a window that starts with its first hit. */
export class WindowCounter {
  private readonly windows = new Map<string, { start: number; n: number }>();
  readonly windowMs: number;
  private readonly now: () => number;

  constructor(windowMs: number, now: () => number) {
    this.windowMs = windowMs;
    this.now = now;
  }

  /** Counts a hit; returns the hits in the key's window so far (this one included) and the ms left in it. */
  incr(key: string): { current: number; ttl: number } {
    const now = this.now();
    let w = this.windows.get(key);
    if (w === undefined || now - w.start >= this.windowMs) {
      if (w !== undefined) this.windows.delete(key);
      if (this.windows.size >= MAX_KEYS) this.forget(now);
      w = { start: now, n: 0 };
      this.windows.set(key, w);
    }
    w.n++;
    return { current: w.n, ttl: this.windowMs - (now - w.start) };
  }

  /** The hits in the key's window so far, without counting one. */
  peek(key: string): { current: number; ttl: number } {
    const now = this.now();
    const w = this.windows.get(key);
    if (w === undefined || now - w.start >= this.windowMs) return { current: 0, ttl: this.windowMs };
    return { current: w.n, ttl: this.windowMs - (now - w.start) };
  }

  get size(): number {
    return this.windows.size;
  }

  /** Drops ended windows; if none had ended, the oldest half (Map order is insertion order). */
  private forget(now: number): void {
    for (const [k, w] of this.windows) if (now - w.start >= this.windowMs) this.windows.delete(k);
    if (this.windows.size < MAX_KEYS) return;
    let drop = this.windows.size / 2;
    for (const k of this.windows.keys()) {
      if (drop-- <= 0) break;
      this.windows.delete(k);
    }
  }
}

/** Whom a limit counts: a valid token's principal, else the address. */
export function identityKey(p: Principal | null, address: string | undefined): string {
  if (p === null) return `addr:${address ?? '?'}`;
  if (p.role === 'admin') return 'admin';
  if (p.role === 'instructor') return `instructor:${p.classroomId}`;
  return `student:${p.classroomId}:${p.studentId}`;
}

/** Seconds, for messages. */
export function waitText(ms: number): string {
  const s = Math.max(1, Math.ceil(ms / 1_000));
  return `${s} second${s === 1 ? '' : 's'}`;
}

/** The server's limits and their counters. */
export class Limits {
  readonly settings: LimitSettings;
  /** Requests per identity, a minute: HTTP (via the rate-limit plugin's store) and WebSocket order entry. */
  readonly requests: WindowCounter;
  private readonly joinFailures: WindowCounter;
  private readonly joins: WindowCounter;

  constructor(settings: LimitSettings, now: () => number) {
    this.settings = settings;
    this.requests = new WindowCounter(60_000, now);
    this.joinFailures = new WindowCounter(60_000, now);
    this.joins = new WindowCounter(60_000, now);
  }

  /** Counts a request of this identity; null when allowed, else a sentence saying how long to wait. */
  request(key: string): string | null {
    const r = this.requests.incr(key);
    if (r.current <= this.settings.requestsPerMin) return null;
    return `at most ${this.settings.requestsPerMin} requests a minute; try again in ${waitText(r.ttl)}`;
  }

  /** Whether this address may try a join code now (wrong codes are counted by joinFailed). */
  joinBlocked(address: string): string | null {
    const f = this.joinFailures.peek(address);
    if (f.current < this.settings.joinFailuresPerMin) return null;
    return `too many wrong join codes from your address; try again in ${waitText(f.ttl)}`;
  }

  joinFailed(address: string): void {
    this.joinFailures.incr(address);
  }

  /** Counts a join with this code from this address; null when allowed. */
  join(code: string, address: string): string | null {
    const r = this.joins.incr(`${code}|${address}`);
    if (r.current <= this.settings.joinsPerCodePerMin) return null;
    return `at most ${this.settings.joinsPerCodePerMin} joins a minute with one code from one address; try again in ${waitText(r.ttl)}`;
  }
}

/**
 * A store for @fastify/rate-limit that counts in `counter` (the plugin builds its store from a class, so the class
 * closes over the shared counter).
 */
export function sharedStore(counter: WindowCounter) {
  return class SharedStore {
    incr(key: string, cb: (err: Error | null, res?: { current: number; ttl: number }) => void): void {
      cb(null, counter.incr(key));
    }
    read(key: string, cb: (err: Error | null, res?: { current: number; ttl: number }) => void): void {
      cb(null, counter.peek(key));
    }
    child(): SharedStore {
      return this;
    }
  };
}
