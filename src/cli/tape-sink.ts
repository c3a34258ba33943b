import { CancelReason, codeName, type EngineSink, OrderType, SessionState, Side, Tif } from '../engine/index.ts';
import { fenToYuan } from '../market/money.ts';

const reasonName = new Map<number, string>(Object.entries(CancelReason).map(([k, v]) => [v, k]));
const tifName = new Map<number, string>(Object.entries(Tif).map(([k, v]) => [v, k]));
const typeName = new Map<number, string>(Object.entries(OrderType).map(([k, v]) => [v, k]));
const sessionName = new Map<number, string>(Object.entries(SessionState).map(([k, v]) => [v, k]));
const sideName = (s: number): string => (s === Side.Buy ? 'buy' : 'sell');

/** Beijing time of day for a UTC millisecond timestamp (China has no daylight saving). */
export function clockBj(tsMs: number): string {
  return new Date(tsMs + 8 * 3_600_000).toISOString().slice(11, 19);
}

/** Writes every engine event as one human-readable line (prices in yuan). */
export class TapeSink implements EngineSink {
  readonly lines: string[] = [];
  private readonly out: (line: string) => void;

  constructor(out: (line: string) => void) {
    this.out = out;
  }

  private put(seq: number, tsMs: number, text: string): void {
    const line = `${clockBj(tsMs)} #${String(seq).padStart(3)}  ${text}`;
    this.lines.push(line);
    this.out(line);
  }

  accepted(
    seq: number,
    ts: number,
    id: number,
    acct: number,
    side: Side,
    type: OrderType,
    priceFen: number,
    qtyT: number,
    tif: Tif,
  ): void {
    const px = type === OrderType.Market ? `protected at ${fenToYuan(priceFen)}` : `@ ${fenToYuan(priceFen)}`;
    this.put(
      seq,
      ts,
      `accepted  #${id} acct ${acct} ${sideName(side)} ${qtyT} t ${px} ${typeName.get(type)} ${tifName.get(tif)}`,
    );
  }
  rejected(seq: number, ts: number, id: number, code: number): void {
    this.put(seq, ts, `REJECTED  #${id} ${codeName(code)}`);
  }
  trade(
    seq: number,
    ts: number,
    maker: number,
    taker: number,
    ma: number,
    ta: number,
    takerSide: Side,
    priceFen: number,
    qtyT: number,
  ): void {
    this.put(
      seq,
      ts,
      `TRADE     ${qtyT} t @ ${fenToYuan(priceFen)}  taker #${taker} (acct ${ta}, ${sideName(takerSide)}) x maker #${maker} (acct ${ma})`,
    );
  }
  cancelled(seq: number, ts: number, id: number, cancelledT: number, remainingT: number, reason: CancelReason): void {
    this.put(seq, ts, `cancelled #${id} ${cancelledT} t (${reasonName.get(reason)}), ${remainingT} t left`);
  }
  amended(seq: number, ts: number, id: number, priceFen: number, qtyT: number, kept: boolean): void {
    this.put(seq, ts, `amended   #${id} -> ${qtyT} t @ ${fenToYuan(priceFen)} (${kept ? 'keeps' : 'loses'} priority)`);
  }
  expired(seq: number, ts: number, id: number, qtyT: number): void {
    this.put(seq, ts, `expired   #${id} ${qtyT} t`);
  }
  level(seq: number, ts: number, side: Side, priceFen: number, qtyT: number, count: number): void {
    this.put(seq, ts, `  level   ${sideName(side)} ${fenToYuan(priceFen)}: ${qtyT} t in ${count} order(s)`);
  }
  session(seq: number, ts: number, state: SessionState): void {
    this.put(seq, ts, `session   ${sessionName.get(state)}`);
  }
  dayEnded(seq: number, ts: number, refFen: number, lowFen: number, highFen: number): void {
    this.put(
      seq,
      ts,
      `day end   next reference ${fenToYuan(refFen)}, band ${fenToYuan(lowFen)} - ${fenToYuan(highFen)}`,
    );
  }
}
