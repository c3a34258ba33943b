// Block trades (大宗协议): negotiated proposals that never enter the book. A proposal to anyone or to one student, at
// least the market's block minimum; proposals addressed to me can be accepted, countered or rejected. The list is
// fetched from GET /api/blocks after each action and when an alert says a proposal came (no polling).
import { get, post } from './api.js';
import { $, fill, h, rows, say } from './dom.js';
import { cny, errorText, tonnes } from './format.js';
import { t } from './i18n.js';
import { parsePrice, parseQty } from './ticket.js';

export class Blocks {
  /** @param {{ where: () => { marketId: string, instrumentId: string, rules: object|null }, me: () => object|null, changed: () => void }} ctx */
  constructor(ctx) {
    this.ctx = ctx;
    this.counterFor = null;
    this.students = '';
    this.list = [];
    this.rules = null;
    this.others = [];
    $('block-form').addEventListener('submit', (e) => {
      e.preventDefault();
      this.propose();
    });
  }

  showRules(rules) {
    this.rules = rules;
    const b = rules?.block ?? null;
    $('block-rules').textContent =
      b === null
        ? t('blocks.notOffered')
        : t('blocks.rules', {
            min: tonnes(b.minQtyT),
            band: b.bandPct,
            sessions: b.sessions.map((s) => s.join('–')).join(', '),
          });
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
    this.others = others;
    this.drawStudents();
  }

  drawStudents() {
    const others = this.others;
    const sel = $('block-to');
    const keep = sel.value;
    fill(
      sel,
      h('option', { value: '' }, t('blocks.anyone')),
      others.map((s) => h('option', { value: String(s.studentId) }, s.name)),
    );
    sel.value = keep;
  }

  async refresh() {
    try {
      const r = await get('/api/blocks');
      this.render(r.proposals);
    } catch (e) {
      say($('block-error'), 'error', errorText(e));
    }
  }

  /** Draws everything again (after a language switch). */
  redraw() {
    this.showRules(this.rules);
    this.drawStudents();
    this.render(this.list);
  }

  render(list) {
    this.list = list;
    rows(
      $('block-list'),
      list,
      (p) => {
        const canAnswer = !p.mine && p.status === 'open';
        const actions = canAnswer
          ? h(
              'span',
              { class: 'actions' },
              h('button', { type: 'button', onclick: () => this.answer(p, 'accept') }, t('blocks.accept')),
              h('button', { type: 'button', onclick: () => this.openCounter(p) }, t('blocks.counter')),
              h('button', { type: 'button', onclick: () => this.answer(p, 'reject') }, t('blocks.reject')),
            )
          : null;
        const tr = h(
          'tr',
          { dataset: { proposal: String(p.proposalId) } },
          h('td', { class: 'num' }, String(p.proposalId)),
          h('td', {}, p.mine ? t('blocks.you') : p.from),
          h('td', {}, p.toYou ? t('blocks.you') : (p.to ?? t('blocks.anyone'))),
          h('td', { class: p.side }, t(`side.${p.side}Arrow`)),
          h('td', { class: 'num' }, cny(p.priceCny)),
          h('td', { class: 'num' }, tonnes(p.qtyT, false)),
          h('td', {}, t(`status.${p.status}`, { defaultValue: p.status })),
          h('td', {}, actions),
        );
        if (this.counterFor !== p.proposalId || !canAnswer) return tr;
        const price = h('input', {
          size: 7,
          inputmode: 'decimal',
          value: p.priceCny,
          'aria-label': t('blocks.counterPrice'),
        });
        const qty = h('input', {
          size: 9,
          inputmode: 'numeric',
          value: String(p.qtyT),
          'aria-label': t('blocks.counterQty'),
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
              h('label', {}, t('blocks.counterPrice'), ' ', price),
              h('label', {}, t('blocks.qty'), ' ', qty),
              h('button', { type: 'submit' }, t('blocks.sendCounter')),
              h('button', { type: 'button', onclick: () => this.closeCounter() }, t('blocks.cancel')),
            ),
          ),
        );
        return [tr, form];
      },
      t('blocks.none'),
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
          t(p.side === 'buy' ? 'blocks.acceptedSold' : 'blocks.acceptedBought', {
            id: p.proposalId,
            qty: tonnes(p.qtyT),
            price: cny(p.priceCny),
          }),
        );
      this.ctx.changed();
    } catch (e) {
      say(err, 'error', errorText(e));
    }
    await this.refresh();
  }

  async counter(p, priceText, qtyText) {
    const err = $('block-error');
    const priceCny = parsePrice(priceText);
    const qtyT = parseQty(qtyText);
    if (priceCny === null || qtyT === null) {
      say(err, 'error', t('blocks.badCounter'));
      return;
    }
    try {
      await post(`/api/blocks/${p.proposalId}/counter`, { priceCny, qtyT });
      this.counterFor = null;
      say(err, '', '');
    } catch (e) {
      say(err, 'error', errorText(e));
    }
    await this.refresh();
  }

  async propose() {
    const err = $('block-error');
    say(err, '', '');
    const { marketId, instrumentId, rules } = this.ctx.where();
    const priceCny = parsePrice($('block-price').value);
    const qtyT = parseQty($('block-qty').value);
    if (priceCny === null) return say(err, 'error', t('badPrice'));
    if (qtyT === null) return say(err, 'error', t('badQty'));
    const min = rules?.block?.minQtyT ?? 0;
    if (qtyT < min) return say(err, 'error', t('blocks.belowMin', { min: tonnes(min) }));
    const to = $('block-to').value;
    const body = { marketId, instrumentId, side: $('block-side').value, priceCny, qtyT };
    if (to !== '') body.toStudentId = Number(to);
    try {
      const p = await post('/api/blocks', body);
      say(err, 'ok', t('blocks.sent', { id: p.proposalId }));
      this.ctx.changed();
    } catch (e) {
      say(err, 'error', errorText(e));
    }
    await this.refresh();
  }
}
