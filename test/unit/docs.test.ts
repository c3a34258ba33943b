// The README and docs/ name only what exists: every repository path, link, npm script, `cets` command and error code
// they mention is checked against the tree, package.json, the CLI's command list and the error tables.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ERRORS } from '../../src/server/errors.ts';

const root = join(import.meta.dirname, '../..');
const pages = [
  'README.md',
  ...readdirSync(join(root, 'docs'))
    .filter((f) => f.endsWith('.md'))
    .map((f) => `docs/${f}`),
];
const read = (rel: string) => readFileSync(join(root, rel), 'utf8');

const scripts = new Set(Object.keys(JSON.parse(read('package.json')).scripts as Record<string, string>));
const cliMain = read('src/cli/main.ts');
const cetsCommands = new Set([
  'help',
  'demo',
  'markets',
  ...[...(cliMain.match(/const SIM_COMMANDS[^{]*\{([\s\S]*?)\n\};/)?.[1] ?? '').matchAll(/^\s+'?([a-z-]+)'?:/gm)].map(
    (m) => m[1]!,
  ),
]);
/** Codes of the batch and the CLI (reported to a terminal, so not in the server's table). */
const terminalCodes = new Set(
  [...read('src/batch/errors.ts').matchAll(/'([A-Z]+_ERR_[A-Z_]+)'/g)].map((m) => m[1]!).concat(['CONFIG_ERR']),
);
const knownCode = (code: string): boolean => {
  if (code.endsWith('_*')) {
    const prefix = code.slice(0, -1);
    return (
      Object.keys(ERRORS).some((c) => c.startsWith(prefix)) || [...terminalCodes].some((c) => c.startsWith(prefix))
    );
  }
  return ERRORS[code] !== undefined || terminalCodes.has(code);
};

/** Repository paths in backticks (`src/live/orders.ts`, `test/integration`), without globs or placeholders. */
function pathsIn(text: string): string[] {
  const out: string[] = [];
  for (const m of text.matchAll(/`((?:src|test|docs|data|scenarios|web|bench|bin)\/[^`\s]*)`/g)) {
    const p = m[1]!.replace(/[#:].*$/, '').replace(/[.,;)]+$/, '');
    if (/[*<>{}[\]|]/.test(p)) continue;
    out.push(p);
  }
  return out;
}

describe('the docs name what exists', () => {
  for (const page of pages) {
    const text = read(page);
    it(`${page}: paths and links`, () => {
      const missing = pathsIn(text).filter((p) => !existsSync(join(root, p)));
      for (const m of text.matchAll(/\]\(([^)\s]+)\)/g)) {
        const target = m[1]!.replace(/#.*$/, '');
        if (target === '' || /^[a-z]+:/.test(target)) continue;
        if (!existsSync(join(root, dirname(page), target))) missing.push(target);
      }
      expect(missing, page).toEqual([]);
    });
    it(`${page}: npm scripts, cets commands, error codes`, () => {
      const bad: string[] = [];
      for (const m of text.matchAll(/npm run ([a-z][a-z:-]*)/g)) if (!scripts.has(m[1]!)) bad.push(`npm run ${m[1]}`);
      for (const m of text.matchAll(/(?:npx |`)cets ([a-z][a-z-]*)/g))
        if (!cetsCommands.has(m[1]!)) bad.push(`cets ${m[1]}`);
      for (const m of text.matchAll(/\b((?:[A-Z]+_ERR_[A-Z_]*[A-Z*]|ENG_[A-Z_]+[A-Z]))\b\*?/g)) {
        const code = m[0]!.endsWith('*') ? `${m[1]}*` : m[1]!;
        if (!knownCode(code.replace(/_\*$/, '_*'))) bad.push(code);
      }
      expect(bad, page).toEqual([]);
    });
  }

  it('reads every page', () => {
    expect(pages.map((p) => relative(root, join(root, p)))).toContain('docs/operators.md');
  });
});
