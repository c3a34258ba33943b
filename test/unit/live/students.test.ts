// The instructor's seats cap and token revocations are classroom state: journaled commands, kept in snapshots, and
// absent from the encoding of a classroom that never used them (so older snapshots still hash to what they stored).
import { describe, expect, it } from 'vitest';
import { Classroom } from '../../../src/live/classroom.ts';
import { encodeClassroom, restoreClassroom } from '../../../src/live/classroom-state.ts';
import { applyCommand, type LiveCommand } from '../../../src/live/commands.ts';
import { nameKey, normaliseName } from '../../../src/live/students.ts';
import { loadScenario } from '../../../src/store/scenario-files.ts';
import { ctx } from '../../fixtures/run-context.ts';

function fresh(): Classroom {
  const c = ctx();
  const scenario = loadScenario('classroom', c).scenario;
  return new Classroom({ id: 'x', name: 'Test', scenario, data: c, seed: 7, speed: 60, botIntensity: 1 });
}

const run = (room: Classroom, cmds: readonly LiveCommand[]) => cmds.map((c) => applyCommand(room, c));

describe('seats and revocations', () => {
  it('a classroom that never used them encodes without them', () => {
    const room = fresh();
    run(room, [{ op: 'start' }, { op: 'join', name: 'Ann' }]);
    const text = encodeClassroom(room);
    expect(text).not.toMatch(/seatLimit|"revoked"/);
  });

  it('cap joins, are kept by a snapshot, and replay to the same state', () => {
    const cmds: LiveCommand[] = [
      { op: 'start' },
      { op: 'join', name: 'Ann' },
      { op: 'seats', seats: 2 },
      { op: 'join', name: 'Bo' },
      { op: 'revoke', studentId: 1 },
    ];
    const a = fresh();
    expect(run(a, cmds).every((r) => r.ok)).toBe(true);
    const full = applyCommand(a, { op: 'join', name: 'Cy' });
    expect(full).toMatchObject({ ok: false, code: 'LIVE_ERR_FULL' });
    expect(a.isRevoked(1)).toBe(true);
    expect(a.isRevoked(2)).toBe(false);
    expect(a.seats()).toBe(2);

    const b = fresh();
    restoreClassroom(b, encodeClassroom(a));
    expect(encodeClassroom(b)).toBe(encodeClassroom(a));
    expect(b.isRevoked(1)).toBe(true);
    expect(applyCommand(b, { op: 'join', name: 'Cy' }).ok).toBe(false);
    // Lifting the cap lets the next one in.
    expect(applyCommand(b, { op: 'seats', seats: null }).ok).toBe(true);
    expect(applyCommand(b, { op: 'join', name: 'Cy' }).ok).toBe(true);

    const c = fresh();
    run(c, cmds);
    expect(encodeClassroom(c)).toBe(encodeClassroom(a));
  });

  it('names: normalised, and one key for what reads the same', () => {
    expect(normaliseName('  Zhang\u3000 Wei ')).toBe('Zhang Wei');
    expect(normaliseName('张伟')).toBe('张伟');
    expect(normaliseName('Ame\u0301lie')).toBe('Amélie');
    for (const bad of ['a\u200Bb', 'a\u202Eb', 'a\uFEFFb', 'a\u00ADb', '\u3164', '', '  ', '...', 'x'.repeat(41)])
      expect(normaliseName(bad), JSON.stringify(bad)).toBeNull();
    expect(nameKey('ＡＮＮ')).toBe(nameKey('ann'));
  });
});
