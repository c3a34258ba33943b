// The instructor's dashboard: the home market's price chart (candles and volume, web/chart.js) with the scenario's
// fired events marked, last price, volume, trades and the bots' share of volume; a live table of every student's
// position and profit (GET /api/classrooms/:cid/positions, fetched again after trades); the leaderboard and
// auto-surrender switches (PATCH /api/classrooms/:cid) and the rounds (POST /api/classrooms/:cid/rounds).
import { ApiError, get, patch, post } from './api.js';
import { PriceChart } from './chart.js';
import { $, fill, h, rows, say } from './dom.js';
import { cny, errorText, tonnes } from './format.js';
import { t } from './i18n.js';
import { newsTitle } from './news-text.js';

const CANDLE_MINUTES = 15;
const CST_S = 8 * 3600;

export class Dashboard {
  /** @param {{ cid: string, onChanged: () => void }} o */
  constructor(o) {
    this.cid = o.cid;
    this.onChanged = o.onChanged;
    this.chart = null;
    this.market = null;
    this.news = [];
    this.positions = [];
    this.timer = null;
    this.room = null;
    this.positionsMissing = false;
    this.wire();
  }

  wire() {
    $('sw-leaderboard').addEventListener('change', (e) =>
      this.setSwitch({ leaderboardVisible: e.target.checked }, e.target.checked ? 'leaderboardOn' : 'leaderboardOff'),
    );
    $('sw-autosurrender').addEventListener('change', (e) =>
      this.setSwitch({ autoSurrender: e.target.checked }, e.target.checked ? 'autoOn' : 'autoOff'),
    );
    $('round-practice').addEventListener('click', () => this.round(true));
    $('round-next').addEventListener('click', () => this.round(false));
  }

  async setSwitch(body, okKey) {
    const msg = $('control-msg');
    try {
      await patch(`/api/classrooms/${this.cid}`, body);
      say(msg, 'ok', t(`switches.${okKey}`));
      this.onChanged();
    } catch (e) {
      say(msg, 'error', errorText(e));
      this.showRoom(this.room);
    }
  }

  async round(practice) {
    const msg = $('control-msg');
    if (!confirm(t('rounds.confirm'))) return;
    try {
      const r = await post(`/api/classrooms/${this.cid}/rounds`, { practice, roles: $('round-roles').value });
      say(msg, 'ok', t('rounds.started', { label: roundLabel(r.round) }));
      this.onChanged(); // the page sees the new round and reloads the chart and the positions
    } catch (e) {
      say(msg, 'error', e instanceof ApiError && e.status === 404 ? t('rounds.missing') : errorText(e));
    }
  }

  /** The dashboard's market and instrument, in the page's language. */
  showMarketName() {
    const m = this.market;
    if (m !== null)
      $('dash-market').textContent = `${t(`common:markets.${m.id}`, { defaultValue: m.name })} · ${m.instrument}`;
  }

  /** The classroom as the status channel and GET .../admin give it. */
  showRoom(room) {
    if (room === null) return;
    this.room = room;
    this.showMarketName();
    const lb = $('sw-leaderboard');
    const auto = $('sw-autosurrender');
    lb.disabled = room.leaderboardVisible === undefined;
    // A class started before rounds refuses rounds and automatic surrender until it is reset: its switches say so.
    const before = room.beforeRounds === true;
    auto.disabled = room.autoSurrender === undefined || before;
    lb.checked = room.leaderboardVisible ?? true;
    auto.checked = room.autoSurrender ?? true;
    const noRounds = room.round === undefined;
    $('round-practice').disabled = noRounds || before;
    $('round-next').disabled = noRounds || before;
    $('round-label').textContent = noRounds
      ? ''
      : `${before ? t('rounds.beforeRounds') : roundLabel(room.round)} · ${t(`rounds.phase.${room.round.phase}`)}`;
  }

  /** Starts the chart on the home market's main instrument; returns the trades channel to subscribe. */
  start(room) {
    const m = room.markets[0];
    if (m === undefined) return null;
    this.market = { id: m.id, instrument: m.primary, name: m.name };
    this.showMarketName();
    if (this.chart === null) this.chart = new PriceChart($('dash-chart'), CANDLE_MINUTES);
    this.loadCandles();
    this.loadPositions();
    return `trades:${m.id}:${m.primary}`;
  }

  async loadCandles() {
    if (this.market === null || this.chart === null) return;
    const { id, instrument } = this.market;
    try {
      const r = await get(
        `/api/classrooms/${this.cid}/markets/${id}/candles?instrument=${encodeURIComponent(instrument)}&minutes=${CANDLE_MINUTES}`,
      );
      this.candles = r.candles;
      this.chart.setCandles(r.candles);
      this.markEvents();
      this.stats();
    } catch (e) {
      $('dash-market').textContent = errorText(e);
    }
  }

  /** Trades from the channel: the chart moves, the positions are fetched again (at most once a second). */
  onTrades(list) {
    if (this.chart === null) return;
    this.chart.addTrades(list);
    for (const x of list)
      if (x.mode === 'listed') {
        this.tradeCount = (this.tradeCount ?? 0) + 1;
        this.volumeT = (this.volumeT ?? 0) + x.qtyT;
        this.lastCny = x.priceCny;
      }
    this.showStats();
    this.schedulePositions();
  }

  schedulePositions() {
    if (this.timer !== null) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      this.loadPositions();
    }, 1_000);
  }

  /** The news (fired events) as markers on the chart and a numbered list. */
  onNews(list) {
    this.news = list;
    this.markEvents();
  }

  markEvents() {
    const LC = globalThis.LightweightCharts;
    const events = [...this.news].filter((n) => typeof n.tsMs === 'number').sort((a, b) => a.tsMs - b.tsMs);
    fill(
      $('dash-events'),
      events.length === 0
        ? h('li', { class: 'muted' }, t('dash.eventsNone'))
        : events.map((n, i) =>
            h('li', {}, h('b', {}, `${i + 1}`), ' ', h('span', { class: 'muted' }, n.time), ' ', newsTitle(n)),
          ),
    );
    if (this.chart?.chart == null || LC?.createSeriesMarkers === undefined) return;
    const span = CANDLE_MINUTES * 60_000;
    const markers = events.map((n, i) => ({
      time: Math.floor((Math.floor(n.tsMs / span) * span) / 1000) + CST_S,
      position: 'aboveBar',
      color: '#6a3fb5',
      shape: 'arrowDown',
      text: String(i + 1),
    }));
    if (this.markers === undefined) this.markers = LC.createSeriesMarkers(this.chart.candles, markers);
    else this.markers.setMarkers(markers);
  }

  /** Totals from the candles loaded (the channel adds to them). */
  stats() {
    const c = this.candles ?? [];
    this.volumeT = c.reduce((s, x) => s + x.volumeT, 0);
    this.tradeCount = null;
    this.lastCny = c.length > 0 ? c[c.length - 1].close : null;
    this.showStats();
  }

  showStats() {
    $('stat-last').textContent = this.lastCny === null || this.lastCny === undefined ? '—' : cny(this.lastCny);
    $('stat-volume').textContent = tonnes(this.volumeT ?? 0);
  }

  /** From the report (trades) and the debrief (the bots' share). */
  showMarket(report, debrief) {
    if (report?.market) {
      $('stat-trades').textContent = String(report.market.trades);
      this.volumeT = report.market.volumeT;
      this.lastCny = report.market.lastCny ?? this.lastCny;
      this.showStats();
    }
    const bps = debrief?.bots?.shareOfVolumeBps;
    $('stat-bots').textContent = typeof bps === 'number' ? `${(bps / 100).toFixed(1)}%` : '—';
  }

  async loadPositions() {
    if (this.positionsMissing) return;
    try {
      const r = await get(`/api/classrooms/${this.cid}/positions`);
      this.positions = Array.isArray(r) ? r : (r.positions ?? []);
      $('positions-note').textContent = t('dash.positionsAt', { time: r.time ?? this.room?.clock?.time ?? '' });
    } catch (e) {
      if (e instanceof ApiError && e.status === 404 && e.code === 'NOT_FOUND' && /no route/.test(e.message)) {
        this.positionsMissing = true;
        $('positions-note').textContent = t('dash.positionsMissing');
      } else $('positions-note').textContent = errorText(e);
      return;
    }
    this.drawPositions();
  }

  drawPositions() {
    rows(
      $('positions'),
      this.positions,
      (p) => {
        const net =
          (p.longT ?? 0) > 0
            ? t('pos.long', { t: tonnes(p.longT) })
            : (p.shortT ?? 0) > 0
              ? t('pos.short', { t: tonnes(p.shortT) })
              : t('pos.even');
        const profit = String(p.profitCny ?? '');
        return h(
          'tr',
          { dataset: { testid: `pos-${p.studentId}` }, class: p.away ? 'away' : '' },
          h('td', {}, p.name, p.away ? h('span', { class: 'badge paused', title: t('pos.away') }, t('js.away')) : null),
          h('td', { class: 'wrap-text' }, p.firmName ?? ''),
          h('td', { class: 'num' }, tonnes(p.heldT)),
          h('td', { class: 'num' }, tonnes(p.obligationT)),
          h('td', { class: 'num' }, tonnes(p.surrenderedT)),
          h('td', { class: `num ${(p.shortT ?? 0) > 0 ? 'down' : ''}` }, net),
          h(
            'td',
            { class: `num ${profit.startsWith('-') ? 'down' : profit === '0.00' || profit === '' ? '' : 'up'}` },
            cny(p.profitCny),
          ),
          h('td', { class: 'num' }, cny(p.fineCny)),
          h(
            'td',
            {},
            h('span', { class: `badge ${p.status}` }, t(`dbf.statusOf.${p.status}`, { defaultValue: p.status })),
            p.autoSurrender === false ? h('span', { class: 'muted small', title: t('pos.autoOff') }, ' ✋') : null,
          ),
        );
      },
      t('dash.noPositions'),
      9,
    );
  }

  /** Who is away, by student id (the join screen's lobby marks them). */
  awayIds() {
    return new Set(this.positions.filter((p) => p.away).map((p) => p.studentId));
  }
}

export function roundLabel(round) {
  if (round === null || round === undefined) return '';
  return round.practice ? t('rounds.labelPractice') : t('rounds.label', { n: round.number });
}
