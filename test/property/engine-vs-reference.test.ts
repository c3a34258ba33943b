// The fast engine against the naive reference engine (test/reference/naive-engine.ts): random command streams
// over small domains, the same events (every field, every seq), the same result codes and the same book after
// every command. Some runs snapshot the fast engine mid-stream, JSON round-trip the snapshot, restore it and
// drive the restored engine alongside the original: both must keep matching the reference.
//
// Reproduce a failure with the seed it prints: CETS_PROP_SEED=<seed> npx vitest run test/property
// CETS_PROP_RUNS scales the number of runs per property; CETS_PROP_STATS=1 prints how often each code came up.

import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { codeName } from '../../src/engine/codes.ts';
import type { EngineConfig } from '../../src/engine/config.ts';
import { MatchMode, OrderType, SessionState, Side, Stp, Tif } from '../../src/engine/constants.ts';
import { Engine } from '../../src/engine/index.ts';
import { NaiveEngine } from '../reference/naive-engine.ts';
import { formatEvent, RecordingSink } from '../reference/recording-sink.ts';
import {
  applyCommand,
  type Command,
  commandsArb,
  configArb,
  formatCommand,
  hugeCommands,
  hugeConfig,
} from './arbitraries.ts';

const SEED = process.env.CETS_PROP_SEED !== undefined ? Number(process.env.CETS_PROP_SEED) : 0x0ce75;
const RUNS_SCALE = process.env.CETS_PROP_RUNS !== undefined ? Number(process.env.CETS_PROP_RUNS) : 1;
const PRINT_STATS = process.env.CETS_PROP_STATS === '1';
/** Random command groups per run (a group is one command, or close + end of day + open). */
const MAX_GROUPS = 600;

let commandsRun = 0;
let restores = 0;
const codeCounts = new Map<string, number>();

afterAll(() => {
  console.log(`engine-vs-reference: ${commandsRun} commands compared, ${restores} snapshot restores (seed ${SEED})`);
  if (PRINT_STATS) {
    const rows = [...codeCounts].sort((a, b) => b[1] - a[1]);
    console.log(rows.map(([k, n]) => `${k.padEnd(34)} ${n}`).join('\n'));
  }
});

interface Lane {
  name: string;
  engine: Engine;
  sink: RecordingSink;
}

interface Case {
  config: EngineConfig;
  commands: Command[];
  /** Command indexes before which the newest fast engine is snapshotted and a restored copy joins in. */
  snapshotAt: number[];
}

const caseArb = (mode: MatchMode): fc.Arbitrary<Case> =>
  fc
    .record({
      config: configArb(mode),
      commands: commandsArb(mode, MAX_GROUPS),
      snapshotAt: fc.oneof(
        { weight: 3, arbitrary: fc.constant<number[]>([]) },
        { weight: 2, arbitrary: fc.uniqueArray(fc.nat({ max: 2 * MAX_GROUPS }), { minLength: 1, maxLength: 2 }) },
      ),
    })
    .map((c) => ({ ...c, snapshotAt: c.snapshotAt.map((i) => i % c.commands.length) }));

/** The same cases with prices of 1-21 fen and quantities of 10^12 to 10^14 times as many tonnes (see hugeCommands). */
const hugeCaseArb = (mode: MatchMode): fc.Arbitrary<Case> =>
  fc
    .tuple(caseArb(mode), fc.constantFrom(10 ** 12, 10 ** 13, 10 ** 14))
    .map(([c, scale]) => ({ ...c, config: hugeConfig(c.config, scale), commands: hugeCommands(c.commands, scale) }));

/** The book as the public reading API shows it, as one comparable string per part. */
function bookView(e: NaiveEngine | Engine): Record<string, string> {
  const pickOrder = (o: {
    orderId: number;
    accountId: number;
    side: number;
    priceFen: number;
    qtyT: number;
    tif: number;
    stp: number;
  }) => [o.orderId, o.accountId, o.side, o.priceFen, o.qtyT, o.tif, o.stp];
  const s = e.dayStats;
  return {
    liveOrders: JSON.stringify(e.liveOrders().map(pickOrder)),
    bids: JSON.stringify(e.depth(Side.Buy, 1000)),
    asks: JSON.stringify(e.depth(Side.Sell, 1000)),
    top2: JSON.stringify([e.depth(Side.Buy, 2), e.depth(Side.Sell, 2)]),
    best: JSON.stringify([e.bestBidFen(), e.bestAskFen()]),
    dayStats: JSON.stringify([s.openFen, s.highFen, s.lowFen, s.lastFen, s.volumeT, s.turnoverFen, s.tradeCount]),
  };
}

function describeFailure(c: Case, upTo: number, lane: string, what: string): string {
  const lines = [
    `${what}`,
    `lane: ${lane}${lane === 'fast' ? '' : ' (restored from a JSON round-tripped snapshot)'}`,
    `config: ${JSON.stringify(c.config)}`,
    `snapshotAt: ${JSON.stringify(c.snapshotAt.filter((i) => i <= upTo))}`,
    `commands (0..${upTo}, the last one failed):`,
    ...c.commands.slice(0, upTo + 1).map((cmd, i) => `  /* ${i} */ ${formatCommand(cmd)}`),
  ];
  return lines.join('\n');
}

function diffLines(expected: string[], actual: string[]): string {
  const out: string[] = [];
  const n = Math.max(expected.length, actual.length);
  for (let i = 0; i < n; i++) {
    const a = expected[i] ?? '(none)';
    const b = actual[i] ?? '(none)';
    out.push(a === b ? `    ${a}` : `  - reference: ${a}\n  + engine:    ${b}`);
  }
  return out.join('\n');
}

/** Drives the reference and the fast engine(s) through one case; throws at the first difference. */
function runCase(c: Case): void {
  const refSink = new RecordingSink();
  const ref = new NaiveEngine(c.config, refSink);
  const firstSink = new RecordingSink();
  const lanes: Lane[] = [{ name: 'fast', engine: new Engine(c.config, firstSink), sink: firstSink }];

  for (const [i, cmd] of c.commands.entries()) {
    if (c.snapshotAt.includes(i)) {
      const newest = lanes[lanes.length - 1]!;
      const snap = JSON.parse(JSON.stringify(newest.engine.snapshot()));
      const sink = new RecordingSink();
      lanes.push({ name: `restored before command ${i}`, engine: Engine.restore(snap, sink), sink });
      restores++;
    }

    const refFrom = refSink.events.length;
    const refCode = applyCommand(ref, cmd);
    const refEvents = refSink.events.slice(refFrom).map(formatEvent);
    const refBook = bookView(ref);
    commandsRun++;
    if (PRINT_STATS) {
      const count = (key: string) => codeCounts.set(key, (codeCounts.get(key) ?? 0) + 1);
      count(`${cmd.k} ${codeName(refCode)}`);
      for (const ev of refSink.events.slice(refFrom)) {
        if (ev.ev === 'cancelled') count(`  ${cmd.k} -> cancelled reason ${ev.reason}`);
        else if (ev.ev === 'amended') count(`  ${cmd.k} -> amended kept ${ev.keptPriority}`);
        else if (ev.ev !== 'rejected') count(`  ${cmd.k} -> ${ev.ev}`);
      }
      count(`  book size ${Math.min(ref.liveOrders().length, 20)}`);
    }

    for (const lane of lanes) {
      const fail = (what: string): never => {
        throw new Error(describeFailure(c, i, lane.name, what));
      };
      const from = lane.sink.events.length;
      let code: number;
      try {
        code = applyCommand(lane.engine, cmd);
      } catch (err) {
        const why = err instanceof Error ? (err.stack ?? err.message) : String(err);
        throw new Error(describeFailure(c, i, lane.name, `the engine threw: ${why}`));
      }
      const events = lane.sink.events.slice(from).map(formatEvent);
      if (code !== refCode || events.length !== refEvents.length || events.some((e, j) => e !== refEvents[j])) {
        fail(
          `different result or events: reference ${codeName(refCode)}, engine ${codeName(code)}\n${diffLines(refEvents, events)}`,
        );
      }
      const bad = lane.engine.checkInvariants();
      if (bad !== null) fail(`checkInvariants: ${bad}`);
      const bid = lane.engine.bestBidFen();
      const ask = lane.engine.bestAskFen();
      if (bid !== 0 && ask !== 0 && bid >= ask) fail(`crossed book: best bid ${bid} >= best ask ${ask}`);
      const book = bookView(lane.engine);
      for (const [part, expected] of Object.entries(refBook)) {
        if (book[part] !== expected)
          fail(`different ${part}:\n  - reference: ${expected}\n  + engine:    ${book[part]}`);
      }
    }
  }
}

function checkProperty(mode: MatchMode, numRuns: number, huge = false): void {
  try {
    fc.assert(
      fc.property(huge ? hugeCaseArb(mode) : caseArb(mode), (c) => {
        runCase(c);
      }),
      { numRuns: Math.max(1, Math.round(numRuns * RUNS_SCALE)), seed: SEED },
    );
  } catch (err) {
    console.error(`engine-vs-reference failed; reproduce with CETS_PROP_SEED=${SEED} (the shrunk case is below)`);
    throw err;
  }
}

describe('fast engine against the naive reference engine', () => {
  it('price-time mode: same codes, events, book and day statistics after every random command, also after snapshot/restore', () => {
    checkProperty(MatchMode.PriceTime, 250);
  });

  it('listed mode (N = 1..5): same codes, events, book and day statistics after every random command, also after snapshot/restore', () => {
    checkProperty(MatchMode.Listed, 250);
  });

  it('huge quantities, both modes: sums that would pass 2^53 - 1 are refused alike, and nothing is ever rounded', () => {
    checkProperty(MatchMode.PriceTime, 80, true);
    checkProperty(MatchMode.Listed, 80, true);
  });
});

// A few fixed scenarios from the README, so that the reference itself is pinned to the specification.
describe('naive reference engine follows the README examples', () => {
  const listed: EngineConfig = {
    mode: MatchMode.Listed,
    listedDepth: 5,
    tickFen: 1,
    lotT: 1,
    minQtyT: 1,
    maxQtyT: 99_999,
    bandBps: null,
    refPriceFen: null,
  };

  it('listed N = 5: a buy of 100 t at 90.06 trades 10 t on each of 5 levels, the rest is cancelled (DepthLimit)', () => {
    const sink = new RecordingSink();
    const e = new NaiveEngine(listed, sink);
    e.setSession(0, SessionState.Open);
    for (let i = 0; i <= 6; i++) e.placeLimit(1, 100 + i, 1, Side.Sell, 9000 + i, 10, Tif.GTC, Stp.None);
    expect(e.placeLimit(2, 1, 2, Side.Buy, 9006, 100, Tif.GTC, Stp.None)).toBe(0);
    const mine = sink.events.filter((ev) => ev.tsMs === 2);
    expect(mine.filter((ev) => ev.ev === 'trade').map((ev) => (ev.ev === 'trade' ? ev.priceFen : 0))).toEqual([
      9000, 9001, 9002, 9003, 9004,
    ]);
    expect(mine.at(-1)).toMatchObject({ ev: 'cancelled', orderId: 1, cancelledT: 50, remainingT: 0, reason: 5 });
    expect(e.bestAskFen()).toBe(9005);
    expect(e.bestBidFen()).toBe(0);
  });

  it('price-time: the same buy trades 70 t and rests 30 t at 90.06', () => {
    const e = new NaiveEngine({ ...listed, mode: MatchMode.PriceTime });
    e.setSession(0, SessionState.Open);
    for (let i = 0; i <= 6; i++) e.placeLimit(1, 100 + i, 1, Side.Sell, 9000 + i, 10, Tif.GTC, Stp.None);
    e.placeLimit(2, 1, 2, Side.Buy, 9006, 100, Tif.GTC, Stp.None);
    expect(e.depth(Side.Buy, 5)).toEqual([{ priceFen: 9006, qtyT: 30, count: 1 }]);
    expect(e.dayStats).toMatchObject({ volumeT: 70, tradeCount: 7, openFen: 9000, highFen: 9006, lastFen: 9006 });
  });

  it('band: R = 9048, ±10%, tick 1 gives 8144..9952, both edges inclusive; a market buy is accepted at 9952', () => {
    const sink = new RecordingSink();
    const e = new NaiveEngine({ ...listed, bandBps: 1000, refPriceFen: 9048 }, sink);
    e.setSession(0, SessionState.Open);
    expect(e.placeLimit(1, 1, 1, Side.Buy, 8144, 1, Tif.GFD, Stp.None)).toBe(0);
    expect(e.placeLimit(1, 2, 1, Side.Buy, 8143, 1, Tif.GFD, Stp.None)).toBe(203);
    expect(e.placeLimit(1, 3, 1, Side.Sell, 9952, 1, Tif.GFD, Stp.None)).toBe(0);
    expect(e.placeLimit(1, 4, 1, Side.Sell, 9953, 1, Tif.GFD, Stp.None)).toBe(202);
    e.placeMarket(2, 5, 2, Side.Buy, 1, Tif.IOC, Stp.None);
    expect(sink.events.find((ev) => ev.ev === 'accepted' && ev.orderId === 5)).toMatchObject({
      type: OrderType.Market,
      priceFen: 9952,
    });
  });
});
