// Market-wide panels: the trades tape, the news feed and the leaderboard.
import { h, rows } from './dom.js';
import { cny, cstDateTime, hhmm, tonnes } from './format.js';

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
      (t) => {
        // The channel's trades carry tsMs only (no time text): the time is shown in China Standard Time.
        const time = cstDateTime(t.tsMs);
        return h(
          'tr',
          { class: t.tradeId === fresh ? 'flash' : null, dataset: { trade: String(t.tradeId) }, title: time },
          h('td', {}, hhmm(time)),
          h(
            'td',
            { class: `num ${t.aggressor === 'buy' ? 'buy' : t.aggressor === 'sell' ? 'sell' : ''}` },
            cny(t.priceCny),
          ),
          h('td', { class: 'num' }, tonnes(t.qtyT, false)),
          h('td', {}, t.mode),
        );
      },
      this.loaded ? 'no trades yet' : 'loading…',
      4,
    );
  }
}

export function renderNews(el, list) {
  el.replaceChildren();
  if (list.length === 0) {
    el.append(h('li', { class: 'empty' }, 'No news yet.'));
    return;
  }
  for (const n of list)
    el.append(
      h(
        'li',
        { dataset: { seq: String(n.seq) } },
        h('b', {}, n.title),
        h('span', { class: 'muted' }, n.time),
        n.text ? h('div', {}, n.text) : null,
      ),
    );
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
    'nobody yet',
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
    'nobody yet',
    3,
  );
}
