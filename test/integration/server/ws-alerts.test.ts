// Alerts over the WebSocket: a block proposal to a student reaches that student's connections only, at once, with
// its price in CNY; an auction announced reaches every student's connection in the class, and not the instructor's.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auth, type TestServer, testServer } from './fixture.ts';
import { type Msg, type WsClient, wsClient } from './ws-client.ts';

let t: TestServer;
let base: string;
const clients: WsClient[] = [];
beforeAll(async () => {
  t = await testServer();
  base = (await t.server.listen()).replace('http', 'ws');
});
afterAll(async () => {
  for (const c of clients) c.ws.terminate();
  await t.close();
});

async function socket(token: string, channels: string[]): Promise<WsClient> {
  const c = await wsClient(`${base}/ws?token=${token}`);
  clients.push(c);
  c.send({ op: 'subscribe', channels });
  await c.wait((m) => m.op === 'subscribed');
  return c;
}

type AlertMsg = { type: 'alert'; alert: { type: string; tsMs: number; time: string; params: Record<string, unknown> } };
const isAlert = (type: string) => (m: Msg) => m.type === 'alert' && (m as AlertMsg).alert.type === type;

describe('alerts over the WebSocket', () => {
  it('a block proposal: to the student it names, price in CNY and time in exchange time; nobody else', async () => {
    const ann = await t.join('Ann');
    const bo = await t.join('Bo');
    const cy = await t.join('Cy');
    const [ca, cb, cc] = await Promise.all([
      socket(ann.token, ['status', 'private']),
      socket(bo.token, ['status', 'private']),
      socket(cy.token, ['status', 'private']),
    ]);
    // Block trades run 13:00-15:00: from the first open (09:30) to 13:05.
    t.server.hub.rooms.get('default')!.advanceExchange(215 * 60_000);
    const r = await t.inject({
      method: 'POST',
      url: '/api/blocks',
      headers: auth(ann.token),
      payload: {
        marketId: 'national',
        instrumentId: 'CEA-23',
        side: 'sell',
        priceCny: '95.00',
        qtyT: 100_000,
        toStudentId: bo.studentId,
      },
    });
    expect(r.statusCode, r.body).toBe(200);
    const m = (await cb.wait(isAlert('proposal'))) as AlertMsg;
    expect(m.alert.params).toMatchObject({
      proposalId: r.json().proposalId,
      priceCny: '95.00',
      qtyT: 100_000,
      side: 'sell',
      from: 'Ann',
    });
    expect(m.alert.params.priceFen).toBeUndefined();
    expect(m.alert.time).toMatch(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}$/);
    expect(typeof m.alert.tsMs).toBe('number');
    // The others get the same flush's messages but no alert: a ping's pong comes after it.
    for (const c of [ca, cc]) {
      c.send({ op: 'ping', reqId: 'p' });
      await c.wait((x) => x.op === 'pong');
      expect(c.got.filter((x) => x.type === 'alert')).toEqual([]);
    }
  });

  it('an auction announced: to every student of the class, with the reserve in CNY and the close in exchange time', async () => {
    const dee = await t.join('Dee');
    const cd = await socket(dee.token, ['status', 'private']);
    const teacher = await socket(t.server.instructorToken!, ['status']);
    const r = await t.inject({
      method: 'POST',
      url: '/api/classrooms/default/auctions',
      headers: auth(t.server.instructorToken!),
      payload: { qtyT: 40_000, reservePriceCny: '80.00', minutes: 15 },
    });
    expect(r.statusCode, r.body).toBe(200);
    const m = (await cd.wait(isAlert('auction-open'))) as AlertMsg;
    expect(m.alert.params).toMatchObject({ auctionId: r.json().auctionId, qtyT: 40_000, reservePriceCny: '80.00' });
    expect(m.alert.params.closesTime).toMatch(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}$/);
    teacher.send({ op: 'ping', reqId: 'p' });
    await teacher.wait((x) => x.op === 'pong');
    expect(teacher.got.filter((x) => x.type === 'alert')).toEqual([]);
  });
});
