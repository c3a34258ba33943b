// Who may do what: tokens are random (crypto) and known here only by their sha256; a principal is the admin, a
// classroom's instructor, or one student of one classroom. Join codes open a classroom to new students.
import { randomBytes } from 'node:crypto';
import { tokenHash } from '../store/live-db.ts';

export type Principal =
  | { readonly role: 'admin' }
  | { readonly role: 'instructor'; readonly classroomId: string }
  | { readonly role: 'student'; readonly classroomId: string; readonly studentId: number };

/** Authenticated tokens remembered (a classroom has tens of students; a server, a few classrooms). */
const KNOWN_TOKENS = 10_000;

export function newToken(): string {
  return randomBytes(24).toString('base64url');
}

export function newJoinCode(): string {
  const letters = 'ABCDEFGHJKLMNPQRSTUVWXYZ';
  const b = randomBytes(8);
  const head = [...b.subarray(0, 4)].map((x) => letters[x % letters.length]).join('');
  const tail = String(b.readUInt32BE(4) % 10_000).padStart(4, '0');
  return `${head}-${tail}`;
}

export class Tokens {
  /** Principals by token hash. */
  private readonly byHash = new Map<string, Principal>();
  /**
   * Tokens that authenticated already, to their principal: hashing the token on every request was 2% of order
   * entry. Only valid tokens get in (garbage cannot fill it); emptied when a token is dropped, and when full.
   */
  private readonly known = new Map<string, Principal>();
  /** Classroom ids by join code. */
  private readonly joinCodes = new Map<string, string>();

  /** Adds a principal by the hash of its token. */
  add(hash: string, p: Principal): void {
    this.byHash.set(hash, p);
  }

  /** Drops every token of these principals (a rotated instructor token, a classroom's students reloaded). */
  drop(which: (p: Principal) => boolean): void {
    for (const [h, p] of this.byHash) if (which(p)) this.byHash.delete(h);
    this.known.clear();
  }

  /** Drops a classroom's tokens (instructor and students) and its join code (a classroom deleted or reset). */
  forget(classroomId: string): void {
    this.drop((p) => p.role !== 'admin' && p.classroomId === classroomId);
    for (const [code, id] of this.joinCodes) if (id === classroomId) this.joinCodes.delete(code);
  }

  auth(token: string | undefined): Principal | null {
    if (token === undefined || token.length === 0 || token.length > 200) return null;
    const seen = this.known.get(token);
    if (seen !== undefined) return seen;
    const p = this.byHash.get(tokenHash(token)) ?? null;
    if (p !== null) {
      if (this.known.size >= KNOWN_TOKENS) this.known.clear();
      this.known.set(token, p);
    }
    return p;
  }

  setJoinCode(code: string, classroomId: string): void {
    this.joinCodes.set(code, classroomId);
  }

  /** The classroom a join code opens (any case, spaces around), or undefined. */
  classroomOfCode(code: string): string | undefined {
    return this.joinCodes.get(code.trim().toUpperCase());
  }

  joinCode(classroomId: string): string | null {
    for (const [code, id] of this.joinCodes) if (id === classroomId) return code;
    return null;
  }
}
