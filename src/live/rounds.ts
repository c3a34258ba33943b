// A class in rounds. Students gather in the lobby (the classroom in 'setup': they may join, nobody trades) until the
// instructor starts; then each round is one compliance period of the scenario: allocation, trading, the deadline,
// settlement. A round is over once its cycle has settled (the last trading day on or before the deadline closed) or
// its period has run out: trading stops (the classroom pauses), the results are kept, and the instructor starts the
// next round or ends the class. A practice round (number 0) is kept but flagged, and does not count.
//
// Every round after the first is a fresh world built from the scenario, with a seed derived from the class's seed and
// how many worlds were built before it, so a class replays to the same rounds; every student is admitted to it again,
// to the same firm (roles 'fixed') or to one of the class's firms drawn anew (roles 'redraw', a seeded shuffle). The
// first round runs the world the classroom was built with (its seed is the class's own).
//
// The class-wide settings live here too: whether students see the leaderboard, and the automatic surrender on the
// deadline day (on by default for everyone; the instructor switches it for the class, a student for themselves).
//
// A classroom of the rules before rounds (types.ts RULES_BEFORE_ROUNDS, a class started before they came) has none
// of this: its automatic surrender is off and cannot be switched on, and its one round runs to the end of its period
// (no next round begins: reset the classroom, or create a new one, for rounds).
import Type from 'typebox';
import { Rng } from '../sim/rng.ts';
import type { Classroom } from './classroom.ts';
import { command, J } from './command.ts';
import type { RoomContext } from './context.ts';
import { type Debrief, debriefOf } from './debrief.ts';
import { LiveCode, type LiveRejection, type LiveResult, refuse } from './errors.ts';
import { type KeptTables, keptTables } from './export.ts';
import { RULES_BEFORE_ROUNDS } from './types.ts';

export type RoundPhase = 'lobby' | 'trading' | 'over';
export type RoundRoles = 'fixed' | 'redraw';

export interface RoundView {
  /** 1, 2, 3 ... for the rounds that count; 0 for a practice round. */
  readonly number: number;
  readonly practice: boolean;
  readonly phase: RoundPhase;
  readonly roles: RoundRoles;
  /** The home market's deadline for the round's cycle (YYYY-MM-DD). */
  readonly deadline: string;
}

/** One student's result of a round (money in fen). */
export interface RoundStudentResult {
  readonly studentId: number;
  readonly name: string;
  readonly firmName: string;
  readonly profitFen: number;
  readonly complianceCostFen: number;
  readonly fineFen: number;
  readonly status: 'open' | 'met' | 'short';
}

export interface RoundResult {
  readonly number: number;
  readonly practice: boolean;
  readonly roles: RoundRoles;
  readonly deadline: string;
  /** Exchange time the round ended (its last close, or when the instructor cut it short). */
  readonly endedTsMs: number;
  readonly students: readonly RoundStudentResult[];
  /** The round's debrief as it closed (debrief.ts): its world is gone once the next round begins. */
  readonly debrief?: Debrief;
  /** Its orders, trades and positions as they stood (export.ts), for the CSV export of an earlier round. */
  readonly tables?: KeptTables;
}

/** The seed of the n-th world a class builds (0: the classroom's own, so a class of one round is as before). */
export function roundSeed(seed: number, ordinal: number): number {
  return ordinal === 0 ? seed : new Rng(seed, `round/${ordinal}`).bits() >>> 0;
}

export class Rounds {
  private readonly ctx: RoomContext;
  number = 1;
  practice = false;
  roles: RoundRoles = 'fixed';
  phase: RoundPhase = 'lobby';
  /** How many worlds the class built before this round's (0: the one it was built with). */
  ordinal = 0;
  /** The seed of this round's world. */
  seed: number;
  readonly results: RoundResult[] = [];
  leaderboardVisible = true;
  /** The class's automatic surrender, and the students who switched theirs the other way. */
  autoSurrender = true;
  readonly autoSurrenderOwn = new Map<number, boolean>();

  constructor(ctx: RoomContext, seed: number) {
    this.ctx = ctx;
    this.seed = seed;
    if (ctx.rules === RULES_BEFORE_ROUNDS) this.autoSurrender = false;
  }

  /** A refusal for a classroom of the rules before rounds, or null. */
  private beforeRounds(what: string): LiveRejection | null {
    if (this.ctx.rules !== RULES_BEFORE_ROUNDS) return null;
    return refuse(
      LiveCode.BadState,
      `this classroom was started before rounds and runs as it did then (${what}): reset it, or create a new ` +
        'classroom, for rounds',
    );
  }

  view(deadline: string): RoundView {
    return { number: this.number, practice: this.practice, phase: this.phase, roles: this.roles, deadline };
  }

  autoSurrenderOf(studentId: number): boolean {
    return this.autoSurrenderOwn.get(studentId) ?? this.autoSurrender;
  }

  /** The instructor switches it for the class (studentId null: everyone's own choice is reset) or a student theirs. */
  setAutoSurrender(studentId: number | null, enabled: boolean): LiveResult<boolean> {
    const before = enabled ? this.beforeRounds('no automatic surrender') : null;
    if (before !== null) return before;
    if (studentId === null) {
      this.autoSurrender = enabled;
      this.autoSurrenderOwn.clear();
    } else {
      if (this.ctx.student(studentId) === null) return this.ctx.noStudent(studentId);
      this.autoSurrenderOwn.set(studentId, enabled);
      this.ctx.tell(studentId, 'compliance');
    }
    this.ctx.emit({ kind: 'status' });
    return { ok: true, value: enabled };
  }

  setLeaderboard(visible: boolean): LiveResult<boolean> {
    this.leaderboardVisible = visible;
    this.ctx.emit({ kind: 'status' });
    return { ok: true, value: visible };
  }

  /** The round is over (settled, run out, cut short or the class ended): its results are kept. */
  close(room: Classroom): void {
    if (this.phase !== 'trading') return;
    this.phase = 'over';
    const students = room.scores().map(({ student: s, profitFen, costFen }) => {
      const c = room.complianceOf(s.studentId);
      return {
        studentId: s.studentId,
        name: s.name,
        firmName: s.firmName,
        profitFen,
        complianceCostFen: costFen,
        fineFen: c?.fineFen ?? 0,
        status: c?.status ?? 'open',
      };
    });
    this.results.push({
      number: this.number,
      practice: this.practice,
      roles: this.roles,
      deadline: room.deadlineDate,
      endedTsMs: this.ctx.tsMs,
      students,
      debrief: debriefOf(room),
      tables: keptTables(room),
    });
    this.alert();
  }

  /** Trading begins: the lobby's world, or the next round's (see begin). */
  opened(): void {
    this.phase = 'trading';
    this.alert();
  }

  /**
   * Starts the next round: from the lobby in the world already built (its firms as the students joined), otherwise
   * in a fresh world with every student admitted again. A round still trading is closed first (cut short).
   */
  begin(room: Classroom, practice: boolean, roles: RoundRoles): LiveResult<RoundView> {
    if (room.state === 'ended') return refuse(LiveCode.Ended, 'the class has ended');
    // Before rounds, the first round (from the lobby) is the class's one.
    const before = this.phase === 'lobby' ? null : this.beforeRounds('one round to the end of its period');
    if (before !== null) return before;
    if (this.phase === 'trading') this.close(room);
    const played = this.results.filter((r) => !r.practice).length;
    if (this.phase === 'over') {
      const before = room.studentList();
      this.ordinal++;
      this.seed = roundSeed(room.seed, this.ordinal);
      room.openWorld(this.seed);
      const firms = roles === 'redraw' ? this.shuffled(before.map((s) => s.entityId)) : before.map((s) => s.entityId);
      for (let i = 0; i < before.length; i++) {
        // Each firm was admitted to a world built from the same scenario: a refusal now is a broken invariant.
        const r = room.students.seat(before[i]!.studentId, before[i]!.name, firms[i]!);
        if (!r.ok) throw new Error(`round ${this.ordinal}: ${before[i]!.name} could not be seated: ${r.message}`);
      }
      room.presence.newWorld(this.seed);
      // Everything a page shows is new: the books, and each student's orders, fills, account and standing.
      this.ctx.touchBooks();
      for (const s of before) this.ctx.tell(s.studentId, 'order', 'fill', 'balance', 'compliance', 'bid');
    }
    this.number = practice ? 0 : played + 1;
    this.practice = practice;
    this.roles = roles;
    this.ctx.state = 'running';
    this.opened();
    this.ctx.emit({ kind: 'status' });
    return { ok: true, value: this.view(room.deadlineDate) };
  }

  private shuffled(ids: readonly string[]): string[] {
    const out = [...ids];
    const rng = new Rng(this.seed, 'roles');
    for (let i = out.length - 1; i > 0; i--) {
      const j = rng.int(i + 1);
      [out[i], out[j]] = [out[j]!, out[i]!];
    }
    return out;
  }

  private alert(): void {
    const params = { round: this.number, practice: this.practice ? 1 : 0, phase: this.phase };
    this.ctx.emit({ kind: 'alert', studentId: null, alert: { type: 'round', tsMs: this.ctx.tsMs, params } });
  }
}

/**
 * Whether the open day is the last trading day on or before the home cycle's deadline: the day the market settles
 * the cycle at its close (sim/session.ts settleIfDue), when the automatic surrender runs and the round ends.
 */
export function settlesToday(ctx: RoomContext, deadline: string): boolean {
  const home = ctx.home();
  const date = ctx.session.openDate();
  if (home.ctx === null || home.setup.cycle === null || date === null) return false;
  const days = ctx.session.days;
  const next = days[days.indexOf(date) + 1] ?? ctx.data.calendar.nextTradingDay(date);
  return date <= deadline && next > deadline;
}

export const roundCommands = {
  /** The instructor starts the next round (a practice round when practice), roles kept or drawn anew. */
  round: command(
    Type.Object({
      op: J.op('round'),
      practice: Type.Boolean(),
      roles: Type.Union([Type.Literal('fixed'), Type.Literal('redraw')]),
    }),
    (room, c) => room.rounds.begin(room, c.practice, c.roles),
  ),
  /** The instructor shows or hides the leaderboard from the students. */
  leaderboard: command(Type.Object({ op: J.op('leaderboard'), visible: Type.Boolean() }), (room, c) =>
    room.rounds.setLeaderboard(c.visible),
  ),
  /** Automatic surrender on the deadline day: for the class (studentId null, the instructor) or one student. */
  'auto-surrender': command(
    Type.Object({ op: J.op('auto-surrender'), studentId: Type.Union([J.id, Type.Null()]), enabled: Type.Boolean() }),
    (room, c) => room.rounds.setAutoSurrender(c.studentId, c.enabled),
  ),
};
