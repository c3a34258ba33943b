// Presence over the WebSocket: a student whose last page has been closed for the grace period is away (a bot runs
// their firm), a page reloaded within it changes nothing, and a page connecting again brings them back. Wall time is
// the test's clock; the hub's tick sweeps.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AWAY_AFTER_MS } from '../../../src/server/presence.ts';
import { type TestServer, testServer } from './fixture.ts';
import { wsClient } from './ws-client.ts';

let t: TestServer;
let base: string;

beforeEach(async () => {
  t = await testServer();
  base = (await t.server.listen()).replace('http', 'ws');
});
afterEach(async () => {
  await t.close();
});

/** Closes a page and waits until the server has seen it go (its count of the student's pages drops). */
const closeAndWait = async (c: Awaited<ReturnType<typeof wsClient>>, studentId: number) => {
  const room = t.server.hub.rooms.get('default')!;
  const before = t.server.hub.presence.pagesOpen(room, studentId);
  c.ws.close();
  while (t.server.hub.presence.pagesOpen(room, studentId) >= before) await new Promise((r) => setImmediate(r));
};

const tickBy = (ms: number) => {
  t.clock.ms += ms;
  t.server.hub.tick();
};

describe('presence', () => {
  it('away after the grace period with no page open, back when one opens; a reload within it changes nothing', async () => {
    const room = t.server.hub.rooms.get('default')!;
    const a = await t.join('Ann');
    const b = await t.join('Bo');
    const url = (token: string) => `${base}/ws?token=${token}`;
    let ca = await wsClient(url(a.token));
    const cb = await wsClient(url(b.token));
    await closeAndWait(ca, a.studentId);
    tickBy(AWAY_AFTER_MS / 2);
    ca = await wsClient(url(a.token));
    await closeAndWait(ca, a.studentId);
    tickBy(AWAY_AFTER_MS - 1_000);
    expect(room.isAway(a.studentId)).toBe(false);
    tickBy(1_000);
    expect(room.isAway(a.studentId)).toBe(true);
    expect(room.isAway(b.studentId)).toBe(false);
    // Two pages: away only once both are closed.
    const c1 = await wsClient(url(a.token));
    expect(room.isAway(a.studentId)).toBe(false);
    const c2 = await wsClient(url(a.token));
    await closeAndWait(c1, a.studentId);
    tickBy(AWAY_AFTER_MS * 2);
    expect(room.isAway(a.studentId)).toBe(false);
    await closeAndWait(c2, a.studentId);
    tickBy(AWAY_AFTER_MS);
    expect(room.isAway(a.studentId)).toBe(true);
    // The journal holds them: away, back, away.
    t.server.hub.state(room);
    const ops = [...t.server.hub.journal!.entries('default', 0)]
      .map((e) => e.cmd.op)
      .filter((op) => op === 'away' || op === 'back');
    expect(ops).toEqual(['away', 'back', 'away']);
    cb.ws.close();
  });
});
