// Auctions of the government reserve in a classroom: announce, sealed bids, close on the clock, settlement; and
// every refusal leaves the whole classroom as it was.
import { describe, expect, it } from 'vitest';
import { Classroom } from '../../../src/live/classroom.ts';
import { encodeClassroom } from '../../../src/live/classroom-state.ts';
import { applyCommand, type LiveCommand } from '../../../src/live/commands.ts';
import { cstClockText } from '../../../src/market/time.ts';
import { loadScenario } from '../../../src/store/scenario-files.ts';
import { ctx } from '../../fixtures/run-context.ts';

function room(): Classroom {
  const c = ctx();
  const scenario = loadScenario('classroom', c).scenario;
  const r = new Classroom({ id: 'x', name: 'Test', scenario, data: c, seed: 7, speed: 60, botIntensity: 1 });
  for (const cmd of [{ op: 'start' }, { op: 'join', name: 'Ann' }, { op: 'join', name: 'Bo' }] as LiveCommand[])
    expect(applyCommand(r, cmd).ok).toBe(true);
  return r;
}

const must = <T>(r: { ok: true; value: T } | { ok: false; code: string; message: string }): T => {
  if (!r.ok) throw new Error(`${r.code}: ${r.message}`);
  return r.value;
};

const hhmm = cstClockText;

describe('auctions of the government reserve', () => {
  it('announce, bid, cancel, close on the clock: winners get the tonnes at their bids, losers their cash back', () => {
    const r = room();
    const cea = r.homeMarket().instrumentId;
    const ledger = r.session.world.ledger;
    const [ann, bo] = [r.student(1)!, r.student(2)!];
    const cash0 = [ledger.account(ann.accountId)!.cashFen, ledger.account(bo.accountId)!.cashFen];
    const held0 = [ledger.holding(ann.accountId, cea).totalT, ledger.holding(bo.accountId, cea).totalT];

    const n = must(applyCommand(r, { op: 'auction', qtyT: 50_000, reservePriceFen: 8_000, minutes: 30 }));
    expect(n).toMatchObject({ auctionId: 'A1', qtyT: 50_000, allocation: 'pay-as-bid', outcome: null });
    expect(n.closesTs - n.opensTs).toBe(30 * 60_000);
    expect(r.news.at(-1)!.title).toMatch(/Auction A1: 50,000 t of CEA-23 from the government reserve/);

    const b1 = must(applyCommand(r, { op: 'bid', studentId: 1, auctionId: 'A1', priceFen: 9_000, qtyT: 30_000 }));
    const b2 = must(applyCommand(r, { op: 'bid', studentId: 2, auctionId: 'A1', priceFen: 8_500, qtyT: 40_000 }));
    const b3 = must(applyCommand(r, { op: 'bid', studentId: 2, auctionId: 'A1', priceFen: 8_100, qtyT: 10_000 }));
    expect([b1.bidId, b2.bidId, b3.bidId]).toEqual(['B1', 'B2', 'B3']);
    // Sealed: each sees only their own bids.
    expect(r.studentBids(1).map((b) => b.bidId)).toEqual(['B1']);
    expect(r.studentBids(2).map((b) => b.bidId)).toEqual(['B2', 'B3']);
    expect(ledger.account(ann.accountId)!.reservedFen).toBe(30_000 * 9_000);
    must(applyCommand(r, { op: 'cancel-bid', studentId: 2, auctionId: 'A1', bidId: 'B3' }));
    expect(ledger.account(bo.accountId)!.reservedFen).toBe(40_000 * 8_500);

    // 29 minutes on: still open. One more: closed at exactly its end, by the clock.
    must(applyCommand(r, { op: 'tick', exchangeMs: 29 * 60_000 }));
    expect(r.auctionNotices()[0]!.outcome).toBeNull();
    must(applyCommand(r, { op: 'tick', exchangeMs: 2 * 60_000 }));
    const o = r.auctionNotices()[0]!.outcome!;
    expect(o).toMatchObject({ soldT: 50_000, unsoldT: 0, bidCount: 2, winners: 2, lowPriceFen: 8_500 });
    expect(o.highPriceFen).toBe(9_000);
    expect(o.closedTs).toBe(n.closesTs);
    expect(r.news.at(-1)!.title).toBe('Auction A1 closed: 50,000 of 50,000 t sold');

    // Ann: 30,000 t at 90.00; Bo: the remaining 20,000 t of his 40,000 at 85.00 (no fee in the national market).
    expect(ledger.holding(ann.accountId, cea).totalT).toBe(held0[0]! + 30_000);
    expect(ledger.holding(bo.accountId, cea).totalT).toBe(held0[1]! + 20_000);
    expect(ledger.account(ann.accountId)!.cashFen).toBeLessThanOrEqual(cash0[0]! - 30_000 * 9_000);
    expect(ledger.account(bo.accountId)!.reservedFen).toBe(0);
    expect(r.studentBids(2).map((b) => [b.bidId, b.status, b.filledT])).toEqual([
      ['B2', 'won', 20_000],
      ['B3', 'cancelled', 0],
    ]);
    const auctionFills = r.studentFills(1).filter((f) => f.mode === 'auction');
    expect(auctionFills).toEqual([expect.objectContaining({ side: 'buy', qtyT: 30_000, priceFen: 9_000 })]);
    // The instructor sees who won what; the books add up.
    expect(r.auctionResult('A1')!.allocations.map((a) => [a.bidId, a.qtyT])).toEqual([
      ['B1', 30_000],
      ['B2', 20_000],
    ]);
    expect(r.integrity()).toBeNull();

    // Unsold tonnes stay in the reserve; a second auction mints only what it lacks.
    must(applyCommand(r, { op: 'auction', qtyT: 1_000, reservePriceFen: 20_000, minutes: 5, allocation: 'uniform' }));
    must(applyCommand(r, { op: 'tick', exchangeMs: 6 * 60_000 }));
    expect(r.auctionNotices()[0]!.outcome).toMatchObject({ soldT: 0, unsoldT: 1_000 });
    must(applyCommand(r, { op: 'auction', qtyT: 600, reservePriceFen: 100, minutes: 5 }));
    expect(r.integrity()).toBeNull();
  });

  it('ending the class calls off an open auction: bids cancelled, cash and reserve released, news', () => {
    const r = room();
    const cea = r.homeMarket().instrumentId;
    const ledger = r.session.world.ledger;
    const ann = r.student(1)!;
    must(applyCommand(r, { op: 'auction', qtyT: 20_000, reservePriceFen: 8_000, minutes: 60 }));
    must(applyCommand(r, { op: 'bid', studentId: 1, auctionId: 'A1', priceFen: 9_000, qtyT: 10_000 }));
    const authorityId = ledger.accountIds().find((id) => ledger.account(id)!.kind === 'authority')!;
    expect(ledger.holding(authorityId, cea).reservedT).toBe(20_000);
    expect(ledger.account(ann.accountId)!.reservedFen).toBe(10_000 * 9_000);
    const held0 = ledger.holding(ann.accountId, cea).totalT;
    must(applyCommand(r, { op: 'tick', exchangeMs: 10 * 60_000 }));
    expect(applyCommand(r, { op: 'end' } as LiveCommand).ok).toBe(true);
    const n = r.auctionNotices()[0]!;
    expect(n.outcome).toBeNull();
    expect(n.withdrawnTs).toBe(n.opensTs + 10 * 60_000);
    expect(r.news.at(-1)!.title).toBe('Auction A1 withdrawn');
    expect(r.studentBids(1).map((b) => b.status)).toEqual(['cancelled']);
    expect(ledger.account(ann.accountId)!.reservedFen).toBe(0);
    expect(ledger.holding(ann.accountId, cea).totalT).toBe(held0);
    expect(ledger.holding(authorityId, cea).reservedT).toBe(0);
    expect(r.integrity()).toBeNull();
    expect(applyCommand(r, { op: 'bid', studentId: 1, auctionId: 'A1', priceFen: 9_000, qtyT: 10_000 }).ok).toBe(false);
    // A closed auction stays as it closed.
    const r2 = room();
    must(applyCommand(r2, { op: 'auction', qtyT: 20_000, reservePriceFen: 8_000, minutes: 5 }));
    must(applyCommand(r2, { op: 'tick', exchangeMs: 6 * 60_000 }));
    expect(applyCommand(r2, { op: 'end' } as LiveCommand).ok).toBe(true);
    expect(r2.auctionNotices()[0]).toMatchObject({ withdrawnTs: null, outcome: { soldT: 0 } });
  });

  it('a window goes through the lunch break and must end today', () => {
    const r = room();
    // The classroom opens at 09:30; the morning session ends at 11:30 and the day at 15:00: 240 trading minutes.
    must(applyCommand(r, { op: 'tick', exchangeMs: 110 * 60_000 }));
    expect(hhmm(r.nowTsMs)).toBe('11:20');
    const n = must(applyCommand(r, { op: 'auction', qtyT: 1_000, reservePriceFen: 8_000, minutes: 20 }));
    expect(hhmm(n.closesTs)).toBe('13:10');
    const late = applyCommand(r, { op: 'auction', qtyT: 1_000, reservePriceFen: 8_000, minutes: 131 });
    expect(late).toMatchObject({ ok: false, code: 'LIVE_ERR_BAD_INPUT' });
    expect(!late.ok && late.message).toMatch(/130 trading minute\(s\) are left/);
    must(applyCommand(r, { op: 'auction', qtyT: 1_000, reservePriceFen: 8_000, minutes: 130 }));
    // The day's end closes the auction that ends with it, before the next day opens.
    must(applyCommand(r, { op: 'tick', exchangeMs: 200 * 60_000 }));
    expect(r.auctionNotices().every((x) => x.outcome !== null)).toBe(true);
    expect(r.integrity()).toBeNull();
  });

  it('refusals leave the whole classroom as it was', () => {
    const r = room();
    const bid = (x: Partial<Extract<LiveCommand, { op: 'bid' }>>): LiveCommand => ({
      op: 'bid',
      studentId: 2,
      auctionId: 'A1',
      priceFen: 9_000,
      qtyT: 1_000,
      ...x,
    });
    const auction = (x: Partial<Extract<LiveCommand, { op: 'auction' }>>): LiveCommand => ({
      op: 'auction',
      qtyT: 10_000,
      reservePriceFen: 8_000,
      minutes: 30,
      ...x,
    });
    const cases: [LiveCommand, string][] = [
      [auction({ qtyT: 0 }), 'LIVE_ERR_BAD_INPUT'],
      [auction({ qtyT: 1.5 }), 'LIVE_ERR_BAD_INPUT'],
      [auction({ qtyT: 10 ** 12 }), 'LIVE_ERR_BAD_INPUT'],
      [auction({ minutes: 0 }), 'LIVE_ERR_BAD_INPUT'],
      [auction({ minutes: 500 }), 'LIVE_ERR_BAD_INPUT'],
      [auction({ reservePriceFen: 0 }), 'MKT_ERR_BAD_INPUT'],
      [auction({ reservePriceFen: 80.5 }), 'MKT_ERR_BAD_INPUT'],
      [auction({ instrumentId: 'NOPE' }), 'MKT_ERR_UNKNOWN_INSTRUMENT'],
      [auction({ allocation: 'dutch' as never }), 'MKT_ERR_BAD_INPUT'],
      [bid({ auctionId: 'A9' }), 'LIVE_ERR_UNKNOWN_AUCTION'],
      [bid({ priceFen: 7_999 }), 'MKT_ERR_RESERVE_NOT_MET'],
      [bid({ qtyT: 0 }), 'MKT_ERR_BAD_INPUT'],
      [bid({ qtyT: 20_000 }), 'MKT_ERR_BAD_INPUT'],
      [bid({ priceFen: 10 ** 9, qtyT: 10_000 }), 'MKT_ERR_INSUFFICIENT_CASH'],
      [bid({ studentId: 9 }), 'LIVE_ERR_UNKNOWN_STUDENT'],
      [{ op: 'cancel-bid', studentId: 2, auctionId: 'A1', bidId: 'B1' }, 'LIVE_ERR_UNKNOWN_BID'],
      [{ op: 'cancel-bid', studentId: 1, auctionId: 'A1', bidId: 'B7' }, 'LIVE_ERR_UNKNOWN_BID'],
      [{ op: 'cancel-bid', studentId: 1, auctionId: 'A2', bidId: 'B1' }, 'LIVE_ERR_UNKNOWN_AUCTION'],
    ];
    const check = () => {
      for (const [c, code] of cases) {
        const before = encodeClassroom(r);
        const res = applyCommand(r, c);
        expect(res, JSON.stringify(c)).toMatchObject({ ok: false, code });
        expect(encodeClassroom(r) === before, `${JSON.stringify(c)} changed the state`).toBe(true);
      }
    };
    // Before the first notice (the reserve's account is not open yet), then after it.
    const noticeCases = cases.filter(([c]) => c.op === 'auction');
    const all = cases.splice(0, cases.length, ...noticeCases);
    check();
    must(applyCommand(r, { op: 'auction', qtyT: 10_000, reservePriceFen: 8_000, minutes: 30 }));
    must(applyCommand(r, { op: 'bid', studentId: 1, auctionId: 'A1', priceFen: 9_000, qtyT: 1_000 }));
    cases.splice(0, cases.length, ...all);
    check();
    // After the close: bids and cancels are refused too.
    must(applyCommand(r, { op: 'tick', exchangeMs: 31 * 60_000 }));
    cases.splice(
      0,
      cases.length,
      [bid({}), 'MKT_ERR_AUCTION_CLOSED'],
      [{ op: 'cancel-bid', studentId: 1, auctionId: 'A1', bidId: 'B1' }, 'MKT_ERR_AUCTION_CLOSED'],
    );
    check();
    // Paused: students may not bid; ended: nothing more.
    must(applyCommand(r, { op: 'auction', qtyT: 10_000, reservePriceFen: 8_000, minutes: 30 }));
    must(applyCommand(r, { op: 'pause' } as LiveCommand));
    cases.splice(0, cases.length, [bid({ auctionId: 'A2' }), 'LIVE_ERR_NOT_RUNNING']);
    check();
    must(applyCommand(r, { op: 'end' } as LiveCommand));
    cases.splice(0, cases.length, [auction({}), 'LIVE_ERR_ENDED']);
    check();
  });
});
