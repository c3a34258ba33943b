// The server sees the live classroom only through its read models and commands (src/live/classroom.ts and
// commands.ts): never the markets, the simulated world or the engine behind them, so the core can change inside
// without the server knowing. The wall clock is read only where the server is put together (app.ts) and where
// the process starts (main.ts); everything else is given the injected clock.
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '../../..');

function tsFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? tsFiles(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : [],
  );
}

/** Code without its comments (a comment may name what the code must not touch). */
function code(text: string): string {
  return text.replace(/\/\*[\s\S]*?\*\//g, '').replace(/(^|[^:'"`])\/\/.*$/gm, '$1');
}

const banned: [RegExp, string][] = [
  [/\.market\./, 'reaches into a market (.market.)'],
  [/\.session\b/, 'reaches into the simulator session (.session)'],
  [/\.marketOf\(/, 'looks up a market world (.marketOf)'],
  [/\.world\b/, 'reaches into the simulated world (.world)'],
  [/from '(\.\.\/)+engine\//, 'imports the engine'],
  [/from '(\.\.\/)+sim\/(world|session|agents)/, 'imports the simulated world'],
  [
    /from '(\.\.\/)+live\/(context|orders|students|blocks|compliance|timeline|auctions|market-data)\.ts'/,
    'imports a slice',
  ],
];

describe('the server sees the classroom through its façade', () => {
  for (const file of tsFiles(join(root, 'src/server'))) {
    const rel = relative(root, file);
    it(`${rel}`, () => {
      const text = code(readFileSync(file, 'utf8'));
      for (const [re, what] of banned) expect(text, `${rel} ${what}`).not.toMatch(re);
      if (!rel.endsWith('app.ts') && !rel.endsWith('main.ts'))
        expect(text, `${rel} reads the wall clock`).not.toMatch(/Date\.now|new Date\(\)/);
    });
  }
});
