// The crash drill, shared by the CI test (test/crash/crash.test.ts, a few rounds) and `npm run soak` (many): the
// live server runs as a child process on its own data folder; several clients send valid and invalid orders,
// cancels, block proposals and auction bids (the instructor announces an auction each round); the server is killed
// with SIGKILL at a random moment and started again. After each restart: every acknowledged order (and the fills its
// acknowledgement reported) and bid is in the classroom, the server's state hash equals a from-scratch replay of the
// journal up to the same position, and the books add up.
//
// With `diskFull`, the disk fills in the middle of each round's load and frees again (test/crash/disk-full.ts, no
// root needed): changes are then refused with 503 JOURNAL_ERR_WRITE and nothing else, and once space is back the
// server acknowledges again by itself. In odd rounds the kill comes after the disk freed, in even rounds while it is
// still full (freed before the restart). The same checks follow every restart.
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { replayJournal } from '../../src/server/journal-replay.ts';
import type { RunContext } from '../../src/sim/run.ts';

const ROOT = join(import.meta.dirname, '..', '..');
const ADMIN = 'crash-admin-token-000000001';
const INSTRUCTOR = 'crash-instructor-token-0001';

export interface CrashOptions {
  readonly rounds: number;
  readonly clients: number;
  /** Load before each kill, ms: drawn between the two. */
  readonly loadMs: readonly [number, number];
  readonly seed: number;
  readonly log?: (line: string) => void;
  /** The server's --durability (default its own: fsync). A SIGKILL must lose nothing acknowledged either way. */
  readonly durability?: 'fsync' | 'commit';
  /** Fill the disk in the middle of each round's load and free it again (see the top of this file). */
  readonly diskFull?: boolean;
}

export interface RoundReport {
  readonly round: number;
  readonly loadMs: number;
  readonly sent: number;
  readonly acked: number;
  readonly refused: number;
  readonly failed: number;
  /** Refused with 503 JOURNAL_ERR_WRITE while the disk was full (diskFull only). */
  readonly refusedFull: number;
  /** Acknowledged after the disk freed, before the kill (diskFull, odd rounds). */
  readonly ackedAfterFree: number;
  readonly seq: number;
  readonly recovered: string;
}

export interface CrashReport {
  readonly rounds: RoundReport[];
  /** Every problem found; empty when the drill passed. */
  readonly problems: string[];
  readonly ackedOrders: number;
}

interface AckedOrder {
  readonly studentId: number;
  readonly orderId: number;
  readonly filledT: number;
}

/** A small seeded generator (the drill is reproducible in what it sends, not in when the kill lands). */
function rng(seed: number): (n: number) => number {
  let x = seed >>> 0 || 1;
  return (n) => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) % n;
  };
}

async function startServer(
  dir: string,
  durability: CrashOptions['durability'],
  fullFlag: string | null,
): Promise<{ child: ChildProcess; base: string; recovered: string }> {
  const child = spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      ...(fullFlag === null ? [] : ['--import', './test/crash/disk-full.ts']),
      'src/main.ts',
      '--port',
      '0',
      '--data-dir',
      dir,
      '--admin-token',
      ADMIN,
      '--instructor-token',
      INSTRUCTOR,
      '--speed',
      '600',
      '--tick-ms',
      '20',
      '--snapshot-every',
      '1',
      '--log-level',
      'silent',
      '--rate-limit',
      '10000000',
      ...(durability === undefined ? [] : ['--durability', durability]),
    ],
    {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: fullFlag === null ? process.env : { ...process.env, CETS_TEST_DISK_FULL: fullFlag },
    },
  );
  let err = '';
  child.stderr?.on('data', (d) => {
    err += String(d);
  });
  let recovered = 'nothing to recover';
  const base = await new Promise<string>((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`the server did not start in 60 s: ${err}`)), 60_000);
    child.stdout?.on('data', (d) => {
      out += String(d);
      const rec = /recovered classroom default: (.*)/.exec(out);
      if (rec !== null) recovered = rec[1]!;
      const m = /cets live classroom on (http:\/\/\S+)/.exec(out);
      if (m !== null) {
        clearTimeout(timer);
        resolve(m[1]!);
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`the server exited with ${code} before listening: ${err}`));
    });
  });
  return { child, base, recovered };
}

async function kill(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  const gone = new Promise<void>((r) => child.once('exit', () => r()));
  child.kill('SIGKILL');
  await gone;
}

async function call(base: string, method: string, path: string, token: string, body?: unknown) {
  const r = await fetch(`${base}${path}`, {
    method,
    headers: {
      authorization: `Bearer ${token}`,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await r.text();
  let json: unknown = null;
  try {
    json = JSON.parse(text);
  } catch {
    json = null;
  }
  return { status: r.status, json: json as Record<string, unknown> | null };
}

export async function crashDrill(ctx: RunContext, opts: CrashOptions): Promise<CrashReport> {
  const log = opts.log ?? (() => undefined);
  const dir = mkdtempSync(join(tmpdir(), 'cets-crash-'));
  const draw = rng(opts.seed);
  const problems: string[] = [];
  const rounds: RoundReport[] = [];
  const acked: AckedOrder[] = [];
  const ackedBids: { studentId: number; bidId: string }[] = [];
  const fullFlag = opts.diskFull === true ? join(dir, 'disk-is-full') : null;
  let server = await startServer(dir, opts.durability, fullFlag);
  try {
    const made = await call(server.base, 'POST', '/api/classrooms/default/students', INSTRUCTOR, {
      names: Array.from({ length: opts.clients }, (_, i) => `Trader ${i + 1}`),
    });
    if (made.status !== 200) throw new Error(`adding students: ${made.status} ${JSON.stringify(made.json)}`);
    const students = (made.json!.students as { studentId: number; token: string }[]).map((s) => s);

    for (let round = 1; round <= opts.rounds; round++) {
      const depth = await call(
        server.base,
        'GET',
        '/api/classrooms/default/markets/national/depth?instrument=CEA-23',
        '',
      );
      const d = depth.json as { bids?: { priceCny: string }[]; asks?: { priceCny: string }[] } | null;
      const bid = Number(d?.bids?.[0]?.priceCny ?? Number.NaN);
      const ask = Number(d?.asks?.[0]?.priceCny ?? Number.NaN);
      const midFen = Number.isFinite(bid) && Number.isFinite(ask) ? Math.round(((bid + ask) / 2) * 100) : 9_500;
      // An auction of the reserve each round (refused late in the day: then no bids this round).
      const notice = await call(server.base, 'POST', '/api/classrooms/default/auctions', INSTRUCTOR, {
        qtyT: 50_000,
        reservePriceCny: '80.00',
        minutes: 30,
      });
      const auctionId = notice.status === 200 ? (notice.json!.auctionId as string) : null;
      const loadMs = opts.loadMs[0] + draw(opts.loadMs[1] - opts.loadMs[0] + 1);
      let sent = 0;
      let ok = 0;
      let refused = 0;
      let failed = 0;
      let refusedFull = 0;
      let ackedAfterFree = 0;
      let diskState: 'free' | 'full' | 'freed' = 'free';
      let stop = false;
      const client = async (s: { studentId: number; token: string }, k: number) => {
        const mine: number[] = [];
        const pick = rng(opts.seed * 1_000 + round * 10 + k);
        while (!stop) {
          const what = pick(20);
          let req: Promise<{ status: number; json: Record<string, unknown> | null }>;
          let isOrder = false;
          let isBid = false;
          if (what < 11) {
            isOrder = true;
            const side = pick(2) === 0 ? 'buy' : 'sell';
            const priceFen = midFen + (pick(41) - 20) * 5;
            req = call(server.base, 'POST', '/api/orders', s.token, {
              marketId: 'national',
              instrumentId: 'CEA-23',
              side,
              priceCny: (priceFen / 100).toFixed(2),
              qtyT: 100 * (1 + pick(10)),
              tif: pick(4) === 0 ? 'ioc' : 'day',
            });
          } else if (what < 15) {
            const bad = [
              { marketId: 'national', instrumentId: 'CEA-23', side: 'buy', priceCny: '-1', qtyT: 100, tif: 'day' },
              { marketId: 'national', instrumentId: 'CEA-23', side: 'buy', priceCny: '9999.00', qtyT: 100, tif: 'day' },
              { marketId: 'national', instrumentId: 'NOPE', side: 'sell', priceCny: '90.00', qtyT: 100, tif: 'day' },
              { marketId: 'national', instrumentId: 'CEA-23', side: 'sell', priceCny: '90.00', qtyT: 0, tif: 'day' },
              '{"marketId":',
            ][pick(5)];
            req = call(server.base, 'POST', '/api/orders', s.token, bad);
          } else if (what < 18 && mine.length > 0) {
            req = call(server.base, 'DELETE', `/api/orders/${mine[pick(mine.length)]}`, s.token);
          } else if (what === 19 && auctionId !== null) {
            isBid = true;
            req = call(server.base, 'POST', `/api/auctions/${auctionId}/bids`, s.token, {
              priceCny: ((midFen + (pick(21) - 10) * 5) / 100).toFixed(2),
              qtyT: 100 * (1 + pick(10)),
            });
          } else {
            const to = students[pick(students.length)]!;
            req = call(server.base, 'POST', '/api/blocks', s.token, {
              marketId: 'national',
              instrumentId: 'CEA-23',
              side: pick(2) === 0 ? 'buy' : 'sell',
              priceCny: (midFen / 100).toFixed(2),
              qtyT: 100_000,
              toStudentId: to.studentId === s.studentId ? null : to.studentId,
            });
          }
          sent++;
          try {
            const r = await req;
            if (r.status === 200) {
              ok++;
              if (diskState === 'freed') ackedAfterFree++;
              if (isOrder) {
                const a = r.json as { orderId: number; filledT: number };
                acked.push({ studentId: s.studentId, orderId: a.orderId, filledT: a.filledT });
                mine.push(a.orderId);
              }
              if (isBid) ackedBids.push({ studentId: s.studentId, bidId: (r.json as { bidId: string }).bidId });
            } else if (r.status >= 400 && r.status < 500 && typeof r.json?.error === 'object') refused++;
            else if (
              fullFlag !== null &&
              r.status === 503 &&
              (r.json?.error as { code?: string } | undefined)?.code === 'JOURNAL_ERR_WRITE'
            )
              refusedFull++;
            else if (r.status >= 500) problems.push(`round ${round}: a ${r.status} answer: ${JSON.stringify(r.json)}`);
            else refused++;
          } catch {
            failed++; // the connection died with the server: not acknowledged, so not owed
          }
        }
      };
      const running = students.map((s, k) => client(s, k));
      const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
      const killWhileFull = round % 2 === 0;
      if (fullFlag === null) await sleep(loadMs);
      else {
        // Full for a fifth of the load, from a fifth in; freed after the kill in even rounds.
        await sleep(loadMs / 5);
        writeFileSync(fullFlag, '');
        diskState = 'full';
        await sleep(loadMs / 5);
        if (killWhileFull) await sleep((loadMs * 3) / 5);
        else {
          rmSync(fullFlag);
          // Answers to requests sent while it was full may still come in: count what is sent from here on.
          await sleep(50);
          diskState = 'freed';
          await sleep((loadMs * 3) / 5 - 50);
        }
      }
      await kill(server.child);
      stop = true;
      await Promise.all(running);
      if (fullFlag !== null) {
        rmSync(fullFlag, { force: true });
        if (refusedFull === 0) problems.push(`round ${round}: the disk filled, yet nothing was refused`);
        if (!killWhileFull && ackedAfterFree === 0)
          problems.push(`round ${round}: nothing was acknowledged after the disk freed`);
      }

      server = await startServer(dir, opts.durability, fullFlag);
      const st = await call(server.base, 'GET', '/api/classrooms/default/state', INSTRUCTOR);
      const state = st.json as { seq: number; hash: string; integrity: string };
      if (st.status !== 200) problems.push(`round ${round}: state answered ${st.status}`);
      const replay = replayJournal(ctx, dir, 'default', state.seq);
      if (replay.seq !== state.seq)
        problems.push(`round ${round}: the journal ends at ${replay.seq}, the server is at ${state.seq}`);
      if (replay.hash !== state.hash)
        problems.push(
          `round ${round}: the restarted server's state differs from a replay of the journal (seq ${state.seq})`,
        );
      if (state.integrity !== 'ok') problems.push(`round ${round}: server books: ${state.integrity}`);
      if (replay.integrity !== null) problems.push(`round ${round}: replayed books: ${replay.integrity}`);
      for (const a of acked) {
        const o = replay.room
          .studentOrders(a.studentId)
          .find((x) => x.orderId === a.orderId && x.marketId === 'national');
        if (o === undefined) {
          problems.push(`round ${round}: acknowledged order ${a.orderId} of student ${a.studentId} is missing`);
          continue;
        }
        const filled = replay.room
          .studentFills(a.studentId)
          .filter((f) => f.orderId === a.orderId && f.marketId === 'national')
          .reduce((t, f) => t + f.qtyT, 0);
        if (filled < a.filledT)
          problems.push(
            `round ${round}: order ${a.orderId} was acknowledged with ${a.filledT} t filled, ${filled} t found`,
          );
      }
      for (const b of ackedBids)
        if (!replay.room.studentBids(b.studentId).some((x) => x.bidId === b.bidId))
          problems.push(`round ${round}: acknowledged bid ${b.bidId} of student ${b.studentId} is missing`);
      const report: RoundReport = {
        round,
        loadMs,
        sent,
        acked: ok,
        refused,
        failed,
        refusedFull,
        ackedAfterFree,
        seq: state.seq,
        recovered: server.recovered,
      };
      rounds.push(report);
      log(
        `round ${round}: ${loadMs} ms of load, ${sent} requests (${ok} acknowledged, ${refused} refused, ${failed} cut by the kill` +
          `${fullFlag === null ? '' : `, ${refusedFull} refused for the full disk, ${ackedAfterFree} acknowledged after it freed${killWhileFull ? ', killed while full' : ''}`}); ` +
          `restarted (${server.recovered}) at journal ${state.seq}, hash ${state.hash.slice(0, 12)} = replay; ` +
          `${acked.length} acknowledged orders and ${ackedBids.length} auction bids checked`,
      );
    }
  } finally {
    await kill(server.child);
    rmSync(dir, { recursive: true, force: true });
  }
  return { rounds, problems, ackedOrders: acked.length };
}
