// Block trades (大宗协议): negotiated proposals that never enter the book. A proposal to anyone or to one student, at
// least the market's block minimum; proposals addressed to me can be accepted, countered or rejected. The list is
// fetched from GET /api/blocks (the feed has no block channel) after each action and every few seconds.
import { get, post } from './api.js';
import { $, fill, h, rows, say } from './dom.js';
import { cny, errorText, tonnes } from './format.js';
import { parsePrice, parseQty } from './ticket.js';

export class Blocks {
  /** @param {{ where: () => { marketId: string, instrumentId: string, rules: object|null }, me: () => object|null, changed: () => void }} ctx */
  constructor(ctx) {
    this.ctx = ctx;
    this.counterFor = null;
    this.students = '';
    $('block-form').addEventListener('submit', (e) => {
      e.preventDefault();
      this.propose();
    });
  }

  showRules(rules) {
    const b = rules?.block ?? null;
    $('block-rules').textContent =
      b === null
        ? 'not offered in this market'
        : `at least ${tonnes(b.minQtyT)}, within ±${b.bandPct}% of the reference, sessions ${b.sessions.map((s) => s.join('–')).join(', ')}`;
    $('block-qty').placeholder = b === null ? 't' : `≥ ${tonnes(b.minQtyT, false)}`;
    for (const el of $('block-form').querySelectorAll('input, select, button')) el.disabled = b === null;
  }

  /** Counterparties to choose from (the leaderboard lists every student of the classroom). */
  setStudents(list) {
    const me = this.ctx.me();
    const others = list.filter((s) => me === null || s.studentId !== me.studentId);
    const key = others.map((s) => `${s.studentId}:${s.name}`).join('|');
    if (key === this.students) return;
    this.students = key;
    const sel = $('block-to');
    const keep = sel.value;
    fill(
      sel,
      h('option', { value: '' }, 'anyone'),
      others.map((s) => h('option', { value: String(s.studentId) }, s.name)),
    );
    sel.value = keep;
  }

  async refresh() {
    try {
      const r = await get('/api/blocks');
      this.render(r.proposals);
    } catch (e) {
      say($('block-error'), 'error', `Block proposals: ${errorText(e)}`);
    }
  }

  render(list) {
    rows(
      $('block-list'),
      list,
      (p) => {
        const canAnswer = !p.mine && p.status === 'open';
        const actions = canAnswer
          ? h(
              'span',
              { class: 'actions' },
              h('button', { type: 'button', onclick: () => this.answer(p, 'accept') }, 'Accept'),
              h('button', { type: 'button', onclick: () => this.openCounter(p) }, 'Counter'),
              h('button', { type: 'button', onclick: () => this.answer(p, 'reject') }, 'Reject'),
            )
          : null;
        const tr = h(
          'tr',
          { dataset: { proposal: String(p.proposalId) } },
          h('td', { class: 'num' }, String(p.proposalId)),
          h('td', {}, p.from),
          h('td', {}, p.to ?? 'anyone'),
          h('td', { class: p.side }, p.side),
          h('td', { class: 'num' }, cny(p.priceCny)),
          h('td', { class: 'num' }, tonnes(p.qtyT, false)),
          h('td', {}, p.status),
          h('td', {}, actions),
        );
        if (this.counterFor !== p.proposalId || !canAnswer) return tr;
        const price = h('input', { size: 7, inputmode: 'decimal', value: p.priceCny, 'aria-label': 'Counter price' });
        const qty = h('input', {
          size: 9,
          inputmode: 'numeric',
          value: String(p.qtyT),
          'aria-label': 'Counter quantity',
        });
        const form = h(
          'tr',
          { class: 'counter' },
          h(
            'td',
            { colspan: 8 },
            h(
              'form',
              {
                class: 'row-form',
                onsubmit: (e) => {
                  e.preventDefault();
                  this.counter(p, price.value, qty.value);
                },
              },
              h('label', {}, 'Counter price', price),
              h('label', {}, 'Qty', qty),
              h('button', { type: 'submit' }, 'Send counter'),
              h('button', { type: 'button', onclick: () => this.closeCounter() }, 'Cancel'),
            ),
          ),
        );
        return [tr, form];
      },
      'no block proposals',
      8,
    );
  }

  openCounter(p) {
    this.counterFor = p.proposalId;
    this.refresh();
  }

  closeCounter() {
    this.counterFor = null;
    this.refresh();
  }

  async answer(p, action) {
    const err = $('block-error');
    say(err, '', '');
    try {
      await post(`/api/blocks/${p.proposalId}/${action}`, {});
      if (action === 'accept')
        say(
          err,
          'ok',
          `Block #${p.proposalId} accepted: ${p.side === 'buy' ? 'you sold' : 'you bought'} ${tonnes(p.qtyT)} at ${cny(p.priceCny)}.`,
        );
      this.ctx.changed();
    } catch (e) {
      say(err, 'error', `${action} #${p.proposalId}: ${errorText(e)}`);
    }
    await this.refresh();
  }

  async counter(p, priceText, qtyText) {
    const err = $('block-error');
    const priceCny = parsePrice(priceText);
    const qtyT = parseQty(qtyText);
    if (priceCny === null || qtyT === null) {
      say(err, 'error', 'BAD_REQUEST: a counter needs a price in CNY and a whole number of tonnes');
      return;
    }
    try {
      await post(`/api/blocks/${p.proposalId}/counter`, { priceCny, qtyT });
      this.counterFor = null;
      say(err, '', '');
    } catch (e) {
      say(err, 'error', `counter #${p.proposalId}: ${errorText(e)}`);
    }
    await this.refresh();
  }

  async propose() {
    const err = $('block-error');
    say(err, '', '');
    const { marketId, instrumentId, rules } = this.ctx.where();
    const priceCny = parsePrice($('block-price').value);
    const qtyT = parseQty($('block-qty').value);
    if (priceCny === null) return say(err, 'error', 'BAD_PRICE: enter a price in CNY with at most 2 decimals');
    if (qtyT === null) return say(err, 'error', 'BAD_QUANTITY: enter a whole number of tonnes above 0');
    const min = rules?.block?.minQtyT ?? 0;
    if (qtyT < min) return say(err, 'error', `BELOW_BLOCK_MINIMUM: a block trade here is at least ${tonnes(min)}`);
    const to = $('block-to').value;
    const body = { marketId, instrumentId, side: $('block-side').value, priceCny, qtyT };
    if (to !== '') body.toStudentId = Number(to);
    try {
      const p = await post('/api/blocks', body);
      say(err, 'ok', `Block proposal #${p.proposalId} sent.`);
      this.ctx.changed();
    } catch (e) {
      say(err, 'error', errorText(e));
    }
    await this.refresh();
  }
}
