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

/** HTTP status of a refusal: lookups 404, state 409, malformed 400, the market's own rules 422, journal down 503. */
export function statusOf(code: string): number {
  if (code === 'NOT_FOUND' || code.startsWith('LIVE_ERR_UNKNOWN')) return 404;
  if (
    [
      'LIVE_ERR_NOT_RUNNING',
      'LIVE_ERR_ENDED',
      'LIVE_ERR_BAD_STATE',
      'LIVE_ERR_FULL',
      'LIVE_ERR_DUPLICATE_CLIENT_ORDER_ID',
      'CONFLICT',
    ].includes(code)
  )
    return 409;
  if (code === 'LIVE_ERR_BAD_INPUT' || code === 'BAD_REQUEST') return 400;
  if (code === 'JOURNAL_ERR_WRITE') return 503;
  return 422;
}

export function fail(r: LiveRejection): never {
  throw new HttpError(statusOf(r.code), r.code, r.message);
}

export function bearer(req: FastifyRequest): string | undefined {
  const h = req.headers.authorization;
  if (typeof h !== 'string' || !h.startsWith('Bearer ')) return undefined;
  return h.slice(7).trim();
}

export function principalOf(hub: Hub, req: FastifyRequest): Principal | null {
  return hub.auth(bearer(req));
}

export function needStudent(hub: Hub, req: FastifyRequest): { room: Classroom; studentId: number } {
  const p = principalOf(hub, req);
  if (p === null) throw new HttpError(401, 'UNAUTHORIZED', 'a student token is needed (Authorization: Bearer <token>)');
  if (p.role !== 'student') throw new HttpError(403, 'FORBIDDEN', 'this needs a student token');
  const room = hub.rooms.get(p.classroomId);
  if (room === undefined) throw new HttpError(404, 'NOT_FOUND', 'your classroom no longer exists');
  return { room, studentId: p.studentId };
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

export function sendError(reply: FastifyReply, status: number, code: string, message: string): FastifyReply {
  return reply.code(status).send({ error: { code, message } });
}
