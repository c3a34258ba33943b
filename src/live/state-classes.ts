// Every class whose instances make up a classroom's state, for snapshots: an object the freshly built classroom
// does not have yet (an account opened, a level created, a day's accumulator) is recreated from its class's
// prototype, found here by name. A class missing from this list shows up as SNAP_ERR_CLASS in the snapshot tests.
import { Engine } from '../engine/engine.ts';
import { IdIndex } from '../engine/id-index.ts';
import { AccountOrders, Level, LevelPool } from '../engine/level.ts';
import { OrderStore } from '../engine/order-store.ts';
import { SideBook } from '../engine/side-book.ts';
import { DayStats } from '../engine/stats.ts';
import { AuctionDesk } from '../market/auction.ts';
import { BlockDesk } from '../market/block.ts';
import { TradingCalendar } from '../market/calendar.ts';
import { ComplianceBook } from '../market/compliance/book.ts';
import { EntityRegistry } from '../market/compliance/entities.ts';
import { Accumulator, DailyStats } from '../market/daily-stats.ts';
import { ProjectRegistry } from '../market/green-certs.ts';
import { Account, Holding, Ledger } from '../market/ledger.ts';
import { ListedDesk } from '../market/listed.ts';
import { Market } from '../market/market.ts';
import { RepoDesk } from '../market/repo.ts';
import { BlockBoard } from '../sim/agents/block-board.ts';
import { ComplianceAgent } from '../sim/agents/compliance.ts';
import { Dealer, NoiseTrader, OffsetSupplier, Speculator } from '../sim/agents/traders.ts';
import { Venue } from '../sim/agents/venue.ts';
import { Belief } from '../sim/belief.ts';
import { Rng } from '../sim/rng.ts';
import { SimSession } from '../sim/session.ts';
import { Classroom } from './classroom.ts';

export const STATE_CLASSES: readonly (abstract new (...args: never[]) => unknown)[] = [
  Engine,
  IdIndex,
  AccountOrders,
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
  Accumulator,
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
  NoiseTrader,
  OffsetSupplier,
  Speculator,
  Venue,
  Belief,
  Rng,
  SimSession,
  Classroom,
];
