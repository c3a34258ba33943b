import { cpSync, mkdtempSync, readFileSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registryCommand } from '../../../src/cli/registry.ts';
import { EntityRegistry } from '../../../src/market/compliance/entities.ts';
import { SimCode, SimError } from '../../../src/sim/errors.ts';
import { apportion, drawPopulation, drawRegistry, registryFiles } from '../../../src/sim/registry/draw.ts';
import { summarize, type YearSummary } from '../../../src/sim/registry/summary.ts';
import { DEFAULT_DATA_DIR, type EntityRow, loadRegistry, type Registry } from '../../../src/store/registry-files.ts';

const EXPANSION = ['cement', 'steel', 'aluminium'];

let reg: Registry;
let summaries: YearSummary[];
const byPopulation = new Map<string, EntityRow[]>();

beforeAll(() => {
  reg = loadRegistry();
  for (const pop of reg.populations.populations)
    byPopulation.set(
      pop.id,
      reg.entities.filter((e) => e.marketId === pop.marketId && e.id.startsWith(`${pop.id}-`)),
    );
  summaries = reg.populations.populations.flatMap((pop) =>
    summarize(pop, byPopulation.get(pop.id)!, reg.plans[pop.marketId]!),
  );
});

const pop = (id: string) => reg.populations.populations.find((p) => p.id === id)!;
const sumT = (ids: readonly string[], year: number): number =>
  ids.reduce((a, id) => a + byPopulation.get(id)!.reduce((b, e) => b + (e.verifiedT[year] ?? 0), 0), 0);
const count = (ids: readonly string[]): number => ids.reduce((a, id) => a + byPopulation.get(id)!.length, 0);

describe('committed entity registry', () => {
  it('has, per population, the entity count and verified emissions of populations.json, exactly', () => {
    for (const p of reg.populations.populations) {
      expect(byPopulation.get(p.id)!.length, p.id).toBe(p.entities);
      for (const y of p.years) expect(sumT([p.id], y), `${p.id} ${y}`).toBe(p.emissionsT[y]);
    }
  });

  it('matches the published figures (ICAP national and pilot factsheets)', () => {
    // national power: 2,096 entities and 5.244 bn t in 2023
    expect(count(['power'])).toBe(2096);
    expect(sumT(['power'], 2023)).toBe(5_244_000_000);
    expect(sumT(['power'], 2024)).toBeGreaterThan(5_100_000_000);
    expect(sumT(['power'], 2024)).toBeLessThan(5_400_000_000);
    // expansion: about 1,300-1,500 firms, about 3 bn t, first year 2024
    expect(count(EXPANSION)).toBeGreaterThanOrEqual(1300);
    expect(count(EXPANSION)).toBeLessThanOrEqual(1500);
    expect(sumT(EXPANSION, 2024)).toBeGreaterThanOrEqual(2_800_000_000);
    expect(sumT(EXPANSION, 2024)).toBeLessThanOrEqual(3_200_000_000);
    for (const id of EXPANSION) {
      expect(pop(id).coveredFrom).toBe(2024);
      expect(reg.plans['national']!.firstYearSectors[id]).toBe(2024);
    }
    // pilots: about 3,000 firms; Tianjin 154; Guangdong's 2023 allocation is about its 297 Mt cap
    const pilots = reg.populations.populations.filter((p) => p.marketId !== 'national').map((p) => p.id);
    expect(pilots).toHaveLength(8);
    expect(count(pilots)).toBeGreaterThanOrEqual(2800);
    expect(count(pilots)).toBeLessThanOrEqual(3300);
    expect(count(['tianjin'])).toBe(154);
    const gd = summaries.find((s) => s.populationId === 'guangdong' && s.year === 2023)!;
    expect(Math.abs(gd.allocatedT - 297_000_000)).toBeLessThan(1_000_000);
  });

  it('has a power benchmark of about 0.79-0.82 t/MWh', () => {
    for (const y of [2023, 2024, 2025]) {
      const b = reg.plans['national']!.benchmarksUt['power']![y]!;
      expect(b).toBeGreaterThanOrEqual(790_000);
      expect(b).toBeLessThanOrEqual(820_000);
    }
  });

  it('allocates, in aggregate, the documented share of emissions; both surplus and shortfall entities exist', () => {
    for (const s of summaries) {
      const where = `${s.populationId} ${s.year}`;
      expect(Math.abs(s.ratio - s.targetRatio), where).toBeLessThan(0.0005);
      if (pop(s.populationId).firstComplianceYear === s.year) {
        expect(s.allocatedT, where).toBe(s.verifiedT);
        expect([s.surplus, s.shortfall], where).toEqual([0, 0]);
      } else {
        expect(s.surplus, where).toBeGreaterThan(s.entities / 10);
        expect(s.shortfall, where).toBeGreaterThan(s.entities / 10);
      }
    }
    const power = summaries.find((s) => s.populationId === 'power' && s.year === 2023)!;
    expect(power.targetRatio).toBe(0.98);
  });

  it('keeps every entity above its population threshold, with a skewed size distribution', () => {
    for (const s of summaries) expect(s.belowThreshold, `${s.populationId} ${s.year}`).toBe(0);
    const power = byPopulation
      .get('power')!
      .map((e) => e.verifiedT[2023]!)
      .sort((a, b) => a - b);
    const median = power[power.length >> 1]!;
    const mean = 5_244_000_000 / power.length;
    expect(mean / median).toBeGreaterThan(1.3); // right-skewed
    expect(power[power.length - 1]!).toBeGreaterThan(10_000_000); // a few giants
    expect(power[power.length - 1]!).toBeLessThan(50_000_000);
  });

  it('maps every row onto a CoveredEntity the compliance rules accept', () => {
    const entities = new EntityRegistry();
    reg.entities.forEach((e, i) => {
      const r = entities.add({ ...e, accountId: i + 1 });
      expect(r.ok, e.id).toBe(true);
    });
  });

  it('is regenerated byte for byte from populations.json', () => {
    const files = registryFiles(reg.populations);
    expect(files.size).toBe(reg.populations.populations.length + Object.keys(reg.plans).length);
    for (const [rel, text] of files) expect(readFileSync(join(DEFAULT_DATA_DIR, rel), 'utf8') === text, rel).toBe(true);
  });

  it('draws each population from its own streams: another population changing leaves it as it was', () => {
    const p = reg.populations;
    const power = p.populations[0]!;
    const changed = { ...p, populations: p.populations.map((x) => (x.id === 'beijing' ? { ...x, entities: 1 } : x)) };
    expect(drawPopulation(changed, power)).toEqual(byPopulation.get('power'));
    const reseeded = drawPopulation({ ...p, seed: p.seed + 1 }, power);
    expect(reseeded.map((e) => e.verifiedT[2023])).not.toEqual(
      byPopulation.get('power')!.map((e) => e.verifiedT[2023]),
    );
  });

  it('loads only the markets asked for', () => {
    const tj = loadRegistry(DEFAULT_DATA_DIR, ['tianjin']);
    expect(tj.entities).toHaveLength(154);
    expect(Object.keys(tj.plans)).toEqual(['tianjin']);
    expect(() => loadRegistry(DEFAULT_DATA_DIR, ['atlantis'])).toThrow(/no population of market "atlantis"/);
  });
});

describe('apportion', () => {
  it('splits a whole total exactly, in proportion, largest remainder first', () => {
    expect(apportion(10, [1, 1, 1])).toEqual([4, 3, 3]);
    expect(apportion(7, [0.5, 0.25, 0.25])).toEqual([3, 2, 2]);
    const parts = apportion(5_244_000_000, [3.3, 1e-3, 2, 7.77]);
    expect(parts.reduce((a, v) => a + v, 0)).toBe(5_244_000_000);
  });
});

describe('registry loader rejects bad files', () => {
  let dir: string;
  let n = 0;
  const fresh = (): string => {
    const d = join(dir, String(n++));
    cpSync(join(DEFAULT_DATA_DIR, 'entities'), join(d, 'entities'), { recursive: true });
    cpSync(join(DEFAULT_DATA_DIR, 'allocation'), join(d, 'allocation'), { recursive: true });
    return d;
  };
  const editLine = (d: string, rel: string, line: number, edit: (cells: string[]) => string[]): void => {
    const path = join(d, rel);
    const lines = readFileSync(path, 'utf8').split('\n');
    lines[line - 1] = edit(lines[line - 1]!.split(',')).join(',');
    writeFileSync(path, lines.join('\n'));
  };
  const editJson = (d: string, rel: string, edit: (j: Record<string, unknown>) => void): void => {
    const path = join(d, rel);
    const j = JSON.parse(readFileSync(path, 'utf8'));
    edit(j);
    writeFileSync(path, JSON.stringify(j));
  };
  const failure = (d: string): SimError => {
    try {
      loadRegistry(d);
    } catch (e) {
      expect(e).toBeInstanceOf(SimError);
      expect((e as SimError).code).toBe(SimCode.Registry);
      return e as SimError;
    }
    throw new Error('expected loadRegistry to throw');
  };

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'cets-registry-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('a copy of the committed files loads', () => {
    expect(loadRegistry(fresh()).entities).toHaveLength(reg.entities.length);
  });

  it('a verified figure that is not a whole number: file, line and field', () => {
    const d = fresh();
    editLine(d, 'entities/power.csv', 12, (c) => c.with(8, 'abc'));
    expect(failure(d).message).toBe(
      'data/entities/power.csv line 12: verified2023T "abc" is not a whole number of tonnes',
    );
  });

  it('a negative or fractional output', () => {
    const d = fresh();
    editLine(d, 'entities/beijing.csv', 3, (c) => c.with(7, '-5'));
    expect(failure(d).message).toMatch(/^data\/entities\/beijing\.csv line 3: output2024 "-5" is not a whole number/);
    const e = fresh();
    editLine(e, 'entities/beijing.csv', 4, (c) => c.with(6, '1.5'));
    expect(failure(e).message).toMatch(/^data\/entities\/beijing\.csv line 4: output2023 "1\.5"/);
  });

  it('an unknown sector, a wrong market, a bad id, a duplicate id', () => {
    const cases: [number, string, RegExp][] = [
      [2, 'sector', /line 5: sector "coal" is not a sector of population tianjin/],
      [3, 'marketId', /line 5: marketId "national" is not tianjin/],
      [0, 'id', /line 5: id "tj-1" is not an id of the form tianjin-0001/],
      [0, 'dup', /line 5: id "tianjin-0001" appears twice/],
    ];
    for (const [col, what, re] of cases) {
      const d = fresh();
      const value =
        what === 'sector' ? 'coal' : what === 'marketId' ? 'national' : what === 'id' ? 'tj-1' : 'tianjin-0001';
      editLine(d, 'entities/tianjin.csv', 5, (c) => c.with(col, value));
      expect(failure(d).message).toMatch(re);
    }
  });

  it('a value in a year the population has no data for, a coveredUntil before coveredFrom', () => {
    const d = fresh();
    editLine(d, 'entities/cement.csv', 2, (c) => c.with(8, '100'));
    expect(failure(d).message).toBe(
      'data/entities/cement.csv line 2: verified2023T "100" should be empty: population cement has no 2023 data',
    );
    const e = fresh();
    editLine(e, 'entities/shenzhen.csv', 7, (c) => c.with(5, '2020'));
    expect(failure(e).message).toBe(
      'data/entities/shenzhen.csv line 7: coveredUntil "2020" is before coveredFrom 2023',
    );
  });

  it('a wrong header, a short line', () => {
    const d = fresh();
    editLine(d, 'entities/hubei.csv', 1, (c) => c.with(6, 'out2023'));
    expect(failure(d).message).toMatch(/^data\/entities\/hubei\.csv line 1: header expected to be "id,name,/);
    const e = fresh();
    editLine(e, 'entities/hubei.csv', 9, (c) => c.slice(0, 4));
    expect(failure(e).message).toBe('data/entities/hubei.csv line 9: 10 comma-separated fields expected, got 4');
  });

  it('totals that no longer match populations.json (an entity dropped, a figure changed)', () => {
    const d = fresh();
    const path = join(d, 'entities/fujian.csv');
    writeFileSync(path, readFileSync(path, 'utf8').split('\n').toSpliced(10, 1).join('\n'));
    expect(failure(d).message).toMatch(/^data\/entities\/fujian\.csv: 249 entities, populations\.json says 250/);
    const e = fresh();
    editLine(e, 'entities/fujian.csv', 2, (c) => c.with(8, String(Number(c[8]) + 1)));
    expect(failure(e).message).toMatch(/^data\/entities\/fujian\.csv: verified2023T adds up to 100000001 t/);
  });

  it('a missing file', () => {
    const d = fresh();
    unlinkSync(join(d, 'entities/aluminium.csv'));
    expect(failure(d).message).toMatch(/^data\/entities\/aluminium\.csv: a readable file expected/);
  });

  it('a bad field in populations.json: file and path', () => {
    const d = fresh();
    editJson(d, 'entities/populations.json', (j) => {
      (j['populations'] as Record<string, unknown>[])[4]!['thresholdT'] = -1;
    });
    expect(failure(d).message).toMatch(
      /^data\/entities\/populations\.json: populations\[4\]\.thresholdT: expected a whole number 0-\d+, got -1$/,
    );
    const e = fresh();
    editJson(e, 'entities/populations.json', (j) => {
      (j['populations'] as Record<string, unknown>[])[0]!['entitiesCount'] = 1;
    });
    expect(failure(e).message).toBe('data/entities/populations.json: populations[0].entitiesCount: unknown field');
  });

  it('a bad allocation plan: a negative benchmark, a missing year, an unknown field', () => {
    const d = fresh();
    editJson(d, 'allocation/national.json', (j) => {
      (j['benchmarksUt'] as Record<string, Record<string, number>>)['power']!['2023'] = -800000;
    });
    expect(failure(d).message).toBe(
      'data/allocation/national.json: benchmarksUt.power.2023: expected positive whole micro-tonnes per unit, got -800000',
    );
    const e = fresh();
    editJson(e, 'allocation/hubei.json', (j) => {
      delete (j['benchmarksUt'] as Record<string, Record<string, number>>)['steel']!['2024'];
    });
    expect(failure(e).message).toBe(
      'data/allocation/hubei.json: benchmarksUt.steel.2024: missing: population hubei has 2024 data to allocate on',
    );
    const f = fresh();
    editJson(f, 'allocation/fujian.json', (j) => {
      j['cap'] = 1;
    });
    expect(failure(f).message).toBe('data/allocation/fujian.json: cap: unknown field');
  });

  it('registry check reports a changed file and fails; draw repairs it', () => {
    const d = fresh();
    editLine(d, 'entities/tianjin.csv', 3, (c) => c.with(1, 'Renamed firm'));
    const out: string[] = [];
    expect(registryCommand(['check'], (l) => out.push(l), d)).toBe(1);
    expect(out).toContain('data/entities/tianjin.csv: differs from a fresh draw (first at line 3)');
    expect(registryCommand(['draw'], () => {}, d)).toBe(0);
    expect(registryCommand(['check'], () => {}, d)).toBe(0);
  });
});

describe('registry command', () => {
  it('check passes on the committed files and prints a line per population and year', () => {
    const out: string[] = [];
    expect(registryCommand(['check'], (l) => out.push(l))).toBe(0);
    expect(out.some((l) => /^power\s+national\s+2023\s+2,096\s+2,096\s+5,244\.0/.test(l))).toBe(true);
    expect(out.at(-1)).toMatch(/^registry check ok/);
  });

  it('refuses unknown arguments with exit code 2', () => {
    const out: string[] = [];
    expect(registryCommand(['redraw'], (l) => out.push(l))).toBe(2);
    expect(registryCommand([], () => {})).toBe(2);
    expect(out[0]).toMatch(/unknown arguments "redraw"/);
  });

  it('a full draw is deterministic', () => {
    const a = drawRegistry(reg.populations);
    expect(a.entities.get('steel')).toEqual(byPopulation.get('steel'));
  });
});
