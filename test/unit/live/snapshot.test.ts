// Snapshots: a classroom restored from a snapshot taken mid-way and given the rest of the commands ends in exactly
// the state (same encoded text) of one that ran them all; and replaying the same commands twice gives the same state.
import { describe, expect, it } from 'vitest';
import { Classroom } from '../../../src/live/classroom.ts';
import { encodeClassroom, restoreClassroom } from '../../../src/live/classroom-state.ts';
import { applyCommand, type LiveCommand } from '../../../src/live/commands.ts';
import { encodeState, restoreState, SnapshotError } from '../../../src/live/snapshot.ts';
import { loadScenario } from '../../../src/store/scenario-files.ts';
import { ctx } from '../../fixtures/run-context.ts';

function fresh(): Classroom {
  const c = ctx();
  const scenario = loadScenario('classroom', c).scenario;
  return new Classroom({ id: 'x', name: 'Test', scenario, data: c, seed: 7, speed: 60, botIntensity: 1 });
}

/** A morning of a classroom: two students trading with each other and the bots while the clock moves. */
function script(): LiveCommand[] {
  const out: LiveCommand[] = [{ op: 'start' }, { op: 'join', name: 'Ann' }, { op: 'join', name: 'Bo' }];
  let x = 12345;
  const next = (n: number): number => {
    x = (x * 1103515245 + 12345) % 2 ** 31;
    return x % n;
  };
  for (let i = 0; i < 400; i++) {
    out.push({ op: 'tick', exchangeMs: 20_000 + next(400_000) });
    const studentId = 1 + next(2);
    const side = next(2) === 0 ? 'buy' : 'sell';
    const k = next(10);
    if (k < 6)
      out.push({
        op: 'order',
        studentId,
        marketId: 'national',
        instrumentId: 'CEA-23',
        side,
        priceFen: 9_000 + next(1_200),
        qtyT: 100 * (1 + next(20)),
        tif: next(3) === 0 ? 'ioc' : 'day',
      });
    else if (k < 8) out.push({ op: 'cancel', studentId, orderId: 1 + next(3_000) });
    else if (k === 8) out.push({ op: 'speed', speed: 30 + next(100) });
    else out.push({ op: 'surrender', studentId, instrumentId: 'CEA-23', qtyT: 100 });
    // Now and then an auction of the reserve, with a bid and a cancelled one (the classroom's auction state).
    if (i % 100 === 5) {
      const auctionId = `A${Math.floor(i / 100) + 1}`;
      out.push(
        { op: 'auction', qtyT: 5_000, reservePriceFen: 8_000, minutes: 10 },
        { op: 'bid', studentId, auctionId, priceFen: 9_000 + next(500), qtyT: 1_000 + next(3_000) },
        { op: 'bid', studentId: 3 - studentId, auctionId, priceFen: 8_500, qtyT: 2_000 },
        { op: 'cancel-bid', studentId: 3 - studentId, auctionId, bidId: 'B2' },
      );
    }
  }
  return out;
}

function run(room: Classroom, cmds: readonly LiveCommand[]): number {
  let accepted = 0;
  for (const c of cmds) if (applyCommand(room, c).ok) accepted++;
  return accepted;
}

describe('classroom snapshots', () => {
  const cmds = script();

  it('restore + the rest of the commands = all the commands, byte for byte', () => {
    const whole = fresh();
    const accepted = run(whole, cmds);
    expect(accepted).toBeGreaterThan(500);
    const end = encodeClassroom(whole);

    for (const cut of [3, 250, 555]) {
      const first = fresh();
      run(first, cmds.slice(0, cut));
      const snap = encodeClassroom(first);
      const restored = fresh();
      restoreClassroom(restored, snap);
      expect(encodeClassroom(restored)).toBe(snap);
      run(restored, cmds.slice(cut));
      expect(encodeClassroom(restored), `cut at ${cut}`).toBe(end);
    }
  });

  it('the same commands give the same state; different ones a different state', () => {
    const a = fresh();
    const b = fresh();
    run(a, cmds.slice(0, 300));
    run(b, cmds.slice(0, 300));
    expect(encodeClassroom(a)).toBe(encodeClassroom(b));
    run(b, [{ op: 'tick', exchangeMs: 1 }]);
    expect(encodeClassroom(a)).not.toBe(encodeClassroom(b));
  });

  it('the static inputs are not changed by running a classroom (so snapshots may refer to them)', () => {
    const room = fresh();
    const before = encodeState({ statics: room.statics() }, []);
    run(room, cmds);
    expect(encodeState({ statics: room.statics() }, [])).toBe(before);
  });

  it('a damaged snapshot is refused with a code', () => {
    const room = fresh();
    expect(() => restoreState(room, room.statics(), '{"v":1')).toThrow(SnapshotError);
    expect(() => restoreState(room, room.statics(), '{"v":2,"objs":[]}')).toThrow(/SNAP|version/);
  });
});

describe('the script', () => {
  it('spans several trading days with students trading', () => {
    const room = fresh();
    run(room, script());
    expect(room.date >= '2024-12-20').toBe(true);
    expect(room.studentFills(1).length + room.studentFills(2).length).toBeGreaterThan(10);
    const closed = room.auctionNotices().filter((n) => n.outcome !== null && n.outcome.soldT > 0);
    expect(closed.length).toBeGreaterThanOrEqual(3);
  });
});

describe('refused commands', () => {
  it('leave the whole state as it was (the journal keeps only accepted ones)', () => {
    const room = fresh();
    run(room, script().slice(0, 60));
    const n = (x: Partial<Extract<LiveCommand, { op: 'order' }>>): LiveCommand => ({
      op: 'order',
      studentId: 1,
      marketId: 'national',
      instrumentId: 'CEA-23',
      side: 'buy',
      priceFen: 9_500,
      qtyT: 100,
      tif: 'day',
      ...x,
    });
    const bad: LiveCommand[] = [
      n({ priceFen: 999_900 }),
      n({ priceFen: 1 }),
      n({ qtyT: 0 }),
      n({ qtyT: -100 }),
      n({ instrumentId: 'NOPE' }),
      n({ side: 'sell', qtyT: 100_000_000 }),
      n({ priceFen: 9_500.5 }),
      n({ studentId: 99 }),
      { op: 'cancel', studentId: 1, orderId: 987_654 },
      { op: 'amend', studentId: 1, orderId: 987_654, priceFen: 9_500, qtyT: 100 },
      { op: 'take', studentId: 1, marketId: 'national', instrumentId: 'CEA-23', listingId: 987_654, qtyT: 100 },
      { op: 'surrender', studentId: 1, instrumentId: 'CEA-23', qtyT: 10 ** 9 },
      { op: 'tick', exchangeMs: -5 },
      { op: 'speed', speed: 0 },
      { op: 'fire', index: 999 },
      { op: 'deadline', date: '1999-01-01' },
      { op: 'join', name: '' },
      { op: 'auction', qtyT: 5_000, reservePriceFen: 8_000, minutes: 10_000 },
      { op: 'bid', studentId: 1, auctionId: 'A1', priceFen: 1, qtyT: 100 },
      { op: 'cancel-bid', studentId: 1, auctionId: 'A1', bidId: 'B99' },
      { op: 'seats', seats: -1 },
      { op: 'seats', seats: 1 }, // two have joined
      { op: 'seats', seats: 1.5 },
      { op: 'revoke', studentId: 99 },
    ];
    for (const c of bad) {
      const before = encodeClassroom(room);
      const r = applyCommand(room, c);
      expect(r.ok, JSON.stringify(c)).toBe(false);
      expect(encodeClassroom(room) === before, `${JSON.stringify(c)} changed the state`).toBe(true);
    }
  });
});
