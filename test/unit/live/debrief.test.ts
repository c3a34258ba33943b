// The debrief of a round: the home market's closed days with the model's fair value, the news, each student's
// trading and outcome, the bots' share of the volume, compliance counts; read, never changing the classroom.
import { describe, expect, it } from 'vitest';
import { encodeClassroom, restoreClassroom } from '../../../src/live/classroom-state.ts';
import type { LiveCommand } from '../../../src/live/commands.ts';
import { debriefOf } from '../../../src/live/debrief.ts';
import { exportCsv } from '../../../src/live/export.ts';
import { fresh, order, room, run } from './room.ts';

/** Ticks of half an hour until `days` trading days have closed. */
function closeDays(r: ReturnType<typeof room>, days: number): void {
  const until = r.session.days[days]!;
  while (r.date < until && r.state === 'running') run(r, [{ op: 'tick', exchangeMs: 30 * 60_000 }]);
}

describe('debrief', () => {
  it("a day per closed day: the listed close and the day's volume from the bars, the fair value that morning", () => {
    const r = room(['Ann', 'Bo'], 1);
    closeDays(r, 2);
    const d = debriefOf(r);
    expect(d.days.map((x) => x.date)).toEqual(r.session.days.slice(0, 2));
    const bars = r.bars('national').filter((b) => b.instrumentId === 'CEA-23');
    for (const day of d.days) {
      const of = bars.filter((b) => b.date === day.date);
      expect(day.closeFen).toBe(of.find((b) => b.mode === 'listed')!.closeFen);
      expect(day.volumeT).toBe(of.reduce((s, b) => s + b.volumeT, 0));
      expect(day.fairValueFen).toBeGreaterThan(0);
      expect(Number.isInteger(day.fairValueFen)).toBe(true);
    }
    const fair = r.session.result().fair.get('national')!.publicFen;
    expect(d.days[1]!.fairValueFen).toBe(Math.round(fair[1]!));
  });

  it("students' bought and sold from their fills; the bots' part of the rest; compliance counts", () => {
    const r = room(['Ann', 'Bo'], 0);
    run(r, [order(1, 'sell', 9_700, 3_000), order(2, 'buy', 9_700, 2_000)]);
    const d = debriefOf(r);
    expect(d.students.map((s) => [s.name, s.boughtT, s.soldT])).toEqual([
      ['Ann', 0, 2_000],
      ['Bo', 2_000, 0],
    ]);
    // Without bots, every tonne is the students': the bots' share is nothing.
    expect(d.bots).toEqual({ boughtT: 0, soldT: 0, shareOfVolumeBps: 0 });
    expect(d.compliance).toEqual({ met: 0, short: 0, open: 2, finesFen: 0 });
    expect(d).toMatchObject({ round: 1, practice: false, marketId: 'national', instrumentId: 'CEA-23' });
    const owed = r.complianceOf(1)!.remainingT;
    run(r, [{ op: 'surrender', studentId: 1, instrumentId: 'CEA-23', qtyT: owed }]);
    expect(debriefOf(r).compliance).toMatchObject({ met: 1, open: 1 });
  });

  it('with bots: their bought and sold add up, with the students, to both sides of the volume', () => {
    const r = room(['Ann'], 1);
    run(r, [{ op: 'tick', exchangeMs: 60 * 60_000 }, order(1, 'buy', 10_600, 1_000)]);
    const d = debriefOf(r);
    const volumeT = r.trades('national').reduce((s, t) => s + t.qtyT, 0);
    expect(volumeT).toBeGreaterThan(0);
    const ann = d.students[0]!;
    expect(ann.boughtT).toBeGreaterThan(0);
    expect(d.bots.boughtT + ann.boughtT).toBe(volumeT);
    expect(d.bots.soldT + ann.soldT).toBe(volumeT);
    expect(d.bots.shareOfVolumeBps).toBe(Math.round((10_000 * (d.bots.boughtT + d.bots.soldT)) / (2 * volumeT)));
  });

  it('the news as events, with their exchange dates', () => {
    const r = room(['Ann'], 0);
    run(r, [{ op: 'auction', qtyT: 10_000, reservePriceFen: 8_000, minutes: 30 }]);
    expect(debriefOf(r).events.map((e) => [e.date, e.title])).toEqual(r.news.map((n) => [r.date, n.title]));
  });

  it("the scenario's announcement, applied by the simulator on its date, is titled by the scenario and has its kind", () => {
    const r = room(['Ann'], 0);
    while (r.news.length === 0 && r.state === 'running') run(r, [{ op: 'tick', exchangeMs: 120 * 60_000 }]);
    const n = r.news[0]!;
    expect(n.title).not.toBe('News');
    expect(n.text.startsWith(n.title)).toBe(true);
    expect(n).toMatchObject({ kind: 'announcement' });
    expect(debriefOf(r).events[0]).toMatchObject({ title: n.title, text: n.text, kind: 'announcement' });
  });

  it("a round's debrief is kept when the next round begins", () => {
    const r = room(['Ann', 'Bo'], 0);
    run(r, [order(1, 'sell', 9_700, 3_000), order(2, 'buy', 9_700, 2_000)]);
    const first = debriefOf(r);
    run(r, [{ op: 'round', practice: false, roles: 'fixed' }]);
    expect(r.roundResults()[0]!.debrief).toEqual(first);
    // The new round starts afresh: nobody has traded in it.
    expect(debriefOf(r)).toMatchObject({ round: 2 });
    expect(debriefOf(r).students.map((s) => s.boughtT + s.soldT)).toEqual([0, 0]);
  });

  it('a journal with rounds replays to the same state, kept debriefs too, from the start or a snapshot', () => {
    const cmds: LiveCommand[] = [
      order(1, 'sell', 9_700, 3_000),
      { op: 'tick', exchangeMs: 40 * 60_000 },
      order(2, 'buy', 9_700, 2_000),
      { op: 'auction', qtyT: 10_000, reservePriceFen: 8_000, minutes: 20 },
      { op: 'bid', studentId: 2, auctionId: 'A1', priceFen: 8_500, qtyT: 4_000 },
      { op: 'tick', exchangeMs: 30 * 60_000 },
      { op: 'round', practice: false, roles: 'redraw' },
      { op: 'tick', exchangeMs: 60 * 60_000 },
      order(2, 'sell', 9_700, 1_000),
    ];
    const all = room(['Ann', 'Bo'], 1);
    run(all, cmds);
    const end = encodeClassroom(all);
    // Round 1's debrief, kept: Bo's auction win (4,000 t) among what he bought.
    expect(all.roundResults()[0]!.debrief!.round).toBe(1);
    expect(all.roundResults()[0]!.debrief!.students[1]!.boughtT).toBeGreaterThanOrEqual(4_000);
    const again = room(['Ann', 'Bo'], 1);
    run(again, cmds);
    expect(encodeClassroom(again)).toBe(end);
    const part = room(['Ann', 'Bo'], 1);
    run(part, cmds.slice(0, 7));
    const restored = fresh(1);
    restoreClassroom(restored, encodeClassroom(part));
    run(restored, cmds.slice(7));
    expect(encodeClassroom(restored)).toBe(end);
    expect(debriefOf(restored)).toEqual(debriefOf(all));
  });

  it('reading positions, the debrief and every export changes nothing', () => {
    const r = room(['Ann', 'Bo'], 1);
    run(r, [{ op: 'tick', exchangeMs: 30 * 60_000 }, order(1, 'sell', 9_700, 1_000), order(2, 'buy', 9_700, 1_000)]);
    const before = encodeClassroom(r);
    r.positions();
    debriefOf(r);
    for (const table of ['orders', 'trades', 'positions', 'results'] as const) exportCsv(r, table, { names: true });
    expect(encodeClassroom(r)).toBe(before);
  });
});
