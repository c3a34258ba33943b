// Random engine configurations and command sequences for the property tests.
//
// Commands are concrete (every argument is the number the engine receives), so a shrunk counterexample
// reads as a script. Domains are small on purpose: prices a few ticks around 1000 fen so that orders cross
// often, 4 accounts, 30 order ids (reused, so DuplicateOrderId / UnknownOrder come up, and the book stays
// small), and now and then a malformed value (NaN, -1, 1.5, 2^53, Infinity).

import fc from 'fast-check';
import type { EngineConfig } from '../../src/engine/config.ts';
import { MatchMode, SessionState, Side, Stp, Tif } from '../../src/engine/constants.ts';

export const BASE_PRICE_FEN = 1000;
const ID_POOL = 30;
const ACCOUNTS = 4;

export type Command =
  | {
      k: 'placeLimit';
      ts: number;
      orderId: number;
      accountId: number;
      side: number;
      priceFen: number;
      qtyT: number;
      tif: number;
      stp: number;
    }
  | {
      k: 'placeMarket';
      ts: number;
      orderId: number;
      accountId: number;
      side: number;
      qtyT: number;
      tif: number;
      stp: number;
    }
  | { k: 'take'; ts: number; orderId: number; accountId: number; listingId: number; qtyT: number }
  | { k: 'cancel'; ts: number; orderId: number; accountId: number }
  | { k: 'amend'; ts: number; orderId: number; accountId: number; priceFen: number; qtyT: number }
  | { k: 'cancelAll'; ts: number; accountId: number }
  | { k: 'setSession'; ts: number; state: number }
  | { k: 'endOfDay'; ts: number; nextRefPriceFen: number };

/** Both engines answer these with the same signatures (method syntax: parameters are compared bivariantly). */
export interface CommandTarget {
  placeLimit(
    tsMs: number,
    orderId: number,
    accountId: number,
    side: number,
    priceFen: number,
    qtyT: number,
    tif: number,
    stp: number,
  ): number;
  placeMarket(
    tsMs: number,
    orderId: number,
    accountId: number,
    side: number,
    qtyT: number,
    tif: number,
    stp: number,
  ): number;
  take(tsMs: number, orderId: number, accountId: number, listingId: number, qtyT: number): number;
  cancel(tsMs: number, orderId: number, accountId: number): number;
  amend(tsMs: number, orderId: number, accountId: number, priceFen: number, qtyT: number): number;
  cancelAll(tsMs: number, accountId: number): number;
  setSession(tsMs: number, state: number): number;
  endOfDay(tsMs: number, nextRefPriceFen: number): number;
}

export function applyCommand(e: CommandTarget, c: Command): number {
  switch (c.k) {
    case 'placeLimit':
      return e.placeLimit(c.ts, c.orderId, c.accountId, c.side, c.priceFen, c.qtyT, c.tif, c.stp);
    case 'placeMarket':
      return e.placeMarket(c.ts, c.orderId, c.accountId, c.side, c.qtyT, c.tif, c.stp);
    case 'take':
      return e.take(c.ts, c.orderId, c.accountId, c.listingId, c.qtyT);
    case 'cancel':
      return e.cancel(c.ts, c.orderId, c.accountId);
    case 'amend':
      return e.amend(c.ts, c.orderId, c.accountId, c.priceFen, c.qtyT);
    case 'cancelAll':
      return e.cancelAll(c.ts, c.accountId);
    case 'setSession':
      return e.setSession(c.ts, c.state);
    case 'endOfDay':
      return e.endOfDay(c.ts, c.nextRefPriceFen);
  }
}

const num = (v: number): string => (Object.is(v, -0) ? '-0' : String(v));

/** The command as a line of TypeScript, e.g. `e.placeLimit(5, 3, 3, 0, 1000, 10, 1, 0);`. */
export function formatCommand(c: Command): string {
  const { k, ...args } = c;
  return `e.${k}(${Object.values(args).map(num).join(', ')});`;
}

// ------------------------------------------------------------------------------------------ configuration

export const configArb = (mode?: MatchMode): fc.Arbitrary<EngineConfig> =>
  fc
    .record({
      mode: mode === undefined ? fc.constantFrom(MatchMode.PriceTime, MatchMode.Listed) : fc.constant(mode),
      listedDepth: fc.constantFrom(1, 1, 2, 2, 3, 4, 5),
      tickFen: fc.constantFrom(1, 5),
      lotT: fc.constantFrom(1, 10),
      minQtyT: fc.constantFrom(1, 10, 20),
      maxQtyT: fc.constantFrom(50, 80, 200, Number.MAX_SAFE_INTEGER),
      bandBps: fc.oneof(
        { weight: 2, arbitrary: fc.constant(null) },
        { weight: 5, arbitrary: fc.constantFrom(100, 200, 500, 1000) },
        { weight: 1, arbitrary: fc.constantFrom(0, 10_000) },
      ),
      refPriceFen: fc.oneof(
        { weight: 1, arbitrary: fc.constant(null) },
        { weight: 4, arbitrary: fc.constant(BASE_PRICE_FEN) },
      ),
    })
    .map((c): EngineConfig => ({ ...c }));

// ------------------------------------------------------------------------------------------ values
// Each argument is malformed about 1% of the time, so that most commands reach the order rules and the book.

const malformedId = fc.constantFrom(0, -1, 1.5, Number.NaN, 2 ** 53, Number.POSITIVE_INFINITY);

const orderIdArb = fc.oneof(
  { weight: 99, arbitrary: fc.integer({ min: 1, max: ID_POOL }) },
  { weight: 1, arbitrary: malformedId },
);

const accountArb = fc.oneof(
  { weight: 99, arbitrary: fc.integer({ min: 1, max: ACCOUNTS }) },
  { weight: 1, arbitrary: malformedId },
);

/** Most orders of one id belong to one account, so cancels and amends usually come from the owner. */
const ownerOf = (orderId: number): number =>
  Number.isSafeInteger(orderId) && orderId > 0 ? ((orderId - 1) % ACCOUNTS) + 1 : 1;

/** A price each id tends to use, so that an amend often keeps the price (quantity-only amends). */
const habitualPrice = (orderId: number): number =>
  BASE_PRICE_FEN + 5 * (Number.isSafeInteger(orderId) && orderId > 0 ? ((orderId * 7) % 9) - 4 : 0);

/** (orderId, accountId): the owner most of the time, another account (or a malformed one) otherwise. */
const idAndAccountArb = fc
  .tuple(orderIdArb, fc.option(accountArb, { freq: 3, nil: null }))
  .map(([orderId, account]) => [orderId, account ?? ownerOf(orderId)] as const);

const sideArb = fc.oneof(
  { weight: 99, arbitrary: fc.constantFrom(Side.Buy, Side.Sell) },
  { weight: 1, arbitrary: fc.constantFrom(2, -1, 0.5, Number.NaN) },
);

const tifArb = fc.oneof(
  { weight: 35, arbitrary: fc.constant(Tif.GFD) },
  { weight: 35, arbitrary: fc.constant(Tif.GTC) },
  { weight: 15, arbitrary: fc.constant(Tif.IOC) },
  { weight: 14, arbitrary: fc.constant(Tif.FOK) },
  { weight: 1, arbitrary: fc.constantFrom(4, -1, 1.5, Number.NaN) },
);

const marketTifArb = fc.oneof(
  { weight: 45, arbitrary: fc.constantFrom(Tif.IOC, Tif.FOK) },
  { weight: 4, arbitrary: fc.constantFrom(Tif.GFD, Tif.GTC) },
  { weight: 1, arbitrary: fc.constantFrom(4, -1, 1.5, Number.NaN) },
);

const stpArb = fc.oneof(
  { weight: 40, arbitrary: fc.constant(Stp.None) },
  {
    weight: 59,
    arbitrary: fc.constantFrom(Stp.CancelNewest, Stp.CancelOldest, Stp.CancelBoth, Stp.Decrement),
  },
  { weight: 1, arbitrary: fc.constantFrom(5, -1, 1.5, Number.NaN) },
);

/** Prices on a 5-fen grid around 1000 (a tick multiple for tick 1 and 5), reaching past a ±2% band. */
const priceArb = (ticks: number): fc.Arbitrary<number> =>
  fc.oneof(
    { weight: 90, arbitrary: fc.integer({ min: -ticks, max: ticks }).map((k) => BASE_PRICE_FEN + 5 * k) },
    {
      weight: 6,
      arbitrary: fc
        .tuple(fc.integer({ min: -ticks, max: ticks }), fc.integer({ min: 1, max: 4 }))
        .map(([k, off]) => BASE_PRICE_FEN + 5 * k + off),
    },
    { weight: 2, arbitrary: fc.constantFrom(0, -5, 1.5, Number.NaN, Number.POSITIVE_INFINITY, 2 ** 53) },
    // A valid but enormous price (a multiple of 5): NotionalOverflow from 7 t up; trades only without a band.
    { weight: 1, arbitrary: fc.constant(5 * 2 ** 48) },
  );

/** Quantities: mostly whole lots of 10 (valid for lot 1 and 10), sometimes off the lot, tiny, huge or malformed. */
const qtyArb = (maxLots: number): fc.Arbitrary<number> =>
  fc.oneof(
    { weight: 84, arbitrary: fc.integer({ min: 1, max: maxLots }).map((m) => 10 * m) },
    { weight: 8, arbitrary: fc.integer({ min: 1, max: 9 }) },
    { weight: 4, arbitrary: fc.integer({ min: 1, max: maxLots }).map((m) => 10 * m + 5) },
    { weight: 2, arbitrary: fc.constant(10_000) },
    { weight: 2, arbitrary: fc.constantFrom(0, -10, 1.5, Number.NaN, 2 ** 53, Number.POSITIVE_INFINITY) },
  );

const refArb = fc.oneof(
  { weight: 16, arbitrary: fc.integer({ min: -3, max: 3 }).map((k) => BASE_PRICE_FEN + 5 * k) },
  { weight: 3, arbitrary: fc.constant(0) },
  { weight: 1, arbitrary: fc.constantFrom(1003, -5, 2 ** 41, 1.5, Number.NaN) },
);

const sessionStateArb = fc.oneof(
  { weight: 10, arbitrary: fc.constant(SessionState.Open) },
  { weight: 5, arbitrary: fc.constant(SessionState.Halted) },
  { weight: 4, arbitrary: fc.constant(SessionState.Closed) },
  { weight: 1, arbitrary: fc.constantFrom(3, -1, 0.5, Number.NaN) },
);

// ------------------------------------------------------------------------------------------ commands

/** A command without its time; the time is filled in when the sequence is put together. */
type Untimed = Command extends infer C ? (C extends Command ? Omit<C, 'ts'> : never) : never;

/**
 * A command being drafted. `recent`: instead of its own random id, the command aims at the order id of the
 * `back`-th most recent GFD/GTC limit order (as listing id for a take), so that cancels, amends and takes often
 * find a live order; `sameAccount`: and comes from that order's account; `keepPrice` (amend): at that order's
 * price, a quantity-only amend. Resolved when the sequence is assembled.
 */
interface Draft {
  cmd: Untimed;
  recent?: { back: number; sameAccount: boolean; keepPrice?: boolean } | undefined;
}

interface Placed {
  orderId: number;
  accountId: number;
  priceFen: number;
}

const recentArb = fc.option(fc.record({ back: fc.integer({ min: 0, max: 6 }), sameAccount: fc.boolean() }), {
  freq: 3,
  nil: undefined,
});

const one = (cmd: Untimed, recent?: Draft['recent']): Draft[] => [recent ? { cmd, recent } : { cmd }];

const limitArb: fc.Arbitrary<Draft[]> = fc
  .record({
    ia: idAndAccountArb,
    side: sideArb,
    price: priceArb(8),
    habitual: fc.boolean(),
    qtyT: qtyArb(8),
    tif: tifArb,
    stp: stpArb,
  })
  .map(({ ia: [orderId, accountId], side, price, habitual, qtyT, tif, stp }) => {
    // Bids lean 2 ticks low and asks 2 ticks high: they still cross often, yet the book builds some depth.
    const lean = price > 0 && price < 2 * BASE_PRICE_FEN ? (side === Side.Buy ? -10 : side === Side.Sell ? 10 : 0) : 0;
    const priceFen = habitual ? habitualPrice(orderId) + lean : price + lean;
    return one({ k: 'placeLimit', orderId, accountId, side, priceFen, qtyT, tif, stp });
  });

const marketArb: fc.Arbitrary<Draft[]> = fc
  .record({ ia: idAndAccountArb, side: sideArb, qtyT: qtyArb(8), tif: marketTifArb, stp: stpArb })
  .map(({ ia: [orderId, accountId], side, qtyT, tif, stp }) =>
    one({ k: 'placeMarket', orderId, accountId, side, qtyT, tif, stp }),
  );

const takeArb: fc.Arbitrary<Draft[]> = fc
  .record({
    orderId: orderIdArb,
    accountId: accountArb,
    listingId: orderIdArb,
    qtyT: qtyArb(4),
    recent: recentArb,
  })
  .map(({ recent, ...r }) => one({ k: 'take', ...r }, recent));

const cancelArb: fc.Arbitrary<Draft[]> = fc
  .tuple(idAndAccountArb, recentArb)
  .map(([[orderId, accountId], recent]) => one({ k: 'cancel', orderId, accountId }, recent));

const amendArb: fc.Arbitrary<Draft[]> = fc
  .record({
    ia: idAndAccountArb,
    price: priceArb(6),
    habitual: fc.boolean(),
    qtyT: qtyArb(8),
    recent: recentArb,
    keepPrice: fc.boolean(),
  })
  .map(({ ia: [orderId, accountId], price, habitual, qtyT, recent, keepPrice }) =>
    one(
      { k: 'amend', orderId, accountId, priceFen: habitual ? habitualPrice(orderId) : price, qtyT },
      recent && { ...recent, keepPrice },
    ),
  );

const cancelAllArb: fc.Arbitrary<Draft[]> = accountArb.map((accountId) => one({ k: 'cancelAll', accountId }));

const setSessionArb: fc.Arbitrary<Draft[]> = sessionStateArb.map((state) => one({ k: 'setSession', state }));

const endOfDayArb: fc.Arbitrary<Draft[]> = refArb.map((nextRefPriceFen) => one({ k: 'endOfDay', nextRefPriceFen }));

/** Close, end the day (new reference, maybe none), open again. */
const dayRollArb: fc.Arbitrary<Draft[]> = refArb.map((nextRefPriceFen) => [
  { cmd: { k: 'setSession', state: SessionState.Closed } },
  { cmd: { k: 'endOfDay', nextRefPriceFen } },
  { cmd: { k: 'setSession', state: SessionState.Open } },
]);

const bookGroupArb = (mode: MatchMode): fc.Arbitrary<Draft[]> =>
  fc.oneof(
    { weight: 80, arbitrary: limitArb },
    { weight: 16, arbitrary: marketArb },
    { weight: mode === MatchMode.Listed ? 24 : 2, arbitrary: takeArb },
    { weight: 24, arbitrary: cancelArb },
    { weight: 32, arbitrary: amendArb },
    { weight: 1, arbitrary: cancelAllArb },
  );

/** A short halt (or close, or a bad state): a few commands in that state, then open again. */
const pauseArb = (mode: MatchMode): fc.Arbitrary<Draft[]> =>
  fc
    .tuple(sessionStateArb, fc.array(bookGroupArb(mode), { maxLength: 3 }))
    .map(([state, inner]) => [
      { cmd: { k: 'setSession', state } },
      ...inner.flat(),
      { cmd: { k: 'setSession', state: SessionState.Open } },
    ]);

const groupArb = (mode: MatchMode): fc.Arbitrary<Draft[]> =>
  fc.oneof(
    { weight: 95, arbitrary: bookGroupArb(mode) },
    { weight: 2, arbitrary: pauseArb(mode) },
    { weight: 1, arbitrary: setSessionArb },
    { weight: 1, arbitrary: endOfDayArb },
    { weight: 1, arbitrary: dayRollArb },
  );

/** How the time of a command relates to the previous one. */
const timeStepArb = fc.oneof(
  { weight: 30, arbitrary: fc.constant({ t: 'step' as const, dt: 0 }) },
  { weight: 68, arbitrary: fc.integer({ min: 1, max: 1000 }).map((dt) => ({ t: 'step' as const, dt })) },
  { weight: 1, arbitrary: fc.integer({ min: 1, max: 10 }).map((dt) => ({ t: 'back' as const, dt })) },
  {
    weight: 1,
    arbitrary: fc.constantFrom(-1, 1.5, Number.NaN, 2 ** 53).map((v) => ({ t: 'bad' as const, v })),
  },
);

/** Fills in the `recent` target of a draft from the resting-kind limit orders placed so far (newest last). */
function resolve(d: Draft, placed: Placed[]): Untimed {
  const target = d.recent ? placed[placed.length - 1 - (d.recent.back % Math.max(1, placed.length))] : undefined;
  if (!d.recent || target === undefined) return d.cmd;
  const c = d.cmd;
  const accountId = d.recent.sameAccount ? target.accountId : undefined;
  if (c.k === 'take') return { ...c, listingId: target.orderId };
  if (c.k === 'cancel') return { ...c, orderId: target.orderId, accountId: accountId ?? c.accountId };
  if (c.k === 'amend')
    return {
      ...c,
      orderId: target.orderId,
      accountId: accountId ?? c.accountId,
      priceFen: d.recent.keepPrice ? target.priceFen : c.priceFen,
    };
  return c;
}

/**
 * A command sequence: always starts by opening the session at time 0, then up to `maxGroups` random groups
 * (a group is one command, or a short pause, or close/end-of-day/open). Times mostly go forward, sometimes
 * back or malformed.
 */
export const commandsArb = (mode: MatchMode, maxGroups: number): fc.Arbitrary<Command[]> =>
  fc.array(fc.tuple(timeStepArb, groupArb(mode)), { minLength: 1, maxLength: maxGroups, size: 'max' }).map((groups) => {
    const out: Command[] = [{ k: 'setSession', ts: 0, state: SessionState.Open }];
    const placed: Placed[] = [];
    let now = 0;
    for (const [step, group] of groups) {
      for (const draft of group) {
        let ts: number;
        if (step.t === 'step') {
          now += step.dt;
          ts = now;
        } else if (step.t === 'back') ts = Math.max(0, now - step.dt);
        else ts = step.v;
        const cmd = resolve(draft, placed);
        if (cmd.k === 'placeLimit' && (cmd.tif === Tif.GFD || cmd.tif === Tif.GTC))
          placed.push({ orderId: cmd.orderId, accountId: cmd.accountId, priceFen: cmd.priceFen });
        const { k, ...args } = cmd;
        out.push({ k, ts, ...args } as Command); // ts second: formatCommand lists the values in key order
      }
    }
    return out;
  });

// ------------------------------------------------------------------------------------------ huge quantities
// The same streams scaled to where the engine's sums reach 2^53 - 1: prices of 1 to 21 fen (tick 1) and quantities
// multiplied by `scale` (10^12 to 10^14), so that day turnovers pass the safe range within a few trades, and orders
// at 1 fen can stack a level past it. The reference engine adds up in BigInt and throws on a sum past the range; the
// fast engine must refuse the same orders with the same codes.

const MAX_SAFE = Number.MAX_SAFE_INTEGER;

/**
 * A price of the small domain (about 950..1054 fen on a 5-fen grid) brought down to 1..21 fen, keeping which prices
 * are equal; the prices off the grid (about 3% of limit prices) and 5 x 2^48 become 1 fen, where a level can hold
 * enough tonnes to pass the safe range.
 */
const hugePrice = (p: number): number => {
  if (p === 5 * 2 ** 48) return 1;
  if (!(Number.isSafeInteger(p) && p > 945 && p < 2 * BASE_PRICE_FEN)) return p;
  return (p - 945) % 5 === 0 ? (p - 945) / 5 : 1;
};

/** A quantity of the small domain times scale; malformed ones stay as they are. */
const hugeQty = (q: number, scale: number): number => (Number.isSafeInteger(q) && q > 0 ? q * scale : q);

/** The configuration for hugeCommands: tick 1, reference 11 fen (the small domain's 1000), sizes scaled. */
export const hugeConfig = (c: EngineConfig, scale: number): EngineConfig => ({
  ...c,
  tickFen: 1,
  minQtyT: c.minQtyT * scale,
  maxQtyT: Math.min(MAX_SAFE, c.maxQtyT * scale),
  refPriceFen: c.refPriceFen === null ? null : hugePrice(c.refPriceFen),
});

export function hugeCommands(cmds: readonly Command[], scale: number): Command[] {
  return cmds.map((c): Command => {
    switch (c.k) {
      case 'placeLimit':
        return { ...c, priceFen: hugePrice(c.priceFen), qtyT: hugeQty(c.qtyT, scale) };
      case 'placeMarket':
      case 'take':
        return { ...c, qtyT: hugeQty(c.qtyT, scale) };
      case 'amend':
        return { ...c, priceFen: hugePrice(c.priceFen), qtyT: hugeQty(c.qtyT, scale) };
      case 'endOfDay':
        return { ...c, nextRefPriceFen: hugePrice(c.nextRefPriceFen) };
      default:
        return c;
    }
  });
}
