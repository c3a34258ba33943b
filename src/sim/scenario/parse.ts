// Validation of a scenario file: the schema (field by field, unknown fields refused), then the cross-checks the
// schema cannot express: markets and instruments exist in the catalogue, cycles exist, events fall in the period
// and name markets the scenario runs. Pure: takes the file name, the parsed JSON and the catalogue; returns the
// typed scenario or throws a SimError SIM_ERR_SCENARIO whose message names the scenario file, the field and the
// problem, e.g. "scenarios/q3-2024.json: /events/2/date: 2024-13-01 is not a date".

import { schemaProblem } from '../../market/catalogue/parse.ts';
import type { MarketSpec } from '../../market/catalogue/schema.ts';
import { addDays, isDate } from '../../market/time.ts';
import { SimCode, SimError } from '../errors.ts';
import { type Scenario, ScenarioSchema } from './schema.ts';

export interface ScenarioCatalogue {
  readonly markets: readonly MarketSpec[];
  readonly isTradingDay: (date: string) => boolean;
}

function fail(file: string, field: string, message: string): never {
  throw new SimError(SimCode.Scenario, `${file}: ${field || '(top level)'}: ${message}`);
}

export function parseScenario(file: string, json: unknown, cat: ScenarioCatalogue): Scenario {
  const p = schemaProblem(ScenarioSchema, json);
  if (p !== null) fail(file, p.field, p.message);
  const s = json as Scenario;
  const { from, to } = s.period;
  if (!isDate(from)) fail(file, '/period/from', `${from} is not a calendar date`);
  if (!isDate(to)) fail(file, '/period/to', `${to} is not a calendar date`);
  if (to < from) fail(file, '/period/to', `the period ends (${to}) before it starts (${from})`);
  let tradingDays = 0;
  for (let d = from; d <= to && tradingDays === 0; d = addDays(d, 1)) if (cat.isTradingDay(d)) tradingDays++;
  if (tradingDays === 0) fail(file, '/period', `there is no trading day between ${from} and ${to}`);
  const ids = new Set<string>();
  s.markets.forEach((m, i) => {
    const at = `/markets/${i}`;
    const spec = cat.markets.find((x) => x.id === m.id);
    if (spec === undefined)
      fail(file, `${at}/id`, `no market "${m.id}" in the catalogue (have: ${cat.markets.map((x) => x.id).join(', ')})`);
    if (ids.has(m.id)) fail(file, `${at}/id`, `market "${m.id}" is listed twice`);
    ids.add(m.id);
    if (!spec.instruments.some((x) => x.id === m.instrument))
      fail(
        file,
        `${at}/instrument`,
        `${m.instrument} is not traded in ${m.id} (have: ${spec.instruments.map((x) => x.id).join(', ')})`,
      );
    if (m.cycle !== null && !spec.compliance?.cycles.some((c) => c.id === m.cycle))
      fail(file, `${at}/cycle`, `${m.id} has no compliance cycle "${m.cycle}"`);
    if (m.cycle === null && m.sectors.length > 0)
      fail(file, `${at}/sectors`, 'covered sectors need a compliance cycle (cycle is null)');
  });
  const runs = (id: string, field: string): MarketSpec => {
    if (!ids.has(id))
      fail(file, field, `market "${id}" is not one of this scenario's markets (${[...ids].join(', ')})`);
    return cat.markets.find((x) => x.id === id)!;
  };
  s.events.forEach((e, i) => {
    const at = `/events/${i}`;
    if (!isDate(e.date)) fail(file, `${at}/date`, `${e.date} is not a calendar date`);
    if (e.date < from || e.date > to) fail(file, `${at}/date`, `${e.date} is outside the period ${from} to ${to}`);
    if (i > 0 && e.date < s.events[i - 1]!.date)
      fail(file, `${at}/date`, `events must be in date order: ${e.date} comes after ${s.events[i - 1]!.date}`);
    switch (e.kind) {
      case 'announcement':
        for (const [j, m] of e.markets.entries()) runs(m, `${at}/markets/${j}`);
        break;
      case 'band': {
        const spec = runs(e.market, `${at}/market`);
        if (e.mode === 'block' && spec.modes.block === null)
          fail(file, `${at}/mode`, `${e.market} has no block agreement trading`);
        break;
      }
      case 'offset-cap':
        if (runs(e.market, `${at}/market`).offsets === null) fail(file, `${at}/market`, `${e.market} takes no offsets`);
        break;
      case 'deadline': {
        const spec = runs(e.market, `${at}/market`);
        if (!spec.compliance?.cycles.some((c) => c.id === e.cycle))
          fail(file, `${at}/cycle`, `${e.market} has no compliance cycle "${e.cycle}"`);
        if (!isDate(e.deadline)) fail(file, `${at}/deadline`, `${e.deadline} is not a calendar date`);
        break;
      }
      case 'news':
        if (runs(e.market, `${at}/market`).compliance === null)
          fail(file, `${at}/market`, `${e.market} has no compliance rules: its value follows no outlook`);
        break;
      case 'admit-sectors':
      case 'allocation':
      case 'coverage-plan':
      case 'allocation-plan':
        if (runs(e.market, `${at}/market`).compliance === null)
          fail(file, `${at}/market`, `${e.market} has no compliance rules`);
        if (e.kind === 'coverage-plan' && e.balancedThroughYear !== undefined && e.balancedThroughYear < e.fromYear)
          fail(
            file,
            `${at}/balancedThroughYear`,
            `${e.balancedThroughYear} is before the coverage's first year ${e.fromYear}`,
          );
        break;
      case 'ccer-issuance': {
        const ccer = runs('ccer', `${at}/instrument`);
        if (!ccer.instruments.some((x) => x.id === e.instrument))
          fail(file, `${at}/instrument`, `${e.instrument} is not a CCER instrument`);
        break;
      }
      case 'ccer-outlook':
        break;
    }
  });
  return s;
}
