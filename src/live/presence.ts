// Who is at their desk. A student whose page has been closed for a while (the server sends `away` after a grace
// period, and `back` when a page of theirs connects again) has their firm run by a bot meanwhile: the simulator's
// own covered-firm agent (sim/agents/compliance.ts), built for the student's firm as the world builds one for each of
// its covered entities (entityAgent), and scheduled with the other bots (from the next day's draw of looks; it takes
// one look at once when the market is open). On return the bot retires (its resting orders withdrawn) and the
// student has the firm back with whatever it did. Each round's world gets its own bots.
import Type from 'typebox';
import type { ComplianceAgent } from '../sim/agents/compliance.ts';
import { entityAgent, lastSessionDay } from '../sim/world.ts';
import { command, J } from './command.ts';
import type { RoomContext } from './context.ts';
import { LiveCode, type LiveResult, refuse } from './errors.ts';

export class Presence {
  private readonly ctx: RoomContext;
  /** Students away now (across rounds: away stays away until they are back). */
  readonly away = new Set<number>();
  /** The round's bots by student, built the first time the student is away in the round. */
  private readonly bots = new Map<number, ComplianceAgent>();

  constructor(ctx: RoomContext) {
    this.ctx = ctx;
  }

  isAway(studentId: number): boolean {
    return this.away.has(studentId);
  }

  /** The student is away: a bot runs their firm (seed: the round's world's). */
  goAway(studentId: number, seed: number, inBlockSession: boolean): LiveResult<number> {
    const { ctx } = this;
    if (ctx.student(studentId) === null) return ctx.noStudent(studentId);
    if (this.away.has(studentId)) return refuse(LiveCode.BadState, `student ${studentId} is away already`);
    this.away.add(studentId);
    const bot = this.botOf(studentId, seed);
    if (bot !== null && ctx.state === 'running' && ctx.session.openDate() !== null) bot.act(ctx.tsMs, inBlockSession);
    ctx.emit({ kind: 'status' });
    return { ok: true, value: studentId };
  }

  /** The student is back: the bot stops and withdraws what it has resting. */
  goBack(studentId: number): LiveResult<number> {
    const { ctx } = this;
    if (ctx.student(studentId) === null) return ctx.noStudent(studentId);
    if (!this.away.delete(studentId)) return refuse(LiveCode.BadState, `student ${studentId} is not away`);
    this.bots.get(studentId)?.retire(ctx.tsMs);
    ctx.tell(studentId, 'order', 'balance');
    ctx.emit({ kind: 'status' });
    return { ok: true, value: studentId };
  }

  /** The deadline moved (timeline.ts): the bots pace to the new one, as the simulator's own firms do (applyRule). */
  deadlineMoved(deadline: string): void {
    for (const bot of this.bots.values()) bot.plan.deadlineDay = lastSessionDay(this.ctx.data.calendar, deadline);
  }

  /** A new round's world: the old bots go with the old world; students still away get one in the new. */
  newWorld(seed: number): void {
    this.bots.clear();
    for (const id of this.away) this.botOf(id, seed);
  }

  /** The student's bot in this round's world, made ready to trade (built and scheduled the first time). */
  private botOf(studentId: number, seed: number): ComplianceAgent | null {
    const { ctx } = this;
    const s = ctx.student(studentId);
    if (s === null) return null;
    let bot = this.bots.get(studentId) ?? null;
    if (bot === null) {
      const world = ctx.session.world;
      const home = ctx.home();
      const input = { ...ctx.data, scenario: ctx.scenario, seed, firstDay: ctx.session.days[0]! };
      bot = entityAgent(world, input, home, s.entityId);
      if (bot === null) return null;
      this.bots.set(studentId, bot);
      // Scheduled with the bots from the next day's draw; counted in the firm's net sales (the banking cap).
      home.agents.push(bot);
      world.byAccount.set(bot.accountId, bot);
    }
    bot.done = false;
    return bot;
  }
}

export const presenceCommands = {
  /** The student's pages have all been closed for the grace period: a bot runs their firm. */
  away: command(Type.Object({ op: J.op('away'), studentId: J.id }), (room, c) =>
    room.presence.goAway(c.studentId, room.rounds.seed, room.sessionNow.includes('block')),
  ),
  /** A page of the student's is open again: the firm is theirs. */
  back: command(Type.Object({ op: J.op('back'), studentId: J.id }), (room, c) => room.presence.goBack(c.studentId)),
};
