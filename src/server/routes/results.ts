// Where everyone stands and what the class made of a round: a student's own position, every student's for the
// instructor, the debrief (the instructor's and the class's students'), and the instructor's CSV export.
import type { FastifyInstance } from 'fastify';
import Type from 'typebox';
import type { Classroom } from '../../live/classroom.ts';
import { debriefOf } from '../../live/debrief.ts';
import { EXPORT_TABLES, type ExportTable, exportCsv, writeCsv } from '../../live/export.ts';
import type { RoundResult } from '../../live/rounds.ts';
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
 * An earlier round's results, kept when it closed (the last of that number: a practice round is 0 each time), or
 * null for the round the class is in. A round that never was is not found.
 */
function earlier(room: Classroom, round: number | undefined): RoundResult | null {
  const now = room.round().number;
  if (round === undefined || round === now) return null;
  const kept = room
    .roundResults()
    .filter((r) => r.number === round)
    .at(-1);
  if (kept === undefined)
    throw new HttpError('NOT_FOUND', `the class has had no round ${round} (it is in round ${now})`);
  return kept;
}

/** What a round kept, or why it has nothing to give (a round kept before this was kept). */
function keptOf<T>(what: T | undefined, round: number): T {
  if (what === undefined) throw new HttpError('NOT_FOUND', `round ${round} kept only its results (results.csv)`);
  return what;
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
          "the classroom's students (their own row only while the leaderboard is hidden from them).",
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
      const past = earlier(room, req.query.round);
      const d = past === null ? debriefOf(room) : keptOf(past.debrief, past.number);
      const onlyOwn = !instructor && !room.leaderboardVisible;
      return debriefView(d, { names: instructor && req.query.names === '1', studentId: student, onlyOwn });
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
          "CSV of a round's orders, trades or positions (the current round's, or as an earlier round N closed), or " +
          "the results of every round (or of round N); the instructor's. Pseudonyms unless names=1; columns in " +
          'docs/classroom.md.',
        response: errors,
      },
    },
    async (req, reply) => {
      const room = needInstructor(hub, req, req.params.cid);
      const table = req.params.file.slice(0, -'.csv'.length) as ExportTable;
      const { round } = req.query;
      const opts = { names: req.query.names === '1', ...(round === undefined ? {} : { round }) };
      const past = table === 'results' ? null : earlier(room, round);
      const csv =
        past === null || table === 'results'
          ? exportCsv(room, table, opts)
          : writeCsv(room, table, keptOf(past.tables, past.number)[table], opts);
      const which =
        table === 'results' ? (round === undefined ? '' : `round${round}-`) : `round${round ?? room.round().number}-`;
      const name = `${room.id}-${which}${table}.csv`;
      // A byte order mark first: Excel reads the file as UTF-8 (students' names in Chinese) only with one.
      return reply
        .type('text/csv; charset=utf-8')
        .header('content-disposition', `attachment; filename="${name}"`)
        .send(`\ufeff${csv}`);
    },
  );
}
