// Auctions of the government reserve (单向竞价): the instructor announces one; while its window is open a student
// places sealed bids (at or above the reserve price; the cash is reserved) and may withdraw them. At the close the
// exchange allocates best price first. Notices come from GET /api/auctions, refreshed when an alert or the news
// mentions an auction and every few seconds; my bids also come over the private channel (kind "bid").
import { del, get, post } from './api.js';
import { $, h, rows, say } from './dom.js';
import { cny, errorText, hhmm, tonnes } from './format.js';
import { language, t } from './i18n.js';
import { parsePrice, parseQty } from './ticket.js';

export class Auctions {
  /** @param {{ changed: () => void }} ctx */
  constructor(ctx) {
    this.ctx = ctx;
    this.notices = [];
    this.bids = [];
    /** What the list of notices was last drawn from (language and notices): unchanged, it is not drawn again. */
    this.drawn = '';
    /** The bid inputs of each open auction (auction id -> { price, qty }), carried over when the list is redrawn. */
    this.inputs = new Map();
  }

  async refresh() {
    try {
      const r = await get('/api/auctions');
      this.notices = r.auctions;
      this.bids = r.bids;
      this.render();
    } catch (e) {
      say($('auction-error'), 'error', errorText(e));
    }
  }

  /** My bids as the private channel sends them (newest first). */
  setBids(bids) {
    this.bids = bids;
    this.render();
  }

  /** Draws the notices when they (or the language) changed, then my bids. What a student typed stays. */
  render() {
    const key = `${language()}|${JSON.stringify(this.notices)}`;
    if (key !== this.drawn) {
      this.drawn = key;
      this.drawNotices();
    }
    this.drawBids();
  }

  /** An input of a bid form, with what was typed in the one it replaces (and its focus and caret). */
  static carry(input, old) {
    if (old === undefined || old.value === '') return input;
    input.value = old.value;
    if (document.activeElement === old)
      queueMicrotask(() => {
        input.focus();
        input.setSelectionRange(old.selectionStart, old.selectionEnd);
      });
    return input;
  }

  drawNotices() {
    const before = this.inputs;
    this.inputs = new Map();
    rows(
      $('auction-list'),
      this.notices,
      (n) => {
        const o = n.outcome;
        const result =
          n.status === 'withdrawn'
            ? t('auctions.withdrawnEnd')
            : o === null
              ? t('auctions.openUntil', { time: hhmm(n.closes) })
              : o.soldT === 0
                ? t('auctions.nothingSold')
                : o.clearingPriceCny !== null
                  ? t('auctions.soldAt', { qty: tonnes(o.soldT), price: cny(o.clearingPriceCny) })
                  : t('auctions.soldRange', {
                      qty: tonnes(o.soldT),
                      low: cny(o.lowPriceCny),
                      high: cny(o.highPriceCny),
                      avg: cny(o.averagePriceCny),
                    });
        const tr = h(
          'tr',
          { dataset: { auction: n.auctionId } },
          h('td', {}, n.auctionId),
          h('td', { class: 'num' }, tonnes(n.qtyT, false)),
          h('td', { class: 'num' }, cny(n.reservePriceCny)),
          h('td', {}, t(`auctions.allocation.${n.allocation}`, { defaultValue: n.allocation })),
          h('td', {}, result),
        );
        if (n.status !== 'open') return tr;
        const price = h('input', {
          size: 7,
          inputmode: 'decimal',
          placeholder: t('common:cny'),
          'aria-label': t('auctions.bidPrice'),
        });
        const qty = h('input', {
          size: 9,
          inputmode: 'numeric',
          placeholder: t('common:tonnes'),
          'aria-label': t('auctions.bidQty'),
        });
        Auctions.carry(price, before.get(n.auctionId)?.price);
        Auctions.carry(qty, before.get(n.auctionId)?.qty);
        this.inputs.set(n.auctionId, { price, qty });
        const form = h(
          'tr',
          { class: 'counter' },
          h(
            'td',
            { colspan: 5 },
            h(
              'form',
              {
                class: 'row-form',
                dataset: { testid: `auction-bid-${n.auctionId}` },
                onsubmit: (e) => {
                  e.preventDefault();
                  this.bid(n, price.value, qty.value);
                },
              },
              h('label', {}, t('auctions.bidPrice'), ' ', price),
              h('label', {}, t('auctions.qty'), ' ', qty),
              h('button', { type: 'submit' }, t('auctions.bid')),
            ),
          ),
        );
        return [tr, form];
      },
      t('auctions.none'),
      5,
    );
  }

  drawBids() {
    const open = new Set(this.notices.filter((n) => n.status === 'open').map((n) => n.auctionId));
    rows(
      $('auction-bids'),
      this.bids,
      (b) =>
        h(
          'tr',
          { dataset: { bid: b.bidId } },
          h('td', {}, b.bidId),
          h('td', {}, b.auctionId),
          h('td', { class: 'num' }, cny(b.priceCny)),
          h('td', { class: 'num' }, tonnes(b.qtyT, false)),
          h('td', {}, t(`status.${b.status}`, { defaultValue: b.status })),
          h('td', { class: 'num' }, b.filledT > 0 ? `${tonnes(b.filledT, false)} @ ${cny(b.fillPriceCny)}` : ''),
          h(
            'td',
            {},
            b.status === 'live' && open.has(b.auctionId)
              ? h('button', { type: 'button', class: 'link', onclick: () => this.withdraw(b) }, t('auctions.withdraw'))
              : null,
          ),
        ),
      t('auctions.noBids'),
      7,
    );
  }

  async bid(n, priceText, qtyText) {
    const err = $('auction-error');
    const priceCny = parsePrice(priceText);
    const qtyT = parseQty(qtyText);
    if (priceCny === null) return say(err, 'error', t('badPrice'));
    if (qtyT === null) return say(err, 'error', t('badQty'));
    try {
      const b = await post(`/api/auctions/${n.auctionId}/bids`, { priceCny, qtyT });
      say(
        err,
        'ok',
        t('auctions.placed', { id: b.bidId, qty: tonnes(b.qtyT), price: cny(b.priceCny), time: hhmm(n.closes) }),
      );
      const form = this.inputs.get(n.auctionId);
      if (form !== undefined) form.price.value = form.qty.value = '';
      this.ctx.changed();
    } catch (e) {
      say(err, 'error', errorText(e));
    }
    await this.refresh();
  }

  async withdraw(b) {
    const err = $('auction-error');
    try {
      await del(`/api/auctions/${b.auctionId}/bids/${b.bidId}`);
      say(err, 'ok', t('auctions.withdrawn', { id: b.bidId }));
      this.ctx.changed();
    } catch (e) {
      say(err, 'error', errorText(e));
    }
    await this.refresh();
  }
}
