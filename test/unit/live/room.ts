// A classroom for the slices' unit tests: the shipped classroom scenario, seed 7, built in memory, and the helpers
// they share (run commands, unwrap a result).
import { expect } from 'vitest';
import { Classroom } from '../../../src/live/classroom.ts';
import { applyCommand, type LiveCommand } from '../../../src/live/commands.ts';
import { loadScenario } from '../../../src/store/scenario-files.ts';
import { ctx } from '../../fixtures/run-context.ts';

export function fresh(botIntensity = 1): Classroom {
  const c = ctx();
  const scenario = loadScenario('classroom', c).scenario;
  return new Classroom({ id: 'x', name: 'Test', scenario, data: c, seed: 7, speed: 60, botIntensity });
}

/** A running classroom with these students joined (ids 1, 2 ...). */
export function room(names: readonly string[] = ['Ann', 'Bo'], botIntensity = 1): Classroom {
  const r = fresh(botIntensity);
  run(r, [{ op: 'start' }, ...names.map((name) => ({ op: 'join' as const, name }))]);
  return r;
}

/** Applies commands that must all be accepted. */
export function run(r: Classroom, cmds: readonly LiveCommand[]): void {
  for (const c of cmds) {
    const x = applyCommand(r, c);
    expect(x.ok, `${c.op}: ${x.ok ? '' : `${x.code}: ${x.message}`}`).toBe(true);
  }
}

export const must = <T>(r: { ok: true; value: T } | { ok: false; code: string; message: string }): T => {
  if (!r.ok) throw new Error(`${r.code}: ${r.message}`);
  return r.value;
};

/** A day order in the national market's 2023 vintage. */
export const order = (studentId: number, side: 'buy' | 'sell', priceFen: number, qtyT: number, extra: object = {}) =>
  ({
    op: 'order',
    studentId,
    marketId: 'national',
    instrumentId: 'CEA-23',
    side,
    priceFen,
    qtyT,
    tif: 'day',
    ...extra,
  }) as const;

/** Ticks a day at a time until the round is over (the classroom scenario has about a dozen trading days). */
export function toRoundEnd(r: Classroom): void {
  for (let i = 0; i < 40 && r.round().phase === 'trading'; i++) run(r, [{ op: 'tick', exchangeMs: 86_400_000 }]);
  expect(r.round().phase).toBe('over');
}
