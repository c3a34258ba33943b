// Automatic surrender on the deadline day: a student who never presses Surrender but holds enough is met after the
// deadline, with no fine, and told so; with it switched off (by the class or by themselves) they are short and fined.
import { describe, expect, it } from 'vitest';
import type { Classroom } from '../../../src/live/classroom.ts';
import { applyCommand } from '../../../src/live/commands.ts';
import type { Alert } from '../../../src/live/types.ts';
import { fresh, run, toRoundEnd } from './room.ts';

/** A quiet class (no bots) of one student, Ann, whose firm is long (power-0004: 660,137 t for 634,183 t owed). */
function quiet(): { r: Classroom; alerts: { studentId: number | null; alert: Alert }[] } {
  const r = fresh(0);
  const alerts: { studentId: number | null; alert: Alert }[] = [];
  r.on((e) => {
    if (e.kind === 'alert' && e.alert.type === 'auto-surrender') alerts.push(e);
  });
  run(r, [{ op: 'join', name: 'Ann' }, { op: 'start' }]);
  const c = r.complianceOf(1)!;
  expect(r.account(1)!.holdings[0]![1].totalT).toBeGreaterThanOrEqual(c.obligationT);
  return { r, alerts };
}

describe('automatic surrender', () => {
  it('is on by default: met after the deadline, no fine, and the student is told', () => {
    const { r, alerts } = quiet();
    expect(r.autoSurrender).toBe(true);
    expect(r.autoSurrenderOf(1)).toBe(true);
    const owedT = r.complianceOf(1)!.obligationT;
    toRoundEnd(r);
    expect(r.complianceOf(1)).toMatchObject({ status: 'met', fineFen: 0, surrenderedT: owedT, shortfallT: 0 });
    expect(alerts).toHaveLength(1);
    expect(alerts[0]).toMatchObject({
      studentId: 1,
      alert: { type: 'auto-surrender', params: { qtyT: owedT, owedT, deadline: '2024-12-31' } },
    });
    expect(r.roundResults()[0]!.students[0]).toMatchObject({ status: 'met', fineFen: 0 });
  });

  it('switched off for the class: short and fined as before', () => {
    const { r, alerts } = quiet();
    run(r, [{ op: 'auto-surrender', studentId: null, enabled: false }]);
    expect(r.autoSurrenderOf(1)).toBe(false);
    toRoundEnd(r);
    const c = r.complianceOf(1)!;
    expect(c.status).toBe('short');
    expect(c.fineFen).toBeGreaterThan(0);
    expect(alerts).toEqual([]);
  });

  it('a student’s own switch wins over the class’s, until the instructor switches the class again', () => {
    const { r } = quiet();
    run(r, [{ op: 'auto-surrender', studentId: 1, enabled: false }]);
    expect(r.autoSurrenderOf(1)).toBe(false);
    expect(r.autoSurrender).toBe(true);
    run(r, [{ op: 'auto-surrender', studentId: null, enabled: true }]);
    expect(r.autoSurrenderOf(1)).toBe(true);
    run(r, [{ op: 'auto-surrender', studentId: 1, enabled: false }]);
    toRoundEnd(r);
    expect(r.complianceOf(1)!.status).toBe('short');
    expect(applyCommand(r, { op: 'auto-surrender', studentId: 9, enabled: true })).toMatchObject({
      ok: false,
      code: 'LIVE_ERR_UNKNOWN_STUDENT',
    });
  });
});
