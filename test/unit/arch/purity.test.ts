import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

// The engine is the deterministic core: no clock, no randomness, no I/O, no decimal arithmetic, no logging.
const forbidden = [
  /from 'node:/,
  /from "node:/,
  /decimal\.js/,
  /Date\.now/,
  /new Date\(/,
  /Math\.random/,
  /randomUUID/,
  /console\./,
  /pino/,
];

describe('architecture', () => {
  const dir = join(import.meta.dirname, '../../../src/engine');
  for (const f of readdirSync(dir).filter((n) => n.endsWith('.ts'))) {
    it(`src/engine/${f} is pure`, () => {
      const text = readFileSync(join(dir, f), 'utf8');
      for (const re of forbidden) expect(text, `${f} matches ${re}`).not.toMatch(re);
    });
  }
});
