// Alerts raised by the core: a fill per trade to each student in it, a block proposal to the student it names (and
// a counter back to the proposer), an auction's announcement to the class and its closing soon, the deadline
// warning once to each student still owing; all from commands and ticks only, so a replay raises the same ones.
import { describe, expect, it } from 'vitest';
import { tradingBefore, tradingMs } from '../../../src/live/alerts.ts';
import type { Classroom } from '../../../src/live/classroom.ts';
import { applyCommand, type LiveCommand } from '../../../src/live/commands.ts';
import type { Alert } from '../../../src/live/types.ts';
import { tsOf } from '../../../src/market/time.ts';
import { fresh, must, order, run } from './room.ts';

type Got = { studentId: number | null; alert: Alert };

/** A running classroom with Ann and Bo and no bots, and the alerts it raises from now on. */
function watched(): { r: Classroom; alerts: Got[] } {
  const r = fresh(0);
  const alerts: Got[] = [];
  r.on((e) => {
    if (e.kind === 'alert') alerts.push({ studentId: e.studentId, alert: e.alert });
  });
  run(r, [{ op: 'start' }, { op: 'join', name: 'Ann' }, { op: 'join', name: 'Bo' }]);
  return { r, alerts };
}

const ofType = (alerts: Got[], type: Alert['type']) => alerts.filter((a) => a.alert.type === type);

/** Ticks of `minutes` until the classroom's clock reaches `tsMs` (or the classroom ends). */
function tickTo(r: Classroom, tsMs: number, minutes = 30): void {
  while (r.nowTsMs < tsMs && r.state === 'running') run(r, [{ op: 'tick', exchangeMs: minutes * 60_000 }]);
}

describe('alerts', () => {
  it('a listed trade between two students: one fill alert to each, with side, price and tonnes', () => {
    const { r, alerts } = watched();
    run(r, [order(1, 'sell', 9_700, 1_000), order(2, 'buy', 9_700, 1_000)]);
    const fills = ofType(alerts, 'fill');
    expect(fills).toHaveLength(2);
    const t = r.trades('national').at(-1)!;
    expect(fills.find((a) => a.studentId === 1)!.alert).toEqual({
      type: 'fill',
      tsMs: t.tsMs,
      params: {
        tradeId: t.tradeId,
        orderId: r.studentOrders(1)[0]!.orderId,
        marketId: 'national',
        instrumentId: 'CEA-23',
        mode: 'listed',
        side: 'sell',
        priceFen: 9_700,
        qtyT: 1_000,
      },
    });
    expect(fills.find((a) => a.studentId === 2)!.alert.params).toMatchObject({ side: 'buy', qtyT: 1_000 });
  });

  it('an order filled in two trades gets two fill alerts', () => {
    const { r, alerts } = watched();
    run(r, [order(1, 'sell', 9_700, 1_000), order(1, 'sell', 9_710, 1_000), order(2, 'buy', 9_710, 2_000)]);
    const bo = ofType(alerts, 'fill').filter((a) => a.studentId === 2);
    expect(bo.map((a) => [a.alert.params.priceFen, a.alert.params.qtyT])).toEqual([
      [9_700, 1_000],
      [9_710, 1_000],
    ]);
  });

  it('a block proposal alerts the student it names, a counter alerts the proposer, one open to all alerts nobody', () => {
    const { r, alerts } = watched();
    run(r, [{ op: 'tick', exchangeMs: 150 * 60_000 }]);
    const block = (studentId: number, toStudentId: number | null) =>
      ({
        op: 'block',
        studentId,
        marketId: 'national',
        instrumentId: 'CEA-23',
        side: 'sell',
        priceFen: 9_700,
        qtyT: 100_000,
        toStudentId,
      }) as const;
    const p = must(applyCommand(r, block(1, 2)));
    expect(ofType(alerts, 'proposal')).toEqual([
      {
        studentId: 2,
        alert: {
          type: 'proposal',
          tsMs: r.nowTsMs,
          params: {
            proposalId: p.proposalId,
            marketId: 'national',
            instrumentId: 'CEA-23',
            side: 'sell',
            priceFen: 9_700,
            qtyT: 100_000,
            fromStudentId: 1,
            from: 'Ann',
          },
        },
      },
    ]);
    const c = must(
      applyCommand(r, {
        op: 'respond',
        studentId: 2,
        marketId: 'national',
        proposalId: p.proposalId,
        action: 'counter',
        priceFen: 9_600,
        qtyT: 100_000,
      }),
    );
    const counter = ofType(alerts, 'proposal')[1]!;
    expect(counter.studentId).toBe(1);
    expect('proposalId' in c && counter.alert.params).toMatchObject({
      proposalId: 'proposalId' in c ? c.proposalId : -1,
      side: 'buy',
      priceFen: 9_600,
      from: 'Bo',
      counters: p.proposalId,
    });
    must(applyCommand(r, block(1, null)));
    expect(ofType(alerts, 'proposal')).toHaveLength(2);
  });

  it('an auction: announced to the class, closing soon once on the tick that reaches it, not for a short one', () => {
    const { r, alerts } = watched();
    // At 60x the closing alert comes one wall minute (an exchange hour) before the close: 11:00 for one from 09:30 to
    // 13:30 (150 trading minutes, the lunch break aside).
    const n = must(applyCommand(r, { op: 'auction', qtyT: 50_000, reservePriceFen: 8_000, minutes: 150 }));
    expect(ofType(alerts, 'auction-open')).toEqual([
      {
        studentId: null,
        alert: {
          type: 'auction-open',
          tsMs: n.opensTs,
          params: {
            auctionId: 'A1',
            marketId: 'national',
            instrumentId: 'CEA-23',
            qtyT: 50_000,
            reservePriceFen: 8_000,
            allocation: 'pay-as-bid',
            closesTsMs: n.closesTs,
          },
        },
      },
    ]);
    run(r, [{ op: 'tick', exchangeMs: 89 * 60_000 }]);
    expect(ofType(alerts, 'auction-closing')).toEqual([]);
    run(r, [{ op: 'tick', exchangeMs: 2 * 60_000 }]);
    expect(ofType(alerts, 'auction-closing')).toEqual([
      {
        studentId: null,
        alert: {
          type: 'auction-closing',
          tsMs: tsOf(r.date, '11:00'),
          params: {
            auctionId: 'A1',
            marketId: 'national',
            instrumentId: 'CEA-23',
            qtyT: 50_000,
            reservePriceFen: 8_000,
            closesTsMs: n.closesTs,
            minutesLeft: 60,
          },
        },
      },
    ]);
    tickTo(r, n.closesTs + 60_000, 10);
    expect(ofType(alerts, 'auction-closing')).toHaveLength(1);
    // A 30-minute auction is shorter than the notice: it is told halfway.
    const m = must(applyCommand(r, { op: 'auction', qtyT: 10_000, reservePriceFen: 8_000, minutes: 30 }));
    tickTo(r, m.closesTs + 60_000, 10);
    expect(ofType(alerts, 'auction-open')).toHaveLength(2);
    const closing = ofType(alerts, 'auction-closing');
    expect(closing.map((a) => a.alert.params.auctionId)).toEqual(['A1', 'A2']);
    expect(closing[1]!.alert.params.minutesLeft).toBe(15);
    expect(tradingMs(WINDOWS, closing[1]!.alert.tsMs, m.closesTs)).toBe(15 * 60_000);
  });

  it('the deadline warning: once, when the clock reaches it, to each student still owing', () => {
    const { r, alerts } = watched();
    // Ann surrenders all she owes (she holds more): her cycle is met, she is not warned.
    const owed = r.complianceOf(1)!.remainingT;
    run(r, [{ op: 'surrender', studentId: 1, instrumentId: 'CEA-23', qtyT: owed }]);
    const { warnFromTsMs } = r.position(2)!;
    tickTo(r, warnFromTsMs - 60 * 60_000, 120);
    expect(ofType(alerts, 'deadline-warning')).toEqual([]);
    tickTo(r, r.position(2)!.deadlineTsMs - 60_000, 120);
    const warned = ofType(alerts, 'deadline-warning');
    expect(warned).toHaveLength(1);
    expect(warned[0]).toMatchObject({
      studentId: 2,
      alert: { tsMs: warnFromTsMs, params: { deadline: r.deadlineDate, shortT: r.position(2)!.shortT } },
    });
  });

  it('a deadline moved into the warning span warns at once', () => {
    const { r, alerts } = watched();
    const tomorrow = r.session.days[1]!;
    run(r, [{ op: 'deadline', date: tomorrow }]);
    expect(ofType(alerts, 'deadline-warning').map((a) => [a.studentId, a.alert.params.deadline])).toEqual([
      [1, tomorrow],
      [2, tomorrow],
    ]);
  });

  it('the same commands raise the same alerts', () => {
    const cmds: LiveCommand[] = [
      order(1, 'sell', 9_700, 1_000),
      { op: 'auction', qtyT: 50_000, reservePriceFen: 8_000, minutes: 90 },
      { op: 'tick', exchangeMs: 45 * 60_000 },
      order(2, 'buy', 9_700, 1_000),
      { op: 'tick', exchangeMs: 45 * 60_000 },
    ];
    const once = () => {
      const { r, alerts } = watched();
      run(r, cmds);
      return alerts;
    };
    const a = once();
    // The closing notice of a 90-minute auction: 45 trading minutes before its close, in the second tick.
    expect(a.map((x) => x.alert.type).filter((t) => t !== 'round')).toEqual([
      'auction-open',
      'fill',
      'fill',
      'auction-closing',
    ]);
    expect(once()).toEqual(a);
  });
});

/** The classroom scenario's trading day: 09:30-11:30 and 13:00-15:00. */
const WINDOWS = [
  [570, 690],
  [780, 900],
] as const;

describe('tradingBefore and tradingMs', () => {
  const windows = WINDOWS;
  const at = (hhmm: string) => tsOf('2024-12-16', hhmm);
  it("counts back through the day's windows, skipping the lunch break", () => {
    expect(tradingBefore(windows, at('14:00'), 30 * 60_000)).toBe(at('13:30'));
    expect(tradingBefore(windows, at('13:10'), 30 * 60_000)).toBe(at('11:10'));
    expect(tradingBefore(windows, at('12:00'), 30 * 60_000)).toBe(at('11:00'));
    expect(tradingBefore(windows, at('09:40'), 30 * 60_000)).toBeNull();
  });
  it('trading time between two moments of a day, without the lunch break', () => {
    expect(tradingMs(windows, at('11:10'), at('13:10'))).toBe(30 * 60_000);
    expect(tradingMs(windows, at('09:00'), at('15:30'))).toBe(240 * 60_000);
  });
});
