// Market-wide panels: the trades tape, the news feed and the leaderboard.
import { h, rows } from './dom.js';
import { cny, cstDateTime, hhmm, tonnes } from './format.js';
import { t } from './i18n.js';
import { newsText, newsTitle } from './news-text.js';

const TAPE = 60;

export class Tape {
  constructor(el) {
    this.el = el;
    this.trades = [];
    this.loaded = false;
  }

  /** The trades channel's snapshot: the latest trades, oldest first. */
  snapshot(list) {
    this.trades = list.slice(-TAPE).reverse();
    this.loaded = true;
    this.render(null);
  }

  /** A trades channel event: the trades since the last one, oldest first (the newest is shown flashing). */
  add(list) {
    const seen = new Set(this.trades.map((x) => x.tradeId));
    const fresh = list.filter((t) => !seen.has(t.tradeId));
    if (fresh.length === 0) return;
    this.trades = [...fresh.slice(-TAPE).reverse(), ...this.trades].slice(0, TAPE);
    this.render(fresh[fresh.length - 1].tradeId);
  }

  render(fresh) {
    rows(
      this.el,
      this.trades,
      (tr) => {
        // The channel's trades carry tsMs only (no time text): the time is shown in China Standard Time.
        const time = cstDateTime(tr.tsMs);
        return h(
          'tr',
          { class: tr.tradeId === fresh ? 'flash' : null, dataset: { trade: String(tr.tradeId) }, title: time },
          h('td', {}, hhmm(time)),
          h(
            'td',
            { class: `num agg ${tr.aggressor === 'buy' ? 'buy' : tr.aggressor === 'sell' ? 'sell' : ''}` },
            cny(tr.priceCny),
          ),
          h('td', { class: 'num' }, tonnes(tr.qtyT, false)),
          h('td', {}, t(`mode.${tr.mode}`, { defaultValue: tr.mode })),
        );
      },
      t(this.loaded ? 'tape.none' : 'loading'),
      4,
    );
  }
}

export function renderNews(el, list) {
  el.replaceChildren();
  if (list.length === 0) {
    el.append(h('li', { class: 'empty' }, t('news.none')));
    return;
  }
  // In the page's language: items the core words itself (auctions, deadlines, settlements, policy plans) carry a kind.
  for (const n of list) {
    const text = newsText(n);
    el.append(
      h(
        'li',
        { dataset: { seq: String(n.seq) } },
        h('b', {}, newsTitle(n)),
        h('span', { class: 'muted' }, n.time),
        text ? h('div', {}, text) : null,
      ),
    );
  }
}

export function renderLeaderboard(profitEl, costEl, board, myId) {
  const mine = (s) => (s.studentId === myId ? 'me' : null);
  rows(
    profitEl,
    board.byProfit.slice(0, 10),
    (s) =>
      h(
        'tr',
        { class: mine(s) },
        h('td', {}, String(s.rank)),
        h('td', {}, s.name),
        h('td', { class: 'num' }, cny(s.profitCny)),
      ),
    t('leaderboard.none'),
    3,
  );
  rows(
    costEl,
    board.byComplianceCost.slice(0, 10),
    (s) =>
      h(
        'tr',
        { class: mine(s) },
        h('td', {}, String(s.rank)),
        h('td', {}, s.name),
        h('td', { class: 'num' }, cny(s.costCny)),
      ),
    t('leaderboard.none'),
    3,
  );
}
