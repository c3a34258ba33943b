// Market-wide panels: the trades tape, the news feed and the leaderboard.
import { h, rows } from './dom.js';
import { cny, hhmm, tonnes } from './format.js';

const TAPE = 60;

export class Tape {
  constructor(el) {
    this.el = el;
    this.trades = [];
    this.loaded = false;
  }

  snapshot(list) {
    this.trades = list.slice(0, TAPE);
    this.loaded = true;
    this.render(null);
  }

  add(t) {
    if (this.trades.some((x) => x.tradeId === t.tradeId)) return;
    this.trades.unshift(t);
    this.trades.length = Math.min(this.trades.length, TAPE);
    this.render(t.tradeId);
  }

  render(fresh) {
    rows(
      this.el,
      this.trades,
      (t) =>
        h(
          'tr',
          { class: t.tradeId === fresh ? 'flash' : null, dataset: { trade: String(t.tradeId) }, title: t.time },
          h('td', {}, hhmm(t.time)),
          h(
            'td',
            { class: `num ${t.aggressor === 'buy' ? 'buy' : t.aggressor === 'sell' ? 'sell' : ''}` },
            cny(t.priceCny),
          ),
          h('td', { class: 'num' }, tonnes(t.qtyT, false)),
          h('td', {}, t.mode),
        ),
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
