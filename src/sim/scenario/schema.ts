// The scenario format: what a run simulates. A scenario is a JSON file in scenarios/ validated against this schema
// (unknown fields refused), then cross-checked against the market catalogue by parse.ts. Units are in the names as
// in data/: Cny is a decimal string in CNY ("90.40"), Bps 1/10,000, T tonnes, PerDay per trading day.
import Type from 'typebox';

const Strict = { additionalProperties: false } as const;
const Date_ = Type.String({ pattern: '^\\d{4}-\\d{2}-\\d{2}$', description: 'a date YYYY-MM-DD' });
const Cny = Type.String({ pattern: '^\\d{1,12}(\\.\\d{1,2})?$', description: 'a price in CNY like "90.40"' });
const Bps = Type.Integer({ minimum: 0, maximum: 10_000 });
const SignedBps = Type.Integer({ minimum: -10_000, maximum: 10_000 });
const Count = Type.Integer({ minimum: 0, maximum: 100_000 });
const PosNum = Type.Number({ exclusiveMinimum: 0, maximum: 1_000 });
const Tonnes = Type.Integer({ minimum: 0, maximum: 10_000_000_000 });
const MarketId = Type.String({ pattern: '^[a-z0-9][a-z0-9-]*$' });

/** Beliefs: the news-driven expected price of one market. */
const Belief = Type.Object(
  {
    /** Daily volatility of the expected price, bps. */
    volBpsPerDay: Bps,
    /** Share of the gap to the anchor closed per trading day, bps (news diffuses at this rate). */
    diffusionBpsPerDay: Bps,
  },
  Strict,
);

const MarketSetup = Type.Object(
  {
    id: MarketId,
    /** The instrument agents trade (one vintage per market; the others stay in the catalogue). */
    instrument: Type.String({ minLength: 1 }),
    /** Close of the day before the period: the first band reference and the first expected price. */
    openingPriceCny: Cny,
    /** Compliance cycle the entities trade for (e.g. "2023"), or null for a market without obligations. */
    cycle: Type.Union([Type.String({ minLength: 1 }), Type.Null()]),
    /** Registry sectors whose entities take part (empty: none). */
    sectors: Type.Array(Type.String({ minLength: 1 })),
    /** Take every n-th entity of the registry only (1: all); for small classroom markets. */
    entityEvery: Type.Integer({ minimum: 1, maximum: 10_000 }),
    belief: Belief,
    /** Multiplies every trader population of this market (dealers, speculators, noise), and their sizes. */
    traderScale: Type.Number({ minimum: 0, maximum: 100 }),
  },
  Strict,
);

const Compliance = Type.Object(
  {
    /** How many times a day an entity with something to do looks at the market. */
    wakesPerDay: PosNum,
    /** Pacing: the share of its need an entity plans to have traded by time fraction τ of the cycle is τ^paceExponent. */
    paceExponent: Type.Number({ minimum: 0.1, maximum: 50 }),
    /** Share of the surplus above the bankable amount a long entity sells, bps (10000: all it cannot bank). */
    surplusSellBps: Type.Integer({ minimum: 0, maximum: 100_000 }),
    /**
     * The bankable amount, in a market whose rules set no banking cap (data/markets: `banking: null`): a long entity
     * acts as if this cap applied, baseT + netSalesMultipleBps x its net sales, and sells what it would cancel. A
     * behaviour, not a rule: where the market has a cap, entities use the market's.
     */
    bankingIfNoCap: Type.Object(
      { baseT: Tonnes, netSalesMultipleBps: Type.Integer({ minimum: 0, maximum: 100_000 }) },
      Strict,
    ),
    /** Most a buyer pays above the expected price when the deadline is near, bps. */
    urgencyPremiumBps: Bps,
    /**
     * Share of the surplus it could bank that a long entity offers in the last tenth of the cycle (the rush), bps:
     * offered in step with the rush, all of it by the rush's midpoint. 0: a long sells only what banking would cancel.
     */
    rushSellBps: Bps,
    /** Premium over the expected price a long asks for that bankable surplus when the rush begins, bps; it falls
     * to nothing by the rush's midpoint (short firms bid up as long ones ask less). */
    rushAskPremiumBps: Bps,
    /** Chance that an entity with a need of a block's size or more trades it as a block, per wake, bps. */
    blockPropensityBps: Bps,
    /** Discount to the expected price at which block proposals are made and accepted, bps. */
    blockDiscountBps: SignedBps,
    /** Largest listed order an entity sends, tonnes. */
    maxListedOrderT: Tonnes,
    /** Share of an offset cap an entity fills with offsets when they are cheaper than allowances, bps. */
    offsetUseBps: Bps,
  },
  Strict,
);

const Dealers = Type.Object(
  {
    count: Count,
    /** Quoted spread around the dealer's mid, bps (full width). */
    spreadBps: Bps,
    quoteT: Tonnes,
    /** Starting inventory and the level the dealer leans back toward, tonnes. */
    inventoryT: Tonnes,
    cashCny: Cny,
    /** Mid moves by this many bps per 10% of inventory away from the start (lean). */
    leanBpsPer10Pct: Bps,
    requoteMinutes: Type.Integer({ minimum: 1, maximum: 240 }),
  },
  Strict,
);

const Speculators = Type.Object(
  {
    count: Count,
    wakesPerDay: PosNum,
    /** Look-back in trading days for the trend or the gap. */
    lookbackDays: Type.Integer({ minimum: 1, maximum: 60 }),
    /** Signal (bps) at which the trader acts. */
    thresholdBps: Bps,
    orderT: Tonnes,
    maxPositionT: Tonnes,
    cashCny: Cny,
  },
  Strict,
);

const Noise = Type.Object(
  {
    count: Count,
    wakesPerDay: PosNum,
    /** Spread of their limit prices around the expected price, bps (one standard deviation). */
    priceSigmaBps: Bps,
    orderT: Tonnes,
    inventoryT: Tonnes,
    cashCny: Cny,
  },
  Strict,
);

const OffsetSuppliers = Type.Object(
  {
    count: Count,
    /** Legacy credits held at the start, tonnes (shared among the suppliers). */
    legacyStockT: Tonnes,
    wakesPerDay: PosNum,
    orderT: Tonnes,
    /** Ask relative to the allowance price they watch, bps (e.g. -2500: 25% below the national price). */
    askVsAllowanceBps: SignedBps,
  },
  Strict,
);

export const AgentsSchema = Type.Object(
  {
    compliance: Compliance,
    dealers: Dealers,
    momentum: Speculators,
    meanReversion: Speculators,
    noise: Noise,
    offsetSuppliers: OffsetSuppliers,
  },
  Strict,
);

const At = { date: Date_, note: Type.Optional(Type.String()) };

const Announcement = Type.Object(
  {
    ...At,
    kind: Type.Literal('announcement'),
    title: Type.String({ minLength: 1 }),
    markets: Type.Array(MarketId, { minItems: 1 }),
    /** How far the news moves the expected price's anchor, bps (negative: down). */
    impactBps: SignedBps,
    /** Extra trading activity for a while after the news: multiplies agents' wakes by 1 + boost, decaying. */
    activityBoostBps: Type.Integer({ minimum: 0, maximum: 100_000 }),
  },
  Strict,
);
const Band = Type.Object(
  {
    ...At,
    kind: Type.Literal('band'),
    market: MarketId,
    mode: Type.Union([Type.Literal('listed'), Type.Literal('block')]),
    bandBps: Bps,
  },
  Strict,
);
const OffsetCap = Type.Object({ ...At, kind: Type.Literal('offset-cap'), market: MarketId, capBps: Bps }, Strict);
const Deadline = Type.Object(
  { ...At, kind: Type.Literal('deadline'), market: MarketId, cycle: Type.String({ minLength: 1 }), deadline: Date_ },
  Strict,
);
const AdmitSectors = Type.Object(
  {
    ...At,
    kind: Type.Literal('admit-sectors'),
    market: MarketId,
    sectors: Type.Array(Type.String({ minLength: 1 }), { minItems: 1 }),
  },
  Strict,
);
const Allocation = Type.Object(
  {
    ...At,
    kind: Type.Literal('allocation'),
    market: MarketId,
    year: Type.Integer({ minimum: 2019, maximum: 2100 }),
    step: Type.Union([Type.Literal('pre-allocation'), Type.Literal('true-up')]),
  },
  Strict,
);
const CcerIssuance = Type.Object(
  { ...At, kind: Type.Literal('ccer-issuance'), instrument: Type.String({ minLength: 1 }), qtyT: Tonnes },
  Strict,
);

export const EventSchema = Type.Union([
  Announcement,
  Band,
  OffsetCap,
  Deadline,
  AdmitSectors,
  Allocation,
  CcerIssuance,
]);

export const ScenarioSchema = Type.Object(
  {
    id: Type.String({ pattern: '^[a-z0-9][a-z0-9-]*$' }),
    title: Type.String({ minLength: 1 }),
    description: Type.String(),
    period: Type.Object({ from: Date_, to: Date_ }, Strict),
    markets: Type.Array(MarketSetup, { minItems: 1 }),
    agents: AgentsSchema,
    events: Type.Array(EventSchema),
    /** How the free parameters were fitted (procedure, seeds, date); documentation only. */
    fitted: Type.Optional(Type.Array(Type.String())),
  },
  Strict,
);

export type Scenario = Type.Static<typeof ScenarioSchema>;
export type ScenarioEvent = Type.Static<typeof EventSchema>;
export type MarketSetup = Type.Static<typeof MarketSetup>;
export type Agents = Type.Static<typeof AgentsSchema>;
export type SpeculatorParams = Type.Static<typeof Speculators>;
