// Order entry shared by the HTTP routes and the WebSocket: a student's order, cancel and cancel by their own id, as
// journaled commands (each resolves once its command is durable). Bodies are validated already (OrderBody).
import type { Classroom } from '../live/classroom.ts';
import { LiveCode, refuse } from '../live/errors.ts';
import { cnyToFen } from '../market/money.ts';
import type { SideName } from '../market/trade.ts';
import { fail, HttpError } from './http.ts';
import type { Hub } from './hub.ts';

/** An order as a student sends it (price in CNY). */
export interface OrderCmd {
  marketId: string;
  instrumentId: string;
  side: SideName;
  priceCny: string | null;
  qtyT: number;
  tif: 'day' | 'gtc' | 'ioc' | 'fok';
  clientOrderId?: string;
}

/** A positive CNY amount as fen, or a 400. */
export function fen(cny: string): number {
  const f = cnyToFen(cny);
  if (f === null || f <= 0)
    throw new HttpError('BAD_REQUEST', `"${cny}" is not a positive amount of CNY with at most 2 decimals`);
  return f;
}

export async function placeOrder(hub: Hub, room: Classroom, studentId: number, b: OrderCmd) {
  const priceFen = b.priceCny === null ? null : fen(b.priceCny);
  const { marketId, instrumentId, side, qtyT, tif, clientOrderId } = b;
  const r = await hub.exec(room, {
    op: 'order',
    studentId,
    marketId,
    instrumentId,
    side,
    priceFen,
    qtyT,
    tif,
    // Journaled only when given: most orders have none.
    ...(clientOrderId === undefined ? {} : { clientOrderId }),
  });
  if (!r.ok) fail(r);
  return r.value;
}

export async function cancelOrder(hub: Hub, room: Classroom, studentId: number, orderId: number) {
  const r = await hub.exec(room, { op: 'cancel', studentId, orderId });
  if (!r.ok) fail(r);
  return r.value;
}

/**
 * Cancel by the student's own id. The id is looked up and the cancel applied in the same turn of the event loop, so
 * the order found is the one cancelled; the journal keeps the plain cancel (by order id), which replays the same.
 */
export async function cancelByClientId(hub: Hub, room: Classroom, studentId: number, clientOrderId: string) {
  const o = room.openOrderByClientId(studentId, clientOrderId);
  if (o === null)
    fail(refuse(LiveCode.UnknownOrder, `you have no resting order with client order id "${clientOrderId}"`));
  return cancelOrder(hub, room, studentId, o.orderId);
}
