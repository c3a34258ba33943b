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

  it('a fired event is done and cannot be fired again; its news has the kind and the Chinese of the scenario', () => {
    const r = room(['Ann'], 0);
    expect(r.timelineView()[0]).toMatchObject({ kind: 'announcement', fired: false, done: false });
    expect(r.timelineView()[0]!.titleZh).toMatch(/基准/);
    const item = must(applyCommand(r, { op: 'fire', index: 0 }));
    expect(item).toMatchObject({ kind: 'announcement', titleZh: r.timelineView()[0]!.titleZh });
    expect(item.textZh).toMatch(/传闻/);
    expect(r.timelineView()[0]).toMatchObject({ fired: true, done: true });
    expect(applyCommand(r, { op: 'fire', index: 0 })).toMatchObject({ ok: false, code: 'LIVE_ERR_EVENT_DONE' });
    expect(r.news.filter((n) => n.kind === 'announcement')).toHaveLength(1);
  });

  it('an announcement the simulator applied on its date is done, news once with its own title, and not fired again', () => {
    const r = room(['Ann'], 0);
    const i = r.timelineView().findIndex((e) => e.kind === 'announcement');
    const date = r.timelineView()[i]!.date;
    while (r.date <= date && r.state === 'running') run(r, [{ op: 'tick', exchangeMs: 120 * 60_000 }]);
    const e = r.timelineView()[i]!;
    expect(e).toMatchObject({ fired: false, done: true });
    const news = r.news.filter((n) => n.kind === 'announcement');
    expect(news.map((n) => n.title)).toEqual([e.title]);
    expect(news[0]!.titleZh).toBe(e.titleZh);
    const refused = applyCommand(r, { op: 'fire', index: i });
    expect(refused).toMatchObject({ ok: false, code: 'LIVE_ERR_EVENT_DONE' });
    expect(!refused.ok && refused.message).toBe(
      `timeline event ${i} has happened already (${date}); it cannot be fired again`,
    );
  });

  it('a settlement is news with its numbers (the cycle, firms compliant, tonnes short)', () => {
    const r = room(['Ann'], 0);
    must(applyCommand(r, { op: 'deadline', date: '2024-12-18' }));
    while (r.date <= '2024-12-19' && r.state === 'running') run(r, [{ op: 'tick', exchangeMs: 120 * 60_000 }]);
    const s = r.news.find((n) => n.kind === 'settlement');
    expect(s).toBeDefined();
    const p = s!.params!;
    expect(typeof p.cycle).toBe('string');
    expect(p.compliant).toBeLessThanOrEqual(p.entities as number);
    expect(s!.text).toBe(
      `cycle ${p.cycle} due: ${p.compliant} of ${p.entities} entities compliant; ${p.offsetsT} t of offsets surrendered; ${p.shortT} t short`,
    );
    expect(s!.title).toBe(`Cycle ${p.cycle} settled: ${p.compliant} of ${p.entities} firms compliant`);
  });

  it('refuses an event that is not there', () => {
    const r = room(['Ann'], 0);
    expect(applyCommand(r, { op: 'fire', index: 99 })).toMatchObject({ ok: false, code: 'LIVE_ERR_UNKNOWN_EVENT' });
  });

  it('moves the deadline: the classroom and every student read the new one', () => {
    const r = room(['Ann'], 0);
    expect(r.deadlineDate).not.toBe('2024-12-30');
    const item = must(applyCommand(r, { op: 'deadline', date: '2024-12-30' }));
    expect(item).toMatchObject({
      title: 'Deadline moved to 2024-12-30',
      kind: 'deadline-moved',
      params: { date: '2024-12-30' },
    });
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
