// Seeded, pre-generated command streams for the engine benchmark. Everything here runs before any timing: a
// stream is a handful of typed arrays (one row per command) that the timed loops only read.

import type { EngineSink } from '../src/engine/events.ts';

/** Command kinds in a stream. */
export const Op = {
  /** GTC limit order (may cross, the rest rests). */
  Limit: 0,
  /** IOC limit order (what does not trade at once is cancelled). */
  Ioc: 1,
  Cancel: 2,
  /** New price (always different from the current one) and new remaining quantity. */
  Amend: 3,
} as const;
export type Op = (typeof Op)[keyof typeof Op];

export const BUY = 0;
export const SELL = 1;

/** Engine configuration every stream is generated for (and run with). */
export const REF_PRICE_FEN = 10_000;
export const BAND_BPS = 1_000;
export const BAND_LOW_FEN = 9_000;
export const BAND_HIGH_FEN = 11_000;
/** The time passed with every command (the engine only needs it never to decrease). */
export const TS_MS = 1_700_000_000_000;

export interface Stream {
  readonly name: string;
  readonly description: string;
  /** Number of commands. */
  readonly n: number;
  /** The first setupN commands build the starting book; they run untimed, before the measured part. */
  readonly setupN: number;
  readonly op: Uint8Array;
  readonly id: Int32Array;
  readonly acct: Int32Array;
  readonly side: Uint8Array;
  readonly price: Int32Array;
  readonly qty: Int32Array;
  /** Largest order id used (ids are 1..maxId). */
  readonly maxId: number;
  /** Lines describing what was generated (counts, fractions), printed with the results. */
  readonly notes: string[];
}

/** mulberry32: a tiny, fast 32-bit PRNG; returns floats in [0, 1). Same seed, same sequence. */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Integer in [lo, hi]. */
function int(rnd: () => number, lo: number, hi: number): number {
  return lo + Math.floor(rnd() * (hi - lo + 1));
}

function alloc(name: string, description: string, n: number, setupN: number) {
  return {
    name,
    description,
    n,
    setupN,
    op: new Uint8Array(n),
    id: new Int32Array(n),
    acct: new Int32Array(n),
    side: new Uint8Array(n),
    price: new Int32Array(n),
    qty: new Int32Array(n),
    maxId: 0,
    notes: [] as string[],
  };
}

const ACCOUNTS = 1000;

/**
 * Insert-heavy: n GTC limit orders that never cross. Bids on `levels` prices just below the reference
 * (REF-levels .. REF-1), asks on `levels` prices just above it (REF+1 .. REF+levels); side, level and quantity
 * uniform at random. Nothing is setup: every command is measured.
 */
export function insertHeavyStream(n: number, levels: number, seed: number): Stream {
  const rnd = mulberry32(seed);
  const s = alloc(
    'insert-heavy',
    `${n.toLocaleString('en-US')} GTC limit orders, no crossing, ${levels} levels per side`,
    n,
    0,
  );
  for (let i = 0; i < n; i++) {
    const side = rnd() < 0.5 ? BUY : SELL;
    const lvl = int(rnd, 1, levels);
    s.op[i] = Op.Limit;
    s.id[i] = i + 1;
    s.acct[i] = int(rnd, 1, ACCOUNTS);
    s.side[i] = side;
    s.price[i] = side === BUY ? REF_PRICE_FEN - lvl : REF_PRICE_FEN + lvl;
    s.qty[i] = int(rnd, 1, 100);
  }
  s.maxId = n;
  s.notes.push(
    `bids ${REF_PRICE_FEN - levels}..${REF_PRICE_FEN - 1} fen, asks ${REF_PRICE_FEN + 1}..${REF_PRICE_FEN + levels} fen, qty 1..100 t`,
  );
  return s;
}

/**
 * Deep-level cancel: `resting` GTC limit orders on `levels` prices per side (REF-levels .. REF-1 and
 * REF+1 .. REF+levels, so resting/(2*levels) orders per level) as setup, then a cancel of every one of them in
 * a random order (Fisher-Yates). Only the cancels are measured.
 */
export function deepCancelStream(resting: number, levels: number, seed: number): Stream {
  const rnd = mulberry32(seed);
  const s = alloc(
    'deep-cancel',
    `${resting.toLocaleString('en-US')} resting orders on ${levels} levels per side, then cancel all in random order`,
    2 * resting,
    resting,
  );
  for (let i = 0; i < resting; i++) {
    const side = rnd() < 0.5 ? BUY : SELL;
    const lvl = int(rnd, 1, levels);
    s.op[i] = Op.Limit;
    s.id[i] = i + 1;
    s.acct[i] = int(rnd, 1, ACCOUNTS);
    s.side[i] = side;
    s.price[i] = side === BUY ? REF_PRICE_FEN - lvl : REF_PRICE_FEN + lvl;
    s.qty[i] = int(rnd, 1, 100);
  }
  const perm = new Int32Array(resting);
  for (let i = 0; i < resting; i++) perm[i] = i;
  for (let i = resting - 1; i > 0; i--) {
    const j = Math.floor(rnd() * (i + 1));
    const t = perm[i]!;
    perm[i] = perm[j]!;
    perm[j] = t;
  }
  for (let k = 0; k < resting; k++) {
    const src = perm[k]!;
    const i = resting + k;
    s.op[i] = Op.Cancel;
    s.id[i] = s.id[src]!;
    s.acct[i] = s.acct[src]!;
    s.side[i] = s.side[src]!;
    s.price[i] = s.price[src]!;
    s.qty[i] = 0;
  }
  s.maxId = resting;
  s.notes.push(
    `about ${Math.round(resting / (2 * levels)).toLocaleString('en-US')} orders per level; setup (the inserts) untimed, the ${resting.toLocaleString('en-US')} cancels measured`,
  );
  return s;
}

/** What the mix generator needs from the shadow engine (our Engine satisfies it). */
export interface ShadowEngine {
  placeLimit(
    tsMs: number,
    orderId: number,
    accountId: number,
    side: 0 | 1,
    priceFen: number,
    qtyT: number,
    tif: 0 | 1 | 2 | 3,
    stp: 0 | 1 | 2 | 3 | 4,
  ): number;
  cancel(tsMs: number, orderId: number, accountId: number): number;
  amend(tsMs: number, orderId: number, accountId: number, priceFen: number, qtyT: number): number;
  bestBidFen(): number;
  bestAskFen(): number;
  liveOrders(): readonly { orderId: number; side: number; priceFen: number; qtyT: number }[];
}

/**
 * Follows the shadow engine's events to know, without asking the engine, which orders are live, their side,
 * price and remaining quantity. An order becomes live when its placing command returns with quantity left
 * (see mixStream); it leaves on a full fill (remaining 0 in a trade) or a cancel with nothing remaining.
 */
export class LiveTracker implements EngineSink {
  readonly rem: Int32Array;
  readonly price: Int32Array;
  readonly side: Uint8Array;
  readonly acct: Int32Array;
  /** Dense list of live ids; pos[id] is the index in it, -1 when not live. */
  readonly live: Int32Array;
  readonly pos: Int32Array;
  count = 0;
  trades = 0;

  constructor(maxId: number) {
    this.rem = new Int32Array(maxId + 1);
    this.price = new Int32Array(maxId + 1);
    this.side = new Uint8Array(maxId + 1);
    this.acct = new Int32Array(maxId + 1);
    this.live = new Int32Array(maxId + 1);
    this.pos = new Int32Array(maxId + 1).fill(-1);
  }

  addLive(id: number): void {
    if (this.pos[id] !== -1) return;
    this.pos[id] = this.count;
    this.live[this.count++] = id;
  }

  removeLive(id: number): void {
    const p = this.pos[id]!;
    if (p === -1) return;
    const last = this.live[--this.count]!;
    this.live[p] = last;
    this.pos[last] = p;
    this.pos[id] = -1;
  }

  accepted(
    _seq: number,
    _ts: number,
    orderId: number,
    accountId: number,
    side: number,
    _type: number,
    priceFen: number,
    qtyT: number,
  ): void {
    this.rem[orderId] = qtyT;
    this.price[orderId] = priceFen;
    this.side[orderId] = side;
    this.acct[orderId] = accountId;
  }
  rejected(_seq: number, _ts: number, orderId: number, code: number): void {
    throw new Error(`mix generation: the shadow engine rejected a command for order ${orderId} with code ${code}`);
  }
  trade(
    _seq: number,
    _ts: number,
    maker: number,
    taker: number,
    _ma: number,
    _ta: number,
    _side: number,
    _price: number,
    _qty: number,
    makerRem: number,
    takerRem: number,
  ): void {
    this.trades++;
    this.rem[maker] = makerRem;
    if (makerRem === 0) this.removeLive(maker);
    this.rem[taker] = takerRem;
    if (takerRem === 0) this.removeLive(taker);
  }
  cancelled(_seq: number, _ts: number, orderId: number, _cancelledT: number, remainingT: number): void {
    this.rem[orderId] = remainingT;
    if (remainingT === 0) this.removeLive(orderId);
  }
  amended(_seq: number, _ts: number, orderId: number, priceFen: number): void {
    // The remaining quantity is followed through the trade events of the amend (taker remaining), and set by
    // the generator before the command; only the price is taken from here.
    this.price[orderId] = priceFen;
  }
  expired(): void {}
  level(): void {}
  session(): void {}
  dayEnded(): void {}
}

export interface MixOptions {
  /** Measured commands (after the prefill). */
  ops: number;
  /** Steady-state number of resting orders; the prefill places this many passive orders. */
  resting: number;
  seed: number;
}

/**
 * Exchange-core-style mix. Setup: `resting` passive GTC orders. Then, per command, at random:
 *  - 10% new GTC limit order: passive (below the best ask / above the best bid) or crossing: a limit 0-2 ticks
 *    through the opposite best for 1..150 t, what does not trade rests. The probability of crossing is a
 *    feedback that holds the book near `resting` orders: 4 * (live - resting) / resting, within [2%, 90%]
 *    (in practice about 11% of the new GTC orders cross);
 *  - 3% IOC limit order 0-2 ticks through the opposite best, 1..30 t;
 *  - 6% cancel of a random live order;
 *  - 81% amend of a random live order to a new price (never the current one) with its current remaining
 *    quantity: a fresh passive price (a move within its side) or, with probability 0.25%, a price 0-2 ticks
 *    through the opposite best (the amended order then trades as an incoming order, the rest rests).
 * Passive prices: a distance of 1 + Exp(mean 8) ticks (at most 200) from min(REF, best ask) for a buy, from
 * max(REF, best bid) for a sell; passive quantities 1..100 t. Every price stays inside the ±10% band.
 * A shadow instance of our engine runs every command as it is generated, so cancels and amends always target
 * live orders and crossing prices come from the real book; the stream is generated once and then replayed on
 * both engines.
 */
export function mixStream(o: MixOptions, makeShadow: (sink: EngineSink) => ShadowEngine): Stream {
  const rnd = mulberry32(o.seed);
  const n = o.resting + o.ops;
  const s = alloc(
    'mix',
    `exchange-core-style mix: ${o.ops.toLocaleString('en-US')} commands around ${o.resting} resting orders`,
    n,
    o.resting,
  );
  const tr = new LiveTracker(n);
  const eng = makeShadow(tr);
  let nextId = 1;
  const cnt = [0, 0, 0, 0];
  let crossingGtc = 0;
  let crossingAmend = 0;
  let liveSum = 0;
  let liveMin = Number.MAX_SAFE_INTEGER;
  let liveMax = 0;

  const passive = (side: number): number => {
    const off = 1 + Math.min(199, Math.floor(-Math.log(1 - rnd()) * 8));
    if (side === BUY) {
      const ask = eng.bestAskFen();
      const top = ask === 0 ? REF_PRICE_FEN : Math.min(REF_PRICE_FEN, ask);
      return Math.max(BAND_LOW_FEN, top - off);
    }
    const bid = eng.bestBidFen();
    const bottom = bid === 0 ? REF_PRICE_FEN : Math.max(REF_PRICE_FEN, bid);
    return Math.min(BAND_HIGH_FEN, bottom + off);
  };
  /** A price 0-2 ticks through the opposite best, or 0 when the opposite side is empty. */
  const crossing = (side: number): number => {
    const through = int(rnd, 0, 2);
    if (side === BUY) {
      const ask = eng.bestAskFen();
      return ask === 0 ? 0 : Math.min(BAND_HIGH_FEN, ask + through);
    }
    const bid = eng.bestBidFen();
    return bid === 0 ? 0 : Math.max(BAND_LOW_FEN, bid - through);
  };
  const place = (i: number, op: Op, side: number, price: number, qty: number): void => {
    const id = nextId++;
    const acct = int(rnd, 1, ACCOUNTS);
    s.op[i] = op;
    s.id[i] = id;
    s.acct[i] = acct;
    s.side[i] = side;
    s.price[i] = price;
    s.qty[i] = qty;
    const code = eng.placeLimit(TS_MS, id, acct, side as 0 | 1, price, qty, op === Op.Ioc ? 2 : 1, 0);
    if (code !== 0) throw new Error(`mix generation: placeLimit rejected with ${code}`);
    if (op === Op.Limit && tr.rem[id]! > 0) tr.addLive(id);
  };

  for (let i = 0; i < n; i++) {
    if (i < o.resting) {
      const side = rnd() < 0.5 ? BUY : SELL;
      place(i, Op.Limit, side, passive(side), int(rnd, 1, 100));
      continue;
    }
    const r = rnd();
    const side = rnd() < 0.5 ? BUY : SELL;
    if (r < 0.1 || tr.count === 0) {
      cnt[Op.Limit]!++;
      // Feedback that holds the book near its target size: the more orders rest above it, the more new
      // orders cross (and take resting ones out); below it, few do.
      const pCross = Math.min(0.9, Math.max(0.02, (4 * (tr.count - o.resting)) / o.resting));
      const cp = rnd() < pCross ? crossing(side) : 0;
      if (cp !== 0) {
        crossingGtc++;
        place(i, Op.Limit, side, cp, int(rnd, 1, 150));
      } else place(i, Op.Limit, side, passive(side), int(rnd, 1, 100));
    } else if (r < 0.13) {
      cnt[Op.Ioc]!++;
      const cp = crossing(side);
      place(i, Op.Ioc, side, cp !== 0 ? cp : passive(side), int(rnd, 1, 30));
    } else if (r < 0.19) {
      cnt[Op.Cancel]!++;
      const id = tr.live[Math.floor(rnd() * tr.count)]!;
      s.op[i] = Op.Cancel;
      s.id[i] = id;
      s.acct[i] = tr.acct[id]!;
      s.side[i] = tr.side[id]!;
      s.price[i] = tr.price[id]!;
      const code = eng.cancel(TS_MS, id, tr.acct[id]!);
      if (code !== 0) throw new Error(`mix generation: cancel rejected with ${code}`);
    } else {
      cnt[Op.Amend]!++;
      const id = tr.live[Math.floor(rnd() * tr.count)]!;
      const oside = tr.side[id]!;
      const cur = tr.price[id]!;
      let price = 0;
      if (rnd() < 0.0025) price = crossing(oside);
      if (price === 0 || price === cur) price = passive(oside);
      else crossingAmend++;
      if (price === cur) {
        // Move one tick further from the opposite side (still passive), or the other way at the band edge.
        if (oside === BUY) price = cur - 1 >= BAND_LOW_FEN ? cur - 1 : cur + 1;
        else price = cur + 1 <= BAND_HIGH_FEN ? cur + 1 : cur - 1;
      }
      const qty = tr.rem[id]!;
      s.op[i] = Op.Amend;
      s.id[i] = id;
      s.acct[i] = tr.acct[id]!;
      s.side[i] = oside;
      s.price[i] = price;
      s.qty[i] = qty;
      const code = eng.amend(TS_MS, id, tr.acct[id]!, price, qty);
      if (code !== 0) throw new Error(`mix generation: amend of ${id} from ${cur} to ${price} rejected with ${code}`);
      tr.price[id] = price;
    }
    liveSum += tr.count;
    if (tr.count < liveMin) liveMin = tr.count;
    if (tr.count > liveMax) liveMax = tr.count;
  }
  s.maxId = nextId - 1;

  // The tracker must agree with the shadow engine's own view of the book.
  const book = eng.liveOrders();
  if (book.length !== tr.count)
    throw new Error(`mix generation: tracker has ${tr.count} live orders, engine ${book.length}`);
  for (const b of book) {
    if (tr.pos[b.orderId] === -1 || tr.rem[b.orderId] !== b.qtyT || tr.price[b.orderId] !== b.priceFen)
      throw new Error(`mix generation: tracker disagrees with the engine on order ${b.orderId}`);
  }

  const pct = (k: number) => `${((100 * k) / o.ops).toFixed(1)}%`;
  s.notes.push(
    `commands: ${pct(cnt[Op.Limit]!)} new GTC (${pct(crossingGtc)} of all commands cross), ${pct(cnt[Op.Ioc]!)} IOC, ` +
      `${pct(cnt[Op.Cancel]!)} cancel, ${pct(cnt[Op.Amend]!)} price amend (${pct(crossingAmend)} of all commands cross)`,
    `resting orders during the measured part: mean ${Math.round(liveSum / o.ops)}, min ${liveMin}, max ${liveMax}; ` +
      `at the end ${tr.count}; ${tr.trades.toLocaleString('en-US')} trades (${(tr.trades / o.ops).toFixed(3)} per command)`,
    `setup: ${o.resting} passive GTC orders (untimed)`,
  );
  return s;
}
