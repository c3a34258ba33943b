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

/**
 * The fundamentals every agent values an allowance from (src/sim/fundamentals, docs/model.md): behavioural and
 * cost parameters, the ones `cets fit` may fit. None of them is a price.
 */
const Fundamentals = Type.Object(
  {
    /** Multiplies every sector's abatement cost curve (data/abatement/sectors.json). */
    macScale: Type.Number({ exclusiveMinimum: 0, maximum: 100 }),
    /** Yearly discount rate agents apply to a banked allowance, bps. */
    discountRateBps: Bps,
    /** Years after the current cycle the agents look ahead. */
    horizonYears: Type.Integer({ minimum: 1, maximum: 10 }),
    /** Uncertainty of emissions against allocation (intensity against benchmark) per year, bps (log std dev). */
    balanceSigmaBps: Bps,
    /** Spread of the agents' own valuations around the public one (log, one standard deviation), bps. */
    valuationSigmaBps: Bps,
    /** Share of the gap between yesterday's public valuation and today's fundamentals closed per trading day, bps. */
    adjustBpsPerDay: Type.Integer({ minimum: 1, maximum: 10_000 }),
    /** The most anyone values an allowance at, CNY (the value search's ceiling). */
    ceilingCny: Type.String({ pattern: '^\\d{1,12}(\\.\\d{1,2})?$' }),
  },
  Strict,
);

/** What-if levers on quantities: `--set supply.allocationFactor=0.9`. */
const Supply = Type.Object(
  {
    /** Multiplies every free allocation in the scenario's markets (and what agents expect of later ones). */
    allocationFactor: Type.Number({ minimum: 0, maximum: 10 }),
    /** Multiplies every offset credit issued or expected (0: none issued or usable). */
    offsetFactor: Type.Number({ minimum: 0, maximum: 10 }),
  },
  Strict,
);

const MarketSetup = Type.Object(
  {
    id: MarketId,
    /** The instrument agents trade (one vintage per market; the others stay in the catalogue). */
    instrument: Type.String({ minLength: 1 }),
    /** Close of the last trading day before the period (an initial condition): the first band reference. */
    openingPriceCny: Cny,
    /** Where openingPriceCny comes from (publisher, date; or how it was derived). */
    openingSource: Type.String({ minLength: 1 }),
    /** Allowances of earlier vintages held by the market's trading desks at the start (the bank), tonnes. */
    bankT: Tonnes,
    /** Compliance cycle the entities trade for (e.g. "2023"), or null for a market without obligations. */
    cycle: Type.Union([Type.String({ minLength: 1 }), Type.Null()]),
    /** Registry sectors whose entities take part (empty: none). */
    sectors: Type.Array(Type.String({ minLength: 1 })),
    /** Take every n-th entity of the registry only (1: all); for small classroom markets. */
    entityEvery: Type.Integer({ minimum: 1, maximum: 10_000 }),
    /** Multiplies every trader population of this market (dealers, speculators, noise), and their sizes. */
    traderScale: Type.Number({ minimum: 0, maximum: 100 }),
  },
  Strict,
);

const Compliance = Type.Object(
  {
    /** How many times a day an entity with something to do looks at the market. */
    wakesPerDay: PosNum,
    /** Its looks rise to (1 + this) times wakesPerDay over the last tenth of the cycle (the rush). */
    rushWakesMultiple: PosNum,
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
    /** Most a buyer bids above the market when the deadline is near, bps (never above its penalty bound). */
    urgencyPremiumBps: Bps,
    /** Premium over its own valuation at which a long entity offers the surplus it could bank, bps. */
    bankAskPremiumBps: Bps,
    /** Chance that an entity with a need of a block's size or more trades it as a block, per wake, bps. */
    blockPropensityBps: Bps,
    /** Discount to the market price at which block proposals are made and accepted, bps. */
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
    /** Market-making inventory at the start, and the level the dealer leans back toward, tonnes. */
    inventoryT: Tonnes,
    cashCny: Cny,
    /** Mid moves by this many bps per 10% of inventory away from the start (lean). */
    leanBpsPer10Pct: Bps,
    requoteMinutes: Type.Integer({ minimum: 1, maximum: 240 }),
    /** Weight of the public valuation in its reference price at each requote (the rest: the last trade), bps. */
    fundamentalWeightBps: Bps,
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
    /** Weight of the gap to its valuation in its expectation, against the trend, bps. */
    fundamentalWeightBps: Bps,
    orderT: Tonnes,
    maxPositionT: Tonnes,
    cashCny: Cny,
  },
  Strict,
);

/** Fundamentalists: buy below their own valuation, sell above it. */
const Fundamentalists = Type.Object(
  {
    count: Count,
    wakesPerDay: PosNum,
    /** Gap between the market and their valuation (bps) at which they act. */
    thresholdBps: Bps,
    orderT: Tonnes,
    maxPositionT: Tonnes,
    cashCny: Cny,
  },
  Strict,
);

/**
 * The trading desks of the large groups, which hold the market's bank (bankT): each holds bank × (1 − elasticity ×
 * ln(price / its valuation)), so it sells into a price above its valuation and buys below it.
 */
const Desks = Type.Object(
  {
    count: Count,
    wakesPerDay: PosNum,
    /** Share of its bank a desk releases per unit of log(price / valuation). */
    elasticity: Type.Number({ minimum: 0, maximum: 100 }),
    orderT: Tonnes,
    /** Discount to the market at which it proposes a sell block, bps. */
    blockDiscountBps: SignedBps,
    /**
     * The most it quotes beyond its reservation price (the price at which it would want to hold what the order leaves
     * it), bps: the desks compete for the same buyers, so none lets a rush lift its asks without bound.
     */
    maxMarkupBps: Bps,
    cashCny: Cny,
  },
  Strict,
);

const Noise = Type.Object(
  {
    count: Count,
    wakesPerDay: PosNum,
    /** Spread of their limit prices around the market price, bps (one standard deviation). */
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
    /** What a credit costs its project to deliver, CNY per tonne: the least a supplier sells at. */
    costCny: Cny,
    /** Discount of a credit to an allowance when credits are scarce (usage limits, vintage rules), bps. */
    creditDiscountBps: Bps,
  },
  Strict,
);

export const AgentsSchema = Type.Object(
  {
    compliance: Compliance,
    desks: Desks,
    dealers: Dealers,
    momentum: Speculators,
    fundamentalists: Fundamentalists,
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
    /** The title and a line of text in Chinese, for the classroom's pages in Chinese (optional). */
    titleZh: Type.Optional(Type.String({ minLength: 1 })),
    textZh: Type.Optional(Type.String({ minLength: 1 })),
    markets: Type.Array(MarketId, { minItems: 1 }),
    /** Attention only (no quantity): multiplies agents' wakes by 1 + boost for a while, decaying. */
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

// Policy news: quantities and rules that agents read on the announcement date (`date`); `effective` says when the
// policy itself takes effect. None carries a price. titleZh: the title in Chinese, for the classroom's pages in
// Chinese (optional; they word the quantities themselves).
const TitleZh = Type.Optional(Type.String({ minLength: 1 }));
const Credibility = Type.Integer({ minimum: 0, maximum: 10_000, description: 'how far agents believe it, bps' });
const CoveragePlan = Type.Object(
  {
    ...At,
    kind: Type.Literal('coverage-plan'),
    title: Type.String({ minLength: 1 }),
    titleZh: TitleZh,
    market: MarketId,
    /** Sectors to be covered (registry sectors of the market), from fromYear's emissions. */
    sectors: Type.Array(Type.String({ minLength: 1 }), { minItems: 1 }),
    fromYear: Type.Integer({ minimum: 2019, maximum: 2100 }),
    /**
     * Through this year each firm's allocation follows its emissions (a plan's first phase that keeps surpluses and
     * shortfalls within narrow limits): those years add no net position, and abating in them earns nothing.
     */
    balancedThroughYear: Type.Optional(Type.Integer({ minimum: 2019, maximum: 2100 })),
    effective: Type.Optional(Date_),
    credibilityBps: Credibility,
  },
  Strict,
);
const AllocationPlanEvent = Type.Object(
  {
    ...At,
    kind: Type.Literal('allocation-plan'),
    title: Type.String({ minLength: 1 }),
    titleZh: TitleZh,
    market: MarketId,
    /** Sectors whose allocation changes (empty: all). */
    sectors: Type.Array(Type.String({ minLength: 1 })),
    fromYear: Type.Integer({ minimum: 2019, maximum: 2100 }),
    /** Cut of the allocation ratio per year from fromYear, bps (negative: loosening). */
    cutBpsPerYear: SignedBps,
    effective: Type.Optional(Date_),
    credibilityBps: Credibility,
  },
  Strict,
);
const CcerOutlook = Type.Object(
  {
    ...At,
    kind: Type.Literal('ccer-outlook'),
    title: Type.String({ minLength: 1 }),
    titleZh: TitleZh,
    /** Credits the registered projects are expected to issue per year, tonnes. */
    tonnesPerYear: Tonnes,
    fromYear: Type.Integer({ minimum: 2019, maximum: 2100 }),
    credibilityBps: Credibility,
  },
  Strict,
);

// News inferred by `cets replay` (src/sim/replay/infer.ts) or written by hand: public information that changes the
// expected shortage of the market's horizon, in tonnes (the unit of the agents' belief, outlook.ts), not a price.
const News = Type.Object(
  {
    ...At,
    kind: Type.Literal('news'),
    market: MarketId,
    /** Change of the expected cumulative shortage over the horizon, tonnes (negative: a longer market). */
    shortageT: Type.Integer({ minimum: -100_000_000_000, maximum: 100_000_000_000 }),
  },
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
  CoveragePlan,
  AllocationPlanEvent,
  CcerOutlook,
  News,
]);

export const ScenarioSchema = Type.Object(
  {
    id: Type.String({ pattern: '^[a-z0-9][a-z0-9-]*$' }),
    title: Type.String({ minLength: 1 }),
    description: Type.String(),
    period: Type.Object({ from: Date_, to: Date_ }, Strict),
    markets: Type.Array(MarketSetup, { minItems: 1 }),
    fundamentals: Fundamentals,
    supply: Supply,
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
export type DeskParams = Type.Static<typeof Desks>;
export type FundamentalsParams = Type.Static<typeof Fundamentals>;
