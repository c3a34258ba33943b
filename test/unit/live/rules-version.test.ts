// A classroom keeps the rules it started with (types.ts RULES_BEFORE_ROUNDS): a class started before rounds, whose
// journal trades on past its deadline, replays under its own rules to the same state, and would not under rounds
// (its orders and ticks after the settlement refused); a classroom created now gets rounds (the automatic surrender,
// the round over at the settlement).
import { describe, expect, it } from 'vitest';
import { Classroom } from '../../../src/live/classroom.ts';
import { encodeClassroom } from '../../../src/live/classroom-state.ts';
import { applyCommand, type LiveCommand, replayCommands } from '../../../src/live/commands.ts';
import { CURRENT_RULES, RULES_BEFORE_ROUNDS, RULES_ROUNDS, type RulesVersion } from '../../../src/live/types.ts';
import { loadScenario } from '../../../src/store/scenario-files.ts';
import { ctx } from '../../fixtures/run-context.ts';
import { order } from './room.ts';

const DAY = 86_400_000;
/** The classroom scenario runs 2024-12-16 to 2024-12-31; the deadline is moved to the Wednesday of its first week. */
const DEADLINE = '2024-12-18';

function build(rules?: RulesVersion): Classroom {
  const c = ctx();
  const scenario = loadScenario('classroom', c).scenario;
  return new Classroom({
    id: 'x',
    name: 'Test',
    scenario,
    data: c,
    seed: 7,
    speed: 60,
    botIntensity: 1,
    ...(rules === undefined ? {} : { rules }),
  });
}

/** Applies each command, which must be accepted, and keeps it as the journal does. */
function journaled(r: Classroom, journal: LiveCommand[], cmds: readonly LiveCommand[]): void {
  for (const c of cmds) {
    const x = applyCommand(r, c);
    expect(x.ok, `${c.op}: ${x.ok ? '' : `${x.code}: ${x.message}`}`).toBe(true);
    journal.push(c);
  }
}

const entries = (journal: readonly LiveCommand[]) => journal.map((cmd, i) => ({ seq: i + 1, cmd }));

/** A class of the rules before rounds: Ann and Bo trade a day at a time past the deadline, to the period's end. */
function beforeRounds(): {
  r: Classroom;
  journal: LiveCommand[];
  autoAlerts: number;
  afterDeadline: string[];
  startT: number;
} {
  const r = build(RULES_BEFORE_ROUNDS);
  let autoAlerts = 0;
  r.on((e) => {
    if (e.kind === 'alert' && e.alert.type === 'auto-surrender') autoAlerts++;
  });
  const journal: LiveCommand[] = [];
  journaled(r, journal, [
    { op: 'join', name: 'Ann' },
    { op: 'join', name: 'Bo' },
    { op: 'start' },
    { op: 'deadline', date: DEADLINE },
  ]);
  const afterDeadline: string[] = [];
  const held = () => r.account(1)!.holdings[0]![1].totalT;
  const startT = held();
  for (let i = 0; i < 40 && r.state === 'running'; i++) {
    // After the deadline, Ann sells to Bo every day: allowances the automatic surrender would have taken.
    if (r.date > DEADLINE) {
      afterDeadline.push(r.date);
      const { prevCloseFen } = r.ticker('national', 'CEA-23');
      journaled(r, journal, [order(1, 'sell', prevCloseFen, 1_000), order(2, 'buy', prevCloseFen, 1_000)]);
    }
    journaled(r, journal, [{ op: 'tick', exchangeMs: DAY }]);
  }
  return { r, journal, autoAlerts, afterDeadline, startT };
}

describe('the rules a classroom runs by', () => {
  it('before rounds: no automatic surrender, trading on past the deadline, ended with its period', () => {
    const { r, journal, autoAlerts, afterDeadline, startT } = beforeRounds();
    expect(r.autoSurrender).toBe(false);
    expect(autoAlerts).toBe(0);
    expect(afterDeadline.length).toBeGreaterThan(5);
    expect(afterDeadline.at(-1)).toBe('2024-12-31');
    expect(r.state).toBe('ended');
    // Nobody surrendered: the cycle settled with both short.
    expect(r.complianceOf(1)).toMatchObject({ surrenderedT: 0, status: 'short' });
    // Ann sold after the deadline (she traded only then).
    expect(r.account(1)!.holdings[0]![1].totalT).toBeLessThan(startT);
    // The class's one round is kept, as any round's.
    expect(r.roundResults().map((x) => x.number)).toEqual([1]);

    // The same journal replays under the same rules to the same state, byte for byte.
    const again = build(RULES_BEFORE_ROUNDS);
    expect(replayCommands(again, entries(journal))).toBe(journal.length);
    expect(encodeClassroom(again)).toBe(encodeClassroom(r));
    // Under rounds it does not: the classroom pauses at the settlement, and Ann's sale the day after is refused.
    expect(() => replayCommands(build(RULES_ROUNDS), entries(journal))).toThrow(
      /entry \d+ \(order\) refused: LIVE_ERR_NOT_RUNNING: the market is paused/,
    );
  });

  it('before rounds: the automatic surrender cannot be switched on, and no next round begins', () => {
    const r = build(RULES_BEFORE_ROUNDS);
    const journal: LiveCommand[] = [];
    journaled(r, journal, [{ op: 'join', name: 'Ann' }]);
    const on = applyCommand(r, { op: 'auto-surrender', studentId: null, enabled: true });
    expect(on).toMatchObject({ ok: false, code: 'LIVE_ERR_BAD_STATE' });
    expect(on.ok ? '' : on.message).toMatch(/started before rounds .* reset it, or create a new classroom/);
    expect(applyCommand(r, { op: 'auto-surrender', studentId: 1, enabled: true })).toMatchObject({ ok: false });
    // Off is what it is already: accepted.
    journaled(r, journal, [{ op: 'auto-surrender', studentId: 1, enabled: false }]);
    // The first round from the lobby is the class's start; a next one is refused.
    journaled(r, journal, [{ op: 'round', practice: false, roles: 'fixed' }]);
    expect(r.state).toBe('running');
    expect(applyCommand(r, { op: 'round', practice: false, roles: 'redraw' })).toMatchObject({
      ok: false,
      code: 'LIVE_ERR_BAD_STATE',
    });
    expect(r.round()).toMatchObject({ number: 1, phase: 'trading' });
  });

  it('before rounds an event could be fired twice, and its journal replays so; with rounds the second is refused', () => {
    const old = build(RULES_BEFORE_ROUNDS);
    const journal: LiveCommand[] = [];
    journaled(old, journal, [{ op: 'start' }, { op: 'fire', index: 0 }, { op: 'fire', index: 0 }]);
    const again = build(RULES_BEFORE_ROUNDS);
    replayCommands(
      again,
      journal.map((cmd, i) => ({ seq: i + 1, cmd })),
    );
    expect(encodeClassroom(again)).toBe(encodeClassroom(old));
    const now = build(RULES_ROUNDS);
    journaled(now, [], [{ op: 'start' }, { op: 'fire', index: 0 }]);
    const second = applyCommand(now, { op: 'fire', index: 0 });
    expect(second.ok ? null : second.code).toBe('LIVE_ERR_EVENT_DONE');
  });

  it('a classroom created now gets rounds: the automatic surrender, and the round over at the settlement', () => {
    expect(CURRENT_RULES).toBe(RULES_ROUNDS);
    const r = build();
    const journal: LiveCommand[] = [];
    journaled(r, journal, [
      { op: 'join', name: 'Ann' },
      { op: 'join', name: 'Bo' },
      { op: 'start' },
      { op: 'deadline', date: DEADLINE },
    ]);
    expect(r.autoSurrender).toBe(true);
    for (let i = 0; i < 40 && r.state === 'running'; i++) journaled(r, journal, [{ op: 'tick', exchangeMs: DAY }]);
    expect(r.state).toBe('paused');
    expect(r.date).toBe(DEADLINE);
    expect(r.round().phase).toBe('over');
    const owedT = r.complianceOf(1)!.obligationT;
    expect(r.complianceOf(1)).toMatchObject({ surrenderedT: owedT, status: 'met', fineFen: 0 });
    expect(applyCommand(r, { op: 'tick', exchangeMs: DAY })).toMatchObject({ ok: false, code: 'LIVE_ERR_NOT_RUNNING' });
    expect(applyCommand(r, { op: 'resume' })).toMatchObject({ ok: false, code: 'LIVE_ERR_BAD_STATE' });
  });
});
