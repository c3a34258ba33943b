// The join screen for the projector: full screen, the join code in big letters, the address students open and a
// QR code of the trading page with the code filled in (GET /api/classrooms/:cid/join?base=..., SVG made by the
// server), and the lobby: who is in the room, kept live while the screen is up (the status channel's events and
// GET .../admin). Escape or ✕ closes it; "Start trading" starts the classroom from the lobby.
import { get } from './api.js';
import { $, fill, h } from './dom.js';
import { errorText } from './format.js';
import { t } from './i18n.js';

const LOCAL = /^(localhost|127\.|\[::1\])/;

export class JoinScreen {
  /** @param {{ cid: () => string, students: () => Promise<{name: string, studentId: number}[]>, away: () => Set<number>, start: () => Promise<void> }} o */
  constructor(o) {
    this.o = o;
    this.timer = null;
    this.base = null;
    $('join-close').addEventListener('click', () => this.close());
    document.addEventListener('keydown', (e) => {
      if (e.key === 'Escape' && !$('joinscreen').hidden) this.close();
    });
    $('js-addr').addEventListener('change', (e) => {
      this.base = e.target.value;
      this.load();
    });
    $('js-start').addEventListener('click', async () => {
      $('js-start').disabled = true;
      try {
        await this.o.start();
      } finally {
        $('js-start').disabled = false;
      }
    });
  }

  get isOpen() {
    return !$('joinscreen').hidden;
  }

  async open() {
    $('joinscreen').hidden = false;
    document.body.classList.add('js-open');
    // Full screen where the browser allows it (a click opened it); the overlay covers the page either way.
    document.documentElement.requestFullscreen?.().catch(() => {});
    await this.load();
    this.lobby();
    clearInterval(this.timer);
    this.timer = setInterval(() => this.lobby(), 3_000);
  }

  close() {
    $('joinscreen').hidden = true;
    document.body.classList.remove('js-open');
    clearInterval(this.timer);
    this.timer = null;
    if (document.fullscreenElement) document.exitFullscreen?.().catch(() => {});
  }

  /** The addresses: this page's own when it was opened over the LAN, else the server's list (LAN first). */
  async load() {
    try {
      const { addresses } = await get('/api/server/addresses');
      const own = LOCAL.test(location.host) ? [] : [location.origin];
      const all = [...new Set([...own, ...addresses])];
      if (this.base === null || !all.includes(this.base)) this.base = all[0] ?? location.origin;
      const sel = $('js-addr');
      fill(
        sel,
        all.map((a) => h('option', { value: a }, a)),
      );
      sel.value = this.base;
      $('js-addr-wrap').hidden = all.length < 2;
      const j = await get(`/api/classrooms/${this.o.cid()}/join?base=${encodeURIComponent(this.base)}`);
      $('js-code').textContent = j.joinCode;
      $('js-url').textContent = `${this.base.replace(/^https?:\/\//, '')}/trade`;
      const img = $('js-qr');
      img.src = `data:image/svg+xml;base64,${btoa(j.qrSvg)}`;
      img.alt = `QR: ${j.url}`;
      img.dataset.url = j.url;
    } catch (e) {
      $('js-url').textContent = errorText(e);
    }
  }

  /** Who is in the room (names as chips; the away ones dimmed). */
  async lobby(list) {
    if (!this.isOpen) return;
    let students = list;
    try {
      students ??= await this.o.students();
    } catch {
      return;
    }
    const away = this.o.away();
    $('js-count').textContent = String(students.length);
    fill(
      $('js-names'),
      students.length === 0
        ? h('li', { class: 'muted' }, t('js.nobody'))
        : students.map((s) => h('li', { class: away.has(s.studentId) ? 'away' : '' }, s.name)),
    );
  }

  /** The classroom's state: the start button shows in the lobby only. */
  showRoom(room) {
    $('js-start').hidden = room?.state !== 'setup';
  }
}
