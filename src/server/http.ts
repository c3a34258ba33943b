// Shared pieces of the HTTP layer: the error body, the status of each refusal code, and the caller's principal.
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Classroom } from '../live/classroom.ts';
import type { LiveRejection } from '../live/errors.ts';
import type { Hub, Principal } from './hub.ts';

export class HttpError extends Error {
  readonly statusCode: number;
  readonly code: string;
  constructor(statusCode: number, code: string, message: string) {
    super(message);
    this.statusCode = statusCode;
    this.code = code;
  }
}

/**
 * The one table of error codes and their HTTP status. Every error body is {"error": {"code", "message"}}, and its
 * status is the code's here. Codes not listed: LIVE_ERR_UNKNOWN_* are lookups (404); any other is the market's own
 * rule (ENG_PRICE_ABOVE_BAND, InsufficientCash, ...: 422).
 */
export const ERROR_STATUS: Readonly<Record<string, number>> = {
  BAD_REQUEST: 400,
  LIVE_ERR_BAD_INPUT: 400,
  UNAUTHORIZED: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  REQUEST_TIMEOUT: 408,
  CONFLICT: 409,
  LIVE_ERR_NOT_RUNNING: 409,
  LIVE_ERR_ENDED: 409,
  LIVE_ERR_BAD_STATE: 409,
  LIVE_ERR_FULL: 409,
  LIVE_ERR_DUPLICATE_CLIENT_ORDER_ID: 409,
  LIVE_ERR_DUPLICATE_NAME: 409,
  PAYLOAD_TOO_LARGE: 413,
  UNSUPPORTED_MEDIA_TYPE: 415,
  RATE_LIMITED: 429,
  TOO_MANY_CONNECTIONS: 429,
  TOO_MANY_SUBSCRIPTIONS: 429,
  HEADERS_TOO_LARGE: 431,
  INTERNAL: 500,
  JOURNAL_ERR_WRITE: 503,
};

/** The code of an error fastify or Node raised with only a status: the table read backwards (400 for the rest). */
const CODE_OF_STATUS: ReadonlyMap<number, string> = new Map([
  [400, 'BAD_REQUEST'],
  [401, 'UNAUTHORIZED'],
  [403, 'FORBIDDEN'],
  [404, 'NOT_FOUND'],
  [408, 'REQUEST_TIMEOUT'],
  [409, 'CONFLICT'],
  [413, 'PAYLOAD_TOO_LARGE'],
  [415, 'UNSUPPORTED_MEDIA_TYPE'],
  [429, 'RATE_LIMITED'],
  [431, 'HEADERS_TOO_LARGE'],
]);

/** HTTP status of a code: lookups 404, state 409, malformed 400, the market's own rules 422, journal down 503. */
export function statusOf(code: string): number {
  const s = ERROR_STATUS[code];
  if (s !== undefined) return s;
  if (code.startsWith('LIVE_ERR_UNKNOWN')) return 404;
  return 422;
}

/** The code for a bare status (an error raised by fastify, a plugin or Node): a 4xx not in the table is BAD_REQUEST. */
export function codeOfStatus(status: number): string {
  return CODE_OF_STATUS.get(status) ?? (status >= 500 ? 'INTERNAL' : 'BAD_REQUEST');
}

/** The error body. */
export function errorBody(code: string, message: string): { error: { code: string; message: string } } {
  return { error: { code, message } };
}

export function fail(r: LiveRejection): never {
  throw new HttpError(statusOf(r.code), r.code, r.message);
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
    return new HttpError(401, 'UNAUTHORIZED', 'this token was revoked by the instructor; ask them for a new link');
  return new HttpError(401, 'UNAUTHORIZED', need);
}

export function needStudent(hub: Hub, req: FastifyRequest): { room: Classroom; studentId: number } {
  const p = principalOf(hub, req);
  if (p === null) throw unauthorized(hub, req, 'a student token is needed (Authorization: Bearer <token>)');
  if (p.role !== 'student') throw new HttpError(403, 'FORBIDDEN', 'this needs a student token');
  const room = hub.rooms.get(p.classroomId);
  if (room === undefined) throw new HttpError(404, 'NOT_FOUND', 'your classroom no longer exists');
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
  if (p === null)
    throw new HttpError(401, 'UNAUTHORIZED', 'the instructor token is needed (Authorization: Bearer <token>)');
  const allowed = p.role === 'admin' || (p.role === 'instructor' && p.classroomId === cid);
  if (!allowed) throw new HttpError(403, 'FORBIDDEN', 'this needs the instructor token of this classroom');
  return roomOf(hub, cid);
}

export function roomOf(hub: Hub, cid: string): Classroom {
  const room = hub.rooms.get(cid);
  if (room === undefined) throw new HttpError(404, 'NOT_FOUND', `there is no classroom ${cid}`);
  return room;
}

export function sendError(reply: FastifyReply, code: string, message: string): FastifyReply {
  return reply.code(statusOf(code)).send(errorBody(code, message));
}
