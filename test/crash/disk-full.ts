// Test only: a full disk for a server running as a child process, without root (no tmpfs to fill). Loaded with
// `node --import ./test/crash/disk-full.ts`; CETS_TEST_DISK_FULL names a file: while it exists, every SQLite
// connection the process opened is full (its max_page_count is its current size and a filler table takes the free
// pages left, so the next write that needs a page fails with SQLITE_FULL, as on a full disk); once it is removed,
// the filler is dropped and the limit lifted. Polled every 10 ms. Nothing of this is in the server itself.
import { existsSync } from 'node:fs';
import Database from 'better-sqlite3';
import { fillDisk, freeDisk } from '../fixtures/disk-fill.ts';

const flag = process.env.CETS_TEST_DISK_FULL;
if (flag !== undefined && flag !== '') {
  const seen = new Set<Database.Database>();
  const proto = Database.prototype as unknown as { pragma: (...args: unknown[]) => unknown };
  const pragma = proto.pragma;
  // Every connection of the server runs a pragma when it opens (quick_check, journal_mode): that is where it is seen.
  proto.pragma = function (this: Database.Database, ...args: unknown[]) {
    if (!this.readonly && !this.memory) seen.add(this);
    return pragma.apply(this, args);
  };
  let full = false;
  setInterval(() => {
    const want = existsSync(flag);
    if (want === full) return;
    full = want;
    for (const db of seen) {
      if (!db.open) {
        seen.delete(db);
        continue;
      }
      try {
        if (want) fillDisk(db);
        else freeDisk(db);
      } catch (e) {
        console.error(`disk-full fault: ${e instanceof Error ? e.message : e}`);
      }
    }
  }, 10).unref();
}
