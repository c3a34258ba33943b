import { readFileSync } from 'node:fs';
import { Engine, MatchMode, SessionState, Side, Stp, Tif } from '../engine/index.ts';
import { fenToYuan, vwapFen } from '../market/money.ts';
import { clockBj, TapeSink } from './tape-sink.ts';

// One morning of the national market (listed agreement, best five levels, ±10% band) through the engine.
// Figures are illustrative, near the end of Q3 2024 (previous close 99.00 CNY/t).
const DAY_MS = Date.UTC(2024, 8, 30, 1, 30); // 2024-09-30 09:30 Beijing time
const at = (hhmm: string): number => {
  const [h, m] = hhmm.split(':').map(Number);
  return DAY_MS + ((h ?? 9) * 60 + (m ?? 30) - 570) * 60_000;
};

interface ListedPreset {
  listedDepth: number;
  tickFen: number;
  lotT: number;
  minQtyT: number;
  maxQtyT: number;
  bandBps: number;
}

function nationalPreset(): ListedPreset {
  const url = new URL('../../data/national-cea-listed.json', import.meta.url);
  return JSON.parse(readFileSync(url, 'utf8')) as ListedPreset;
}

export function runDemo(out: (line: string) => void = console.log): void {
  const tape = new TapeSink(out);
  const { listedDepth, tickFen, lotT, minQtyT, maxQtyT, bandBps } = nationalPreset();
  const e = new Engine(
    { mode: MatchMode.Listed, listedDepth, tickFen, lotT, minQtyT, maxQtyT, bandBps, refPriceFen: 9900 },
    tape,
  );
  out(
    `cets demo: national CEA, listed agreement; previous close 99.00, band ${fenToYuan(e.bandLowFen)} - ${fenToYuan(e.bandHighFen)}\n`,
  );
  const CN = Stp.CancelNewest;
  e.setSession(at('09:30'), SessionState.Open);
  // Sellers list allowances on seven price levels.
  const asks: [number, number, number][] = [
    [101, 9920, 3000],
    [102, 9925, 5000],
    [103, 9925, 2000],
    [104, 9930, 8000],
    [105, 9935, 4000],
    [106, 9940, 6000],
    [107, 9948, 10000],
    [108, 9990, 1000],
  ];
  for (const [id, priceFen, qtyT] of asks)
    e.placeLimit(at('09:31'), id, id - 100, Side.Sell, priceFen, qtyT, Tif.GFD, CN);
  e.placeLimit(at('09:32'), 201, 21, Side.Buy, 9880, 20000, Tif.GFD, CN);
  e.placeLimit(at('09:32'), 202, 22, Side.Buy, 9890, 15000, Tif.GFD, CN);
  // A buyer takes the younger listing at 99.25 first: no time priority in listed agreement.
  e.take(at('09:40'), 301, 31, 103, 2000);
  // Taking a listing beyond level five is refused.
  e.take(at('09:45'), 304, 34, 108, 1000);
  out(`           ${e.lastRejectMessage()}`);
  // A buyer sweeps up to 99.48 for 30,000 t: it reaches only the best five levels; the rest cannot rest crossed.
  e.placeLimit(at('10:05'), 302, 32, Side.Buy, 9948, 30000, Tif.GFD, CN);
  // Out of band: rejected, nothing changes.
  e.placeLimit(at('10:06'), 303, 33, Side.Buy, 10900, 1000, Tif.GFD, CN);
  out(`           ${e.lastRejectMessage()}`);
  // A seller hits the bids with a protected market order.
  e.placeMarket(at('11:00'), 401, 41, Side.Sell, 16000, Tif.IOC, CN);
  e.setSession(at('11:30'), SessionState.Closed);

  const s = e.dayStats;
  const closeFen = vwapFen(s.turnoverFen, s.volumeT) || e.refPriceFen;
  out('');
  out(
    `book at ${clockBj(at('11:30'))}: best bid ${fenToYuan(e.bestBidFen())} (${e.bestBidQtyT()} t), best ask ${fenToYuan(e.bestAskFen())} (${e.bestAskQtyT()} t)`,
  );
  out(
    `day: open ${fenToYuan(s.openFen)}, high ${fenToYuan(s.highFen)}, low ${fenToYuan(s.lowFen)}, ${s.tradeCount} trades, ${s.volumeT} t, turnover ${fenToYuan(s.turnoverFen)} CNY`,
  );
  out(`close (VWAP of listed trades): ${fenToYuan(closeFen)}`);
  e.endOfDay(at('15:30'), closeFen);
}
