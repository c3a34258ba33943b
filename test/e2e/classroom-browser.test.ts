// The live classroom in a browser: the server in-process on a free port, two students in two browser contexts
// (one joins with the code, one opens a personal link the instructor issued), a sell listing and a crossing buy
// entered on the trading page, and the trade seen on both pages in "my fills" and the trades tape. Also: a refusal
// shown with its code, a cancel, the instructor page. Screenshots go to test/e2e/screenshots/ (gitignored) so that
// a person can look at them. Skipped only on a machine without chromium outside CI; in CI it always runs.
//
// The wall clock is frozen: exchange time is moved on an hour past the first open (2024-12-16 09:30), with busy bots,
// so that the book has some depth, then stands still. The students trade at a price inside the bots' spread, so their orders
// cross each other and nothing else.
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Server } from '../../src/server/app.ts';
import { frozenServer, launchChromium, SHOTS, skipWithoutChromium } from './browser.ts';

const skip = skipWithoutChromium('classroom-browser');

const INSTRUCTOR = 'instructor-token-e2e-000001';
const ADMIN = 'admin-token-e2e-00000000001';
const VIEWPORT = { width: 1366, height: 768 };

interface Student {
  readonly name: string;
  readonly context: BrowserContext;
  readonly page: Page;
  readonly problems: string[];
}

describe.skipIf(skip)('live classroom in a browser', () => {
  let server: Server;
  let base: string;
  let dir: string;
  let browser: Browser;
  const students: Student[] = [];

  beforeAll(async () => {
    ({ server, dir } = await frozenServer('cets-e2e-', ADMIN, INSTRUCTOR));
    server.hub.rooms.get('default')!.advanceExchange(60 * 60_000);
    base = (await server.listen()).replace('[::1]', 'localhost');
    browser = await launchChromium();
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
    if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
  });

  /** A price strictly inside the bots' spread, and its CNY text. */
  async function insideSpread(): Promise<string> {
    const r = await server.app.inject({ url: '/api/classrooms/default/markets/national/depth?instrument=CEA-23' });
    const d = r.json() as { bids: { priceCny: string }[]; asks: { priceCny: string }[] };
    const bidFen = Math.round(Number(d.bids[0]!.priceCny) * 100);
    const askFen = Math.round(Number(d.asks[0]!.priceCny) * 100);
    expect(askFen - bidFen).toBeGreaterThanOrEqual(2);
    return (Math.floor((bidFen + askFen) / 2) / 100).toFixed(2);
  }

  /** A fresh browser context (own localStorage) with every page error and console error collected. */
  async function open(name: string, path: string): Promise<Student> {
    const context = await browser.newContext({ viewport: VIEWPORT });
    const page = await context.newPage();
    const problems: string[] = [];
    page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
    page.on('console', (m) => {
      if (m.type() === 'error') problems.push(`console.error: ${m.text()}`);
    });
    await page.goto(`${base}${path}`);
    const s = { name, context, page, problems };
    students.push(s);
    return s;
  }

  const tid = (page: Page, id: string) => page.getByTestId(id);

  /** Logged in and live: balances shown and the socket open. */
  async function ready(s: Student): Promise<void> {
    await expect
      .poll(() => tid(s.page, 'balance-cash').textContent(), { timeout: 15_000 })
      .toMatch(/^CNY [\d,]+\.\d\d$/);
    await expect.poll(() => tid(s.page, 'conn').textContent(), { timeout: 15_000 }).toBe('live');
    expect(await tid(s.page, 'login').isVisible()).toBe(false);
    expect(await tid(s.page, 'who').textContent()).toContain(s.name);
  }

  async function order(s: Student, side: 'buy' | 'sell', price: string, qty: string): Promise<string> {
    await tid(s.page, `ticket-side-${side}`).click();
    await tid(s.page, 'ticket-price').fill(price);
    await tid(s.page, 'ticket-qty').fill(qty);
    await tid(s.page, 'ticket-submit').click();
    const result = tid(s.page, 'ticket-result');
    const error = tid(s.page, 'ticket-error');
    await expect
      .poll(async () => (await result.isVisible()) || (await error.isVisible()), { timeout: 10_000 })
      .toBe(true);
    if (await error.isVisible()) throw new Error(`${s.name}'s order was refused: ${await error.textContent()}`);
    return (await result.textContent()) ?? '';
  }

  it('two students trade: a sell listing and a crossing buy show on both pages', async () => {
    // Alice joins with the classroom's code on the login form.
    const alice = await open('Alice', '/trade');
    expect(await tid(alice.page, 'login').isVisible()).toBe(true);
    await tid(alice.page, 'login-code').fill(server.joinCode);
    await tid(alice.page, 'login-name').fill('Alice');
    await tid(alice.page, 'login-submit').click();
    await ready(alice);
    const stored = await alice.context.storageState();
    const saved = stored.origins.flatMap((o) => o.localStorage).find((e) => e.name === 'cets.token');
    expect(saved?.value).toMatch(/^[\w-]{16,}$/);

    // Bob opens the personal link the instructor issued.
    const issued = await server.app.inject({
      method: 'POST',
      url: '/api/classrooms/default/students',
      headers: { authorization: `Bearer ${INSTRUCTOR}` },
      payload: { names: ['Bob'] },
    });
    expect(issued.statusCode).toBe(200);
    const bobToken: string = issued.json().students[0].token;
    const bob = await open('Bob', `/trade?token=${encodeURIComponent(bobToken)}`);
    await ready(bob);
    expect(bob.page.url()).not.toContain('token='); // the token leaves the address bar once stored

    // The header shows the classroom and the exchange clock; the book and the rules are loaded.
    for (const s of [alice, bob]) {
      expect(await tid(s.page, 'room-name').textContent()).toBe('Default classroom');
      expect(await tid(s.page, 'room-state').textContent()).toBe('running');
      expect(await tid(s.page, 'clock-time').textContent()).toMatch(/^2024-12-16 1\d:\d\d:\d\d CST$/);
      expect(await tid(s.page, 'instrument-select').inputValue()).toBe('CEA-23');
      for (const side of ['book-bids', 'book-asks']) {
        await expect.poll(() => tid(s.page, side).locator('tr.best').count()).toBeGreaterThan(0);
        expect(await tid(s.page, side).locator('tr.best').count()).toBeLessThanOrEqual(5);
      }
      expect(await tid(s.page, 'ticket-rules').textContent()).toContain('band 87.30–106.70');
    }

    // Alice lists 1,000 t inside the spread; both books show it as the best ask.
    const price = await insideSpread();
    const listed = await order(alice, 'sell', price, '1000');
    expect(listed).toMatch(/^Order #\d+ accepted: /);
    expect(listed).toContain(`Sell 1,000 t at ${price}; filled 0 t, resting 1,000 t.`);
    const level = (s: Student) => tid(s.page, 'book-asks').locator(`tr[data-price="${price}"]`);
    for (const s of [alice, bob]) {
      await expect.poll(() => level(s).textContent()).toContain('1,000');
      expect(await tid(s.page, 'book-asks').locator('tr').last().getAttribute('data-price')).toBe(price);
    }

    // Bob buys 400 t at that price: it crosses Alice's listing.
    const bought = await order(bob, 'buy', price, '400');
    expect(bought).toMatch(/filled 400 t, resting 0 t\./);

    // Sides show with an arrow (colour is not the only cue).
    for (const [s, side] of [
      [alice, '▼ Sell'],
      [bob, '▲ Buy'],
    ] as const) {
      const fill = tid(s.page, 'my-fills').locator('tr[data-trade]').first();
      await expect.poll(() => fill.textContent(), { timeout: 10_000 }).toContain(price);
      expect((await fill.locator('td').allTextContents()).slice(1, 5)).toEqual(['CEA-23', side, price, '400']);
      const tape = tid(s.page, 'trades-tape').locator('tr[data-trade]').first();
      await expect.poll(() => tape.textContent(), { timeout: 10_000 }).toContain(price);
      expect((await tape.locator('td').allTextContents()).slice(1)).toEqual([price, '400', 'listed']);
      expect(await tape.getAttribute('data-trade')).toBe(await fill.getAttribute('data-trade'));
      // The listing's rest is still in the book, 600 t.
      await expect.poll(() => level(s).textContent()).toContain('600');
      // The chart has candles.
      expect(await s.page.locator('[data-testid="chart"] canvas').count()).toBeGreaterThan(0);
      expect(await s.page.locator('.chart-empty').isVisible()).toBe(false);
    }

    const aliceOrder = tid(alice.page, 'my-orders').locator('tr[data-order]').first();
    await expect.poll(() => aliceOrder.locator('td').nth(6).textContent()).toBe('600');
    expect((await aliceOrder.locator('td').allTextContents()).slice(2, 9)).toEqual([
      '▼ Sell',
      price,
      '1,000',
      '400',
      '600',
      'day',
      'resting',
    ]);

    await alice.page.screenshot({ path: join(SHOTS, 'trade-alice.png') });
    await bob.page.screenshot({ path: join(SHOTS, 'trade-bob.png') });

    // Bob clicks Alice's level (the best ask): its listing goes into the take form, and he takes 100 t of it.
    await level(bob).click();
    const option = tid(bob.page, 'take-listing').locator('option').first();
    expect(await option.textContent()).toMatch(/^Buy from #\d+ · /);
    expect(await option.textContent()).toContain(` · ${price} · 600 t`);
    expect(await tid(bob.page, 'take-qty').inputValue()).toBe('600');
    expect(await tid(bob.page, 'ticket-price').inputValue()).toBe(price);
    await tid(bob.page, 'take-qty').fill('100');
    await tid(bob.page, 'take-submit').click();
    await expect.poll(() => tid(bob.page, 'take-result').textContent()).toMatch(/^Took listing #\d+: filled 100 t/);
    await expect.poll(() => tid(bob.page, 'my-fills').locator('tr[data-trade]').count()).toBe(2);
    await expect.poll(() => aliceOrder.locator('td').nth(6).textContent()).toBe('500');

    // Alice cancels the rest; the level leaves both books.
    await aliceOrder.getByRole('button', { name: 'Cancel' }).click();
    await expect.poll(() => aliceOrder.getAttribute('data-status')).toBe('cancelled');
    for (const s of [alice, bob]) await expect.poll(() => level(s).count()).toBe(0);

    for (const s of students) expect(s.problems).toEqual([]);
  });

  it('shows refusals as one sentence, the band in CNY', async () => {
    const bob = students.find((s) => s.name === 'Bob')!;
    const page = bob.page;
    await tid(page, 'ticket-side-buy').click();
    await tid(page, 'ticket-price').fill('200.00');
    await tid(page, 'ticket-qty').fill('10');
    await tid(page, 'ticket-submit').click();
    await expect.poll(() => tid(page, 'ticket-error').isVisible()).toBe(true);
    // One sentence, the band in CNY (the code's English form: the page's language is English here).
    expect(await tid(page, 'ticket-error').textContent()).toMatch(
      /^The price \d+\.\d\d CNY is above today’s band \(\d+\.\d\d-\d+\.\d\d CNY\)$/,
    );

    // A malformed price never leaves the page.
    await tid(page, 'ticket-price').fill('97.123');
    await tid(page, 'ticket-submit').click();
    expect(await tid(page, 'ticket-error').textContent()).toMatch(/is not a price in CNY with at most 2 decimals/);

    // A block proposal below the market's minimum is refused on the page, naming the minimum.
    await tid(page, 'block-price').fill('97.00');
    await tid(page, 'block-qty').fill('5000');
    await tid(page, 'block-submit').click();
    expect(await tid(page, 'block-error').textContent()).toBe('A block trade here is at least 100,000 t.');

    await page.screenshot({ path: join(SHOTS, 'trade-bob-errors.png') });
    expect(bob.problems).toEqual([]);
  });

  it("a gap in a channel's sequence: the page subscribes again and waits for the snapshot", async () => {
    // The page's own feed module, driven by hand with a stand-in socket (the real one stays as it is).
    const page = students.find((s) => s.name === 'Bob')!.page;
    const out = await page.evaluate(`(async () => {
      const { Feed } = await import('/web/socket.js');
      const got = [];
      const sent = [];
      const f = new Feed({ token: null, onData: (ch, type, data) => got.push([ch, type, data.n]), onState: () => {} });
      f.ws = { readyState: WebSocket.OPEN, send: (t) => sent.push(JSON.parse(t)) };
      const msg = (seq, type, n) => f.onMessage(JSON.stringify({ ch: 'depth:x:y', seq, type, data: { n } }));
      msg(5, 'snapshot', 1);
      msg(6, 'delta', 2);
      msg(8, 'delta', 3); // 7 went missing
      msg(9, 'delta', 4); // still waiting for the snapshot
      msg(9, 'snapshot', 5);
      msg(10, 'delta', 6);
      return { got, sent, gaps: f.gaps };
    })()`);
    expect(out).toEqual({
      got: [
        ['depth:x:y', 'snapshot', 1],
        ['depth:x:y', 'delta', 2],
        ['depth:x:y', 'snapshot', 5],
        ['depth:x:y', 'delta', 6],
      ],
      sent: [{ op: 'subscribe', channels: ['depth:x:y'] }],
      gaps: 1,
    });
  });

  it('the tape takes a trades event as a list (oldest first) and shows it newest first, without repeats', async () => {
    // The page's own tape, on an element of its own (the page's tape stays as it is).
    const page = students.find((s) => s.name === 'Bob')!.page;
    const out = await page.evaluate(`(async () => {
      const { Tape } = await import('/web/feed.js');
      const table = document.createElement('table');
      const body = document.createElement('tbody');
      table.append(body);
      const tape = new Tape(body);
      const tr = (tradeId, priceCny, min) =>
        ({ tradeId, tsMs: Date.UTC(2024, 11, 16, 1, 30 + min), priceCny, qtyT: tradeId * 10, mode: 'listed', aggressor: 'buy' });
      tape.snapshot([tr(1, '97.00', 0), tr(2, '97.10', 1)]);
      tape.add([tr(2, '97.10', 1), tr(3, '97.20', 2), tr(4, '97.30', 3)]);
      return [...body.querySelectorAll('tr')].map((r) => [r.dataset.trade, r.className, ...[...r.cells].map((c) => c.textContent)]);
    })()`);
    expect(out).toEqual([
      ['4', 'flash', '09:33', '97.30', '40', 'listed'],
      ['3', '', '09:32', '97.20', '30', 'listed'],
      ['2', '', '09:31', '97.10', '20', 'listed'],
      ['1', '', '09:30', '97.00', '10', 'listed'],
    ]);
  });

  it('a block trade: Alice proposes to Bob in the afternoon session, Bob accepts on his page', async () => {
    const [alice, bob] = [students.find((s) => s.name === 'Alice')!, students.find((s) => s.name === 'Bob')!];
    // Block trades run 13:00-15:00: move exchange time on past the lunch break.
    server.hub.rooms.get('default')!.advanceExchange(65 * 60_000);
    await expect.poll(() => tid(alice.page, 'clock-session').textContent(), { timeout: 10_000 }).toBe('listed+block');

    await tid(alice.page, 'block-side').selectOption('sell');
    await tid(alice.page, 'block-price').fill('97.00');
    await tid(alice.page, 'block-qty').fill('100,000');
    // The list of counterparties comes with the page's 5 s poll of the leaderboard.
    await expect
      .poll(() => tid(alice.page, 'block-to').locator('option').allTextContents(), { timeout: 10_000 })
      .toContain('Bob');
    await tid(alice.page, 'block-to').selectOption({ label: 'Bob' });
    await tid(alice.page, 'block-submit').click();
    await expect.poll(() => tid(alice.page, 'block-error').textContent()).toMatch(/^Block proposal #\d+ sent\.$/);
    // The list is fetched again after the "sent" message: wait for it.
    const mine = tid(alice.page, 'block-list').locator('tr[data-proposal]').first();
    await expect
      .poll(async () => (await mine.locator('td').allTextContents()).slice(1, 7))
      .toEqual(['you', 'Bob', '▼ Sell', '97.00', '100,000', 'open']);

    // Bob's page lists it (fetched when its alert comes) with Accept / Counter / Reject; he accepts.
    const offer = tid(bob.page, 'block-list').locator('tr[data-proposal]').first();
    await expect.poll(() => offer.textContent(), { timeout: 10_000 }).toContain('Alice');
    expect(await offer.getByRole('button').allTextContents()).toEqual(['Accept', 'Counter', 'Reject']);
    await offer.getByRole('button', { name: 'Accept' }).click();
    await expect
      .poll(() => tid(bob.page, 'block-error').textContent())
      .toBe(`Block #${await offer.getAttribute('data-proposal')} accepted: you bought 100,000 t at 97.00.`);
    // Sides show with an arrow (colour is not the only cue).
    for (const [s, side] of [
      [alice, '▼ Sell'],
      [bob, '▲ Buy'],
    ] as const) {
      const fill = tid(s.page, 'my-fills').locator('tr[data-trade]').first();
      await expect.poll(() => fill.locator('td').nth(6).textContent(), { timeout: 10_000 }).toBe('block');
      expect((await fill.locator('td').allTextContents()).slice(1, 5)).toEqual(['CEA-23', side, '97.00', '100,000']);
    }
    await bob.page.screenshot({ path: join(SHOTS, 'trade-bob-block.png') });
    for (const s of [alice, bob]) expect(s.problems).toEqual([]);
  });

  it("an auction of the reserve: announced on the instructor page, bid on the students' pages, won at the close", async () => {
    const [alice, bob] = [students.find((s) => s.name === 'Alice')!, students.find((s) => s.name === 'Bob')!];
    const teacher = await open('Instructor (auction)', `/instructor?token=${INSTRUCTOR}`);
    const tp = teacher.page;
    await expect.poll(() => tid(tp, 'join-code').textContent(), { timeout: 15_000 }).toBe(server.joinCode);
    await tid(tp, 'auction-qty').fill('50,000');
    await tid(tp, 'auction-reserve').fill('80.00');
    await tid(tp, 'auction-minutes').fill('20');
    await tid(tp, 'auction-submit').click();
    await expect
      .poll(() => tid(tp, 'auction-msg').textContent())
      .toMatch(/^Auction A1 announced: bids until \d\d:\d\d\.$/);

    // The notice reaches the students as news; each page lists it with a bid form.
    const bid = async (s: Student, price: string, qty: string) => {
      const form = tid(s.page, 'auction-bid-A1');
      await expect.poll(() => form.isVisible(), { timeout: 10_000 }).toBe(true);
      await form.getByLabel('Bid price').fill(price);
      await form.getByLabel('Bid quantity').fill(qty);
      await form.getByRole('button', { name: 'Bid' }).click();
      await expect.poll(() => tid(s.page, 'auction-error').textContent()).toMatch(/^Bid B\d+ placed: /);
    };
    await bid(alice, '95.00', '30,000');
    await bid(bob, '90.00', '40000');
    // Sealed: Alice's page lists her bid only.
    await expect.poll(() => tid(alice.page, 'auction-bids').locator('tr[data-bid]').count()).toBe(1);
    await alice.page.screenshot({ path: join(SHOTS, 'trade-alice-auction-bid.png') });

    // The clock passes the end of the window: the exchange allocates, best price first.
    server.hub.rooms.get('default')!.advanceExchange(21 * 60_000);
    for (const [s, won] of [
      [alice, '30,000 @ 95.00'],
      [bob, '20,000 @ 90.00'],
    ] as const) {
      const row = tid(s.page, 'auction-bids').locator('tr[data-bid]').first();
      await expect.poll(() => row.locator('td').nth(4).textContent(), { timeout: 10_000 }).toBe('won');
      expect(await row.locator('td').nth(5).textContent()).toBe(won);
      const list = tid(s.page, 'auction-list').locator('tr[data-auction="A1"] td').last();
      await expect.poll(() => list.textContent(), { timeout: 10_000 }).toMatch(/^sold 50,000 t, 90\.00–95\.00/);
    }
    const winners = tid(tp, 'auctions').locator('tr[data-auction="A1"] td').last();
    await expect
      .poll(() => winners.textContent(), { timeout: 10_000 })
      .toBe('Alice 30,000 @ 95.00; Bob 20,000 @ 90.00');
    await tid(alice.page, 'auction-bids').scrollIntoViewIfNeeded();
    await alice.page.screenshot({ path: join(SHOTS, 'trade-alice-auction-won.png') });
    await tp.screenshot({ path: join(SHOTS, 'instructor-auction.png'), fullPage: true });
    for (const s of [alice, bob, teacher]) expect(s.problems).toEqual([]);
  });

  it('the instructor page shows the classroom, join code, students and timeline', async () => {
    const s = await open('Instructor', `/instructor?token=${INSTRUCTOR}`);
    const page = s.page;
    await expect.poll(() => tid(page, 'join-code').textContent(), { timeout: 15_000 }).toBe(server.joinCode);
    expect(await tid(page, 'room-state').textContent()).toBe('running');
    await expect
      .poll(() => tid(page, 'students').locator('tr').allTextContents())
      .toEqual([expect.stringContaining('Alice'), expect.stringContaining('Bob')]);
    expect(await tid(page, 'timeline').locator('tr').count()).toBeGreaterThan(0);
    await expect.poll(() => tid(page, 'report-profit').locator('tr').count()).toBe(2);
    await expect.poll(() => tid(page, 'conn').textContent(), { timeout: 15_000 }).toBe('live');

    // Issue a link and see it.
    await tid(page, 'student-names').fill('Carol');
    await tid(page, 'students-submit').click();
    await expect.poll(() => tid(page, 'issued').locator('a').first().textContent()).toMatch(/^\/trade\?token=/);

    await page.screenshot({ path: join(SHOTS, 'instructor.png'), fullPage: true });
    expect(s.problems).toEqual([]);
  });

  it('with the live connection down, orders go by HTTP and the page reconnects', async () => {
    // Carol opens the personal link the instructor page showed; her socket is refused until we let it through.
    const instructor = students.find((s) => s.name === 'Instructor')!;
    const href = (await tid(instructor.page, 'issued').locator('a').first().getAttribute('href'))!;
    const context = await browser.newContext({ viewport: VIEWPORT });
    let blocked = true;
    await context.routeWebSocket(/\/ws/, (ws) => {
      if (blocked) ws.close({ code: 1011, reason: 'blocked by the test' });
      else ws.connectToServer();
    });
    const page = await context.newPage();
    const problems: string[] = [];
    page.on('pageerror', (e) => problems.push(e.message));
    await page.goto(href);
    await expect.poll(() => tid(page, 'balance-cash').textContent(), { timeout: 15_000 }).toMatch(/^CNY /);
    await expect.poll(() => tid(page, 'conn').textContent()).toMatch(/^(offline|connecting…)$/);

    // An order while the socket is down goes by HTTP and is acknowledged all the same.
    const price = await insideSpread();
    await tid(page, 'ticket-side-sell').click();
    await tid(page, 'ticket-price').fill(price);
    await tid(page, 'ticket-qty').fill('10');
    await tid(page, 'ticket-submit').click();
    await expect.poll(() => tid(page, 'ticket-result').textContent()).toMatch(/resting 10 t\.$/);
    await expect.poll(() => tid(page, 'my-orders').locator('tr[data-order]').count()).toBe(1);

    // Let the socket through: the page reconnects (with backoff) and the book arrives.
    blocked = false;
    await expect.poll(() => tid(page, 'conn').textContent(), { timeout: 20_000 }).toBe('live');
    await expect.poll(() => tid(page, 'book-asks').locator(`tr[data-price="${price}"]`).count()).toBe(1);
    await page.screenshot({ path: join(SHOTS, 'trade-carol-reconnected.png') });
    expect(problems).toEqual([]);
    await context.close();
  });

  it('the instructor caps the seats and revokes a student: the page stops at once and shows the login', async () => {
    const instructor = students.find((s) => s.name === 'Instructor')!.page;
    instructor.on('dialog', (d) => void d.accept());
    const joined = await server.app.inject({
      method: 'POST',
      url: '/api/join',
      payload: { code: server.joinCode, name: 'Dana' },
    });
    expect(joined.statusCode).toBe(200);
    const dana = joined.json() as { token: string; studentId: number };
    const context = await browser.newContext({ viewport: VIEWPORT });
    const page = await context.newPage();
    const problems: string[] = [];
    page.on('pageerror', (e) => problems.push(e.message));
    await page.goto(`${base}/trade?token=${dana.token}`);
    await expect.poll(() => tid(page, 'conn').textContent(), { timeout: 15_000 }).toBe('live');

    // Seats: capped at the students there are, a join is refused; lifted, it is not.
    const admin = await server.app.inject({
      url: '/api/classrooms/default/admin',
      headers: { authorization: `Bearer ${INSTRUCTOR}` },
    });
    const n = (admin.json() as { students: unknown[] }).students.length;
    await tid(instructor, 'seats').fill(String(n));
    await tid(instructor, 'seats-submit').click();
    await expect.poll(() => tid(instructor, 'seats-msg').textContent()).toBe(`At most ${n} students.`);
    await expect.poll(() => tid(instructor, 'student-count').textContent()).toBe(`${n} of ${n} seats`);
    const full = await server.app.inject({
      method: 'POST',
      url: '/api/join',
      payload: { code: server.joinCode, name: 'Eve' },
    });
    expect(full.statusCode).toBe(409);
    await tid(instructor, 'seats').fill('');
    await tid(instructor, 'seats-submit').click();
    await expect.poll(() => tid(instructor, 'seats-msg').textContent()).toBe('No cap on seats.');

    // Revoke Dana: her socket is closed, her page says why and then shows the login.
    await tid(instructor, `revoke-${dana.studentId}`).click();
    await expect.poll(() => tid(instructor, `student-${dana.studentId}`).textContent()).toContain('revoked');
    await expect.poll(() => tid(page, 'conn').getAttribute('title')).toMatch(/revoked/);
    await expect.poll(() => tid(page, 'login').isVisible(), { timeout: 15_000 }).toBe(true);
    await page.screenshot({ path: join(SHOTS, 'trade-dana-revoked.png') });
    expect(problems).toEqual([]);
    await context.close();
  });
});
