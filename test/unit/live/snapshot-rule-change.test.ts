// A snapshot taken after the instructor moved the deadline restores: the market's compliance rules are then the
// classroom's own objects where a fresh classroom has the scenario's shared (static, frozen) ones, and restoring
// creates them afresh instead of writing into the shared data (which threw, so every such snapshot was skipped and
// the whole journal replayed).
import { expect, it } from 'vitest';
import { encodeClassroom, restoreClassroom } from '../../../src/live/classroom-state.ts';
import { fresh, run } from './room.ts';

it('a snapshot after the deadline moved restores to the same state, and goes on to the same state', () => {
  const r = fresh(1);
  run(r, [{ op: 'join', name: 'Ann' }, { op: 'start' }, { op: 'deadline', date: '2024-12-20' }]);
  run(r, [{ op: 'tick', exchangeMs: 86_400_000 }]);
  const text = encodeClassroom(r);
  const back = fresh(1);
  restoreClassroom(back, text);
  expect(encodeClassroom(back)).toBe(text);
  expect(back.deadlineDate).toBe('2024-12-20');
  // The shared scenario is untouched: a classroom built now still has the scenario's deadline.
  expect(fresh(1).deadlineDate).toBe('2024-12-31');
  const more = [{ op: 'tick', exchangeMs: 86_400_000 }] as const;
  run(r, more);
  run(back, more);
  expect(encodeClassroom(back)).toBe(encodeClassroom(r));
});
