// The timeline slice: the instructor fires the scenario's events and moves the deadline; both become news, and the
// deadline every reader sees is the market's own.
import { describe, expect, it } from 'vitest';
import { applyCommand } from '../../../src/live/commands.ts';
import { must, room, run } from './room.ts';

describe('timeline', () => {
  it('lists the scenario events, fires one, and it is news', () => {
    const r = room(['Ann'], 0);
    const list = r.timelineView();
    expect(list.length).toBeGreaterThan(0);
    expect(list.every((e) => !e.fired)).toBe(true);
    const seen: string[] = [];
    r.on((e) => {
      if (e.kind === 'news') seen.push(e.item.title);
    });
    const item = must(applyCommand(r, { op: 'fire', index: 0 }));
    expect(item).toMatchObject({ seq: r.news.length, title: list[0]!.title, tsMs: r.nowTsMs });
    expect(seen).toEqual([list[0]!.title]);
    expect(r.timelineView()[0]!.fired).toBe(true);
  });

  it('a fired shock is news once, not again when the day closes', () => {
    const r = room(['Ann'], 0);
    const item = must(applyCommand(r, { op: 'fire', index: 0 }));
    run(r, [
      { op: 'tick', exchangeMs: 86_400_000 },
      { op: 'tick', exchangeMs: 86_400_000 },
    ]);
    expect(r.news.filter((n) => n.text === item.text)).toHaveLength(1);
  });

  it('refuses an event that is not there', () => {
    const r = room(['Ann'], 0);
    expect(applyCommand(r, { op: 'fire', index: 99 })).toMatchObject({ ok: false, code: 'LIVE_ERR_UNKNOWN_EVENT' });
  });

  it('moves the deadline: the classroom and every student read the new one', () => {
    const r = room(['Ann'], 0);
    expect(r.deadlineDate).not.toBe('2024-12-30');
    const item = must(applyCommand(r, { op: 'deadline', date: '2024-12-30' }));
    expect(item.title).toBe('Deadline moved to 2024-12-30');
    expect(r.deadlineDate).toBe('2024-12-30');
    expect(r.complianceOf(1)!.deadline).toBe('2024-12-30');
    expect(applyCommand(r, { op: 'deadline', date: '2023-01-01' })).toMatchObject({
      ok: false,
      code: 'LIVE_ERR_BAD_INPUT',
    });
    expect(applyCommand(r, { op: 'deadline', date: '2031-01-01' }).ok).toBe(false);
  });

  it('nothing fires once the class has ended', () => {
    const r = room(['Ann'], 0);
    run(r, [{ op: 'end' }]);
    expect(applyCommand(r, { op: 'fire', index: 0 })).toMatchObject({ ok: false, code: 'LIVE_ERR_ENDED' });
  });
});
