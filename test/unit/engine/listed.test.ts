import { describe, expect, it } from 'vitest';
import { Code, MatchMode, Side, Stp, Tif } from '../../../src/engine/index.ts';
import { open, state } from './harness.ts';

const { Buy, Sell } = Side;
const { GFD, GTC, IOC, FOK } = Tif;
const CN = Stp.CancelNewest;

/** Asks at 9000..9006 fen, one 10 t listing each (ids 1..7, accounts 1..7), plus a second listing at 9000 (id 8). */
function listedBook(listedDepth = 5) {
  const { e, sink } = open({ mode: MatchMode.Listed, listedDepth, bandBps: 1000, refPriceFen: 9000 });
  for (let i = 0; i < 7; i++) e.placeLimit(2, i + 1, i + 1, Sell, 9000 + i, 10, GFD, CN);
  e.placeLimit(2, 8, 8, Sell, 9000, 10, GFD, CN);
  sink.take();
  return { e, sink };
}

describe('listed agreement', () => {
  it('a take may pick any listing at a level, not the oldest', () => {
    const { e, sink } = listedBook();
    expect(e.take(3, 100, 50, 8, 4)).toBe(Code.Ok);
    expect(sink.take()).toEqual([
      'accepted 100 a50 buy Take 4@9000 IOC',
      'trade 8<-100 4@9000 left 6/0',
      'level sell 9000 16/2',
    ]);
    expect(e.getOrder(1)?.qtyT).toBe(10);
  });

  it('a take within level N trades at the listing price; beyond level N it is rejected', () => {
    const { e } = listedBook();
    expect(e.take(3, 100, 50, 5, 10)).toBe(Code.Ok); // 9004 is level 5
    const before = state(e);
    expect(e.take(3, 101, 50, 7, 10)).toBe(Code.TakeBeyondDepth); // 9006 is level 6 now
    expect(e.lastRejectMessage()).toBe('listing 7 is beyond the best 5 price levels that may be taken');
    expect(state(e)).toBe(before);
    const shallow = listedBook(1);
    expect(shallow.e.take(3, 100, 50, 2, 10)).toBe(Code.TakeBeyondDepth);
    expect(shallow.e.take(3, 100, 50, 8, 10)).toBe(Code.Ok);
  });

  it('a take is refused for more than the listing has, for one’s own listing and for unknown listings', () => {
    const { e } = listedBook();
    expect(e.take(3, 100, 50, 1, 11)).toBe(Code.TakeQtyExceedsListing);
    expect(e.take(3, 100, 1, 1, 5)).toBe(Code.TakeOwnListing);
    expect(e.take(3, 100, 50, 999, 5)).toBe(Code.UnknownOrder);
    expect(e.take(3, 1, 50, 2, 5)).toBe(Code.DuplicateOrderId);
  });

  it('the rest of a listing below the minimum size may still be taken whole', () => {
    const { e } = open({ mode: MatchMode.Listed, minQtyT: 100 });
    e.placeLimit(2, 1, 1, Sell, 9000, 150, GFD, CN);
    expect(e.take(3, 2, 2, 1, 100)).toBe(Code.Ok);
    expect(e.take(3, 3, 2, 1, 40)).toBe(Code.QtyBelowMin);
    expect(e.take(3, 4, 2, 1, 50)).toBe(Code.Ok);
    expect(e.orderCount).toBe(0);
  });

  it('a marketable order sweeps only the best N levels, oldest listing first, and cancels what would cross', () => {
    const { e, sink } = listedBook();
    e.placeLimit(3, 100, 50, Buy, 9006, 100, GFD, CN);
    const ev = sink.take();
    expect(ev.filter((s) => s.startsWith('trade')).map((s) => s.split(' ').slice(1, 3).join(' '))).toEqual([
      '1<-100 10@9000',
      '8<-100 10@9000',
      '2<-100 10@9001',
      '3<-100 10@9002',
      '4<-100 10@9003',
      '5<-100 10@9004',
    ]);
    expect(ev.at(-1)).toBe('cancelled 100 40 left 0 DepthLimit');
    expect(e.bestAskFen()).toBe(9005);
    expect(e.bestBidFen()).toBe(0);
  });

  it('the remainder rests when it no longer crosses, and the same order fills further under price-time', () => {
    const listed = listedBook();
    listed.e.placeLimit(3, 100, 50, Buy, 9004, 100, GTC, CN);
    expect(listed.e.bestBidFen()).toBe(9004);
    expect(listed.e.bestBidQtyT()).toBe(40);
    const pt = open({ mode: MatchMode.PriceTime, bandBps: 1000, refPriceFen: 9000 });
    for (let i = 0; i < 7; i++) pt.e.placeLimit(2, i + 1, i + 1, Sell, 9000 + i, 10, GFD, CN);
    pt.e.placeLimit(3, 100, 50, Buy, 9006, 100, GFD, CN);
    expect(pt.e.dayStats.volumeT).toBe(70);
    expect(pt.e.bestBidQtyT()).toBe(30);
  });

  it('IOC and FOK respect the depth limit', () => {
    const { e, sink } = listedBook();
    e.placeLimit(3, 100, 50, Buy, 9006, 61, FOK, CN); // 60 t reachable in five levels
    expect(sink.take()).toEqual(['accepted 100 a50 buy Limit 61@9006 FOK', 'cancelled 100 61 left 0 FokKilled']);
    e.placeLimit(4, 101, 50, Buy, 9006, 65, IOC, CN);
    expect(sink.take().at(-1)).toBe('cancelled 101 5 left 0 IocRemainder');
  });

  it('a take needs an open session', () => {
    const { e } = listedBook();
    e.setSession(3, 0);
    expect(e.take(4, 100, 50, 1, 5)).toBe(Code.SessionClosed);
  });
});
