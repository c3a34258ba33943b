// The compliance slice: a student's standing in the home market's cycle, surrenders against it, and the scores.
import { describe, expect, it } from 'vitest';
import { applyCommand } from '../../../src/live/commands.ts';
import { must, room, run } from './room.ts';

describe('compliance', () => {
  it('a student owes the cycle, surrenders, and owes that much less', () => {
    const r = room(['Ann'], 0);
    const before = r.complianceOf(1)!;
    expect(before.obligationT).toBeGreaterThan(0);
    expect(before.status).toBe('open');
    expect(before.deadline).toBe(r.deadlineDate);
    const after = must(applyCommand(r, { op: 'surrender', studentId: 1, instrumentId: 'CEA-23', qtyT: 100 }));
    expect(after.surrenderedT).toBe(before.surrenderedT + 100);
    expect(after.remainingT).toBe(before.remainingT - 100);
    expect(r.complianceOf(1)).toEqual(after);
  });

  it('refuses a surrender of more than is held, and while the market is paused', () => {
    const r = room(['Ann'], 0);
    expect(applyCommand(r, { op: 'surrender', studentId: 1, instrumentId: 'CEA-23', qtyT: 10 ** 12 }).ok).toBe(false);
    run(r, [{ op: 'pause' }]);
    expect(applyCommand(r, { op: 'surrender', studentId: 1, instrumentId: 'CEA-23', qtyT: 100 })).toMatchObject({
      ok: false,
      code: 'LIVE_ERR_NOT_RUNNING',
    });
  });

  it('scores: nobody has made or lost anything before trading', () => {
    const r = room(['Ann', 'Bo'], 0);
    const s = r.scores();
    expect(s.map((x) => x.student.name)).toEqual(['Ann', 'Bo']);
    for (const x of s) expect(x.profitFen).toBe(0);
    expect(r.complianceOf(9)).toBeNull();
  });
});
