// The order book's refusals as a person reads them: money in CNY, the day's band as a range, in the forms of the
// server's error table (src/server/errors.ts, ENG_*), so a client can put the values in its own language. The engine
// itself speaks fen (it is integers only); its own sentence stands for the codes a student's order cannot meet
// (malformed commands the desk never sends).
import { Code, type Engine } from '../engine/index.ts';
import { fenToCny } from './money.ts';

export function engineRejectMessage(engine: Engine, code: number): string {
  const v = engine.lastRejectValue;
  const l = engine.lastRejectLimit;
  const band = () => `${fenToCny(engine.bandLowFen)}-${fenToCny(engine.bandHighFen)} CNY`;
  switch (code) {
    case Code.BadPrice:
      return 'the price is not a positive amount';
    case Code.BadQty:
      return 'the quantity is not a positive whole number of tonnes';
    case Code.BadTif:
      return 'the time in force is not one the market takes';
    case Code.PriceOffTick:
      return `the price ${fenToCny(v)} CNY is not on the tick (${fenToCny(l)} CNY)`;
    case Code.PriceAboveBand:
      return `the price ${fenToCny(v)} CNY is above today’s band (${band()})`;
    case Code.PriceBelowBand:
      return `the price ${fenToCny(v)} CNY is below today’s band (${band()})`;
    case Code.QtyOffLot:
      return `${v} t is not a whole number of lots (${l} t)`;
    case Code.QtyBelowMin:
      return `${v} t is below the least order (${l} t)`;
    case Code.QtyAboveMax:
      return `${v} t is above the largest order (${l} t)`;
    case Code.NotionalOverflow:
      return 'the order is too large to value';
    case Code.MarketTifNotAllowed:
      return 'a market order must be IOC or FOK';
    case Code.SessionHalted:
      return 'trading is halted';
    case Code.UnknownOrder:
      return `there is no order ${v} in the book`;
    case Code.NotOwner:
      return `order ${v} is not yours`;
    case Code.AmendNoChange:
      return 'the amend changes nothing';
    case Code.TakeNotListedMode:
      return 'this market does not list orders to take';
    case Code.TakeBeyondDepth:
      return `listing ${v} is not among the best levels`;
    case Code.TakeOwnListing:
      return `listing ${v} is your own`;
    default:
      return engine.lastRejectMessage();
  }
}
