// One table of error codes (src/server/errors.ts): every code the code base can send a client is in it, the core
// decides no HTTP status, and docs/errors.md is the table as it is.
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Code, codeName } from '../../../src/engine/codes.ts';
import { LiveCode } from '../../../src/live/errors.ts';
import { MarketCode } from '../../../src/market/errors.ts';
import { ERRORS, errorsMarkdown, statusOf } from '../../../src/server/errors.ts';

const root = join(import.meta.dirname, '../../..');

function tsFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? tsFiles(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : [],
  );
}

/** Codes written in the source where a refusal is made. The batch and the CLI report to a terminal, not a client. */
function codesInSource(): Map<string, string> {
  const found = new Map<string, string>();
  const patterns = [
    /'([A-Z]+_ERR_[A-Z_]+)'/g,
    /new HttpError\(\s*'([A-Z_]+)'/g,
    /refuse\(\s*'([A-Z_]+)'/g,
    /refuseUpgrade\(\s*\w+,\s*'([A-Z_]+)'/g,
    /sendError\(\s*\w+,\s*'([A-Z_]+)'/g,
    /errorText\([^,()]+,\s*'([A-Z_]+)'/g,
    /\bcode: '([A-Z_]+)'/g,
  ];
  for (const layer of ['engine', 'market', 'sim', 'live', 'store', 'server'])
    for (const file of tsFiles(join(root, 'src', layer))) {
      const text = readFileSync(file, 'utf8');
      // FST_*: fastify's own codes, read to answer them as BAD_REQUEST, never sent.
      for (const re of patterns)
        for (const m of text.matchAll(re)) if (!m[1]!.startsWith('FST_')) found.set(m[1]!, relative(root, file));
    }
  return found;
}

describe('the error table', () => {
  it('holds every code the classroom, the market, the engine and the server can send', () => {
    const missing: string[] = [];
    for (const [code, file] of codesInSource()) if (ERRORS[code] === undefined) missing.push(`${code} (${file})`);
    for (const code of Object.values(LiveCode)) if (ERRORS[code] === undefined) missing.push(code);
    for (const code of Object.values(MarketCode)) if (ERRORS[code] === undefined) missing.push(code);
    for (const n of Object.values(Code)) if (n !== 0 && ERRORS[codeName(n)] === undefined) missing.push(codeName(n));
    expect(missing).toEqual([]);
  });

  it('a lookup is 404 in every layer; the market’s rules 422; the classroom’s state 409', () => {
    for (const [code, x] of Object.entries(ERRORS))
      if (/^(LIVE|MKT)_ERR_UNKNOWN_|^ENG_UNKNOWN_ORDER$/.test(code)) expect(x.status, code).toBe(404);
    expect(statusOf('MKT_ERR_UNKNOWN_ORDER')).toBe(statusOf('LIVE_ERR_UNKNOWN_ORDER'));
    expect(statusOf('MKT_ERR_INSUFFICIENT_CASH')).toBe(422);
    expect(statusOf('LIVE_ERR_NOT_RUNNING')).toBe(409);
  });

  it('only the server gives a status: the core returns codes', () => {
    for (const layer of ['engine', 'market', 'sim', 'live'])
      for (const file of tsFiles(join(root, 'src', layer)))
        expect(readFileSync(file, 'utf8'), relative(root, file)).not.toMatch(/\bstatus(Code)?: [1-5]\d\d\b/);
    for (const file of tsFiles(join(root, 'src/server')))
      expect(readFileSync(file, 'utf8'), relative(root, file)).not.toMatch(/HttpError\(\s*\d/);
  });

  it('docs/errors.md is the table', () => {
    const path = join(root, 'docs/errors.md');
    if (process.env.CETS_WRITE_DOCS === '1') writeFileSync(path, errorsMarkdown());
    expect(readFileSync(path, 'utf8')).toBe(errorsMarkdown());
  });
});
