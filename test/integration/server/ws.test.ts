import type { Socket } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import type { OrderInput } from '../../../src/live/classroom.ts';
import { type TestServer, testServer } from './fixture.ts';

const CEA = 'CEA-23';
let t: TestServer;
let base: string;
const sockets: WebSocket[] = [];

beforeEach(async () => {
  t = await testServer();
  base = (await t.server.listen()).replace('http', 'ws');
});
afterEach(async () => {
  for (const s of sockets.splice(0)) s.terminate();
  await t.close();
});

/** A client that keeps every message and can wait for one matching a predicate. */
async function client(token?: string) {
  const ws = new WebSocket(`${base}/ws${token === undefined ? '' : `?token=${token}`}`);
  sockets.push(ws);
  const got: Record<string, unknown>[] = [];
  const waiters: { pred: (m: Record<string, unknown>) => boolean; resolve: (m: Record<string, unknown>) => void }[] =
    [];
  ws.on('message', (d) => {
    const m = JSON.parse(d.toString()) as Record<string, unknown>;
    got.push(m);
    for (const w of [...waiters])
      if (w.pred(m)) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve(m);
      }
  });
  await new Promise((resolve, reject) => {
    ws.once('open', resolve);
    ws.once('error', reject);
  });
  const wait = (pred: (m: Record<string, unknown>) => boolean, ms = 3_000) =>
    new Promise<Record<string, unknown>>((resolve, reject) => {
      const hit = got.find(pred);
      if (hit !== undefined) return resolve(hit);
      const timer = setTimeout(
        () => reject(new Error(`no such message; got ${JSON.stringify(got).slice(0, 800)}`)),
        ms,
      );
      waiters.push({
        pred,
        resolve: (m) => {
          clearTimeout(timer);
          resolve(m);
        },
      });
    });
  return { ws, got, wait, send: (m: object) => ws.send(JSON.stringify(m)) };
}

const order = (reqId: string, side: 'buy' | 'sell', priceCny: string, qtyT: number) => ({
  op: 'order',
  reqId,
  marketId: 'national',
  instrumentId: CEA,
  side,
  priceCny,
  qtyT,
  tif: 'day',
});

describe('WebSocket at /ws', () => {
  it('orders with acks; both students and a public watcher see the trade; depth is a snapshot then deltas in sequence', async () => {
    const a = await t.join('Alice');
    const b = await t.join('Bob');
    const ca = await client(a.token);
    const cb = await client(b.token);
    const watcher = await client();
    const chans = [`depth:national:${CEA}`, `trades:national:${CEA}`];
    for (const c of [ca, cb, watcher]) c.send({ op: 'subscribe', channels: chans });
    const snap = await watcher.wait((m) => m.ch === chans[0] && m.type === 'snapshot');
    ca.send(order('s1', 'sell', '97.20', 1_000));
    const ackA = await ca.wait((m) => m.op === 'ack' && m.reqId === 's1');
    expect(ackA).toMatchObject({ ok: true, result: { filledT: 0, restingT: 1_000 } });
    const delta = await watcher.wait((m) => m.ch === chans[0] && m.type === 'delta');
    expect(delta.seq).toBe((snap.seq as number) + 1);
    expect((delta.data as { asks: unknown[] }).asks).toContainEqual({ priceCny: '97.20', qtyT: 1_000, orders: 1 });
    cb.send(order('b1', 'buy', '97.50', 300));
    expect(await cb.wait((m) => m.op === 'ack' && m.reqId === 'b1')).toMatchObject({
      ok: true,
      result: { filledT: 300 },
    });
    for (const c of [ca, cb, watcher]) {
      // The trades since the last flush, as one list (here the one trade), without what the channel names.
      const tr = await c.wait((m) => m.ch === chans[1] && m.type === 'event');
      expect(tr.data).toEqual([
        {
          tradeId: expect.any(Number),
          tsMs: expect.any(Number),
          priceCny: '97.20',
          qtyT: 300,
          mode: 'listed',
          aggressor: 'buy',
        },
      ]);
    }
    const fillA = await ca.wait((m) => m.ch === 'private' && (m.data as { kind: string }).kind === 'fill');
    expect((fillA.data as { fills: { side: string; qtyT: number }[] }).fills[0]).toMatchObject({
      side: 'sell',
      qtyT: 300,
    });
    // Bob never gets Alice's private messages.
    expect(cb.got.some((m) => m.ch === 'private' && JSON.stringify(m.data).includes('"side":"sell"'))).toBe(false);
    const seqs = watcher.got.filter((m) => m.ch === chans[0]).map((m) => m.seq as number);
    expect(seqs).toEqual(seqs.map((_, i) => seqs[0]! + i));
  });

  it('auctions: the notice and the outcome come as news; a bidder gets its own bids on the private channel', async () => {
    const a = await t.join('Alice');
    const b = await t.join('Bob');
    const [ca, cb] = [await client(a.token), await client(b.token)];
    for (const c of [ca, cb]) c.send({ op: 'subscribe', channels: ['news', 'private'] });
    await ca.wait((m) => m.ch === 'private' && (m.data as { kind: string }).kind === 'all');
    const tk = t.server.instructorToken!;
    const h = (token: string) => ({ authorization: `Bearer ${token}` });
    const url = '/api/classrooms/default/auctions';
    const payload = { qtyT: 5_000, reservePriceCny: '80.00', minutes: 5 };
    expect((await t.inject({ method: 'POST', url, headers: h(tk), payload })).statusCode).toBe(200);
    await cb.wait((m) => m.ch === 'news' && JSON.stringify(m.data).includes('Auction A1: 5,000 t'));
    const bid = { priceCny: '91.00', qtyT: 2_000 };
    await t.inject({ method: 'POST', url: '/api/auctions/A1/bids', headers: h(a.token), payload: bid });
    const mine = await ca.wait((m) => m.ch === 'private' && (m.data as { kind: string }).kind === 'bid');
    expect((mine.data as { bids: unknown[] }).bids).toEqual([expect.objectContaining({ bidId: 'B1', status: 'live' })]);
    for (let i = 0; i < 6; i++) {
      t.clock.ms += 1_000;
      t.server.hub.tick();
    }
    await cb.wait(
      (m) => m.ch === 'news' && JSON.stringify(m.data).includes('Auction A1 closed: 2,000 of 5,000 t sold'),
    );
    const won = await ca.wait(
      (m) =>
        m.ch === 'private' && (m.data as { kind: string }).kind === 'bid' && JSON.stringify(m.data).includes('won'),
    );
    expect((won.data as { bids: unknown[] }).bids).toEqual([expect.objectContaining({ bidId: 'B1', filledT: 2_000 })]);
    // Sealed: Bob never hears of Alice's bid.
    expect(cb.got.some((m) => m.ch === 'private' && JSON.stringify(m.data).includes('"B1"'))).toBe(false);
  });

  it('refuses orders without a student token, malformed messages and bad orders with codes, and stays up', async () => {
    const anon = await client();
    anon.send(order('x1', 'buy', '97.00', 10));
    expect(await anon.wait((m) => m.reqId === 'x1')).toMatchObject({ ok: false, error: { code: 'UNAUTHORIZED' } });
    anon.ws.send('{not json');
    expect(await anon.wait((m) => m.op === 'error')).toMatchObject({ error: { code: 'BAD_REQUEST' } });
    anon.send({ op: 'subscribe', channels: ['depth:national:NOPE'] });
    expect(await anon.wait((m) => m.op === 'error' && JSON.stringify(m).includes('NOPE'))).toBeTruthy();
    const a = await t.join('Alice');
    const ca = await client(a.token);
    ca.send({ ...order('x2', 'buy', '97.00', 10), qtyT: -1 });
    expect(await ca.wait((m) => m.reqId === 'x2')).toMatchObject({ ok: false, error: { code: 'BAD_REQUEST' } });
    ca.send(order('x3', 'buy', '300.00', 10));
    expect(await ca.wait((m) => m.reqId === 'x3')).toMatchObject({
      ok: false,
      error: { code: 'ENG_PRICE_ABOVE_BAND' },
    });
    ca.send({ op: 'cancel', reqId: 'x4', orderId: 999_999 });
    expect(await ca.wait((m) => m.reqId === 'x4')).toMatchObject({
      ok: false,
      error: { code: 'LIVE_ERR_UNKNOWN_ORDER' },
    });
    ca.send({ op: 'ping' });
    expect(await ca.wait((m) => m.op === 'pong')).toBeTruthy();
    const bad = new WebSocket(`${base}/ws?token=nope-nope-nope`);
    const status = await new Promise<number>((resolve) =>
      bad.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0)),
    );
    expect(status).toBe(401);
  });
});

describe('WebSocket fan-out', () => {
  const o = (side: 'buy' | 'sell', priceFen: number): OrderInput => ({
    marketId: 'national',
    instrumentId: CEA,
    side,
    priceFen,
    qtyT: 1,
    tif: 'day',
  });

  it('a burst of trades goes out as few messages, each with every trade since the last, in sequence', async () => {
    const s = await t.join('Seller');
    const b = await t.join('Buyer');
    const room = t.server.hub.rooms.get('default')!;
    const w = await client();
    w.send({ op: 'subscribe', channels: [`trades:national:${CEA}`] });
    const snap = await w.wait((m) => m.type === 'snapshot');
    for (let i = 0; i < 200; i++) {
      expect(room.placeOrder(s.studentId, o('sell', 9_700)).ok).toBe(true);
      expect(room.placeOrder(b.studentId, o('buy', 9_700)).ok).toBe(true);
    }
    // All 200 trades were made in one turn of the event loop: one message.
    const msg = await w.wait((m) => m.type === 'event');
    const trades = msg.data as { tradeId: number }[];
    expect(msg.seq).toBe((snap.seq as number) + 1);
    expect(trades).toHaveLength(200);
    expect(trades.map((x) => x.tradeId)).toEqual(trades.map((_, i) => trades[0]!.tradeId + i));
  });

  it('a client that stops reading is dropped once 1 MiB is unread; the others get everything, in order', async () => {
    const s = await t.join('Seller');
    const b = await t.join('Buyer');
    const room = t.server.hub.rooms.get('default')!;
    const chans = [`depth:national:${CEA}`, `trades:national:${CEA}`];
    const good = await client();
    const slow = await client();
    for (const c of [good, slow]) c.send({ op: 'subscribe', channels: chans });
    await slow.wait((m) => m.ch === chans[1] && m.type === 'snapshot');
    await good.wait((m) => m.ch === chans[1] && m.type === 'snapshot');
    // The slow one never reads again: what the server writes piles up in the kernel's buffers, then in the server.
    (slow.ws as unknown as { _socket: Socket })._socket.pause();
    expect(t.server.streams.stats).toMatchObject({ clients: 2, dropped: 0 });

    // About 2.4 MB of trades (each about 100 bytes on the wire), over many flushes.
    const ROUNDS = 120;
    const PER_ROUND = 200;
    for (let r = 0; r < ROUNDS; r++) {
      for (let i = 0; i < PER_ROUND; i++) {
        expect(room.placeOrder(s.studentId, o('sell', 9_700 + (i % 5))).ok).toBe(true);
        expect(room.placeOrder(b.studentId, o('buy', 9_710)).ok).toBe(true);
      }
      await new Promise((r) => setTimeout(r, 2));
    }
    const received = () =>
      good.got.filter((m) => m.ch === chans[1] && m.type === 'event').flatMap((m) => m.data as { tradeId: number }[]);
    await expect.poll(() => received().length, { timeout: 10_000 }).toBe(ROUNDS * PER_ROUND);
    const ids = received().map((x) => x.tradeId);
    expect(ids).toEqual(ids.map((_, i) => ids[0]! + i));
    for (const ch of chans) {
      const seqs = good.got.filter((m) => m.ch === ch).map((m) => m.seq as number);
      expect(seqs).toEqual(seqs.map((_, i) => seqs[0]! + i));
    }
    // The slow one was cut off; the good one, which read as much, was not.
    expect(t.server.streams.stats).toMatchObject({ clients: 1, dropped: 1 });
    expect(good.ws.readyState).toBe(WebSocket.OPEN);
  });

  it("a flush waits for the owner's hook (e.g. a journal write) before anything goes out, answers included", async () => {
    const a = await t.join('Alice');
    const ca = await client(a.token);
    await ca.wait((m) => m.ch === 'private' && m.type === 'snapshot');
    let release: () => void = () => {};
    let calls = 0;
    t.server.streams.setBeforeFlush(() => {
      calls++;
      return new Promise<void>((r) => {
        release = r;
      });
    });
    ca.send(order('h1', 'sell', '97.20', 100));
    await expect.poll(() => calls).toBe(1);
    await new Promise((r) => setTimeout(r, 100));
    expect(ca.got.some((m) => m.reqId === 'h1')).toBe(false);
    t.server.streams.setBeforeFlush(null);
    release();
    expect(await ca.wait((m) => m.reqId === 'h1')).toMatchObject({ ok: true, result: { restingT: 100 } });
    // The messages were built before the hook ran: the ack and the private update went out together after it.
    await ca.wait((m) => m.ch === 'private' && (m.data as { kind: string }).kind === 'order');
  });
});
