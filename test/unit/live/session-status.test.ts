// The classroom tells its listeners when the session changes with the clock (the lunch break, the block window), not
// only when the instructor acts: a page shows "listed", "listed+block" or "closed" without polling.
import { expect, it } from 'vitest';
import { Classroom, type LiveEvent } from '../../../src/live/classroom.ts';
import { loadScenario } from '../../../src/store/scenario-files.ts';
import { ctx } from '../../fixtures/run-context.ts';

it('a status event when the session changes with the clock, none while it stays the same', () => {
  const c = ctx();
  const scenario = loadScenario('classroom', c).scenario;
  const room = new Classroom({ id: 'x', name: 'T', scenario, data: c, seed: 7, speed: 60, botIntensity: 0 });
  room.start();
  const seen: string[] = [];
  room.on((e: LiveEvent) => {
    if (e.kind === 'status') seen.push(room.sessionNow);
  });
  room.advanceExchange(60 * 60_000); // 09:30 -> 10:30, listed all along
  expect(seen).toEqual([]);
  room.advanceExchange(60 * 60_000); // -> 11:30 -> the lunch break is jumped: 13:00 opens listed and block
  room.advanceExchange(30 * 60_000);
  expect(seen).toEqual(['listed+block']);
});
