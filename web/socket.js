// The WebSocket feed: subscriptions kept across reconnects, per-channel sequence numbers (a gap means a missed
// message: the channel is subscribed again and its snapshot replaces what the page had), order entry with request
// ids answered by acks, alerts (pushed to the page as they come: no seq, nothing to resync), and reconnection with
// exponential backoff and jitter.

const BACKOFF_MS = [500, 1_000, 2_000, 4_000, 8_000, 15_000];
const ACK_TIMEOUT_MS = 8_000;
const PING_MS = 5_000;

export class Feed {
  /**
   * @param {object} o
   * @param {string|null} o.token student token (null: public channels only)
   * @param {string} [o.classroom] classroom id: of a connection without a token, or of the admin token's (a student's or instructor's token has its own)
   * @param {(ch: string, type: string, data: unknown) => void} o.onData channel messages, in order
   * @param {(state: 'connecting'|'open'|'closed', detail?: string) => void} o.onState
   * @param {(tsMs: number) => void} [o.onPong] exchange time from the server's pong
   * @param {() => void} [o.onRevoked] the server closed the connection because the token was revoked
   * @param {(alert: {type: string, tsMs: number, time: string, params: object}) => void} [o.onAlert] an alert
   */
  constructor(o) {
    this.o = o;
    this.ws = null;
    this.channels = new Set();
    this.lastSeq = new Map();
    this.pending = new Map();
    this.nextReq = 1;
    this.attempt = 0;
    this.timer = null;
    this.pinger = null;
    this.stopped = false;
    this.gaps = 0;
  }

  get open() {
    return this.ws !== null && this.ws.readyState === WebSocket.OPEN;
  }

  connect() {
    this.stopped = false;
    const url = new URL('/ws', location.href);
    url.protocol = location.protocol === 'https:' ? 'wss:' : 'ws:';
    if (this.o.token) url.searchParams.set('token', this.o.token);
    if (this.o.classroom) url.searchParams.set('classroom', this.o.classroom);
    this.o.onState('connecting');
    const ws = new WebSocket(url);
    this.ws = ws;
    ws.onopen = () => {
      this.attempt = 0;
      this.lastSeq.clear();
      this.o.onState('open');
      if (this.channels.size > 0) this.send({ op: 'subscribe', channels: [...this.channels] });
      this.pinger = setInterval(() => this.send({ op: 'ping' }), PING_MS);
      this.send({ op: 'ping' });
    };
    ws.onmessage = (ev) => this.onMessage(ev.data);
    ws.onclose = (ev) => this.onClose(ev);
    ws.onerror = () => {};
  }

  stop() {
    this.stopped = true;
    clearTimeout(this.timer);
    this.ws?.close();
  }

  onClose(ev) {
    clearInterval(this.pinger);
    this.ws = null;
    for (const [, p] of this.pending)
      p.reject({
        code: 'DISCONNECTED',
        message: 'the connection dropped before the server answered; check My orders',
        params: {},
      });
    this.pending.clear();
    if (this.stopped) return;
    if (ev.code === 4401) {
      // The instructor revoked the token: connecting again cannot help (the page's next request says so too).
      this.stopped = true;
      this.o.onState('closed', 'the instructor revoked this token');
      this.o.onRevoked?.();
      return;
    }
    const base = BACKOFF_MS[Math.min(this.attempt, BACKOFF_MS.length - 1)];
    const wait = Math.round(base * (0.75 + Math.random() * 0.5));
    this.attempt++;
    this.o.onState('closed', `reconnecting in ${(wait / 1000).toFixed(1)} s${ev.code ? ` (code ${ev.code})` : ''}`);
    this.timer = setTimeout(() => this.connect(), wait);
  }

  send(msg) {
    if (!this.open) return false;
    this.ws.send(JSON.stringify(msg));
    return true;
  }

  /** Adds channels (sent now if connected, and again after every reconnect). */
  subscribe(channels) {
    for (const c of channels) this.channels.add(c);
    this.send({ op: 'subscribe', channels });
  }

  unsubscribe(channels) {
    for (const c of channels) {
      this.channels.delete(c);
      this.lastSeq.delete(c);
    }
    this.send({ op: 'unsubscribe', channels });
  }

  /** Sends an op with a request id; resolves with the ack's result or rejects with its { code, message }. */
  request(op, body) {
    return new Promise((resolve, reject) => {
      const reqId = `c${this.nextReq++}`;
      if (!this.send({ op, reqId, ...body })) {
        reject({ code: 'DISCONNECTED', message: 'not connected', params: {} });
        return;
      }
      const timer = setTimeout(() => {
        this.pending.delete(reqId);
        reject({
          code: 'NO_ACK',
          message: `no answer from the server within ${ACK_TIMEOUT_MS / 1000} s; check My orders`,
          params: { seconds: String(ACK_TIMEOUT_MS / 1000) },
        });
      }, ACK_TIMEOUT_MS);
      this.pending.set(reqId, {
        resolve: (v) => {
          clearTimeout(timer);
          resolve(v);
        },
        reject: (e) => {
          clearTimeout(timer);
          reject(e);
        },
      });
    });
  }

  onMessage(text) {
    let m;
    try {
      m = JSON.parse(text);
    } catch {
      return;
    }
    if (m.op === 'ack' || (m.op === 'error' && m.reqId)) {
      const p = this.pending.get(m.reqId);
      if (p === undefined) return;
      this.pending.delete(m.reqId);
      if (m.ok) p.resolve(m.result);
      else p.reject(m.error ?? { code: 'ERROR', message: 'refused' });
      return;
    }
    if (m.type === 'alert') {
      this.o.onAlert?.(m.alert);
      return;
    }
    if (m.op === 'pong') {
      this.o.onPong?.(m.tsMs);
      return;
    }
    if (m.op === 'error') {
      this.o.onError?.(m.error);
      return;
    }
    if (typeof m.ch !== 'string') return;
    if (m.type === 'snapshot') {
      this.lastSeq.set(m.ch, m.seq);
    } else {
      const last = this.lastSeq.get(m.ch);
      if (last === null) return; // waiting for a fresh snapshot after a gap
      if (last !== undefined && m.seq !== last + 1) {
        // Missed something: ask for the channel again and ignore it until the snapshot comes.
        this.gaps++;
        this.lastSeq.set(m.ch, null);
        this.send({ op: 'subscribe', channels: [m.ch] });
        return;
      }
      this.lastSeq.set(m.ch, m.seq);
    }
    this.o.onData(m.ch, m.type, m.data);
  }
}
