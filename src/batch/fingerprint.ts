// What a queue worker must share with the coordinator to run its jobs: the code that computes a run and the data it
// reads. A sha256 over the files (path and bytes, in sorted order) of the folders below; a worker whose fingerprint
// differs refuses the job (BATCH_ERR_FINGERPRINT) instead of writing a result that another checkout would not give.
// The adapters (cli, server, live, report, web) are left out: they do not change a run's summary.
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

export const ROOT = join(import.meta.dirname, '..', '..');
const PARTS = [
  'src/engine',
  'src/market',
  'src/sim',
  'src/store',
  'src/batch',
  'data',
  'scenarios',
  'package-lock.json',
];
const KEEP = /\.(ts|json|csv|sql)$/;

function files(path: string, out: string[]): void {
  if (!existsSync(path)) return;
  if (statSync(path).isFile()) {
    out.push(path);
    return;
  }
  for (const name of readdirSync(path)) {
    if (name.startsWith('.')) continue;
    const p = join(path, name);
    if (statSync(p).isDirectory()) files(p, out);
    else if (KEEP.test(name)) out.push(p);
  }
}

/** 16 hex digits of the code and data fingerprint of the checkout at `root`. */
export function fingerprint(root = ROOT): string {
  const all: string[] = [];
  for (const part of PARTS) files(join(root, part), all);
  const h = createHash('sha256');
  for (const f of all.map((p) => relative(root, p).split('\\').join('/')).sort()) {
    h.update(`${f}\n`);
    h.update(readFileSync(join(root, f)));
    h.update('\n');
  }
  return h.digest('hex').slice(0, 16);
}
