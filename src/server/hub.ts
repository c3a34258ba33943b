// The server's classrooms and who may do what in them (tokens.ts). The hub drives every classroom's clock from the
// wall clock (the only place the live market reads the time), and every change to a classroom goes through exec():
// applied, appended to the journal, acknowledged once the journal committed it. restore() brings classrooms back
// after a restart: latest snapshot, then the journal after it (recovery.ts).
//
// When the journal cannot be written (a full disk, an I/O error), the commands applied but not committed are refused
// and the classrooms that had them are brought back to the journal's state at once, in place (reload): the state
// in memory is never ahead of the journal, so neither reads nor snapshots show a refused command. Changes are then
// refused (503 JOURNAL_ERR_WRITE) while reads go on; after a full disk the clock ticks try to write again every
// RESUME_EVERY_MS and the server carries on once there is room; after a failed fsync it says it needs a restart.
import { randomBytes } from 'node:crypto';
import type { Classroom, ClassroomState } from '../live/classroom.ts';
import { encodeClassroom, restoreClassroom } from '../live/classroom-state.ts';
import { applyCommand, type CommandOf, type LiveOp, type ResultOf, replayCommands } from '../live/commands.ts';
import { type LiveResult, refuse } from '../live/errors.ts';
import { CURRENT_RULES, type RulesVersion } from '../live/types.ts';
import type { RunContext } from '../sim/run.ts';
import type { Journal, JournalFailure } from '../store/journal.ts';
import { type ClassroomRow, type LiveDb, StoreError, type StudentRow, tokenHash } from '../store/live-db.ts';
import { buildClassroom, type ClassroomSettings } from './classroom-settings.ts';
import { clockText, type JournalState, notRecorded, RESUME_EVERY_MS, refusalText } from './journal-state.ts';
import { PresenceWatch } from './presence.ts';
import { newestGoodSnapshot, sha256, stateHash } from './recovery.ts';
import { newJoinCode, newToken, type Principal, Tokens } from './tokens.ts';

export { type JournalState, RESUME_EVERY_MS } from './journal-state.ts';
export { stateHash } from './recovery.ts';
export { newToken, type Principal } from './tokens.ts';

export interface NewClassroom {
  readonly id?: string;
  readonly name: string;
  readonly scenario: string;
  readonly seed: number;
  readonly speed: number;
  readonly botIntensity: number;
  readonly instructorToken?: string | null;
  /** The rules it runs by: CURRENT_RULES unless set (an older version's, for the tests of an upgrade). */
  readonly rules?: RulesVersion;
}

type Joined = { token: string; room: Classroom; studentId: number; accountId: number; name: string };

export class Hub {
  readonly rooms = new Map<string, Classroom>();
  private readonly tokens = new Tokens();
  private readonly listeners: ((room: Classroom) => void)[] = [];

  private readonly ctx: RunContext;
  private readonly db: LiveDb;
  private readonly now: () => number;
  /** Null: journal off (nothing survives a restart but the classrooms' settings and students). */
  readonly journal: Journal | null;
  /** Wall time of each classroom's last tick. */
  private readonly wallMs = new Map<string, number>();
  private readonly snapshotSeq = new Map<string, number>();
  /** Null while the journal writes; otherwise why it does not (see JournalState). */
  private problem: Exclude<JournalState, { writable: true }> | null = null;
  private lastResumeTry = 0;
  private readonly stateListeners: ((s: JournalState) => void)[] = [];
  private readonly reloadListeners: ((room: Classroom) => void)[] = [];
  private readonly noticeListeners: ((line: string) => void)[] = [];
  /** Classrooms whose state could not be brought back to the journal's (see reload): never snapshotted again. */
  private readonly untrusted = new Set<string>();
  /** Students' pages open and closed: away after the grace period, back when one opens (presence.ts). */
  readonly presence = new PresenceWatch(this);
  /** What restore() did, per classroom, for the logs. */
  readonly recovered: { classroomId: string; snapshotSeq: number; skippedSnapshots: number; replayed: number }[] = [];

  constructor(ctx: RunContext, db: LiveDb, adminToken: string, now: () => number, journal: Journal | null = null) {
    this.ctx = ctx;
    this.db = db;
    this.now = now;
    this.journal = journal;
    this.tokens.add(tokenHash(adminToken), { role: 'admin' });
    journal?.onBreak((f) => this.journalBroke(f));
  }

  /** Whether changes can be recorded now, and if not why. */
  journalState(): JournalState {
    return this.problem ?? { writable: true };
  }

  /** Called when the journal stops (and starts again) being writable. */
  onJournalState(listener: (s: JournalState) => void): void {
    this.stateListeners.push(listener);
  }

  /**
   * Called for each classroom brought back in place to the journal's state after a failed write: commands that
   * clients saw applied (events, market data) were refused and are gone, so what was sent of it is stale.
   */
  onRoomReloaded(listener: (room: Classroom) => void): void {
    this.reloadListeners.push(listener);
  }

  /** Lines for the operator (the journal stopped or resumed writing, a snapshot could not be written). */
  onNotice(listener: (line: string) => void): void {
    this.noticeListeners.push(listener);
  }

  private notice(line: string): void {
    for (const l of this.noticeListeners) l(line);
  }

  private setState(s: JournalState): void {
    this.problem = s.writable ? null : s;
    for (const l of this.stateListeners) l(s);
  }

  /**
   * The journal refused commands that were applied here: brings those classrooms back to what the journal holds,
   * and stops accepting changes until it writes again.
   */
  private journalBroke(f: JournalFailure): void {
    for (const id of f.dropped) this.reload(id);
    const untrusted = [...this.untrusted];
    const needsRestart = !f.error.retryable || untrusted.length > 0;
    const sinceMs = this.problem?.sinceMs ?? this.now();
    this.lastResumeTry = this.now();
    const reason = f.error.message.replace(/^the journal could not be written: /, '');
    this.setState({ writable: false, needsRestart, reason, sinceMs });
    this.notice(
      `the journal could not be written (${reason}); changes are refused, reads go on; ` +
        (needsRestart
          ? `the server needs a restart${untrusted.length > 0 ? ` (classrooms ${untrusted.join(', ')} could not be brought back to the journal)` : ''}; nothing acknowledged is lost`
          : 'it writes again once the disk has room'),
    );
  }

  /**
   * Brings a classroom back, in place, to its journal: the newest good snapshot and the commands after it are
   * replayed into a fresh classroom, whose state is then written into the live one (the WebSocket connections and
   * listeners keep their object) and checked by hash. The students' tokens follow the student table, written in the
   * same transactions as their joins. A classroom that cannot be brought back is marked untrusted: it takes no more
   * changes or snapshots, and a restart (which reads the journal) is needed.
   */
  private reload(id: string): void {
    const room = this.rooms.get(id);
    if (room === undefined || this.journal === null) return;
    try {
      // Reads only: they work on a full disk. Anything that fails here (a read error) leaves the room untrusted.
      const row = this.db.classrooms().find((r) => r.id === id);
      if (row === undefined) throw new Error(`classroom ${id} is not in the store`);
      const { room: fresh, from } = this.recover(row);
      replayCommands(fresh, this.journal.entries(id, from), from);
      const text = encodeClassroom(fresh);
      restoreClassroom(room, text);
      if (stateHash(room) !== sha256(text)) throw new Error('the reloaded state does not hash as the journal’s');
      this.tokens.drop((p) => p.role === 'student' && p.classroomId === id);
      for (const s of this.db.students(id))
        this.tokens.add(s.tokenHash, { role: 'student', classroomId: id, studentId: s.studentId });
    } catch {
      this.untrusted.add(id);
      return;
    }
    for (const l of this.reloadListeners) l(room);
  }

  /**
   * After a full disk, tries to write again (at most every RESUME_EVERY_MS): the journal's probe write must fit.
   * Called from tick().
   */
  private tryResume(now: number): void {
    const p = this.problem;
    if (p === null || p.needsRestart || this.journal === null || now - this.lastResumeTry < RESUME_EVERY_MS) return;
    this.lastResumeTry = now;
    if (!this.journal.resume()) return;
    this.setState({ writable: true });
    this.notice(`the journal writes again (it could not from ${clockText(p.sinceMs)} to ${clockText(now)})`);
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
      this.register(room);
      this.tokens.setJoinCode(row.joinCode, row.id);
      this.tokens.add(row.instructorTokenHash, { role: 'instructor', classroomId: row.id });
      const students = this.db.students(row.id);
      let replayed = 0;
      if (this.journal !== null) {
        try {
          replayed = replayCommands(room, this.journal.entries(row.id, from), from) - from;
        } catch (e) {
          throw new StoreError(
            `classroom ${row.id} could not be brought back from its journal: ${e instanceof Error ? e.message : e}. ` +
              'Nothing was changed in the data folder; keep a copy of it before trying anything else.',
          );
        }
        this.snapshotSeq.set(row.id, from);
      }
      // Students stored without a journal entry (a data folder from before the journal, or journal off): join again.
      for (const s of students.slice(room.studentList().length)) {
        const r = this.apply(room, { op: 'join', name: s.name });
        if (!r.ok) throw new Error(`restoring ${row.id}: student ${s.studentId}: ${r.code}: ${r.message}`);
      }
      for (const s of students)
        this.tokens.add(s.tokenHash, { role: 'student', classroomId: row.id, studentId: s.studentId });
      this.recovered.push({ classroomId: row.id, snapshotSeq: from, skippedSnapshots: skipped, replayed });
    }
  }

  /** Builds a classroom from its settings with the newest good snapshot (recovery.ts). */
  private recover(row: ClassroomRow): { room: Classroom; from: number; skipped: number } {
    const build = () => this.make(row);
    return newestGoodSnapshot(this.journal, row.id, build);
  }

  joinCode(classroomId: string): string | null {
    return this.tokens.joinCode(classroomId);
  }

  /** Creates and stores a classroom; returns it with its instructor token (shown once). */
  create(req: NewClassroom): LiveResult<{ room: Classroom; instructorToken: string; joinCode: string }> {
    const id = req.id ?? `c${randomBytes(4).toString('hex')}`;
    if (this.rooms.has(id)) return refuse('CONFLICT', `classroom ${id} exists`);
    const { name, scenario, seed, speed, botIntensity } = req;
    const settings = { id, name, scenario, seed, speed, botIntensity, rules: req.rules ?? CURRENT_RULES };
    let room: Classroom;
    try {
      room = this.make(settings);
    } catch (e) {
      const code = e !== null && typeof e === 'object' && 'code' in e ? String(e.code) : 'BAD_REQUEST';
      return refuse(code, e instanceof Error ? e.message : String(e));
    }
    const instructorToken = req.instructorToken ?? newToken();
    const joinCode = newJoinCode();
    try {
      this.db.addClassroom({
        ...settings,
        instructorTokenHash: tokenHash(instructorToken),
        joinCode,
        createdMs: this.now(),
      });
    } catch (e) {
      return refuse(
        'JOURNAL_ERR_WRITE',
        `the classroom could not be stored (${e instanceof Error ? e.message : e}); nothing was created`,
      );
    }
    this.register(room);
    this.tokens.setJoinCode(joinCode, id);
    this.tokens.add(tokenHash(instructorToken), { role: 'instructor', classroomId: id });
    return { ok: true, value: { room, instructorToken, joinCode } };
  }

  /** A new instructor token for a classroom (the old one stops working). */
  rotateInstructorToken(classroomId: string, token: string = newToken()): string {
    this.tokens.drop((p) => p.role === 'instructor' && p.classroomId === classroomId);
    this.tokens.add(tokenHash(token), { role: 'instructor', classroomId });
    this.db.setInstructorTokenHash(classroomId, tokenHash(token));
    return token;
  }

  /** Drops a classroom: its rows, journal and tokens (routes/admin.ts deletes and resets classrooms). */
  remove(id: string): void {
    this.db.removeClassroom(id);
    this.journal?.forget(id);
    for (const m of [this.rooms, this.wallMs, this.snapshotSeq]) m.delete(id);
    this.tokens.forget(id);
  }

  /** A classroom built from its settings, not yet known to the hub (see register). */
  private make(settings: ClassroomSettings): Classroom {
    return buildClassroom(this.ctx, settings);
  }

  private register(room: Classroom): void {
    this.rooms.set(room.id, room);
    for (const l of this.listeners) l(room);
  }

  auth(token: string | undefined): Principal | null {
    return this.tokens.auth(token);
  }

  /** A student joins with the classroom's code; returns their token (shown once). */
  join(code: string, name: string): LiveResult<Joined> {
    const id = this.tokens.classroomOfCode(code);
    const room = id === undefined ? undefined : this.rooms.get(id);
    if (room === undefined) return refuse('NOT_FOUND', 'no classroom has that join code');
    return this.addStudent(room, name);
  }

  addStudent(room: Classroom, name: string): LiveResult<Joined> {
    const token = newToken();
    let row: StudentRow | null = null;
    // The student's token row is written in the same transaction as the journal entry of their joining.
    const r = this.apply(room, { op: 'join', name }, () => this.db.addStudent(row!));
    if (!r.ok) return r;
    row = { classroomId: room.id, studentId: r.value.studentId, name: r.value.name, tokenHash: tokenHash(token) };
    if (this.journal === null) this.db.addStudent(row);
    this.tokens.add(tokenHash(token), { role: 'student', classroomId: room.id, studentId: r.value.studentId });
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
    if (this.problem !== null || this.journal?.broken != null || this.untrusted.has(room.id))
      return refuse('JOURNAL_ERR_WRITE', refusalText(this.problem));
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
      (e: unknown) => refuse('JOURNAL_ERR_WRITE', notRecorded(e)),
    );
  }

  /** Resolves once everything applied so far is durable, or with a refusal if the journal failed. */
  async durable(): Promise<LiveResult<null>> {
    try {
      await this.journal?.durable();
      return { ok: true, value: null };
    } catch (e) {
      return refuse('JOURNAL_ERR_WRITE', notRecorded(e));
    }
  }

  /** Moves every running classroom's clock to now (a journaled tick of wall time times its speed). */
  tick(): void {
    const now = this.now();
    if (this.problem !== null) this.tryResume(now);
    this.presence.sweep(now);
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

  /**
   * Snapshots every classroom whose journal moved since its last snapshot; returns how many were written. Only
   * state the journal holds durably is snapshotted: everything appended is committed and fsynced first (one fsync
   * on the event loop), and nothing is written while the journal is broken. Throws nothing (the snapshot timer
   * calls it): a snapshot that cannot be written (a full disk) is reported and tried again next time.
   */
  snapshotAll(): number {
    const j = this.journal;
    if (j === null || this.problem !== null || j.broken !== null) return 0;
    if (!j.syncNow()) return 0; // the journal broke: journalBroke() brought the classrooms back and refuses changes
    let n = 0;
    for (const room of this.rooms.values()) {
      if (this.untrusted.has(room.id)) continue;
      const seq = j.lastSeq(room.id);
      if (seq === (this.snapshotSeq.get(room.id) ?? 0)) continue;
      try {
        const text = encodeClassroom(room);
        j.saveSnapshot(room.id, seq, sha256(text), text, this.now());
      } catch (e) {
        this.notice(
          `the snapshot of classroom ${room.id} could not be written (${e instanceof Error ? e.message : e}); ` +
            'the journal keeps everything, and the snapshot is tried again next time',
        );
        continue;
      }
      this.snapshotSeq.set(room.id, seq);
      n++;
    }
    return n;
  }
}
