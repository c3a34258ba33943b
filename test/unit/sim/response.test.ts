// Prices respond to quantities (issue 17, "Must show" 1): what-ifs on supply move the price, in the direction the
// economics says and by more than the spread across seeds. Several seeds each; directions and margins, never exact
// values.
import { describe, expect, it } from 'vitest';
import { runScenario } from '../../../src/sim/run.ts';
import { setParam } from '../../../src/sim/scenario/params.ts';
import { parseScenario } from '../../../src/sim/scenario/parse.ts';
import type { Scenario } from '../../../src/sim/scenario/schema.ts';
import { loadRunContext, loadScenario } from '../../../src/store/scenario-files.ts';
import { cutScenario } from '../../fixtures/scenario-cut.ts';

const ctx = loadRunContext();
const cat = { markets: ctx.markets, isTradingDay: (d: string) => ctx.calendar.isTradingDay(d) };
const SEEDS = [1, 2, 3];

/** Listed average price of a market over [from, to], CNY: listed turnover / listed volume. */
function listedAverage(s: Scenario, seed: number, market: string, from = '0000', to = '9999'): number {
  const rows = runScenario(ctx, { scenario: s, scenarioHash: 'x', seed }).summary.markets[market]!.daily;
  let t = 0;
  let v = 0;
  for (const r of rows)
    if (r.date >= from && r.date <= to) {
      t += Number(r.listed.turnoverCny);
      v += r.listed.volumeT;
    }
  return t / v;
}

const mean = (xs: readonly number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;

/** a is above b by at least `margin` on average, and every seed of a is above every seed of b. */
function clearlyAbove(a: readonly number[], b: readonly number[], margin: number): void {
  expect(mean(a), `${a} vs ${b}`).toBeGreaterThan(mean(b) * (1 + margin));
  expect(Math.min(...a), `${a} vs ${b}`).toBeGreaterThan(Math.max(...b));
}

const cut = (s: Scenario, markets: readonly string[], from: string, to: string): Scenario =>
  cutScenario(ctx, s, markets, from, to);

describe('prices respond to supply', () => {
  const q3 = loadScenario('q3-2024', ctx).scenario;

  it('q3-2024: 10% less free allocation raises the listed average by 5% or more; 10% more lowers it by 5% or more', () => {
    const at = (f: number) =>
      SEEDS.map((seed) => listedAverage(setParam(q3, 'supply.allocationFactor', f), seed, 'national'));
    const base = at(1);
    clearlyAbove(at(0.9), base, 0.05);
    const looser = at(1.1);
    clearlyAbove(
      base,
      looser.map((x) => x * 1.05),
      0,
    );
  });

  it('deadline-2024: with no credits issued or usable the national average price is higher', () => {
    const d = cut(loadScenario('deadline-2024', ctx).scenario, ['national', 'ccer'], '2024-01-02', '2024-12-31');
    const at = (f: number) =>
      SEEDS.map((seed) => listedAverage(setParam(d, 'supply.offsetFactor', f), seed, 'national'));
    clearlyAbove(at(0), at(1), 0.02);
  });

  it('an earlier deadline brings the rush earlier', () => {
    const base = cut(loadScenario('no-expansion', ctx).scenario, ['national'], '2024-07-01', '2024-12-31');
    const early = parseScenario(
      'no-expansion-early',
      {
        ...base,
        events: [
          { date: '2024-07-01', kind: 'deadline', market: 'national', cycle: '2023', deadline: '2024-10-31' },
          ...base.events,
        ],
      },
      cat,
    );
    /** The date by which half of the entities' buying is done: the middle of the rush. */
    const midRush = (s: Scenario, seed: number): string => {
      const r = runScenario(ctx, { scenario: s, scenarioHash: 'x', seed });
      const rows = r.summary.markets.national!.daily;
      const total = rows.reduce((a, x) => a + x.listed.volumeT + x.block.volumeT, 0);
      let acc = 0;
      for (const x of rows) {
        acc += x.listed.volumeT + x.block.volumeT;
        if (acc >= total / 2) return x.date;
      }
      return rows.at(-1)!.date;
    };
    for (const seed of SEEDS) {
      const a = midRush(early, seed);
      const b = midRush(base, seed);
      expect(
        a < b,
        `seed ${seed}: half the volume by ${a} with the deadline on 2024-10-31, by ${b} on 2024-12-31`,
      ).toBe(true);
    }
  });
});
