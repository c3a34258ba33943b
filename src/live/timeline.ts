// The scenario's timeline in class: the instructor fires its announcements and rule changes when they choose, or
// moves the cycle's deadline; what happens becomes news, with the simulator's own log (settlements, announcements).
// The deadline students see is the market's own (read from its compliance book), never a copy.
import Type from 'typebox';
import type { LoggedEvent } from '../sim/output-types.ts';
import type { ScenarioEvent } from '../sim/scenario/schema.ts';
import { command, J } from './command.ts';
import type { RoomContext } from './context.ts';
import { LiveCode, type LiveResult, refuse } from './errors.ts';
import { type NewsDetail, type NewsItem, RULES_ROUNDS } from './types.ts';

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

  /**
   * The scenario's timeline: what the instructor may fire, whether they did (`fired`), and whether it has taken
   * effect, fired or on its date by the simulator (`done`: it cannot be fired again).
   */
  list(): {
    index: number;
    date: string;
    kind: string;
    title: string;
    titleZh: string | null;
    fired: boolean;
    done: boolean;
  }[] {
    return this.ctx.scenario.events.map((e, index) => ({
      index,
      date: e.date,
      kind: e.kind,
      title: eventTitle(e),
      titleZh: 'titleZh' in e ? (e.titleZh ?? null) : null,
      fired: this.fired.has(index),
      done: this.fired.has(index) || this.ctx.session.hasApplied(e),
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
    // Fired already, or applied by the simulator on its date: a second firing would announce it twice. (A classroom of
    // the rules before rounds took a second firing: its journal must replay as it was accepted.)
    if (ctx.rules >= RULES_ROUNDS && (this.fired.has(index) || ctx.session.hasApplied(e)))
      return refuse(
        LiveCode.EventDone,
        `timeline event ${index} has happened already (${e.date}); it cannot be fired again`,
      );
    // The log so far becomes news first; the line the firing logs is this item's (not news a second time).
    this.syncLog();
    const logged = ctx.session.fireEvent(e);
    this.loggedSeen = ctx.session.result().events.length;
    this.fired.add(index);
    const item = this.addNews(eventTitle(e), logged.text, eventDetail(e));
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
    const item = this.addNews(`Deadline moved to ${date}`, logged.text, {
      kind: 'deadline-moved',
      params: { date, cycle, marketId: home.setup.id },
    });
    ctx.emit({ kind: 'status' });
    return { ok: true, value: item };
  }

  /** The home market's deadline for the scenario's cycle (the period's end when it has none). */
  deadline(): string {
    const home = this.ctx.home();
    const cycle = home.market.spec.compliance?.cycles.find((c) => c.id === home.setup.cycle) ?? null;
    return cycle?.deadline ?? this.ctx.scenario.period.to;
  }

  /** A news item: its English title and text, and (for items the core words itself) what a page needs to word it. */
  addNews(title: string, text: string, detail?: NewsDetail): NewsItem {
    const item: NewsItem = { seq: this.news.length + 1, tsMs: this.ctx.tsMs, title, text, ...withoutUndefined(detail) };
    this.news.push(item);
    this.ctx.emit({ kind: 'news', item });
    return item;
  }

  /** The simulator's own event log (admissions, allocations, settlements ...) becomes news too. */
  syncLog(): void {
    const log: readonly LoggedEvent[] = this.ctx.session.result().events;
    for (; this.loggedSeen < log.length; this.loggedSeen++) {
      const e = log[this.loggedSeen]!;
      if (e.kind === 'settlement') {
        const s = settlementOf(e.text);
        if (s === null) this.addNews('Settlement', e.text);
        else
          this.addNews(`Cycle ${s.cycle} settled: ${s.compliant} of ${s.entities} firms compliant`, e.text, {
            kind: 'settlement',
            params: { ...s, date: e.date },
          });
      } else if (e.kind === 'announcement') {
        // The scenario's own announcement, applied on its date: its title (and Chinese wording, when it has one).
        const a = this.ctx.scenario.events.find(
          (x) => x.kind === 'announcement' && x.date === e.date && e.text.startsWith(x.title),
        );
        if (a === undefined || a.kind !== 'announcement') this.addNews('News', e.text);
        else this.addNews(a.title, e.text, eventDetail(a));
      }
    }
  }
}

/** The simulator's settlement line (src/sim/session.ts) read back into numbers, or null if it is worded otherwise. */
function settlementOf(
  text: string,
): { cycle: string; compliant: number; entities: number; offsetsT: number; shortT: number } | null {
  const m = /^cycle (\S+) due: (\d+) of (\d+) entities compliant; (\d+) t of offsets surrendered; (\d+) t short$/.exec(
    text,
  );
  if (m === null) return null;
  return {
    cycle: m[1]!,
    compliant: Number(m[2]),
    entities: Number(m[3]),
    offsetsT: Number(m[4]),
    shortT: Number(m[5]),
  };
}

function withoutUndefined(detail: NewsDetail | undefined): Partial<NewsDetail> {
  if (detail === undefined) return {};
  return Object.fromEntries(Object.entries(detail).filter(([, v]) => v !== undefined)) as Partial<NewsDetail>;
}

/** What a page needs to word a scenario event fired or applied: announcements keep the scenario's Chinese. */
export function eventDetail(e: ScenarioEvent): NewsDetail {
  switch (e.kind) {
    case 'announcement':
      return { kind: 'announcement', titleZh: e.titleZh, textZh: e.textZh };
    case 'deadline':
      return { kind: 'deadline-moved', params: { date: e.deadline, cycle: e.cycle, marketId: e.market } };
    // Policy plans: their quantities, for a page to word (sectors as ids, comma-separated; none: every sector).
    case 'coverage-plan':
    case 'allocation-plan': {
      const { kind, titleZh, market, sectors, fromYear, credibilityBps } = e;
      // The kind's own quantity: an allocation plan's yearly cut, a coverage plan's last balanced year (if any).
      const own: Record<string, number> =
        e.kind === 'allocation-plan'
          ? { cutBps: e.cutBpsPerYear }
          : e.balancedThroughYear === undefined
            ? {}
            : { balancedThrough: e.balancedThroughYear };
      return {
        kind,
        titleZh,
        params: { marketId: market, sectors: sectors.join(','), fromYear, ...own, credibilityBps },
      };
    }
    case 'ccer-outlook':
      return {
        kind: e.kind,
        titleZh: e.titleZh,
        params: { perYearT: e.tonnesPerYear, fromYear: e.fromYear, credibilityBps: e.credibilityBps },
      };
    default:
      return { kind: 'rule-change', params: { event: e.kind } };
  }
}

function eventTitle(e: ScenarioEvent): string {
  switch (e.kind) {
    case 'announcement':
    case 'coverage-plan':
    case 'allocation-plan':
    case 'ccer-outlook':
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
