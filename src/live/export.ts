// The class's record as CSV for the instructor: the students' orders, the trades, the positions and each round's
// results. RFC 4180 (a header row, CRLF line ends, a field with a comma, quote or line break quoted and its quotes
// doubled); money in CNY with two decimals, times as China Standard Time text, tonnes as whole numbers. Students
// appear as stable pseudonyms (S01 for student 1, S02 for student 2 ... the same in every file and round) unless the
// instructor asks for names. Built from the classroom's read models only; the columns are documented in
// docs/classroom.md ("Export"). Orders, trades and positions are the current round's (an earlier round's world is
// gone once the next begins); results hold every round.
import { fenToYuan } from '../market/money.ts';
import { cstClockText, cstDate } from '../market/time.ts';
import type { Classroom } from './classroom.ts';

export const EXPORT_TABLES = ['orders', 'trades', 'positions', 'results'] as const;
export type ExportTable = (typeof EXPORT_TABLES)[number];

export interface ExportOptions {
  /** Students' names instead of pseudonyms. */
  readonly names: boolean;
  /** Results: only this round's rows. */
  readonly round?: number;
}

type Cell = string | number | boolean | null;

/** The table as CSV text. */
export function exportCsv(room: Classroom, table: ExportTable, opts: ExportOptions): string {
  const [header, all] = TABLES[table](room, who(room, opts));
  const rows = opts.round === undefined ? all : all.filter((r) => r[0] === opts.round);
  return `${[header, ...rows].map((r) => r.map(field).join(',')).join('\r\n')}\r\n`;
}

/** A student's pseudonym: S and their id, two digits at least (S01, S02 ... S120). */
export function pseudonym(studentId: number): string {
  return `S${String(studentId).padStart(2, '0')}`;
}

/** "YYYY-MM-DD HH:MM:SS", China Standard Time. */
export function cstSecondText(tsMs: number): string {
  const s = Math.floor((((tsMs % 60_000) + 60_000) % 60_000) / 1000);
  return `${cstDate(tsMs)} ${cstClockText(tsMs)}:${String(s).padStart(2, '0')}`;
}

type Who = (studentId: number) => string;

function who(room: Classroom, opts: ExportOptions): Who {
  return (studentId) => (opts.names ? (room.student(studentId)?.name ?? pseudonym(studentId)) : pseudonym(studentId));
}

const TABLES: Record<ExportTable, (room: Classroom, name: Who) => [string[], Cell[][]]> = {
  orders: (room, name) => {
    const header = [
      'round',
      'student',
      'firm',
      'order_id',
      'time_cst',
      'market',
      'instrument',
      'side',
      'tif',
      'price_cny',
      'qty_t',
      'filled_t',
      'resting_t',
      'status',
      'client_order_id',
    ];
    const round = room.round().number;
    const rows = room
      .studentList()
      .flatMap((s) =>
        room
          .studentOrders(s.studentId)
          .map((o) => [
            round,
            name(s.studentId),
            s.firmName,
            o.orderId,
            cstSecondText(o.tsMs),
            o.marketId,
            o.instrumentId,
            o.side,
            o.tif,
            o.priceFen === null ? null : fenToYuan(o.priceFen),
            o.qtyT,
            o.filledT,
            room.restingT(o),
            room.orderStatus(o),
            o.clientOrderId ?? null,
          ]),
      );
    rows.sort((a, b) => String(a[4]).localeCompare(String(b[4])) || Number(a[3]) - Number(b[3]));
    return [header, rows];
  },

  trades: (room, name) => {
    const header = [
      'round',
      'trade_id',
      'time_cst',
      'market',
      'instrument',
      'mode',
      'price_cny',
      'qty_t',
      'value_cny',
      'buyer',
      'seller',
      'buyer_fee_cny',
      'seller_fee_cny',
      'aggressor',
    ];
    const round = room.round().number;
    const byAccount = new Map(room.studentList().map((s) => [s.accountId, s.studentId]));
    const party = (accountId: number, mode: string, seller: boolean): string => {
      const id = byAccount.get(accountId);
      if (id !== undefined) return name(id);
      return seller && mode === 'auction' ? 'reserve' : 'bot';
    };
    const rows = room
      .marketList()
      .flatMap((m) =>
        room
          .trades(m.id)
          .map((t) => [
            round,
            t.tradeId,
            cstSecondText(t.tsMs),
            t.marketId,
            t.instrumentId,
            t.mode,
            fenToYuan(t.priceFen),
            t.qtyT,
            fenToYuan(t.priceFen * t.qtyT),
            party(t.buyerId, t.mode, false),
            party(t.sellerId, t.mode, true),
            fenToYuan(t.buyerFeeFen),
            fenToYuan(t.sellerFeeFen),
            t.aggressor,
          ]),
      );
    return [header, rows];
  },

  positions: (room, name) => {
    const header = [
      'round',
      'student',
      'firm',
      'market',
      'instrument',
      'obligation_t',
      'held_t',
      'surrendered_t',
      'short_t',
      'long_t',
      'last_price_cny',
      'short_value_cny',
      'long_value_cny',
      'cash_cny',
      'profit_cny',
      'compliance_cost_cny',
      'fine_cny',
      'status',
      'deadline',
      'auto_surrender',
    ];
    const round = room.round().number;
    const rows = room
      .positions()
      .map((p) => [
        round,
        name(p.studentId),
        p.firmName,
        p.marketId,
        p.instrumentId,
        p.obligationT,
        p.heldT,
        p.surrenderedT,
        p.shortT,
        p.longT,
        fenToYuan(p.lastPriceFen),
        fenToYuan(p.shortValueFen),
        fenToYuan(p.longValueFen),
        fenToYuan(p.cashFen),
        fenToYuan(p.profitFen),
        fenToYuan(p.complianceCostFen),
        fenToYuan(p.fineFen),
        p.status,
        p.deadline,
        p.autoSurrender,
      ]);
    return [header, rows];
  },

  results: (room, name) => {
    const header = [
      'round',
      'practice',
      'roles',
      'deadline',
      'ended_cst',
      'student',
      'firm',
      'profit_cny',
      'compliance_cost_cny',
      'fine_cny',
      'status',
    ];
    const rows: Cell[][] = [];
    for (const r of room.roundResults())
      for (const s of r.students)
        rows.push([
          r.number,
          r.practice,
          r.roles,
          r.deadline,
          cstSecondText(r.endedTsMs),
          name(s.studentId),
          s.firmName,
          fenToYuan(s.profitFen),
          fenToYuan(s.complianceCostFen),
          fenToYuan(s.fineFen),
          s.status,
        ]);
    // The round still trading, as it stands (no end time yet).
    const now = room.round();
    if (now.phase === 'trading')
      for (const p of room.positions())
        rows.push([
          now.number,
          now.practice,
          now.roles,
          now.deadline,
          null,
          name(p.studentId),
          p.firmName,
          fenToYuan(p.profitFen),
          fenToYuan(p.complianceCostFen),
          fenToYuan(p.fineFen),
          p.status,
        ]);
    return [header, rows];
  },
};

/**
 * One field: quoted when RFC 4180 needs it. Text a spreadsheet would run as a formula (a name starting with =, +, -
 * or @) is prefixed with an apostrophe; numbers are written as they are.
 */
function field(v: Cell): string {
  if (v === null) return '';
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  const s = /^[=+\-@\t\r]/.test(v) && !/^-?\d+(\.\d+)?$/.test(v) ? `'${v}` : v;
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}
