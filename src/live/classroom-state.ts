// Every class whose instances make up a classroom's state, for snapshots: an object the freshly built classroom
// does not have yet (an account opened, a level created, a day's accumulator) is recreated from its class's
// prototype, found here by name. A class missing from this list shows up as SNAP_ERR_CLASS in the snapshot tests.
// Fields listed as transient are scratch, not state.
import { Engine } from '../engine/engine.ts';
import { IdIndex } from '../engine/id-index.ts';
import { Level, LevelPool } from '../engine/level.ts';
import { OrderStore } from '../engine/order-store.ts';
import { SideBook } from '../engine/side-book.ts';
import { DayStats } from '../engine/stats.ts';
import { AuctionDesk } from '../market/auction.ts';
import { BlockDesk } from '../market/block.ts';
import { TradingCalendar } from '../market/calendar.ts';
import { ComplianceBook } from '../market/compliance/book.ts';
import { EntityRegistry } from '../market/compliance/entities.ts';
import { DailyStats } from '../market/daily-stats.ts';
import { ProjectRegistry } from '../market/green-certs.ts';
import { Account, Holding, Ledger } from '../market/ledger.ts';
import { ListedDesk } from '../market/listed.ts';
import { Market } from '../market/market.ts';
import { RepoDesk } from '../market/repo.ts';
import { BlockBoard } from '../sim/agents/block-board.ts';
import { ComplianceAgent } from '../sim/agents/compliance.ts';
import { Dealer, Desk, NoiseTrader, OffsetSupplier, Speculator } from '../sim/agents/traders.ts';
import { Venue } from '../sim/agents/venue.ts';
import { MarketOutlook } from '../sim/fundamentals/outlook.ts';
import { Rng } from '../sim/rng.ts';
import { SimSession } from '../sim/session.ts';
import { Auctions } from './auctions.ts';
import { Blocks } from './blocks.ts';
import { Classroom } from './classroom.ts';
import { Compliance } from './compliance.ts';
import { RoomContext } from './context.ts';
import { MarketData } from './market-data.ts';
import { Orders } from './orders.ts';
import { Presence } from './presence.ts';
import { Rounds } from './rounds.ts';
import { type CodecClasses, encodeState, restoreState } from './snapshot.ts';
import { Students } from './students.ts';
import { Timeline } from './timeline.ts';

const classes: readonly (abstract new (...args: never[]) => unknown)[] = [
  Engine,
  IdIndex,
  Level,
  LevelPool,
  OrderStore,
  SideBook,
  DayStats,
  AuctionDesk,
  BlockDesk,
  TradingCalendar,
  ComplianceBook,
  EntityRegistry,
  DailyStats,
  ProjectRegistry,
  Account,
  Holding,
  Ledger,
  ListedDesk,
  Market,
  RepoDesk,
  BlockBoard,
  ComplianceAgent,
  Dealer,
  Desk,
  MarketOutlook,
  NoiseTrader,
  OffsetSupplier,
  Speculator,
  Venue,

  Rng,
  SimSession,
  Classroom,
  RoomContext,
  Students,
  Orders,
  Blocks,
  MarketData,
  Timeline,
  Compliance,
  Auctions,
  Rounds,
  Presence,
];

/**
 * The classroom's codec: its classes, and the fields that are scratch. The engine keeps the last rejection's
 * code and values only to word its message; a refused command must leave the state (and its hash) as it was.
 */
export const CLASSROOM_CODEC: CodecClasses = {
  // The classroom in slices sharing one context (issue 21); -2: the markets' daily accumulators are the engine's
  // DayStats; rounds-1: a class in rounds (rounds.ts, presence.ts; the round's slices built again with each world).
  // Snapshots of an earlier layout do not restore: the server skips them and replays the journal from the start.
  layout: 'classroom-rounds-1',
  classes,
  transient: {
    Engine: ['lastRejectCode', 'lastRejectValue', 'lastRejectLimit'],
    // An index of the students' orders, rebuilt from them after a restore.
    Orders: ['byClientId'],
    // Trades not yet settled: none between commands, when snapshots are taken.
    RoomContext: ['pendingTrades'],
    // Lookups kept for speed (the agent finds its holdings again).
    ComplianceAgent: ['heldRef', 'creditsRef'],
  },
};

/** A classroom's whole state as text (snapshots, and the state hash). */
export function encodeClassroom(room: Classroom): string {
  return encodeState(room, room.statics(), CLASSROOM_CODEC);
}

/** Writes a snapshot into `room`, freshly built with the same settings; throws SnapshotError when it does not fit. */
export function restoreClassroom(room: Classroom, text: string): void {
  restoreState(room, room.statics(), text, CLASSROOM_CODEC);
  room.restored();
}
