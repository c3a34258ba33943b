// The scenario's timeline in class: the instructor fires its announcements and rule changes when they choose, or
// moves the cycle's deadline; what happens becomes news, with the simulator's own log (settlements, announcements).
// The deadline students see is the market's own (read from its compliance book), never a copy.
import Type from 'typebox';
import type { LoggedEvent } from '../sim/output-types.ts';
import type { ScenarioEvent } from '../sim/scenario/schema.ts';
import { command, J } from './command.ts';
import type { RoomContext } from './context.ts';
import { LiveCode, type LiveResult, refuse } from './errors.ts';
import type { NewsItem } from './types.ts';

/** Event kinds an instructor may fire live: announcements, policy plans and rule changes. */
const FIREABLE = new Set([
  'announcement',
  'coverage-plan',
  'allocation-plan',
  'ccer-outlook',
  'band',
  'offset-cap',
  'deadline',
]);

export class Timeline {
  private readonly ctx: RoomContext;
  readonly news: NewsItem[] = [];
  private readonly fired = new Set<number>();
  /** How far the simulator's own event log has been turned into news. */
  private loggedSeen = 0;

  constructor(ctx: RoomContext) {
    this.ctx = ctx;
  }

  /** The scenario's timeline: what the instructor may fire, and whether it was. */
  list(): { index: number; date: string; kind: string; title: string; fired: boolean }[] {
    return this.ctx.scenario.events.map((e, index) => ({
      index,
      date: e.date,
      kind: e.kind,
      title: eventTitle(e),
      fired: this.fired.has(index),
    }));
  }

  /** Fires timeline event `index` now, whatever its date. */
  fire(index: number): LiveResult<NewsItem> {
    const { ctx } = this;
    if (ctx.state === 'ended') return refuse(LiveCode.Ended, 'the classroom has ended');
    const e = ctx.scenario.events[index];
    if (!Number.isSafeInteger(index) || e === undefined)
      return refuse(
        LiveCode.UnknownEvent,
        `there is no timeline event ${index} (0..${ctx.scenario.events.length - 1})`,
      );
    if (!FIREABLE.has(e.kind))
      return refuse(
        LiveCode.BadInput,
        `a ${e.kind} event cannot be fired live; announcements, policy plans and rule changes can`,
      );
    // The log so far becomes news first; the line the firing logs is this item's (not news a second time).
    this.syncLog();
    const logged = ctx.session.fireEvent(e);
    this.loggedSeen = ctx.session.result().events.length;
    this.fired.add(index);
    const item = this.addNews(eventTitle(e), logged.text);
    ctx.emit({ kind: 'status' });
    return { ok: true, value: item };
  }

  /** Moves the home market's deadline for the scenario's cycle to `date` (a rule change by notice). */
  moveDeadline(date: string): LiveResult<NewsItem> {
    const { ctx } = this;
    const home = ctx.home();
    const cycle = home.setup.cycle;
    if (cycle === null) return refuse(LiveCode.BadInput, `${home.setup.id} has no compliance cycle in this scenario`);
    if (ctx.state === 'ended') return refuse(LiveCode.Ended, 'the classroom has ended');
    if (!/^\d{4}-\d{2}-\d{2}$/.test(date) || date <= ctx.date)
      return refuse(LiveCode.BadInput, `the new deadline must be a date after today (${ctx.date}), as YYYY-MM-DD`);
    if (date > ctx.scenario.period.to)
      return refuse(LiveCode.BadInput, `the classroom runs until ${ctx.scenario.period.to}; pick a deadline within it`);
    const e = {
      date: ctx.date,
      kind: 'deadline',
      market: home.setup.id,
      cycle,
      deadline: date,
      note: 'moved by the instructor',
    } as ScenarioEvent;
    const logged = ctx.session.fireEvent(e);
    const item = this.addNews(`Deadline moved to ${date}`, logged.text);
    ctx.emit({ kind: 'status' });
    return { ok: true, value: item };
  }

  /** The home market's deadline for the scenario's cycle (the period's end when it has none). */
  deadline(): string {
    const home = this.ctx.home();
    const cycle = home.market.spec.compliance?.cycles.find((c) => c.id === home.setup.cycle) ?? null;
    return cycle?.deadline ?? this.ctx.scenario.period.to;
  }

  addNews(title: string, text: string): NewsItem {
    const item = { seq: this.news.length + 1, tsMs: this.ctx.tsMs, title, text };
    this.news.push(item);
    this.ctx.emit({ kind: 'news', item });
    return item;
  }

  /** The simulator's own event log (admissions, allocations, settlements ...) becomes news too. */
  syncLog(): void {
    const log: readonly LoggedEvent[] = this.ctx.session.result().events;
    for (; this.loggedSeen < log.length; this.loggedSeen++) {
      const e = log[this.loggedSeen]!;
      if (e.kind === 'settlement' || e.kind === 'announcement')
        this.addNews(e.kind === 'settlement' ? 'Settlement' : 'News', e.text);
    }
  }
}

function eventTitle(e: ScenarioEvent): string {
  switch (e.kind) {
    case 'announcement':
      return e.title;
    case 'deadline':
      return `Deadline of cycle ${e.cycle} in ${e.market} moved to ${e.deadline}`;
    case 'band':
      return `${e.market} ${e.mode} price band set to ±${e.bandBps / 100}%`;
    case 'offset-cap':
      return `Offset cap in ${e.market} set`;
    default:
      return `${e.kind} (${e.date})`;
  }
}

export const timelineCommands = {
  fire: command(Type.Object({ op: J.op('fire'), index: Type.Number() }), (room, c) => room.timeline.fire(c.index)),
  deadline: command(Type.Object({ op: J.op('deadline'), date: Type.String() }), (room, c) => {
    const r = room.timeline.moveDeadline(c.date);
    if (r.ok) room.alerts.deadlineMoved();
    if (r.ok) room.presence.deadlineMoved(c.date);
    return r;
  }),
};
