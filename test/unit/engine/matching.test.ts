import { describe, expect, it } from 'vitest';
import { Code, Side, Stp, Tif } from '../../../src/engine/index.ts';
import { open, state } from './harness.ts';

const { Buy, Sell } = Side;
const { GFD, GTC, IOC, FOK } = Tif;
const N = Stp.None;

describe('price-time matching', () => {
  it('fills across levels at the makers’ prices, oldest first within a level, and rests the remainder', () => {
    const { e, sink } = open();
    e.placeLimit(2, 1, 1, Sell, 101, 10, GFD, N);
    e.placeLimit(2, 2, 2, Sell, 100, 5, GFD, N);
    e.placeLimit(2, 3, 3, Sell, 100, 5, GFD, N);
    e.placeLimit(2, 4, 4, Sell, 102, 5, GFD, N);
    sink.take();
    expect(e.placeLimit(3, 10, 9, Buy, 101, 25, GFD, N)).toBe(Code.Ok);
    expect(sink.take()).toEqual([
      'accepted 10 a9 buy Limit 25@101 GFD',
      'trade 2<-10 5@100 left 0/20',
      'trade 3<-10 5@100 left 0/15',
      'level sell 100 0/0',
      'trade 1<-10 10@101 left 0/5',
      'level sell 101 0/0',
      'level buy 101 5/1',
    ]);
    expect(e.bestBidFen()).toBe(101);
    expect(e.bestAskFen()).toBe(102);
    expect(e.depth(Buy, 5)).toEqual([{ priceFen: 101, qtyT: 5, count: 1 }]);
    expect(e.dayStats).toMatchObject({
      openFen: 100,
      highFen: 101,
      lowFen: 100,
      lastFen: 101,
      volumeT: 20,
      turnoverFen: 2010,
      tradeCount: 3,
    });
  });

  it('partially fills a maker and leaves it at the head of its level', () => {
    const { e, sink } = open();
    e.placeLimit(2, 1, 1, Sell, 100, 10, GFD, N);
    e.placeLimit(2, 2, 2, Sell, 100, 10, GFD, N);
    e.placeLimit(3, 3, 3, Buy, 100, 4, IOC, N);
    e.placeLimit(3, 4, 3, Buy, 100, 8, IOC, N);
    expect(sink.take().filter((s) => s.startsWith('trade'))).toEqual([
      'trade 1<-3 4@100 left 6/0',
      'trade 1<-4 6@100 left 0/2',
      'trade 2<-4 2@100 left 8/0',
    ]);
  });

  it('IOC cancels what does not fill at once', () => {
    const { e, sink } = open();
    e.placeLimit(2, 1, 1, Sell, 100, 10, GFD, N);
    e.placeLimit(3, 2, 2, Buy, 100, 15, IOC, N);
    expect(sink.take().slice(-2)).toEqual(['level sell 100 0/0', 'cancelled 2 5 left 0 IocRemainder']);
    expect(e.orderCount).toBe(0);
  });

  it('FOK that cannot fill leaves no trace; one that can, fills', () => {
    const { e, sink } = open();
    e.placeLimit(2, 1, 1, Sell, 100, 10, GFD, N);
    e.placeLimit(2, 2, 2, Sell, 101, 10, GFD, N);
    sink.take();
    const before = state(e);
    e.placeLimit(3, 3, 3, Buy, 101, 21, FOK, N);
    expect(sink.take()).toEqual(['accepted 3 a3 buy Limit 21@101 FOK', 'cancelled 3 21 left 0 FokKilled']);
    expect(state(e)).toBe(before.replace('"lastTsMs":2', '"lastTsMs":3'));
    e.placeLimit(4, 4, 3, Buy, 101, 20, FOK, N);
    expect(e.orderCount).toBe(0);
    expect(e.dayStats.volumeT).toBe(20);
  });

  it('a protected market order never trades outside the band', () => {
    const { e, sink } = open({ bandBps: 1000, refPriceFen: 1000 });
    e.placeLimit(2, 1, 1, Sell, 1100, 10, GFD, N); // the upper edge
    e.placeLimit(2, 2, 1, Sell, 1050, 10, GFD, N);
    sink.take();
    e.placeMarket(3, 3, 2, Buy, 30, IOC, N);
    expect(sink.take()).toEqual([
      'accepted 3 a2 buy Market 30@1100 IOC',
      'trade 2<-3 10@1050 left 0/20',
      'level sell 1050 0/0',
      'trade 1<-3 10@1100 left 0/10',
      'level sell 1100 0/0',
      'cancelled 3 10 left 0 IocRemainder',
    ]);
    // A market FOK larger than the book is killed.
    e.placeLimit(4, 4, 1, Buy, 900, 10, GFD, N);
    e.placeMarket(5, 5, 2, Sell, 11, FOK, N);
    expect(sink.take().slice(-1)).toEqual(['cancelled 5 11 left 0 FokKilled']);
  });
});

describe('cancel and amend', () => {
  it('cancels from the middle of a deep level and keeps the others’ order', () => {
    const { e, sink } = open();
    for (let id = 1; id <= 5; id++) e.placeLimit(2, id, id, Buy, 100, 10, GFD, N);
    expect(e.cancel(3, 3, 3)).toBe(Code.Ok);
    sink.take();
    e.placeLimit(4, 9, 9, Sell, 100, 50, IOC, N);
    expect(
      sink
        .take()
        .filter((s) => s.startsWith('trade'))
        .map((s) => s.split(' ')[1]),
    ).toEqual(['1<-9', '2<-9', '4<-9', '5<-9']);
  });

  it('quantity down keeps priority', () => {
    const { e, sink } = open();
    e.placeLimit(2, 1, 1, Buy, 100, 10, GFD, N);
    e.placeLimit(2, 2, 2, Buy, 100, 10, GFD, N);
    sink.take();
    e.amend(3, 1, 1, 100, 4);
    expect(sink.take()).toEqual(['amended 1 4@100 kept', 'level buy 100 14/2']);
    e.placeLimit(4, 3, 3, Sell, 100, 4, IOC, N);
    expect(sink.take()[1]).toBe('trade 1<-3 4@100 left 0/0');
  });

  it('quantity up loses priority', () => {
    const { e, sink } = open();
    e.placeLimit(2, 1, 1, Buy, 100, 10, GFD, N);
    e.placeLimit(2, 2, 2, Buy, 100, 10, GFD, N);
    sink.take();
    e.amend(3, 1, 1, 100, 12);
    expect(sink.take()).toEqual(['amended 1 12@100 lost', 'level buy 100 22/2']);
    e.placeLimit(4, 3, 3, Sell, 100, 4, IOC, N);
    expect(sink.take()[1]).toBe('trade 2<-3 4@100 left 6/0');
  });

  it('a price change loses priority and may trade as an incoming order', () => {
    const { e, sink } = open();
    e.placeLimit(2, 1, 1, Sell, 105, 10, GFD, N);
    e.placeLimit(2, 2, 2, Buy, 100, 10, GFD, N);
    e.placeLimit(2, 3, 3, Buy, 101, 10, GFD, N);
    sink.take();
    e.amend(3, 2, 2, 105, 15);
    expect(sink.take()).toEqual([
      'amended 2 15@105 lost',
      'level buy 100 0/0',
      'trade 1<-2 10@105 left 0/5',
      'level sell 105 0/0',
      'level buy 105 5/1',
    ]);
    expect(e.getOrder(2)).toMatchObject({ priceFen: 105, qtyT: 5, tif: GFD });
  });

  it('cancels every order of one account, oldest first, and no one else’s', () => {
    const { e, sink } = open();
    e.placeLimit(2, 1, 7, Buy, 100, 10, GFD, N);
    e.placeLimit(2, 2, 8, Buy, 100, 10, GFD, N);
    e.placeLimit(2, 3, 7, Sell, 110, 10, GTC, N);
    e.placeLimit(2, 4, 7, Buy, 99, 10, GFD, N);
    e.amend(3, 1, 7, 100, 20); // now younger than 3 and 4
    sink.take();
    e.cancelAll(4, 7);
    expect(sink.take().filter((s) => s.startsWith('cancelled'))).toEqual([
      'cancelled 3 10 left 0 CancelAll',
      'cancelled 4 10 left 0 CancelAll',
      'cancelled 1 20 left 0 CancelAll',
    ]);
    expect(e.liveOrders().map((o) => o.orderId)).toEqual([2]);
  });
});

describe('self-trade prevention', () => {
  const setup = (stp: Stp) => {
    const { e, sink } = open();
    e.placeLimit(2, 1, 2, Sell, 100, 5, GFD, N); // someone else, first in line
    e.placeLimit(2, 2, 1, Sell, 100, 10, GFD, N); // own order
    e.placeLimit(2, 3, 3, Sell, 100, 10, GFD, N);
    sink.take();
    e.placeLimit(3, 9, 1, Buy, 100, 20, GFD, stp);
    return { e, events: sink.take() };
  };

  it('CancelNewest cancels the incoming remainder', () => {
    const { e, events } = setup(Stp.CancelNewest);
    expect(events.slice(1)).toEqual([
      'trade 1<-9 5@100 left 0/15',
      'cancelled 9 15 left 0 SelfTrade',
      'level sell 100 20/2',
    ]);
    expect(e.getOrder(2)?.qtyT).toBe(10);
  });
  it('CancelOldest cancels the resting order and goes on', () => {
    const { e, events } = setup(Stp.CancelOldest);
    expect(events.slice(1)).toEqual([
      'trade 1<-9 5@100 left 0/15',
      'cancelled 2 10 left 0 SelfTrade',
      'trade 3<-9 10@100 left 0/5',
      'level sell 100 0/0',
      'level buy 100 5/1',
    ]);
    expect(e.getOrder(2)).toBeNull();
  });
  it('CancelBoth cancels both', () => {
    const { e, events } = setup(Stp.CancelBoth);
    expect(events.slice(1)).toEqual([
      'trade 1<-9 5@100 left 0/15',
      'cancelled 2 10 left 0 SelfTrade',
      'cancelled 9 15 left 0 SelfTrade',
      'level sell 100 10/1',
    ]);
    expect(e.orderCount).toBe(1);
  });
  it('Decrement shrinks both by the smaller quantity without a trade', () => {
    const { e, events } = setup(Stp.Decrement);
    expect(events.slice(1)).toEqual([
      'trade 1<-9 5@100 left 0/15',
      'cancelled 2 10 left 0 SelfTrade',
      'cancelled 9 10 left 5 SelfTrade',
      'trade 3<-9 5@100 left 5/0',
      'level sell 100 5/1',
    ]);
    expect(e.dayStats.volumeT).toBe(10);
  });
  it('Decrement leaves the larger resting order reduced', () => {
    const { e, sink } = open();
    e.placeLimit(2, 1, 1, Sell, 100, 30, GFD, N);
    sink.take();
    e.placeLimit(3, 2, 1, Buy, 100, 10, GFD, Stp.Decrement);
    expect(sink.take()).toEqual([
      'accepted 2 a1 buy Limit 10@100 GFD',
      'cancelled 1 10 left 20 SelfTrade',
      'cancelled 2 10 left 0 SelfTrade',
      'level sell 100 20/1',
    ]);
    expect(e.getOrder(1)?.qtyT).toBe(20);
  });
  it('None lets an account trade with itself', () => {
    const { e } = setup(Stp.None);
    expect(e.dayStats.volumeT).toBe(20);
  });
  it('a FOK that would meet its own order under CancelNewest is killed without trading', () => {
    const { e, sink } = open();
    e.placeLimit(2, 1, 1, Sell, 100, 10, GFD, N);
    e.placeLimit(2, 2, 2, Sell, 101, 10, GFD, N);
    sink.take();
    e.placeLimit(3, 3, 2, Buy, 101, 5, FOK, Stp.CancelNewest); // fills from account 1 alone: fine
    e.placeLimit(4, 4, 2, Buy, 101, 10, FOK, Stp.CancelNewest); // would reach its own order at 101
    expect(sink.take().slice(-1)).toEqual(['cancelled 4 10 left 0 FokKilled']);
    expect(e.dayStats.volumeT).toBe(5);
  });
});
