// What goes over the socket, both ways: a client's messages read and checked (subscribe, unsubscribe, order, cancel,
// ping), and the server's answers and notices as text and as ready-made frames. Channel messages are
// {ch, seq, type, data}; answers are {op: "ack" | "error" | "pong" | "heartbeat" | "notice" | "subscribed", ...}.
import { STATUS_CODES } from 'node:http';
import type { Duplex } from 'node:stream';
import { fenToCny } from '../../market/money.ts';
import type { TradeRecord } from '../../market/trade.ts';
import { errorBody, statusOf } from '../http.ts';
import type { JournalState } from '../hub.ts';
import type { OrderCmd } from '../order-entry.ts';
import { ClientOrderId, OrderBody } from '../schemas.ts';
import { bodyValidator } from '../validation.ts';

/** What a client asked, checked; or the error to answer with. */
export type ClientMessage =
  | { readonly op: 'ping' }
  | { readonly op: 'subscribe' | 'unsubscribe'; readonly reqId: string | null; readonly channels: string[] }
  | { readonly op: 'order'; readonly reqId: string; readonly body: OrderCmd }
  | { readonly op: 'cancel'; readonly reqId: string; readonly orderId: number }
  | { readonly op: 'cancel-client'; readonly reqId: string; readonly clientOrderId: string }
  | { readonly op: 'error'; readonly reqId: string | null; readonly code: string; readonly message: string }
  /** A command refused as asked: answered with an ack that is not ok. */
  | { readonly op: 'refused'; readonly reqId: string; readonly code: string; readonly message: string };

const orderBody = bodyValidator(OrderBody);
const clientOrderId = bodyValidator(ClientOrderId);

/** Reads one client message (null: a binary frame). */
export function readClientMessage(text: string | null): ClientMessage {
  let msg: unknown;
  try {
    msg = text === null ? null : JSON.parse(text);
  } catch {
    return bad(null, 'a message is one JSON object');
  }
  if (msg === null || typeof msg !== 'object' || Array.isArray(msg))
    return bad(null, 'a message is one JSON object with an "op"');
  const m = msg as Record<string, unknown>;
  const reqId = typeof m.reqId === 'string' && m.reqId.length <= 64 ? m.reqId : null;
  switch (m.op) {
    case 'ping':
      return { op: 'ping' };
    case 'subscribe':
    case 'unsubscribe': {
      const chs = m.channels;
      if (!Array.isArray(chs) || chs.length > 50 || !chs.every((c) => typeof c === 'string' && c.length <= 100))
        return bad(reqId, 'channels: a list of at most 50 channel names');
      return { op: m.op, reqId, channels: chs as string[] };
    }
    case 'order':
    case 'cancel':
      if (reqId === null) return bad(null, 'orders and cancels need a reqId (a string of at most 64)');
      return m.op === 'order' ? readOrder(reqId, m) : readCancel(reqId, m);
    default:
      return bad(reqId, 'op must be one of subscribe, unsubscribe, order, cancel, ping');
  }
}

function readOrder(reqId: string, m: Record<string, unknown>): ClientMessage {
  const { op: _op, reqId: _r, ...body } = m;
  if (!orderBody.check(body)) return refused(reqId, 'BAD_REQUEST', `order ${orderBody.problem()}`);
  return { op: 'order', reqId, body: body as unknown as OrderCmd };
}

/** A cancel names the order by the exchange's id or by the student's own (clientOrderId), not both. */
function readCancel(reqId: string, m: Record<string, unknown>): ClientMessage {
  const { orderId, clientOrderId: own } = m;
  if (own !== undefined && orderId === undefined) {
    if (!clientOrderId.check(own))
      return refused(reqId, 'BAD_REQUEST', 'clientOrderId: 1 to 36 letters, digits or _ . : -');
    return { op: 'cancel-client', reqId, clientOrderId: own as string };
  }
  if (typeof orderId !== 'number' || !Number.isSafeInteger(orderId) || orderId <= 0 || own !== undefined)
    return refused(reqId, 'BAD_REQUEST', 'a cancel needs orderId (a positive whole number) or clientOrderId, not both');
  return { op: 'cancel', reqId, orderId };
}

function bad(reqId: string | null, message: string): ClientMessage {
  return { op: 'error', reqId, code: 'BAD_REQUEST', message };
}

function refused(reqId: string, code: string, message: string): ClientMessage {
  return { op: 'refused', reqId, code, message };
}

// ---- the server's answers ---------------------------------------------------------------------------------------

export function ackText(reqId: string, error: { code: string; message: string } | null, result?: unknown): string {
  return JSON.stringify(
    error === null
      ? { op: 'ack', reqId, ok: true, result }
      : { op: 'ack', reqId, ok: false, error: errorBody(error.code, error.message).error },
  );
}

export function errorText(reqId: string | null, code: string, message: string): string {
  return JSON.stringify({ op: 'error', reqId, error: errorBody(code, message).error });
}

/**
 * A trade on a trades channel: what GET .../trades gives less what the channel names (market, instrument) and the
 * time text (the client has tsMs): every subscriber gets every trade, so bytes count.
 */
export function channelTrade(t: TradeRecord) {
  return {
    tradeId: t.tradeId,
    tsMs: t.tsMs,
    priceCny: fenToCny(t.priceFen),
    qtyT: t.qtyT,
    mode: t.mode,
    aggressor: t.mode === 'listed' ? t.aggressor : null,
  };
}

/**
 * What every client is told when the journal stops writing (changes are refused, market data is held back) and when it
 * writes again: `{op: "notice", journal: <the hub's JournalState>, message}`.
 */
export function journalNotice(s: JournalState): string {
  const message = s.writable
    ? 'the server records changes again: orders are taken, and each channel that missed messages gets a fresh snapshot'
    : s.needsRestart
      ? `the server cannot record changes (${s.reason}) and needs a restart: orders and other changes are refused ` +
        'and market data is held back; nothing acknowledged is lost'
      : `the server cannot record changes (${s.reason}): orders and other changes are refused and market data is ` +
        'held back until it can again (once its disk has room); nothing acknowledged is lost';
  return JSON.stringify({ op: 'notice', journal: s, message });
}

/** Refuses a WebSocket upgrade with an HTTP answer in the API's error shape. */
export function refuseUpgrade(socket: Duplex, code: string, message: string): void {
  const status = statusOf(code);
  const body = JSON.stringify(errorBody(code, message));
  socket.end(
    `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nContent-Type: application/json; charset=utf-8\r\n` +
      `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
  );
}

/** A WebSocket text frame as a server sends it (final, unmasked, uncompressed), header and payload in one buffer. */
export function textFrame(text: string): Buffer {
  const n = Buffer.byteLength(text);
  const head = n < 126 ? 2 : n < 65_536 ? 4 : 10;
  const f = Buffer.allocUnsafe(head + n);
  f[0] = 0x81;
  if (n < 126) f[1] = n;
  else if (n < 65_536) {
    f[1] = 126;
    f.writeUInt16BE(n, 2);
  } else {
    f[1] = 127;
    f.writeUInt32BE(Math.floor(n / 2 ** 32), 2);
    f.writeUInt32BE(n >>> 0, 6);
  }
  f.write(text, head);
  return f;
}

/** Told to a client whose snapshot was held back because the journal could not make the state durable. */
export const HELD_BACK = textFrame(
  errorText(
    null,
    'JOURNAL_ERR_WRITE',
    'the server cannot record changes just now, so market data is held back and orders are refused; ' +
      'subscribe again later',
  ),
);
