// The order book ladder: a depth snapshot, then deltas of changed levels (qtyT 0 removes a level). Asks are drawn
// above bids, best prices nearest the spread; the best 5 levels each side are shaded and can be clicked to take
// one of their listings.
import { h, rows } from './dom.js';
import { cny, tonnes } from './format.js';
import { t } from './i18n.js';

const SHOWN = 10;
const BEST = 5;

export class Book {
  /**
   * @param {HTMLElement} asksEl tbody of asks
   * @param {HTMLElement} bidsEl tbody of bids
   * @param {HTMLElement} spreadEl cell for the spread line
   * @param {(pick: { side: 'bid'|'ask', priceCny: string, listings: object[] }) => void} onPick
   */
  constructor(asksEl, bidsEl, spreadEl, onPick) {
    this.asksEl = asksEl;
    this.bidsEl = bidsEl;
    this.spreadEl = spreadEl;
    this.onPick = onPick;
    this.bids = new Map();
    this.asks = new Map();
    this.listings = { bids: [], asks: [] };
    this.picked = null;
    this.loaded = false;
  }

  clear() {
    this.bids.clear();
    this.asks.clear();
    this.listings = { bids: [], asks: [] };
    this.loaded = false;
    this.render();
  }

  snapshot(d) {
    this.bids = new Map(d.bids.map((l) => [l.priceCny, l]));
    this.asks = new Map(d.asks.map((l) => [l.priceCny, l]));
    this.listings = d.listings ?? { bids: [], asks: [] };
    this.loaded = true;
    this.render();
  }

  delta(d) {
    for (const [list, map] of [
      [d.bids ?? [], this.bids],
      [d.asks ?? [], this.asks],
    ])
      for (const l of list) {
        if (l.qtyT === 0) map.delete(l.priceCny);
        else map.set(l.priceCny, l);
      }
    if (d.listings) this.listings = d.listings;
    this.render();
  }

  /** Best first. */
  sorted(side) {
    const list = [...(side === 'bid' ? this.bids : this.asks).values()];
    return list.sort((a, b) =>
      side === 'bid' ? Number(b.priceCny) - Number(a.priceCny) : Number(a.priceCny) - Number(b.priceCny),
    );
  }

  listingsAt(side, priceCny) {
    const all = side === 'bid' ? this.listings.bids : this.listings.asks;
    return all.filter((l) => l.priceCny === priceCny);
  }

  bestAsk() {
    return this.sorted('ask')[0] ?? null;
  }

  bestBid() {
    return this.sorted('bid')[0] ?? null;
  }

  render() {
    // A level focused from the keyboard keeps the focus across the redraw.
    const active = document.activeElement;
    const focused =
      active instanceof HTMLElement && (this.asksEl.contains(active) || this.bidsEl.contains(active))
        ? `tr[data-side="${active.dataset.side}"][data-price="${active.dataset.price}"]`
        : null;
    const bids = this.sorted('bid').slice(0, SHOWN);
    const asks = this.sorted('ask').slice(0, SHOWN);
    const maxQty = Math.max(1, ...bids.map((l) => l.qtyT), ...asks.map((l) => l.qtyT));
    const row = (side) => (l, i) => {
      const best = i < BEST;
      const listings = best ? this.listingsAt(side, l.priceCny) : [];
      const widthPct = Math.round((l.qtyT / maxQty) * 100);
      const picked = this.picked !== null && this.picked.side === side && this.picked.priceCny === l.priceCny;
      const pick = () => {
        this.picked = { side, priceCny: l.priceCny };
        this.render();
        this.onPick({ side, priceCny: l.priceCny, listings });
      };
      return h(
        'tr',
        {
          class: [best ? 'best' : '', picked ? 'picked' : ''].join(' ').trim() || null,
          dataset: { price: l.priceCny, side, listings: listings.map((x) => x.listingId).join(' ') },
          title: best ? t('book.levelTitle', { count: listings.length, price: cny(l.priceCny) }) : null,
          // The best levels are picked by click, or from the keyboard (Tab to a level, Enter or Space).
          tabindex: best ? 0 : null,
          onclick: best ? () => pick() : null,
          onkeydown: best
            ? (e) => {
                if (e.key !== 'Enter' && e.key !== ' ') return;
                e.preventDefault();
                pick();
              }
            : null,
        },
        h('td', {}, cny(l.priceCny)),
        h('td', { class: 'num depth', style: { backgroundSize: `${widthPct}% 100%` } }, tonnes(l.qtyT, false)),
        h('td', { class: 'num' }, String(l.orders)),
      );
    };
    // Asks: worst at the top, best just above the spread.
    const askRows = asks.map(row('ask')).reverse();
    rows(this.asksEl, askRows, (r) => r, t(this.loaded ? 'book.noAsks' : 'loading'), 3);
    rows(this.bidsEl, bids.map(row('bid')), (r) => r, t(this.loaded ? 'book.noBids' : 'loading'), 3);
    if (focused !== null) (this.asksEl.querySelector(focused) ?? this.bidsEl.querySelector(focused))?.focus();
    const bb = bids[0];
    const ba = asks[0];
    if (bb && ba) {
      const spread = (Math.round((Number(ba.priceCny) - Number(bb.priceCny)) * 100) / 100).toFixed(2);
      const mid = ((Number(ba.priceCny) + Number(bb.priceCny)) / 2).toFixed(3);
      this.spreadEl.textContent = t('book.spread', { spread, mid });
    } else this.spreadEl.textContent = !this.loaded ? '—' : t(bb || ba ? 'book.oneSide' : 'book.empty');
  }
}
