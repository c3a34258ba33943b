// Where I stand (GET /api/me/position, fetched again after every private update and alert): the obligation, what I
// hold and have surrendered, short or long in tonnes and at the last price, profit, compliance cost, the deadline
// with a countdown in exchange time (from the classroom's clock) and a warning from the time the server sets; and
// the switch for surrendering automatically at the deadline (PUT /api/me/auto-surrender).
import { ApiError, get, put } from './api.js';
import { $, say } from './dom.js';
import { cny, errorText, money, span, tonnes, valueCny } from './format.js';
import { t } from './i18n.js';

export class Position {
  /** @param {{ now: () => number | null }} ctx now: the exchange time (ms), null before the clock is known */
  constructor(ctx) {
    this.ctx = ctx;
    this.p = null;
    this.queued = false;
    this.missing = false;
    $('auto-surrender').addEventListener('change', (e) => this.setAuto(e.target));
  }

  /** Fetches the position again soon (many updates in a burst make one request). */
  refresh() {
    if (this.queued || this.missing) return;
    this.queued = true;
    setTimeout(() => {
      this.queued = false;
      get('/api/me/position')
        .then((r) => this.show(r.position ?? r))
        .catch((e) => {
          // A server without positions: the panel stays empty rather than showing an error every update.
          if (e instanceof ApiError && e.status === 404 && e.code === 'NOT_FOUND') this.missing = true;
          else say($('position-error'), 'error', errorText(e));
        });
    }, 100);
  }

  show(p) {
    this.p = p;
    if (p === null || p === undefined) return;
    const status = $('position-status');
    status.textContent = t(`status.${p.status}`, { defaultValue: p.status });
    status.className = `badge ${p.status}`;
    $('position-obligation').textContent = tonnes(p.obligationT);
    $('position-held').textContent = tonnes(p.heldT);
    $('position-surrendered').textContent = tonnes(p.surrenderedT);
    const short = p.shortT > 0;
    const gapT = short ? p.shortT : p.longT;
    const last = p.lastPriceCny ?? null;
    const value = (short ? p.shortValueCny : p.longValueCny) ?? valueCny(gapT, last);
    const label = $('position-gap-label');
    label.textContent = t(short ? 'position.short' : 'position.long');
    label.dataset.i18n = short ? 'position.short' : 'position.long';
    const gap = $('position-gap');
    gap.textContent =
      value === null || last === null || Number(last) === 0
        ? tonnes(gapT)
        : t('position.gapValue', { qty: tonnes(gapT), value: money(value), price: cny(last) });
    gap.className = short && gapT > 0 ? 'down-bad' : '';
    const profit = $('position-profit');
    profit.textContent = p.profitCny === undefined ? '—' : money(p.profitCny);
    profit.className = Number(p.profitCny) > 0 ? 'up' : Number(p.profitCny) < 0 ? 'down' : '';
    $('position-cost').textContent = p.complianceCostCny === undefined ? '—' : money(p.complianceCostCny);
    $('position-deadline').textContent = p.deadlineTime ?? p.deadline ?? '—';
    const box = $('auto-surrender');
    box.checked = p.autoSurrender === true;
    box.setAttribute('aria-checked', String(box.checked));
    this.tick();
  }

  /** The countdown and the warning, against the exchange clock (called every second by the page). */
  tick() {
    const p = this.p;
    const now = this.ctx.now();
    if (!p || now === null || typeof p.deadlineTsMs !== 'number') return;
    const left = p.deadlineTsMs - now;
    const { d, h, m } = span(left);
    $('position-countdown').textContent = left <= 0 ? t('position.passed') : t('position.countdown', { d, h, m });
    const warn = $('position-warning');
    const warning = p.status !== 'met' && typeof p.warnFromTsMs === 'number' && now >= p.warnFromTsMs && left > 0;
    const text = warning
      ? t(p.shortT > 0 ? 'position.warnShort' : 'position.warnSurrender', {
          qty: tonnes(p.shortT > 0 ? p.shortT : Math.max(0, p.obligationT - p.surrenderedT)),
          deadline: p.deadlineTime ?? p.deadline,
        })
      : '';
    if (warn.textContent !== text) warn.textContent = text;
    warn.hidden = !warning;
  }

  async setAuto(box) {
    const enabled = box.checked;
    box.disabled = true;
    say($('position-error'), '', '');
    try {
      await put('/api/me/auto-surrender', { enabled });
      box.setAttribute('aria-checked', String(enabled));
      this.refresh();
    } catch (e) {
      box.checked = !enabled;
      say($('position-error'), 'error', errorText(e));
    } finally {
      box.disabled = false;
    }
  }

  /** Draws again (after a language switch). */
  redraw() {
    if (this.p) this.show(this.p);
  }
}
