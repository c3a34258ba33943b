import { MatchMode } from './constants.ts';

export interface EngineConfig {
  readonly mode: MatchMode;
  /** Listed mode: how many of the counterparty's best price levels a taker may reach (N). */
  readonly listedDepth: number;
  readonly tickFen: number;
  readonly lotT: number;
  readonly minQtyT: number;
  readonly maxQtyT: number;
  /** Half-width of the price band in basis points of the reference; null: no band. */
  readonly bandBps: number | null;
  /** Band centre (previous close); null: no band until endOfDay sets one. */
  readonly refPriceFen: number | null;
}

export const defaultEngineConfig: EngineConfig = Object.freeze({
  mode: MatchMode.PriceTime,
  listedDepth: 5,
  tickFen: 1,
  lotT: 1,
  minQtyT: 1,
  maxQtyT: Number.MAX_SAFE_INTEGER,
  bandBps: null,
  refPriceFen: null,
});

/**
 * A frozen copy of a config (bandBps replaced when given), written field by field: a frozen spread copy
 * (`Object.freeze({ ...c })`) got a map of its own per engine, and of its own again in every new simulation, so
 * every read of engine.config was megamorphic and the code reading it was thrown away at each new run.
 */
export function frozenConfig(c: EngineConfig, bandBps: number | null = c.bandBps): EngineConfig {
  return Object.freeze({
    mode: c.mode,
    listedDepth: c.listedDepth,
    tickFen: c.tickFen,
    lotT: c.lotT,
    minQtyT: c.minQtyT,
    maxQtyT: c.maxQtyT,
    bandBps,
    refPriceFen: c.refPriceFen,
  });
}

const posInt = (v: unknown): v is number => Number.isSafeInteger(v) && (v as number) > 0;

/** Returns null when the config is usable, else a sentence naming the field and what was expected. */
export function checkEngineConfig(c: EngineConfig): string | null {
  if (c.mode !== MatchMode.PriceTime && c.mode !== MatchMode.Listed)
    return `mode: expected 0 (price-time) or 1 (listed), got ${c.mode}`;
  if (!posInt(c.listedDepth)) return `listedDepth: expected a positive integer, got ${c.listedDepth}`;
  if (!posInt(c.tickFen)) return `tickFen: expected a positive integer, got ${c.tickFen}`;
  if (!posInt(c.lotT)) return `lotT: expected a positive integer, got ${c.lotT}`;
  if (!posInt(c.minQtyT)) return `minQtyT: expected a positive integer, got ${c.minQtyT}`;
  if (!posInt(c.maxQtyT) || c.maxQtyT < c.minQtyT) return `maxQtyT: expected an integer >= minQtyT, got ${c.maxQtyT}`;
  if (c.bandBps !== null && !(Number.isSafeInteger(c.bandBps) && c.bandBps >= 0 && c.bandBps <= 10_000))
    return `bandBps: expected null or an integer 0..10000, got ${c.bandBps}`;
  if (c.refPriceFen !== null && !(posInt(c.refPriceFen) && c.refPriceFen % c.tickFen === 0 && c.refPriceFen <= 2 ** 40))
    return `refPriceFen: expected null or a positive multiple of tickFen up to 2^40, got ${c.refPriceFen}`;
  return null;
}

/**
 * Price band around refFen, each edge rounded to the tick toward the reference. Exact integer arithmetic:
 * refFen <= 2^40 keeps refFen * 20000 well inside the safe range. Returns [lowFen, highFen].
 */
export function bandEdges(refFen: number, bps: number, tickFen: number): [number, number] {
  const den = 10_000 * tickFen;
  const upNum = refFen * (10_000 + bps);
  const high = ((upNum - (upNum % den)) / den) * tickFen;
  const downNum = refFen * (10_000 - bps);
  const downFloor = (downNum - (downNum % den)) / den;
  let low = (downNum % den === 0 ? downFloor : downFloor + 1) * tickFen;
  if (low < tickFen) low = tickFen;
  return [low, high];
}
