// A WebSocket test client that keeps every message and can wait for one matching a predicate.
import WebSocket from 'ws';

export type Msg = Record<string, unknown>;

export interface WsClient {
  readonly ws: WebSocket;
  readonly got: Msg[];
  wait(pred: (m: Msg) => boolean, ms?: number): Promise<Msg>;
  send(m: object): void;
  /** Resolves with the close code once the server closes the socket. */
  closed(ms?: number): Promise<number>;
}

export async function wsClient(url: string, opts: { headers?: Record<string, string> } = {}): Promise<WsClient> {
  const ws = new WebSocket(url, opts.headers === undefined ? {} : { headers: opts.headers });
  const got: Msg[] = [];
  const waiters: { pred: (m: Msg) => boolean; resolve: (m: Msg) => void }[] = [];
  let closeCode: number | null = null;
  const closeWaiters: ((code: number) => void)[] = [];
  ws.on('message', (d) => {
    const m = JSON.parse(d.toString()) as Msg;
    got.push(m);
    for (const w of [...waiters])
      if (w.pred(m)) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve(m);
      }
  });
  ws.on('close', (code) => {
    closeCode = code;
    for (const w of closeWaiters.splice(0)) w(code);
  });
  await new Promise((resolve, reject) => {
    ws.once('open', resolve);
    ws.once('error', reject);
    ws.once('unexpected-response', (_req, res) => reject(new Error(`upgrade refused: ${res.statusCode}`)));
  });
  return {
    ws,
    got,
    wait: (pred, ms = 3_000) =>
      new Promise<Msg>((resolve, reject) => {
        const hit = got.find(pred);
        if (hit !== undefined) return resolve(hit);
        const timer = setTimeout(
          () => reject(new Error(`no such message; got ${JSON.stringify(got).slice(0, 800)}`)),
          ms,
        );
        waiters.push({
          pred,
          resolve: (m) => {
            clearTimeout(timer);
            resolve(m);
          },
        });
      }),
    send: (m) => ws.send(JSON.stringify(m)),
    closed: (ms = 3_000) =>
      new Promise<number>((resolve, reject) => {
        if (closeCode !== null) return resolve(closeCode);
        const timer = setTimeout(() => reject(new Error('the socket stayed open')), ms);
        closeWaiters.push((code) => {
          clearTimeout(timer);
          resolve(code);
        });
      }),
  };
}

/** The status code the server answers an upgrade with when it refuses it (or 101 when it accepts). */
export function upgradeStatus(url: string, headers: Record<string, string> = {}): Promise<number> {
  return new Promise((resolve) => {
    const ws = new WebSocket(url, { headers });
    ws.once('open', () => {
      ws.terminate();
      resolve(101);
    });
    ws.once('unexpected-response', (_req, res) => {
      resolve(res.statusCode ?? 0);
      ws.terminate();
    });
    ws.once('error', () => resolve(0));
  });
}
