// No scenario sets or moves a price after the start (issue 17): prices are outcomes. The schema's fields that carry
// money are listed here with what they are; any other price-like field, or a price-setting word in a shipped
// scenario, fails this test.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ScenarioSchema } from '../../../src/sim/scenario/schema.ts';

const ROOT = join(import.meta.dirname, '../../..');
const FORBIDDEN = /impactBps|impact|expectedPrice|pricePath|anchor|targetPrice|priceShock/i;

/** Money fields the schema may have, and why none of them moves a price. */
const ALLOWED: Record<string, string> = {
  openingPriceCny: 'the initial condition: the last close before the period, with its source',
  cashCny: 'cash an agent holds',
  costCny: "what a credit costs its project to deliver: the supplier's floor, a cost",
  ceilingCny: 'the ceiling of the value search (a bound, not a level prices are moved to)',
  priceSigmaBps: "noise traders' spread of limit prices around the market's own price (a behaviour)",
};

function fieldNames(schema: unknown, out: Set<string>): Set<string> {
  if (schema === null || typeof schema !== 'object') return out;
  const s = schema as Record<string, unknown>;
  if (s.properties !== null && typeof s.properties === 'object')
    for (const [k, v] of Object.entries(s.properties as Record<string, unknown>)) {
      out.add(k);
      fieldNames(v, out);
    }
  for (const key of ['items', 'anyOf', 'oneOf', 'allOf'])
    if (key in s) for (const sub of [s[key]].flat()) fieldNames(sub, out);
  return out;
}

describe('no price-setting fields', () => {
  it('the scenario schema has no price-setting field; every money field is a listed initial condition or cost', () => {
    const names = [...fieldNames(ScenarioSchema, new Set())];
    expect(names.length).toBeGreaterThan(30);
    expect(names.filter((n) => FORBIDDEN.test(n))).toEqual([]);
    const money = names.filter((n) => /Cny$|Fen$|[Pp]rice/.test(n));
    expect(money.filter((n) => !(n in ALLOWED))).toEqual([]);
  });

  it('no shipped scenario mentions a price-setting field', () => {
    const dir = join(ROOT, 'scenarios');
    const files = readdirSync(dir).filter((f) => f.endsWith('.json'));
    expect(files.length).toBeGreaterThanOrEqual(7);
    for (const f of files) {
      const json = JSON.parse(readFileSync(join(dir, f), 'utf8')) as unknown;
      const keys = [...JSON.stringify(json).matchAll(/"([A-Za-z]+)":/g)].map((m) => m[1]!);
      expect(
        keys.filter((k) => FORBIDDEN.test(k)),
        f,
      ).toEqual([]);
    }
  });
});
