import { describe, expect, it } from 'vitest';
import { dayNumber, tsOf } from '../../../src/market/time.ts';
import { SimCode, SimError } from '../../../src/sim/errors.ts';
import type { ScenarioEvent } from '../../../src/sim/scenario/schema.ts';
import { SimSession } from '../../../src/sim/session.ts';
import { type MarketBar, type SimResult, simulate } from '../../../src/sim/simulation.ts';
import { buildOutput } from '../../../src/sim/summary.ts';
import { loadRunContext, loadScenario } from '../../../src/store/scenario-files.ts';

const ctx = loadRunContext();
const classroom = loadScenario('classroom', ctx).scenario;
const input = { ...ctx, scenario: classroom, seed: 5 };

/** Every 30 minutes of the exchange day, 09:00 to 15:30, as epoch ms. */
function halfHours(date: string): number[] {
  const out: number[] = [];
  for (let t = tsOf(date, '09:00'); t <= tsOf(date, '15:30'); t += 30 * 60_000) out.push(t);
  return out;
}

/** What a run writes, short of the run folder: summary, entities, events, bars, counts, valuations. */
function outputOf(sim: SimResult) {
  const c = sim.world.counters;
  const out = buildOutput(sim, { id: classroom.id, title: classroom.title, hash: 'x', seed: 5 }, c);
  return {
    summary: out.summary,
    entities: out.entities,
    events: sim.events,
    bars: sim.bars,
    trades: sim.trades,
    orders: c.orders,
    rejected: c.rejected,
    byCode: [...c.byCode].sort(),
    netCost: [...sim.netCostFen].sort((a, b) => a[0] - b[0]),
    fair: [...sim.fair],
  };
}

/** Records the time of every look any agent of the session takes. */
function spyLooks(session: SimSession): number[] {
  const seen: number[] = [];
  for (const mw of session.world.markets)
    for (const agent of mw.agents) {
      const act = agent.act.bind(agent);
      agent.act = (tsMs: number, inBlock: boolean): void => {
        seen.push(tsMs);
        act(tsMs, inBlock);
      };
    }
  return seen;
}

function stateError(f: () => unknown): SimError {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(SimError);
    return e as SimError;
  }
  throw new Error('no error thrown');
}

describe('SimSession', () => {
  it('stepped day by day with runUntil every 30 minutes, gives exactly what simulate gives', () => {
    const batch = outputOf(simulate(input));
    const session = new SimSession(input);
    const dayBars: MarketBar[] = [];
    let days = 0;
    while (!session.done()) {
      const date = session.beginDay();
      expect(session.openDate()).toBe(date);
      expect(date).toBe(session.days[days]);
      for (const t of halfHours(date)) session.runUntil(t);
      // And once in the middle of a minute.
      session.runUntil(tsOf(date, '15:00') + 30_000);
      dayBars.push(...session.endDay());
      expect(session.openDate()).toBeNull();
      days++;
    }
    expect(days).toBe(session.days.length);
    const stepped = outputOf(session.result());
    expect(stepped.trades).toBeGreaterThan(0);
    expect(stepped).toEqual(batch);
    expect(JSON.stringify(stepped)).toBe(JSON.stringify(batch));
    expect(dayBars).toEqual(batch.bars);
  });

  it('runUntil runs only looks strictly before its time, all of them, and nextLookTs says what is next', () => {
    const session = new SimSession(input);
    const seen = spyLooks(session);
    let total = 0;
    for (let d = 0; d < 3; d++) {
      const date = session.beginDay();
      expect(seen.length).toBe(0);
      const first = session.nextLookTs();
      expect(first).not.toBeNull();
      // At the next look's own time, nothing runs; a millisecond later, every look of that minute does.
      expect(session.runUntil(first!)).toBe(0);
      expect(session.nextLookTs()).toBe(first);
      const ran = session.runUntil(first! + 1);
      expect(ran).toBeGreaterThan(0);
      expect(seen).toEqual(Array(ran).fill(first));
      expect(session.nextLookTs()!).toBeGreaterThan(first!);
      let count = ran;
      let last = first!;
      for (const t of halfHours(date)) {
        const next = session.nextLookTs();
        const before = seen.length;
        const n = session.runUntil(t);
        expect(seen.length - before).toBe(n);
        count += n;
        for (const ts of seen.slice(before)) {
          expect(ts).toBeLessThan(t);
          expect(ts).toBeGreaterThanOrEqual(last);
          last = ts;
        }
        if (next !== null && next < t) expect(n).toBeGreaterThan(0);
        else expect(n).toBe(0);
        const after = session.nextLookTs();
        if (after !== null) expect(after).toBeGreaterThanOrEqual(t);
      }
      expect(session.nextLookTs()).toBeNull();
      expect(session.runUntil(Number.POSITIVE_INFINITY)).toBe(0);
      session.endDay();
      expect(session.nextLookTs()).toBeNull();
      expect(session.runUntil(Number.POSITIVE_INFINITY)).toBe(0);
      total += count;
      expect(seen.length).toBe(total);
      seen.length = 0;
      total = 0;
    }
  });

  it('refuses steps out of order with SIM_ERR_STATE', () => {
    const session = new SimSession(input);
    expect(stateError(() => session.endDay()).code).toBe(SimCode.State);
    session.beginDay();
    const twice = stateError(() => session.beginDay());
    expect(twice.code).toBe('SIM_ERR_STATE');
    expect(twice.message).toMatch(/is open/);
    while (!session.done()) {
      if (session.openDate() === null) session.beginDay();
      session.endDay();
    }
    expect(stateError(() => session.beginDay()).code).toBe(SimCode.State);
    expect(stateError(() => session.endDay()).code).toBe(SimCode.State);
    expect(stateError(() => (session.activityScale = -1)).code).toBe(SimCode.Unsupported);
  });

  it('fireEvent of an announcement moves no valuation, boosts activity from the next day and is logged', () => {
    const session = new SimSession(input);
    const nat = session.world.markets.find((m) => m.setup.id === 'national')!;
    const date = session.beginDay();
    session.runUntil(tsOf(date, '10:30'));
    const fair0 = nat.venue.fairFen;
    const e: ScenarioEvent = {
      date: '2024-12-31',
      kind: 'announcement',
      title: 'Instructor: trading is busy today',
      markets: ['national'],
      activityBoostBps: 20_000,
    };
    const logged = session.fireEvent(e);
    expect(logged).toEqual({
      date,
      kind: 'announcement',
      marketId: 'national',
      text: 'Instructor: trading is busy today',
    });
    expect(session.result().events.at(-1)).toEqual(logged);
    expect(nat.venue.fairFen).toBe(fair0);
    expect(nat.venue.activity).toBeGreaterThan(2.9);
    session.endDay();
    session.beginDay();
    expect(nat.venue.activity).toBeGreaterThan(2.5);
  });

  it('fireEvent of a tighter allocation plan raises the valuation at the next morning, from quantities alone', () => {
    const session = new SimSession(input);
    const nat = session.world.markets.find((m) => m.setup.id === 'national')!;
    session.beginDay();
    session.endDay();
    session.beginDay();
    const before = nat.outlook!.lastFen;
    session.fireEvent({
      date: '2024-12-31',
      kind: 'allocation-plan',
      title: 'Instructor: power allocation 5% a year tighter from 2025',
      market: 'national',
      sectors: [],
      fromYear: 2025,
      cutBpsPerYear: 500,
      credibilityBps: 10_000,
    });
    session.endDay();
    session.beginDay();
    expect(nat.outlook!.lastFen).toBeGreaterThan(before * 1.05);
  });

  it('a scenario event fired early does not take effect again on its date; fired between days it dates the next', () => {
    const session = new SimSession(input);
    const news = classroom.events.find((e) => e.kind === 'announcement')!;
    const first = session.days[0]!;
    expect(news.date > first).toBe(true);
    expect(session.fireEvent(news).date).toBe(first);
    while (!session.done()) {
      session.beginDay();
      session.endDay();
    }
    const announced = session.result().events.filter((e) => e.kind === 'announcement');
    expect(announced.map((e) => e.date)).toEqual([first]);
    expect(stateError(() => session.fireEvent(news)).code).toBe(SimCode.State);
  });

  it('fireEvent of a deadline changes the rules and every entity plan; an unknown market is refused', () => {
    const session = new SimSession(input);
    const nat = session.world.markets.find((m) => m.setup.id === 'national')!;
    const cycle = nat.setup.cycle!;
    session.beginDay();
    const logged = session.fireEvent({
      date: '2024-12-16',
      kind: 'deadline',
      market: 'national',
      cycle,
      deadline: '2024-12-27',
    });
    expect(logged.kind).toBe('deadline');
    expect(nat.market.spec.compliance!.cycles.find((c) => c.id === cycle)!.deadline).toBe('2024-12-27');
    expect(nat.entityAgents.length).toBeGreaterThan(0);
    for (const a of nat.entityAgents) expect(a.plan.deadlineDay).toBe(dayNumber('2024-12-27'));
    while (!session.done()) {
      if (session.openDate() === null) session.beginDay();
      session.endDay();
    }
    expect(session.result().events.find((e) => e.kind === 'settlement')?.date).toBe('2024-12-27');
    const bad = stateError(() =>
      new SimSession(input).fireEvent({ date: '2024-12-16', kind: 'offset-cap', market: 'atlantis', capBps: 0 }),
    );
    expect(bad.code).toBe(SimCode.Scenario);
  });

  it('activityScale 0 draws no look from the next day on; 1 changes nothing', () => {
    const session = new SimSession(input);
    expect(session.activityScale).toBe(1);
    session.activityScale = 0;
    session.beginDay();
    expect(session.nextLookTs()).toBeNull();
    expect(session.runUntil(Number.POSITIVE_INFINITY)).toBe(0);
    session.endDay();
    session.activityScale = 2;
    session.beginDay();
    expect(session.nextLookTs()).not.toBeNull();
  });
});
