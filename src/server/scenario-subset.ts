// A classroom on some of a scenario's markets: the scenario's JSON with the other markets left out, and with what
// names only them (an agent or event for those markets alone) left out too. The home market (the first) always
// stays: students comply there. routes/admin.ts writes the result to the data folder and makes the classroom from
// that file, so a restart and a reset build it the same way.

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

/** Why these markets cannot be kept, or null. `all` is the scenario's markets in order. */
export function subsetProblem(all: readonly string[], keep: readonly string[]): string | null {
  const unknown = keep.filter((m) => !all.includes(m));
  if (unknown.length > 0) return `the scenario has no market ${unknown.join(', ')}; it has ${all.join(', ')}`;
  if (all.length > 0 && !keep.includes(all[0]!)) return `the home market ${all[0]} stays (students comply there)`;
  return null;
}

function isObject(v: Json): v is { [k: string]: Json } {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/** Whether an element names only markets that are left out. */
function onlyDropped(v: Json, dropped: ReadonlySet<string>): boolean {
  if (!isObject(v)) return false;
  if (typeof v['market'] === 'string' && dropped.has(v['market'])) return true;
  const ms = v['markets'];
  return Array.isArray(ms) && ms.length > 0 && ms.every((m) => typeof m === 'string' && dropped.has(m));
}

function prune(v: Json, dropped: ReadonlySet<string>): Json {
  if (Array.isArray(v)) return v.filter((x) => !onlyDropped(x, dropped)).map((x) => prune(x, dropped));
  if (!isObject(v)) return v;
  const out: { [k: string]: Json } = {};
  for (const [k, x] of Object.entries(v))
    out[k] =
      k === 'markets' && Array.isArray(x) && x.every((m) => typeof m === 'string')
        ? x.filter((m) => !dropped.has(m as string))
        : prune(x, dropped);
  return out;
}

/** The scenario's JSON with only the markets in `keep` (in the scenario's order); its id says which. */
export function subsetScenario(json: { id?: string; markets: { id: string }[] }, keep: readonly string[]): Json {
  const dropped = new Set(json.markets.map((m) => m.id).filter((id) => !keep.includes(id)));
  const out = prune(
    { ...json, markets: json.markets.filter((m) => keep.includes(m.id)) } as unknown as Json,
    dropped,
  ) as { [k: string]: Json };
  out['id'] = subsetName(
    json.id ?? 'scenario',
    json.markets.map((m) => m.id).filter((id) => keep.includes(id)),
  );
  return out;
}

/** The id and file name (without .json) of a scenario on some markets: classroom-on-national (a scenario id is
 * lower-case letters, digits and dashes). */
export function subsetName(scenario: string, markets: readonly string[]): string {
  return `${scenario}-on-${markets.join('-')}`;
}
