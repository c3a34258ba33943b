// npm run soak: the crash drill, long (default 25 rounds of up to 6 s of load, 6 clients). SOAK_ROUNDS and
// SOAK_SEED change it; SOAK_DISK_FULL=1 fills the disk and frees it in the middle of each round. Exits 1 with the
// problems listed if any acknowledged order went missing or a restarted server's state differs from a replay of its
// journal.
import { loadRunContext } from '../../src/store/scenario-files.ts';
import { crashDrill } from './harness.ts';

const rounds = Number(process.env.SOAK_ROUNDS ?? 25);
const seed = Number(process.env.SOAK_SEED ?? 2024);
const started = performance.now();
const diskFull = process.env.SOAK_DISK_FULL === '1';
const r = await crashDrill(loadRunContext(), {
  rounds,
  clients: 6,
  loadMs: diskFull ? [2_500, 6_000] : [500, 6_000],
  seed,
  diskFull,
  log: console.log,
});
const acked = r.rounds.reduce((s, x) => s + x.acked, 0);
const sent = r.rounds.reduce((s, x) => s + x.sent, 0);
console.log(
  `soak: ${r.rounds.length} kills in ${((performance.now() - started) / 1000).toFixed(0)} s, ${sent} requests, ` +
    `${acked} acknowledged, ${r.ackedOrders} acknowledged orders checked after every restart, ${r.problems.length} problems`,
);
for (const p of r.problems) console.log(`  problem: ${p}`);
process.exit(r.problems.length === 0 ? 0 : 1);
