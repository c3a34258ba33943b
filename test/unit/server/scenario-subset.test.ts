// A scenario on some of its markets: the others left out, with what names only them; the home market stays.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { subsetName, subsetProblem, subsetScenario } from '../../../src/server/scenario-subset.ts';
import { parseScenario } from '../../../src/sim/scenario/parse.ts';
import { ctx } from '../../fixtures/run-context.ts';

const read = (id: string) =>
  JSON.parse(readFileSync(join(import.meta.dirname, '../../../scenarios', `${id}.json`), 'utf8'));

describe('subsetScenario', () => {
  it('refuses an unknown market and one without the home market', () => {
    expect(subsetProblem(['national', 'ccer'], ['national'])).toBeNull();
    expect(subsetProblem(['national', 'ccer'], ['ccer'])).toMatch(/home market national stays/);
    expect(subsetProblem(['national', 'ccer'], ['national', 'hubei'])).toMatch(/no market hubei/);
  });

  it('leaves out the other markets and what names only them; the result is a valid scenario', () => {
    const json = read('deadline-2024');
    const keep = ['national', 'hubei'];
    const out = subsetScenario(json, keep) as { id: string; markets: { id: string }[] };
    expect(out.id).toBe('deadline-2024-on-national-hubei');
    expect(out.markets.map((m) => m.id)).toEqual(keep);
    const text = JSON.stringify({ ...out, markets: [] });
    for (const gone of ['shanghai', 'beijing', 'ccer']) {
      expect(text).not.toMatch(new RegExp(`"markets?":\\["?${gone}"`));
      expect(text).not.toContain(`"market":"${gone}"`);
    }
    const c = ctx();
    const s = parseScenario('subset', out, {
      markets: c.markets,
      isTradingDay: (d) => c.calendar.isTradingDay(d),
    });
    expect(s.markets.map((m) => m.id)).toEqual(keep);
    expect(subsetName('classroom', ['national'])).toBe('classroom-on-national');
  });
});
