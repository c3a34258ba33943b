// When the journal breaks (an fsync fails: a full or failing disk), a WebSocket client is not left silent: it is told
// once ({op: "notice"}), every refused order or cancel gets its ack with JOURNAL_ERR_WRITE, pings get pongs, heartbeats
// keep coming, and the socket stays open. Market data that the journal could not make durable is never shown.
import { fdatasync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { SyncFile } from '../../../src/store/journal.ts';
import { auth, order, testServer } from './fixture.ts';
import { wsClient } from './ws-client.ts';

const CEA = 'CEA-23';

describe('WebSocket clients when the journal breaks', () => {
  it('get an error per refused command, pongs and heartbeats, and stay connected', async () => {
    let failing = false;
    const sync: SyncFile = (fd, done) => {
      if (failing) setImmediate(() => done(Object.assign(new Error('EIO: i/o error (simulated)'), { code: 'EIO' })));
      else fdatasync(fd, (err) => done(err));
    };
    const t = await testServer({ botIntensity: 0 }, { journalSync: sync, heartbeatMs: 200 });
    const errors: unknown[] = [];
    (t.server.streams as unknown as { onError: (e: unknown) => void }).onError = (e) => errors.push(e);
    try {
      const base = (await t.server.listen()).replace('http', 'ws');
      const a = await t.join('Alice');
      const c = await wsClient(`${base}/ws?token=${a.token}`);
      c.send({ op: 'subscribe', channels: [`trades:national:${CEA}`, `depth:national:${CEA}`] });
      await c.wait((m) => m.ch === `depth:national:${CEA}` && m.type === 'snapshot');
      c.send({ ...order('sell', '97.20', 100), op: 'order', reqId: 'ok1' });
      expect(await c.wait((m) => m.op === 'ack' && m.reqId === 'ok1')).toMatchObject({ ok: true });

      failing = true;
      // The first is accepted in memory, then its fsync fails: refused, not acknowledged. The others are refused
      // at once (the journal is broken).
      const ids = ['r1', 'r2', 'r3'];
      for (const reqId of ids) c.send({ ...order('sell', '97.30', 100), op: 'order', reqId });
      c.send({ op: 'cancel', reqId: 'c1', orderId: 1 });
      for (const reqId of [...ids, 'c1'])
        expect(await c.wait((m) => m.op === 'ack' && m.reqId === reqId)).toMatchObject({
          ok: false,
          error: { code: 'JOURNAL_ERR_WRITE', message: expect.any(String) },
        });
      // Told once that changes are refused and that only a restart brings them back.
      expect(await c.wait((m) => m.op === 'notice')).toMatchObject({
        journal: { writable: false, needsRestart: true, reason: expect.stringMatching(/EIO/) },
        message: expect.stringMatching(/needs a restart/),
      });
      c.send({ op: 'ping' });
      expect(await c.wait((m) => m.op === 'pong')).toBeDefined();
      const beats = c.got.filter((m) => m.op === 'heartbeat').length;
      await c.wait((m) => m.op === 'heartbeat' && c.got.filter((x) => x.op === 'heartbeat').length > beats + 1, 2_000);
      // A new subscription is confirmed, and told why its snapshot is held back.
      c.send({ op: 'subscribe', channels: ['status'] });
      await c.wait((m) => m.op === 'subscribed' && (m.channels as string[]).includes('status'));
      await c.wait((m) => m.op === 'error' && (m.error as { code: string }).code === 'JOURNAL_ERR_WRITE');
      expect(c.got.some((m) => m.ch === 'status')).toBe(false);
      // The order at 97.30 that failed to become durable never shows on the depth channel.
      const shown = c.got.filter((m) => m.ch === `depth:national:${CEA}` && JSON.stringify(m.data).includes('97.30'));
      expect(shown).toEqual([]);
      expect(c.ws.readyState).toBe(c.ws.OPEN);
      expect(c.got.filter((m) => m.op === 'notice')).toHaveLength(1);
      // HTTP says the same.
      const http = await t.inject({
        method: 'POST',
        url: '/api/orders',
        headers: auth(a.token),
        payload: order('sell', '97.40', 100),
      });
      expect(http.statusCode).toBe(503);
      expect(http.json().error.code).toBe('JOURNAL_ERR_WRITE');
      // The broken journal was reported once, not at every flush.
      expect(errors.length).toBe(1);
      c.ws.terminate();
    } finally {
      failing = false;
      await t.close().catch(() => {});
    }
  });
});
