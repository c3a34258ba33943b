// npm run bench:ws — market data fan-out of the live server: 1,000 WebSocket clients subscribed to the depth and
// trades channels of national CEA-23 while bench "bots" trade at 2,000 orders/s; the delay from a trade to its
// arrival at each client, p50/p99.
//
// The server runs in this process (buildServer, logs off, rate limits out of the way, the scenario's own bots off,
// exchange clock at real time so that it stays in the 09:30-11:30 session). The clients run in this process too:
// `ws` package clients over 127.0.0.1, by default on one worker thread (their own event loop, so that their
// receiving and JSON parsing is not charged to the server's loop; the machine's cores are shared all the same).
// BENCH_CLIENT_THREADS=0 puts them on the server's own thread, N spreads them over N worker threads. A client
// reads the channel, seq, type and trade ids straight off the bytes of a message (the load generator's own cost
// kept small; it checks every seq); BENCH_CLIENT_PARSE=json makes it JSON.parse every message, as a page would.
//
// Bots: four joined students (two sellers, two buyers) whose orders go straight into the classroom
// (room.placeOrder, the path POST /api/orders and the socket's order op take after validation). Every 10 ms the
// due orders go in (paced to the target rate, catching up after a late timer, at most 100 ms of orders at once):
// half are listings that rest (sell 1 t at one of ten ask prices), half are crossing buys (1 t, limit above every
// ask) that take the best ask. So every buy makes one trade (1,000 trades/s at 2,000 orders/s) and the book
// changes at every flush (depth deltas). Ten bids far below never trade; they fill the depth snapshot.
//
// Delay: a trade's time is taken just before the crossing order that makes it enters the classroom
// (process.hrtime, the same clock on every thread) and stored, under the trade id it will get, in shared memory
// before the order goes in, so no client can see the trade before its time is there. Each client takes the time
// when the `trades:national:CEA-23` event carrying that id (an event carries every trade since the channel's last
// one) has arrived and been parsed. Samples: every pair (trade in the measured window, client), in a histogram
// (10 µs bins up to 1 s). After a warm-up comes the measured window; trades of the window that some open client
// has not received when the bots stop are waited for (up to DRAIN_MS), then counted as missing.
//
// Server side: flushes a second, trades a flush, time a flush takes and the share of time in them, frames and bytes
// written (Streams.stats over the measured window), and the event loop's lag.
//
// Env: BENCH_SECONDS (measured seconds, default 10), BENCH_CLIENTS (1000), BENCH_RATE (orders/s, 2000),
// BENCH_CLIENT_THREADS (1), BENCH_CLIENT_PARSE (light | json), BENCH_FLUSH_MS (the streams' least interval
// between flushes, default theirs). Flag: --strict exits with 1 when p99 misses the target (50 ms), the bots fell
// short of the rate by more than 5%, a client was dropped or a trade went missing.
// Last line:  ws: clients <n>, p50 <ms> ms, p99 <ms> ms
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import WebSocket from 'ws';
import type { OrderInput } from '../src/live/classroom.ts';
import { buildServer } from '../src/server/app.ts';
import { DEFAULTS } from '../src/server/config.ts';

const INSTRUMENT = 'CEA-23';
const DEPTH_CH = `depth:national:${INSTRUMENT}`;
const TRADES_CH = `trades:national:${INSTRUMENT}`;

// ---- shared clock and trade times ---------------------------------------------------------------------------------
// One BigInt64Array over a SharedArrayBuffer, in process.hrtime nanoseconds: [0] start of the measured window,
// [1] its end, [2 + tradeId % RING] the time of a trade (0 = not known), [2 + RING + tradeId % RING] the time the
// order that made it was due by the bots' schedule (later than the trade's own time when the bots fall behind).

const RING = 1 << 20;
const CONNECT_TIMEOUT_MS = 30_000;
const WARM_END = 0;
const MEASURE_END = 1;
const nowNs = (): bigint => process.hrtime.bigint();
const tradeSlot = (tradeId: number) => 2 + (tradeId % RING);
const dueSlot = (tradeId: number) => 2 + RING + (tradeId % RING);

// ---- delay histogram ----------------------------------------------------------------------------------------------

// 10 µs bins up to 1 s, then 1 ms bins up to 1,000 s; beyond that kept exactly.
const FINE_MS = 0.01;
const FINE = 100_000;
const COARSE_MS = 1;
const BINS = FINE + 999_000;
const binOf = (ms: number) => (ms < FINE * FINE_MS ? Math.floor(ms / FINE_MS) : FINE + Math.floor(ms - FINE * FINE_MS));
const binTop = (b: number) => (b < FINE ? (b + 1) * FINE_MS : FINE * FINE_MS + (b - FINE + 1) * COARSE_MS);

interface HistData {
  bins: Uint32Array;
  over: number[];
  count: number;
  max: number;
}

class Histogram implements HistData {
  bins = new Uint32Array(BINS);
  over: number[] = [];
  count = 0;
  max = 0;
  add(ms: number): void {
    const b = binOf(Math.max(0, ms));
    if (b < BINS) this.bins[b]!++;
    else this.over.push(ms);
    this.count++;
    if (ms > this.max) this.max = ms;
  }
  merge(h: HistData): void {
    for (let i = 0; i < BINS; i++) this.bins[i]! += h.bins[i]!;
    for (const x of h.over) this.over.push(x);
    this.count += h.count;
    this.max = Math.max(this.max, h.max);
  }
  /** The q-quantile (0..1), to the upper edge of its bin. */
  quantile(q: number): number {
    if (this.count === 0) return Number.NaN;
    const rank = Math.max(1, Math.ceil(q * this.count));
    let seen = 0;
    for (let i = 0; i < BINS; i++) {
      seen += this.bins[i]!;
      if (seen >= rank) return Math.min(binTop(i), this.max);
    }
    const rest = [...this.over].sort((a, b) => a - b);
    return rest[rank - seen - 1] ?? this.max;
  }
}

// ---- clients (on the main thread or a worker) ---------------------------------------------------------------------

interface ClientResult {
  connected: number;
  openAtEnd: number;
  /** Messages received in the measured window, all clients. */
  msgs: number;
  seqGaps: number;
  errors: number;
  closed: number;
  /** Trade events whose time was not in shared memory (should be 0). */
  unknownTrades: number;
  hist: HistData;
  /** Delays from the time the crossing order was due by the schedule. */
  histDue: HistData;
}

/** Live counters a client thread keeps in shared memory for the main thread: [0] delay samples, [1] open clients. */
const SAMPLES = 0;
const OPEN = 1;

interface Msg {
  op?: string;
  ch?: string;
  seq?: number;
  type?: string;
  data?: unknown;
  /** The trades channel's events: the ids of the trades the message carries (its data is an array of trades). */
  tradeIds?: number[];
}
const PREFIXES: [string, Buffer][] = [DEPTH_CH, TRADES_CH].map((ch) => [ch, Buffer.from(`{"ch":"${ch}","seq":`)]);
const TYPE_KEY = Buffer.from(',"type":"');
const TRADE_ID_KEY = Buffer.from('"tradeId":');
const EVENT_DATA = Buffer.from('event","data":[');
/** Whether the bytes of data at pos are those of key (a loop: cheaper than a native call for a few bytes). */
function bytesAt(data: Buffer, pos: number, key: Buffer): boolean {
  for (let i = 0; i < key.length; i++) if (data[pos + i] !== key[i]) return false;
  return true;
}

class ClientSet {
  private readonly sockets: WebSocket[] = [];
  private readonly hist = new Histogram();
  private readonly histDue = new Histogram();
  private msgs = 0;
  private seqGaps = 0;
  private errors = 0;
  private closed = 0;
  private unknownTrades = 0;
  private readonly base: string;
  private readonly clock: BigInt64Array;
  private readonly live: Float64Array;
  private readonly fullParse: boolean;

  constructor(base: string, clock: BigInt64Array, live: Float64Array, fullParse: boolean) {
    this.base = base;
    this.clock = clock;
    this.live = live;
    this.fullParse = fullParse;
  }

  async connect(count: number, batch = 100): Promise<number> {
    for (let i = 0; i < count; i += batch)
      await Promise.all(Array.from({ length: Math.min(batch, count - i) }, () => this.connectOne()));
    this.live[OPEN] = this.sockets.length;
    return this.sockets.length;
  }

  /**
   * What a client needs of a message. Full: JSON.parse of the whole text, as a browser would. Light: the channel,
   * seq, type and trade ids read off the bytes of the two channels' messages (the server writes their keys in this
   * order: {"ch":..,"seq":..,"type":..,"data":[{"tradeId":..},..]), JSON.parse for anything else.
   */
  private parse(data: Buffer): Msg {
    if (!this.fullParse)
      for (const [ch, prefix] of PREFIXES) {
        if (prefix.compare(data, 0, prefix.length) !== 0) continue;
        let i = prefix.length;
        let seq = 0;
        for (let c = data[i]!; c >= 0x30 && c <= 0x39; c = data[++i]!) seq = seq * 10 + c - 0x30;
        if (TYPE_KEY.compare(data, i, i + TYPE_KEY.length) !== 0) break;
        const t = data[i + TYPE_KEY.length];
        const type = t === 0x65 ? 'event' : t === 0x64 ? 'delta' : t === 0x73 ? 'snapshot' : '?';
        if (type !== 'event' || ch !== TRADES_CH) return { ch, seq, type };
        // ...,"type":"event","data":[{"tradeId":1,...},{"tradeId":2,...}]}: a trade holds no nested object, so
        // the first } after a trade's id ends it.
        let j = i + TYPE_KEY.length + EVENT_DATA.length;
        if (EVENT_DATA.compare(data, i + TYPE_KEY.length, j) !== 0) break;
        const tradeIds: number[] = [];
        while (data[j] === 0x7b) {
          if (!bytesAt(data, j + 1, TRADE_ID_KEY)) return this.parseJson(data);
          j += 1 + TRADE_ID_KEY.length;
          let tradeId = 0;
          for (let c = data[j]!; c >= 0x30 && c <= 0x39; c = data[++j]!) tradeId = tradeId * 10 + c - 0x30;
          tradeIds.push(tradeId);
          while (j < data.length && data[j] !== 0x7d) j++;
          j += 2; // past '}' and ',' (or the closing ']')
        }
        return { ch, seq, type, tradeIds };
      }
    return this.parseJson(data);
  }

  private parseJson(data: Buffer): Msg {
    const m = JSON.parse(data.toString()) as Msg;
    if (m.ch === TRADES_CH && m.type === 'event') m.tradeIds = (m.data as { tradeId: number }[]).map((x) => x.tradeId);
    return m;
  }

  private connectOne(): Promise<void> {
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(`${this.base}/ws`, { perMessageDeflate: false, skipUTF8Validation: !this.fullParse });
      const lastSeq = new Map<string, number>();
      let subscribed = false;
      const timer = setTimeout(() => {
        ws.terminate();
        reject(new Error(`a client got no "subscribed" answer in ${CONNECT_TIMEOUT_MS} ms`));
      }, CONNECT_TIMEOUT_MS);
      ws.on('message', (data: Buffer) => {
        const now = nowNs();
        const m = this.parse(data);
        const warmEnd = Atomics.load(this.clock, WARM_END);
        const measureEnd = Atomics.load(this.clock, MEASURE_END);
        if (now >= warmEnd && now < measureEnd) this.msgs++;
        if (m.ch !== undefined && m.seq !== undefined) {
          const prev = lastSeq.get(m.ch);
          if (m.type !== 'snapshot' && prev !== undefined && m.seq !== prev + 1) this.seqGaps++;
          lastSeq.set(m.ch, m.seq);
          if (m.ch === TRADES_CH && m.type === 'event')
            for (const id of m.tradeIds ?? []) {
              const at = Atomics.load(this.clock, tradeSlot(id));
              if (at === 0n) this.unknownTrades++;
              else if (at >= warmEnd && at < measureEnd) {
                this.hist.add(Number(now - at) / 1e6);
                this.histDue.add(Number(now - Atomics.load(this.clock, dueSlot(id))) / 1e6);
                this.live[SAMPLES] = this.hist.count;
              }
            }
        } else if (m.op === 'subscribed' && !subscribed) {
          subscribed = true;
          clearTimeout(timer);
          this.sockets.push(ws);
          resolve();
        }
      });
      ws.once('open', () => ws.send(JSON.stringify({ op: 'subscribe', channels: [DEPTH_CH, TRADES_CH] })));
      ws.on('error', (e) => {
        this.errors++;
        if (!subscribed) {
          clearTimeout(timer);
          reject(e);
        }
      });
      ws.on('close', () => {
        this.closed++;
        if (subscribed) this.live[OPEN]!--;
      });
    });
  }

  /** Counts, then closes every socket. */
  finish(): ClientResult {
    const openAtEnd = this.sockets.filter((s) => s.readyState === WebSocket.OPEN).length;
    const r: ClientResult = {
      connected: this.sockets.length,
      openAtEnd,
      msgs: this.msgs,
      seqGaps: this.seqGaps,
      errors: this.errors,
      closed: this.closed,
      unknownTrades: this.unknownTrades,
      hist: { bins: this.hist.bins, over: this.hist.over, count: this.hist.count, max: this.hist.max },
      histDue: { bins: this.histDue.bins, over: this.histDue.over, count: this.histDue.count, max: this.histDue.max },
    };
    for (const s of this.sockets) s.terminate();
    return r;
  }
}

interface ThreadData {
  role: 'ws-bench-clients';
  base: string;
  count: number;
  clock: SharedArrayBuffer;
  live: SharedArrayBuffer;
  fullParse: boolean;
}

type ToMain = { kind: 'connected'; n: number } | { kind: 'result'; result: ClientResult };

/** A group of clients on a worker thread, driven like a ClientSet. */
class ClientThread {
  private readonly worker: Worker;
  private readonly messages: ToMain[] = [];
  private wake: (() => void) | null = null;
  private failure: Error | null = null;
  private done = false;

  constructor(data: ThreadData) {
    // A worker does not inherit tsx's loader: register it, then load this file.
    const api = import.meta.resolve('tsx/esm/api');
    const code = `import(${JSON.stringify(api)}).then((m) => { m.register(); return import(${JSON.stringify(import.meta.url)}); })`;
    this.worker = new Worker(code, { eval: true, workerData: data });
    this.worker.on('message', (m: ToMain) => {
      this.messages.push(m);
      this.wake?.();
    });
    this.worker.on('error', (e) => {
      this.failure = e;
      this.wake?.();
    });
    this.worker.once('exit', (code) => {
      // Its last message may be delivered just after its exit: give it a moment before calling it lost.
      setTimeout(() => {
        if (!this.done) this.failure ??= new Error(`a client thread ended (exit code ${code}) before its results`);
        this.wake?.();
      }, 1_000).unref();
    });
  }

  private async next<K extends ToMain['kind']>(kind: K): Promise<Extract<ToMain, { kind: K }>> {
    for (;;) {
      const i = this.messages.findIndex((m) => m.kind === kind);
      if (i >= 0) return this.messages.splice(i, 1)[0] as Extract<ToMain, { kind: K }>;
      if (this.failure !== null) throw this.failure;
      await new Promise<void>((r) => {
        this.wake = r;
      });
    }
  }

  async connected(): Promise<number> {
    return (await this.next('connected')).n;
  }

  async finish(): Promise<ClientResult> {
    this.worker.postMessage('finish');
    const r = (await this.next('result')).result;
    this.done = true;
    await this.worker.terminate(); // it is done (and may have ended already)
    return r;
  }
}

// ---- the run ------------------------------------------------------------------------------------------------------

function openFilesLimit(): number | null {
  try {
    const line = readFileSync('/proc/self/limits', 'utf8')
      .split('\n')
      .find((l) => l.startsWith('Max open files'));
    const soft = line?.split(/\s{2,}/)[1];
    return soft === undefined || soft === 'unlimited' ? null : Number(soft);
  } catch {
    return null; // not Linux: nothing to read
  }
}

async function main(): Promise<void> {
  const MEASURE_S = Number(process.env.BENCH_SECONDS ?? 10);
  const CLIENTS = Number(process.env.BENCH_CLIENTS ?? 1_000);
  const RATE = Number(process.env.BENCH_RATE ?? 2_000);
  const THREADS = Number(process.env.BENCH_CLIENT_THREADS ?? 1);
  const PARSE = process.env.BENCH_CLIENT_PARSE ?? 'light';
  if (PARSE !== 'light' && PARSE !== 'json') throw new Error(`BENCH_CLIENT_PARSE: "${PARSE}" is not light or json`);
  const FULL_PARSE = PARSE === 'json';
  const STRICT = process.argv.includes('--strict');
  const WARMUP_S = 2;
  const TICK_MS = 10;
  const DRAIN_MS = 5_000;
  const TARGET_P99_MS = 50;
  for (const [name, v, min] of [
    ['BENCH_SECONDS', MEASURE_S, 1],
    ['BENCH_CLIENTS', CLIENTS, 1],
    ['BENCH_RATE', RATE, 1],
    ['BENCH_CLIENT_THREADS', THREADS, 0],
  ] as const)
    if (!Number.isSafeInteger(v) || v < min) throw new Error(`${name}: "${v}" is not a whole number >= ${min}`);

  // A run that hangs says where, and ends (the timer does not keep the process alive by itself).
  let stage = 'starting the server';
  const watchdog = setTimeout(
    () => {
      console.error(`ws bench: stuck while ${stage}; giving up`);
      process.exit(2);
    },
    (WARMUP_S + MEASURE_S) * 1_000 + DRAIN_MS + 120_000,
  );
  watchdog.unref();

  // ---- server and bots' accounts
  const dir = mkdtempSync(join(tmpdir(), 'cets-bench-ws-'));
  const server = await buildServer({
    ...DEFAULTS,
    dataDir: dir,
    port: 0,
    logLevel: 'silent',
    speed: 1,
    botIntensity: 0,
    rateLimitPerMin: 100_000_000,
  });
  const base = (await server.listen()).replace('http', 'ws');
  if (process.env.BENCH_FLUSH_MS !== undefined) server.streams.setFlushInterval(Number(process.env.BENCH_FLUSH_MS));
  const inject = server.app.inject.bind(server.app);
  const room = server.hub.rooms.get('default')!;

  const joinStudent = async (name: string): Promise<number> => {
    const r = await inject({ method: 'POST', url: '/api/join', payload: { code: server.joinCode, name } });
    if (r.statusCode !== 200) throw new Error(`join ${name}: ${r.statusCode} ${r.body}`);
    const j = r.json() as { studentId: number; token: string };
    const me = (
      await inject({ method: 'GET', url: '/api/me', headers: { authorization: `Bearer ${j.token}` } })
    ).json() as { account: { availableCny: string; holdings: { instrumentId: string; availableT: number }[] } };
    const held = me.account.holdings.find((h) => h.instrumentId === INSTRUMENT)?.availableT ?? 0;
    const cash = Number(me.account.availableCny);
    // Enough for the whole run with a wide margin: 1 t a sell, a buy reserves less than 200 CNY.
    const need = Math.ceil(((WARMUP_S + MEASURE_S + 5) * RATE) / 2);
    if (held < need || cash < need * 200)
      throw new Error(`${name} holds ${held} t ${INSTRUMENT} and ${cash} CNY: too little for ${need} orders`);
    return j.studentId;
  };
  const sellers = [await joinStudent('bench-seller-1'), await joinStudent('bench-seller-2')];
  const buyers = [await joinStudent('bench-buyer-1'), await joinStudent('bench-buyer-2')];

  const rules = (await inject({ method: 'GET', url: '/api/classrooms/default/markets/national' })).json() as {
    bands: Record<string, { lowCny: string; highCny: string; refCny: string }>;
  };
  const band = rules.bands[INSTRUMENT]!;
  const fen = (cny: string) => Math.round(Number(cny) * 100);
  const [lowFen, highFen, refFen] = [fen(band.lowCny), fen(band.highCny), fen(band.refCny)];
  // Asks at ref .. ref+9 ticks; buys cross at ref+20 ticks; standing bids at ref-100 .. ref-91 ticks.
  const ASK_FEN = Array.from({ length: 10 }, (_, i) => refFen + i);
  const BUY_FEN = refFen + 20;
  const BID_FEN = Array.from({ length: 10 }, (_, i) => refFen - 100 + i);
  if (BID_FEN[0]! < lowFen || BUY_FEN > highFen) throw new Error(`band ${band.lowCny}..${band.highCny}: too narrow`);

  const order = (side: 'buy' | 'sell', priceFen: number): OrderInput => ({
    marketId: 'national',
    instrumentId: INSTRUMENT,
    side,
    priceFen,
    qtyT: 1,
    tif: 'day',
  });
  let refused = 0;
  const refusals = new Map<string, number>();
  const place = (studentId: number, o: OrderInput): void => {
    const r = room.placeOrder(studentId, o);
    if (!r.ok) {
      refused++;
      refusals.set(r.code, (refusals.get(r.code) ?? 0) + 1);
    }
  };
  for (let i = 0; i < 10; i++) {
    place(sellers[i % 2]!, order('sell', ASK_FEN[i]!));
    place(buyers[i % 2]!, order('buy', BID_FEN[i]!));
  }
  if (refused > 0) throw new Error(`the starting book was refused: ${JSON.stringify([...refusals])}`);

  // ---- trade times
  const clockBuf = new SharedArrayBuffer(8 * (2 + 2 * RING));
  const clock = new BigInt64Array(clockBuf);
  clock[WARM_END] = BigInt(Number.MAX_SAFE_INTEGER);
  clock[MEASURE_END] = BigInt(Number.MAX_SAFE_INTEGER);
  const inWindow = (t: bigint) => t >= clock[WARM_END]! && t < clock[MEASURE_END]!;
  const tape = room.trades('national');
  let lastTradeId = tape.length === 0 ? 0 : tape[tape.length - 1]!.tradeId;
  let orderStart = 0n;
  let orderDue = 0n;
  let trades = 0;
  let mispredicted = 0;
  room.on((e) => {
    if (e.kind !== 'trade' || e.marketId !== 'national') return;
    const id = e.trade.tradeId;
    if (id !== lastTradeId + 1) mispredicted++;
    lastTradeId = id;
    if (e.trade.instrumentId !== INSTRUMENT) return;
    // Normally already there (stored under the predicted id before the order went in).
    Atomics.store(clock, tradeSlot(id), orderStart);
    Atomics.store(clock, dueSlot(id), orderDue);
    if (inWindow(orderStart)) trades++;
  });

  // ---- clients
  const fdLimit = openFilesLimit();
  const fdNeed = 2 * CLIENTS + 100;
  console.log(
    `ws bench: ${CLIENTS} clients on ${DEPTH_CH} + ${TRADES_CH}; bots at ${RATE} orders/s (half resting listings, ` +
      `half crossing buys); ${WARMUP_S} s warm-up + ${MEASURE_S} s measured; ${availableParallelism()} CPUs`,
  );
  console.log(
    `clients: ws package clients over 127.0.0.1 in this same process as the server, ${
      THREADS === 0
        ? "on the server's own thread (sharing its event loop)"
        : `on ${THREADS} worker thread${THREADS > 1 ? 's' : ''} (own event loop${THREADS > 1 ? 's' : ''}, same CPUs)`
    }; ${
      FULL_PARSE
        ? 'each message JSON.parsed whole'
        : 'channel, seq, type and trade id read off the bytes (BENCH_CLIENT_PARSE=json parses every message whole)'
    }`,
  );
  console.log(
    `open files: soft limit ${fdLimit ?? 'unknown or unlimited'}; this run needs about ${fdNeed} (a socket on each side per client)`,
  );
  if (fdLimit !== null && fdLimit < fdNeed)
    console.log(`warning: raise it first (ulimit -n ${fdNeed}), or connections will fail with EMFILE`);

  stage = 'connecting the clients';
  const tConnect = performance.now();
  const lives: Float64Array[] = [];
  const groups: { connected(): Promise<number>; finish(): Promise<ClientResult> }[] = [];
  if (THREADS === 0) {
    const live = new Float64Array(new SharedArrayBuffer(16));
    lives.push(live);
    const set = new ClientSet(base, clock, live, FULL_PARSE);
    const n = set.connect(CLIENTS);
    groups.push({ connected: () => n, finish: async () => set.finish() });
  } else
    for (let t = 0; t < THREADS; t++) {
      const count = Math.floor(CLIENTS / THREADS) + (t < CLIENTS % THREADS ? 1 : 0);
      const live = new SharedArrayBuffer(16);
      lives.push(new Float64Array(live));
      groups.push(
        new ClientThread({ role: 'ws-bench-clients', base, count, clock: clockBuf, live, fullParse: FULL_PARSE }),
      );
    }
  const connected = (await Promise.all(groups.map((g) => g.connected()))).reduce((a, b) => a + b, 0);
  console.log(
    `connected ${connected} clients in ${((performance.now() - tConnect) / 1000).toFixed(1)} s; the server counts ${server.streams.stats.clients}`,
  );

  // ---- bots
  let botStart = 0; // performance.now() and process.hrtime of the first tick
  let botStartNs = 0n;
  let sent = 0;
  let sentMeasured = 0;
  let slot = 0;
  const sendOne = (): void => {
    const k = slot++;
    const who = (k >> 1) % 2;
    if (k % 2 === 0) place(sellers[who]!, order('sell', ASK_FEN[(k >> 1) % ASK_FEN.length]!));
    else {
      orderStart = nowNs();
      orderDue = botStartNs + BigInt(Math.round((k * 1e9) / RATE));
      Atomics.store(clock, tradeSlot(lastTradeId + 1), orderStart);
      Atomics.store(clock, dueSlot(lastTradeId + 1), orderDue);
      place(buyers[who]!, order('buy', BUY_FEN));
    }
    sent++;
    if (inWindow(nowNs())) sentMeasured++;
  };

  const LOOP_RES_MS = 10;
  const loopDelay = monitorEventLoopDelay({ resolution: LOOP_RES_MS });
  /** A sampled loop delay beyond the sampling timer's own interval, ms. */
  const lag = (ns: number) => Math.max(0, ns / 1e6 - LOOP_RES_MS);
  botStart = performance.now();
  botStartNs = nowNs();
  Atomics.store(clock, WARM_END, botStartNs + BigInt(WARMUP_S * 1e9));
  Atomics.store(clock, MEASURE_END, botStartNs + BigInt((WARMUP_S + MEASURE_S) * 1e9));
  let loopArmed = false;
  let streamsAtStart = { ...server.streams.stats };
  const bots = setInterval(() => {
    const now = nowNs();
    if (now >= clock[MEASURE_END]!) return;
    if (!loopArmed && now >= clock[WARM_END]!) {
      loopArmed = true;
      streamsAtStart = { ...server.streams.stats };
      loopDelay.enable();
    }
    const due = Math.floor(((performance.now() - botStart) * RATE) / 1_000) - sent;
    const n = Math.min(due, Math.ceil(RATE / 10));
    for (let i = 0; i < n; i++) sendOne();
  }, TICK_MS);

  stage = 'trading';
  const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
  while (nowNs() < clock[MEASURE_END]!) await sleep(50);
  clearInterval(bots);
  loopDelay.disable();
  const streamsAtEnd = { ...server.streams.stats };
  const samples = () => lives.reduce((s, l) => s + l[SAMPLES]!, 0);
  const open = () => lives.reduce((s, l) => s + l[OPEN]!, 0);
  stage = 'waiting for the last trades to reach the clients';
  const drainStart = performance.now();
  while (samples() < trades * open() && performance.now() - drainStart < DRAIN_MS) await sleep(20);
  const drainMs = performance.now() - drainStart;

  // ---- results
  stage = "collecting the clients' counts and closing them";
  const results = await Promise.all(groups.map((g) => g.finish()));
  const hist = new Histogram();
  const histDue = new Histogram();
  for (const r of results) {
    hist.merge(r.hist);
    histDue.merge(r.histDue);
  }
  const sum = (f: (r: ClientResult) => number) => results.reduce((s, r) => s + f(r), 0);
  const openAtEnd = sum((r) => r.openAtEnd);
  const missing = Math.max(0, trades * openAtEnd - hist.count);
  const msgs = sum((r) => r.msgs);
  const dropped = server.streams.stats.dropped;
  const book = room.marketOf('national')!.market.listed.engine(INSTRUMENT)!;
  const achieved = sentMeasured / MEASURE_S;
  const f1 = (x: number) => x.toFixed(1);

  console.log(
    `clients: ${connected} connected, ${openAtEnd} open at the end; dropped by the server as too slow ${dropped}; ` +
      `closed ${sum((r) => r.closed)}, errors ${sum((r) => r.errors)}`,
  );
  console.log(
    `bots: ${Math.round(achieved)} orders/s achieved (target ${RATE}), ${sent} sent in all, ${refused} refused` +
      `${refused > 0 ? ` ${JSON.stringify(Object.fromEntries(refusals))}` : ''}; ${Math.round(trades / MEASURE_S)} ` +
      `trades/s; book at the end: best bid ${(book.bestBidFen() / 100).toFixed(2)}, best ask ${(book.bestAskFen() / 100).toFixed(2)}`,
  );
  if (achieved < 0.95 * RATE)
    console.log(
      `warning: the bots reached only ${Math.round((100 * achieved) / RATE)}% of the target rate: the process is saturated, ` +
        'and the delays below are at the rate achieved',
    );
  console.log(
    `messages: ${f1(msgs / Math.max(1, connected) / MEASURE_S)} a client a second (${Math.round(msgs / MEASURE_S)} ` +
      `a second in all); sequence gaps ${sum((r) => r.seqGaps)}; trades without a time ${sum((r) => r.unknownTrades)}` +
      `${mispredicted > 0 ? `; trade ids not as predicted ${mispredicted}` : ''}`,
  );
  const flushes = streamsAtEnd.flushes - streamsAtStart.flushes;
  const perS = (f: (s: typeof streamsAtEnd) => number) => (f(streamsAtEnd) - f(streamsAtStart)) / MEASURE_S;
  console.log(
    `server thread: ${f1(flushes / MEASURE_S)} flushes/s (${f1(trades / Math.max(1, flushes))} trades a flush), ` +
      `${flushes > 0 ? f1((streamsAtEnd.flushMs - streamsAtStart.flushMs) / flushes) : '-'} ms a flush (mean; ` +
      `${connected} subscribers), busy ${f1(perS((s) => s.flushMs) / 10)}% of the time; ` +
      `${Math.round(perS((s) => s.frames))} frames/s, ${f1(perS((s) => s.bytes) / 1e6)} MB/s; event loop lag p50 ` +
      `${f1(lag(loopDelay.percentile(50)))} ms, p99 ${f1(lag(loopDelay.percentile(99)))} ms, max ${f1(lag(loopDelay.max))} ms`,
  );
  const p50 = hist.quantile(0.5);
  const p99 = hist.quantile(0.99);
  console.log(
    `delay trade -> client: ${hist.count} samples (${trades} trades x clients), ${missing} missing after ` +
      `${f1(drainMs)} ms of drain; p50 ${f1(p50)} ms, p90 ${f1(hist.quantile(0.9))} ms, p99 ${f1(p99)} ms, ` +
      `max ${f1(hist.max)} ms`,
  );
  console.log(
    `delay order due (by the ${RATE}/s schedule) -> client: p50 ${f1(histDue.quantile(0.5))} ms, ` +
      `p99 ${f1(histDue.quantile(0.99))} ms, max ${f1(histDue.max)} ms (the bots send every ${TICK_MS} ms: up to ${TICK_MS} ms more than above while they keep up)`,
  );
  const clean = dropped === 0 && missing === 0 && achieved >= 0.95 * RATE;
  const met = p99 < TARGET_P99_MS && clean;
  console.log(
    `target p99 < ${TARGET_P99_MS} ms at ${RATE} orders/s: ${met ? 'met' : 'MISSED'}` +
      `${p99 < TARGET_P99_MS && !clean ? ' (p99 is under it, but see the rate, drops or missing trades above)' : ''}`,
  );

  stage = 'closing the server';
  await server.close();
  rmSync(dir, { recursive: true, force: true });
  clearTimeout(watchdog);
  console.log(`ws: clients ${openAtEnd}, p50 ${f1(p50)} ms, p99 ${f1(p99)} ms`);
  if (STRICT && !met) process.exitCode = 1;
}

// ---- entry: the main thread runs the bench; a worker started by it runs its share of the clients -----------------

if (!isMainThread && (workerData as ThreadData | null)?.role === 'ws-bench-clients') {
  const d = workerData as ThreadData;
  const set = new ClientSet(d.base, new BigInt64Array(d.clock), new Float64Array(d.live), d.fullParse);
  const n = await set.connect(d.count);
  parentPort!.postMessage({ kind: 'connected', n } satisfies ToMain);
  parentPort!.once('message', () => {
    const result = set.finish();
    parentPort!.postMessage({ kind: 'result', result } satisfies ToMain, [
      result.hist.bins.buffer as ArrayBuffer,
      result.histDue.bins.buffer as ArrayBuffer,
    ]);
  });
} else if (isMainThread) await main();
