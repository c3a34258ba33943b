// The debrief on the instructor page: the rounds to pick from (GET .../rounds), the round's charts
// (debrief-charts.js, from GET .../debrief, with names when "Real names" is ticked), the link to the printable
// /debrief page, and the CSV export buttons (each file fetched with the token, which a plain link cannot carry, then
// saved under its name).
import { ApiError, get, getToken } from './api.js';
import { renderDebrief } from './debrief-charts.js';
import { $, fill, h, say } from './dom.js';
import { errorText } from './format.js';
import { t } from './i18n.js';

const FILES = ['orders', 'trades', 'positions', 'results'];

export class DebriefPanel {
  /** @param {{ cid: string, onLoaded: (d: object) => void }} o */
  constructor(o) {
    this.cid = o.cid;
    this.onLoaded = o.onLoaded;
    this.data = null;
    this.picked = false;
    $('debrief-load').addEventListener('click', () => this.loadRounds().then(() => this.load()));
    $('debrief-round').addEventListener('change', () => {
      this.picked = true;
      this.exportLinks();
      this.load();
    });
    $('export-names').addEventListener('change', () => {
      this.exportLinks();
      this.load();
    });
    for (const kind of FILES) $(`export-${kind}`).addEventListener('click', (e) => this.download(e, kind));
    // The price chart is drawn at the width it is shown at: again when the window changes (a phone turned).
    let resized = null;
    window.addEventListener('resize', () => {
      clearTimeout(resized);
      resized = setTimeout(() => this.redraw(), 200);
    });
  }

  /** The rounds to debrief (the current one and the results kept), newest first. */
  async loadRounds() {
    let list = [];
    try {
      const r = await get(`/api/classrooms/${this.cid}/rounds`);
      // The round the class is in first, then the ones kept, newest first.
      const seen = new Map();
      for (const x of [r.current, ...(r.results ?? []).slice().reverse()]) {
        const round = x?.round ?? x;
        if (round && typeof round.number === 'number' && !seen.has(round.number)) seen.set(round.number, round);
      }
      list = [...seen.values()];
    } catch {
      list = [];
    }
    const sel = $('debrief-round');
    const keep = sel.value;
    fill(
      sel,
      list.length === 0
        ? h('option', { value: '' }, '—')
        : list.map((r) =>
            h(
              'option',
              { value: String(r.number) },
              r.practice ? t('rounds.labelPractice') : t('rounds.label', { n: r.number }),
            ),
          ),
    );
    // The teacher's pick stays while it exists; otherwise the round the class is in.
    if (this.picked && keep !== '' && list.some((r) => String(r.number) === keep)) sel.value = keep;
    else this.picked = false;
    this.exportLinks();
  }

  query(names) {
    const n = $('debrief-round').value;
    const q = [n === '' ? '' : `round=${encodeURIComponent(n)}`, names && $('export-names').checked ? 'names=1' : '']
      .filter((x) => x !== '')
      .join('&');
    return q === '' ? '' : `?${q}`;
  }

  async load() {
    const body = $('debrief-body');
    try {
      this.data = await get(`/api/classrooms/${this.cid}/debrief${this.query(true)}`);
      renderDebrief(body, this.data);
      this.onLoaded(this.data);
    } catch (e) {
      const missing = e instanceof ApiError && e.status === 404 && /no route/.test(e.message);
      fill(body, h('p', { class: 'muted' }, missing ? t('debrief.missing') : errorText(e)));
    }
    const round = $('debrief-round').value;
    $('debrief-page').href =
      `/debrief?classroom=${encodeURIComponent(this.cid)}${round === '' ? '' : `&round=${encodeURIComponent(round)}`}`;
  }

  /** Draws again (a language switch). */
  redraw() {
    if (this.data !== null) renderDebrief($('debrief-body'), this.data);
  }

  /** Each export button's address and file name, for the round picked and the names switch. */
  exportLinks() {
    const round = $('debrief-round').value;
    for (const kind of FILES) {
      const b = $(`export-${kind}`);
      b.dataset.url = `/api/classrooms/${encodeURIComponent(this.cid)}/export/${kind}.csv${this.query(true)}`;
      b.dataset.file = `${this.cid}-${round === '' ? '' : `round${round}-`}${kind}.csv`;
    }
  }

  async download(e, kind) {
    e.preventDefault();
    const b = e.currentTarget;
    const msg = $('export-msg');
    say(msg, '', '');
    try {
      const res = await fetch(b.dataset.url, { headers: { authorization: `Bearer ${getToken()}` } });
      if (!res.ok) {
        const j = await res.json().catch(() => null);
        throw new ApiError(j?.error?.code ?? `HTTP_${res.status}`, j?.error?.message ?? res.statusText, res.status);
      }
      const url = URL.createObjectURL(await res.blob());
      const save = h('a', { href: url, download: b.dataset.file });
      document.body.append(save);
      save.click();
      save.remove();
      setTimeout(() => URL.revokeObjectURL(url), 10_000);
    } catch (err) {
      say(msg, 'error', t('export.failed', { file: `${kind}.csv`, why: errorText(err) }));
    }
  }
}
