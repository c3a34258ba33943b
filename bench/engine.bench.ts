// The engine benchmark: our Engine (events delivered to a counting sink) against nodejs-order-book, in one
// process, on the same three pre-generated seeded command streams. See bench/results/README.md.
//
//   npm run bench:engine                    # full streams
//   npm run bench:engine -- --quick         # smaller streams, a smoke run
//   options: --seed=N (base seed, default 1), --strict (exit 1 when a target is missed)
//
// The last line is exactly `engine mix: <ours> ops/s, peer <theirs> ops/s, ratio <ours/theirs>`.

import os from 'node:os';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import {
  Engine,
  type EngineConfig,
  type EngineSink,
  MatchMode,
  SessionState,
  type Side,
  Stp,
  Tif,
} from '../src/engine/index.ts';
import {
  newPeer,
  type PeerBook,
  peerCount,
  peerIds,
  peerResting,
  type RestingOrder,
  runPeer,
  runPeerTimed,
} from './peer.ts';
import {
  BAND_BPS,
  deepCancelStream,
  insertHeavyStream,
  mixStream,
  Op,
  REF_PRICE_FEN,
  type Stream,
  TS_MS,
} from './streams.ts';

// ------------------------------------------------------------------------------------------------ options

const args = process.argv.slice(2);
const QUICK = args.includes('--quick');
const STRICT = args.includes('--strict');
const seedArg = args.find((a) => a.startsWith('--seed='));
const SEED = seedArg === undefined ? 1 : Number(seedArg.slice('--seed='.length));
if (!(Number.isSafeInteger(SEED) && SEED >= 0)) {
  console.error(`--seed needs a non-negative integer, got ${seedArg}`);
  process.exit(2);
}
for (const a of args) {
  if (a !== '--quick' && a !== '--strict' && !a.startsWith('--seed=')) {
    console.error(`unknown option ${a}; options: --quick, --strict, --seed=N`);
    process.exit(2);
  }
}

const SIZES = QUICK
  ? { insert: 100_000, insertLevels: 1_000, mixOps: 200_000, mixResting: 500, deep: 20_000, deepLevels: 10 }
  : { insert: 1_000_000, insertLevels: 1_000, mixOps: 2_000_000, mixResting: 500, deep: 100_000, deepLevels: 10 };

/** Budget of a warm-up run's measured part; a slower engine skips the repeated runs (see measure). */
const WARMUP_BUDGET_MS = QUICK ? 5_000 : 15_000;
/** Budget of the per-command timed pass; past it the pass stops and the result covers the prefix done. */
const TIMED_BUDGET_MS = QUICK ? 30_000 : 150_000;
/** Prefix of the peer's ids ('o123'): measured faster for the peer than bare numbers on deep cancel, same elsewhere. */
const PEER_ID_PREFIX = 'o';

// Collect garbage between runs, so that one run does not pay for the garbage of another.
setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

// ------------------------------------------------------------------------------------------------ our engine

const CONFIG: EngineConfig = {
  mode: MatchMode.PriceTime,
  listedDepth: 5,
  tickFen: 1,
  lotT: 1,
  minQtyT: 1,
  maxQtyT: 1e9,
  bandBps: BAND_BPS,
  refPriceFen: REF_PRICE_FEN,
};

/** Counts events per kind; nothing else (no allocation). */
class CountingSink implements EngineSink {
  nAccepted = 0;
  nRejected = 0;
  nTrade = 0;
  nCancelled = 0;
  nAmended = 0;
  nExpired = 0;
  nLevel = 0;
  nSession = 0;
  nDayEnded = 0;
  accepted(): void {
    this.nAccepted++;
  }
  rejected(): void {
    this.nRejected++;
  }
  trade(): void {
    this.nTrade++;
  }
  cancelled(): void {
    this.nCancelled++;
  }
  amended(): void {
    this.nAmended++;
  }
  expired(): void {
    this.nExpired++;
  }
  level(): void {
    this.nLevel++;
  }
  session(): void {
    this.nSession++;
  }
  dayEnded(): void {
    this.nDayEnded++;
  }
}

interface Ours {
  e: Engine;
  sink: CountingSink;
}

function newOurs(): Ours {
  const sink = new CountingSink();
  const e = new Engine(CONFIG, sink);
  e.setSession(TS_MS, SessionState.Open);
  return { e, sink };
}

/** Runs commands [from, to); returns how many were rejected. */
function runOurs(b: Ours, s: Stream, from: number, to: number): number {
  const e = b.e;
  const op = s.op;
  const id = s.id;
  const acct = s.acct;
  const side = s.side;
  const price = s.price;
  const qty = s.qty;
  let errors = 0;
  for (let i = from; i < to; i++) {
    let code: number;
    switch (op[i]) {
      case Op.Limit:
        code = e.placeLimit(TS_MS, id[i]!, acct[i]!, side[i] as Side, price[i]!, qty[i]!, Tif.GTC, Stp.None);
        break;
      case Op.Ioc:
        code = e.placeLimit(TS_MS, id[i]!, acct[i]!, side[i] as Side, price[i]!, qty[i]!, Tif.IOC, Stp.None);
        break;
      case Op.Cancel:
        code = e.cancel(TS_MS, id[i]!, acct[i]!);
        break;
      default:
        code = e.amend(TS_MS, id[i]!, acct[i]!, price[i]!, qty[i]!);
        break;
    }
    if (code !== 0) errors++;
  }
  return errors;
}

/** runOurs timing each command with process.hrtime.bigint(); out[i - from] = nanoseconds of command i. */
function runOursTimed(b: Ours, s: Stream, from: number, to: number, out: Float64Array): number {
  const e = b.e;
  const op = s.op;
  const id = s.id;
  const acct = s.acct;
  const side = s.side;
  const price = s.price;
  const qty = s.qty;
  const hr = process.hrtime.bigint;
  let errors = 0;
  for (let i = from; i < to; i++) {
    const t0 = hr();
    let code: number;
    switch (op[i]) {
      case Op.Limit:
        code = e.placeLimit(TS_MS, id[i]!, acct[i]!, side[i] as Side, price[i]!, qty[i]!, Tif.GTC, Stp.None);
        break;
      case Op.Ioc:
        code = e.placeLimit(TS_MS, id[i]!, acct[i]!, side[i] as Side, price[i]!, qty[i]!, Tif.IOC, Stp.None);
        break;
      case Op.Cancel:
        code = e.cancel(TS_MS, id[i]!, acct[i]!);
        break;
      default:
        code = e.amend(TS_MS, id[i]!, acct[i]!, price[i]!, qty[i]!);
        break;
    }
    const t1 = hr();
    out[i - from] = Number(t1 - t0);
    if (code !== 0) errors++;
  }
  return errors;
}

// ------------------------------------------------------------------------------------------------ harness

interface Runner<B> {
  readonly name: string;
  /** Throughput runs after the warm-up (fresh instance each). */
  readonly reps: number;
  readonly warmups: number;
  make(s: Stream): B;
  run(b: B, s: Stream, from: number, to: number): number;
  timed(b: B, s: Stream, from: number, to: number, out: Float64Array): number;
}

interface Result<B> {
  engine: string;
  /** Measured commands (the timed pass may cover fewer, see latOps). */
  ops: number;
  /** ops/s of each throughput run. */
  rates: number[];
  median: number;
  best: number;
  /** Commands covered by the per-command timed pass. */
  latOps: number;
  p50: number;
  p99: number;
  p999: number;
  max: number;
  errors: number;
  /** How the numbers were obtained when not the usual way (slow engine). */
  note: string;
  /** An instance that ran the whole stream (for the final book checks); null when none did. */
  full: B | null;
}

const now = (): number => performance.now();

function median(xs: number[]): number {
  const a = [...xs].sort((x, y) => x - y);
  const m = a.length >> 1;
  return a.length % 2 === 1 ? a[m]! : (a[m - 1]! + a[m]!) / 2;
}

function pct(sorted: Float64Array, k: number, q: number): number {
  return sorted[Math.min(k - 1, Math.floor(q * k))]!;
}

/**
 * Runs the measured part [setupN, n) in chunks, stopping once budgetMs is spent.
 * Returns [commands done, ms spent, failed commands].
 */
function runBudgeted<B>(r: Runner<B>, b: B, s: Stream, budgetMs: number): [number, number, number] {
  const chunk = 4096;
  let errors = 0;
  const t0 = now();
  let i = s.setupN;
  while (i < s.n) {
    const to = Math.min(s.n, i + chunk);
    errors += r.run(b, s, i, to);
    i = to;
    if (now() - t0 > budgetMs) break;
  }
  return [i - s.setupN, now() - t0, errors];
}

/**
 * Throughput: warm-up runs, then `reps` runs on fresh instances, each timing the whole measured part in one go
 * (no per-command timer); median and best ops/s. Latency: one more run on a fresh instance timing every command.
 * A run whose warm-up does not finish within WARMUP_BUDGET_MS is "slow": no repeated runs; its throughput is
 * taken from the per-command timed pass (wall time of the pass, the timer's overhead included, negligible at
 * that speed); that pass stops after TIMED_BUDGET_MS, and then covers a prefix of the stream (reported).
 */
function measure<B>(r: Runner<B>, s: Stream): Result<B> {
  const m = s.n - s.setupN;
  let errors = 0;
  let slow = false;
  for (let w = 0; w < r.warmups && !slow; w++) {
    gc();
    const b = r.make(s);
    errors += r.run(b, s, 0, s.setupN);
    const [done, , err] = runBudgeted(r, b, s, WARMUP_BUDGET_MS);
    errors += err;
    if (done < m) slow = true;
  }
  const rates: number[] = [];
  if (!slow) {
    for (let k = 0; k < r.reps; k++) {
      gc();
      const b = r.make(s);
      errors += r.run(b, s, 0, s.setupN);
      const t0 = now();
      errors += r.run(b, s, s.setupN, s.n);
      const t1 = now();
      rates.push(m / ((t1 - t0) / 1000));
    }
  }
  // Per-command timed pass.
  const lat = new Float64Array(m);
  gc();
  const b = r.make(s);
  errors += r.run(b, s, 0, s.setupN);
  const chunk = 1024;
  const t0 = now();
  let i = s.setupN;
  while (i < s.n) {
    const to = Math.min(s.n, i + chunk);
    errors += r.timed(b, s, i, to, lat.subarray(i - s.setupN));
    i = to;
    if (now() - t0 > TIMED_BUDGET_MS) break;
  }
  const passMs = now() - t0;
  const latOps = i - s.setupN;
  const full = latOps === m ? b : null;
  const sorted = lat.subarray(0, latOps).sort();
  let note = '';
  if (slow) {
    rates.push(latOps / (passMs / 1000));
    note =
      latOps === m
        ? `slow: one run only (the warm-up did not finish within ${WARMUP_BUDGET_MS / 1000} s); ops/s from the per-command timed pass`
        : `slow: one run on the first ${latOps.toLocaleString('en-US')} of ${m.toLocaleString('en-US')} measured commands (stopped after ${TIMED_BUDGET_MS / 1000} s); ops/s and latencies from that prefix`;
  }
  return {
    engine: r.name,
    ops: m,
    rates,
    median: median(rates),
    best: Math.max(...rates),
    latOps,
    p50: pct(sorted, latOps, 0.5),
    p99: pct(sorted, latOps, 0.99),
    p999: pct(sorted, latOps, 0.999),
    max: sorted[latOps - 1]!,
    errors,
    note,
    full,
  };
}

const oursRunner: Runner<Ours> = {
  name: 'cets Engine',
  reps: 7,
  warmups: 3,
  make: () => newOurs(),
  run: runOurs,
  timed: runOursTimed,
};

interface Peer {
  ob: PeerBook;
  ids: string[];
}

const peerIdCache = new Map<Stream, string[]>();
const peerRunner: Runner<Peer> = {
  name: 'nodejs-order-book',
  reps: 3,
  warmups: 1,
  make: (s) => {
    let ids = peerIdCache.get(s);
    if (ids === undefined) {
      ids = peerIds(s.maxId, PEER_ID_PREFIX);
      peerIdCache.set(s, ids);
    }
    return { ob: newPeer(), ids };
  },
  run: (b, s, from, to) => runPeer(b.ob, s, b.ids, from, to),
  timed: (b, s, from, to, out) => runPeerTimed(b.ob, s, b.ids, from, to, out),
};

// ------------------------------------------------------------------------------------------------ output

const fmt = (x: number): string => Math.round(x).toLocaleString('en-US');
const ratio = (x: number): string => (x >= 100 ? x.toFixed(0) : x >= 10 ? x.toFixed(1) : x.toFixed(2));

function table(rows: string[][]): string {
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => r[c]!.length)));
  return rows
    .map((r) => r.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]!) : cell.padStart(widths[c]!))).join('  '))
    .join('\n');
}

function printStream(s: Stream, genMs: number, ours: Result<Ours>, peer: Result<Peer>): void {
  console.log(`\n== ${s.name}: ${s.description}`);
  for (const n of s.notes) console.log(`   ${n}`);
  console.log(`   generated in ${fmt(genMs)} ms (seeded, before any timing)\n`);
  const row = (r: Result<unknown>): string[] => [
    r.engine,
    fmt(r.ops),
    String(r.rates.length),
    fmt(r.median),
    fmt(r.best),
    r.latOps === r.ops ? fmt(r.latOps) : `${fmt(r.latOps)}*`,
    fmt(r.p50),
    fmt(r.p99),
    fmt(r.p999),
    fmt(r.max),
  ];
  console.log(
    table([
      ['engine', 'ops', 'runs', 'ops/s median', 'ops/s best', 'timed ops', 'p50 ns', 'p99 ns', 'p99.9 ns', 'max ns'],
      row(ours),
      row(peer),
      [
        'ratio ours/peer',
        '',
        '',
        `${ratio(ours.median / peer.median)}x`,
        `${ratio(ours.best / peer.best)}x`,
        '',
        `${ratio(peer.p50 / ours.p50)}x`,
        `${ratio(peer.p99 / ours.p99)}x`,
        `${ratio(peer.p999 / ours.p999)}x`,
        `${ratio(peer.max / ours.max)}x`,
      ],
    ]),
  );
  for (const r of [ours, peer]) if (r.note !== '') console.log(`   * ${r.engine}: ${r.note}`);
  const sink = ours.full?.sink;
  if (sink !== undefined) {
    console.log(
      `   events to our counting sink in one run (setup included): accepted ${fmt(sink.nAccepted)}, trade ${fmt(sink.nTrade)}, ` +
        `cancelled ${fmt(sink.nCancelled)}, amended ${fmt(sink.nAmended)}, level ${fmt(sink.nLevel)}, rejected ${fmt(sink.nRejected)}`,
    );
  }
}

function sameBooks(a: RestingOrder[], b: RestingOrder[]): string | null {
  const key = (o: RestingOrder) => `${o.id}/${o.side === 0 ? 'buy' : 'sell'}/${o.priceFen}/${o.qtyT}`;
  const sa = new Set(a.map(key));
  const sb = new Set(b.map(key));
  const onlyA = [...sa].filter((k) => !sb.has(k)).sort();
  const onlyB = [...sb].filter((k) => !sa.has(k)).sort();
  if (onlyA.length === 0 && onlyB.length === 0 && a.length === b.length) return null;
  return (
    `ours ${a.length} orders, peer ${b.length}; ${onlyA.length} only in ours (e.g. ${onlyA.slice(0, 5).join(', ') || '-'}), ` +
    `${onlyB.length} only in the peer's (e.g. ${onlyB.slice(0, 5).join(', ') || '-'}) [id/side/price fen/qty t]`
  );
}

function oursResting(b: Ours): RestingOrder[] {
  return b.e.liveOrders().map((o) => ({ id: o.orderId, side: o.side, priceFen: o.priceFen, qtyT: o.qtyT }));
}

// ------------------------------------------------------------------------------------------------ main

function timerOverhead(): [number, number] {
  const n = 1_000_000;
  const out = new Float64Array(n);
  const hr = process.hrtime.bigint;
  for (let rep = 0; rep < 2; rep++) {
    for (let i = 0; i < n; i++) {
      const t0 = hr();
      const t1 = hr();
      out[i] = Number(t1 - t0);
    }
  }
  out.sort();
  return [pct(out, n, 0.5), pct(out, n, 0.99)];
}

function main(): void {
  const cpus = os.cpus();
  console.log(`cets engine benchmark${QUICK ? ' (--quick: smaller streams)' : ''}, seed ${SEED}`);
  console.log(
    `machine: ${cpus[0]?.model ?? 'unknown cpu'}, ${cpus.length} logical cpus, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, ` +
      `${os.platform()} ${os.arch()} ${os.release()}`,
  );
  console.log(
    `node ${process.version} (V8 ${process.versions.v8}), single thread; load average at start ${os
      .loadavg()
      .map((x) => x.toFixed(2))
      .join(' ')}`,
  );
  const [ovP50, ovP99] = timerOverhead();
  console.log(
    `latency timer: process.hrtime.bigint() around each command; its own overhead (two back-to-back calls) is ` +
      `p50 ${fmt(ovP50)} ns, p99 ${fmt(ovP99)} ns, and is NOT subtracted from the latencies below`,
  );
  console.log(
    `throughput: median (and best) of ${oursRunner.reps} runs for ours, ${peerRunner.reps} for the peer, each on a fresh ` +
      `instance after ${oursRunner.warmups} / ${peerRunner.warmups} warm-up runs, whole measured part timed at once; ` +
      `setup commands untimed`,
  );

  let exit = 0;
  const results: Record<string, { ours: Result<Ours>; peer: Result<Peer> }> = {};
  const streams: [string, () => Stream][] = [
    ['insert', () => insertHeavyStream(SIZES.insert, SIZES.insertLevels, SEED * 1_000 + 1)],
    [
      'mix',
      () =>
        mixStream({ ops: SIZES.mixOps, resting: SIZES.mixResting, seed: SEED * 1_000 + 2 }, (sink) => {
          const e = new Engine(CONFIG, sink);
          e.setSession(TS_MS, SessionState.Open);
          return e;
        }),
    ],
    ['deep', () => deepCancelStream(SIZES.deep, SIZES.deepLevels, SEED * 1_000 + 3)],
  ];

  for (const [key, gen] of streams) {
    const g0 = now();
    const s = gen();
    const genMs = now() - g0;
    const ours = measure(oursRunner, s);
    const peer = measure(peerRunner, s);
    results[key] = { ours, peer };
    printStream(s, genMs, ours, peer);
    if (ours.errors !== 0 || peer.errors !== 0) {
      console.log(`   FAIL: rejected/failed commands: ours ${ours.errors}, peer ${peer.errors} (expected none)`);
      exit = 1;
    }
    // Final books.
    if (ours.full !== null && peer.full !== null) {
      if (key === 'mix') {
        const a = oursResting(ours.full);
        const diff = sameBooks(a, peerResting(peer.full.ob, PEER_ID_PREFIX));
        if (diff === null) console.log(`mix final books: identical (${a.length} orders)`);
        else {
          console.log(`mix final books: DIFFERENT: ${diff}`);
          exit = 1;
        }
      } else {
        const a = ours.full.e.orderCount;
        const p = peerCount(peer.full.ob);
        console.log(`   final books: ours ${fmt(a)} resting orders, peer ${fmt(p)}${a === p ? '' : ' (DIFFERENT)'}`);
        if (a !== p) exit = 1;
      }
    } else {
      console.log(
        `   final books: not compared (${ours.full === null ? 'ours' : 'the peer'} did not run the whole stream)`,
      );
      if (key === 'mix') exit = 1;
    }
    ours.full = null; // let the books go before the next stream
    peer.full = null;
  }

  const mix = results['mix']!;
  const deep = results['deep']!;
  const ins = results['insert']!;
  const check = (ok: boolean) => (ok ? 'PASS' : 'FAIL');
  const lines: [string, boolean][] = [
    [`mix >= 5,000,000 ops/s: ${fmt(mix.ours.median)} ops/s (median)`, mix.ours.median >= 5e6],
    [`mix p99 < 1 us: ${fmt(mix.ours.p99)} ns (timer overhead included)`, mix.ours.p99 < 1000],
    [`deep cancel >= 5,000,000 ops/s: ${fmt(deep.ours.median)} ops/s (median)`, deep.ours.median >= 5e6],
    ...(
      [
        ['insert-heavy', ins],
        ['mix', mix],
        ['deep-cancel', deep],
      ] as const
    ).map(([n, r]): [string, boolean] => [
      `>= 20x nodejs-order-book on ${n}: ${ratio(r.ours.median / r.peer.median)}x`,
      r.ours.median >= 20 * r.peer.median,
    ]),
  ];
  console.log(`\ntargets (one core${QUICK ? '; --quick streams, the targets are meant for the full ones' : ''}):`);
  for (const [text, ok] of lines) console.log(`  ${check(ok)}  ${text}`);
  if (STRICT && lines.some(([, ok]) => !ok)) exit = 1;
  console.log(
    `load average at the end ${os
      .loadavg()
      .map((x) => x.toFixed(2))
      .join(' ')}`,
  );
  console.log(
    `engine mix: ${Math.round(mix.ours.median)} ops/s, peer ${Math.round(mix.peer.median)} ops/s, ratio ${(mix.ours.median / mix.peer.median).toFixed(2)}`,
  );
  process.exitCode = exit;
}

main();
