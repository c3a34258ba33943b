// Loads the sectors' abatement cost curves (data/abatement/sectors.json), checked against the form the simulator
// reads (src/sim/fundamentals/mac.ts). A bad file names the field and stops the start: nothing half-loads.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Type from 'typebox';
import { schemaProblem } from '../market/catalogue/parse.ts';
import { SimCode, SimError } from '../sim/errors.ts';
import type { AbatementData } from '../sim/fundamentals/mac.ts';
import { DEFAULT_DATA_DIR } from './catalogue-files.ts';

const Sector = Type.Object({
  costAt1PctCny: Type.Number({ exclusiveMinimum: 0 }),
  exponent: Type.Number({ minimum: 1, maximum: 10 }),
  maxShareBps: Type.Integer({ minimum: 0, maximum: 10_000 }),
  firmSigma: Type.Number({ minimum: 0, maximum: 3 }),
  baselineGrowthBpsPerYear: Type.Integer({ minimum: -5_000, maximum: 5_000 }),
  basis: Type.String({ minLength: 1 }),
  sources: Type.Array(Type.String({ minLength: 1 })),
});

const Source = Type.Object({
  title: Type.String({ minLength: 1 }),
  authors: Type.Optional(Type.String()),
  publisher: Type.String({ minLength: 1 }),
  date: Type.String({ minLength: 4 }),
  address: Type.String({ minLength: 1 }),
});

const File = Type.Object({
  form: Type.String(),
  sectors: Type.Record(Type.String({ pattern: '^[a-z][a-z-]*$' }), Sector),
  sources: Type.Array(Source, { minItems: 1 }),
  notes: Type.Array(Type.String()),
});

export function loadAbatement(dataDir: string = DEFAULT_DATA_DIR): AbatementData {
  const rel = 'abatement/sectors.json';
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(join(dataDir, rel), 'utf8'));
  } catch (e) {
    throw new SimError(SimCode.Scenario, `data/${rel}: cannot be read as JSON: ${(e as Error).message}`);
  }
  const bad = schemaProblem(File, json);
  if (bad !== null) throw new SimError(SimCode.Scenario, `data/${rel}: ${bad.field}: ${bad.message}`);
  return json as AbatementData;
}
