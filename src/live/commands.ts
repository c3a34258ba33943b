// Everything that changes a classroom, as data. The server turns each request into a LiveCommand and applies it
// here; an accepted command is what the journal keeps, and replaying the same commands on a classroom built from
// the same settings gives the same state (the classroom is deterministic: time reaches it only as `tick` commands,
// never from a clock). A refused command changes nothing and is not kept.
import type { OrderAck } from '../market/listed.ts';
import type { SideName } from '../market/trade.ts';
import type { AuctionInput } from './auctions.ts';
import type { Classroom, ClassroomState, OrderInput } from './classroom.ts';
import { LiveCode, type LiveResult, refuse } from './errors.ts';

export type LiveCommand =
  /** Exchange time moves on by `exchangeMs` (the server's wall clock times the speed); the bots trade up to it. */
  | { readonly op: 'tick'; readonly exchangeMs: number }
  | { readonly op: 'start' | 'pause' | 'resume' | 'end' }
  | { readonly op: 'speed'; readonly speed: number }
  | { readonly op: 'bots'; readonly intensity: number }
  | { readonly op: 'fire'; readonly index: number }
  | { readonly op: 'deadline'; readonly date: string }
  | { readonly op: 'join'; readonly name: string }
  /** The instructor caps the seats (null: no cap). */
  | { readonly op: 'seats'; readonly seats: number | null }
  /** The instructor revokes a student's token. */
  | { readonly op: 'revoke'; readonly studentId: number }
  | ({ readonly op: 'order'; readonly studentId: number } & OrderInput)
  | {
      readonly op: 'take';
      readonly studentId: number;
      readonly marketId: string;
      readonly instrumentId: string;
      readonly listingId: number;
      readonly qtyT: number;
    }
  | {
      readonly op: 'amend';
      readonly studentId: number;
      readonly orderId: number;
      readonly priceFen: number;
      readonly qtyT: number;
    }
  | { readonly op: 'cancel'; readonly studentId: number; readonly orderId: number }
  | {
      readonly op: 'block';
      readonly studentId: number;
      readonly marketId: string;
      readonly instrumentId: string;
      readonly side: SideName;
      readonly priceFen: number;
      readonly qtyT: number;
      readonly toStudentId: number | null;
    }
  | {
      readonly op: 'respond';
      readonly studentId: number;
      readonly marketId: string;
      readonly proposalId: number;
      readonly action: 'accept' | 'reject' | 'counter';
      readonly priceFen: number;
      readonly qtyT: number;
    }
  | { readonly op: 'surrender'; readonly studentId: number; readonly instrumentId: string; readonly qtyT: number }
  | ({ readonly op: 'auction' } & AuctionInput)
  | {
      readonly op: 'bid';
      readonly studentId: number;
      readonly auctionId: string;
      readonly priceFen: number;
      readonly qtyT: number;
    }
  | { readonly op: 'cancel-bid'; readonly studentId: number; readonly auctionId: string; readonly bidId: string };

export type LiveOp = LiveCommand['op'];
export type CommandOf<K extends LiveOp> = Extract<LiveCommand, { readonly op: K }>;

type Results = {
  tick: number;
  start: ClassroomState;
  pause: ClassroomState;
  resume: ClassroomState;
  end: ClassroomState;
  speed: number;
  bots: number;
  fire: ReturnType<Classroom['fire']>;
  deadline: ReturnType<Classroom['moveDeadline']>;
  join: ReturnType<Classroom['addStudent']>;
  seats: ReturnType<Classroom['setSeats']>;
  revoke: ReturnType<Classroom['revokeStudent']>;
  order: LiveResult<OrderAck>;
  take: LiveResult<OrderAck>;
  amend: LiveResult<OrderAck>;
  cancel: ReturnType<Classroom['cancel']>;
  block: ReturnType<Classroom['proposeBlock']>;
  respond: ReturnType<Classroom['respondBlock']>;
  surrender: ReturnType<Classroom['surrender']>;
  auction: ReturnType<Classroom['announceAuction']>;
  bid: ReturnType<Classroom['bidAuction']>;
  'cancel-bid': ReturnType<Classroom['cancelAuctionBid']>;
};
type Value<R> = [Extract<R, { readonly ok: true }>] extends [never]
  ? R
  : Extract<R, { readonly ok: true }> extends { readonly value: infer V }
    ? V
    : never;
export type ResultOf<K extends LiveOp> = LiveResult<Value<Results[K]>>;

/** Applies one command. Refusals change nothing. */
export function applyCommand<K extends LiveOp>(room: Classroom, cmd: CommandOf<K>): ResultOf<K> {
  return apply(room, cmd) as ResultOf<K>;
}

function apply(room: Classroom, c: LiveCommand): LiveResult<unknown> {
  switch (c.op) {
    case 'tick':
      if (!Number.isFinite(c.exchangeMs) || c.exchangeMs < 0)
        return refuse(LiveCode.BadInput, `a tick of ${c.exchangeMs} ms is not a duration`);
      if (room.state !== 'running') return refuse(LiveCode.NotRunning, `the classroom is ${room.state}`);
      room.advanceExchange(c.exchangeMs);
      return { ok: true, value: room.nowTsMs };
    case 'start':
      return room.start();
    case 'pause':
      return room.pause();
    case 'resume':
      return room.resume();
    case 'end':
      return room.end();
    case 'speed':
      return room.setSpeed(c.speed);
    case 'bots':
      return room.setBotIntensity(c.intensity);
    case 'fire':
      return room.fire(c.index);
    case 'deadline':
      return room.moveDeadline(c.date);
    case 'join':
      return room.addStudent(c.name);
    case 'seats':
      return room.setSeats(c.seats);
    case 'revoke':
      return room.revokeStudent(c.studentId);
    case 'order':
      // The command is an OrderInput already (the classroom copies what it passes on): no copy per order here.
      return room.placeOrder(c.studentId, c);
    case 'take':
      return room.take(c.studentId, c.marketId, c.instrumentId, c.listingId, c.qtyT);
    case 'amend':
      return room.amend(c.studentId, c.orderId, c.priceFen, c.qtyT);
    case 'cancel':
      return room.cancel(c.studentId, c.orderId);
    case 'block': {
      const { marketId, instrumentId, side, priceFen, qtyT, toStudentId } = c;
      return room.proposeBlock(c.studentId, { marketId, instrumentId, side, priceFen, qtyT, toStudentId });
    }
    case 'respond':
      return room.respondBlock(c.studentId, c.marketId, c.proposalId, c.action, c.priceFen, c.qtyT);
    case 'surrender':
      return room.surrender(c.studentId, c.instrumentId, c.qtyT);
    case 'auction':
      // An AuctionInput already, as the order command is an OrderInput.
      return room.announceAuction(c);
    case 'bid':
      return room.bidAuction(c.studentId, c.auctionId, c.priceFen, c.qtyT);
    case 'cancel-bid':
      return room.cancelAuctionBid(c.studentId, c.auctionId, c.bidId);
    default:
      return refuse(LiveCode.BadInput, `unknown command ${String((c as { op?: unknown }).op).slice(0, 20)}`);
  }
}

/**
 * Applies journaled commands in order (from a snapshot's position or from the start) and returns the last sequence
 * number applied. Each must be accepted again and none may be missing: the journal holds only accepted commands and
 * the classroom is deterministic, so a refusal or a gap means the journal does not belong to this classroom.
 */
export function replayCommands(
  room: Classroom,
  entries: Iterable<{ readonly seq: number; readonly cmd: LiveCommand }>,
  afterSeq = 0,
  uptoSeq = Number.POSITIVE_INFINITY,
): number {
  let seq = afterSeq;
  for (const e of entries) {
    if (e.seq > uptoSeq) break;
    if (e.seq !== seq + 1) throw new Error(`journal of ${room.id}: entry ${seq + 1} is missing (next is ${e.seq})`);
    const r = applyCommand(room, e.cmd);
    if (!r.ok) throw new Error(`journal of ${room.id}: entry ${e.seq} (${e.cmd.op}) refused: ${r.code}: ${r.message}`);
    seq = e.seq;
  }
  return seq;
}
