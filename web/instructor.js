// The instructor page: classroom state and controls (start, pause, resume, end, speed, bots, deadline), the join
// code and personal links for students, the students, the scenario timeline with its shocks, and the final report.
// The token comes from ?token= (with ?classroom=, default "default") or the login form, and is kept in localStorage.
import { ApiError, get, patch, post, setToken } from './api.js';
import { $, fill, h, rows, say } from './dom.js';
import { cny, cstDateTime, errorText, hhmm, tonnes } from './format.js';
import { Feed } from './socket.js';

const KEY = 'cets.instructor';
const st = { cid: 'default', room: null, roomAt: 0, news: [], feed: null, ended: false };

function banner(kind, text) {
  const el = $('banner');
  el.textContent = text ?? '';
  el.className = `banner ${kind}`;
  el.hidden = !text;
}

function saved() {
  const url = new URL(location.href);
  const token = url.searchParams.get('token');
  if (token) {
    const v = { token, classroom: url.searchParams.get('classroom') ?? 'default' };
    localStorage.setItem(KEY, JSON.stringify(v));
    url.searchParams.delete('token');
    history.replaceState(null, '', url.pathname + url.search);
    return v;
  }
  try {
    return JSON.parse(localStorage.getItem(KEY) ?? 'null');
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

// ---- state -----------------------------------------------------------------------------------------------------

function showRoom(room) {
  st.room = room;
  st.roomAt = Date.now();
  $('room-name').textContent = room.name;
  const s = $('room-state');
  s.textContent = room.state;
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
        h('td', {}, m.name),
        h('td', { class: 'wrap-text' }, m.instruments.map((id) => (id === m.primary ? `${id} (main)` : id)).join(', ')),
      ),
    'no markets',
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
  tickClock();
  if (room.state === 'ended' && !st.ended) {
    st.ended = true;
    loadReport();
  }
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
  showRoom(a.classroom);
  $('join-code').textContent = a.joinCode ?? '—';
  $('trade-url').textContent = new URL('/trade', location.href).href;
  $('student-count').textContent = `${a.students.length} of ${a.seats} seats`;
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
            ? h('span', { class: 'muted' }, 'revoked')
            : h(
                'button',
                {
                  type: 'button',
                  class: 'danger',
                  dataset: { testid: `revoke-${s.studentId}` },
                  onclick: () => revoke(s),
                },
                'Revoke',
              ),
        ),
      ),
    'no students yet: give them the join code',
    5,
  );
  rows(
    $('timeline'),
    a.timeline,
    (t) =>
      h(
        'tr',
        { dataset: { index: String(t.index) } },
        h('td', {}, t.date),
        h('td', {}, t.kind),
        h('td', { class: 'wrap-text' }, t.title),
        h(
          'td',
          {},
          t.fired
            ? h('span', { class: 'muted' }, 'fired')
            : h(
                'button',
                { type: 'button', dataset: { testid: `fire-${t.index}` }, onclick: (e) => fire(t.index, e.target) },
                'Fire now',
              ),
        ),
      ),
    'this scenario has no scheduled events',
    4,
  );
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
    if (action === 'end' && !confirm('End the classroom? Trading stops and the report is final.')) return;
    act($('control-msg'), () => post(`/api/classrooms/${st.cid}/${action}`), `Classroom: ${action} done.`);
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
    (r) => `Speed ×${r.clock.speed}, bot intensity ${r.botIntensity}.`,
  );
});

$('seats-form').addEventListener('submit', (e) => {
  e.preventDefault();
  const text = $('seats').value.trim();
  const n = Number(text);
  if (text !== '' && !(Number.isInteger(n) && n >= 0)) {
    say($('seats-msg'), 'error', 'Seats: a whole number, or empty for no cap.');
    return;
  }
  act(
    $('seats-msg'),
    () => patch(`/api/classrooms/${st.cid}`, { seats: text === '' ? null : n }),
    text === '' ? 'No cap on seats.' : `At most ${n} students.`,
  );
});

/** Revokes a student's token: their page and connections stop working at once. */
function revoke(s) {
  if (!confirm(`Revoke ${s.name}'s token? Their page stops working at once; their firm and orders stay.`)) return;
  act(
    $('seats-msg'),
    () => post(`/api/classrooms/${st.cid}/students/${s.studentId}/revoke`),
    `${s.name}'s token is revoked.`,
  );
}

$('deadline-form').addEventListener('submit', (e) => {
  e.preventDefault();
  const date = $('deadline').value;
  act(
    $('control-msg'),
    () => post(`/api/classrooms/${st.cid}/deadline`, { date }),
    (r) => `Deadline moved to ${r.deadline}.`,
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
          ? 'withdrawn: the class ended while bidding was open'
          : o === null
            ? 'bidding'
            : o.soldT === 0
              ? `nothing sold (${o.bidCount} bids)`
              : `${tonnes(o.soldT)} sold, ${o.bidCount} bids, avg ${cny(o.averagePriceCny)}`;
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
    'no auction yet',
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
    (n) => `Auction ${n.auctionId} announced: bids until ${hhmm(n.closes)}.`,
  );
});

async function fire(index, btn) {
  btn.disabled = true;
  const r = await act(
    $('timeline-msg'),
    () => post(`/api/classrooms/${st.cid}/shocks`, { index }),
    (n) => `Sent: ${n.title}`,
  );
  if (r === null) btn.disabled = false;
}

$('students-form').addEventListener('submit', async (e) => {
  e.preventDefault();
  const names = $('student-names')
    .value.split(/[\n,]/)
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
  if (names.length === 0) return say($('students-msg'), 'error', 'BAD_REQUEST: write at least one name');
  const r = await act(
    $('students-msg'),
    () => post(`/api/classrooms/${st.cid}/students`, { names }),
    (x) => `${x.students.length} link(s) issued.`,
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
        h('td', {}, h('button', { type: 'button', onclick: () => navigator.clipboard?.writeText(link) }, 'Copy')),
      ),
    );
  }
});

// ---- report ----------------------------------------------------------------------------------------------------

async function loadReport() {
  try {
    const r = await get(`/api/classrooms/${st.cid}/report`);
    $('report-note').textContent =
      r.classroom.state === 'ended' ? 'final' : `as of ${r.classroom.clock.time} (not final until the classroom ends)`;
    rows(
      $('report-profit'),
      r.leaderboard.byProfit,
      (x) => h('tr', {}, h('td', {}, String(x.rank)), h('td', {}, x.name), h('td', { class: 'num' }, cny(x.profitCny))),
      'no students',
      3,
    );
    rows(
      $('report-cost'),
      r.leaderboard.byComplianceCost,
      (x) => h('tr', {}, h('td', {}, String(x.rank)), h('td', {}, x.name), h('td', { class: 'num' }, cny(x.costCny))),
      'no students',
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
      'no students',
      7,
    );
    const m = r.market ?? {};
    const last = m.lastCny ?? m.lastCloseCny;
    $('report-market').textContent =
      `Home market: ${m.trades ?? 0} trades, ${tonnes(m.volumeT ?? 0)}, last price CNY ${cny(last)}.`;
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
      localStorage.removeItem(KEY);
      return showLogin(errorText(e));
    }
    return showLogin(errorText(e));
  }
  $('login').hidden = true;
  $('main').hidden = false;
  loadReport();
  loadAuctions().catch((e) => say($('auction-msg'), 'error', errorText(e)));
  st.feed = new Feed({
    token: v.token,
    onData: (ch, type, data) => {
      if (ch === 'status') showRoom(data);
      if (ch === 'news') {
        st.news = type === 'snapshot' ? data : [data, ...st.news];
        if (type !== 'snapshot' && /^Auction /.test(data.title ?? '')) loadAuctions().catch(() => {});
        const ul = $('news');
        fill(
          ul,
          st.news.length === 0
            ? h('li', { class: 'empty' }, 'Nothing sent yet.')
            : st.news.map((n) => h('li', {}, h('b', {}, n.title), h('span', { class: 'muted' }, n.time))),
        );
      }
    },
    onState: (s, detail) => {
      const el = $('conn');
      el.className = `conn ${s === 'open' ? 'live' : s}`;
      el.textContent = s === 'open' ? 'live' : s === 'connecting' ? 'connecting…' : `offline · ${detail ?? ''}`;
    },
    onPong: (tsMs) => {
      if (st.room && typeof tsMs === 'number') {
        st.room = { ...st.room, clock: { ...st.room.clock, tsMs } };
        st.roomAt = Date.now();
      }
    },
    onError: (e) => banner('error', `Server: ${errorText(e)}`),
  });
  st.feed.subscribe(['status', 'news']);
  st.feed.connect();
  setInterval(tickClock, 500);
  setInterval(() => refreshAdmin().catch((e) => banner('error', errorText(e))), 5_000);
  setInterval(loadReport, 15_000);
}

const v = saved();
if (v?.token) open(v);
else showLogin();
