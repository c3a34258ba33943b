// A whole class in a browser (issue 22), through the real pages: the teacher (1280x720, English) creates a classroom
// from the instructor page with the admin token and shows the join screen; Alice joins on a phone (390x844) whose
// browser prefers Chinese, from the QR code's address; Bob on a laptop (1280x720) in English, typing the address; both
// wait in the lobby, which the projector lists. A practice round (Alice buys at market), then round 1: Carol joins
// late on a phone; Bob rests a limit order and proposes a block trade to Alice, who gets it as a notification and
// accepts; the teacher announces an auction and Carol bids in it; the teacher moves the deadline to the next day
// (the warning shows); Bob closes his page and a bot runs his firm until he opens it again and gets his firm back;
// exchange time runs to the deadline, where the classroom surrenders for everyone (Carol, who never pressed Surrender
// and holds enough, is 'met' with no fine); the debrief on the instructor page and on the students' /debrief page;
// the four CSV exports downloaded from the page and parsed, checked against the API, with pseudonyms and with names.
//
// Time: one injected wall clock for the server and the pages (context.clock.setFixedTime), moved by the test a
// second at a time (the hub turns at most a second of wall time into exchange time per tick; at the classroom's
// speed of 3600 a second is a trading hour). The HTTP API is used only to read results, and for what no page has a
// control for (the server's presence sweep is driven by the hub's tick with the moved clock; nothing else).
// Screenshots of each step go to test/e2e/screenshots/whole-class-*.png, to be looked at.
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Classroom } from '../../src/live/classroom.ts';
import { buildServer, type Server } from '../../src/server/app.ts';
import { DEFAULTS } from '../../src/server/config.ts';
import { parseCsv } from '../fixtures/csv.ts';
import { launchChromium, SHOTS, skipWithoutChromium } from './browser.ts';

const skip = skipWithoutChromium('whole-class-browser');

const ADMIN = 'admin-token-e2e-whole-class-01';
const INSTRUCTOR = 'instructor-token-e2e-whole-01';
const LAPTOP = { width: 1280, height: 720 };
const PHONE = { width: 390, height: 844 };
const SPEED = 3600; // a wall second is a trading hour
const NAME = 'Econ 101 碳市场';
const ALICE = '爱丽丝';

/** A CSV file as records by its header's names. */
function records(text: string): { header: string[]; rows: Record<string, string>[] } {
  expect(text.startsWith('\ufeff'), 'a byte order mark for Excel').toBe(true);
  const [header, ...rest] = parseCsv(text.slice(1));
  expect(header, 'a header row').toBeDefined();
  for (const r of rest) expect(r.length, `row ${r.join(',')}`).toBe(header!.length);
  return {
    header: header!,
    rows: rest.map((r) => Object.fromEntries(header!.map((k, i) => [k, r[i]!]))),
  };
}

describe.skipIf(skip)('a whole class in a browser: lobby, practice, a compliance round, debrief and export', () => {
  let server: Server;
  let base: string;
  let dir: string;
  let browser: Browser;
  /** A check of what a page should show; when it fails, it is listed as a defect and the class goes on. */
  async function expectPage(what: string, check: () => Promise<void>): Promise<void> {
    try {
      await check();
    } catch (e) {
      defects.push(`${what}: ${e instanceof Error ? e.message.split('\n')[0] : String(e)}`);
    }
  }
  const briefly = { timeout: 5_000, interval: 100 };
  /** The one wall clock of the server and the pages (ms). */
  let wall = Math.floor(Date.now() / 1000) * 1000;
  const contexts: BrowserContext[] = [];
  const problems: string[] = [];
  /** What a page gets wrong, found on the way: the class goes on, and the last test lists them all. */
  const defects: string[] = [];

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'cets-e2e-class-'));
    mkdirSync(SHOTS, { recursive: true });
    server = await buildServer(
      {
        ...DEFAULTS,
        host: '127.0.0.1',
        port: 0,
        dataDir: dir,
        logLevel: 'silent',
        adminToken: ADMIN,
        instructorToken: INSTRUCTOR,
      },
      { now: () => wall },
    );
    base = (await server.listen()).replace('[::1]', 'localhost');
    browser = await launchChromium();
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await server?.close();
    if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
  }, 60_000);

  async function newContext(who: string, viewport: typeof LAPTOP, locale: string): Promise<BrowserContext> {
    const context = await browser.newContext({ viewport, locale, acceptDownloads: true });
    await context.clock.setFixedTime(wall);
    contexts.push(context);
    context.on('page', (p) => watch(p, who));
    return context;
  }

  function watch(page: Page, who: string): void {
    page.on('pageerror', (e) => problems.push(`${who}: pageerror: ${e.message}`));
    page.on('console', (m) => {
      if (m.type() === 'error') problems.push(`${who}: console.error: ${m.text()}`);
    });
    // The instructor page asks before a new round; the teacher says yes.
    page.on('dialog', (d) => void d.accept());
  }

  /** Moves the wall clock on (server and pages), a second at a time, each second a tick of the hub. */
  async function wallForward(ms: number): Promise<void> {
    while (ms > 0) {
      const step = Math.min(1_000, ms);
      wall += step;
      ms -= step;
      for (const c of contexts) await c.clock.setFixedTime(wall);
      server.hub.tick();
    }
  }

  const tid = (page: Page, id: string) => page.getByTestId(id);
  /** Waits for a page state: generous, since four browser pages and the server share two busy cores. */
  const poll = <T>(fn: () => T | Promise<T>) => expect.poll(fn, { timeout: 30_000, interval: 100 });
  /** A screenshot of the step, the pointer moved off the page (no chart crosshair or hover in it). */
  async function shot(page: Page, step: string, fullPage = false): Promise<void> {
    await page.mouse.move(0, 0);
    await page.screenshot({ path: join(SHOTS, `whole-class-${step}.png`), fullPage });
  }
  const api = async (url: string, token: string) => {
    const r = await server.app.inject({ method: 'GET', url, headers: { authorization: `Bearer ${token}` } });
    expect(r.statusCode, `GET ${url}: ${r.body}`).toBe(200);
    return r.json();
  };
  const text = async (page: Page, id: string) => (await tid(page, id).textContent()) ?? '';
  /**
   * The text of a notice as it first shows. Notices clear by themselves after a few seconds and newer ones push the
   * oldest out, so each is watched for from before what raises it.
   */
  function notice(page: Page, id: string): Promise<string> {
    const el = tid(page, id).first();
    return el.waitFor({ state: 'attached', timeout: 30_000 }).then(async () => (await el.textContent()) ?? '');
  }

  let room: Classroom;
  let cid = '';
  let code = '';
  let qrUrl = '';
  let teacher: Page;
  let alice: Page;
  let bob: Page;
  let bobContext: BrowserContext;
  let carol: Page;
  const ids = { alice: 0, bob: 0, carol: 0 };
  const tokens = { alice: '', bob: '', carol: '' };
  let bobFirm = '';
  let bobOrderId = 0;
  let proposalId = 0;
  let bobLeftTsMs = 0;
  let deadline = '';

  async function studentToken(page: Page): Promise<string> {
    return (await page.evaluate<string | null>("localStorage.getItem('cets.token')")) ?? '';
  }

  it('the teacher creates a classroom from the instructor page with the admin token', async () => {
    const context = await newContext('teacher', LAPTOP, 'en-US');
    teacher = await context.newPage();
    await teacher.goto(`${base}/instructor?token=${ADMIN}&classroom=default`);
    await poll(() => tid(teacher, 'classrooms-panel').isVisible()).toBe(true);
    await poll(() => tid(teacher, 'create-scenario').locator('option').count()).toBeGreaterThan(1);
    await tid(teacher, 'create-name').fill(NAME);
    await tid(teacher, 'create-scenario').selectOption('classroom');
    await tid(teacher, 'create-speed').fill(String(SPEED));
    await tid(teacher, 'create-seats').fill('30');
    await tid(teacher, 'create-submit').click();
    await poll(() => text(teacher, 'made-text')).toMatch(/[A-Z]{4}-\d{4}/);
    room = [...server.hub.rooms.values()].find((r) => r.name === NAME)!;
    expect(room).toBeDefined();
    cid = room.id;
    code = server.hub.joinCode(cid)!;
    expect(await text(teacher, 'made-text')).toContain(code);
    expect(room.speed).toBe(SPEED);
    expect(room.seatCap).toBe(30);
    expect(room.state).toBe('setup');
    await poll(() => text(teacher, `classroom-${cid}`)).toContain(code);
    await shot(teacher, '01-teacher-creates-classroom');

    await tid(teacher, `open-${cid}`).click();
    await poll(() => text(teacher, 'room-name')).toBe(NAME);
    expect(await text(teacher, 'room-state')).toBe('lobby');
    expect(await text(teacher, 'join-code')).toBe(code);
  });

  it('the join screen shows the code, the address and a QR code of the trading page with the code in it', async () => {
    await tid(teacher, 'join-open').click();
    await poll(() => text(teacher, 'js-code')).toBe(code);
    const qr = tid(teacher, 'js-qr');
    await poll(() => qr.getAttribute('data-url')).toBe(`${base}/trade?code=${code}`);
    qrUrl = (await qr.getAttribute('data-url'))!;
    expect(await qr.getAttribute('src')).toMatch(/^data:image\/svg\+xml;base64,/);
    expect(await text(teacher, 'js-url')).toBe(`${base.replace('http://', '')}/trade`);
    expect(await text(teacher, 'js-count')).toBe('0');
    expect(await tid(teacher, 'js-start').isVisible()).toBe(true);
    await shot(teacher, '02-join-screen-empty-lobby');
  });

  it('Alice joins on a phone in Chinese from the QR code; Bob on a laptop in English; the lobby lists them', async () => {
    const aliceContext = await newContext('alice', PHONE, 'zh-CN');
    alice = await aliceContext.newPage();
    await alice.goto(qrUrl);
    await poll(() => text(alice, 'login-submit')).toBe('加入');
    expect(await alice.locator('html').getAttribute('lang')).toBe('zh-CN');
    // The QR code carries the join code: the student types only their name.
    expect.soft(await tid(alice, 'login-code').inputValue(), 'the join code filled in from /trade?code=').toBe(code);
    if ((await tid(alice, 'login-code').inputValue()) !== code) await tid(alice, 'login-code').fill(code);
    await tid(alice, 'login-name').fill(ALICE);
    await shot(alice, '03-alice-joins-phone-zh');
    await tid(alice, 'login-submit').click();
    await poll(() => text(alice, 'conn')).toBe('实时');
    expect(await text(alice, 'room-state')).toBe('等待开始');
    await poll(() => text(alice, 'banner')).toBe('课堂尚未开始，请等待教师开始。');
    tokens.alice = await studentToken(alice);
    ids.alice = (await api('/api/me', tokens.alice)).studentId;
    await poll(() => text(teacher, 'js-names')).toContain(ALICE);
    expect(await text(teacher, 'js-count')).toBe('1');

    bobContext = await newContext('bob', LAPTOP, 'en-US');
    bob = await bobContext.newPage();
    await bob.goto(`${base}/trade`);
    await tid(bob, 'login-code').fill(code);
    await tid(bob, 'login-name').fill('Bob');
    await tid(bob, 'login-submit').click();
    await poll(() => text(bob, 'conn')).toBe('live');
    expect(await text(bob, 'room-state')).toBe('lobby');
    tokens.bob = await studentToken(bob);
    ids.bob = (await api('/api/me', tokens.bob)).studentId;
    bobFirm = await text(bob, 'firm');
    expect(bobFirm).not.toBe('');
    await poll(() => text(teacher, 'js-names')).toContain('Bob');
    expect(await text(teacher, 'js-count')).toBe('2');
    await shot(teacher, '04-join-screen-lobby-two');
    await shot(alice, '05-alice-lobby-phone-zh');
    await shot(bob, '06-bob-lobby-laptop-en');
    expect(problems).toEqual([]);
  });

  it('a practice round: the teacher starts it, Alice buys at market from her phone', async () => {
    await tid(teacher, 'join-close').click();
    await tid(teacher, 'round-practice').click();
    await poll(() => text(teacher, 'round-label')).toBe('practice round · trading');
    expect(room.state).toBe('running');
    await poll(() => text(alice, 'round')).toBe('练习轮');
    expect(await text(alice, 'room-state')).toBe('交易中');
    await poll(() => text(bob, 'round')).toBe('practice round');

    // Half an hour of trading first (the book is empty at the very open).
    await wallForward(500);
    await poll(() => tid(alice, 'book-asks').locator('tr').count()).toBeGreaterThan(0);
    await tid(alice, 'ticket-price').fill('');
    await tid(alice, 'ticket-qty').fill('100');
    expect(await tid(alice, 'ticket-tif').inputValue()).toBe('ioc');
    await tid(alice, 'ticket-submit').click();
    await poll(() => text(alice, 'ticket-result')).toMatch(
      /^订单 #\d+ 已受理：市价买入 100 t；已成交 100 t，挂单 0 t。$/,
    );
    await shot(alice, '07-practice-alice-market-order-zh');
    await wallForward(500);
    await poll(() => text(teacher, 'clock-time')).toBe('2024-12-16 10:30 CST');
    await shot(teacher, '08-practice-teacher-dashboard');
  });

  it('round 1: the teacher starts it; Carol joins late on a phone; Bob rests a limit order', async () => {
    await tid(teacher, 'round-next').click();
    await poll(() => text(teacher, 'round-label')).toBe('round 1 · trading');
    const rounds = await api(`/api/classrooms/${cid}/rounds`, ADMIN);
    expect(rounds.current).toMatchObject({ number: 1, practice: false, phase: 'trading' });
    expect(rounds.results.map((r: { number: number; practice: boolean }) => [r.number, r.practice])).toEqual([
      [0, true],
    ]);
    await poll(() => text(alice, 'round')).toBe('第 1 轮');
    await poll(() => text(bob, 'round')).toBe('round 1');
    // Round 1 is a fresh market from the scenario's start, and no time has passed in it yet.
    await expectPage(
      "trading page: a new round's trades tape starts empty (not the practice round's trades)",
      async () => {
        await expect.poll(() => text(bob, 'trades-tape'), briefly).toBe('no trades yet');
      },
    );
    await wallForward(500); // to 10:00 of the round's first day

    const carolContext = await newContext('carol', PHONE, 'en-US');
    carol = await carolContext.newPage();
    await carol.goto(qrUrl);
    if ((await tid(carol, 'login-code').inputValue()) !== code) await tid(carol, 'login-code').fill(code);
    await tid(carol, 'login-name').fill('Carol');
    await tid(carol, 'login-submit').click();
    await poll(() => text(carol, 'conn')).toBe('live');
    expect(await text(carol, 'round')).toBe('round 1');
    expect(await text(carol, 'room-state')).toBe('running');
    tokens.carol = await studentToken(carol);
    ids.carol = (await api('/api/me', tokens.carol)).studentId;
    await poll(() => text(carol, 'position-obligation')).toMatch(/^[\d,]+ t$/);
    await shot(carol, '09-carol-joins-late-phone');
    // The teacher's table of positions lists her (fetched again every 10 s or after trades).
    await poll(() => text(teacher, `pos-${ids.carol}`)).toContain('Carol');
    await expectPage("instructor page: the classrooms list follows the class's state and students", async () => {
      await expect.poll(() => text(teacher, `classroom-${cid}`), { timeout: 20_000 }).toMatch(/running.*3\/30/);
    });

    await tid(bob, 'ticket-side-buy').click();
    await tid(bob, 'ticket-price').fill('90.00');
    await tid(bob, 'ticket-qty').fill('1000');
    expect(await tid(bob, 'ticket-tif').inputValue()).toBe('day');
    await tid(bob, 'ticket-submit').click();
    await poll(() => text(bob, 'ticket-result')).toMatch(/^Order #\d+ accepted/);
    bobOrderId = Number(/#(\d+)/.exec(await text(bob, 'ticket-result'))![1]);
    await poll(() => tid(bob, 'my-orders').locator('tr').first().textContent()).toContain(String(bobOrderId));
    await shot(bob, '10-round1-bob-limit-order');
  });

  it('a block trade: Bob proposes to Alice by name; the alert shows on her phone in Chinese; she accepts', async () => {
    await wallForward(1_600); // 10:00 + 96 trading minutes: 13:06, in the block session (13:00-15:00)
    await poll(() => text(bob, 'clock-time')).toMatch(/^2024-12-16 13:06/);
    await poll(() => tid(bob, 'block-to').locator(`option[value="${ids.alice}"]`).count()).toBe(1);
    await tid(bob, 'block-side').selectOption('sell');
    await tid(bob, 'block-price').fill('96.00');
    await tid(bob, 'block-qty').fill('100000');
    await tid(bob, 'block-to').selectOption(String(ids.alice));
    const proposalNotice = notice(alice, 'toast-proposal');
    const fillNotice = notice(bob, 'toast-fill');
    await tid(bob, 'block-submit').click();
    await poll(() => text(bob, 'block-error')).toMatch(/^Block proposal #\d+ sent\.$/);
    proposalId = Number(/#(\d+)/.exec(await text(bob, 'block-error'))![1]);

    expect(await proposalNotice).toContain(`Bob 向你发起大宗协议 #${proposalId}：以 96.00 元卖给你 100,000 t CEA-23。`);
    await shot(alice, '11-block-proposal-alert-alice-zh');
    const row = tid(alice, 'block-list').locator(`tr[data-proposal="${proposalId}"]`);
    await poll(() => row.count()).toBe(1);
    await row.scrollIntoViewIfNeeded();
    await row.getByRole('button', { name: '接受' }).click();
    await poll(() => text(alice, 'block-error')).toBe(`已接受大宗协议 #${proposalId}：你以 96.00 元买入 100,000 t。`);
    await shot(alice, '12-block-accepted-alice-zh');
    await expectPage('trading page in 中文: the block list names the student "你", not "you"', async () => {
      // The row's columns: #, from, to (Alice herself), the proposer's side, price, quantity, status.
      expect(await row.locator('td').nth(2).textContent()).not.toBe('you');
    });
    const blocks = await api('/api/blocks', tokens.alice);
    expect(blocks.proposals.find((p: { proposalId: number }) => p.proposalId === proposalId)).toMatchObject({
      status: 'accepted',
      side: 'sell',
      priceCny: '96.00',
      qtyT: 100_000,
      from: 'Bob',
      mine: false,
      toYou: true,
    });
    // Bob is told of his fill.
    expect(await fillNotice).toContain('Filled: you sold 100,000 t CEA-23 at CNY 96.00.');
    await shot(bob, '13-block-filled-bob-en');
  });

  it('an auction: the teacher announces it from the page, Carol bids from her phone', async () => {
    await tid(teacher, 'auction-qty').fill('50000');
    await tid(teacher, 'auction-reserve').fill('85.00');
    await tid(teacher, 'auction-minutes').fill('30');
    const auctionNotice = notice(carol, 'toast-auction-open');
    await tid(teacher, 'auction-submit').click();
    await poll(() => text(teacher, 'auction-msg')).toBe('Auction A1 announced: bids until 13:36.');
    expect(await auctionNotice).toContain('Auction A1 is open: 50,000 t CEA-23, reserve CNY 85.00, closes');
    await shot(carol, '14-auction-alert-carol-phone');
    const form = tid(carol, 'auction-bid-A1');
    await poll(() => form.count()).toBe(1);
    // The page fetches the auctions again every few seconds; what Carol types stays in the form meanwhile.
    await form.getByRole('textbox', { name: 'Bid price' }).fill('90.00');
    await form.getByRole('textbox', { name: 'Bid quantity' }).fill('20000');
    // The next fetch of the auctions (every 5 s) is drawn; what she typed is still there.
    const fetched = await carol.waitForResponse((r) => new URL(r.url()).pathname === '/api/auctions');
    await fetched.finished();
    await poll(() => form.getByRole('textbox', { name: 'Bid price' }).inputValue()).toBe('90.00');
    expect(await form.getByRole('textbox', { name: 'Bid quantity' }).inputValue()).toBe('20000');
    await form.getByRole('button', { name: 'Bid' }).click();
    await poll(async () => ((await api('/api/auctions', tokens.carol)).bids as unknown[]).length).toBe(1);
    await poll(() => text(carol, 'auction-error')).toBe('Bid B1 placed: 20,000 t at 90.00 (sealed until 13:36).');
    await tid(carol, 'auction-list').scrollIntoViewIfNeeded();
    await shot(carol, '15-auction-bid-carol-phone');
    await tid(teacher, 'auctions').scrollIntoViewIfNeeded();
    await shot(teacher, '16-auction-teacher');
  });

  it('Bob closes his page: after the grace period a bot runs his firm; he opens it again and has his firm back', async () => {
    await bob.close();
    await poll(() => server.hub.presence.pagesOpen(room, ids.bob)).toBe(0);
    bobLeftTsMs = room.nowTsMs;
    // Wall time runs on, a second (a trading hour) at a time, until the grace period is over and the hub's tick finds
    // him gone; the auction closes on the way (13:36).
    const steps = server.hub.presence.graceMs / 1_000 + 1;
    for (let i = 0; i < steps && !room.isAway(ids.bob); i++) await wallForward(1_000);
    expect(room.isAway(ids.bob)).toBe(true);
    expect(room.round().phase).toBe('trading');
    await poll(() => tid(teacher, `pos-${ids.bob}`).getAttribute('class')).toContain('away');
    await tid(teacher, 'dashboard').scrollIntoViewIfNeeded();
    await shot(teacher, '17-teacher-bob-away');
    await tid(teacher, 'join-open').click();
    await poll(() => tid(teacher, 'js-names').locator('li.away').textContent()).toBe('Bob');
    await shot(teacher, '18-join-screen-bob-away');
    await tid(teacher, 'join-close').click();

    // The auction closed meanwhile: Carol won her bid, and the teacher sees who won what.
    expect((await api('/api/auctions', tokens.carol)).bids[0]).toMatchObject({
      bidId: 'B1',
      status: 'won',
      filledT: 20_000,
    });
    await poll(() => tid(teacher, 'auctions').locator('tr[data-auction="A1"]').textContent()).toContain(
      'Carol 20,000 @ 90.00',
    );
    await tid(teacher, 'auctions').scrollIntoViewIfNeeded();
    await shot(teacher, '19-auction-closed-teacher');

    await wallForward(1_000); // another trading hour with the bot at his desk
    bob = await bobContext.newPage();
    await bob.goto(`${base}/trade`);
    await poll(() => text(bob, 'conn')).toBe('live');
    await poll(() => room.isAway(ids.bob)).toBe(false);
    const backTsMs = room.nowTsMs;
    expect(await text(bob, 'firm')).toBe(bobFirm);
    expect(await text(bob, 'who')).toBe('Bob');
    // While he was away the bot traded for his firm: fills of orders that are not his.
    const fills = (await api('/api/me/fills', tokens.bob)).fills as {
      orderId: number | null;
      mode: string;
      tsMs: number;
    }[];
    const bots = fills.filter((f) => f.orderId === null && f.mode === 'listed');
    expect(bots.length, JSON.stringify(fills)).toBeGreaterThan(0);
    for (const f of bots) {
      expect(f.tsMs).toBeGreaterThanOrEqual(bobLeftTsMs);
      expect(f.tsMs).toBeLessThanOrEqual(backTsMs);
    }
    await poll(() => tid(teacher, `pos-${ids.bob}`).getAttribute('class')).not.toContain('away');
    await shot(bob, '20-bob-back-laptop-en');
    // The scenario's announcement of 2024-12-20 came out by itself on its date (the news has it).
    const announced = (await api(`/api/classrooms/${cid}/news`, ADMIN)).news as { title: string; text: string }[];
    expect(announced.some((n) => /rumour of a tighter 2025 benchmark/.test(`${n.title} ${n.text}`))).toBe(true);
    await expectPage(
      'instructor page: a scenario event that came out on its date is not offered to fire again',
      async () => {
        const row = tid(teacher, 'timeline').locator('tr', { hasText: 'rumour of a tighter 2025 benchmark' });
        await expect.poll(() => row.getByRole('button').count(), briefly).toBe(0);
      },
    );
    await expectPage(
      'instructor page: the dashboard\'s events name the scenario\'s announcement (not just "News")',
      async () => {
        await expect.poll(() => text(teacher, 'dash-events'), briefly).toContain('rumour of a tighter 2025 benchmark');
      },
    );
  });

  it('the teacher moves the deadline to the next trading day: the students are warned', async () => {
    const today = room.date;
    const next = new Date(`${today}T00:00:00Z`);
    do next.setUTCDate(next.getUTCDate() + 1);
    while (next.getUTCDay() === 0 || next.getUTCDay() === 6);
    deadline = next.toISOString().slice(0, 10);
    await tid(teacher, 'deadline').fill(deadline);
    const warningNotice = notice(alice, 'toast-deadline-warning');
    await tid(teacher, 'deadline-submit').click();
    await poll(() => text(teacher, 'control-msg')).toBe(`Deadline moved to ${deadline}.`);
    await poll(() => text(teacher, 'room-deadline')).toBe(deadline);
    // The warning starts at the open of the trading day before the deadline: now.
    expect(await warningNotice).toContain(`履约截止（${deadline}）临近`);
    await poll(() => text(alice, 'position-deadline')).toBe(`${deadline} 15:00`);
    await poll(() => tid(alice, 'position-warning').isVisible()).toBe(true);
    expect(await text(alice, 'position-warning')).toMatch(
      new RegExp(`^履约截止（${deadline} 15:00）临近：还需清缴 [\\d,]+ t。$`),
    );
    // The news panel says it in her language too (the page words the items the classroom writes).
    await poll(() => text(alice, 'news')).toContain(`履约截止日调整为 ${deadline}`);
    await tid(alice, 'position-panel').scrollIntoViewIfNeeded();
    await shot(alice, '21-deadline-warning-alice-zh');
    const band = (await api(`/api/classrooms/${cid}/markets/national`, ADMIN)).bands['CEA-23'];
    await expectPage("trading page: the ticket shows today's price band (days after the first)", async () => {
      await expect.poll(() => text(alice, 'ticket-rules'), briefly).toContain(`${band.lowCny}–${band.highCny}`);
    });
  });

  it('the deadline: exchange time runs to its close; the classroom surrenders for the students and fines the short', async () => {
    const autoSurrender = notice(carol, 'toast-auto-surrender');
    for (let i = 0; i < 12 && room.round().phase !== 'over'; i++) await wallForward(1_000);
    expect(room.round().phase).toBe('over');
    const positions = (await api(`/api/classrooms/${cid}/positions`, ADMIN)).positions as {
      studentId: number;
      status: string;
      fineCny: string;
      obligationT: number;
      surrenderedT: number;
      shortT: number;
    }[];
    const carolPos = positions.find((p) => p.studentId === ids.carol)!;
    // Carol never pressed Surrender; she held enough, and the classroom surrendered it for her.
    expect(carolPos).toMatchObject({ status: 'met', fineCny: '0.00', shortT: 0 });
    expect(carolPos.surrenderedT).toBe(carolPos.obligationT);
    expect(await autoSurrender).toContain(
      `At the deadline the classroom surrendered ${carolPos.surrenderedT.toLocaleString('en-US')} t CEA-23 for you`,
    );
    await poll(() => text(carol, 'position-status')).toBe('met');
    await poll(() => text(carol, 'banner')).toBe(
      'This round is over: trading has stopped. Wait for the instructor to start the next round.',
    );
    await tid(carol, 'position-panel').scrollIntoViewIfNeeded();
    await shot(carol, '22-deadline-carol-met-phone');
    const alicePos = positions.find((p) => p.studentId === ids.alice)!;
    await poll(() => text(alice, 'position-status')).toBe(
      { met: '已履约', short: '未足额', open: '进行中' }[alicePos.status],
    );
    await poll(() => text(alice, 'banner')).toBe('本轮已结束，交易停止。请等待教师开始下一轮。');
    await shot(alice, '23-deadline-alice-zh');
    // The teacher's table says the same as the API, row by row.
    for (const p of positions)
      await poll(() => tid(teacher, `pos-${p.studentId}`).locator('.badge').last().textContent()).toBe(p.status);
    await tid(teacher, 'dashboard').scrollIntoViewIfNeeded();
    await shot(teacher, '24-deadline-teacher-positions');
  });

  it('the debrief on the instructor page and on the students’ /debrief page', async () => {
    await poll(() => tid(teacher, 'dbf-price-chart').count()).toBe(1);
    const debrief = await api(`/api/classrooms/${cid}/debrief`, ADMIN);
    expect(debrief.round).toBe(1);
    const traders = await text(teacher, 'dbf-traders');
    for (const s of debrief.students as { pseudonym: string }[]) expect(traders).toContain(s.pseudonym);
    expect(traders).not.toContain('Carol');
    expect(await text(teacher, 'dbf-events')).toContain(`Deadline moved to ${deadline}`);
    await tid(teacher, 'debrief').scrollIntoViewIfNeeded();
    await shot(teacher, '25-debrief-teacher');

    // Alice opens it from the link on her trading page (a new tab); without one, by its address.
    const opened: { page?: Page } = {};
    await expectPage('trading page: a link to the debrief page', async () => {
      const link = tid(alice, 'debrief-link');
      await expect.poll(() => link.isVisible(), briefly).toBe(true);
      const tab = alice.context().waitForEvent('page');
      await link.click();
      opened.page = await tab;
    });
    const page = opened.page ?? (await alice.context().newPage());
    if (opened.page === undefined) await page.goto(`${base}/debrief`);
    await poll(() => text(page, 'dbf-classroom')).toBe(NAME);
    await poll(() => page.getByTestId('dbf-price-chart').count()).toBe(1);
    expect(await text(page, 'dbf-round')).toMatch(/1/);
    // Her own row is marked, in Chinese.
    await poll(() => page.locator('[data-testid="dbf-compliance"] tr.you').textContent()).toContain('你');
    await shot(page, '26-debrief-page-alice-zh', true);
    await expectPage("debrief page in 中文: the round's events in Chinese (the auction)", async () => {
      await expect.poll(() => text(page, 'dbf-events'), briefly).toContain('拍卖');
    });
    await page.close();
  });

  it('the four CSV exports, downloaded from the page and parsed: pseudonyms, then names', async () => {
    await tid(teacher, 'debrief').scrollIntoViewIfNeeded();
    const download = async (kind: string) => {
      const wait = teacher.waitForEvent('download');
      await tid(teacher, `export-${kind}`).click();
      const file = await (await wait).path();
      return records(readFileSync(file, 'utf8'));
    };
    const pseudonym = (id: number) => `S${String(id).padStart(2, '0')}`;
    const [A, B, C] = [pseudonym(ids.alice), pseudonym(ids.bob), pseudonym(ids.carol)];
    const names = [ALICE, 'Bob', 'Carol'];
    const noNames = (rows: Record<string, string>[]) => {
      const all = JSON.stringify(rows);
      for (const n of names) expect(all, `${n} in a file without names`).not.toContain(n);
    };

    const trades = await download('trades');
    expect(trades.header.slice(0, 6)).toEqual(['round', 'trade_id', 'time_cst', 'market', 'instrument', 'mode']);
    const report = await api(`/api/classrooms/${cid}/report`, ADMIN);
    const national = trades.rows.filter((r) => r.market === 'national');
    expect(national.length).toBe(report.market.trades);
    expect(national.reduce((s, r) => s + Number(r.qty_t), 0)).toBe(report.market.volumeT);
    expect(trades.rows.every((r) => r.round === '1')).toBe(true);
    const block = trades.rows.filter((r) => r.mode === 'block' && r.buyer !== 'bot');
    expect(block).toEqual([
      expect.objectContaining({ price_cny: '96.00', qty_t: '100000', value_cny: '9600000.00', buyer: A, seller: B }),
    ]);
    expect(block[0]!.time_cst).toMatch(/^2024-12-16 13:06:\d\d$/);
    expect(trades.rows.filter((r) => r.mode === 'auction')).toEqual([
      expect.objectContaining({ price_cny: '90.00', qty_t: '20000', buyer: C, seller: 'reserve' }),
    ]);
    noNames(trades.rows);

    const orders = await download('orders');
    const mine = orders.rows.find((r) => r.order_id === String(bobOrderId));
    expect(mine).toMatchObject({ round: '1', student: B, side: 'buy', tif: 'day', price_cny: '90.00', qty_t: '1000' });
    noNames(orders.rows);

    const positions = await download('positions');
    const api_ = (await api(`/api/classrooms/${cid}/positions`, ADMIN)).positions as {
      studentId: number;
      heldT: number;
      surrenderedT: number;
      fineCny: string;
      status: string;
    }[];
    expect(positions.rows.map((r) => r.student).sort()).toEqual([A, B, C].sort());
    for (const p of api_) {
      const r = positions.rows.find((x) => x.student === pseudonym(p.studentId))!;
      expect(r).toMatchObject({
        held_t: String(p.heldT),
        surrendered_t: String(p.surrenderedT),
        fine_cny: p.fineCny,
        status: p.status,
      });
    }
    noNames(positions.rows);

    // results.csv of the round picked in the debrief (round 1), then of the practice round.
    type RoundRow = {
      number: number;
      practice: boolean;
      students: { studentId: number; status: string; fineCny: string }[];
    };
    const kept = (await api(`/api/classrooms/${cid}/rounds`, ADMIN)).results as RoundRow[];
    const expected = (n: number) =>
      kept
        .filter((r) => r.number === n)
        .flatMap((r) =>
          r.students.map((s) => [String(r.number), String(r.practice), pseudonym(s.studentId), s.status, s.fineCny]),
        );
    const row = (r: Record<string, string>) => [r.round, r.practice, r.student, r.status, r.fine_cny];
    expect(await text(teacher, 'debrief-round')).toContain('round 1');
    const results = await download('results');
    expect(results.header).toEqual([
      'round',
      'practice',
      'roles',
      'deadline',
      'ended_cst',
      'student',
      'firm',
      'profit_cny',
      'compliance_cost_cny',
      'fine_cny',
      'status',
    ]);
    expect(results.rows.map(row)).toEqual(expected(1));
    expect(results.rows).toHaveLength(3);
    expect(results.rows.find((r) => r.student === C)).toMatchObject({ status: 'met', fine_cny: '0.00' });
    expect(results.rows.every((r) => r.deadline === deadline)).toBe(true);
    noNames(results.rows);
    await tid(teacher, 'debrief-load').click();
    await poll(() => tid(teacher, 'debrief-round').locator('option[value="0"]').count()).toBe(1);
    await tid(teacher, 'debrief-round').selectOption('0');
    const practice = await download('results');
    expect(practice.rows.map(row)).toEqual(expected(0));
    expect(practice.rows.map((r) => r.student)).toEqual([A, B]); // Carol came later
    expect(practice.rows.every((r) => r.practice === 'true')).toBe(true);
    noNames(practice.rows);

    // With names: the teacher picks round 1 again and ticks "Real names".
    await tid(teacher, 'debrief-round').selectOption('1');
    await tid(teacher, 'export-names').check();
    const named = await download('results');
    expect(named.rows.map((r) => r.student).sort()).toEqual([...names].sort());
    expect(JSON.stringify(named.rows)).not.toMatch(/\bS0\d\b/);
    const namedTrades = await download('trades');
    expect(namedTrades.rows.find((r) => r.mode === 'block' && r.buyer !== 'bot')).toMatchObject({
      buyer: ALICE,
      seller: 'Bob',
    });
    await shot(teacher, '27-export-teacher');
  });

  it('showed nothing known to be wrong on the way', () => {
    expect(defects).toEqual([]);
  });

  it('showed no script error or failed request on any page', () => {
    expect(problems).toEqual([]);
  });
});
