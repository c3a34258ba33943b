// Nothing is acknowledged or shown before it is on disk: with the journal's fsync held, an order's HTTP answer, its
// WebSocket ack and the trade it makes on the public channel all wait; once the disk answers, all of them come.
import { fdatasync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import type { SyncFile } from '../../../src/store/journal.ts';
import { auth, order, testServer } from './fixture.ts';

const CEA = 'CEA-23';

/** An fsync that can be held: while held, answers wait in a queue; release() lets them (and later ones) through. */
function gate() {
  let held = false;
  const queue: (() => void)[] = [];
  const sync: SyncFile = (fd, done) => {
    const go = () => fdatasync(fd, (err) => done(err));
    if (held) queue.push(go);
    else go();
  };
  return {
    sync,
    hold: () => {
      held = true;
    },
    release: () => {
      held = false;
      for (const go of queue.splice(0)) go();
    },
    waiting: () => queue.length,
  };
}

const settle = (ms = 150) => new Promise((r) => setTimeout(r, ms));

describe('durable before acknowledged or seen', () => {
  it('an order: no HTTP answer, no ack, no trade on the socket until the fsync returns', async () => {
    const g = gate();
    const t = await testServer({ botIntensity: 0 }, { journalSync: g.sync });
    const base = (await t.server.listen()).replace('http', 'ws');
    try {
      const a = await t.join('Alice');
      const b = await t.join('Bob');
      const sell = await t.inject({
        method: 'POST',
        url: '/api/orders',
        headers: auth(a.token),
        payload: order('sell', '97.20', 1_000),
      });
      expect(sell.statusCode).toBe(200);
      const ws = new WebSocket(`${base}/ws?token=${b.token}`);
      const got: Record<string, unknown>[] = [];
      ws.on('message', (d) => got.push(JSON.parse(d.toString()) as Record<string, unknown>));
      await new Promise((r) => ws.once('open', r));
      ws.send(JSON.stringify({ op: 'subscribe', channels: [`trades:national:${CEA}`] }));
      await settle();
      got.length = 0;

      g.hold();
      let answered = false;
      const http = t
        .inject({
          method: 'POST',
          url: '/api/orders',
          headers: auth(b.token),
          payload: order('buy', '97.20', 300),
        })
        .then((r) => {
          answered = true;
          return r;
        });
      ws.send(
        JSON.stringify({
          op: 'order',
          reqId: 'w1',
          marketId: 'national',
          instrumentId: CEA,
          side: 'buy',
          priceCny: '97.20',
          qtyT: 200,
          tif: 'day',
        }),
      );
      await settle(300);
      // Both orders traded in memory, and the fsync was asked for, but nobody was told.
      expect(g.waiting()).toBeGreaterThan(0);
      expect(answered).toBe(false);
      expect(got.filter((m) => m.op === 'ack' || m.ch === `trades:national:${CEA}`)).toEqual([]);

      g.release();
      const r = await http;
      expect(r.statusCode).toBe(200);
      expect(r.json()).toMatchObject({ filledT: 300 });
      await settle(300);
      expect(got.find((m) => m.op === 'ack' && m.reqId === 'w1')).toMatchObject({ ok: true });
      const trades = got
        .filter((m) => m.ch === `trades:national:${CEA}` && m.type === 'event')
        .flatMap((m) => m.data as { qtyT: number }[]);
      expect(trades.map((x) => x.qtyT).sort()).toEqual([200, 300]);
      ws.terminate();
    } finally {
      g.release();
      await t.close();
    }
  });
});
