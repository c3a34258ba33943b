// Who is in the classroom: students join as covered firms (firms.ts), under the instructor's cap on seats, and
// may have their token revoked. The roster itself (students by id and account) is in the shared context, since
// every slice checks a student before acting for them.
import Type from 'typebox';
import { command, J } from './command.ts';
import type { RoomContext } from './context.ts';
import { LiveCode, type LiveRejection, type LiveResult, refuse } from './errors.ts';
import { admitFirm, studentFirms } from './firms.ts';
import type { Student } from './types.ts';

/** Most students a classroom takes: the registry rows set aside for them run out around here anyway. */
export const MAX_STUDENTS = 200;

/** Longest name, in characters (code points). */
export const MAX_NAME_CHARS = 40;

/**
 * Characters a name may not hold: controls, format characters (zero-width spaces and joiners, bidirectional overrides
 * and isolates, the BOM, soft hyphens), surrogates, private-use and unassigned code points, line and paragraph
 * separators, and the fillers that are letters by category but show nothing (Hangul fillers, the braille blank).
 */
const FORBIDDEN_IN_NAME = /[\p{C}\p{Zl}\p{Zp}\u115F\u1160\u3164\uFFA0\u2800]/u;

/**
 * A student's name as a classroom keeps it: Unicode NFC, each run of spaces (of any width) one plain space, trimmed.
 * Null when it holds a forbidden character, is empty, is longer than MAX_NAME_CHARS or has no letter or digit.
 */
export function normaliseName(raw: string): string | null {
  const nfc = raw.normalize('NFC');
  if (FORBIDDEN_IN_NAME.test(nfc)) return null;
  const clean = nfc.replace(/\p{Zs}+/gu, ' ').trim();
  if (clean.length === 0 || [...clean].length > MAX_NAME_CHARS || !/[\p{L}\p{N}]/u.test(clean)) return null;
  return clean;
}

/** What two names must not share in one classroom: compatibility-folded (full-width letters are letters), any case. */
export function nameKey(name: string): string {
  return name.normalize('NFKC').toLocaleLowerCase('en-US').replace(/\s+/gu, ' ').trim();
}

export class Students {
  private readonly ctx: RoomContext;
  /** The registry rows students are given, in order (the n-th student gets the n-th, unless roles were redrawn). */
  private firmQueue: string[];
  // Declared, not initialised: own properties only once set (by the journaled `seats` and `revoke` commands), so a
  // classroom that never uses them encodes, snapshots and hashes without them.
  /** Most students the instructor admits (unset: as many as there are firms, up to MAX_STUDENTS). */
  declare private seatLimit?: number;
  /** Students whose token the instructor revoked. */
  declare private revoked?: Set<number>;

  constructor(ctx: RoomContext) {
    this.ctx = ctx;
    this.firmQueue = [...studentFirms(ctx.data, ctx.home(), ctx.session.world)];
  }

  list(): Student[] {
    return [...this.ctx.students.values()];
  }

  /** Seats: how many students the classroom takes in all. */
  seats(): number {
    return Math.min(MAX_STUDENTS, this.firmQueue.length, this.seatLimit ?? Number.POSITIVE_INFINITY);
  }

  /** The instructor's cap on seats, or null for none. */
  get seatCap(): number | null {
    return this.seatLimit ?? null;
  }

  /** Why the seats cannot be capped at `seats`, or null. */
  seatsProblem(seats: number | null | undefined): LiveRejection | null {
    if (seats === undefined || seats === null) return null;
    if (!Number.isSafeInteger(seats) || seats < 0 || seats > MAX_STUDENTS)
      return refuse(LiveCode.BadInput, `seats: a whole number from 0 to ${MAX_STUDENTS}, or null for no cap`);
    const n = this.ctx.students.size;
    if (seats < n)
      return refuse(
        LiveCode.BadInput,
        `${n} students have joined already: the seats cannot be fewer (revoke tokens instead)`,
      );
    return null;
  }

  /** Caps the seats (null: no cap). Not below the students who joined already. */
  setSeats(n: number | null): LiveResult<number | null> {
    const bad = this.seatsProblem(n);
    if (bad !== null) return bad;
    if (n === null) delete this.seatLimit;
    else this.seatLimit = n;
    this.ctx.emit({ kind: 'status' });
    return { ok: true, value: n };
  }

  /** Revokes a student's token: the server no longer accepts it. The firm, its holdings and orders stay. */
  revoke(studentId: number): LiveResult<number> {
    if (!this.ctx.students.has(studentId)) return this.ctx.noStudent(studentId);
    this.revoked ??= new Set();
    this.revoked.add(studentId);
    return { ok: true, value: studentId };
  }

  isRevoked(studentId: number): boolean {
    return this.revoked?.has(studentId) ?? false;
  }

  /** Why these names cannot all join now, or null. Checked before anyone is added: a list joins whole or not at all. */
  joinProblem(names: readonly string[]): LiveRejection | null {
    for (const n of names) {
      const clean = n.trim();
      if (clean.length === 0 || clean.length > 40 || hasControlChars(clean))
        return refuse(LiveCode.BadInput, `"${n.slice(0, 40)}": a name is 1 to 40 printable characters`);
    }
    if (this.ctx.state === 'ended') return refuse(LiveCode.Ended, 'the classroom has ended');
    const free = this.seats() - this.ctx.students.size;
    if (names.length > free)
      return refuse(
        LiveCode.Full,
        free <= 0 ? 'the classroom is full: no seat is left' : `the classroom has room for ${free} more student(s)`,
      );
    return null;
  }

  /**
   * Names as the live server admits them (stricter than a journaled join, which must replay as it was accepted):
   * normalised (normaliseName) and unique in the classroom, case and width aside. Returns the names to join with,
   * or why not; a list is checked whole, against itself too.
   */
  admitNames(raw: readonly string[]): LiveResult<string[]> {
    const taken = new Set(this.list().map((s) => nameKey(s.name)));
    const out: string[] = [];
    for (const r of raw) {
      const name = normaliseName(r);
      if (name === null)
        return refuse(
          LiveCode.BadInput,
          `${JSON.stringify(r.slice(0, MAX_NAME_CHARS))}: a name is 1 to ${MAX_NAME_CHARS} characters with a letter ` +
            'or digit, and no control, zero-width or text-direction characters',
        );
      const key = nameKey(name);
      if (taken.has(key))
        return refuse(LiveCode.DuplicateName, `"${name}" is taken in this classroom; choose another name`);
      taken.add(key);
      out.push(name);
    }
    const bad = this.joinProblem(out);
    return bad ?? { ok: true, value: out };
  }

  join(name: string): LiveResult<Student> {
    const bad = this.joinProblem([name]);
    if (bad !== null) return bad;
    // The first of the class's firms nobody holds in this round (a late joiner takes a free one).
    const taken = new Set(this.list().map((s) => s.entityId));
    const entityId = this.firmQueue.find((id) => !taken.has(id));
    if (entityId === undefined) return refuse(LiveCode.Full, 'the classroom is full: no firm is left');
    return this.seat(this.ctx.students.size + 1, name.trim(), entityId);
  }

  /** A student takes this firm in the round's world (joining, or admitted again at a new round: rounds.ts). */
  seat(studentId: number, name: string, entityId: string): LiveResult<Student> {
    const { ctx } = this;
    const home = ctx.home();
    const r = admitFirm(ctx.session.world, ctx.data, home, entityId, ctx.tsMs, home.venue.lastCloseFen);
    if (!r.ok) return r;
    const f = r.value;
    const s: Student = {
      studentId,
      name,
      accountId: f.accountId,
      entityId: f.entityId,
      firmName: f.firmName,
      marketId: home.setup.id,
      startCashFen: f.cashFen,
      startAllowancesT: f.allocatedT,
      joinedTsMs: ctx.tsMs,
    };
    ctx.students.set(s.studentId, s);
    ctx.byAccount.set(s.accountId, s);
    // The join screen's lobby and the dashboard list who is in the room: a join is news to them.
    ctx.emit({ kind: 'status' });
    return { ok: true, value: s };
  }

  /** A new round's world: the firms students may be given are read from it again. */
  newWorld(): void {
    this.firmQueue = [...studentFirms(this.ctx.data, this.ctx.home(), this.ctx.session.world)];
  }
}

/** True when a text holds control characters (C0 or DEL): not allowed in names. */
function hasControlChars(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x20 || c === 0x7f) return true;
  }
  return false;
}

export const studentCommands = {
  join: command(Type.Object({ op: J.op('join'), name: Type.String() }), (room, c) => room.students.join(c.name)),
  /** The instructor caps the seats (null: no cap). */
  seats: command(Type.Object({ op: J.op('seats'), seats: Type.Union([Type.Number(), Type.Null()]) }), (room, c) =>
    room.students.setSeats(c.seats),
  ),
  /** The instructor revokes a student's token. */
  revoke: command(Type.Object({ op: J.op('revoke'), studentId: J.id }), (room, c) => room.students.revoke(c.studentId)),
};
