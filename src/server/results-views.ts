// The JSON shapes of positions and the debrief (routes/results.ts): the core's fen and tonnes as CNY strings, and
// exchange times as epoch ms beside China Standard Time text, as views.ts does for the rest; with their response
// schemas, so fastify serializes exactly these fields.
import Type, { type TSchema } from 'typebox';
import type { Classroom } from '../live/classroom.ts';
import type { Debrief } from '../live/debrief.ts';
import { pseudonym } from '../live/export.ts';
import type { PositionView } from '../live/positions.ts';
import { fenToCny } from '../market/money.ts';
import { cstTime, newsFields } from './views.ts';

const cny = fenToCny;
const Out = (props: Record<string, TSchema>) => Type.Object(props, { additionalProperties: false });
const Nullable = (t: TSchema) => Type.Union([t, Type.Null()]);
const Cny = Type.String({ description: 'CNY, e.g. "97.25" (may be negative)' });
const T = Type.Integer({ description: 'tonnes' });
const Status = Type.Union([Type.Literal('open'), Type.Literal('met'), Type.Literal('short')]);

export const PositionOut = Out({
  studentId: Type.Integer(),
  name: Type.String(),
  firmName: Type.String(),
  marketId: Type.String(),
  instrumentId: Type.String(),
  obligationT: T,
  heldT: T,
  surrenderedT: T,
  shortT: T,
  longT: T,
  lastPriceCny: Cny,
  shortValueCny: Cny,
  longValueCny: Cny,
  profitCny: Cny,
  complianceCostCny: Cny,
  fineCny: Cny,
  cashCny: Cny,
  deadline: Type.String({ description: 'YYYY-MM-DD' }),
  deadlineTsMs: Type.Integer({ description: "the deadline day's close, exchange epoch ms" }),
  deadlineTime: Type.String({ description: "the deadline day's close, China Standard Time" }),
  warnFromTsMs: Type.Integer(),
  warnFrom: Type.String({ description: 'from when students are warned, China Standard Time' }),
  warning: Type.Boolean({ description: 'the exchange time now is past warnFrom and before the deadline' }),
  status: Status,
  autoSurrender: Type.Boolean(),
  away: Type.Boolean(),
});

export function positionView(room: Classroom, p: PositionView) {
  const now = room.nowTsMs;
  return {
    studentId: p.studentId,
    name: p.name,
    firmName: p.firmName,
    marketId: p.marketId,
    instrumentId: p.instrumentId,
    obligationT: p.obligationT,
    heldT: p.heldT,
    surrenderedT: p.surrenderedT,
    shortT: p.shortT,
    longT: p.longT,
    lastPriceCny: cny(p.lastPriceFen),
    shortValueCny: cny(p.shortValueFen),
    longValueCny: cny(p.longValueFen),
    profitCny: cny(p.profitFen),
    complianceCostCny: cny(p.complianceCostFen),
    fineCny: cny(p.fineFen),
    cashCny: cny(p.cashFen),
    deadline: p.deadline,
    deadlineTsMs: p.deadlineTsMs,
    deadlineTime: cstTime(p.deadlineTsMs),
    warnFromTsMs: p.warnFromTsMs,
    warnFrom: cstTime(p.warnFromTsMs),
    warning: now >= p.warnFromTsMs && now < p.deadlineTsMs,
    status: p.status,
    autoSurrender: p.autoSurrender,
    away: p.away,
  };
}

export const DebriefOut = Out({
  round: Type.Integer({ description: '0 for a practice round' }),
  practice: Type.Boolean(),
  marketId: Type.String(),
  instrumentId: Type.String(),
  days: Type.Array(
    Out({
      date: Type.String(),
      closeCny: Nullable(Cny),
      volumeT: T,
      fairValueCny: Nullable(Type.String({ description: "the model's public valuation that morning" })),
    }),
  ),
  events: Type.Array(
    Out({
      date: Type.String(),
      time: Type.String(),
      title: Type.String({ description: 'in English' }),
      text: Type.String({ description: 'in English' }),
      kind: Nullable(Type.String({ description: "the news item's kind (see the news route), null when it has none" })),
      params: Type.Record(Type.String(), Type.Union([Type.String(), Type.Number()])),
      titleZh: Nullable(Type.String()),
      textZh: Nullable(Type.String()),
    }),
  ),
  students: Type.Array(
    Out({
      name: Type.String({ description: 'the pseudonym (S01 ...) unless the instructor asked for names' }),
      pseudonym: Type.String(),
      you: Type.Boolean({ description: "the caller's own row" }),
      firmName: Type.String(),
      boughtT: T,
      soldT: T,
      status: Status,
      fineCny: Cny,
      profitCny: Cny,
      complianceCostCny: Cny,
    }),
  ),
  bots: Out({ boughtT: T, soldT: T, shareOfVolumeBps: Type.Integer() }),
  compliance: Out({ met: Type.Integer(), short: Type.Integer(), open: Type.Integer(), finesCny: Cny }),
});

/**
 * The debrief for a caller: names only when asked by the instructor; a student's own row marked, and only theirs
 * when `onlyOwn` (the leaderboard is hidden from students: the class's totals stay).
 */
export function debriefView(d: Debrief, opts: { names: boolean; studentId: number | null; onlyOwn: boolean }) {
  return {
    round: d.round,
    practice: d.practice,
    marketId: d.marketId,
    instrumentId: d.instrumentId,
    days: d.days.map((x) => ({
      date: x.date,
      closeCny: x.closeFen === null ? null : cny(x.closeFen),
      volumeT: x.volumeT,
      fairValueCny: x.fairValueFen === null ? null : cny(x.fairValueFen),
    })),
    events: d.events.map((e) => ({ date: e.date, ...newsFields(e) })),
    students: d.students
      .filter((s) => !opts.onlyOwn || s.studentId === opts.studentId)
      .map((s) => ({
        name: opts.names ? s.name : pseudonym(s.studentId),
        pseudonym: pseudonym(s.studentId),
        you: s.studentId === opts.studentId,
        firmName: s.firmName,
        boughtT: s.boughtT,
        soldT: s.soldT,
        status: s.status,
        fineCny: cny(s.fineFen),
        profitCny: cny(s.profitFen),
        complianceCostCny: cny(s.complianceCostFen),
      })),
    bots: d.bots,
    compliance: {
      met: d.compliance.met,
      short: d.compliance.short,
      open: d.compliance.open,
      finesCny: cny(d.compliance.finesFen),
    },
  };
}
