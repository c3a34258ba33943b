// The student's own side: balances and holdings, compliance progress with the surrender form, my orders with cancel
// buttons, and my fills. Fed by the private channel (snapshot "all", then order / fill / balance / compliance
// events) and by REST after each action.
import { del, get, post } from './api.js';
import { $, fill, h, rows, say } from './dom.js';
import { cny, errorText, hhmm, money, tonnes } from './format.js';
import { t } from './i18n.js';
import { parseQty } from './ticket.js';

export class Account {
  /** @param {{ feed: import('./socket.js').Feed }} ctx */
  constructor(ctx) {
    this.ctx = ctx;
    this.seenFills = null;
    this.instruments = [];
    this.ordersQueued = false;
    /** The last of each, to draw again in another language. */
    this.last = { account: null, compliance: undefined, orders: null, fills: null };
    $('surrender-form').addEventListener('submit', (e) => {
      e.preventDefault();
      this.surrender();
    });
  }

  /** A private-channel message (or a REST answer shaped like one). */
  apply(d) {
    if (d === null || d === undefined) return;
    if (d.orders) this.orders(d.orders);
    if (d.fills) {
      this.fills(d.fills);
      // A fill changes the order it filled, but the feed sends no order event with it: fetch the orders.
      if (d.kind === 'fill') this.refreshOrders();
    }
    if (d.account) this.balances(d.account);
    if (d.kind === 'compliance' || d.kind === 'all' || d.compliance) this.compliance(d.compliance ?? null);
  }

  /** Draws everything again (after a language switch). */
  redraw() {
    const { account, compliance, orders, fills } = this.last;
    if (account) this.balances(account);
    if (compliance !== undefined) this.compliance(compliance);
    if (orders) this.orders(orders);
    if (fills) this.fills(fills);
  }

  async refresh() {
    const [me, orders, fills] = await Promise.all([get('/api/me'), get('/api/me/orders'), get('/api/me/fills')]);
    this.apply({
      kind: 'all',
      account: me.account,
      compliance: me.compliance,
      orders: orders.orders,
      fills: fills.fills,
    });
    return me;
  }

  refreshOrders() {
    if (this.ordersQueued) return;
    this.ordersQueued = true;
    setTimeout(() => {
      this.ordersQueued = false;
      get('/api/me/orders')
        .then((r) => this.orders(r.orders))
        .catch((e) => say($('orders-error'), 'error', errorText(e)));
    }, 50);
  }

  balances(a) {
    this.last.account = a;
    $('balance-cash').textContent = money(a.cashCny);
    $('balance-available').textContent = money(a.availableCny);
    $('balance-reserved').textContent = money(a.reservedCny);
    rows(
      $('holdings'),
      a.holdings,
      (x) =>
        h(
          'tr',
          { dataset: { instrument: x.instrumentId } },
          h('td', {}, x.instrumentId),
          h('td', { class: 'num' }, tonnes(x.totalT, false)),
          h('td', { class: 'num' }, tonnes(x.reservedT, false)),
          h('td', { class: 'num' }, tonnes(x.lockedT, false)),
          h('td', { class: 'num' }, tonnes(x.availableT, false)),
        ),
      t('account.none'),
      5,
    );
    // Surrender picks from what is held.
    const sel = $('surrender-instrument');
    const ids = a.holdings.filter((x) => x.availableT > 0).map((x) => x.instrumentId);
    if (ids.join() !== this.instruments.join()) {
      const keep = sel.value;
      this.instruments = ids;
      fill(
        sel,
        ids.map((id) => h('option', { value: id }, id)),
      );
      if (ids.includes(keep)) sel.value = keep;
    }
  }

  compliance(c) {
    this.last.compliance = c;
    const status = $('compliance-status');
    const bar = $('compliance-progress');
    if (c === null) {
      status.textContent = t('status.none');
      status.className = 'badge';
      for (const k of ['obligation', 'surrendered', 'remaining', 'deadline']) $(`compliance-${k}`).textContent = '—';
      bar.querySelector('span').textContent = t('compliance.noObligation');
      bar.querySelector('.bar').style.width = '0';
      return;
    }
    status.textContent = t(`status.${c.status}`, { defaultValue: c.status });
    status.className = `badge ${c.status}`;
    $('compliance-obligation').textContent = tonnes(c.obligationT);
    $('compliance-surrendered').textContent = tonnes(c.surrenderedT);
    $('compliance-remaining').textContent = tonnes(c.remainingT);
    $('compliance-deadline').textContent = t('compliance.deadlineCycle', { deadline: c.deadline, cycle: c.cycle });
    const pct = c.obligationT > 0 ? Math.min(100, (c.surrenderedT / c.obligationT) * 100) : 100;
    bar.querySelector('.bar').style.width = `${pct.toFixed(1)}%`;
    bar.classList.toggle('met', c.status === 'met');
    bar.querySelector('span').textContent =
      c.status === 'short'
        ? t('compliance.shortFine', { qty: tonnes(c.shortfallT), fine: money(c.fineCny) })
        : t('compliance.pct', { pct: pct.toFixed(1) });
    bar.title = t('compliance.offsetCap', { cap: tonnes(c.offsetCapT) });
  }

  orders(list) {
    this.last.orders = list;
    rows(
      $('my-orders'),
      list,
      (o) =>
        h(
          'tr',
          { dataset: { order: String(o.orderId), status: o.status } },
          h('td', { class: 'num' }, String(o.orderId)),
          h('td', {}, hhmm(o.time)),
          h('td', { class: o.side }, t(`side.${o.side}Arrow`)),
          h('td', { class: 'num' }, o.priceCny === null ? t('orders.market') : cny(o.priceCny)),
          h('td', { class: 'num' }, tonnes(o.qtyT, false)),
          h('td', { class: 'num' }, tonnes(o.filledT, false)),
          h('td', { class: 'num' }, tonnes(o.restingT, false)),
          h('td', {}, t(`tifShort.${o.tif}`, { defaultValue: o.tif })),
          h('td', {}, t(`status.${o.status}`, { defaultValue: o.status })),
          h(
            'td',
            {},
            o.restingT > 0 && o.status === 'resting'
              ? h(
                  'button',
                  {
                    type: 'button',
                    dataset: { testid: `cancel-${o.orderId}` },
                    'aria-label': t('orders.cancelLabel', { id: o.orderId }),
                    onclick: (e) => this.cancel(o.orderId, e.target),
                  },
                  t('orders.cancel'),
                )
              : null,
          ),
        ),
      t('orders.none'),
      10,
    );
  }

  fills(list) {
    this.last.fills = list;
    const before = this.seenFills;
    this.seenFills = new Set(list.map((f) => f.tradeId));
    rows(
      $('my-fills'),
      list,
      (f) =>
        h(
          'tr',
          { class: before !== null && !before.has(f.tradeId) ? 'flash' : null, dataset: { trade: String(f.tradeId) } },
          h('td', {}, hhmm(f.time)),
          h('td', {}, f.instrumentId),
          h('td', { class: f.side }, t(`side.${f.side}Arrow`)),
          h('td', { class: 'num' }, cny(f.priceCny)),
          h('td', { class: 'num' }, tonnes(f.qtyT, false)),
          h('td', { class: 'num' }, cny(f.feeCny)),
          h('td', {}, t(`mode.${f.mode}`, { defaultValue: f.mode })),
          h('td', { class: 'num' }, f.orderId === null ? '—' : `#${f.orderId}`),
        ),
      t('fills.none'),
      8,
    );
  }

  async cancel(orderId, btn) {
    const err = $('orders-error');
    say(err, '', '');
    btn.disabled = true;
    try {
      if (this.ctx.feed.open) await this.ctx.feed.request('cancel', { orderId });
      else await del(`/api/orders/${orderId}`);
      await this.refresh();
    } catch (e) {
      say(err, 'error', errorText(e));
      btn.disabled = false;
    }
  }

  async surrender() {
    const err = $('surrender-error');
    say(err, '', '');
    const instrumentId = $('surrender-instrument').value;
    const qtyT = parseQty($('surrender-qty').value);
    if (!instrumentId) {
      say(err, 'error', t('compliance.nothingHeld'));
      return;
    }
    if (qtyT === null) {
      say(err, 'error', t('badQty'));
      return;
    }
    try {
      const c = await post('/api/me/surrender', { instrumentId, qtyT });
      this.compliance(c);
      $('surrender-qty').value = '';
      await this.refresh();
    } catch (e) {
      say(err, 'error', errorText(e));
    }
  }
}
