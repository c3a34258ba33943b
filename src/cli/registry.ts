// `cets registry draw|check`: the synthetic entity registries (data/entities) and allocation plans (data/allocation).
//   draw   rewrites data/entities/<population>.csv and data/allocation/<marketId>.json from populations.json;
//   check  validates the committed files (as the simulator loads them), compares them byte for byte with a fresh
//          draw, and prints per population and year: entities, emissions against the target, allocation/emissions
//          against the documented ratio, surplus and shortfall entities.
import { SimCode, SimError } from '../sim/errors.ts';
import { drawRegistry, type EntityRow, registryFiles } from '../sim/registry/draw.ts';
import type { Populations } from '../sim/registry/populations.ts';
import { summarize, type YearSummary } from '../sim/registry/summary.ts';
import {
  type AllocationFile,
  DEFAULT_DATA_DIR,
  loadPopulations,
  loadRegistry,
  readGenerated,
  writeGenerated,
} from '../store/registry-files.ts';
import { table, tonnes } from './format.ts';

const usage = `usage: cets registry <draw|check>
  draw    rewrite data/entities/*.csv and data/allocation/*.json from data/entities/populations.json
  check   validate the committed files, compare them with a fresh draw, print the totals per population`;

/** Per population and year, from entities grouped by population and plans by market. */
export function registrySummaries(
  p: Populations,
  entities: (populationId: string) => readonly EntityRow[],
  plans: (marketId: string) => AllocationFile | undefined,
): YearSummary[] {
  return p.populations.flatMap((pop) => {
    const plan = plans(pop.marketId);
    return plan === undefined ? [] : summarize(pop, entities(pop.id), plan);
  });
}

const mt = (t: number): string =>
  (t / 1e6).toLocaleString('en-US', { minimumFractionDigits: 1, maximumFractionDigits: 1 });

export function summaryTable(rows: readonly YearSummary[]): string[] {
  return table(
    [
      'population',
      'market',
      'year',
      'entities',
      'target',
      'verified Mt',
      'target Mt',
      'diff t',
      'alloc/emis',
      'target',
      'surplus',
      'short',
      'smallest t',
      'largest t',
    ],
    rows.map((r) => [
      r.populationId,
      r.marketId,
      String(r.year),
      tonnes(r.entities),
      tonnes(r.targetEntities),
      mt(r.verifiedT),
      mt(r.targetT),
      tonnes(r.verifiedT - r.targetT),
      r.ratio.toFixed(4),
      r.targetRatio.toFixed(4),
      tonnes(r.surplus),
      tonnes(r.shortfall),
      tonnes(r.smallestT),
      tonnes(r.largestT),
    ]),
  );
}

function totals(rows: readonly YearSummary[], out: (line: string) => void): void {
  for (const year of [...new Set(rows.map((r) => r.year))].sort()) {
    const of = rows.filter((r) => r.year === year);
    const nat = of.filter((r) => r.marketId === 'national');
    const pil = of.filter((r) => r.marketId !== 'national');
    const sum = (xs: readonly YearSummary[], f: (r: YearSummary) => number): number => xs.reduce((a, r) => a + f(r), 0);
    out(
      `${year}: national ${tonnes(sum(nat, (r) => r.entities))} entities ${mt(sum(nat, (r) => r.verifiedT))} Mt; ` +
        `pilots ${tonnes(sum(pil, (r) => r.entities))} entities ${mt(sum(pil, (r) => r.verifiedT))} Mt`,
    );
  }
}

/** First differing line of two texts (1-based), for the report. */
function firstDiff(a: string, b: string): number {
  const x = a.split('\n');
  const y = b.split('\n');
  for (let i = 0; i < Math.max(x.length, y.length); i++) if (x[i] !== y[i]) return i + 1;
  return 0;
}

function draw(dataDir: string, out: (line: string) => void): number {
  const p = loadPopulations(dataDir);
  const drawn = drawRegistry(p);
  const files = registryFiles(p, drawn);
  writeGenerated(dataDir, files);
  const rows = registrySummaries(
    p,
    (id) => drawn.entities.get(id) ?? [],
    (m) => drawn.plans.get(m),
  );
  for (const l of summaryTable(rows)) out(l);
  out('');
  totals(rows, out);
  out(`wrote ${files.size} files: ${[...files.keys()].map((f) => `data/${f}`).join(' ')}`);
  return 0;
}

function check(dataDir: string, out: (line: string) => void): number {
  const reg = loadRegistry(dataDir);
  const p = reg.populations;
  const byPop = new Map<string, EntityRow[]>();
  for (const e of reg.entities) {
    const pop = p.populations.find((x) => x.marketId === e.marketId && e.id.startsWith(`${x.id}-`))!;
    const list = byPop.get(pop.id) ?? [];
    list.push(e);
    byPop.set(pop.id, list);
  }
  const rows = registrySummaries(
    p,
    (id) => byPop.get(id) ?? [],
    (m) => reg.plans[m],
  );
  for (const l of summaryTable(rows)) out(l);
  out('');
  totals(rows, out);
  let bad = 0;
  for (const [rel, text] of registryFiles(p)) {
    const committed = readGenerated(dataDir, rel);
    if (committed === text) continue;
    bad++;
    out(
      committed === null
        ? `data/${rel}: missing`
        : `data/${rel}: differs from a fresh draw (first at line ${firstDiff(committed, text)})`,
    );
  }
  const off = rows.filter((r) => r.entities !== r.targetEntities || r.verifiedT !== r.targetT);
  for (const r of off) out(`${r.populationId} ${r.year}: totals differ from populations.json`);
  if (bad > 0 || off.length > 0) {
    out(`registry check FAILED: run \`npx cets registry draw\` and commit the files`);
    return 1;
  }
  out('registry check ok: the committed files are a fresh draw of data/entities/populations.json');
  return 0;
}

/** Runs `cets registry <args>`; prints to `out`, returns the exit code (0 ok, 1 check failed or bad data, 2 usage). */
export function registryCommand(
  args: readonly string[],
  out: (line: string) => void = console.log,
  dataDir: string = DEFAULT_DATA_DIR,
): number {
  const [cmd, ...rest] = args;
  if (cmd === 'help' || cmd === '--help' || cmd === '-h') {
    out(usage);
    return 0;
  }
  if ((cmd !== 'draw' && cmd !== 'check') || rest.length > 0) {
    out(`cets registry: ${cmd === undefined ? 'a subcommand is needed' : `unknown arguments "${args.join(' ')}"`}`);
    out(usage);
    return 2;
  }
  try {
    return cmd === 'draw' ? draw(dataDir, out) : check(dataDir, out);
  } catch (e) {
    if (e instanceof SimError && e.code === SimCode.Registry) {
      out(`cets registry: ${e.code}: ${e.message}`);
      return 1;
    }
    throw e;
  }
}
