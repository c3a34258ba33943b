// A data folder written before the classroom was split into slices (test/fixtures/data-folder-v1: a classroom with
// two students who traded, amended, bid in an auction of the reserve, and a snapshot half-way) still comes back:
// its snapshot is of the old layout and is skipped, the whole journal replays, and every student sees what they saw
// before the upgrade (shown.json: the answers the old server gave, byte for byte once parsed).
import { cpSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { auth, testServer } from './server/fixture.ts';

const FIXTURE = join(import.meta.dirname, '../fixtures/data-folder-v1');

it('a pre-change data folder recovers: old snapshot skipped, journal replayed, the same answers', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'cets-v1-'));
  cpSync(FIXTURE, dir, { recursive: true });
  rmSync(join(dir, 'shown.json'));
  const shown = JSON.parse(readFileSync(join(FIXTURE, 'shown.json'), 'utf8'));
  const t = await testServer({ snapshotEverySec: 3600 }, { dir });
  try {
    // The one snapshot is of the layout before the slices: skipped, and the whole journal (126 commands) replayed.
    expect(t.server.hub.recovered).toEqual([
      { classroomId: 'default', snapshotSeq: 0, skippedSnapshots: 1, replayed: 126 },
    ]);
    const get = async (url: string, token?: string) =>
      (await t.inject({ method: 'GET', url, ...(token === undefined ? {} : { headers: auth(token) }) })).json();
    const { ann, bo } = shown.tokens;
    expect([await get('/api/me', ann), await get('/api/me', bo)]).toEqual(shown.me);
    expect([await get('/api/me/orders', ann), await get('/api/me/orders', bo)]).toEqual(shown.orders);
    expect([await get('/api/me/fills', ann), await get('/api/me/fills', bo)]).toEqual(shown.fills);
    expect([await get('/api/auctions', ann), await get('/api/auctions', bo)]).toEqual(shown.bids);
    expect(await get('/api/classrooms/default/markets/national/trades?instrument=CEA-23')).toEqual(shown.trades);
    expect(await get('/api/classrooms/default/markets/national/depth?instrument=CEA-23')).toEqual(shown.depth);
    const state = await get('/api/classrooms/default/state', 'admin-token-for-tests-0001');
    expect({ ...state, hash: '' }).toEqual({ ...shown.state, hash: '' });
  } finally {
    await t.close();
  }
});
