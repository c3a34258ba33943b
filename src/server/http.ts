// Shared pieces of the HTTP layer: the error body (its status from the one table, errors.ts), and the caller's
// principal.

import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Classroom } from '../live/classroom.ts';
import type { LiveRejection } from '../live/errors.ts';
import { errorParams } from './error-params.ts';
import { ERRORS, statusOf } from './errors.ts';
import type { Hub, Principal } from './hub.ts';

/** A refusal on its way to the client: its code, and the code's status from the one table (errors.ts). */
export class HttpError extends Error {
  readonly statusCode: number;
  readonly code: string;
  constructor(code: string, message: string) {
    super(message);
    this.statusCode = statusOf(code);
    this.code = code;
  }
}

/** Status by code, read from the table (errors.ts). */
export const ERROR_STATUS: Readonly<Record<string, number>> = Object.fromEntries(
  Object.entries(ERRORS).map(([code, x]) => [code, x.status]),
);

/** The code of an error fastify or Node raised with only a status (400 for the rest). */
const CODE_OF_STATUS: ReadonlyMap<number, string> = new Map(
  [
    'BAD_REQUEST',
    'UNAUTHORIZED',
    'FORBIDDEN',
    'NOT_FOUND',
    'REQUEST_TIMEOUT',
    'CONFLICT',
    'PAYLOAD_TOO_LARGE',
    'UNSUPPORTED_MEDIA_TYPE',
    'RATE_LIMITED',
    'HEADERS_TOO_LARGE',
  ].map((code) => [statusOf(code), code]),
);

/** The code for a bare status (an error raised by fastify, a plugin or Node): a 4xx not in the table is BAD_REQUEST. */
export function codeOfStatus(status: number): string {
  return CODE_OF_STATUS.get(status) ?? (status >= 500 ? 'INTERNAL' : 'BAD_REQUEST');
}

/** The error body: with the values its message names (error-params.ts) when it has its code's form. */
export function errorBody(
  code: string,
  message: string,
): { error: { code: string; message: string; params?: Record<string, string> } } {
  const params = errorParams(code, message);
  return { error: params === undefined ? { code, message } : { code, message, params } };
}

export function fail(r: LiveRejection): never {
  throw new HttpError(r.code, r.message);
}

export function bearer(req: FastifyRequest): string | undefined {
  const h = req.headers.authorization;
  if (typeof h !== 'string' || !h.startsWith('Bearer ')) return undefined;
  return h.slice(7).trim();
}

/**
 * The principal of a token, or null: unknown, or a student's token the instructor revoked. Everything that
 * authenticates (routes, rate-limit keys, WebSocket upgrades) goes through here.
 */
export function authPrincipal(hub: Hub, token: string | undefined): Principal | null {
  const p = hub.auth(token);
  if (p?.role === 'student' && hub.rooms.get(p.classroomId)?.isRevoked(p.studentId) === true) return null;
  return p;
}

export function principalOf(hub: Hub, req: FastifyRequest): Principal | null {
  return authPrincipal(hub, bearer(req));
}

/** Why a token that authenticates no more was refused: revoked, or never valid. */
function unauthorized(hub: Hub, req: FastifyRequest, need: string): HttpError {
  const p = hub.auth(bearer(req));
  if (p?.role === 'student')
    return new HttpError('UNAUTHORIZED', 'this token was revoked by the instructor; ask them for a new link');
  return new HttpError('UNAUTHORIZED', need);
}

export function needStudent(hub: Hub, req: FastifyRequest): { room: Classroom; studentId: number } {
  const p = principalOf(hub, req);
  if (p === null) throw unauthorized(hub, req, 'a student token is needed (Authorization: Bearer <token>)');
  if (p.role !== 'student') throw new HttpError('FORBIDDEN', 'this needs a student token');
  const room = hub.rooms.get(p.classroomId);
  if (room === undefined) throw new HttpError('NOT_FOUND', 'your classroom no longer exists');
  return { room, studentId: p.studentId };
}

/** The classroom a join code opens, or null. */
export function roomByJoinCode(hub: Hub, code: string): Classroom | null {
  const c = code.trim().toUpperCase();
  for (const room of hub.rooms.values()) if (hub.joinCode(room.id) === c) return room;
  return null;
}

export function needInstructor(hub: Hub, req: FastifyRequest, cid: string): Classroom {
  const p = principalOf(hub, req);
  if (p === null) throw new HttpError('UNAUTHORIZED', 'the instructor token is needed (Authorization: Bearer <token>)');
  const allowed = p.role === 'admin' || (p.role === 'instructor' && p.classroomId === cid);
  if (!allowed) throw new HttpError('FORBIDDEN', 'this needs the instructor token of this classroom');
  return roomOf(hub, cid);
}

export function roomOf(hub: Hub, cid: string): Classroom {
  const room = hub.rooms.get(cid);
  if (room === undefined) throw new HttpError('NOT_FOUND', `there is no classroom ${cid}`);
  return room;
}

export { statusOf };

export function sendError(reply: FastifyReply, code: string, message: string): FastifyReply {
  return reply.code(statusOf(code)).send(errorBody(code, message));
}
