// The class's record as CSV for the instructor: the students' orders, the trades, the positions and each round's
// results. RFC 4180 (a header row, CRLF line ends, a field with a comma, quote or line break quoted and its quotes
// doubled); money in CNY with two decimals, times as China Standard Time text, tonnes as whole numbers. Students
// appear as stable pseudonyms (S01 for student 1, S02 for student 2 ... the same in every file and round) unless the
// instructor asks for names. Columns are documented in docs/classroom.md ("Export").
//
// A table is built in two steps: its rows as the core keeps them (fen, tonnes, exchange ms, student ids), then the
// text, column by column as its kind says. So a round can keep its orders, trades and positions as they stood when it
// closed (keptTables, held with the round's results: its world is gone once the next round begins), in integers like
// the rest of the state, and still be written with or without names later. Results hold every round.
import { fenToCny } from '../market/money.ts';
import { cstClockText, cstDate } from '../market/time.ts';
import type { Classroom } from './classroom.ts';

export const EXPORT_TABLES = ['orders', 'trades', 'positions', 'results'] as const;
export type ExportTable = (typeof EXPORT_TABLES)[number];
/** The tables a round keeps when it closes (results are kept anyway). */
export type RoundTable = Exclude<ExportTable, 'results'>;

export interface ExportOptions {
  /** Students' names instead of pseudonyms. */
  readonly names: boolean;
  /** Only this round's rows (results; the others are one round's already). */
  readonly round?: number;
}

/** A raw cell: fen for money, exchange ms for times, a student id for a student. */
export type Cell = string | number | boolean | null;
export type KeptTables = { readonly [T in RoundTable]: readonly (readonly Cell[])[] };

/**
 * How a column is written: as it is; a student (an id: a pseudonym or a name); a party to a trade (a student's id,
 * or 'bot' or 'reserve' as they are); money (fen to CNY); a time (exchange ms to CST text).
 */
type Kind = 'plain' | 'student' | 'cny' | 'time';
type Columns = readonly (readonly [name: string, kind?: Kind])[];

const COLUMNS: Record<ExportTable, Columns> = {
  orders: [
    ['round'],
    ['student', 'student'],
    ['firm'],
    ['order_id'],
    ['time_cst', 'time'],
    ['market'],
    ['instrument'],
    ['side'],
    ['tif'],
    ['price_cny', 'cny'],
    ['qty_t'],
    ['filled_t'],
    ['resting_t'],
    ['status'],
    ['client_order_id'],
  ],
  trades: [
    ['round'],
    ['trade_id'],
    ['time_cst', 'time'],
    ['market'],
    ['instrument'],
    ['mode'],
    ['price_cny', 'cny'],
    ['qty_t'],
    ['value_cny', 'cny'],
    ['buyer', 'student'],
    ['seller', 'student'],
    ['buyer_fee_cny', 'cny'],
    ['seller_fee_cny', 'cny'],
    ['aggressor'],
  ],
  positions: [
    ['round'],
    ['student', 'student'],
    ['firm'],
    ['market'],
    ['instrument'],
    ['obligation_t'],
    ['held_t'],
    ['surrendered_t'],
    ['short_t'],
    ['long_t'],
    ['last_price_cny', 'cny'],
    ['short_value_cny', 'cny'],
    ['long_value_cny', 'cny'],
    ['cash_cny', 'cny'],
    ['profit_cny', 'cny'],
    ['compliance_cost_cny', 'cny'],
    ['fine_cny', 'cny'],
    ['status'],
    ['deadline'],
    ['auto_surrender'],
  ],
  results: [
    ['round'],
    ['practice'],
    ['roles'],
    ['deadline'],
    ['ended_cst', 'time'],
    ['student', 'student'],
    ['firm'],
    ['profit_cny', 'cny'],
    ['compliance_cost_cny', 'cny'],
    ['fine_cny', 'cny'],
    ['status'],
  ],
};

/** The table as CSV text: the round the class is in (results: every round). */
export function exportCsv(room: Classroom, table: ExportTable, opts: ExportOptions): string {
  return writeCsv(room, table, table === 'results' ? resultRows(room) : ROWS[table](room), opts);
}

/** Rows kept earlier (a round's tables) as CSV text. */
export function writeCsv(
  room: Classroom,
  table: ExportTable,
  all: readonly (readonly Cell[])[],
  opts: ExportOptions,
): string {
  const columns = COLUMNS[table];
  const name = (studentId: number): string =>
    opts.names ? (room.student(studentId)?.name ?? pseudonym(studentId)) : pseudonym(studentId);
  const write = (v: Cell, kind: Kind = 'plain'): Cell => {
    if (v === null || typeof v !== 'number') return v;
    if (kind === 'student') return name(v);
    if (kind === 'cny') return fenToCny(v);
    if (kind === 'time') return cstSecondText(v);
    return v;
  };
  const rows = opts.round === undefined ? all : all.filter((r) => r[0] === opts.round);
  const lines = [columns.map(([n]) => n), ...rows.map((r) => r.map((v, i) => write(v, columns[i]?.[1])))];
  return `${lines.map((r) => r.map(field).join(',')).join('\r\n')}\r\n`;
}

/** The orders, trades and positions of the round the class is in, as a round keeps them when it closes. */
export function keptTables(room: Classroom): KeptTables {
  return { orders: ROWS.orders(room), trades: ROWS.trades(room), positions: ROWS.positions(room) };
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

const ROWS: Record<RoundTable, (room: Classroom) => Cell[][]> = {
  orders: (room) => {
    const round = room.round().number;
    const rows = room
      .studentList()
      .flatMap((s) =>
        room
          .studentOrders(s.studentId)
          .map((o) => [
            round,
            s.studentId,
            s.firmName,
            o.orderId,
            o.tsMs,
            o.marketId,
            o.instrumentId,
            o.side,
            o.tif,
            o.priceFen,
            o.qtyT,
            o.filledT,
            room.restingT(o),
            room.orderStatus(o),
            o.clientOrderId ?? null,
          ]),
      );
    // By time, then order id.
    return rows.sort((a, b) => Number(a[4]) - Number(b[4]) || Number(a[3]) - Number(b[3]));
  },

  trades: (room) => {
    const round = room.round().number;
    const byAccount = new Map(room.studentList().map((s) => [s.accountId, s.studentId]));
    // A student's id, else who the other side is: an auction's seller is the government reserve.
    const party = (accountId: number, mode: string, seller: boolean): number | string =>
      byAccount.get(accountId) ?? (seller && mode === 'auction' ? 'reserve' : 'bot');
    return room
      .marketList()
      .flatMap((m) =>
        room
          .trades(m.id)
          .map((t) => [
            round,
            t.tradeId,
            t.tsMs,
            t.marketId,
            t.instrumentId,
            t.mode,
            t.priceFen,
            t.qtyT,
            t.priceFen * t.qtyT,
            party(t.buyerId, t.mode, false),
            party(t.sellerId, t.mode, true),
            t.buyerFeeFen,
            t.sellerFeeFen,
            t.aggressor,
          ]),
      );
  },

  positions: (room) => {
    const round = room.round().number;
    return room
      .positions()
      .map((p) => [
        round,
        p.studentId,
        p.firmName,
        p.marketId,
        p.instrumentId,
        p.obligationT,
        p.heldT,
        p.surrenderedT,
        p.shortT,
        p.longT,
        p.lastPriceFen,
        p.shortValueFen,
        p.longValueFen,
        p.cashFen,
        p.profitFen,
        p.complianceCostFen,
        p.fineFen,
        p.status,
        p.deadline,
        p.autoSurrender,
      ]);
  },
};

/** Each round's results kept, then the round still trading as it stands (no end time yet). */
function resultRows(room: Classroom): Cell[][] {
  const rows: Cell[][] = [];
  for (const r of room.roundResults())
    for (const s of r.students)
      rows.push([
        r.number,
        r.practice,
        r.roles,
        r.deadline,
        r.endedTsMs,
        s.studentId,
        s.firmName,
        s.profitFen,
        s.complianceCostFen,
        s.fineFen,
        s.status,
      ]);
  const now = room.round();
  if (now.phase === 'trading')
    for (const p of room.positions())
      rows.push([
        now.number,
        now.practice,
        now.roles,
        now.deadline,
        null,
        p.studentId,
        p.firmName,
        p.profitFen,
        p.complianceCostFen,
        p.fineFen,
        p.status,
      ]);
  return rows;
}

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
