import {
  CancelReason,
  codeName,
  defaultEngineConfig,
  Engine,
  type EngineConfig,
  type EngineSink,
  OrderType,
  SessionState,
  Side,
  Tif,
} from '../../../src/engine/index.ts';

const reason = new Map<number, string>(Object.entries(CancelReason).map(([k, v]) => [v, k]));
const tif = new Map<number, string>(Object.entries(Tif).map(([k, v]) => [v, k]));
const type = new Map<number, string>(Object.entries(OrderType).map(([k, v]) => [v, k]));
const side = (s: number): string => (s === Side.Buy ? 'buy' : 'sell');

/** Records events as short strings (no seq, no time) so tests read like the tape. */
export class StringSink implements EngineSink {
  readonly events: string[] = [];
  readonly seqs: number[] = [];
  accepted(
    seq: number,
    _t: number,
    id: number,
    acct: number,
    s: number,
    ty: number,
    px: number,
    q: number,
    tf: number,
  ) {
    this.push(seq, `accepted ${id} a${acct} ${side(s)} ${type.get(ty)} ${q}@${px} ${tif.get(tf)}`);
  }
  rejected(seq: number, _t: number, id: number, code: number) {
    this.push(seq, `rejected ${id} ${codeName(code)}`);
  }
  trade(
    seq: number,
    _t: number,
    maker: number,
    taker: number,
    _ma: number,
    _ta: number,
    _s: number,
    px: number,
    q: number,
    mr: number,
    tr: number,
  ) {
    this.push(seq, `trade ${maker}<-${taker} ${q}@${px} left ${mr}/${tr}`);
  }
  cancelled(seq: number, _t: number, id: number, c: number, r: number, why: number) {
    this.push(seq, `cancelled ${id} ${c} left ${r} ${reason.get(why)}`);
  }
  amended(seq: number, _t: number, id: number, px: number, q: number, kept: boolean) {
    this.push(seq, `amended ${id} ${q}@${px} ${kept ? 'kept' : 'lost'}`);
  }
  expired(seq: number, _t: number, id: number, q: number) {
    this.push(seq, `expired ${id} ${q}`);
  }
  level(seq: number, _t: number, s: number, px: number, q: number, n: number) {
    this.push(seq, `level ${side(s)} ${px} ${q}/${n}`);
  }
  session(seq: number, _t: number, st: number) {
    this.push(seq, `session ${st}`);
  }
  dayEnded(seq: number, _t: number, ref: number, lo: number, hi: number) {
    this.push(seq, `dayEnded ${ref} ${lo}-${hi}`);
  }
  private push(seq: number, s: string) {
    this.seqs.push(seq);
    this.events.push(s);
  }
  /** Returns and clears what was recorded. */
  take(): string[] {
    this.seqs.length = 0;
    return this.events.splice(0);
  }
}

export function open(cfg: Partial<EngineConfig> = {}): { e: Engine; sink: StringSink } {
  const sink = new StringSink();
  const e = new Engine({ ...defaultEngineConfig, ...cfg }, sink);
  e.setSession(1, SessionState.Open);
  sink.take();
  return { e, sink };
}

/** Everything observable about the book, to show that a rejected command changed nothing. */
export function state(e: Engine): string {
  const s = e.snapshot() as { seq?: number };
  delete s.seq;
  return JSON.stringify(s);
}
