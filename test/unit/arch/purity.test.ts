import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

// The engine, the market rules, the simulator and the live classroom are the deterministic core: no clock, no
// randomness, no I/O, no logging.
// decimal.js is allowed in the market layer only in money.ts, where money crosses the boundary.
const forbidden = [
  /from 'node:/,
  /from "node:/,
  /Date\.now/,
  /new Date\(/,
  /Math\.random/,
  /randomUUID/,
  /console\./,
  /pino/,
];
const root = join(import.meta.dirname, '../../..');

function tsFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? tsFiles(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : [],
  );
}

describe('architecture', () => {
  for (const layer of ['src/engine', 'src/market', 'src/sim', 'src/live']) {
    for (const file of tsFiles(join(root, layer))) {
      const rel = relative(root, file);
      it(`${rel} is pure`, () => {
        const text = readFileSync(file, 'utf8');
        for (const re of forbidden) expect(text, `${rel} matches ${re}`).not.toMatch(re);
        if (!rel.endsWith('src/market/money.ts')) expect(text, `${rel} imports decimal.js`).not.toMatch(/decimal\.js/);
        // The simulation draws only from seeded streams (src/sim/rng.ts) and reads no clock.
        if (rel.startsWith('src/sim')) expect(text, `${rel} uses performance.now`).not.toMatch(/performance\.now/);
      });
    }
  }

  it('dependencies point inward: the engine knows nothing of the market, the market nothing of store or server', () => {
    for (const file of tsFiles(join(root, 'src/engine')))
      expect(readFileSync(file, 'utf8'), file).not.toMatch(/from '\.\.\/(market|sim|store|server|cli)/);
    for (const file of tsFiles(join(root, 'src/market')))
      expect(readFileSync(file, 'utf8'), file).not.toMatch(/from '(\.\.\/)+(sim|store|server|cli)\//);
    for (const file of tsFiles(join(root, 'src/sim')))
      expect(readFileSync(file, 'utf8'), file).not.toMatch(/from '(\.\.\/)+(store|server|cli|report|batch)\//);
    // The live classroom is as pure as the simulator it runs: the server journals and serves it.
    for (const file of tsFiles(join(root, 'src/live')))
      expect(readFileSync(file, 'utf8'), file).not.toMatch(/from '(\.\.\/)+(store|server|cli|report|batch)\//);
  });

  it('adapters do not import each other sideways: the store writes files, the report renders, only the command line and the server compose them', () => {
    const rules: Record<string, RegExp> = {
      'src/store': /from '(\.\.\/)+(server|cli|batch|report)\//,
      'src/report': /from '(\.\.\/)+(store|server|cli|batch)\//,
      'src/batch': /from '(\.\.\/)+(server|cli)\//,
      'src/server': /from '(\.\.\/)+(cli|batch|report)\//,
    };
    for (const [layer, re] of Object.entries(rules))
      for (const file of tsFiles(join(root, layer)))
        expect(readFileSync(file, 'utf8'), relative(root, file)).not.toMatch(re);
  });
});
