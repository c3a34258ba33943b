// Rounds: the lobby, a practice round, rounds in fresh worlds with roles kept or redrawn, results kept per round;
// the same commands replay to the same state, and a snapshot taken in a later round restores.
import { describe, expect, it } from 'vitest';
import type { Classroom } from '../../../src/live/classroom.ts';
import { encodeClassroom, restoreClassroom } from '../../../src/live/classroom-state.ts';
import { applyCommand, type LiveCommand } from '../../../src/live/commands.ts';
import { roundSeed } from '../../../src/live/rounds.ts';
import type { LiveEvent } from '../../../src/live/types.ts';
import { fresh, must, order, run, toRoundEnd } from './room.ts';

const round = (practice: boolean, roles: 'fixed' | 'redraw' = 'fixed') => ({ op: 'round', practice, roles }) as const;

describe('rounds', () => {
  it('students join in the lobby; nobody trades until the instructor starts', () => {
    const r = fresh(0);
    expect(r.state).toBe('setup');
    expect(r.round()).toEqual({ number: 1, practice: false, phase: 'lobby', roles: 'fixed', deadline: '2024-12-31' });
    run(r, [{ op: 'join', name: 'Ann' }]);
    expect(applyCommand(r, order(1, 'buy', 9_700, 100))).toMatchObject({ ok: false, code: 'LIVE_ERR_NOT_RUNNING' });
    run(r, [{ op: 'start' }]);
    expect(r.round().phase).toBe('trading');
    expect(applyCommand(r, order(1, 'buy', 9_700, 100)).ok).toBe(true);
  });

  it('a practice round, then round 1 afresh: trading stops at the end, results kept, firms kept', () => {
    const r = fresh(0);
    const alerts: LiveEvent[] = [];
    r.on((e) => {
      if (e.kind === 'alert' && e.alert.type === 'round') alerts.push(e);
    });
    run(r, [{ op: 'join', name: 'Ann' }, { op: 'join', name: 'Bo' }, round(true)]);
    expect(r.round()).toMatchObject({ number: 0, practice: true, phase: 'trading' });
    const firms = r.studentList().map((s) => s.entityId);
    const start = r.date;
    run(r, [order(1, 'buy', 9_700, 100)]);
    toRoundEnd(r);
    expect(r.state).toBe('paused');
    expect(applyCommand(r, order(1, 'buy', 9_700, 100))).toMatchObject({ ok: false, code: 'LIVE_ERR_NOT_RUNNING' });
    expect(applyCommand(r, { op: 'resume' })).toMatchObject({ ok: false, code: 'LIVE_ERR_BAD_STATE' });
    expect(r.roundResults()).toHaveLength(1);
    expect(r.roundResults()[0]).toMatchObject({ number: 0, practice: true, deadline: '2024-12-31' });
    expect(r.roundResults()[0]!.students.map((s) => s.name)).toEqual(['Ann', 'Bo']);
    expect(r.roundResults()[0]!.students.every((s) => s.status !== 'open')).toBe(true);

    run(r, [round(false)]);
    expect(r.round()).toMatchObject({ number: 1, practice: false, phase: 'trading' });
    expect(r.state).toBe('running');
    expect(r.date).toBe(start);
    expect(r.studentList().map((s) => s.entityId)).toEqual(firms);
    expect(r.studentOrders(1)).toEqual([]);
    expect(r.complianceOf(1)!.status).toBe('open');
    const kinds = alerts.map((e) =>
      e.kind === 'alert' ? [e.studentId, e.alert.params.round, e.alert.params.phase] : [],
    );
    expect(kinds).toEqual([
      [null, 0, 'trading'],
      [null, 0, 'over'],
      [null, 1, 'trading'],
    ]);
  });

  it('roles redrawn: the class’s firms shuffled among the students, seeded; a late joiner takes a free firm', () => {
    const r = fresh(0);
    run(r, [...['Ann', 'Bo', 'Cy', 'Di', 'Ed'].map((name) => ({ op: 'join' as const, name })), { op: 'start' }]);
    const firms = r.studentList().map((s) => s.entityId);
    toRoundEnd(r);
    run(r, [{ op: 'join', name: 'Fay' }]);
    const fay = r.student(6)!.entityId;
    expect(firms).not.toContain(fay);
    run(r, [round(false, 'redraw')]);
    expect(r.round()).toMatchObject({ number: 2, roles: 'redraw' });
    const drawn = r.studentList().map((s) => s.entityId);
    expect([...drawn].sort()).toEqual([...firms, fay].sort());
    expect(drawn).not.toEqual([...firms, fay]);
    expect(r.studentList().map((s) => s.name)).toEqual(['Ann', 'Bo', 'Cy', 'Di', 'Ed', 'Fay']);
  });

  it('the instructor may cut a round short; ending the class keeps the round’s results', () => {
    const r = fresh(0);
    run(r, [{ op: 'join', name: 'Ann' }, { op: 'start' }, { op: 'tick', exchangeMs: 86_400_000 }, round(false)]);
    expect(r.roundResults().map((x) => x.number)).toEqual([1]);
    expect(r.roundResults()[0]!.students[0]!.status).toBe('open');
    expect(r.round()).toMatchObject({ number: 2, phase: 'trading' });
    run(r, [{ op: 'end' }]);
    expect(r.roundResults().map((x) => x.number)).toEqual([1, 2]);
    expect(r.round().phase).toBe('over');
    expect(applyCommand(r, round(false))).toMatchObject({ ok: false, code: 'LIVE_ERR_ENDED' });
  });

  it('each round’s world has a seed of its own, derived from the class’s', () => {
    expect(roundSeed(7, 0)).toBe(7);
    expect(roundSeed(7, 1)).toBe(roundSeed(7, 1));
    expect(roundSeed(7, 1)).not.toBe(roundSeed(7, 2));
    expect(roundSeed(7, 1)).not.toBe(roundSeed(8, 1));
  });
});

describe('rounds replay and snapshots', () => {
  /** Two rounds of a class with bots: the second with roles redrawn, a student away for part of it. */
  function script(): LiveCommand[] {
    const out: LiveCommand[] = [
      { op: 'join', name: 'Ann' },
      { op: 'join', name: 'Bo' },
      { op: 'round', practice: true, roles: 'fixed' },
    ];
    for (let i = 0; i < 30; i++)
      out.push({ op: 'tick', exchangeMs: 3_600_000 }, order(1 + (i % 2), i % 2 ? 'sell' : 'buy', 9_600 + i * 10, 200));
    out.push(
      { op: 'round', practice: false, roles: 'redraw' },
      { op: 'join', name: 'Cy' },
      { op: 'away', studentId: 2 },
    );
    for (let i = 0; i < 30; i++)
      out.push({ op: 'tick', exchangeMs: 3_600_000 }, order(1 + (i % 3), i % 2 ? 'sell' : 'buy', 9_600 + i * 10, 300));
    out.push(
      { op: 'back', studentId: 2 },
      { op: 'auto-surrender', studentId: 1, enabled: false },
      { op: 'leaderboard', visible: false },
    );
    for (let i = 0; i < 10; i++) out.push({ op: 'tick', exchangeMs: 3_600_000 });
    return out;
  }
  const cmds = script();
  const play = (r: Classroom, cs: readonly LiveCommand[]) => {
    for (const c of cs) applyCommand(r, c);
  };

  it('the same commands give the same state; a snapshot in round 1 restores and goes on to the same state', () => {
    const a = fresh(1);
    play(a, cmds);
    expect(a.round()).toMatchObject({ number: 1, roles: 'redraw' });
    expect(a.roundResults()).toHaveLength(1);
    const end = encodeClassroom(a);
    const b = fresh(1);
    play(b, cmds);
    expect(encodeClassroom(b)).toBe(end);

    const cut = cmds.findIndex((c) => c.op === 'away') + 8;
    const first = fresh(1);
    play(first, cmds.slice(0, cut));
    const snap = encodeClassroom(first);
    const restored = fresh(1);
    restoreClassroom(restored, snap);
    expect(encodeClassroom(restored)).toBe(snap);
    expect(restored.isAway(2)).toBe(true);
    play(restored, cmds.slice(cut));
    expect(encodeClassroom(restored)).toBe(end);
    expect(restored.leaderboardVisible).toBe(false);
    expect(restored.autoSurrenderOf(1)).toBe(false);
    must({ ok: true, value: 0 });
  });
});
