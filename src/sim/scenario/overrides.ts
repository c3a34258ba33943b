// `--set path=value` overrides of a scenario, validated again as a whole. Used by `cets run` and by every point of a
// batch (src/batch/plan.ts), so it lives here rather than in an adapter.
import { SimCode, SimError } from '../errors.ts';
import type { RunContext } from '../run.ts';
import { setParam } from './params.ts';
import { parseScenario } from './parse.ts';
import type { Scenario } from './schema.ts';

/** Applies path=value overrides and validates the result again; the scenario itself when there are none. */
export function withOverrides(s: Scenario, file: string, sets: readonly string[], ctx: RunContext): Scenario {
  let out = s;
  for (const kv of sets) {
    const eq = kv.indexOf('=');
    if (eq <= 0) throw new SimError(SimCode.Args, `--set wants path=value, got "${kv}"`);
    out = setParam(out, kv.slice(0, eq), kv.slice(eq + 1));
  }
  if (out === s) return s;
  const cal = ctx.calendar;
  return parseScenario(`${file} (with --set)`, out, { markets: ctx.markets, isTradingDay: (d) => cal.isTradingDay(d) });
}
