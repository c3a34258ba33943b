// Request and response schemas (JSON Schema via TypeBox): fastify validates requests with them, serializes
// responses with them, and /docs shows them. Requests refuse unknown fields; responses list their fields.
import Type, { type TSchema } from 'typebox';

const Strict = { additionalProperties: false } as const;
export const Cny = Type.String({
  pattern: '^\\d{1,9}(\\.\\d{1,2})?$',
  description: 'CNY, e.g. "97.25"',
  maxLength: 12,
});
const SignedCny = Type.String({ description: 'CNY, may be negative' });
export const QtyT = Type.Integer({ minimum: 1, maximum: 1_000_000_000, description: 'tonnes' });
export const Id = Type.Integer({ minimum: 1, maximum: Number.MAX_SAFE_INTEGER });
const Name = Type.String({ minLength: 1, maxLength: 40 });
const Ident = Type.String({ minLength: 1, maxLength: 40, pattern: '^[A-Za-z0-9_.-]+$' });
export const SideS = Type.Union([Type.Literal('buy'), Type.Literal('sell')]);
/** A student's own id for an order (FIX's ClOrdID): cancel by it, and a retried submit cannot place the order twice. */
export const ClientOrderId = Type.String({
  minLength: 1,
  maxLength: 36,
  pattern: '^[A-Za-z0-9_.:-]+$',
  description: 'your own id for the order (letters, digits, _ . : -), unique among your resting orders',
});
const Tif = Type.Union([Type.Literal('day'), Type.Literal('gtc'), Type.Literal('ioc'), Type.Literal('fok')]);

/** A response object: these fields documented and serialized. */
const Out = (props: Record<string, TSchema>) => Type.Object(props, { additionalProperties: false });
const Nullable = (t: TSchema) => Type.Union([t, Type.Null()]);

export const ErrorOut = Out({
  error: Out({
    code: Type.String(),
    message: Type.String(),
    params: Type.Optional(
      Type.Record(Type.String(), Type.String(), { description: "the values the message names, by its code's form" }),
    ),
  }),
});
export const errors = {
  400: ErrorOut,
  401: ErrorOut,
  403: ErrorOut,
  404: ErrorOut,
  409: ErrorOut,
  413: ErrorOut,
  415: ErrorOut,
  422: ErrorOut,
  429: ErrorOut,
  500: ErrorOut,
  503: ErrorOut,
};

export const ClassroomParams = Type.Object({ cid: Ident }, Strict);
export const MarketParams = Type.Object({ cid: Ident, mid: Ident }, Strict);
export const OrderParams = Type.Object({ orderId: Id }, Strict);
export const ClientOrderParams = Type.Object({ clientOrderId: ClientOrderId }, Strict);
export const ProposalParams = Type.Object({ proposalId: Id }, Strict);
export const StudentParams = Type.Object({ cid: Ident, studentId: Id }, Strict);
export const InstrumentQuery = Type.Object(
  {
    instrument: Ident,
    levels: Type.Optional(Type.Integer({ minimum: 1, maximum: 50 })),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1_000 })),
    minutes: Type.Optional(Type.Integer({ minimum: 1, maximum: 240 })),
  },
  Strict,
);

export const JoinBody = Type.Object({ code: Type.String({ minLength: 1, maxLength: 20 }), name: Name }, Strict);
export const OrderBody = Type.Object(
  {
    marketId: Ident,
    instrumentId: Ident,
    side: SideS,
    priceCny: Nullable(Cny),
    qtyT: QtyT,
    tif: Tif,
    clientOrderId: Type.Optional(ClientOrderId),
  },
  Strict,
);
export const AmendBody = Type.Object({ priceCny: Cny, qtyT: QtyT }, Strict);
export const TakeBody = Type.Object({ marketId: Ident, instrumentId: Ident, listingId: Id, qtyT: QtyT }, Strict);
export const BlockBody = Type.Object(
  {
    marketId: Ident,
    instrumentId: Ident,
    side: SideS,
    priceCny: Cny,
    qtyT: QtyT,
    toStudentId: Type.Optional(Nullable(Id)),
  },
  Strict,
);
export const CounterBody = Type.Object({ priceCny: Cny, qtyT: QtyT }, Strict);
export const SurrenderBody = Type.Object({ instrumentId: Ident, qtyT: QtyT }, Strict);
export const CreateClassroomBody = Type.Object(
  {
    name: Name,
    scenario: Type.Optional(Ident),
    speed: Type.Optional(Type.Number({ minimum: 1, maximum: 3_600 })),
    botIntensity: Type.Optional(Type.Number({ minimum: 0, maximum: 10 })),
    seed: Type.Optional(Type.Integer({ minimum: 0, maximum: 2 ** 31 - 1 })),
  },
  Strict,
);
export const StudentsBody = Type.Object({ names: Type.Array(Name, { minItems: 1, maxItems: 200 }) }, Strict);
export const ShockBody = Type.Object({ index: Type.Integer({ minimum: 0, maximum: 10_000 }) }, Strict);
export const DeadlineBody = Type.Object({ date: Type.String({ pattern: '^\\d{4}-\\d{2}-\\d{2}$' }) }, Strict);
export const SettingsBody = Type.Object(
  {
    speed: Type.Optional(Type.Number({ minimum: 1, maximum: 3_600 })),
    botIntensity: Type.Optional(Type.Number({ minimum: 0, maximum: 10 })),
    seats: Type.Optional(
      Nullable(
        Type.Integer({
          minimum: 0,
          maximum: 200,
          description: 'most students the classroom takes (null: no cap); not fewer than have joined',
        }),
      ),
    ),
    autoSurrender: Type.Optional(
      Type.Boolean({ description: "automatic surrender for the whole class (resets each student's own switch)" }),
    ),
    leaderboardVisible: Type.Optional(Type.Boolean({ description: 'whether students see the leaderboard' })),
  },
  Strict,
);

// ---- responses ------------------------------------------------------------------------------------------------

export const ClassroomOut = Out({
  id: Type.String(),
  name: Type.String(),
  state: Type.String(),
  clock: Out({
    tsMs: Type.Number(),
    time: Type.String(),
    date: Type.String(),
    speed: Type.Number(),
    session: Type.String(),
  }),
  botIntensity: Type.Number(),
  markets: Type.Array(
    Out({ id: Type.String(), name: Type.String(), instruments: Type.Array(Type.String()), primary: Type.String() }),
  ),
  deadline: Type.String(),
  round: Out({
    number: Type.Integer({ description: '1, 2, 3 ... for the rounds that count; 0 for a practice round' }),
    practice: Type.Boolean(),
    phase: Type.Union([Type.Literal('lobby'), Type.Literal('trading'), Type.Literal('over')], {
      description: 'lobby: students join, nobody trades yet; trading; over: trading stopped, results kept',
    }),
    roles: Type.Union([Type.Literal('fixed'), Type.Literal('redraw')]),
    deadline: Type.String({ description: "the round's compliance deadline, YYYY-MM-DD" }),
  }),
  beforeRounds: Type.Boolean({
    description: 'a class started before rounds: its one round runs to the end of its period (reset it for rounds)',
  }),
  leaderboardVisible: Type.Boolean({ description: 'whether students see the leaderboard' }),
  autoSurrender: Type.Boolean({
    description: "the class's automatic surrender on the deadline day (a student may switch their own)",
  }),
});

const Level = Out({ priceCny: Type.String(), qtyT: Type.Integer(), orders: Type.Integer() });
const Listing = Out({ listingId: Type.Integer(), priceCny: Type.String(), qtyT: Type.Integer() });
export const DepthOut = Out({
  instrumentId: Type.String(),
  seq: Type.Integer(),
  bids: Type.Array(Level),
  asks: Type.Array(Level),
  listings: Out({ bids: Type.Array(Listing), asks: Type.Array(Listing) }),
});
export const TradeOut = Out({
  tradeId: Type.Integer(),
  tsMs: Type.Number(),
  time: Type.String(),
  marketId: Type.String(),
  instrumentId: Type.String(),
  mode: Type.String(),
  priceCny: Type.String(),
  qtyT: Type.Integer(),
  aggressor: Nullable(Type.String()),
});
export const BarOut = Out({
  date: Type.String(),
  instrumentId: Type.String(),
  mode: Type.String(),
  open: Nullable(Type.String()),
  high: Nullable(Type.String()),
  low: Nullable(Type.String()),
  close: Nullable(Type.String()),
  volumeT: Type.Integer(),
  turnoverCny: Type.String(),
});
export const CandleOut = Out({
  tsMs: Type.Number(),
  open: Type.String(),
  high: Type.String(),
  low: Type.String(),
  close: Type.String(),
  volumeT: Type.Integer(),
});
export const LeaderboardOut = Out({
  byProfit: Type.Array(
    Out({ rank: Type.Integer(), name: Type.String(), studentId: Type.Integer(), profitCny: SignedCny }),
  ),
  byComplianceCost: Type.Array(
    Out({ rank: Type.Integer(), name: Type.String(), studentId: Type.Integer(), costCny: SignedCny }),
  ),
});
const Holding = Out({
  instrumentId: Type.String(),
  totalT: Type.Integer(),
  reservedT: Type.Integer(),
  lockedT: Type.Integer(),
  availableT: Type.Integer(),
});
export const AccountOut = Out({
  cashCny: Type.String(),
  reservedCny: Type.String(),
  availableCny: Type.String(),
  holdings: Type.Array(Holding),
});
export const ComplianceOut = Out({
  cycle: Type.String(),
  deadline: Type.String(),
  obligationT: Type.Integer(),
  surrenderedT: Type.Integer(),
  remainingT: Type.Integer(),
  offsetCapT: Type.Integer(),
  shortfallT: Type.Integer(),
  fineCny: Type.String(),
  status: Type.String(),
});
export const MeOut = Out({
  studentId: Type.Integer(),
  name: Type.String(),
  firm: Type.String(),
  accountId: Type.Integer(),
  classroomId: Type.String(),
  marketId: Type.String(),
  account: AccountOut,
  compliance: Nullable(ComplianceOut),
});
export const OrderOut = Out({
  orderId: Type.Integer(),
  marketId: Type.String(),
  instrumentId: Type.String(),
  side: Type.String(),
  priceCny: Nullable(Type.String()),
  qtyT: Type.Integer(),
  filledT: Type.Integer(),
  restingT: Type.Integer(),
  tif: Type.String(),
  status: Type.String(),
  clientOrderId: Nullable(Type.String()),
  tsMs: Type.Number(),
  time: Type.String(),
});
export const FillOut = Out({
  tradeId: Type.Integer(),
  orderId: Nullable(Type.Integer()),
  marketId: Type.String(),
  instrumentId: Type.String(),
  side: Type.String(),
  priceCny: Type.String(),
  qtyT: Type.Integer(),
  feeCny: Type.String(),
  mode: Type.String(),
  tsMs: Type.Number(),
  time: Type.String(),
});
export const AckOut = Out({ orderId: Type.Integer(), filledT: Type.Integer(), restingT: Type.Integer() });
export const CancelOut = Out({ orderId: Type.Integer(), cancelledT: Type.Integer() });
export const ProposalOut = Out({
  proposalId: Type.Integer(),
  marketId: Type.String(),
  instrumentId: Type.String(),
  side: Type.String(),
  priceCny: Type.String(),
  qtyT: Type.Integer(),
  from: Type.String(),
  fromStudentId: Nullable(Type.Integer()),
  to: Nullable(Type.String()),
  status: Type.String(),
  mine: Type.Boolean(),
  toYou: Type.Boolean(),
  tsMs: Type.Number(),
});
export const JoinOut = Out({
  token: Type.String(),
  classroomId: Type.String(),
  studentId: Type.Integer(),
  accountId: Type.Integer(),
  name: Type.String(),
});
export const MarketRulesOut = Type.Object({}, { additionalProperties: true, description: 'the market rules in force' });
export const ReportOut = Type.Object({}, { additionalProperties: true, description: 'the final report' });
export const AnyObject = Type.Object({}, { additionalProperties: true });

// ---- auctions of the government reserve ----------------------------------------------------------------------

const AuctionId = Type.String({ pattern: '^A\\d{1,6}$', description: 'e.g. "A1"' });
const BidId = Type.String({ pattern: '^B\\d{1,12}$', description: 'e.g. "B7"' });
export const AuctionParams = Type.Object({ auctionId: AuctionId }, Strict);
export const BidParams = Type.Object({ auctionId: AuctionId, bidId: BidId }, Strict);
export const AuctionBody = Type.Object(
  {
    qtyT: Type.Integer({ minimum: 1, maximum: 100_000_000, description: 'tonnes offered from the reserve' }),
    reservePriceCny: Cny,
    minutes: Type.Integer({
      minimum: 1,
      maximum: 240,
      description: 'trading minutes the bidding stays open (the lunch break does not count); it must end today',
    }),
    allocation: Type.Optional(
      Type.Union([Type.Literal('pay-as-bid'), Type.Literal('uniform')], {
        description: "default: the market's rule",
      }),
    ),
  },
  Strict,
);
export const BidBody = Type.Object({ priceCny: Cny, qtyT: QtyT }, Strict);

export const AuctionOut = Out({
  auctionId: Type.String(),
  marketId: Type.String(),
  instrumentId: Type.String(),
  qtyT: Type.Integer(),
  reservePriceCny: Type.String(),
  allocation: Type.String(),
  status: Type.Union([Type.Literal('open'), Type.Literal('closed'), Type.Literal('withdrawn')], {
    description: 'withdrawn: the class ended while bidding was open (nothing sold, bids cancelled)',
  }),
  opensTsMs: Type.Number(),
  closesTsMs: Type.Number(),
  opens: Type.String(),
  closes: Type.String(),
  outcome: Nullable(
    Out({
      soldT: Type.Integer(),
      unsoldT: Type.Integer(),
      bidCount: Type.Integer(),
      winners: Type.Integer(),
      clearingPriceCny: Nullable(Type.String()),
      averagePriceCny: Nullable(Type.String()),
      lowPriceCny: Nullable(Type.String()),
      highPriceCny: Nullable(Type.String()),
      closedTsMs: Type.Number(),
    }),
  ),
});
export const BidOut = Out({
  bidId: Type.String(),
  auctionId: Type.String(),
  priceCny: Type.String(),
  qtyT: Type.Integer(),
  status: Type.String(),
  filledT: Type.Integer(),
  fillPriceCny: Nullable(Type.String()),
  tsMs: Type.Number(),
  time: Type.String(),
});
export const AuctionResultsOut = Out({
  auction: AuctionOut,
  allocations: Nullable(
    Type.Array(
      Out({
        bidId: Type.String(),
        studentId: Nullable(Type.Integer()),
        name: Type.String(),
        qtyT: Type.Integer(),
        priceCny: Type.String(),
        valueCny: Type.String(),
      }),
    ),
  ),
});

export { NewsOut, TimelineOut } from './news-schemas.ts';
