// After a failed write the hub brings the classroom back to its journal, in place (issue 20): the commands refused
// are gone from the book, but the WebSocket layer had taken them into its channels (the depth each delta is computed
// against, the pending changes, the sequence numbers of messages held back). Its subscribers must get fresh snapshots
// of that classroom, with the next seq, once the journal writes again, and the deltas after them must apply cleanly to
// give the book as the REST depth route shows it. Every client is also told when changes stop being taken and when
// they are taken again ({op: "notice"}). The full disk is SQLite's max_page_count and a filler table (as
// test/crash/disk-full.ts does for a child process: test/fixtures/disk-fill.ts), in this process.
import { afterEach, describe, expect, it } from 'vitest';
import { fillDisk, freeDisk } from '../../fixtures/disk-fill.ts';
import { auth, dbOf, order, type TestServer, testServer } from './fixture.ts';
import { type Msg, type WsClient, wsClient } from './ws-client.ts';

const CEA = 'CEA-23';
const DEPTH = `depth:national:${CEA}`;
const CHANNELS = [DEPTH, `trades:national:${CEA}`, `ticker:national:${CEA}`, 'status'];

const open: TestServer[] = [];
const sockets: WsClient[] = [];
afterEach(async () => {
  for (const c of sockets.splice(0)) c.ws.terminate();
  for (const t of open.splice(0)) await t.close().catch(() => undefined);
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Level {
  priceCny: string;
  qtyT: number;
  orders: number;
}

/**
 * The depth a client builds from its channel messages as the protocol says: a snapshot replaces the book and sets the
 * seq, a delta must be the next seq (else it is a gap) and sets each level it names (qtyT 0 removes it).
 */
function depthOf(got: readonly Msg[]) {
  let seq: number | null = null;
  const gaps: string[] = [];
  let bids = new Map<string, Level>();
  let asks = new Map<string, Level>();
  let listings: unknown = null;
  let snapshots = 0;
  for (const m of got) {
    if (m.ch !== DEPTH) continue;
    const d = m.data as { bids: Level[]; asks: Level[]; listings: unknown };
    if (m.type === 'snapshot') {
      snapshots++;
      bids = new Map(d.bids.map((l) => [l.priceCny, l]));
      asks = new Map(d.asks.map((l) => [l.priceCny, l]));
    } else {
      if (seq === null || m.seq !== seq + 1) gaps.push(`${seq} -> ${m.seq}`);
      for (const [side, levels] of [
        [bids, d.bids],
        [asks, d.asks],
      ] as const)
        for (const l of levels) {
          if (l.qtyT === 0) side.delete(l.priceCny);
          else side.set(l.priceCny, l);
        }
    }
    seq = m.seq as number;
    listings = d.listings;
  }
  const sorted = (m: Map<string, Level>, dir: 1 | -1) =>
    [...m.values()].sort((a, b) => dir * (Number(a.priceCny) - Number(b.priceCny)));
  return { seq, gaps, snapshots, bids: sorted(bids, -1), asks: sorted(asks, 1), listings };
}

/**
 * The depth as GET .../depth gives it, with its seq: once everything changed so far went out on the channel (a flush
 * while the journal is broken rejects: nothing goes out).
 */
async function restDepth(t: TestServer) {
  await t.server.streams.flush().catch(() => undefined);
  const r = await t.inject({
    method: 'GET',
    url: `/api/classrooms/default/markets/national/depth?instrument=${CEA}&levels=10`,
  });
  expect(r.statusCode).toBe(200);
  const d = r.json() as { seq: number; bids: Level[]; asks: Level[]; listings: unknown };
  return { seq: d.seq, bids: d.bids, asks: d.asks, listings: d.listings };
}

async function post(t: TestServer, token: string, body: object) {
  const r = await t.inject({ method: 'POST', url: '/api/orders', headers: auth(token), payload: body });
  return { status: r.statusCode, json: r.json() as Record<string, unknown> };
}

/** A server whose disk filled during an order (refused, 503), so that the hub rebuilt the classroom in place. */
async function brokenServer() {
  const t = await testServer({ botIntensity: 0 });
  open.push(t);
  // The flushes held back while the journal is broken are reported through onError: expected here.
  const held: unknown[] = [];
  (t.server.streams as unknown as { onError: (e: unknown) => void }).onError = (e) => held.push(e);
  const base = (await t.server.listen()).replace('http', 'ws');
  const ann = await t.join('Ann');
  const c = await wsClient(`${base}/ws?token=${ann.token}`);
  sockets.push(c);
  c.send({ op: 'subscribe', channels: CHANNELS });
  for (const ch of [...CHANNELS, 'private']) await c.wait((m) => m.ch === ch && m.type === 'snapshot');
  const acked: number[] = [];
  for (const price of ['90.01', '90.01', '90.03']) {
    const r = await post(t, ann.token, order('buy', price, 100));
    expect(r.status).toBe(200);
    acked.push(r.json.orderId as number);
  }
  await expect.poll(() => depthOf(c.got).bids.length).toBe(2);

  // The disk fills. Orders at 90.02 until one does not fit: it was applied, shown to the WebSocket layer's next
  // flush, then its commit failed; the hub brought the classroom back to its journal.
  fillDisk(dbOf(t));
  let refused = 0;
  for (let i = 0; i < 300 && refused === 0; i++) {
    await sleep(8); // past the flush interval: the flush of the order runs before its commit (both at the turn's end)
    const r = await post(t, ann.token, order('buy', '90.02', 100));
    if (r.status === 200) acked.push(r.json.orderId as number);
    else {
      expect(r.status).toBe(503);
      refused++;
    }
  }
  expect(refused).toBe(1);
  expect(t.server.hub.journalState()).toMatchObject({ writable: false, needsRestart: false });
  return { t, base, ann, c, acked };
}

/** The disk frees; the clock ticks until the hub writes again. */
async function resume(t: TestServer): Promise<void> {
  freeDisk(dbOf(t));
  for (let i = 0; i < 3 && !t.server.hub.journalState().writable; i++) {
    t.clock.ms += 1_000;
    t.server.hub.tick();
  }
  expect(t.server.hub.journalState()).toEqual({ writable: true });
}

describe('WebSocket channels of a classroom rebuilt after a failed write', () => {
  it('get fresh snapshots with the next seq once the journal writes; the depth is the REST depth, and later deltas apply cleanly', async () => {
    const { t, ann, c, acked } = await brokenServer();
    // The book in memory has no refused order: the acknowledged ones only.
    const during = await restDepth(t);
    const at9002 = during.bids.find((l) => l.priceCny === '90.02');
    const n9002 = acked.length - 3;
    expect(at9002?.qtyT ?? 0).toBe(n9002 * 100);

    const mark = c.got.length;
    await resume(t);
    // Every subscribed channel gets a snapshot, the private one included, and none of them shows the refused order.
    const fresh: Record<string, Msg> = {};
    for (const ch of [...CHANNELS, 'private'])
      fresh[ch] = await c.wait((m) => m.ch === ch && m.type === 'snapshot' && c.got.indexOf(m) >= mark);
    const depth = fresh[DEPTH]!.data as { bids: Level[]; asks: Level[]; listings: unknown };
    const rest = await restDepth(t);
    expect({ bids: depth.bids, asks: depth.asks, listings: depth.listings }).toEqual({
      bids: rest.bids,
      asks: rest.asks,
      listings: rest.listings,
    });
    expect(fresh[DEPTH]!.seq).toBe(rest.seq);
    // The seq moved on: past every message sent before, so that the client replaces what it had.
    const before = c.got.slice(0, mark).filter((m) => m.ch === DEPTH);
    expect(fresh[DEPTH]!.seq).toBeGreaterThan(before.at(-1)!.seq as number);
    const mine = (fresh.private!.data as { kind: string; orders: { orderId: number }[] }).orders.map((o) => o.orderId);
    expect(fresh.private!.data).toMatchObject({ kind: 'all' });
    expect(mine.sort((x, y) => x - y)).toEqual([...acked].sort((x, y) => x - y));

    // Later changes: an order at the refused order's price (the level it had then: a delta computed against the
    // depth the WebSocket layer had taken from it would leave this level out), another level, a cancel.
    const again = await post(t, ann.token, order('buy', '90.02', 100));
    expect(again.status).toBe(200);
    expect((await post(t, ann.token, order('buy', '90.04', 300))).status).toBe(200);
    const cancel = await t.inject({ method: 'DELETE', url: `/api/orders/${acked[2]}`, headers: auth(ann.token) });
    expect(cancel.statusCode).toBe(200);
    const want = await restDepth(t);
    expect(want.bids.map((l) => l.priceCny)).toEqual(['90.04', '90.02', '90.01']);
    await expect.poll(() => depthOf(c.got).seq).toBe(want.seq);
    const built = depthOf(c.got);
    expect(built.gaps).toEqual([]);
    expect({ bids: built.bids, asks: built.asks, listings: built.listings }).toEqual({
      bids: want.bids,
      asks: want.asks,
      listings: want.listings,
    });
    // The seq of every channel runs on without a gap after its fresh snapshot.
    for (const ch of [...CHANNELS, 'private']) {
      const seqs = c.got
        .slice(c.got.indexOf(fresh[ch]!))
        .filter((m) => m.ch === ch)
        .map((m) => m.seq as number);
      expect(seqs).toEqual(seqs.map((_, i) => seqs[0]! + i));
    }
  });

  it('every client is told when changes are refused and when they are taken again, a client connecting meanwhile too', async () => {
    const { t, base, c } = await brokenServer();
    const stop = await c.wait((m) => m.op === 'notice');
    expect(stop).toMatchObject({
      journal: {
        writable: false,
        needsRestart: false,
        reason: expect.stringMatching(/full/),
        sinceMs: expect.any(Number),
      },
      message: expect.stringMatching(/cannot record changes/),
    });
    const late = await wsClient(`${base}/ws?classroom=default`);
    sockets.push(late);
    expect(await late.wait((m) => m.op === 'notice')).toMatchObject({ journal: { writable: false } });

    await resume(t);
    for (const x of [c, late])
      expect(await x.wait((m) => m.op === 'notice' && (m.journal as { writable: boolean }).writable)).toMatchObject({
        journal: { writable: true },
        message: expect.stringMatching(/records changes again/),
      });
    expect(c.ws.readyState).toBe(c.ws.OPEN);
  });
});
