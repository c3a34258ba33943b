// Validation of data files. Pure: takes the file's name and its parsed JSON, returns the typed value or throws a
// MarketError (MKT_ERR_CATALOGUE) whose message names the file, the field and what was expected. Start-up code
// calls this once per file; a bad file stops the start, it never half-loads.
import Type from 'typebox';
import Value from 'typebox/value';
import { MarketError } from '../errors.ts';
import { isDate, minuteOfDay } from '../time.ts';
import { type MarketSpec, MarketSpecSchema } from './schema.ts';

export const CalendarSchema = Type.Object(
  {
    /** Trading-closed weekdays (public holidays and exchange bridge days), per year. */
    holidays: Type.Record(Type.String({ pattern: '^\\d{4}$' }), Type.Array(Type.String())),
    sources: Type.Array(Type.String({ minLength: 1 }), { minItems: 1 }),
    notes: Type.Array(Type.String()),
  },
  { additionalProperties: false },
);
export type CalendarData = Type.Static<typeof CalendarSchema>;

function fail(file: string, field: string, expected: string, got: unknown): never {
  const shown = got === undefined ? '' : `, got ${JSON.stringify(got)?.slice(0, 80)}`;
  throw new MarketError('MKT_ERR_CATALOGUE', `${file}: ${field || '(top level)'}: ${expected}${shown}`);
}

function valueAt(root: unknown, pointer: string): unknown {
  let v: unknown = root;
  for (const part of pointer.split('/').slice(1)) {
    if (v === null || typeof v !== 'object') return undefined;
    v = (v as Record<string, unknown>)[part.replace(/~1/g, '/').replace(/~0/g, '~')];
  }
  return v;
}

/** The most telling schema violation as field (JSON pointer) and message, or null when the value matches. */
export function schemaProblem(schema: Type.TSchema, json: unknown): { field: string; message: string } | null {
  if (Value.Check(schema, json)) return null;
  // Report the deepest error first: "must be >= 0" at /modes/listed/bandBps says more than "/modes is invalid".
  const errors = [...Value.Errors(schema, json)].sort((a, b) => b.instancePath.length - a.instancePath.length);
  const e = errors[0];
  if (e === undefined) return { field: '', message: 'a value matching the schema' };
  if (e.keyword === 'additionalProperties') {
    const extra = (e.params as { additionalProperties?: string[] }).additionalProperties ?? [];
    return { field: `${e.instancePath}/${extra[0] ?? '?'}`, message: 'no such field (unknown fields are refused)' };
  }
  if (e.keyword === 'boolean') return { field: e.instancePath, message: 'no such field (unknown fields are refused)' };
  const got = valueAt(json, e.instancePath);
  const shown = got === undefined ? '' : `, got ${JSON.stringify(got)?.slice(0, 80)}`;
  return { field: e.instancePath, message: `${e.message.replace(/^must/, 'expected it to')}${shown}` };
}

function checkSchema(file: string, schema: Type.TSchema, json: unknown): void {
  const p = schemaProblem(schema, json);
  if (p !== null) throw new MarketError('MKT_ERR_CATALOGUE', `${file}: ${p.field || '(top level)'}: ${p.message}`);
}

function checkSessions(file: string, field: string, sessions: readonly (readonly [string, string])[]): void {
  let prevEnd = -1;
  sessions.forEach(([from, to], i) => {
    const a = minuteOfDay(from);
    const b = minuteOfDay(to);
    if (b <= a) fail(file, `${field}/${i}`, 'a window whose end is after its start', [from, to]);
    if (a < prevEnd) fail(file, `${field}/${i}`, 'windows in time order, not overlapping', [from, to]);
    prevEnd = b;
  });
}

/** Validates one market entry: the schema, then the rules a schema cannot say. */
export function parseMarketSpec(file: string, json: unknown): MarketSpec {
  checkSchema(file, MarketSpecSchema, json);
  const spec = json as MarketSpec;
  for (const [path, d] of datesOf(spec)) if (!isDate(d)) fail(file, path, 'a real calendar date', d);
  const ids = new Set<string>();
  spec.instruments.forEach((ins, i) => {
    if (ids.has(ins.id)) fail(file, `/instruments/${i}/id`, 'an id not used by another instrument', ins.id);
    ids.add(ins.id);
    if (ins.kind === 'allowance' && ins.vintageYears.length === 0)
      fail(file, `/instruments/${i}/vintageYears`, 'at least one year for an allowance', ins.vintageYears);
  });
  const { listed, block, auction } = spec.modes;
  checkSessions(file, '/modes/listed/sessions', listed.sessions);
  if (listed.maxQtyT < listed.minQtyT) fail(file, '/modes/listed/maxQtyT', 'at least minQtyT', listed.maxQtyT);
  if (block !== null) checkSessions(file, '/modes/block/sessions', block.sessions);
  if (auction !== null && auction.minBidT % auction.lotT !== 0)
    fail(file, '/modes/auction/minBidT', 'a multiple of lotT', auction.minBidT);
  if (spec.offsets !== null) {
    spec.offsets.usable.forEach((u, i) => {
      if (!ids.has(u.instrument) && !/^[A-Z0-9-]+$/.test(u.instrument))
        fail(file, `/offsets/usable/${i}/instrument`, 'an instrument id', u.instrument);
    });
  }
  if (spec.compliance !== null) {
    const p = spec.compliance.penalty;
    if (p.multipleMax < p.multipleMin)
      fail(file, '/compliance/penalty/multipleMax', 'at least multipleMin', p.multipleMax);
    if (p.multipleDefault < p.multipleMin || p.multipleDefault > p.multipleMax)
      fail(file, '/compliance/penalty/multipleDefault', 'between multipleMin and multipleMax', p.multipleDefault);
    const cycleIds = new Set<string>();
    spec.compliance.cycles.forEach((c, i) => {
      if (cycleIds.has(c.id)) fail(file, `/compliance/cycles/${i}/id`, 'an id not used by another cycle', c.id);
      cycleIds.add(c.id);
    });
    const b = spec.compliance.banking;
    if (b !== null && !cycleIds.has(b.appliesAfterCycle))
      fail(
        file,
        '/compliance/banking/appliesAfterCycle',
        `one of the cycle ids (${[...cycleIds].join(', ')})`,
        b.appliesAfterCycle,
      );
  }
  return deepFreeze(spec);
}

function datesOf(spec: MarketSpec): [string, string][] {
  const out: [string, string][] = [['/opened', spec.opened]];
  spec.instruments.forEach((ins, i) => {
    out.push([`/instruments/${i}/listedFrom`, ins.listedFrom]);
    if (ins.registeredFrom !== null) out.push([`/instruments/${i}/registeredFrom`, ins.registeredFrom]);
    if (ins.registeredBefore !== null) out.push([`/instruments/${i}/registeredBefore`, ins.registeredBefore]);
  });
  spec.offsets?.usable.forEach((u, i) => {
    if (u.usableFrom !== null) out.push([`/offsets/usable/${i}/usableFrom`, u.usableFrom]);
    if (u.usableUntil !== null) out.push([`/offsets/usable/${i}/usableUntil`, u.usableUntil]);
  });
  spec.compliance?.cycles.forEach((c, i) => {
    out.push([`/compliance/cycles/${i}/deadline`, c.deadline]);
  });
  return out;
}

/** Validates the holiday calendar file. */
export function parseCalendar(file: string, json: unknown): CalendarData {
  checkSchema(file, CalendarSchema, json);
  const cal = json as CalendarData;
  for (const [year, days] of Object.entries(cal.holidays)) {
    days.forEach((d, i) => {
      if (!isDate(d) || !d.startsWith(`${year}-`)) fail(file, `/holidays/${year}/${i}`, `a real date in ${year}`, d);
    });
  }
  return deepFreeze(cal);
}

function deepFreeze<T>(v: T): T {
  if (v !== null && typeof v === 'object' && !Object.isFrozen(v)) {
    Object.freeze(v);
    for (const x of Object.values(v)) deepFreeze(x);
  }
  return v;
}

/** Checks that cross-file references hold: offset instruments exist in some market of the catalogue. */
export function checkCatalogue(specs: readonly MarketSpec[]): void {
  const all = new Set(specs.flatMap((s) => s.instruments.map((i) => i.id)));
  const marketIds = new Set<string>();
  for (const s of specs) {
    if (marketIds.has(s.id)) fail(`data/markets/${s.id}.json`, '/id', 'a market id used by no other file', s.id);
    marketIds.add(s.id);
    s.offsets?.usable.forEach((u, i) => {
      if (!all.has(u.instrument))
        fail(
          `data/markets/${s.id}.json`,
          `/offsets/usable/${i}/instrument`,
          'an instrument listed by some market',
          u.instrument,
        );
    });
  }
}
