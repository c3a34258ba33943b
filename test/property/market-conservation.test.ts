// Conservation across random trading and compliance. A random world (five accounts, two vintages, fees on) takes
// random commands: listed orders, takes, amends and cancels, block proposals and their answers, one-way
// auctions (announce, sealed bids, cancel, close), Hubei-style repos (open, settle, default), compliance
// (pre-allocation, true-up, surrender of allowances and offsets under the caps), CCER issuance, deposits and
// withdrawals, raw allocation and surrender, the end of a day and the next. After every command:
// - total cash and total tonnes per instrument equal what the ledger's records say entered and left (allocation,
//   issuance, surrender, cancellation, deposit, withdrawal; fees as transfers to the exchange, each recorded);
// - no balance, reservation or holding is negative, and the ledger's reserves equal the desks' reservations;
// - the engines' books pass their invariant checks;
// - a rejected command changed nothing at all.
//
// Reproduce a failure with the seed it prints: CETS_PROP_SEED=<seed> npx vitest run test/property/market-conservation

import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import {
  type AllocationPlan,
  type ComplianceContext,
  EntityRegistry,
  openCompliance,
  preAllocate,
  surrender,
  trueUp,
} from '../../src/market/compliance/index.ts';
import type { Result } from '../../src/market/errors.ts';
import { RepoDesk } from '../../src/market/repo.ts';
import { addDays, weekday } from '../../src/market/time.ts';
import { at, ledgerState, specVariant, type World, world } from '../fixtures/markets.ts';

const SEED = process.env.CETS_PROP_SEED !== undefined ? Number(process.env.CETS_PROP_SEED) : 0xca4b0;
const RUNS = 100 * (process.env.CETS_PROP_RUNS !== undefined ? Number(process.env.CETS_PROP_RUNS) : 1);
const INS = ['CEA-22', 'CEA-23'] as const;
/** Power benchmark in micro-tonnes per MWh. */
const PLAN: AllocationPlan = {
  benchmarksUt: { power: { 2022: 800_000, 2023: 821_800, 2024: 821_800, 2025: 800_000 } },
  firstYearSectors: {},
};
const ACCOUNTS = 5;

let commands = 0;
let accepted = 0;
let trades = 0;
const codes = new Map<string, number>();
afterAll(() => {
  console.log(`market-conservation: ${commands} commands, ${accepted} accepted, ${trades} trades (seed ${SEED})`);
  if (process.env.CETS_PROP_STATS === '1')
    console.log(
      [...codes]
        .sort((a, b) => b[1] - a[1])
        .map(([k, n]) => `${k.padEnd(36)} ${n}`)
        .join('\n'),
    );
});

// Account ACCOUNTS + 1 and instrument CEA-99 do not exist: now and then a command names them.
const acct = fc.oneof({ weight: 15, arbitrary: fc.integer({ min: 1, max: ACCOUNTS }) }, fc.constant(ACCOUNTS + 1));
const ins = fc.oneof({ weight: 15, arbitrary: fc.constantFrom(...INS) }, fc.constant('CEA-99'));
/** Most cancels, amends and answers come from the party entitled to them. */
const own = fc.integer({ min: 0, max: 3 }).map((n) => n !== 0);
/** Block commands move the clock into the afternoon session half of the time. */
const pm = fc.boolean();
const side = fc.constantFrom('buy' as const, 'sell' as const);
// Mostly inside the ±10% band around 90.00, sometimes outside it.
const priceFen = fc.oneof(
  { weight: 9, arbitrary: fc.integer({ min: 8_100, max: 9_900 }) },
  fc.integer({ min: -5, max: 20_000 }),
);
const qtyT = fc.oneof(
  { weight: 9, arbitrary: fc.integer({ min: 1, max: 3_000 }) },
  fc.integer({ min: -3, max: 200_000 }),
);
const pick = fc.nat({ max: 1_000 });
const minute = fc.constantFrom('09:45', '10:30', '11:35', '13:10', '14:20', '14:55');

// Two groups: fast-check infers the command type from at most a dozen alternatives per oneof.
const tradingCommand = fc.oneof(
  {
    weight: 10,
    arbitrary: fc.record({
      k: fc.constant('place' as const),
      acct,
      ins,
      side,
      priceFen,
      qtyT,
      tif: fc.constantFrom('day', 'gtc', 'ioc', 'fok') as fc.Arbitrary<'day' | 'gtc' | 'ioc' | 'fok'>,
      market: fc.integer({ min: 0, max: 7 }).map((n) => n === 0),
    }),
  },
  {
    weight: 3,
    arbitrary: fc.record({ k: fc.constant('take' as const), acct, pick, qtyT: fc.integer({ min: 1, max: 1_500 }) }),
  },
  { weight: 3, arbitrary: fc.record({ k: fc.constant('cancel' as const), acct, pick, own }) },
  { weight: 2, arbitrary: fc.record({ k: fc.constant('amend' as const), acct, pick, own, priceFen, qtyT }) },
  {
    weight: 3,
    arbitrary: fc.record({
      k: fc.constant('propose' as const),
      pm,
      acct,
      to: fc.option(acct),
      ins,
      side,
      priceFen: fc.integer({ min: 6_000, max: 12_000 }),
      qtyT: fc.integer({ min: 90_000, max: 400_000 }),
    }),
  },
  {
    weight: 3,
    arbitrary: fc.record({
      k: fc.constantFrom('accept' as const, 'reject' as const, 'withdraw' as const),
      pm,
      acct,
      pick,
      own,
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      k: fc.constant('counter' as const),
      pm,
      acct,
      pick,
      own,
      priceFen: fc.integer({ min: 6_000, max: 12_000 }),
      qtyT: fc.integer({ min: 90_000, max: 400_000 }),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      k: fc.constantFrom('allocate' as const, 'issue' as const, 'surrender' as const),
      acct,
      ins,
      qtyT,
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      k: fc.constantFrom('deposit' as const, 'withdraw-cash' as const),
      acct,
      fen: fc.integer({ min: -10, max: 50_000_000 }),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      k: fc.constant('announce' as const),
      acct,
      ins,
      side,
      priceFen: fc.integer({ min: 8_000, max: 9_500 }),
      qtyT: fc.integer({ min: 1, max: 50_000 }),
      uniform: fc.boolean(),
    }),
  },
  {
    weight: 4,
    arbitrary: fc.record({
      k: fc.constant('bid' as const),
      acct,
      pick,
      priceFen: fc.integer({ min: 7_900, max: 9_800 }),
      qtyT: fc.integer({ min: 1, max: 30_000 }),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({ k: fc.constantFrom('cancel-bid' as const, 'close-auction' as const), acct, pick }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      k: fc.constant('repo' as const),
      acct,
      to: acct,
      ins,
      qtyT: fc.integer({ min: 1, max: 100_000 }),
      priceFen: fc.integer({ min: 8_000, max: 9_500 }),
      days: fc.integer({ min: -1, max: 3 }),
    }),
  },
);
const otherCommand = fc.oneof(
  {
    weight: 2,
    arbitrary: fc.record({
      k: fc.constantFrom('pre-allocate' as const, 'true-up' as const),
      acct,
      year: fc.constantFrom(2023, 2024, 2025),
    }),
  },
  {
    weight: 3,
    arbitrary: fc.record({
      k: fc.constant('comply' as const),
      acct,
      cycle: fc.constantFrom('2023', '2024', '2021-2022', '9999'),
      ins: fc.constantFrom(...INS, 'CEA-24', 'CCER', 'CCER-LEGACY', 'SHCERCIR1'),
      qtyT: fc.integer({ min: -1, max: 40_000 }),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      k: fc.constant('issue-credit' as const),
      acct,
      ins: fc.constantFrom('CCER', 'CCER-LEGACY', 'SHCERCIR1'),
      qtyT: fc.integer({ min: 1, max: 20_000 }),
    }),
  },
  { weight: 1, arbitrary: fc.record({ k: fc.constantFrom('repo-settle' as const, 'repo-default' as const), pick }) },
  { weight: 2, arbitrary: fc.record({ k: fc.constant('minute' as const), minute }) },
  { weight: 1, arbitrary: fc.record({ k: fc.constant('next-day' as const) }) },
);
const command = fc.oneof({ weight: 15, arbitrary: tradingCommand }, { weight: 10, arbitrary: otherCommand });
type Cmd = typeof command extends fc.Arbitrary<infer C> ? C : never;

class Run {
  readonly w: World;
  readonly repos: RepoDesk;
  readonly compliance: ComplianceContext;
  private auctions = 0;
  private repoCount = 0;
  date = '2024-07-01';
  hhmm = '09:45';
  constructor() {
    const spec = specVariant('national', (s) => {
      s.modes.listed.feeBps = 30;
      s.modes.block.feeBps = 20;
    });
    this.w = world(spec, { accounts: ACCOUNTS, cashFen: 200_000_000_00, qtyT: 0 });
    this.repos = new RepoDesk(this.w.ledger, { feeBps: 50 });
    // Five covered power plants on accounts 1-5 (output in MWh, verified tonnes).
    const entities = new EntityRegistry();
    for (let a = 1; a <= ACCOUNTS; a++) {
      const out = 200_000 + a * 37_000;
      const added = entities.add({
        id: `E${a}`,
        name: `Plant ${a}`,
        sector: 'power',
        marketId: 'national',
        accountId: a,
        coveredFrom: 2019,
        coveredUntil: null,
        outputs: { 2022: out, 2023: out + 5_000, 2024: out + 9_000 },
        verifiedT: { 2023: Math.floor(out * 0.83), 2024: Math.floor(out * 0.81) },
      });
      if (!added.ok) throw new Error(added.message);
    }
    const ctx = openCompliance(spec, this.w.ledger, entities);
    if (!ctx.ok) throw new Error(ctx.message);
    this.compliance = ctx.value;
    for (let a = 1; a <= ACCOUNTS; a++) for (const i of INS) this.w.ledger.allocate(0, a, i, 300_000, 'seed');
    this.w.market.openDay(at(this.date, '09:00'));
  }
  get ts(): number {
    return at(this.date, this.hhmm);
  }
  liveOrders(): number[] {
    const ids: number[] = [];
    for (const i of INS) for (const o of this.w.market.listed.engine(i)!.liveOrders()) ids.push(o.orderId);
    return ids.sort((a, b) => a - b);
  }
  /** The order picked, and who acts on it: its owner when `own`, else the command's account. */
  order(pick: number, own: boolean, acct: number): [number, number] {
    const ids = this.liveOrders();
    if (ids.length === 0) return [1, acct];
    const id = ids[pick % ids.length]!;
    return [id, own ? (this.w.market.listed.orderOf(id)?.accountId ?? acct) : acct];
  }
  /** The proposal picked (open ones first), and who acts: for withdraw the proposer, else the addressee or another account. */
  proposal(pick: number, own: boolean, acct: number, k: string): [number, number] {
    const all = this.w.market.block!.all();
    const open = all.filter((p) => p.status === 'open');
    const list = open.length > 0 && own ? open : all;
    if (list.length === 0) return [1, acct];
    const p = list[pick % list.length]!;
    if (!own) return [p.proposalId, acct];
    if (k === 'withdraw') return [p.proposalId, p.proposerId];
    return [p.proposalId, p.counterpartyId ?? (p.proposerId % ACCOUNTS) + 1];
  }
  apply(c: Cmd): Result<unknown> | null {
    const { market, ledger } = this.w;
    if ('pm' in c && c.pm && this.hhmm < '13:10') this.hhmm = '13:10';
    const ts = this.ts;
    const asResult = (r: { code: string; message: string } | null): Result<unknown> =>
      r === null ? { ok: true, value: null } : { ok: false, code: r.code, message: r.message };
    switch (c.k) {
      case 'place':
        return market.placeOrder({
          tsMs: ts,
          accountId: c.acct,
          instrumentId: c.ins,
          side: c.side,
          priceFen: c.market ? null : c.priceFen,
          qtyT: c.qtyT,
          tif: c.market ? (c.tif === 'fok' ? 'fok' : 'ioc') : c.tif,
        });
      case 'take': {
        const ids = this.liveOrders();
        const id = ids.length === 0 ? 1 : ids[c.pick % ids.length]!;
        const o = market.listed.orderOf(id);
        return market.take(ts, c.acct, o?.instrumentId ?? 'CEA-23', id, c.qtyT);
      }
      case 'cancel': {
        const [id, who] = this.order(c.pick, c.own, c.acct);
        return market.cancel(ts, who, id);
      }
      case 'amend': {
        const [id, who] = this.order(c.pick, c.own, c.acct);
        return market.amend(ts, who, id, c.priceFen, c.qtyT);
      }
      case 'propose':
        return market.proposeBlock({
          tsMs: ts,
          proposerId: c.acct,
          counterpartyId: c.to,
          side: c.side,
          instrumentId: c.ins,
          priceFen: c.priceFen,
          qtyT: c.qtyT,
        });
      case 'accept':
      case 'reject':
      case 'withdraw': {
        const [id, who] = this.proposal(c.pick, c.own, c.acct, c.k);
        if (c.k === 'accept') return market.acceptBlock(ts, id, who);
        if (c.k === 'reject') return market.rejectBlock(ts, id, who);
        return market.withdrawBlock(ts, id, who);
      }
      case 'counter': {
        const [id, who] = this.proposal(c.pick, c.own, c.acct, c.k);
        return market.counterBlock(ts, id, who, c.priceFen, c.qtyT);
      }
      case 'allocate':
        return asResult(ledger.allocate(ts, c.acct, c.ins, c.qtyT, 'prop'));
      case 'issue':
        return asResult(ledger.issue(ts, c.acct, c.ins, c.qtyT, 'prop'));
      case 'surrender':
        return asResult(ledger.surrender(ts, c.acct, c.ins, c.qtyT, 'prop'));
      case 'deposit':
        return asResult(ledger.deposit(ts, c.acct, c.fen, 'prop'));
      case 'withdraw-cash':
        return asResult(ledger.withdraw(ts, c.acct, c.fen, 'prop'));
      case 'announce': {
        const id = `A${++this.auctions}`;
        return market.announceAuction({
          auctionId: id,
          tsMs: ts,
          initiatorId: c.acct,
          side: c.side,
          instrumentId: c.ins,
          qtyT: c.qtyT,
          reservePriceFen: c.priceFen,
          opensTs: ts,
          closesTs: ts + 30 * 60_000,
          allocation: c.uniform ? 'uniform' : 'pay-as-bid',
        });
      }
      case 'bid':
      case 'cancel-bid':
      case 'close-auction': {
        // Bids go mostly to the newest auctions (still open), closes to any.
        const recent = Math.max(1, this.auctions - (c.pick % 2));
        const id = c.k === 'close-auction' ? `A${(c.pick % Math.max(1, this.auctions)) + 1}` : `A${recent}`;
        if (c.k === 'bid')
          return market.bidAuction({
            auctionId: id,
            bidId: `B${commands}`,
            tsMs: ts,
            accountId: c.acct,
            priceFen: c.priceFen,
            qtyT: c.qtyT,
          });
        if (c.k === 'close-auction') return market.closeAuction(id, ts);
        const mine = market.auction!.myBids(c.acct, id).filter((b) => b.status === 'live');
        return market.cancelAuctionBid({ auctionId: id, bidId: mine[0]?.bidId ?? 'none', tsMs: ts, accountId: c.acct });
      }
      case 'repo':
        return this.repos.open({
          repoId: `R${++this.repoCount}`,
          tsMs: ts,
          holderId: c.acct,
          counterpartyId: c.to,
          instrumentId: c.ins,
          qtyT: c.qtyT,
          startPriceFen: c.priceFen,
          buybackPriceFen: c.priceFen + 50,
          buybackDate: addDays(this.date, c.days),
        });
      case 'repo-settle':
      case 'repo-default': {
        const id = `R${(c.pick % Math.max(1, this.repoCount)) + 1}`;
        return c.k === 'repo-settle' ? this.repos.settle(id, ts) : this.repos.default(id, ts);
      }
      case 'pre-allocate':
        return preAllocate(this.compliance, PLAN, `E${c.acct}`, c.year, ts);
      case 'true-up':
        return trueUp(this.compliance, PLAN, `E${c.acct}`, c.year, ts);
      case 'comply':
        return surrender(this.compliance, `E${c.acct}`, c.cycle, c.ins, c.qtyT, ts);
      case 'issue-credit':
        return asResult(ledger.issue(ts, c.acct, c.ins, c.qtyT, 'ccer issuance'));
      case 'minute':
        if (c.minute > this.hhmm) this.hhmm = c.minute;
        return null;
      case 'next-day': {
        const end = market.closeDay(at(this.date, '15:30'));
        if (!end.ok) throw new Error(end.message);
        let d = addDays(this.date, 1);
        while (weekday(d) === 0 || weekday(d) === 6) d = addDays(d, 1);
        this.date = d;
        this.hhmm = '09:45';
        const open = market.openDay(at(d, '09:00'));
        if (!open.ok) throw new Error(open.message);
        return null;
      }
    }
  }
}

describe('conservation of cash and allowances', () => {
  it('holds across random trading and compliance; rejections change nothing', () => {
    fc.assert(
      fc.property(fc.array(command, { minLength: 100, maxLength: 400 }), (cmds) => {
        const run = new Run();
        const { market, ledger } = run.w;
        for (const c of cmds) {
          const before = ledgerState(ledger);
          const liveBefore = run.liveOrders().join(',');
          const proposalsBefore = JSON.stringify(market.block!.all());
          const tradesBefore = market.trades().length;
          const r = run.apply(c);
          commands++;
          const key = r === null ? c.k : r.ok ? `${c.k} ok` : `${c.k} ${r.code}`;
          codes.set(key, (codes.get(key) ?? 0) + 1);
          if (r !== null && !r.ok) {
            expect(r.code, JSON.stringify(c)).toMatch(/^(MKT_ERR|ENG)_[A-Z_]+$/);
            expect(r.message.length).toBeGreaterThan(5);
            expect(ledgerState(ledger), `${JSON.stringify(c)} was rejected (${r.code}) but changed the ledger`).toBe(
              before,
            );
            expect(run.liveOrders().join(',')).toBe(liveBefore);
            expect(JSON.stringify(market.block!.all())).toBe(proposalsBefore);
            expect(market.trades().length).toBe(tradesBefore);
          } else if (r !== null) accepted++;
          const bad = ledger.checkConservation() ?? market.checkReservations([run.repos]);
          expect(bad, `after ${JSON.stringify(c)}`).toBeNull();
          for (const i of INS) expect(market.listed.engine(i)!.checkInvariants()).toBeNull();
        }
        trades += market.trades().length;
      }),
      { seed: SEED, numRuns: RUNS },
    );
  });
});
