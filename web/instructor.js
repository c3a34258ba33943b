// The instructor page: classroom state and controls (start, pause, resume, end, speed, bots, deadline, rounds and
// the class's switches), the join code, the join screen for the projector (instructor-join.js) and personal links,
// the dashboard (instructor-dash.js), the students, the scenario timeline with its shocks, the auctions, the debrief
// with the CSV export (instructor-debrief.js), the report and, with the admin token, the classrooms
// (instructor-classrooms.js). In Chinese and English (i18n.js, strings in locales/instructor.{en,zh}.json).
// The token comes from ?token= (with ?classroom=, default "default") or the login form, and is kept in localStorage.
import { ApiError, get, getToken, patch, post, setToken } from './api.js';
import { $, fill, h, rows, say } from './dom.js';
import { cny, cstDateTime, errorText, hhmm, tonnes } from './format.js';
import { initI18n, language, languageSwitch, onLanguageChange, t } from './i18n.js';
import { Classrooms } from './instructor-classrooms.js';
import { Dashboard } from './instructor-dash.js';
import { DebriefPanel } from './instructor-debrief.js';
import { JoinScreen } from './instructor-join.js';
import { isAuctionNews, newsTitle } from './news-text.js';
import { Feed } from './socket.js';

const KEY = 'cets.instructor';
const st = { cid: 'default', room: null, roomAt: 0, news: [], feed: null, ended: false, admin: null, report: null };
let dash = null;
let joinScreen = null;
let classrooms = null;
let debrief = null;

function banner(kind, text) {
  const el = $('banner');
  el.textContent = text ?? '';
  el.className = `banner ${kind}`;
  el.hidden = !text;
}

function saved() {
  const url = new URL(location.href);
  const token = url.searchParams.get('token');
  const classroom = url.searchParams.get('classroom');
  if (token) {
    const v = { token, classroom: classroom ?? 'default' };
    localStorage.setItem(KEY, JSON.stringify(v));
    url.searchParams.delete('token');
    history.replaceState(null, '', url.pathname + url.search);
    return v;
  }
  try {
    const v = JSON.parse(localStorage.getItem(KEY) ?? 'null');
    return v !== null && classroom ? { ...v, classroom } : v;
  } catch {
    return null;
  }
}

function showLogin(message) {
  $('login').hidden = false;
  $('main').hidden = true;
  say($('login-error'), message ? 'error' : '', message ?? '');
}

$('login-form').addEventListener('submit', (e) => {
  e.preventDefault();
  const v = { classroom: $('login-classroom').value.trim() || 'default', token: $('login-token').value.trim() };
  localStorage.setItem(KEY, JSON.stringify(v));
  open(v);
});

$('logout').addEventListener('click', () => {
  localStorage.removeItem(KEY);
  st.feed?.stop();
  location.href = '/instructor';
});

/** Opens another classroom with the same (admin) token. */
function openRoom(id) {
  localStorage.setItem(KEY, JSON.stringify({ classroom: id, token: getToken() }));
  location.href = `/instructor?classroom=${encodeURIComponent(id)}`;
}

// ---- state -----------------------------------------------------------------------------------------------------

function showRoom(room) {
  const before = st.room;
  st.room = room;
  // A new round (started here or on another page, seen first by the socket or by a fetch) starts the market
  // afresh: the chart, the positions, the report and the rounds to debrief follow.
  if (before !== null && before.round?.number !== room.round?.number && dash !== null) {
    dash.loadCandles();
    dash.loadPositions();
    loadReport();
    debrief?.loadRounds().then(() => debrief.load());
  }
  st.roomAt = Date.now();
  $('room-name').textContent = room.name;
  const s = $('room-state');
  s.textContent = t(`state.${room.state}`, { defaultValue: room.state });
  s.className = `badge ${room.state}`;
  $('clock-speed').textContent = `×${room.clock.speed}`;
  const se = $('clock-session');
  se.textContent = room.clock.session;
  se.className = `badge session ${room.clock.session === 'closed' ? 'closed' : ''}`;
  $('room-deadline').textContent = room.deadline;
  rows(
    $('markets'),
    room.markets,
    (m) =>
      h(
        'tr',
        {},
        h('td', { title: m.name }, t(`common:markets.${m.id}`, { defaultValue: m.name })),
        h(
          'td',
          { class: 'wrap-text' },
          m.instruments.map((id) => (id === m.primary ? `${id} (${t('main')})` : id)).join(', '),
        ),
      ),
    '—',
    2,
  );
  const speed = $('speed');
  const bots = $('bots');
  if (document.activeElement !== speed) speed.value = String(room.clock.speed);
  if (document.activeElement !== bots) bots.value = String(room.botIntensity ?? '');
  const dl = $('deadline');
  if (document.activeElement !== dl && !dl.value) dl.value = room.deadline;
  const can = {
    start: room.state === 'setup',
    pause: room.state === 'running',
    resume: room.state === 'paused',
    end: room.state !== 'ended',
  };
  for (const [action, ok] of Object.entries(can)) $(`ctl-${action}`).disabled = !ok;
  // An ended class takes no new auction (the server would refuse it with LIVE_ERR_ENDED).
  $('auction-submit').disabled = room.state === 'ended';
  dash?.showRoom(room);
  joinScreen?.showRoom(room);
  tickClock();
  const over = room.state === 'ended' || room.round?.phase === 'over';
  if (over && !st.ended) {
    st.ended = true;
    loadReport();
    debrief?.load();
  }
  if (!over) st.ended = false;
}

function tickClock() {
  const r = st.room;
  if (r === null) return;
  const wall = Math.min(Date.now() - st.roomAt, 6_000);
  const ts = r.state === 'running' ? r.clock.tsMs + wall * r.clock.speed : r.clock.tsMs;
  $('clock-time').textContent = `${cstDateTime(ts)} CST`;
}

async function refreshAdmin() {
  const a = await get(`/api/classrooms/${st.cid}/admin`);
  st.admin = a;
  showRoom(a.classroom);
  $('join-code').textContent = a.joinCode ?? '—';
  $('trade-url').textContent = new URL('/trade', location.href).href;
  $('student-count').textContent = t('msg.count', { n: a.students.length, seats: a.seats });
  const seats = $('seats');
  if (document.activeElement !== seats) seats.value = a.seatCap === null ? '' : String(a.seatCap);
  rows(
    $('students'),
    a.students,
    (s) =>
      h(
        'tr',
        { dataset: { testid: `student-${s.studentId}` } },
        h('td', { class: 'num' }, String(s.studentId)),
        h('td', {}, s.name),
        h('td', {}, s.firm ?? ''),
        h('td', { class: 'num' }, String(s.accountId)),
        h(
          'td',
          {},
          s.revoked
            ? h('span', { class: 'muted' }, t('revoked'))
            : h(
                'button',
                {
                  type: 'button',
                  class: 'danger',
                  dataset: { testid: `revoke-${s.studentId}` },
                  onclick: () => revoke(s),
                },
                t('revoke'),
              ),
        ),
      ),
    t('msg.noStudentsYet'),
    5,
  );
  rows(
    $('timeline'),
    a.timeline,
    (x) =>
      h(
        'tr',
        { dataset: { index: String(x.index) } },
        h('td', {}, x.date),
        h('td', {}, t(`timeline.kinds.${x.kind}`, { defaultValue: x.kind })),
        h('td', { class: 'wrap-text' }, language() === 'zh' && x.titleZh ? x.titleZh : x.title),
        h(
          'td',
          {},
          // Done: fired here, or applied by the simulator on its date (firing it again would announce it twice).
          x.fired || x.done
            ? h('span', { class: 'muted' }, t(x.fired ? 'timeline.fired' : 'timeline.done'))
            : h(
                'button',
                { type: 'button', dataset: { testid: `fire-${x.index}` }, onclick: (e) => fire(x.index, e.target) },
                t('timeline.fire'),
              ),
        ),
      ),
    t('timeline.none'),
    4,
  );
  joinScreen?.lobby(a.students.filter((s) => !s.revoked));
  return a;
}

// ---- actions ---------------------------------------------------------------------------------------------------

async function act(msgEl, fn, okText) {
  say(msgEl, '', '');
  try {
    const r = await fn();
    if (okText) say(msgEl, 'ok', typeof okText === 'function' ? okText(r) : okText);
    await refreshAdmin();
    return r;
  } catch (e) {
    say(msgEl, 'error', errorText(e));
    return null;
  }
}

for (const action of ['start', 'pause', 'resume', 'end'])
  $(`ctl-${action}`).addEventListener('click', () => {
    if (action === 'end' && !confirm(t('msg.endConfirm'))) return;
    act($('control-msg'), () => post(`/api/classrooms/${st.cid}/${action}`), t('msg.done', { action: t(action) }));
  });

$('settings-form').addEventListener('submit', (e) => {
  e.preventDefault();
  const body = {};
  const speed = Number($('speed').value);
  const bots = Number($('bots').value);
  if ($('speed').value.trim() !== '') body.speed = speed;
  if ($('bots').value.trim() !== '') body.botIntensity = bots;
  act(
    $('control-msg'),
    () => patch(`/api/classrooms/${st.cid}`, body),
    (r) => t('msg.settings', { speed: r.clock.speed, bots: r.botIntensity }),
  );
});

$('seats-form').addEventListener('submit', (e) => {
  e.preventDefault();
  const text = $('seats').value.trim();
  const n = Number(text);
  if (text !== '' && !(Number.isInteger(n) && n >= 0)) {
    say($('seats-msg'), 'error', t('msg.seatsBad'));
    return;
  }
  act(
    $('seats-msg'),
    () => patch(`/api/classrooms/${st.cid}`, { seats: text === '' ? null : n }),
    text === '' ? t('msg.noCap') : t('msg.cap', { n }),
  );
});

/** Revokes a student's token: their page and connections stop working at once. */
function revoke(s) {
  if (!confirm(t('msg.revokeConfirm', { name: s.name }))) return;
  act(
    $('seats-msg'),
    () => post(`/api/classrooms/${st.cid}/students/${s.studentId}/revoke`),
    t('msg.revokeDone', { name: s.name }),
  );
}

$('deadline-form').addEventListener('submit', (e) => {
  e.preventDefault();
  const date = $('deadline').value;
  act(
    $('control-msg'),
    () => post(`/api/classrooms/${st.cid}/deadline`, { date }),
    (r) => t('msg.deadlineMoved', { date: r.deadline }),
  );
});

// ---- auctions of the reserve -----------------------------------------------------------------------------------

async function loadAuctions() {
  const r = await get(`/api/classrooms/${st.cid}/auctions`);
  rows(
    $('auctions'),
    r.auctions,
    ({ auction: n, allocations }) => {
      const o = n.outcome;
      const outcome =
        n.status === 'withdrawn'
          ? t('auctions.withdrawn')
          : o === null
            ? t('auctions.bidding')
            : o.soldT === 0
              ? t('auctions.nothingSold', { bids: o.bidCount })
              : t('auctions.sold', { t: tonnes(o.soldT), bids: o.bidCount, avg: cny(o.averagePriceCny) });
      const winners =
        allocations === null
          ? ''
          : allocations.map((a) => `${a.name} ${tonnes(a.qtyT, false)} @ ${cny(a.priceCny)}`).join('; ') || '—';
      return h(
        'tr',
        { dataset: { auction: n.auctionId } },
        h('td', {}, n.auctionId),
        h('td', { class: 'num' }, tonnes(n.qtyT, false)),
        h('td', { class: 'num' }, cny(n.reservePriceCny)),
        h('td', {}, n.allocation),
        h('td', {}, `${hhmm(n.opens)}–${hhmm(n.closes)}`),
        h('td', {}, outcome),
        h('td', { class: 'wrap-text' }, winners),
      );
    },
    t('auctions.none'),
    7,
  );
}

$('auction-form').addEventListener('submit', (e) => {
  e.preventDefault();
  const msg = $('auction-msg');
  const qtyT = Number($('auction-qty').value.replace(/[,\s]/g, ''));
  const reservePriceCny = $('auction-reserve').value.trim();
  const minutes = Number($('auction-minutes').value);
  if (!Number.isInteger(qtyT) || qtyT <= 0) return say(msg, 'error', 'BAD_QUANTITY: enter a whole number of tonnes');
  if (!/^\d{1,9}(\.\d{1,2})?$/.test(reservePriceCny))
    return say(msg, 'error', 'BAD_PRICE: enter the reserve price in CNY with at most 2 decimals');
  const body = { qtyT, reservePriceCny, minutes };
  const allocation = $('auction-allocation').value;
  if (allocation !== '') body.allocation = allocation;
  act(
    msg,
    async () => {
      const n = await post(`/api/classrooms/${st.cid}/auctions`, body);
      await loadAuctions();
      return n;
    },
    (n) => t('auctions.announced', { id: n.auctionId, time: hhmm(n.closes) }),
  );
});

async function fire(index, btn) {
  btn.disabled = true;
  const r = await act(
    $('timeline-msg'),
    () => post(`/api/classrooms/${st.cid}/shocks`, { index }),
    (n) => t('timeline.sent', { title: newsTitle(n) }),
  );
  if (r === null) btn.disabled = false;
}

$('students-form').addEventListener('submit', async (e) => {
  e.preventDefault();
  const names = $('student-names')
    .value.split(/[\n,]/)
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
  if (names.length === 0) return say($('students-msg'), 'error', `BAD_REQUEST: ${t('join.noName')}`);
  const r = await act(
    $('students-msg'),
    () => post(`/api/classrooms/${st.cid}/students`, { names }),
    (x) => t('join.issued', { count: x.students.length }),
  );
  if (r === null) return;
  $('student-names').value = '';
  $('issued-wrap').hidden = false;
  const body = $('issued');
  for (const s of r.students) {
    const link = new URL(`/trade?token=${encodeURIComponent(s.token)}`, location.href).href;
    body.prepend(
      h(
        'tr',
        {},
        h('td', {}, s.name),
        h(
          'td',
          {},
          h(
            'a',
            { href: link, target: '_blank', rel: 'noopener', dataset: { testid: `link-${s.studentId}` } },
            `/trade?token=${s.token}`,
          ),
        ),
        h('td', {}, h('button', { type: 'button', onclick: () => navigator.clipboard?.writeText(link) }, t('copy'))),
      ),
    );
  }
});

// ---- report ----------------------------------------------------------------------------------------------------

async function loadReport() {
  try {
    const r = await get(`/api/classrooms/${st.cid}/report`);
    st.report = r;
    $('report-note').textContent =
      r.classroom.state === 'ended' ? t('report.final') : t('report.asOf', { time: r.classroom.clock.time });
    rows(
      $('report-profit'),
      r.leaderboard.byProfit,
      (x) => h('tr', {}, h('td', {}, String(x.rank)), h('td', {}, x.name), h('td', { class: 'num' }, cny(x.profitCny))),
      t('report.noStudents'),
      3,
    );
    rows(
      $('report-cost'),
      r.leaderboard.byComplianceCost,
      (x) => h('tr', {}, h('td', {}, String(x.rank)), h('td', {}, x.name), h('td', { class: 'num' }, cny(x.costCny))),
      t('report.noStudents'),
      3,
    );
    rows(
      $('report-compliance'),
      r.compliance,
      (x) =>
        h(
          'tr',
          {},
          h('td', {}, x.name),
          h('td', {}, x.firm ?? ''),
          h('td', { class: 'num' }, tonnes(x.obligationT)),
          h('td', { class: 'num' }, tonnes(x.surrenderedT)),
          h('td', { class: 'num' }, tonnes(x.shortT)),
          h('td', { class: 'num' }, cny(x.fineCny)),
          h('td', {}, h('span', { class: `badge ${x.status}` }, x.status)),
        ),
      t('report.noStudents'),
      7,
    );
    const m = r.market ?? {};
    const last = m.lastCny ?? m.lastCloseCny;
    $('report-market').textContent = t('report.market', {
      trades: m.trades ?? 0,
      volume: tonnes(m.volumeT ?? 0),
      last: cny(last),
    });
    dash?.showMarket(r, debrief?.data);
  } catch (e) {
    $('report-note').textContent = errorText(e);
  }
}
$('report-load').addEventListener('click', loadReport);

// ---- start -----------------------------------------------------------------------------------------------------

async function open(v) {
  st.cid = v.classroom;
  setToken(v.token);
  try {
    await refreshAdmin();
  } catch (e) {
    if (e instanceof ApiError && (e.status === 401 || e.status === 403 || e.status === 404)) {
      // The admin token on a classroom that is gone: back to the default one.
      if (e.status === 404 && v.classroom !== 'default') return open({ ...v, classroom: 'default' });
      localStorage.removeItem(KEY);
      return showLogin(errorText(e));
    }
    return showLogin(errorText(e));
  }
  localStorage.setItem(KEY, JSON.stringify({ classroom: st.cid, token: v.token }));
  $('login').hidden = true;
  $('main').hidden = false;
  classrooms = new Classrooms({ cid: () => st.cid, openRoom, token: () => v.token });
  classrooms.load();
  dash = new Dashboard({ cid: st.cid, onChanged: () => refreshAdmin().catch(() => {}) });
  joinScreen = new JoinScreen({
    cid: () => st.cid,
    // Who is in the room and who is away (the positions say): both fetched afresh.
    students: async () => {
      const [a] = await Promise.all([refreshAdmin(), dash.loadPositions()]);
      return a.students.filter((s) => !s.revoked);
    },
    away: () => dash.awayIds(),
    start: async () => {
      await act($('control-msg'), () => post(`/api/classrooms/${st.cid}/start`), t('msg.done', { action: t('start') }));
    },
  });
  for (const id of ['join-open', 'join-open-2']) $(id).addEventListener('click', () => joinScreen.open());
  if (new URL(location.href).searchParams.has('join')) joinScreen.open();
  showRoom(st.admin.classroom);
  const tradesCh = dash.start(st.admin.classroom);
  loadReport();
  debrief = new DebriefPanel({ cid: st.cid, onLoaded: (d) => dash.showMarket(st.report, d) });
  debrief.loadRounds().then(() => debrief.load());
  loadAuctions().catch((e) => say($('auction-msg'), 'error', errorText(e)));
  st.feed = new Feed({
    token: v.token,
    classroom: st.cid, // the admin token's socket follows the classroom shown (an instructor's is its own)
    onData: (ch, type, data) => {
      if (ch === 'status') {
        const before = st.room;
        showRoom(data);
        // Someone joined, left or a round began: the lists follow.
        if (before?.state !== data.state || before?.round?.number !== data.round?.number)
          refreshAdmin().catch(() => {});
        // A status event also comes when a student leaves or returns (presence): the positions say who is away.
        dash.schedulePositions();
        if (joinScreen.isOpen) joinScreen.lobby();
      }
      if (ch === tradesCh && type !== 'snapshot') dash.onTrades(data);
      if (ch === 'news') {
        st.news = type === 'snapshot' ? data : [data, ...st.news];
        if (type !== 'snapshot' && isAuctionNews(data)) loadAuctions().catch(() => {});
        // A scenario event that came out on its date is done: the timeline stops offering to fire it.
        if (type !== 'snapshot' && data.kind === 'announcement') refreshAdmin().catch(() => {});
        dash.onNews(st.news);
        showNews();
      }
    },
    onState: (s, detail) => {
      const el = $('conn');
      el.className = `conn ${s === 'open' ? 'live' : s}`;
      el.textContent =
        s === 'open'
          ? t('conn.live')
          : s === 'connecting'
            ? t('conn.connecting')
            : `${t('conn.offline')} · ${detail ?? ''}`;
    },
    onPong: (tsMs) => {
      if (st.room && typeof tsMs === 'number') {
        st.room = { ...st.room, clock: { ...st.room.clock, tsMs } };
        st.roomAt = Date.now();
      }
    },
    onError: (e) => banner('error', `Server: ${errorText(e)}`),
  });
  st.feed.subscribe(['status', 'news', ...(tradesCh === null ? [] : [tradesCh])]);
  st.feed.connect();
  setInterval(tickClock, 500);
  setInterval(() => refreshAdmin().catch((e) => banner('error', errorText(e))), 5_000);
  setInterval(() => classrooms.load(), 15_000); // the admin's list follows each classroom's state and students
  setInterval(loadReport, 15_000);
  setInterval(() => debrief.load(), 30_000);
  setInterval(() => dash.loadPositions(), 10_000);
  onLanguageChange(() => {
    refreshAdmin().catch(() => {});
    loadReport();
    showNews();
    dash.drawPositions();
    dash.markEvents();
    classrooms.draw();
    classrooms.showMarkets();
    debrief.redraw();
  });
}

function showNews() {
  fill(
    $('news'),
    st.news.length === 0
      ? h('li', { class: 'empty' }, t('timeline.nothingSent'))
      : st.news.map((n) => h('li', {}, h('b', {}, newsTitle(n)), h('span', { class: 'muted' }, n.time))),
  );
}

await initI18n({ namespaces: ['instructor'] });
languageSwitch($('top'));
const v = saved();
if (v?.token) open(v);
else showLogin();
