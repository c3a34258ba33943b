// The server's classrooms and who may do what in them. Tokens are random (crypto) and known here only by their
// sha256; a principal is the admin, a classroom's instructor, or one student of one classroom. The hub also drives
// every classroom's clock from the wall clock (the only place the live market reads the time).
import { randomBytes } from 'node:crypto';
import { Classroom, type ClassroomState } from '../live/classroom.ts';
import { type LiveResult, refuse } from '../live/errors.ts';
import type { RunContext } from '../sim/run.ts';
import { type LiveDb, tokenHash } from '../store/live-db.ts';
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

export class Hub {
  readonly rooms = new Map<string, Classroom>();
  private readonly joinCodes = new Map<string, string>();
  private readonly tokens = new Map<string, Principal>();
  private readonly listeners: ((room: Classroom) => void)[] = [];

  private readonly ctx: RunContext;
  private readonly db: LiveDb;
  private readonly now: () => number;

  constructor(ctx: RunContext, db: LiveDb, adminToken: string, now: () => number = Date.now) {
    this.ctx = ctx;
    this.db = db;
    this.now = now;
    this.tokens.set(tokenHash(adminToken), { role: 'admin' });
  }

  /** Called for each classroom as it is created or restored (the WebSocket layer subscribes to its events). */
  onRoom(listener: (room: Classroom) => void): void {
    this.listeners.push(listener);
  }

  /** Brings back every stored classroom with its students (same order: same firms and accounts), not started. */
  restore(): void {
    for (const row of this.db.classrooms()) {
      const room = this.build(row.id, row.name, row.scenario, row.seed, row.speed, row.botIntensity);
      this.joinCodes.set(row.joinCode, row.id);
      this.tokens.set(row.instructorTokenHash, { role: 'instructor', classroomId: row.id });
      for (const s of this.db.students(row.id)) {
        const r = room.addStudent(s.name);
        if (!r.ok) throw new Error(`restoring ${row.id}: student ${s.studentId}: ${r.code}: ${r.message}`);
        this.tokens.set(s.tokenHash, { role: 'student', classroomId: row.id, studentId: r.value.studentId });
      }
    }
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
    return this.tokens.get(tokenHash(token)) ?? null;
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
    const r = room.addStudent(name);
    if (!r.ok) return r;
    const token = newToken();
    this.db.addStudent({
      classroomId: room.id,
      studentId: r.value.studentId,
      name: r.value.name,
      tokenHash: tokenHash(token),
    });
    this.tokens.set(tokenHash(token), { role: 'student', classroomId: room.id, studentId: r.value.studentId });
    return {
      ok: true,
      value: { token, room, studentId: r.value.studentId, accountId: r.value.accountId, name: r.value.name },
    };
  }

  saveSettings(room: Classroom): void {
    this.db.updateSettings(room.id, room.speed, room.botIntensity);
  }

  /** Moves every classroom's clock to now. */
  tick(): void {
    const now = this.now();
    for (const room of this.rooms.values()) room.advance(now);
  }

  control(room: Classroom, action: 'start' | 'pause' | 'resume' | 'end'): LiveResult<ClassroomState> {
    const now = this.now();
    return action === 'start'
      ? room.start(now)
      : action === 'pause'
        ? room.pause(now)
        : action === 'resume'
          ? room.resume(now)
          : room.end(now);
  }
}
