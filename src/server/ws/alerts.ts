// An alert as it goes over the socket (not a channel: no seq, nothing to resync; a missed alert is only a missed
// notification, what it points at is in the channels and REST):
//   {"type": "alert", "alert": {"type": "proposal", "tsMs": ..., "time": "2024-03-04 10:30", "params": {...}}}
// Params as the core named them by unit, money and times made readable: each xFen number becomes xCny, a CNY
// decimal string ("97.25"), and each xTsMs number keeps its ms and gains xTime, its exchange time text.
import type { Alert } from '../../live/types.ts';
import { fenToCny } from '../../market/money.ts';
import { cstTime } from '../views.ts';

export function alertMessage(a: Alert): string {
  const params: Record<string, string | number> = {};
  for (const [k, v] of Object.entries(a.params)) {
    if (typeof v === 'number' && k.endsWith('Fen')) params[`${k.slice(0, -3)}Cny`] = fenToCny(v);
    else if (typeof v === 'number' && k.endsWith('TsMs')) {
      params[k] = v;
      params[`${k.slice(0, -4)}Time`] = cstTime(v);
    } else params[k] = v;
  }
  return JSON.stringify({ type: 'alert', alert: { type: a.type, tsMs: a.tsMs, time: cstTime(a.tsMs), params } });
}
