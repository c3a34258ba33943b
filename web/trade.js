// The student trading page: login, then the header (classroom, state, exchange clock, market and instrument), the
// order book, chart, trades, ticket, take form, block trades, my orders and fills, my position, balances,
// compliance, news and leaderboard. Market data, private updates and alerts come over one WebSocket (see socket.js);
// actions go over it or REST. In Chinese or English (i18n.js): every text made here goes through t(), and is drawn
// again on a language switch.

import { Account } from './account.js';
import { ApiError, get, post, setToken, tokenFromPage } from './api.js';
import { Auctions } from './auctions.js';
import { Blocks } from './blocks.js';
import { Book } from './book.js';
import { PriceChart } from './chart.js';
import { $, fill, h, MESSAGE_MS, say } from './dom.js';
import { renderLeaderboard, renderNews, Tape } from './feed.js';
import { cny, cstDateTime, errorText, pct, tonnes } from './format.js';
import { initI18n, languageSwitch, onLanguageChange, t } from './i18n.js';
import { Position } from './position.js';
import { Feed } from './socket.js';
import { Ticket } from './ticket.js';
import { Toasts } from './toasts.js';

const TOKEN_KEY = 'cets.token';
const state = {
  me: null,
  room: null,
  roomAt: 0,
  marketId: null,
  instrumentId: null,
  rules: null,
  news: [],
  channels: [],
  board: null,
  conn: ['connecting', undefined],
  banner: null,
};

let feed = null;
let book = null;
let chart = null;
let tape = null;
let ticket = null;
let account = null;
let blocks = null;
let auctions = null;
let position = null;
let toasts = null;

const where = () => ({ marketId: state.marketId, instrumentId: state.instrumentId, rules: state.rules });

/** The banner: kind '' | 'error', and its text (drawn again in another language when made by key). */
function banner(kind, text) {
  state.banner = kind === '' ? null : { kind, text };
  const el = $('banner');
  el.textContent = text ?? '';
  el.className = `banner ${kind}`;
  el.hidden = !text;
  // An error banner goes after a while (or when the classroom's state changes it).
  if (kind === 'error')
    setTimeout(() => {
      if (state.banner?.text === text) banner('', '');
    }, MESSAGE_MS);
}

/** The exchange time now: the classroom's clock run on at its speed since the last update (null before one). */
function exchangeNow() {
  const r = state.room;
  if (r === null) return null;
  // Between updates the clock runs at the classroom's speed (capped: a lunch break is a jump only the server knows).
  const wall = Math.min(Date.now() - state.roomAt, 6_000);
  return r.state === 'running' ? r.clock.tsMs + wall * r.clock.speed : r.clock.tsMs;
}

// ---- login -----------------------------------------------------------------------------------------------------

function showLogin(message) {
  $('login').hidden = false;
  $('main').hidden = true;
  say($('login-error'), message ? 'error' : '', message ?? '');
  // The join screen's QR code opens /trade?code=...: the code is filled in, the student types their name.
  const code = new URL(location.href).searchParams.get('code');
  if (code && !$('login-code').value) $('login-code').value = code;
  $(code ? 'login-name' : 'login-code').focus();
}

$('login-form').addEventListener('submit', async (e) => {
  e.preventDefault();
  const btn = $('login-submit');
  btn.disabled = true;
  try {
    const r = await post('/api/join', { code: $('login-code').value.trim(), name: $('login-name').value.trim() });
    localStorage.setItem(TOKEN_KEY, r.token);
    await start(r.token);
  } catch (err) {
    say($('login-error'), 'error', errorText(err));
  } finally {
    btn.disabled = false;
  }
});

$('logout').addEventListener('click', () => {
  localStorage.removeItem(TOKEN_KEY);
  feed?.stop();
  location.href = '/trade';
});

// ---- header ----------------------------------------------------------------------------------------------------

function showRoom(room) {
  state.room = room;
  state.roomAt = Date.now();
  $('room-name').textContent = room.name;
  const st = $('room-state');
  st.textContent = t(`room.${room.state}`, { defaultValue: room.state });
  st.className = `badge ${room.state}`;
  $('clock-speed').textContent = `×${room.clock.speed}`;
  const se = $('clock-session');
  se.textContent = t(`session.${room.clock.session}`, { defaultValue: room.clock.session });
  se.title =
    room.clock.session === 'closed' ? t('session.closedTitle') : t('session.openTitle', { session: se.textContent });
  se.className = `badge session ${room.clock.session === 'closed' ? 'closed' : ''}`;
  tickClock();
  // Once the classroom has ended nothing can be traded: the buttons say so instead of waiting for a refusal.
  const ended = room.state === 'ended';
  for (const id of ['ticket-submit', 'take-submit', 'surrender-submit', 'block-submit']) {
    const btn = $(id);
    btn.disabled = ended || (id === 'block-submit' && state.rules !== null && state.rules.block === null);
    btn.title = ended ? t('room.endedTitle') : '';
  }
  // The round: practice or its number; over once its cycle settles.
  const round = room.round ?? null;
  const rb = $('round');
  rb.hidden = round === null;
  if (round !== null) rb.textContent = round.practice ? t('round.practice') : t('round.number', { n: round.number });
  // The banner of the classroom's state (an error banner stays until the state changes it).
  if (room.state === 'ended') banner('', t('room.endedBanner'));
  else if (round?.phase === 'over') banner('', t('round.overBanner'));
  else if (room.state === 'paused') banner('', t('room.pausedBanner'));
  else if (room.state === 'setup') banner('', t('room.setupBanner'));
  else if (state.banner === null) banner('', '');
  // The instructor may hide the leaderboard from the students.
  $('leaderboard').hidden = room.leaderboardVisible === false;
  // A new exchange date (or round) has its own price band: the rules are fetched again.
  if (state.marketId !== null && state.rulesKey !== undefined && rulesKey(room) !== state.rulesKey) loadRules();
}

function tickClock() {
  const ts = exchangeNow();
  if (ts === null) return;
  $('clock-time').textContent = `${cstDateTime(ts)}:${new Date(ts + 8 * 3_600_000).toISOString().slice(17, 19)} CST`;
  position?.tick();
}

function fillSelectors() {
  const room = state.room;
  const ms = $('market-select');
  fill(
    ms,
    // Short names in the page's language (the selects must fit a phone's header); the full name on hover.
    room.markets.map((m) =>
      h('option', { value: m.id, title: m.name }, t(`markets.${m.id}`, { defaultValue: m.name })),
    ),
  );
  ms.value = state.marketId;
  const market = room.markets.find((m) => m.id === state.marketId);
  const is = $('instrument-select');
  fill(
    is,
    (market?.instruments ?? []).map((i) => h('option', { value: i }, i)),
  );
  is.value = state.instrumentId;
}

function showTicker(tk) {
  state.ticker = tk;
  // No trade yet in this instrument: the server's last price is 0.00.
  const none = tk.lastCny === null || Number(tk.lastCny) === 0;
  $('ticker-last').textContent = none ? '—' : cny(tk.lastCny);
  const ch = $('ticker-change');
  ch.textContent = none ? '' : pct(tk.changePct);
  ch.className = tk.changePct > 0 ? 'up' : tk.changePct < 0 ? 'down' : '';
  $('ticker-volume').textContent = t('header.volume', { qty: tonnes(tk.volumeT) });
}

// ---- market selection ------------------------------------------------------------------------------------------

async function selectMarket(marketId, instrumentId) {
  if (state.channels.length > 0) feed.unsubscribe(state.channels);
  state.marketId = marketId;
  const market = state.room.markets.find((m) => m.id === marketId);
  state.instrumentId = instrumentId ?? market?.primary ?? market?.instruments[0];
  fillSelectors();
  book.clear();
  tape.snapshot([]);
  tape.loaded = false;
  state.rules = null;
  const base = `${state.marketId}:${state.instrumentId}`;
  state.channels = [`depth:${base}`, `trades:${base}`, `ticker:${base}`];
  feed.subscribe(state.channels);
  await loadRules();
}

/** What the market's rules depend on beyond the market: the exchange date (today's band) and the round. */
function rulesKey(room) {
  return `${cstDateTime(room.clock.tsMs).slice(0, 10)}|${room.round?.number ?? ''}`;
}

/** The market's rules (today's price band, tick, lot, sessions, block rules), fetched and shown. */
async function loadRules() {
  const { marketId, instrumentId } = state;
  const key = rulesKey(state.room);
  state.rulesKey = key;
  try {
    const rules = await get(`/api/classrooms/${state.room.id}/markets/${marketId}`);
    if (marketId !== state.marketId) return; // another market was picked meanwhile
    state.rules = rules;
  } catch (err) {
    state.rulesKey = null; // tried again at the next status
    banner('error', errorText(err));
  }
  ticket.showRules(state.rules, instrumentId === state.instrumentId ? instrumentId : state.instrumentId);
  blocks.showRules(state.rules);
  bookNote();
}

function bookNote() {
  $('book-note').textContent =
    state.rules?.listed.matching === 'best-n'
      ? t('book.bestN', { instrument: state.instrumentId, n: state.rules.listed.bestN })
      : (state.instrumentId ?? '');
}

async function loadCandles() {
  const { marketId, instrumentId } = state;
  try {
    const r = await get(
      `/api/classrooms/${state.room.id}/markets/${marketId}/candles?instrument=${encodeURIComponent(instrumentId)}&minutes=5`,
    );
    if (marketId === state.marketId && instrumentId === state.instrumentId) chart.setCandles(r.candles);
  } catch (err) {
    banner('error', errorText(err));
  }
}

// ---- the feed --------------------------------------------------------------------------------------------------

function onData(ch, type, data) {
  const base = `${state.marketId}:${state.instrumentId}`;
  if (ch === 'private') {
    if (data?.bids) auctions.setBids(data.bids);
    position.refresh();
    return account.apply(data);
  }
  if (ch === 'status') return showRoom(data);
  if (ch === 'news') {
    state.news = type === 'snapshot' ? data : [data, ...state.news].slice(0, 50);
    // Auction notices and outcomes arrive as news: fetch the notices (the socket has no auction channel).
    if (type !== 'snapshot' && /^Auction /.test(data.title ?? '')) auctions.refresh();
    return renderNews($('news'), state.news);
  }
  if (ch === `depth:${base}`) return type === 'snapshot' ? book.snapshot(data) : book.delta(data);
  if (ch === `trades:${base}`) {
    if (type === 'snapshot') {
      tape.snapshot(data);
      return loadCandles();
    }
    // An event carries every trade since the last one, oldest first.
    tape.add(data);
    chart.addTrades(data);
    return;
  }
  if (ch === `ticker:${base}`) return showTicker(data);
}

function onState(s, detail) {
  state.conn = [s, detail];
  const el = $('conn');
  el.className = `conn ${s === 'open' ? 'live' : s}`;
  el.textContent = s === 'open' ? t('conn.live') : s === 'connecting' ? t('conn.connecting') : t('conn.offline');
  el.title = s === 'open' ? t('conn.liveTitle') : `${t('conn.offlineTitle')}${detail ? ` (${detail})` : ''}`;
}

// ---- alerts: shown as notifications that clear, and what they point at fetched again ----------------------------

/** An alert's params for a sentence: tonnes with separators, CNY with two decimals. */
function alertParams(params) {
  const out = { ...params };
  for (const [k, v] of Object.entries(params)) {
    if (typeof v === 'number' && /T$/.test(k)) out[k] = tonnes(v);
    else if (k.endsWith('Cny')) out[k] = cny(v);
  }
  return out;
}

function alertKey(a) {
  if (a.type === 'proposal' || a.type === 'fill') return `alert.${a.type}-${a.params.side === 'sell' ? 'sell' : 'buy'}`;
  if (a.type === 'round')
    return a.params.phase === 'over'
      ? a.params.practice === 1
        ? 'alert.round-practice-over'
        : 'alert.round-over'
      : a.params.practice === 1
        ? 'alert.round-practice'
        : 'alert.round-start';
  return `alert.${a.type}`;
}

/** The fills of one order shown as one notice while it is up: order id -> { el, qtyT, n }. */
const fillNotices = new Map();

function onAlert(a) {
  const params = alertParams(a.params);
  const order = a.type === 'fill' ? a.params.orderId : undefined;
  const prev = order === undefined ? undefined : fillNotices.get(order);
  if (prev?.el.isConnected) {
    // Another fill of the same order: the notice counts them instead of stacking one per trade.
    prev.qtyT += a.params.qtyT;
    prev.n += 1;
    const text = t(`alert.fills-${a.params.side === 'sell' ? 'sell' : 'buy'}`, {
      ...params,
      qtyT: tonnes(prev.qtyT),
      n: prev.n,
    });
    prev.el.querySelector('.text').textContent = `${a.time.slice(11)} · ${text}`;
  } else {
    const text = t(alertKey(a), { ...params, defaultValue: t('alert.other', { type: a.type }) });
    const el = toasts.show(
      `${a.time.slice(11)} · ${text}`,
      a.type === 'deadline-warning' ? 'warn' : 'info',
      `toast-${a.type}`,
    );
    if (order !== undefined) fillNotices.set(order, { el, qtyT: a.params.qtyT, n: 1 });
  }
  if (a.type === 'proposal') blocks.refresh();
  if (a.type === 'auction-open' || a.type === 'auction-closing') auctions.refresh();
  if (a.type === 'round') {
    // A new round is a fresh market (the firm may be another): everything mine is fetched again.
    poll();
    account.refresh().catch((err) => say($('orders-error'), 'error', errorText(err)));
    blocks.refresh();
    position.refresh();
    selectMarket(state.marketId, state.instrumentId); // the new market's book, tape and chart, not the last round's
  }
  if (a.type === 'deadline-warning' || a.type === 'auto-surrender' || a.type === 'fill') position.refresh();
}

// ---- polling: what has no channel ------------------------------------------------------------------------------

// Block proposals come with their alerts (no polling); the classroom and the leaderboard have no channel.
async function poll() {
  try {
    showRoom(await get(`/api/classrooms/${state.room.id}`));
    const board = await get(`/api/classrooms/${state.room.id}/leaderboard`);
    state.board = board;
    renderLeaderboard($('leaderboard-profit'), $('leaderboard-cost'), board, state.me.studentId);
    blocks.setStudents(board.byProfit);
    await auctions.refresh();
  } catch (err) {
    if (err instanceof ApiError && err.status === 401) return showLogin(errorText(err));
  }
}

/** Everything made in JS, drawn again in the language just chosen (data-i18n elements are done by i18n.js). */
function relabel() {
  if (state.room === null || state.me === null) return;
  showRoom(state.room);
  fillSelectors();
  onState(...state.conn);
  if (state.ticker) showTicker(state.ticker);
  bookNote();
  ticket.setSide(ticket.side);
  ticket.showRules(state.rules, state.instrumentId);
  ticket.syncTif();
  account.redraw();
  blocks.redraw();
  auctions.render();
  book.render();
  tape.render(null);
  renderNews($('news'), state.news);
  if (state.board) renderLeaderboard($('leaderboard-profit'), $('leaderboard-cost'), state.board, state.me.studentId);
  position.redraw();
  $('who').title = t('header.whoTitle', { name: state.me.name, firm: state.me.firm });
}

// ---- start -----------------------------------------------------------------------------------------------------

async function start(token) {
  setToken(token);
  let me;
  try {
    me = await get('/api/me');
  } catch (err) {
    if (err instanceof ApiError && (err.status === 401 || err.status === 403)) {
      localStorage.removeItem(TOKEN_KEY);
      setToken(null);
      return showLogin(t('login.stale', { why: errorText(err) }));
    }
    return showLogin(errorText(err));
  }
  state.me = me;
  $('login').hidden = true;
  $('main').hidden = false;
  $('who').textContent = me.name;
  $('who').title = t('header.whoTitle', { name: me.name, firm: me.firm });
  $('firm').textContent = me.firm;
  showRoom(await get(`/api/classrooms/${me.classroomId}`));

  feed = new Feed({
    token,
    onData,
    onState,
    onPong: (tsMs) => {
      if (state.room && typeof tsMs === 'number') {
        state.room = { ...state.room, clock: { ...state.room.clock, tsMs } };
        state.roomAt = Date.now();
      }
    },
    onError: (e) => banner('error', errorText(e)),
    onAlert: (a) => onAlert(a),
    onRevoked: () => {
      localStorage.removeItem(TOKEN_KEY);
      setToken(null);
      showLogin(t('login.revoked'));
    },
  });
  book = new Book($('book-asks'), $('book-bids'), $('book-spread'), (p) => ticket.pick(p));
  chart = new PriceChart($('chart'));
  tape = new Tape($('trades-tape'));
  const changed = () => {
    account.refresh().catch((err) => say($('orders-error'), 'error', errorText(err)));
    blocks.refresh();
    position.refresh();
  };
  ticket = new Ticket({ where, feed, changed });
  account = new Account({ feed });
  blocks = new Blocks({ where, me: () => state.me, changed });
  auctions = new Auctions({ changed });
  position = new Position({ now: exchangeNow });
  renderNews($('news'), []);

  $('market-select').addEventListener('change', (e) => selectMarket(e.target.value));
  $('instrument-select').addEventListener('change', (e) => selectMarket(state.marketId, e.target.value));

  feed.subscribe(['status', 'news']);
  feed.connect();
  const home = state.room.markets.some((m) => m.id === me.marketId) ? me.marketId : state.room.markets[0]?.id;
  await selectMarket(home);
  await account.refresh();
  await blocks.refresh();
  position.refresh();
  await poll();
  setInterval(tickClock, 250);
  setInterval(poll, 5_000);
}

await initI18n();
languageSwitch($('lang-slot'));
languageSwitch($('login-lang'));
toasts = new Toasts($('toasts'));
onLanguageChange(relabel);
const token = tokenFromPage(TOKEN_KEY);
if (token) start(token);
else showLogin();
