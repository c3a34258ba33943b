// Positions: each student's obligation against holdings, short or long at the last price, the leaderboard's profit
// and compliance cost, and the deadline's close and warning in exchange time.
import { describe, expect, it } from 'vitest';
import { WARN_TRADING_DAYS } from '../../../src/live/positions.ts';
import { addDays, cstClockText, cstDate, weekday } from '../../../src/market/time.ts';
import { order, room, run } from './room.ts';

describe('positions', () => {
  it('obligation, held, short or long: held less what is still owed, in tonnes and at the last price', () => {
    const r = room(['Ann', 'Bo'], 0);
    const ps = r.positions();
    expect(ps.map((p) => p.name)).toEqual(['Ann', 'Bo']);
    for (const p of ps) {
      const c = r.complianceOf(p.studentId)!;
      const held = r.account(p.studentId)!.holdings.find(([id]) => id === 'CEA-23')![1].totalT;
      expect(p).toMatchObject({ obligationT: c.obligationT, heldT: held, surrenderedT: 0, status: 'open' });
      expect(p.longT - p.shortT).toBe(held - c.remainingT);
      expect(Math.min(p.longT, p.shortT)).toBe(0);
      expect(p.shortValueFen).toBe(p.shortT * p.lastPriceFen);
      expect(p.longValueFen).toBe(p.longT * p.lastPriceFen);
      expect(p.lastPriceFen).toBe(r.lastPriceFen('national', 'CEA-23'));
      expect(p.cashFen).toBe(r.account(p.studentId)!.cashFen);
      expect(r.position(p.studentId)).toEqual(p);
    }
    expect(r.position(9)).toBeNull();
  });

  it('profit and compliance cost are the leaderboard scores', () => {
    const r = room(['Ann', 'Bo'], 0);
    run(r, [order(1, 'sell', 9_900, 5_000), order(2, 'buy', 9_900, 5_000)]);
    const scores = r.scores();
    for (const p of r.positions()) {
      const s = scores.find((x) => x.student.studentId === p.studentId)!;
      expect([p.profitFen, p.complianceCostFen]).toEqual([s.profitFen, s.costFen]);
    }
    // The trade at 99.00 became the last price: short and long are valued at it.
    expect(r.position(1)!.lastPriceFen).toBe(9_900);
  });

  it('a surrender moves tonnes from held to surrendered and leaves the net position as it was', () => {
    const r = room(['Ann'], 0);
    const before = r.position(1)!;
    run(r, [{ op: 'surrender', studentId: 1, instrumentId: 'CEA-23', qtyT: 1_000 }]);
    const after = r.position(1)!;
    expect(after.heldT).toBe(before.heldT - 1_000);
    expect(after.surrenderedT).toBe(before.surrenderedT + 1_000);
    expect([after.shortT, after.longT]).toEqual([before.shortT, before.longT]);
  });

  it('the deadline closes at the end of its last session; the warning starts two trading days before', () => {
    const r = room(['Ann'], 0);
    const p = r.position(1)!;
    expect(p.deadline).toBe(r.deadlineDate);
    expect(cstDate(p.deadlineTsMs)).toBe(p.deadline);
    expect(cstClockText(p.deadlineTsMs)).toBe('15:00');
    const days = r.session.days.filter((d) => d <= p.deadline);
    expect(WARN_TRADING_DAYS).toBe(2);
    expect(cstDate(p.warnFromTsMs)).toBe(days.at(-2));
    expect(cstClockText(p.warnFromTsMs)).toBe('09:30');
    // A deadline on a day without trading (a Sunday) closes with the trading day before, when the cycle settles.
    const monday = r.session.days.find((d, i) => i > 2 && weekday(d) === 1 && weekday(r.session.days[i - 1]!) === 5)!;
    const friday = r.session.days[r.session.days.indexOf(monday) - 1]!;
    const sun = addDays(friday, 2);
    run(r, [{ op: 'deadline', date: sun }]);
    expect(cstDate(r.position(1)!.deadlineTsMs)).toBe(friday);
    expect(r.position(1)!.deadline).toBe(sun);
    // Moving the deadline moves both.
    run(r, [{ op: 'deadline', date: r.session.days[5]! }]);
    expect(cstDate(r.position(1)!.deadlineTsMs)).toBe(r.session.days[5]);
    expect(cstDate(r.position(1)!.warnFromTsMs)).toBe(r.session.days[4]);
  });

  it("auto-surrender and away are the classroom's: on and present until switched", () => {
    const r = room(['Ann', 'Bo'], 0);
    expect(r.position(1)).toMatchObject({ autoSurrender: true, away: false });
    run(r, [
      { op: 'auto-surrender', studentId: 1, enabled: false },
      { op: 'away', studentId: 2 },
    ]);
    expect(r.positions().map((p) => [p.autoSurrender, p.away])).toEqual([
      [false, false],
      [true, true],
    ]);
  });
});
