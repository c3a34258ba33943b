// npm run bench:journal: order entry in process (Hub.exec, as the routes call it, without HTTP) with the journal on
// (SQLite WAL, group commit; each order acknowledged only once committed and the WAL fsynced) and off, on the same
// classroom setup. Clients: students each placing an order and cancelling it, as many in flight as there are
// students. Prints orders/s both ways, commits and commands per commit, and the ratio; last line exactly
// `journal: on <orders/s> orders/s, off <orders/s> orders/s, ratio <r>`.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildServer } from '../src/server/app.ts';
import { DEFAULTS } from '../src/server/config.ts';
import { loadRunContext } from '../src/store/scenario-files.ts';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);
const STUDENTS = Number(process.env.BENCH_STUDENTS ?? 200);
/** Orders each student keeps in flight (a WebSocket client may send its next order before the last is acked). */
const PER_STUDENT = Number(process.env.BENCH_IN_FLIGHT ?? 1);
const ctx = loadRunContext();

async function measure(
  journal: boolean,
): Promise<{ ordersPerSec: number; commits: number; commands: number; syncs: number }> {
  const dir = mkdtempSync(join(tmpdir(), 'cets-bench-journal-'));
  const clock = { ms: 1_000_000 };
  const server = await buildServer(
    { ...DEFAULTS, dataDir: dir, port: 0, logLevel: 'silent', botIntensity: 0, snapshotEverySec: 86_400 },
    { now: () => clock.ms, ctx, autoStart: true, journal },
  );
  const hub = server.hub;
  const room = hub.rooms.get('default')!;
  const ids: number[] = [];
  for (let i = 0; i < STUDENTS; i++) {
    const r = hub.addStudent(room, `Student ${i + 1}`);
    if (!r.ok) throw new Error(`${r.code}: ${r.message}`);
    ids.push(r.value.studentId);
  }
  await hub.durable();
  let placed = 0;
  let until = 0;
  // Journal off, an exec never waits for I/O, so a timer would never fire: each client checks the time itself.
  const client = async (studentId: number, k: number) => {
    let i = 0;
    while (performance.now() < until) {
      i++;
      const side = (i + k) % 2 === 0 ? 'buy' : 'sell';
      // Buys below and sells above the market: resting listings, no trades, the journal's cost alone.
      const priceFen = side === 'buy' ? 9_000 - (i % 50) : 10_500 + (i % 50);
      const r = await hub.exec(room, {
        op: 'order',
        studentId,
        marketId: 'national',
        instrumentId: 'CEA-23',
        side,
        priceFen,
        qtyT: 100,
        tif: 'day',
      });
      if (!r.ok) throw new Error(`order refused: ${r.code}: ${r.message}`);
      placed++;
      const c = await hub.exec(room, { op: 'cancel', studentId, orderId: r.value.orderId });
      if (!c.ok) throw new Error(`cancel refused: ${c.code}: ${c.message}`);
    }
  };
  // Warm up, then measure.
  until = performance.now() + 1_000;
  const clients = () => ids.flatMap((id, k) => Array.from({ length: PER_STUDENT }, (_, m) => client(id, k + m)));
  await Promise.all(clients());
  placed = 0;
  const j = hub.journal;
  const commits0 = j?.commits ?? 0;
  const commands0 = j?.commands ?? 0;
  const syncs0 = j?.syncs ?? 0;
  const t0 = performance.now();
  until = t0 + SECONDS * 1_000;
  await Promise.all(clients());
  const secs = (performance.now() - t0) / 1_000;
  const out = {
    ordersPerSec: placed / secs,
    commits: (j?.commits ?? 0) - commits0,
    commands: (j?.commands ?? 0) - commands0,
    syncs: (j?.syncs ?? 0) - syncs0,
  };
  await server.close();
  rmSync(dir, { recursive: true, force: true });
  return out;
}

const off = await measure(false);
console.log(
  `journal off: ${Math.round(off.ordersPerSec)} orders/s (each order then its cancel; ${STUDENTS} students x ${PER_STUDENT} in flight; ${SECONDS} s)`,
);
const on = await measure(true);
console.log(
  `journal on:  ${Math.round(on.ordersPerSec)} orders/s; ${on.commits} commits of ${(on.commands / Math.max(1, on.commits)).toFixed(0)} commands on average; ${on.syncs} fsyncs of the WAL`,
);
const ratio = on.ordersPerSec / off.ordersPerSec;
console.log(
  `targets: on at least 50% of off (${ratio >= 0.5 ? 'met' : 'MISSED'}) and at least 50000 orders/s (${on.ordersPerSec >= 50_000 ? 'met' : 'MISSED'})`,
);
console.log(
  `journal: on ${Math.round(on.ordersPerSec)} orders/s, off ${Math.round(off.ordersPerSec)} orders/s, ratio ${ratio.toFixed(2)}`,
);
