// Rule changes an exchange or ministry makes by notice while a market runs: the price band of a mode, the offset cap,
// a cycle's surrender deadline. Pure: the catalogue entry after the change, or a rejection naming what is wrong. The
// Market applies a band change to its desks (the listed band from the next trading day, as bands are set at the
// close); compliance reads the new entry from the context it is given.

import type { MarketSpec } from './catalogue/schema.ts';
import { ok, type Result, reject } from './errors.ts';
import { isDate } from './time.ts';

export type RuleChange =
  | { readonly kind: 'band'; readonly mode: 'listed' | 'block'; readonly bandBps: number }
  | { readonly kind: 'offset-cap'; readonly capBps: number }
  | { readonly kind: 'deadline'; readonly cycleId: string; readonly deadline: string };

const isBps = (v: number): boolean => Number.isSafeInteger(v) && v >= 0 && v <= 10_000;

export function describeRuleChange(c: RuleChange): string {
  switch (c.kind) {
    case 'band':
      return `${c.mode} price band ±${c.bandBps / 100}%`;
    case 'offset-cap':
      return `offset cap ${c.capBps / 100}%`;
    case 'deadline':
      return `deadline of cycle ${c.cycleId} moved to ${c.deadline}`;
  }
}

export function changedSpec(spec: MarketSpec, c: RuleChange): Result<MarketSpec> {
  switch (c.kind) {
    case 'band': {
      if (!isBps(c.bandBps)) return reject('BadInput', `a band must be 0..10000 bps, got ${c.bandBps}`);
      if (c.mode === 'listed')
        return ok({ ...spec, modes: { ...spec.modes, listed: { ...spec.modes.listed, bandBps: c.bandBps } } });
      const block = spec.modes.block;
      if (block === null) return reject('ModeNotOffered', `${spec.name} has no block agreement trading`);
      return ok({ ...spec, modes: { ...spec.modes, block: { ...block, bandBps: c.bandBps } } });
    }
    case 'offset-cap': {
      if (!isBps(c.capBps)) return reject('BadInput', `an offset cap must be 0..10000 bps, got ${c.capBps}`);
      if (spec.offsets === null) return reject('ModeNotOffered', `${spec.name} accepts no offsets`);
      return ok({ ...spec, offsets: { ...spec.offsets, capBps: c.capBps } });
    }
    case 'deadline': {
      if (!isDate(c.deadline)) return reject('BadInput', `deadline "${c.deadline}" is not a YYYY-MM-DD date`);
      const rules = spec.compliance;
      const cycle = rules?.cycles.find((x) => x.id === c.cycleId);
      if (rules == null || cycle === undefined)
        return reject('UnknownCycle', `${spec.name} has no compliance cycle ${c.cycleId}`);
      const cycles = rules.cycles.map((x) => (x.id === c.cycleId ? { ...x, deadline: c.deadline } : x));
      return ok({ ...spec, compliance: { ...rules, cycles } });
    }
  }
}
