// The server's classrooms and who may do what in them. Tokens are random (crypto) and known here only by their
// sha256; a principal is the admin, a classroom's instructor, or one student of one classroom. The hub also drives
// every classroom's clock from the wall clock (the only place the live market reads the time), and every change to
// a classroom goes through exec(): applied, appended to the journal, acknowledged once the journal committed it.
// restore() brings classrooms back after a restart: latest snapshot, then the journal after it.
import { createHash, randomBytes } from 'node:crypto';
import { Classroom, type ClassroomState } from '../live/classroom.ts';
import { encodeClassroom, restoreClassroom } from '../live/classroom-state.ts';
import { applyCommand, type CommandOf, type LiveOp, type ResultOf, replayCommands } from '../live/commands.ts';
import { type LiveResult, refuse } from '../live/errors.ts';
import type { RunContext } from '../sim/run.ts';
import type { Journal } from '../store/journal.ts';
import { type ClassroomRow, type LiveDb, type StudentRow, tokenHash } from '../store/live-db.ts';
import { loadScenario } from '../store/scenario-files.ts';

export type Principal =
  | { readonly role: 'admin' }
  | { readonly role: 'instructor'; readonly classroomId: string }
  | { readonly role: 'student'; readonly classroomId: string; readonly studentId: number };

export interface NewClassroom {
  readonly id?: string;
  readonly name: string;
  readonly scenario: string;
  readonly seed: number;
  readonly speed: number;
  readonly botIntensity: number;
  readonly instructorToken?: string | null;
}

export function newToken(): string {
  return randomBytes(24).toString('base64url');
}

function newJoinCode(): string {
  const letters = 'ABCDEFGHJKLMNPQRSTUVWXYZ';
  const b = randomBytes(8);
  const head = [...b.subarray(0, 4)].map((x) => letters[x % letters.length]).join('');
  const tail = String(b.readUInt32BE(4) % 10_000).padStart(4, '0');
  return `${head}-${tail}`;
}

/** Authenticated tokens remembered (a classroom has tens of students; a server, a few classrooms). */
const KNOWN_TOKENS = 10_000;

export class Hub {
  readonly rooms = new Map<string, Classroom>();
  private readonly joinCodes = new Map<string, string>();
  private readonly tokens = new Map<string, Principal>();
  /**
   * Tokens that authenticated already, to their principal: hashing the token on every request was 2% of order
   * entry. Only valid tokens get in (garbage cannot fill it); emptied when a token is revoked, and when full.
   */
  private readonly known = new Map<string, Principal>();
  private readonly listeners: ((room: Classroom) => void)[] = [];

  private readonly ctx: RunContext;
  private readonly db: LiveDb;
  private readonly now: () => number;
  /** Null: journal off (nothing survives a restart but the classrooms' settings and students). */
  readonly journal: Journal | null;
  /** Wall time of each classroom's last tick. */
  private readonly wallMs = new Map<string, number>();
  private readonly snapshotSeq = new Map<string, number>();
  /** What restore() did, per classroom, for the logs. */
  readonly recovered: { classroomId: string; snapshotSeq: number; skippedSnapshots: number; replayed: number }[] = [];

  constructor(
    ctx: RunContext,
    db: LiveDb,
    adminToken: string,
    now: () => number = Date.now,
    journal: Journal | null = null,
  ) {
    this.ctx = ctx;
    this.db = db;
    this.now = now;
    this.journal = journal;
    this.tokens.set(tokenHash(adminToken), { role: 'admin' });
  }

  /** Called for each classroom as it is created or restored (the WebSocket layer subscribes to its events). */
  onRoom(listener: (room: Classroom) => void): void {
    this.listeners.push(listener);
  }

  /**
   * Brings back every stored classroom: built fresh from its settings, then its latest snapshot (if one loads and
   * hashes to what was stored), then every journaled command after it, each of which must be accepted again (the
   * classroom is deterministic). Students get their tokens back from the student table.
   */
  restore(): void {
    for (const row of this.db.classrooms()) {
      const { room, from, skipped } = this.recover(row);
      this.joinCodes.set(row.joinCode, row.id);
      this.tokens.set(row.instructorTokenHash, { role: 'instructor', classroomId: row.id });
      const students = this.db.students(row.id);
      let replayed = 0;
      if (this.journal !== null) {
        replayed = replayCommands(room, this.journal.entries(row.id, from), from) - from;
        this.snapshotSeq.set(row.id, from);
      }
      // Students stored without a journal entry (a data folder from before the journal, or journal off): join again.
      for (const s of students.slice(room.studentList().length)) {
        const r = this.apply(room, { op: 'join', name: s.name });
        if (!r.ok) throw new Error(`restoring ${row.id}: student ${s.studentId}: ${r.code}: ${r.message}`);
      }
      for (const s of students)
        this.tokens.set(s.tokenHash, { role: 'student', classroomId: row.id, studentId: s.studentId });
      this.recovered.push({ classroomId: row.id, snapshotSeq: from, skippedSnapshots: skipped, replayed });
    }
  }

  /**
   * Builds a classroom from its settings and loads the newest of its snapshots that restores and hashes to what was
   * stored (a damaged one is skipped for the one before; with none, the whole journal is replayed).
   */
  private recover(row: ClassroomRow): { room: Classroom; from: number; skipped: number } {
    let skipped = 0;
    const build = () => this.build(row.id, row.name, row.scenario, row.seed, row.speed, row.botIntensity);
    for (const snap of this.journal?.snapshots(row.id) ?? []) {
      const room = build();
      try {
        if (snap.state !== null) {
          restoreClassroom(room, snap.state);
          if (stateHash(room) === snap.hash) return { room, from: snap.seq, skipped };
        }
      } catch {
        // Falls through to the snapshot before (the half-restored classroom is dropped).
      }
      skipped++;
    }
    return { room: build(), from: 0, skipped };
  }

  joinCode(classroomId: string): string | null {
    for (const [code, id] of this.joinCodes) if (id === classroomId) return code;
    return null;
  }

  /** Creates and stores a classroom; returns it with its instructor token (shown once). */
  create(req: NewClassroom): LiveResult<{ room: Classroom; instructorToken: string; joinCode: string }> {
    const id = req.id ?? `c${randomBytes(4).toString('hex')}`;
    if (this.rooms.has(id)) return refuse('CONFLICT', `classroom ${id} exists`);
    let room: Classroom;
    try {
      room = this.build(id, req.name, req.scenario, req.seed, req.speed, req.botIntensity);
    } catch (e) {
      const code = e !== null && typeof e === 'object' && 'code' in e ? String(e.code) : 'BAD_REQUEST';
      return refuse(code, e instanceof Error ? e.message : String(e));
    }
    const instructorToken = req.instructorToken ?? newToken();
    const joinCode = newJoinCode();
    this.db.addClassroom({
      id,
      name: req.name,
      scenario: req.scenario,
      seed: req.seed,
      speed: req.speed,
      botIntensity: req.botIntensity,
      instructorTokenHash: tokenHash(instructorToken),
      joinCode,
      createdMs: this.now(),
    });
    this.joinCodes.set(joinCode, id);
    this.tokens.set(tokenHash(instructorToken), { role: 'instructor', classroomId: id });
    return { ok: true, value: { room, instructorToken, joinCode } };
  }

  /** A new instructor token for a classroom (the old one stops working). */
  rotateInstructorToken(classroomId: string, token: string = newToken()): string {
    for (const [h, p] of this.tokens)
      if (p.role === 'instructor' && p.classroomId === classroomId) this.tokens.delete(h);
    this.known.clear();
    this.tokens.set(tokenHash(token), { role: 'instructor', classroomId });
    this.db.setInstructorTokenHash(classroomId, tokenHash(token));
    return token;
  }

  private build(id: string, name: string, scenario: string, seed: number, speed: number, bots: number): Classroom {
    const s = loadScenario(scenario, this.ctx).scenario;
    const room = new Classroom({ id, name, scenario: s, data: this.ctx, seed, speed, botIntensity: bots });
    this.rooms.set(id, room);
    for (const l of this.listeners) l(room);
    return room;
  }

  auth(token: string | undefined): Principal | null {
    if (token === undefined || token.length === 0 || token.length > 200) return null;
    const seen = this.known.get(token);
    if (seen !== undefined) return seen;
    const p = this.tokens.get(tokenHash(token)) ?? null;
    if (p !== null) {
      if (this.known.size >= KNOWN_TOKENS) this.known.clear();
      this.known.set(token, p);
    }
    return p;
  }

  /** A student joins with the classroom's code; returns their token (shown once). */
  join(
    code: string,
    name: string,
  ): LiveResult<{ token: string; room: Classroom; studentId: number; accountId: number; name: string }> {
    const id = this.joinCodes.get(code.trim().toUpperCase());
    const room = id === undefined ? undefined : this.rooms.get(id);
    if (room === undefined) return refuse('NOT_FOUND', 'no classroom has that join code');
    return this.addStudent(room, name);
  }

  addStudent(
    room: Classroom,
    name: string,
  ): LiveResult<{ token: string; room: Classroom; studentId: number; accountId: number; name: string }> {
    const token = newToken();
    let row: StudentRow | null = null;
    // The student's token row is written in the same transaction as the journal entry of their joining.
    const r = this.apply(room, { op: 'join', name }, () => this.db.addStudent(row!));
    if (!r.ok) return r;
    row = { classroomId: room.id, studentId: r.value.studentId, name: r.value.name, tokenHash: tokenHash(token) };
    if (this.journal === null) this.db.addStudent(row);
    this.tokens.set(tokenHash(token), { role: 'student', classroomId: room.id, studentId: r.value.studentId });
    return {
      ok: true,
      value: { token, room, studentId: r.value.studentId, accountId: r.value.accountId, name: r.value.name },
    };
  }

  /**
   * Applies a command and appends it to the journal when accepted (a refusal changes nothing and is not kept).
   * Synchronous: the caller must not acknowledge it before durable() (exec does both).
   */
  apply<K extends LiveOp>(room: Classroom, cmd: CommandOf<K>, side?: () => void): ResultOf<K> {
    const broken = this.journal?.broken;
    if (broken != null)
      return refuse('JOURNAL_ERR_WRITE', 'the server cannot record changes (its journal failed); nothing was done');
    const r = applyCommand(room, cmd);
    if (r.ok) this.journal?.append(room.id, cmd, side);
    return r;
  }

  /** Applies a command and resolves once it is durable: what a route acknowledges. */
  exec<K extends LiveOp>(room: Classroom, cmd: CommandOf<K>): Promise<ResultOf<K>> {
    const r = this.apply(room, cmd);
    if (!r.ok || this.journal === null) return Promise.resolve(r);
    return this.journal.durable().then(
      () => r,
      () => refuse('JOURNAL_ERR_WRITE', 'the server could not record this change, so it is not acknowledged'),
    );
  }

  /** Resolves once everything applied so far is durable, or with a refusal if the journal failed. */
  async durable(): Promise<LiveResult<null>> {
    try {
      await this.journal?.durable();
      return { ok: true, value: null };
    } catch {
      return refuse('JOURNAL_ERR_WRITE', 'the server could not record this change, so it is not acknowledged');
    }
  }

  /** Moves every running classroom's clock to now (a journaled tick of wall time times its speed). */
  tick(): void {
    const now = this.now();
    for (const room of this.rooms.values()) {
      const last = this.wallMs.get(room.id) ?? now;
      this.wallMs.set(room.id, now);
      if (room.state !== 'running') continue;
      // A server that stalled does not fast-forward: at most a second of wall time per tick.
      const dt = Math.min(Math.max(0, now - last), 1_000);
      if (dt > 0) this.apply(room, { op: 'tick', exchangeMs: dt * room.speed });
    }
  }

  async control(room: Classroom, action: 'start' | 'pause' | 'resume' | 'end'): Promise<LiveResult<ClassroomState>> {
    this.wallMs.set(room.id, this.now());
    return this.exec(room, { op: action });
  }

  /** A classroom's state hash at its journal position, with everything up to it committed. */
  state(room: Classroom): { seq: number; hash: string } {
    this.journal?.flush();
    return { seq: this.journal?.lastSeq(room.id) ?? 0, hash: stateHash(room) };
  }

  /** Snapshots every classroom whose journal moved since its last snapshot; returns how many were written. */
  snapshotAll(): number {
    const j = this.journal;
    if (j === null) return 0;
    let n = 0;
    for (const room of this.rooms.values()) {
      j.flush();
      const seq = j.lastSeq(room.id);
      if (seq === (this.snapshotSeq.get(room.id) ?? 0)) continue;
      const text = encodeClassroom(room);
      j.saveSnapshot(room.id, seq, sha256(text), text, this.now());
      this.snapshotSeq.set(room.id, seq);
      n++;
    }
    return n;
  }
}

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/** The hash of everything a classroom holds (books, accounts, compliance, bots, students): equal states, equal hashes. */
export function stateHash(room: Classroom): string {
  return sha256(encodeClassroom(room));
}
