// The market outlook (src/sim/fundamentals/outlook.ts): a year allocated at its verified emissions adds no deficit
// whatever the sector could abate, and a plan's first phase is such years; news in tonnes of shortage raises the value, and solveNews inverts it.
import { describe, expect, it } from 'vitest';
import { dayNumber } from '../../../src/market/time.ts';
import type { SectorMac } from '../../../src/sim/fundamentals/mac.ts';
import { MarketOutlook, type SectorPath } from '../../../src/sim/fundamentals/outlook.ts';

const MAC: SectorMac = {
  costAt1PctCny: 20,
  exponent: 2,
  maxShareBps: 2000,
  firmSigma: 0.3,
  baselineGrowthBpsPerYear: 0,
};
const years = [2024, 2025, 2026, 2027];

function path(id: string, bauT: number, ratio: number, matched: readonly number[] = []): SectorPath {
  return {
    id,
    mac: MAC,
    bauT: new Map(years.map((y) => [y, bauT])),
    allocT: new Map(years.map((y) => [y, bauT * ratio])),
    weight: new Map(years.map((y) => [y, 1])),
    matchedYears: new Set(matched),
  };
}

const params = { macScale: 1, discountRate: 0.02, horizonYears: 3, ceilingFen: 100_000, balanceSigma: 0 };
const today = dayNumber('2024-07-01');

function outlook(sectors: SectorPath[]): MarketOutlook {
  return new MarketOutlook(sectors, [2024], params, 500, 1, 2024);
}

describe('market outlook', () => {
  it('a short market has a value; a sector allocated at its verified emissions in a year changes nothing that year', () => {
    const short = outlook([path('power', 1e9, 0.97)]).value(today, 0, 0);
    expect(short).toBeGreaterThan(0);
    // A long second sector lowers the value...
    const withLong = outlook([path('power', 1e9, 0.97), path('cement', 1e9, 1.02)]).value(today, 0, 0);
    expect(withLong).toBeLessThan(short);
    // ...but in years it is allocated what it emits, it can neither be long nor earn a surplus by abating.
    const matched = outlook([path('power', 1e9, 0.97), path('cement', 1e9, 1.0, [2025, 2026, 2027])]).value(
      today,
      0,
      0,
    );
    expect(matched).toBeCloseTo(short, 6);
    const open = outlook([path('power', 1e9, 0.97), path('cement', 1e9, 1.0)]).value(today, 0, 0);
    expect(open).toBeLessThan(short); // allocated at a fixed ratio of 1, its abatement is surplus
  });

  it("a plan's first phase (allocation following emissions through a year) adds nothing then, and its abatement builds only after", () => {
    // Cement is allocated 2% below its baseline from 2027 on: through 2026 it is balanced, and nothing it abated in
    // 2025-2026 counts, so in 2027 it can draw on one year's worth of measures.
    const tight = (matched: readonly number[]) => {
      const cement = path('cement', 1e9, 1.0, matched);
      cement.allocT.set(2027, 0.98e9);
      return outlook([path('power', 1e9, 0.97), cement]);
    };
    const fixed = tight([]);
    const v0 = fixed.value(today, 0, 0);
    const phased = tight([]);
    phased.announceCoverage(['cement'], 2024, 1, 2026);
    const v1 = phased.value(today, 0, 0);
    // Fixed benchmarks: 2025-2026 abatement is surplus and 2027 draws on three years of it, so the market is longer.
    expect(v1).toBeGreaterThan(v0);
    const year = (o: MarketOutlook, y: number) => o.lastBalance.years.find((x) => x.year === y)!;
    expect(year(phased, 2025).abatedT).toBeLessThan(year(fixed, 2025).abatedT);
    // The first phase's years are matched from the announcement on, nothing before it.
    const s = phased.sectors.find((x) => x.id === 'cement')!;
    expect([...s.matchedYears].sort()).toEqual([2024, 2025, 2026]);
  });

  it('news of a shortage raises the value; solveNews finds the news for a value, to the tonne', () => {
    const o = outlook([path('power', 1e9, 0.99)]);
    const v0 = o.value(today, 0, 0);
    o.addNews(20_000_000);
    const v1 = o.value(today, 0, 0);
    expect(v1).toBeGreaterThan(v0);
    expect(o.news).toBe(20_000_000);
    const target = v0 * 1.3;
    const c = o.solveNews(today, 0, 0, target);
    expect(Number.isInteger(c)).toBe(true);
    expect(o.news).toBe(20_000_000 + c);
    expect(Math.abs(o.lastFen - target)).toBeLessThan(1);
    expect(o.lastBalance.newsT).toBe(20_000_000 + c);
    // Lower than today's: negative news.
    expect(o.solveNews(today, 0, 0, v0 * 0.8)).toBeLessThan(0);
  });
});
