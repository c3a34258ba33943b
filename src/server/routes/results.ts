// Where everyone stands and what the class made of a round: a student's own position, every student's for the
// instructor, the debrief (the instructor's and the class's students'), and the instructor's CSV export.
import type { FastifyInstance } from 'fastify';
import Type from 'typebox';
import type { Classroom } from '../../live/classroom.ts';
import { type Debrief, debriefOf } from '../../live/debrief.ts';
import { EXPORT_TABLES, type ExportTable, exportCsv } from '../../live/export.ts';
import { HttpError, needInstructor, needStudent, principalOf, roomOf } from '../http.ts';
import type { Hub } from '../hub.ts';
import { DebriefOut, debriefView, PositionOut, positionView } from '../results-views.ts';
import { errors } from '../schemas.ts';
import { cstTime } from '../views.ts';

const Cid = Type.String({ minLength: 1, maxLength: 40, pattern: '^[A-Za-z0-9_.-]+$' });
const RoundQuery = {
  round: Type.Optional(Type.Integer({ minimum: 0, maximum: 1_000, description: "the round's number (0: practice)" })),
  names: Type.Optional(
    Type.Union([Type.Literal('0'), Type.Literal('1')], { description: "1: students' names instead of pseudonyms" }),
  ),
};
type RoundReq = { Params: { cid: string }; Querystring: { round?: number; names?: '0' | '1' } };

/**
 * Refuses a round other than the one the classroom is in: an earlier round's world is gone once the next begins.
 * Its results stay (results.csv, GET /api/classrooms/:cid/rounds).
 */
function sameRound(room: Classroom, round: number | undefined): void {
  const now = room.round().number;
  if (round !== undefined && round !== now)
    throw new HttpError(
      'NOT_FOUND',
      `round ${round} is not the round the class is in (${now}): only its results are kept (results.csv)`,
    );
}

/** The debrief of the round asked for: the current one, or one whose debrief the round's results kept. */
function debriefFor(room: Classroom, round: number | undefined): Debrief {
  if (round !== undefined && round !== room.round().number) {
    // The last of that number (a practice round is 0 each time).
    const kept = room
      .roundResults()
      .filter((r) => r.number === round && r.debrief !== undefined)
      .at(-1)?.debrief;
    if (kept !== undefined) return kept;
  }
  sameRound(room, round);
  return debriefOf(room);
}

export function resultsRoutes(app: FastifyInstance, hub: Hub): void {
  const tags = ['results'];
  const security = [{ bearer: [] }];

  app.get(
    '/api/me/position',
    {
      schema: {
        tags,
        security,
        description:
          'Where you stand: obligation, held, surrendered, short or long (tonnes and at the last price), profit, ' +
          'compliance cost, and the deadline with its warning time.',
        response: { 200: Type.Object({ position: PositionOut }), ...errors },
      },
    },
    async (req) => {
      const { room, studentId } = needStudent(hub, req);
      return { position: positionView(room, room.position(studentId)!) };
    },
  );

  app.get<{ Params: { cid: string } }>(
    '/api/classrooms/:cid/positions',
    {
      schema: {
        tags,
        security,
        params: Type.Object({ cid: Cid }),
        description: "Every student's position (the instructor's), as of the exchange time given.",
        response: {
          200: Type.Object({ positions: Type.Array(PositionOut), tsMs: Type.Integer(), time: Type.String() }),
          ...errors,
        },
      },
    },
    async (req) => {
      const room = needInstructor(hub, req, req.params.cid);
      const tsMs = room.nowTsMs;
      return { positions: room.positions().map((p) => positionView(room, p)), tsMs, time: cstTime(tsMs) };
    },
  );

  app.get<RoundReq>(
    '/api/classrooms/:cid/debrief',
    {
      schema: {
        tags,
        security,
        params: Type.Object({ cid: Cid }),
        querystring: Type.Object(RoundQuery, { additionalProperties: false }),
        description:
          "A round's debrief: the days (close, volume, fair value), the events, each student's trading and outcome " +
          "(pseudonyms unless the instructor asks for names), the bots' part, compliance. For the instructor and " +
          "the classroom's students.",
        response: { 200: DebriefOut, ...errors },
      },
    },
    async (req) => {
      const { cid } = req.params;
      const p = principalOf(hub, req);
      if (p === null) throw new HttpError('UNAUTHORIZED', 'a token of this classroom is needed');
      const instructor = p.role === 'admin' || (p.role === 'instructor' && p.classroomId === cid);
      const student = p.role === 'student' && p.classroomId === cid ? p.studentId : null;
      if (!instructor && student === null)
        throw new HttpError('FORBIDDEN', "this needs the instructor's or a student's token of this classroom");
      const room = roomOf(hub, cid);
      const d = debriefFor(room, req.query.round);
      return debriefView(d, { names: instructor && req.query.names === '1', studentId: student });
    },
  );

  app.get<{ Params: { cid: string; file: string }; Querystring: RoundReq['Querystring'] }>(
    '/api/classrooms/:cid/export/:file',
    {
      schema: {
        tags,
        security,
        params: Type.Object({
          cid: Cid,
          file: Type.Union(EXPORT_TABLES.map((x) => Type.Literal(`${x}.csv`))),
        }),
        querystring: Type.Object(RoundQuery, { additionalProperties: false }),
        description:
          'CSV of the orders, trades or positions of the current round, or the results of every round (or of ' +
          "round N) (the instructor's): pseudonyms unless names=1; columns in docs/classroom.md.",
        response: errors,
      },
    },
    async (req, reply) => {
      const room = needInstructor(hub, req, req.params.cid);
      const table = req.params.file.slice(0, -'.csv'.length) as ExportTable;
      if (table !== 'results') sameRound(room, req.query.round);
      const { round } = req.query;
      const csv = exportCsv(room, table, { names: req.query.names === '1', ...(round === undefined ? {} : { round }) });
      const which =
        table === 'results' ? (round === undefined ? '' : `round${round}-`) : `round${room.round().number}-`;
      const name = `${room.id}-${which}${table}.csv`;
      // A byte order mark first: Excel reads the file as UTF-8 (students' names in Chinese) only with one.
      return reply
        .type('text/csv; charset=utf-8')
        .header('content-disposition', `attachment; filename="${name}"`)
        .send(`\ufeff${csv}`);
    },
  );
}
