// Classrooms from the page, with the admin token: the list (GET /api/classrooms), create (POST
// /api/admin/classrooms: scenario, its markets to trade, speed, bots, seats), open one here, reset (POST .../reset: same settings afresh, new join code and token) and
// delete (DELETE, with a confirm). Shown only when the token is the admin's.
import { ApiError, del, get, post } from './api.js';
import { $, fill, h, rows, say } from './dom.js';
import { errorText } from './format.js';
import { t } from './i18n.js';

export class Classrooms {
  /** @param {{ cid: () => string, openRoom: (id: string) => void, token: () => string }} o */
  constructor(o) {
    this.o = o;
    this.scenarios = [];
    this.list = [];
    $('create-form').addEventListener('submit', (e) => {
      e.preventDefault();
      this.create();
    });
    $('create-scenario').addEventListener('change', () => this.showMarkets());
  }

  /** Whether the token is the admin's: the panel shows, with the list and the scenarios. */
  async load() {
    try {
      if (this.role === undefined) this.role = (await get('/api/whoami')).role;
      if (this.role !== 'admin') return false;
      const [c, s] = await Promise.all([get('/api/classrooms'), get('/api/scenarios')]);
      this.list = c.classrooms;
      if (this.scenarios.length === 0) {
        this.scenarios = s.scenarios;
        fill(
          $('create-scenario'),
          s.scenarios.map((x) => h('option', { value: x.id, title: x.title }, x.id)),
        );
        $('create-scenario').value = s.scenarios.some((x) => x.id === 'classroom') ? 'classroom' : s.scenarios[0]?.id;
        this.showMarkets();
      }
    } catch (e) {
      if (e instanceof ApiError && (e.status === 403 || e.status === 401)) {
        $('classrooms-panel').hidden = true;
        return false;
      }
      say($('classrooms-msg'), 'error', errorText(e));
    }
    $('classrooms-panel').hidden = false;
    this.draw();
    return true;
  }

  showMarkets() {
    const s = this.scenarios.find((x) => x.id === $('create-scenario').value);
    // A box a market, all ticked; the home market (the first) cannot be left out.
    const pick = $('create-markets-pick');
    const legend = pick.querySelector('legend');
    fill(
      pick,
      legend,
      (s?.markets ?? []).map((m, i) =>
        h(
          'label',
          { class: 'switch', title: i === 0 ? t('classrooms.home') : '' },
          h('input', {
            type: 'checkbox',
            value: m.id,
            checked: true,
            disabled: i === 0,
            dataset: { testid: `create-market-${m.id}` },
          }),
          ` ${m.id} (${m.instrument})`,
        ),
      ),
    );
    $('create-markets').textContent = s === undefined ? '' : `${s.title} · ${s.from} – ${s.to}`;
  }

  draw() {
    const here = this.o.cid();
    rows(
      $('classrooms'),
      this.list,
      (c) =>
        h(
          'tr',
          { dataset: { testid: `classroom-${c.id}` }, class: c.id === here ? 'current' : '' },
          h('td', {}, h('b', {}, c.name), h('span', { class: 'muted small' }, ` ${c.id}`)),
          h('td', {}, c.scenario),
          h(
            'td',
            {},
            h('span', { class: `badge ${c.state}` }, t(`state.${c.state}`, { defaultValue: c.state })),
            // A class started before rounds trades on by the rules of then; a reset gives it rounds.
            c.beforeRounds
              ? h(
                  'div',
                  { class: 'muted small', dataset: { testid: `before-rounds-${c.id}` } },
                  t('classrooms.beforeRounds'),
                )
              : null,
          ),
          h('td', { class: 'num' }, c.seatCap === null ? String(c.students) : `${c.students}/${c.seatCap}`),
          h('td', { class: 'mono' }, c.joinCode ?? '—'),
          h(
            'td',
            { class: 'actions' },
            c.id === here
              ? h('span', { class: 'muted small' }, t('classrooms.current'))
              : h(
                  'button',
                  { type: 'button', dataset: { testid: `open-${c.id}` }, onclick: () => this.o.openRoom(c.id) },
                  t('classrooms.open'),
                ),
            h(
              'button',
              { type: 'button', dataset: { testid: `reset-${c.id}` }, onclick: () => this.reset(c) },
              t('classrooms.reset'),
            ),
            c.id === 'default'
              ? null
              : h(
                  'button',
                  {
                    type: 'button',
                    class: 'danger',
                    dataset: { testid: `delete-${c.id}` },
                    onclick: () => this.remove(c),
                  },
                  t('classrooms.delete'),
                ),
          ),
        ),
      t('classrooms.none'),
      6,
    );
  }

  async create() {
    const msg = $('classrooms-msg');
    say(msg, '', '');
    const name = $('create-name').value.trim();
    const markets = [...$('create-markets-pick').querySelectorAll('input[type=checkbox]')]
      .filter((x) => x.checked)
      .map((x) => x.value);
    const body = { name, scenario: $('create-scenario').value, markets };
    for (const [key, id, label] of [
      ['speed', 'create-speed', t('speed')],
      ['botIntensity', 'create-bots', t('bots')],
    ]) {
      const text = $(id).value.trim();
      if (text === '') continue;
      const n = Number(text);
      if (!Number.isFinite(n)) return say(msg, 'error', t('classrooms.badNumber', { what: label }));
      body[key] = n;
    }
    const seatsText = $('create-seats').value.trim();
    const seats = Number(seatsText);
    if (seatsText !== '' && !(Number.isInteger(seats) && seats >= 0)) return say(msg, 'error', t('msg.seatsBad'));
    const btn = $('create-submit');
    btn.disabled = true;
    try {
      if (seatsText !== '') body.seats = seats;
      const r = await post('/api/admin/classrooms', body);
      this.made(name, r);
      $('create-name').value = '';
      await this.load();
    } catch (e) {
      say(msg, 'error', errorText(e));
    } finally {
      btn.disabled = false;
    }
  }

  /** The new classroom's code and instructor link (its token shown once). */
  made(name, r) {
    const link = new URL(
      `/instructor?classroom=${encodeURIComponent(r.id)}&token=${encodeURIComponent(r.instructorToken)}`,
      location.href,
    ).href;
    const box = $('made');
    box.hidden = false;
    fill(
      box,
      h('p', { dataset: { testid: 'made-text' } }, t('classrooms.made', { name, code: r.joinCode })),
      h(
        'p',
        {},
        h('span', { class: 'muted' }, `${t('classrooms.madeLink')}: `),
        h(
          'a',
          { href: link, target: '_blank', rel: 'noopener', class: 'mono', dataset: { testid: 'made-link' } },
          link,
        ),
        ' ',
        h('button', { type: 'button', onclick: () => navigator.clipboard?.writeText(link) }, t('copy')),
      ),
    );
  }

  async reset(c) {
    if (!confirm(t('classrooms.resetConfirm', { name: c.name }))) return;
    const msg = $('classrooms-msg');
    try {
      const r = await post(`/api/classrooms/${c.id}/reset`);
      say(msg, 'ok', t('classrooms.resetDone', { name: c.name, code: r.joinCode }));
      this.made(c.name, r);
      await this.load();
      if (c.id === this.o.cid()) this.o.openRoom(c.id);
    } catch (e) {
      say(msg, 'error', errorText(e));
    }
  }

  async remove(c) {
    if (!confirm(t('classrooms.deleteConfirm', { name: c.name }))) return;
    const msg = $('classrooms-msg');
    try {
      await del(`/api/classrooms/${c.id}`);
      say(msg, 'ok', t('classrooms.deleteDone', { name: c.name }));
      await this.load();
      if (c.id === this.o.cid()) this.o.openRoom('default');
    } catch (e) {
      say(msg, 'error', errorText(e));
    }
  }
}
