// The student trading page: login, then the header (classroom, state, exchange clock, market and instrument), the
// order book, chart, trades, ticket, take form, block trades, my orders and fills, balances, compliance, news and
// leaderboard. Market data and private updates come over one WebSocket (see socket.js); actions go over it or REST.

import { Account } from './account.js';
import { ApiError, get, post, setToken, tokenFromPage } from './api.js';
import { Auctions } from './auctions.js';
import { Blocks } from './blocks.js';
import { Book } from './book.js';
import { PriceChart } from './chart.js';
import { $, fill, h, say } from './dom.js';
import { renderLeaderboard, renderNews, Tape } from './feed.js';
import { cny, cstDateTime, errorText, pct, tonnes } from './format.js';
import { Feed } from './socket.js';
import { Ticket } from './ticket.js';

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
};

let feed = null;
let book = null;
let chart = null;
let tape = null;
let ticket = null;
let account = null;
let blocks = null;
let auctions = null;

const where = () => ({ marketId: state.marketId, instrumentId: state.instrumentId, rules: state.rules });

function banner(kind, text) {
  const el = $('banner');
  el.textContent = text ?? '';
  el.className = `banner ${kind}`;
  el.hidden = !text;
}

// ---- login -----------------------------------------------------------------------------------------------------

function showLogin(message) {
  $('login').hidden = false;
  $('main').hidden = true;
  say($('login-error'), message ? 'error' : '', message ?? '');
  $('login-code').focus();
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
  st.textContent = room.state;
  st.className = `badge ${room.state}`;
  $('clock-speed').textContent = `×${room.clock.speed}`;
  const se = $('clock-session');
  se.textContent = room.clock.session;
  se.title = room.clock.session === 'closed' ? 'No session open now' : `Open now: ${room.clock.session} trading`;
  se.className = `badge session ${room.clock.session === 'closed' ? 'closed' : ''}`;
  tickClock();
  // Once the classroom has ended nothing can be traded: the buttons say so instead of waiting for a refusal.
  const ended = room.state === 'ended';
  for (const id of ['ticket-submit', 'take-submit', 'surrender-submit', 'block-submit']) {
    const btn = $(id);
    btn.disabled = ended || (id === 'block-submit' && state.rules !== null && state.rules.block === null);
    btn.title = ended ? 'The classroom has ended' : '';
  }
  if (room.state === 'ended')
    banner('', 'The classroom has ended: trading is closed. The leaderboard shows the final standing.');
  else if (room.state === 'paused') banner('', 'The instructor has paused the market.');
  else if (room.state === 'setup') banner('', 'The classroom has not started yet.');
  else if ($('banner').className === 'banner ') banner('', '');
}

function tickClock() {
  const r = state.room;
  if (r === null) return;
  // Between updates the clock runs at the classroom's speed (capped: a lunch break is a jump only the server knows).
  const wall = Math.min(Date.now() - state.roomAt, 6_000);
  const ts = r.state === 'running' ? r.clock.tsMs + wall * r.clock.speed : r.clock.tsMs;
  $('clock-time').textContent = `${cstDateTime(ts)}:${new Date(ts + 8 * 3_600_000).toISOString().slice(17, 19)} CST`;
}

function fillSelectors() {
  const room = state.room;
  const ms = $('market-select');
  fill(
    ms,
    room.markets.map((m) => h('option', { value: m.id }, m.name)),
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

function showTicker(t) {
  // No trade yet in this instrument: the server's last price is 0.00.
  const none = t.lastCny === null || Number(t.lastCny) === 0;
  $('ticker-last').textContent = none ? '—' : cny(t.lastCny);
  const ch = $('ticker-change');
  ch.textContent = none ? '' : pct(t.changePct);
  ch.className = t.changePct > 0 ? 'up' : t.changePct < 0 ? 'down' : '';
  $('ticker-volume').textContent = `vol ${tonnes(t.volumeT)}`;
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
  try {
    state.rules = await get(`/api/classrooms/${state.room.id}/markets/${marketId}`);
  } catch (err) {
    banner('error', `Market rules: ${errorText(err)}`);
  }
  ticket.showRules(state.rules, state.instrumentId);
  blocks.showRules(state.rules);
  $('book-note').textContent =
    state.rules?.listed.matching === 'best-n'
      ? `${state.instrumentId} · best-${state.rules.listed.bestN} listings`
      : state.instrumentId;
}

async function loadCandles() {
  const { marketId, instrumentId } = state;
  try {
    const r = await get(
      `/api/classrooms/${state.room.id}/markets/${marketId}/candles?instrument=${encodeURIComponent(instrumentId)}&minutes=5`,
    );
    if (marketId === state.marketId && instrumentId === state.instrumentId) chart.setCandles(r.candles);
  } catch (err) {
    banner('error', `Chart: ${errorText(err)}`);
  }
}

// ---- the feed --------------------------------------------------------------------------------------------------

function onData(ch, type, data) {
  const base = `${state.marketId}:${state.instrumentId}`;
  if (ch === 'private') {
    if (data?.bids) auctions.setBids(data.bids);
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
  const el = $('conn');
  el.className = `conn ${s === 'open' ? 'live' : s}`;
  el.textContent = s === 'open' ? 'live' : s === 'connecting' ? 'connecting…' : `offline · ${detail ?? ''}`;
  el.title = s === 'open' ? 'Live connection' : 'Orders go by HTTP while the live connection is down';
}

// ---- polling: what has no channel ------------------------------------------------------------------------------

async function poll() {
  try {
    showRoom(await get(`/api/classrooms/${state.room.id}`));
    const board = await get(`/api/classrooms/${state.room.id}/leaderboard`);
    renderLeaderboard($('leaderboard-profit'), $('leaderboard-cost'), board, state.me.studentId);
    blocks.setStudents(board.byProfit);
    await blocks.refresh();
    await auctions.refresh();
  } catch (err) {
    if (err instanceof ApiError && err.status === 401) return showLogin(`Logged out: ${errorText(err)}`);
  }
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
      return showLogin(`That link or token no longer works (${errorText(err)}). Join with the classroom's code.`);
    }
    return showLogin(errorText(err));
  }
  state.me = me;
  $('login').hidden = true;
  $('main').hidden = false;
  $('who').textContent = me.name;
  $('who').title = `${me.name}, trading for ${me.firm}`;
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
    onError: (e) => banner('error', `Server: ${errorText(e)}`),
    onRevoked: () => {
      localStorage.removeItem(TOKEN_KEY);
      setToken(null);
      showLogin('The instructor revoked your token: join again with the classroom code, or ask for a new link.');
    },
  });
  book = new Book($('book-asks'), $('book-bids'), $('book-spread'), (p) => ticket.pick(p));
  chart = new PriceChart($('chart'));
  tape = new Tape($('trades-tape'));
  const changed = () => {
    account.refresh().catch((err) => say($('orders-error'), 'error', errorText(err)));
    blocks.refresh();
  };
  ticket = new Ticket({ where, feed, changed });
  account = new Account({ feed });
  blocks = new Blocks({ where, me: () => state.me, changed });
  auctions = new Auctions({ changed });
  renderNews($('news'), []);

  $('market-select').addEventListener('change', (e) => selectMarket(e.target.value));
  $('instrument-select').addEventListener('change', (e) => selectMarket(state.marketId, e.target.value));

  feed.subscribe(['status', 'news']);
  feed.connect();
  const home = state.room.markets.some((m) => m.id === me.marketId) ? me.marketId : state.room.markets[0]?.id;
  await selectMarket(home);
  await account.refresh();
  await poll();
  setInterval(tickClock, 250);
  setInterval(poll, 5_000);
}

const token = tokenFromPage(TOKEN_KEY);
if (token) start(token);
else showLogin();
