// The schema of one market entry in data/markets/*.json. Every field that an exchange or ministry may change is
// here as data; the code reads only what this schema guarantees. Units are in the names: Fen (0.01 CNY),
// T (tonnes), Bps (1/10,000), Pct (1/100). Dates 'YYYY-MM-DD', times 'HH:MM' China Standard Time.
import Type from 'typebox';

const DatePattern = '^\\d{4}-\\d{2}-\\d{2}$';
const Date_ = Type.String({ pattern: DatePattern, description: 'a date YYYY-MM-DD' });
const Hhmm = Type.String({ pattern: '^([01]\\d|2[0-3]):[0-5]\\d$', description: 'a time HH:MM' });
const PosInt = Type.Integer({ minimum: 1 });
const NonNegInt = Type.Integer({ minimum: 0 });
const Bps = Type.Integer({ minimum: 0, maximum: 10_000 });
const Strict = { additionalProperties: false } as const;

/** [open, close) windows of one trading day, e.g. [["09:30","11:30"],["13:00","15:00"]]. */
const Sessions = Type.Array(Type.Tuple([Hhmm, Hhmm]), { minItems: 1 });

export const InstrumentSchema = Type.Object(
  {
    id: Type.String({ pattern: '^[A-Z0-9][A-Z0-9-]*$', description: 'an upper-case instrument id like CEA-23' }),
    name: Type.String({ minLength: 1 }),
    kind: Type.Union([Type.Literal('allowance'), Type.Literal('offset'), Type.Literal('inclusive')]),
    /** Allowance vintage: the compliance years it was allocated for, e.g. [2019, 2020]. Empty for credits. */
    vintageYears: Type.Array(Type.Integer({ minimum: 2005, maximum: 2100 })),
    /** Credits: registration window of the reductions this instrument stands for (eligibility rules use it). */
    registeredFrom: Type.Union([Date_, Type.Null()]),
    registeredBefore: Type.Union([Date_, Type.Null()]),
    listedFrom: Date_,
  },
  Strict,
);

const ListedMode = Type.Object(
  {
    sessions: Sessions,
    /**
     * 'best-n': the national listed agreement (a taker picks among the best N levels, any listing at a price);
     * 'price-time': continuous price-time priority; 'best-price': price-time, but an incoming order trades only
     * against the best opposite price (Guangdong: "a taker may only hit the best order"), what would still cross
     * after it is cancelled.
     */
    matching: Type.Union([Type.Literal('best-n'), Type.Literal('price-time'), Type.Literal('best-price')]),
    listedDepth: PosInt,
    bandBps: Bps,
    tickFen: PosInt,
    lotT: PosInt,
    minQtyT: PosInt,
    maxQtyT: PosInt,
    /** Fee per side, in basis points of the trade value, rounded half up to the fen per trade. */
    feeBps: Bps,
  },
  Strict,
);

const BlockMode = Type.Object(
  {
    sessions: Sessions,
    bandBps: Bps,
    tickFen: PosInt,
    lotT: PosInt,
    minQtyT: PosInt,
    feeBps: Bps,
  },
  Strict,
);

const AuctionMode = Type.Object(
  {
    /** 'pay-as-bid': each winner pays its bid; 'uniform': all pay the lowest winning bid. */
    allocation: Type.Union([Type.Literal('pay-as-bid'), Type.Literal('uniform')]),
    tickFen: PosInt,
    lotT: PosInt,
    minBidT: PosInt,
    feeBps: Bps,
  },
  Strict,
);

const OffsetUse = Type.Object(
  {
    instrument: Type.String({ minLength: 1 }),
    /** Last date on which this instrument may be surrendered (null: no end). */
    usableUntil: Type.Union([Date_, Type.Null()]),
    /** First date from which it may be surrendered (null: whenever held). */
    usableFrom: Type.Union([Date_, Type.Null()]),
    /** Reductions from the market's own region (counts toward localMinBps). */
    local: Type.Boolean(),
  },
  Strict,
);

const Offsets = Type.Object(
  {
    /** Cap on offsets surrendered, in basis points of capBasis (500 = 5%). */
    capBps: Bps,
    capBasis: Type.Union([Type.Literal('obligation'), Type.Literal('allocation')]),
    /** Minimum share of offsets from local projects, in basis points (Beijing: at least half). 0 = none. */
    localMinBps: Bps,
    usable: Type.Array(OffsetUse),
  },
  Strict,
);

const Cycle = Type.Object(
  {
    /** Label of the compliance period, e.g. '2019-2020' or '2023'. */
    id: Type.String({ minLength: 1 }),
    /** Emission years whose verified emissions make up the obligation. */
    years: Type.Array(Type.Integer({ minimum: 2005, maximum: 2100 }), { minItems: 1 }),
    deadline: Date_,
    /** May allowances of later vintages be surrendered (borrowing)? */
    borrowing: Type.Boolean(),
    /** 2019-2022 national rule: obligation capped at allocation + this share of verified emissions; null = no cap. */
    obligationCapBpsOfVerified: Type.Union([Bps, Type.Null()]),
  },
  Strict,
);

const Penalty = Type.Object(
  {
    multipleMin: Type.Number({ minimum: 0 }),
    multipleMax: Type.Number({ minimum: 0 }),
    multipleDefault: Type.Number({ minimum: 0 }),
    /** Average price over this many calendar months ending with the deadline's month. */
    priceWindowMonths: PosInt,
    /** The shortfall is deducted from the next year's allocation. */
    deductShortfall: Type.Boolean(),
  },
  Strict,
);

const Banking = Type.Object(
  {
    baseT: NonNegInt,
    /** Net sales multiple, in basis points (15000 = 1.5x). */
    netSalesMultipleBps: NonNegInt,
    windowFromYear: Type.Integer({ minimum: 2005, maximum: 2100 }),
    windowToYear: Type.Integer({ minimum: 2005, maximum: 2100 }),
    /** The cycle after whose deadline the cap applies to carried-forward allowances. */
    appliesAfterCycle: Type.String({ minLength: 1 }),
  },
  Strict,
);

const Compliance = Type.Object(
  {
    /** Pre-allocation share of last year's output x benchmark, basis points (7000 = 70%). */
    preAllocationBps: Bps,
    cycles: Type.Array(Cycle, { minItems: 1 }),
    penalty: Penalty,
    banking: Type.Union([Banking, Type.Null()]),
  },
  Strict,
);

export const MarketSpecSchema = Type.Object(
  {
    id: Type.String({ pattern: '^[a-z][a-z0-9-]*$' }),
    name: Type.String({ minLength: 1 }),
    nameZh: Type.String({ minLength: 1 }),
    exchange: Type.String({ minLength: 1 }),
    kind: Type.Union([Type.Literal('national'), Type.Literal('pilot'), Type.Literal('offset')]),
    opened: Date_,
    instruments: Type.Array(InstrumentSchema, { minItems: 1 }),
    modes: Type.Object(
      {
        listed: ListedMode,
        block: Type.Union([BlockMode, Type.Null()]),
        auction: Type.Union([AuctionMode, Type.Null()]),
      },
      Strict,
    ),
    close: Type.Object(
      {
        /** Close = VWAP of the day's listed trades; the previous close when listed volume is at most this. */
        previousCloseIfListedVolumeAtMostT: NonNegInt,
      },
      Strict,
    ),
    /** Whole trading days before bought allowances may be sold again (1 = T+1). */
    resaleLockDays: NonNegInt,
    participants: Type.Object(
      { complianceEntities: Type.Boolean(), institutions: Type.Boolean(), individuals: Type.Boolean() },
      Strict,
    ),
    offsets: Type.Union([Offsets, Type.Null()]),
    compliance: Type.Union([Compliance, Type.Null()]),
    sources: Type.Array(Type.String({ minLength: 1 }), { minItems: 1 }),
    notes: Type.Array(Type.String()),
  },
  Strict,
);

export type MarketSpec = Type.Static<typeof MarketSpecSchema>;
export type InstrumentSpec = Type.Static<typeof InstrumentSchema>;
export type ListedModeSpec = MarketSpec['modes']['listed'];
export type BlockModeSpec = NonNullable<MarketSpec['modes']['block']>;
export type AuctionModeSpec = NonNullable<MarketSpec['modes']['auction']>;
export type OffsetsSpec = NonNullable<MarketSpec['offsets']>;
export type ComplianceSpec = NonNullable<MarketSpec['compliance']>;
export type CycleSpec = ComplianceSpec['cycles'][number];
export type PenaltySpec = ComplianceSpec['penalty'];
export type BankingSpec = NonNullable<ComplianceSpec['banking']>;
