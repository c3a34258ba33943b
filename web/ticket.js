// The order ticket (buy/sell, price or market, quantity, time in force) and the "take a listing" form. Orders go
// over the WebSocket with a request id and wait for the ack; when the socket is down they go by REST. Every refusal
// is shown as one sentence in the page's language. A market order (no price) is immediate: its time in force is IOC
// or FOK (the book refuses day and GTC for it), so the ticket offers only those while the price is empty.
import { post } from './api.js';
import { $, h, say } from './dom.js';
import { cny, errorText, tonnes } from './format.js';
import { t } from './i18n.js';

const PRICE = /^\d{1,9}(\.\d{1,2})?$/;

/** Whole tonnes from an input ("1,000" allowed), or null. */
export function parseQty(text) {
  const s = String(text).replace(/[,\s_]/g, '');
  return /^\d{1,10}$/.test(s) && Number(s) > 0 ? Number(s) : null;
}

export function parsePrice(text) {
  const s = String(text).trim();
  return PRICE.test(s) ? s : null;
}

export class Ticket {
  /**
   * @param {object} ctx
   * @param {() => { marketId: string, instrumentId: string, rules: object|null }} ctx.where
   * @param {import('./socket.js').Feed} ctx.feed
   * @param {() => void} ctx.changed called after an order or take was accepted (to refresh the lists)
   */
  constructor(ctx) {
    this.ctx = ctx;
    this.side = 'buy';
    this.busy = false;
    $('ticket-side-buy').addEventListener('click', () => this.setSide('buy'));
    $('ticket-side-sell').addEventListener('click', () => this.setSide('sell'));
    $('ticket-form').addEventListener('submit', (e) => {
      e.preventDefault();
      this.submit();
    });
    $('take-form').addEventListener('submit', (e) => {
      e.preventDefault();
      this.take();
    });
    $('take-listing').addEventListener('change', () => this.syncTakeQty());
    // The time in force a limit order had before the price was emptied, given back when a price is entered again.
    this.limitTif = $('ticket-tif').value;
    $('ticket-price').addEventListener('input', () => this.syncTif());
    $('ticket-tif').addEventListener('change', () => {
      if ($('ticket-price').value.trim() !== '') this.limitTif = $('ticket-tif').value;
    });
    this.setSide('buy');
    this.syncTif();
  }

  /** Market order (empty price): IOC or FOK only, IOC unless FOK was chosen; a limit order: any, as last chosen. */
  syncTif() {
    const market = $('ticket-price').value.trim() === '';
    const sel = $('ticket-tif');
    for (const o of sel.options) o.disabled = market && (o.value === 'day' || o.value === 'gtc');
    if (market && (sel.value === 'day' || sel.value === 'gtc')) sel.value = 'ioc';
    else if (!market && (sel.value === 'ioc' || sel.value === 'fok') && this.limitTif !== sel.value)
      sel.value = this.limitTif;
    sel.title = market ? t('ticket.marketTif') : '';
  }

  setSide(side) {
    this.side = side;
    $('ticket-side-buy').setAttribute('aria-pressed', String(side === 'buy'));
    $('ticket-side-sell').setAttribute('aria-pressed', String(side === 'sell'));
    const btn = $('ticket-submit');
    btn.classList.toggle('buy', side === 'buy');
    btn.classList.toggle('sell', side === 'sell');
    btn.textContent = t(side === 'buy' ? 'side.buyArrow' : 'side.sellArrow');
  }

  /** Shows the market's rules under the ticket. */
  showRules(rules, instrumentId) {
    const el = $('ticket-rules');
    if (!rules) {
      el.textContent = '';
      return;
    }
    const l = rules.listed;
    const band = rules.bands?.[instrumentId];
    const parts = [];
    if (band && band.highCny !== '0.00')
      parts.push(t('ticket.rules.band', { low: cny(band.lowCny), high: cny(band.highCny) }));
    parts.push(
      t('ticket.rules.tick', { tick: l.tickCny }),
      t('ticket.rules.size', { min: tonnes(l.minOrderT), max: tonnes(l.maxOrderT) }),
    );
    if (l.sessions?.length)
      parts.push(t('ticket.rules.sessions', { sessions: l.sessions.map((s) => s.join('–')).join(', ') }));
    el.textContent = parts.join(' · ');
  }

  async submit() {
    const err = $('ticket-error');
    const ok = $('ticket-result');
    say(err, '', '');
    say(ok, '', '');
    const { marketId, instrumentId } = this.ctx.where();
    const priceText = $('ticket-price').value.trim();
    const priceCny = priceText === '' ? null : parsePrice(priceText);
    if (priceText !== '' && priceCny === null) {
      say(err, 'error', t('ticket.badPrice', { text: priceText }));
      return;
    }
    const qtyT = parseQty($('ticket-qty').value);
    if (qtyT === null) {
      say(err, 'error', t('badQty'));
      return;
    }
    this.syncTif();
    const body = { marketId, instrumentId, side: this.side, priceCny, qtyT, tif: $('ticket-tif').value };
    const btn = $('ticket-submit');
    btn.disabled = true;
    try {
      const r = this.ctx.feed.open ? await this.ctx.feed.request('order', body) : await post('/api/orders', body);
      const params = {
        id: r.orderId,
        qty: tonnes(qtyT),
        price: priceCny === null ? '' : cny(priceCny),
        filled: tonnes(r.filledT),
        resting: tonnes(r.restingT),
      };
      const key = `ticket.accepted.${this.side}${priceCny === null ? 'Market' : ''}`;
      say(ok, 'ok', t(key, params));
      this.ctx.changed();
    } catch (e) {
      say(err, 'error', errorText(e));
    } finally {
      btn.disabled = false;
    }
  }

  /** A level clicked in the book: its listings go into the take form (the first one picked). */
  pick({ side, priceCny, listings }) {
    const sel = $('take-listing');
    const key = side === 'ask' ? 'take.buyFrom' : 'take.sellTo';
    const opts = listings.map((l) =>
      h(
        'option',
        { value: String(l.listingId), dataset: { qty: String(l.qtyT) } },
        t(key, { id: l.listingId, price: cny(l.priceCny), qty: tonnes(l.qtyT) }),
      ),
    );
    if (opts.length === 0) opts.push(h('option', { value: '' }, t('take.none', { price: cny(priceCny) })));
    sel.replaceChildren(...opts);
    this.syncTakeQty();
    // The ticket follows: the opposite side at that price.
    this.setSide(side === 'ask' ? 'buy' : 'sell');
    $('ticket-price').value = priceCny;
    this.syncTif();
    say($('take-error'), '', '');
    say($('take-result'), '', '');
  }

  syncTakeQty() {
    const opt = $('take-listing').selectedOptions[0];
    if (opt?.dataset.qty) $('take-qty').value = opt.dataset.qty;
  }

  async take() {
    const err = $('take-error');
    const ok = $('take-result');
    say(err, '', '');
    say(ok, '', '');
    const listingId = Number($('take-listing').value);
    if (!Number.isSafeInteger(listingId) || listingId <= 0) {
      say(err, 'error', t('take.noListing'));
      return;
    }
    const qtyT = parseQty($('take-qty').value);
    if (qtyT === null) {
      say(err, 'error', t('badQty'));
      return;
    }
    const { marketId, instrumentId } = this.ctx.where();
    const btn = $('take-submit');
    btn.disabled = true;
    try {
      const r = await post('/api/take', { marketId, instrumentId, listingId, qtyT });
      say(ok, 'ok', t('take.done', { id: listingId, filled: tonnes(r.filledT), order: r.orderId }));
      this.ctx.changed();
    } catch (e) {
      say(err, 'error', errorText(e));
    } finally {
      btn.disabled = false;
    }
  }
}
