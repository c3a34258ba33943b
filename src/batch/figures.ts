// The figures a batch aggregates: those of data/figures/<scenario>.json when the scenario has published figures,
// otherwise a default set on the scenario's first market (total, listed and block volume, listed average, last
// close). Each is measured on a run summary by src/sim/figures.ts.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { FigureSpec } from '../sim/figures.ts';
import type { Scenario } from '../sim/scenario/schema.ts';
import { DEFAULT_DATA_DIR } from '../store/catalogue-files.ts';
import { loadFigures } from '../store/scenario-files.ts';

export interface BatchFigure {
  readonly id: string;
  readonly label: string;
  readonly market: string;
  /** The published value, or null for the default set. */
  readonly published: number | null;
  readonly spec: FigureSpec;
}

export interface FigureSet {
  /** "data/figures/q3-2024.json", or "default" */
  readonly source: string;
  readonly figures: readonly BatchFigure[];
}

function defaults(market: string): BatchFigure[] {
  // published and tolerancePct are placeholders the spec type asks for; nothing is judged against them.
  const p = { published: 0, tolerancePct: 1 };
  const specs: FigureSpec[] = [
    { ...p, id: 'total-volume', label: 'total volume (t)', kind: 'volume', modes: ['listed', 'block'] },
    { ...p, id: 'listed-volume', label: 'listed volume (t)', kind: 'volume', modes: ['listed'] },
    { ...p, id: 'block-volume', label: 'block volume (t)', kind: 'volume', modes: ['block'] },
    { ...p, id: 'listed-average', label: 'listed average price (CNY/t)', kind: 'average', modes: ['listed'] },
    { ...p, id: 'last-close', label: `last close, ${market} (CNY/t)`, kind: 'last-close' },
  ];
  return specs.map((spec) => ({ id: spec.id, label: spec.label, market, published: null, spec }));
}

export function figureSet(scenario: Scenario, dataDir = DEFAULT_DATA_DIR): FigureSet {
  if (existsSync(join(dataDir, 'figures', `${scenario.id}.json`))) {
    const f = loadFigures(scenario.id, dataDir);
    return {
      source: `data/figures/${scenario.id}.json`,
      figures: f.figures.map((s) => ({ id: s.id, label: s.label, market: f.market, published: s.published, spec: s })),
    };
  }
  return { source: 'default', figures: defaults(scenario.markets[0]!.id) };
}
