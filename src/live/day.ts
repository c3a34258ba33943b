// The classroom's trading day as exchange time moves on (a tick): the bots' looks run up to the time now, auctions
// due close, and at the day's end the day closes (on the deadline day, the automatic surrender first) and the next
// begins, unless the round is over: its cycle settled or its period ran out (rounds.ts). A classroom of the rules
// before rounds (types.ts RULES_BEFORE_ROUNDS) runs its days as it did then: no automatic surrender, trading on past
// the settlement, and ended when its period runs out, so that its journal replays as it was written.
import type { Classroom } from './classroom.ts';
import { dayOpenTs, stepClock } from './clock.ts';
import type { RoomContext } from './context.ts';
import { settlesToday } from './rounds.ts';
import { RULES_BEFORE_ROUNDS } from './types.ts';

/** Moves exchange time on by this much and runs the bots' looks up to it; at a day's end, opens the next. */
export function advanceDay(room: Classroom, ctx: RoomContext, exchangeMs: number): void {
  const step = stepClock(room.date, ctx.windows, ctx.tsMs, exchangeMs);
  const session = room.sessionNow;
  room.alerts.clock(ctx.tsMs, step.toTsMs, room.speed);
  room.auctions.closeDue(step.toTsMs, (tsMs) => runBotsUntil(ctx, tsMs));
  runBotsUntil(ctx, step.toTsMs);
  if (step.dayOver) nextDay(room, ctx);
  // Sessions open and close with the clock (the block window at 13:00, the lunch break jumped): say so.
  else if (room.sessionNow !== session) ctx.emit({ kind: 'status' });
}

/** The bots trade up to tsMs, which becomes the time now; their trades settle before anything else happens. */
function runBotsUntil(ctx: RoomContext, tsMs: number): void {
  const ran = ctx.session.runUntil(tsMs);
  ctx.tsMs = tsMs;
  ctx.settle();
  if (ran > 0) ctx.touchBooks();
}

/** Closes the day; on the deadline day, surrenders for the students who leave it to the classroom first. */
function nextDay(room: Classroom, ctx: RoomContext): void {
  const before = ctx.rules === RULES_BEFORE_ROUNDS;
  const settles = !before && settlesToday(ctx, room.deadlineDate);
  if (settles) room.compliance.autoSurrender((id) => room.autoSurrenderOf(id));
  for (const b of ctx.session.endDay()) ctx.emit({ kind: 'bar', marketId: b.marketId, bar: b });
  ctx.settle();
  room.timeline.syncLog();
  for (const s of ctx.students.values()) ctx.tell(s.studentId, 'order', 'compliance');
  // The round is over once its cycle has settled or its period has run out: trading stops until the next round.
  if (settles || ctx.session.done()) {
    // Before rounds, the class had ended when its period ran out.
    ctx.state = before ? 'ended' : 'paused';
    room.rounds.close(room);
    ctx.emit({ kind: 'status' });
    return;
  }
  ctx.tsMs = dayOpenTs(ctx.session.beginDay(), ctx.windows);
  room.timeline.syncLog();
  ctx.touchBooks();
  ctx.emit({ kind: 'status' });
}
