import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SimError } from '../../../src/sim/errors.ts';
import { compare, loss } from '../../../src/sim/figures.ts';
import { runScenario } from '../../../src/sim/run.ts';
import { setParam } from '../../../src/sim/scenario/params.ts';
import { parseScenario } from '../../../src/sim/scenario/parse.ts';
import { simulate } from '../../../src/sim/simulation.ts';
import { runDataFiles } from '../../../src/store/run-folder.ts';
import { loadFigures, loadRunContext, loadScenario, scenarioHash } from '../../../src/store/scenario-files.ts';

const ctx = loadRunContext();
const cat = { markets: ctx.markets, isTradingDay: (d: string) => ctx.calendar.isTradingDay(d) };
const classroom = loadScenario('classroom', ctx).scenario;
const q3 = loadScenario('q3-2024', ctx).scenario;

function digest(scenario: typeof q3, seed: number): string {
  const r = runScenario(ctx, { scenario, scenarioHash: scenarioHash(scenario), seed });
  const h = createHash('sha256');
  for (const [name, text] of runDataFiles(r)) h.update(name).update(text);
  return h.digest('hex');
}

describe('simulation', () => {
  it('the same scenario and seed give byte-identical run files; another seed does not', () => {
    const a = digest(classroom, 7);
    expect(digest(classroom, 7)).toBe(a);
    expect(digest(classroom, 8)).not.toBe(a);
  });

  it('q3-2024 is byte-identical across runs too (the calibrated scenario, all 2,096 entities)', () => {
    expect(digest(q3, 3)).toBe(digest(q3, 3));
  });

  it('conserves tonnes and cash, and every desk reservation matches the ledger, at the end of a run', () => {
    const sim = simulate({ ...ctx, scenario: loadScenario('ccer-restart', ctx).scenario, seed: 1 });
    expect(sim.trades).toBeGreaterThan(0);
    const w = sim.world;
    expect(w.ledger.checkConservation()).toBeNull();
    const desks = w.markets.flatMap((m) => m.market.desks());
    for (const m of w.markets)
      expect(m.market.checkReservations(desks.filter((d) => !m.market.desks().includes(d)))).toBeNull();
    for (const m of w.markets)
      expect(sim.bars.filter((b) => b.marketId === m.setup.id && b.mode === 'listed').length).toBe(
        sim.days.length * m.market.spec.instruments.length,
      );
  });

  // Not reached yet (issue 17): prices are outcomes of the agents' valuations now, and the fit of behavioural and
  // cost parameters reaches 11 of the 14 figures on 20 seeds (the lowest trade, the last close and the July-August
  // high are missed: the model does not make the summer dip and the September rise). Kept, skipped, so that the
  // published figures stay the target; `npx cets calibrate q3-2024` prints each figure and its share of seeds.
  it.skip('reproduces the published Q3 2024 figures on the median of 3 seeds (the full check is cets calibrate)', () => {
    const figures = loadFigures('q3-2024');
    const runs = [1, 2, 3].map((seed) => runScenario(ctx, { scenario: q3, scenarioHash: 'x', seed }).summary);
    const results = compare(figures, runs);
    const missed = results.filter((r) => !r.ok).map((r) => `${r.figure}: ${r.simulated}`);
    expect(missed).toEqual([]);
    expect(loss(figures, results)).toBeLessThan(14);
  });

  it('a market balanced in aggregate ends compliant: Tianjin 2023, published 100% (ICAP Tianjin pilot factsheet), not half', () => {
    // deadline-2024 cut down to Tianjin up to its deadline (2024-06-30, a Sunday: the last session is 06-28). The
    // long firms offer what they could bank in the rush and the short ones buy all they lack on the last session.
    const d = loadScenario('deadline-2024', ctx).scenario;
    const raw = JSON.parse(JSON.stringify(d));
    raw.markets = raw.markets.filter((m: { id: string }) => m.id === 'tianjin');
    raw.events = raw.events.filter((e: { market?: string; markets?: string[] }) =>
      [e.market, ...(e.markets ?? [])].includes('tianjin'),
    );
    raw.period = { from: '2024-05-06', to: '2024-07-05' };
    const tianjin = parseScenario('tianjin-2023', raw, cat);
    const out = runScenario(ctx, { scenario: tianjin, scenarioHash: 'x', seed: 1 }).summary.compliance;
    const entities = out.reduce((n, r) => n + r.entities, 0);
    const compliant = out.reduce((n, r) => n + Math.round(r.complianceRate * r.entities), 0);
    const allocated = out.reduce((n, r) => n + r.allocatedT, 0);
    const verified = out.reduce((n, r) => n + r.verifiedT, 0);
    expect(Math.abs(allocated - verified) / verified).toBeLessThan(0.001);
    expect(compliant / entities).toBeGreaterThanOrEqual(0.95);
  });

  it('long firms plan for their market’s banking cap; bankingIfNoCap counts only where a market has none', () => {
    const markets = (scenario: typeof q3) =>
      JSON.stringify(runScenario(ctx, { scenario, scenarioHash: 'x', seed: 2 }).summary.markets);
    // The national market has a cap (data/markets/national.json): the parameter changes nothing there.
    const bankAll = (s: typeof q3) => setParam(s, 'agents.compliance.bankingIfNoCap.baseT', 1_000_000_000);
    expect(markets(bankAll(q3))).toBe(markets(q3));
    // Shanghai has none (banking: null): firms that may bank everything sell less before the rush (the last tenth of
    // the cycle, from about 2024-09-03 to its 2024-09-30 deadline), where banking is worth it to them: allocation 5%
    // tighter, so that they value an allowance above the market.
    const d = JSON.parse(JSON.stringify(loadScenario('deadline-2024', ctx).scenario));
    d.markets = d.markets.filter((m: { id: string }) => m.id === 'shanghai');
    d.period = { from: '2024-06-03', to: '2024-09-30' };
    d.events = d.events.filter(
      (e: { date: string; market?: string; markets?: string[] }) =>
        [e.market, ...(e.markets ?? [])].includes('shanghai') && e.date >= d.period.from && e.date <= d.period.to,
    );
    d.supply.allocationFactor = 0.95;
    const shanghai = parseScenario('shanghai-2023', d, cat);
    const volume = (scenario: typeof q3) =>
      runScenario(ctx, { scenario, scenarioHash: 'x', seed: 2 })
        .summary.markets.shanghai!.daily.filter((x) => x.date < '2024-09-01')
        .reduce((t, x) => t + x.listed.volumeT + x.block.volumeT, 0);
    expect(volume(bankAll(shanghai))).toBeLessThan(volume(shanghai));
  });

  it('expansion-2024 differs from no-expansion by what the plan quantities do to the outlook, nothing else', () => {
    const run = (name: string) => {
      const s = loadScenario(name, ctx).scenario;
      return runScenario(ctx, { scenario: s, scenarioHash: 'x', seed: 1 }).summary.markets.national!;
    };
    const withPlan = run('expansion-2024');
    const without = run('no-expansion');
    // Until the draft of 2024-09-09 the two runs' valuations are the same (the runs' trades differ from then on only
    // through the agents' reading of the plan's quantities).
    const fairBefore = (m: typeof withPlan, date: string) =>
      JSON.stringify(m.daily.filter((x) => x.date < date).map((x) => x.fairValue));
    expect(fairBefore(withPlan, '2024-09-09')).toBe(fairBefore(without, '2024-09-09'));
    // From the draft on, the new sectors add nothing through 2026 (phase 1: each firm allocated about what it emits)
    // and their benchmarks tighten from 2027: the later years are shorter, and the valuation is higher every day.
    const fairAfter = (m: typeof withPlan) =>
      m.daily.filter((x) => x.date > '2024-09-09').map((x) => Number(x.fairValue));
    const higher = fairAfter(withPlan).every((v, i) => v > fairAfter(without)[i]!);
    expect(higher).toBe(true);
    const last = (m: typeof withPlan) => m.balance!.at(-1)!;
    const deficit = (m: typeof withPlan, year: number) => last(m).years.find((y) => y.year === year)!.deficitT;
    expect(deficit(withPlan, 2028)).toBeGreaterThan(deficit(without, 2028));
  });
});

describe('scenario validation', () => {
  const raw = JSON.parse(readFileSync(join(import.meta.dirname, '../../../scenarios/q3-2024.json'), 'utf8'));
  // biome-ignore lint/suspicious/noExplicitAny: the edits reach into raw scenario JSON, invalid on purpose
  const bad = (edit: (s: any) => void): string => {
    const s = structuredClone(raw);
    edit(s);
    try {
      parseScenario('scenarios/q3-2024.json', s, cat);
    } catch (e) {
      expect(e).toBeInstanceOf(SimError);
      expect((e as SimError).code).toBe('SIM_ERR_SCENARIO');
      return (e as Error).message;
    }
    throw new Error('accepted');
  };

  it('ships six valid scenarios', () => {
    for (const id of ['q3-2024', 'expansion-2024', 'no-expansion', 'deadline-2024', 'ccer-restart', 'classroom'])
      expect(loadScenario(id, ctx).scenario.id).toBe(id);
  });

  it('errors name the scenario, the field and the problem', () => {
    expect(bad((s) => (s.events[0].date = '2024-13-01'))).toBe(
      'scenarios/q3-2024.json: /events/0/date: 2024-13-01 is not a calendar date',
    );
    expect(bad((s) => (s.events[0].date = '2025-01-06'))).toMatch(
      /\/events\/0\/date: 2025-01-06 is outside the period/,
    );
    expect(bad((s) => (s.markets[0].id = 'atlantis'))).toMatch(/\/markets\/0\/id: no market "atlantis"/);
    expect(bad((s) => (s.markets[0].instrument = 'BEA-23'))).toMatch(
      /\/markets\/0\/instrument: BEA-23 is not traded in national/,
    );
    expect(bad((s) => (s.markets[0].cycle = '1999'))).toMatch(
      /\/markets\/0\/cycle: national has no compliance cycle "1999"/,
    );
    expect(bad((s) => (s.agents.dealers.spreadBps = -5))).toMatch(
      /\/agents\/dealers\/spreadBps: expected it to be >= 0/,
    );
    expect(bad((s) => (s.agents.dealers.colour = 'red'))).toMatch(/\/agents\/dealers\/colour: no such field/);
    expect(bad((s) => (s.period.to = '2024-06-01'))).toMatch(/\/period\/to: the period ends/);
    expect(bad((s) => s.events.push({ ...s.events[0], markets: ['beijing'] }))).toMatch(
      /\/events\/3\/markets\/0: market "beijing" is not one of this scenario's markets/,
    );
    expect(bad((s) => (s.events[1].balancedThroughYear = 2023))).toMatch(
      /\/events\/1\/balancedThroughYear: 2023 is before the coverage's first year 2024/,
    );
  });

  it('parameters are set by dotted path and the result validated again', () => {
    const s = setParam(q3, 'agents.compliance.paceExponent', '8');
    expect(s.agents.compliance.paceExponent).toBe(8);
    expect(q3.agents.compliance.paceExponent).not.toBe(8);
    expect(() => setParam(q3, 'agents.nobody.x', 1)).toThrow(/has no parameter "agents.nobody.x"/);
    expect(() => setParam(q3, 'agents.compliance.paceExponent', 'fast')).toThrow(/is a number; "fast" is not/);
    expect(() => parseScenario('x', setParam(q3, 'agents.compliance.paceExponent', -1), cat)).toThrow(/paceExponent/);
  });
});
