// Presence: while a student is away the simulator's own covered-firm agent runs their firm; back, it is theirs again
// with whatever the bot did, and the bot's resting orders are withdrawn.
import { describe, expect, it } from 'vitest';
import { applyCommand } from '../../../src/live/commands.ts';
import { fresh, order, run, toRoundEnd } from './room.ts';

describe('presence', () => {
  it('away and back, each once', () => {
    const r = fresh(0);
    run(r, [{ op: 'join', name: 'Ann' }, { op: 'start' }]);
    expect(r.isAway(1)).toBe(false);
    run(r, [{ op: 'away', studentId: 1 }]);
    expect(r.isAway(1)).toBe(true);
    expect(applyCommand(r, { op: 'away', studentId: 1 })).toMatchObject({ ok: false, code: 'LIVE_ERR_BAD_STATE' });
    run(r, [{ op: 'back', studentId: 1 }]);
    expect(r.isAway(1)).toBe(false);
    expect(applyCommand(r, { op: 'back', studentId: 1 })).toMatchObject({ ok: false, code: 'LIVE_ERR_BAD_STATE' });
    expect(applyCommand(r, { op: 'away', studentId: 7 })).toMatchObject({
      ok: false,
      code: 'LIVE_ERR_UNKNOWN_STUDENT',
    });
  });

  it('a student away when the next round begins has a bot in the new world too', () => {
    const r = fresh(0);
    run(r, [{ op: 'join', name: 'Ann' }, { op: 'start' }, { op: 'away', studentId: 1 }]);
    run(r, [{ op: 'round', practice: false, roles: 'fixed' }]);
    expect(r.isAway(1)).toBe(true);
    const bot = r.marketOf('national')!.agents.find((a) => a.accountId === r.student(1)!.accountId) as
      | { done: boolean }
      | undefined;
    expect(bot?.done).toBe(false);
  });

  it('a bot paces to the deadline the instructor moved, as the simulator’s own firms do', () => {
    const r = fresh(0);
    run(r, [{ op: 'join', name: 'Ann' }, { op: 'start' }, { op: 'away', studentId: 1 }]);
    const bot = r.marketOf('national')!.agents.find((a) => a.accountId === r.student(1)!.accountId) as unknown as {
      plan: { deadlineDay: number };
    };
    const firm = r.marketOf('national')!.entityAgents[0]!;
    expect(bot.plan.deadlineDay).toBe(firm.plan.deadlineDay);
    const before = firm.plan.deadlineDay;
    run(r, [{ op: 'deadline', date: '2024-12-27' }]);
    expect(firm.plan.deadlineDay).toBeLessThan(before);
    expect(bot.plan.deadlineDay).toBe(firm.plan.deadlineDay);
  });

  it('a bot trades a short firm while its student is away; back, the firm is the student’s with what it bought', () => {
    // Two classes with the same bots: in one the short student (Di, power-0010) is away from the start.
    const run2 = (away: boolean) => {
      const r = fresh(1);
      run(r, [...['Ann', 'Bo', 'Cy', 'Di'].map((name) => ({ op: 'join' as const, name })), { op: 'start' }]);
      if (away) run(r, [{ op: 'away', studentId: 4 }]);
      for (let i = 0; i < 9; i++) run(r, [{ op: 'tick', exchangeMs: 86_400_000 }]);
      return r;
    };
    const present = run2(false);
    const away = run2(true);
    const held = (r: typeof away) => r.account(4)!.holdings.find(([ins]) => ins === 'CEA-23')![1].totalT;
    expect(present.studentFills(4)).toEqual([]);
    expect(away.studentFills(4).length).toBeGreaterThan(0);
    expect(away.studentFills(4).every((f) => f.orderId === null)).toBe(true);
    expect(held(away)).toBeGreaterThan(held(present));
    // On until a bid of the bot's rests (cash held for it), then the student is back.
    for (let i = 0; i < 500 && away.account(4)!.reservedFen === 0 && away.state === 'running'; i++)
      run(away, [{ op: 'tick', exchangeMs: 120_000 }]);
    expect(away.account(4)!.reservedFen).toBeGreaterThan(0);
    run(away, [{ op: 'back', studentId: 4 }]);
    expect(away.isAway(4)).toBe(false);
    // Back: nothing of the bot's rests (no cash held for its bids), and the student trades their firm again.
    expect(away.account(4)!.reservedFen).toBe(0);
    const last = away.lastPriceFen('national', 'CEA-23');
    const r = applyCommand(away, order(4, 'buy', last, 100));
    expect(r.ok, r.ok ? '' : r.message).toBe(true);
    toRoundEnd(away);
  });
});
