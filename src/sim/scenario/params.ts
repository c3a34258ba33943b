// Named parameters of a scenario, for grids and fits: a dotted path into the scenario file, e.g.
// "agents.compliance.paceExponent", "fundamentals.macScale", "supply.allocationFactor". setParam returns a new
// scenario with the value replaced; the caller validates the result again (parseScenario), so a grid can never
// run a scenario the format forbids.

import { SimCode, SimError } from '../errors.ts';
import type { Scenario } from './schema.ts';

export function getParam(s: Scenario, path: string): unknown {
  let v: unknown = s;
  for (const part of path.split('.')) {
    if (v === null || typeof v !== 'object' || !Object.hasOwn(v, part))
      throw new SimError(SimCode.Args, `scenario ${s.id} has no parameter "${path}" (no "${part}")`);
    v = (v as Record<string, unknown>)[part];
  }
  return v;
}

/** A copy of the scenario with the parameter at `path` set; the value keeps the type of the one it replaces. */
export function setParam(s: Scenario, path: string, raw: string | number): Scenario {
  const old = getParam(s, path);
  let value: unknown;
  if (typeof old === 'number') {
    value = typeof raw === 'number' ? raw : Number(raw);
    if (typeof raw === 'string' && (raw.trim() === '' || !Number.isFinite(value)))
      throw new SimError(SimCode.Args, `parameter ${path} is a number; "${raw}" is not`);
  } else if (typeof old === 'string') value = String(raw);
  else throw new SimError(SimCode.Args, `parameter ${path} is not a number or a string; it cannot be set`);
  const copy = structuredClone(s) as unknown as Record<string, unknown>;
  const parts = path.split('.');
  let at: Record<string, unknown> = copy;
  for (const p of parts.slice(0, -1)) at = at[p] as Record<string, unknown>;
  at[parts[parts.length - 1]!] = value;
  return copy as unknown as Scenario;
}
