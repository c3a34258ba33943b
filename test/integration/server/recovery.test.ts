// Recovery in one process: a server that stops without a word (no close, no final snapshot) is followed by another
// on the same data folder; the classroom comes back at the same journal position with the same state hash, with
// the students' tokens working, and it equals a from-scratch replay of the journal.
import { rmSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { replayJournal } from '../../../src/server/journal-replay.ts';
import { auth, ctx, testServer } from './fixture.ts';

const admin = auth('admin-token-for-tests-0001');

async function trade(t: Awaited<ReturnType<typeof testServer>>, a: string, b: string, rounds: number) {
  let acked = 0;
  for (let i = 0; i < rounds; i++) {
    t.clock.ms += 400;
    t.server.hub.tick();
    for (const [tok, side, px] of [
      [a, 'sell', 97 + (i % 5) / 10],
      [b, 'buy', 97.5 + (i % 3) / 10],
    ] as const) {
      const r = await t.inject({
        method: 'POST',
        url: '/api/orders',
        headers: auth(tok),
        payload: { marketId: 'national', instrumentId: 'CEA-23', side, priceCny: px.toFixed(2), qtyT: 100, tif: 'day' },
      });
      if (r.statusCode === 200) acked++;
    }
  }
  return acked;
}

describe('restart after an abrupt stop', () => {
  it('comes back with the same state hash, from the latest snapshot plus the journal after it', async () => {
    const t = await testServer();
    const room = t.server.hub.rooms.get('default')!;
    const a = await t.join('Ann');
    const b = await t.join('Bo');
    // Auctions too: one announced and bid on before the snapshot (closing after it), one after it.
    const auction = async (n: number, minutes: number) => {
      const tk = auth(t.server.instructorToken!);
      const payload = { qtyT: 20_000, reservePriceCny: '80.00', minutes };
      const r = await t.inject({ method: 'POST', url: '/api/classrooms/default/auctions', headers: tk, payload });
      expect(r.statusCode).toBe(200);
      for (const [tok, px] of [
        [a.token, '91.00'],
        [b.token, '92.50'],
      ] as const) {
        const bid = await t.inject({
          method: 'POST',
          url: `/api/auctions/A${n}/bids`,
          headers: auth(tok),
          payload: { priceCny: px, qtyT: 15_000 },
        });
        expect(bid.statusCode).toBe(200);
      }
    };
    await auction(1, 20); // 30 rounds of trading below are 12 exchange minutes
    expect(await trade(t, a.token, b.token, 30)).toBeGreaterThan(40);
    expect(room.auctionNotices()[0]!.outcome).toBeNull();
    expect(t.server.hub.snapshotAll()).toBe(1);
    await auction(2, 3);
    await trade(t, a.token, b.token, 30);
    expect(room.auctionNotices().every((n) => n.outcome !== null && n.outcome.soldT === 20_000)).toBe(true);
    const before = await t.inject({ method: 'GET', url: '/api/classrooms/default/state', headers: admin });
    expect(before.statusCode).toBe(200);
    const s0 = before.json();
    expect(s0.integrity).toBe('ok');
    const fills = room.studentFills(1).length;
    expect(fills).toBeGreaterThan(0);

    // No close(): the first server just stops being used (its last commit is on disk, nothing after it).
    const t2 = await testServer({}, { dir: t.dir });
    expect(t2.server.hub.recovered).toEqual([
      { classroomId: 'default', snapshotSeq: expect.any(Number), skippedSnapshots: 0, replayed: expect.any(Number) },
    ]);
    expect(t2.server.hub.recovered[0]!.snapshotSeq).toBeGreaterThan(0);
    expect(t2.server.hub.recovered[0]!.replayed).toBeGreaterThan(0);
    const after = await t2.inject({ method: 'GET', url: '/api/classrooms/default/state', headers: admin });
    expect(after.json()).toEqual(s0);
    const room2 = t2.server.hub.rooms.get('default')!;
    expect(room2.studentFills(1).length).toBe(fills);
    expect(room2.state).toBe('running');
    // The old token still works and trading goes on.
    const me = await t2.inject({ method: 'GET', url: '/api/me', headers: auth(a.token) });
    expect(me.statusCode).toBe(200);
    expect(await trade(t2, a.token, b.token, 3)).toBeGreaterThan(0);

    // A from-scratch replay of the whole journal gives the same state as the restarted server.
    const s2 = t2.server.hub.state(room2);
    const replay = replayJournal(ctx(), t.dir, 'default');
    expect(replay.seq).toBe(s2.seq);
    expect(replay.hash).toBe(s2.hash);
    expect(replay.integrity).toBeNull();
    await t2.server.close();
    await t.server.close().catch(() => undefined);
    rmSync(t.dir, { recursive: true, force: true });
  });

  it('skips a damaged snapshot for the journal', async () => {
    const t = await testServer();
    const a = await t.join('Ann');
    const b = await t.join('Bo');
    await trade(t, a.token, b.token, 10);
    t.server.hub.snapshotAll();
    const s0 = t.server.hub.state(t.server.hub.rooms.get('default')!);
    const db = (t.server.hub.journal as unknown as { db: import('better-sqlite3').Database }).db;
    db.prepare("UPDATE snapshot SET state = x'00112233'").run();
    const t2 = await testServer({}, { dir: t.dir });
    expect(t2.server.hub.recovered[0]).toMatchObject({ snapshotSeq: 0, skippedSnapshots: 1 });
    expect(t2.server.hub.state(t2.server.hub.rooms.get('default')!)).toEqual(s0);
    await t2.server.close();
    await t.server.close().catch(() => undefined);
    rmSync(t.dir, { recursive: true, force: true });
  });
});
