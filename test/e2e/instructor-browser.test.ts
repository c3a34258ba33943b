// The teacher's flows in a browser (issue 22): with the admin token, a classroom created from the page (on one of
// its scenario's two markets) and opened;
// the join screen for the projector (the join code, the address and a QR code of the trading page with the code
// filled in, the students waiting in the lobby); the dashboard with a student's position; the debrief, on the page
// and on the printable /debrief page; a CSV export downloaded through its link. Screenshots at phone, laptop and
// projector sizes go to test/e2e/screenshots/. Skipped only on a machine without chromium outside CI.
//
// The wall clock is frozen; the default classroom's exchange time is moved on over two trading days with busy bots
// and a shock fired between them, so that the chart, the tape and the debrief have something in them.
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Server } from '../../src/server/app.ts';
import { frozenServer, launchChromium, SHOTS, skipWithoutChromium } from './browser.ts';

const skip = skipWithoutChromium('instructor-browser');

const ADMIN = 'admin-token-e2e-instructor-01';
const INSTRUCTOR = 'instructor-token-e2e-instr-01';
const LAPTOP = { width: 1280, height: 720 };
const PHONE = { width: 390, height: 844 };
const PROJECTOR = { width: 1920, height: 1080 };

describe.skipIf(skip)("the teacher's pages in a browser", () => {
  let server: Server;
  let base: string;
  let dir: string;
  let browser: Browser;
  const contexts: BrowserContext[] = [];
  const problems: string[] = [];

  beforeAll(async () => {
    ({ server, dir } = await frozenServer('cets-e2e-instr-', ADMIN, INSTRUCTOR));
    // Two trading days with a shock fired between them, then into the third: the debrief has closes to draw and an
    // event to mark.
    const room = server.hub.rooms.get('default')!;
    room.advanceExchange(30 * 60 * 60_000);
    const shock = await server.app.inject({
      method: 'POST',
      url: '/api/classrooms/default/shocks',
      headers: { authorization: `Bearer ${INSTRUCTOR}` },
      payload: { index: 0 },
    });
    expect(shock.statusCode).toBe(200);
    room.advanceExchange(24 * 60 * 60_000);
    base = (await server.listen()).replace('[::1]', 'localhost');
    browser = await launchChromium();
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
    if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
  });

  async function open(path: string, viewport = LAPTOP, token?: { classroom: string; token: string }): Promise<Page> {
    const context = await browser.newContext({ viewport, acceptDownloads: true, locale: 'en-US' });
    contexts.push(context);
    if (token !== undefined)
      await context.addInitScript({
        content: `localStorage.setItem('cets.instructor', ${JSON.stringify(JSON.stringify(token))});`,
      });
    const page = await context.newPage();
    page.on('pageerror', (e) => problems.push(`${path}: pageerror: ${e.message}`));
    page.on('console', (m) => {
      if (m.type() === 'error') problems.push(`${path}: console.error: ${m.text()}`);
    });
    page.on('dialog', (d) => void d.accept());
    await page.goto(`${base}${path}`);
    return page;
  }

  const tid = (page: Page, id: string) => page.getByTestId(id);
  let created: { id: string; code: string };
  let annToken: string;

  it('the admin creates a classroom from the page and opens it', async () => {
    const page = await open(`/instructor?token=${ADMIN}&classroom=default`);
    await expect.poll(() => tid(page, 'classrooms-panel').isVisible(), { timeout: 15_000 }).toBe(true);
    await expect.poll(() => tid(page, 'classroom-default').textContent()).toContain('Default classroom');
    await tid(page, 'create-name').fill('Econ 101');
    await tid(page, 'create-scenario').selectOption('classroom');
    await tid(page, 'create-speed').fill('120');
    await tid(page, 'create-seats').fill('30');
    // The national market only: the CCER market left out (the home market cannot be).
    expect(await tid(page, 'create-market-national').isDisabled()).toBe(true);
    await tid(page, 'create-market-ccer').uncheck();
    await tid(page, 'create-submit').click();
    await expect
      .poll(() => tid(page, 'made-text').textContent(), { timeout: 15_000 })
      .toMatch(/Econ 101.*[A-Z]{4}-\d{4}/);
    const room = [...server.hub.rooms.values()].find((r) => r.name === 'Econ 101')!;
    expect(room.speed).toBe(120);
    expect(room.seatCap).toBe(30);
    expect(room.marketList().map((m) => m.id)).toEqual(['national']);
    created = { id: room.id, code: server.hub.joinCode(room.id)! };
    await expect.poll(() => tid(page, `classroom-${room.id}`).textContent()).toContain(created.code);
    await page.screenshot({ path: join(SHOTS, 'instructor-classrooms.png') });
    await tid(page, `open-${room.id}`).click();
    await expect.poll(() => tid(page, 'room-name').textContent(), { timeout: 15_000 }).toBe('Econ 101');
    expect(await tid(page, 'room-state').textContent()).toBe('lobby');
    expect(await tid(page, 'join-code').textContent()).toBe(created.code);
  });

  it('the join screen shows the code, the address, a QR code with the code filled in, and who is waiting', async () => {
    const joined = await server.app.inject({
      method: 'POST',
      url: '/api/join',
      payload: { code: created.code, name: 'Wang Fang' },
    });
    expect(joined.statusCode).toBe(200);
    let projector: Page | null = null;
    for (const [name, viewport] of [
      ['projector', PROJECTOR],
      ['phone', PHONE],
    ] as const) {
      const page = await open(`/instructor?classroom=${created.id}`, viewport, {
        classroom: created.id,
        token: ADMIN,
      });
      await expect.poll(() => tid(page, 'room-name').textContent(), { timeout: 15_000 }).toBe('Econ 101');
      await tid(page, 'join-open').click();
      await expect.poll(() => tid(page, 'js-code').textContent(), { timeout: 15_000 }).toBe(created.code);
      const qr = tid(page, 'js-qr');
      await expect.poll(() => qr.getAttribute('data-url')).toBe(`${base}/trade?code=${created.code}`);
      expect(await qr.getAttribute('src')).toMatch(/^data:image\/svg\+xml;base64,/);
      expect(await tid(page, 'js-url').textContent()).toBe(`${base.replace('http://', '')}/trade`);
      await expect.poll(() => tid(page, 'js-names').textContent()).toContain('Wang Fang');
      expect(await tid(page, 'js-count').textContent()).toBe('1');
      expect(await tid(page, 'js-start').isVisible()).toBe(true);
      // The QR code fits the screen whole.
      const box = (await qr.boundingBox())!;
      expect(box.y + box.height).toBeLessThanOrEqual(viewport.height + (name === 'phone' ? 400 : 0));
      await page.screenshot({ path: join(SHOTS, `instructor-join-${name}.png`) });
      projector ??= page;
    }
    // A student scans the code: the trading page opens with the code filled in; they type their name and join, and
    // the projector's lobby shows them.
    const phone = await open(`/trade?code=${created.code}`, PHONE);
    await expect.poll(() => tid(phone, 'login-code').inputValue(), { timeout: 15_000 }).toBe(created.code);
    await tid(phone, 'login-name').fill('Li Lei');
    await tid(phone, 'login-submit').click();
    await expect.poll(() => tid(projector!, 'js-names').textContent(), { timeout: 15_000 }).toContain('Li Lei');
    expect(await tid(projector!, 'js-count').textContent()).toBe('2');
  });

  it("the dashboard shows a student's position and the price chart", async () => {
    const ann = await server.app.inject({
      method: 'POST',
      url: '/api/join',
      payload: { code: server.joinCode, name: 'Ann' },
    });
    const studentId = ann.json().studentId as number;
    annToken = ann.json().token as string;
    const page = await open('/instructor?classroom=default', LAPTOP, { classroom: 'default', token: INSTRUCTOR });
    await expect.poll(() => tid(page, `pos-${studentId}`).textContent(), { timeout: 15_000 }).toContain('Ann');
    const row = await tid(page, `pos-${studentId}`).textContent();
    expect(row).toMatch(/\d{1,3}(,\d{3})* t/); // the obligation in tonnes
    expect(await tid(page, 'classrooms-panel').isVisible()).toBe(false); // not the admin
    await expect.poll(() => tid(page, 'stat-trades').textContent()).toMatch(/^\d+$/);
    expect(Number(await tid(page, 'stat-trades').textContent())).toBeGreaterThan(0);
    expect(await page.locator('[data-testid="dash-chart"] canvas').count()).toBeGreaterThan(0);
    await tid(page, 'dashboard').scrollIntoViewIfNeeded();
    await page.screenshot({ path: join(SHOTS, 'instructor-dashboard.png') });
    const phone = await open('/instructor?classroom=default', PHONE, { classroom: 'default', token: INSTRUCTOR });
    await expect.poll(() => tid(phone, `pos-${studentId}`).textContent(), { timeout: 15_000 }).toContain('Ann');
    await phone.screenshot({ path: join(SHOTS, 'instructor-phone.png') });
    await tid(phone, 'dashboard').scrollIntoViewIfNeeded();
    await phone.screenshot({ path: join(SHOTS, 'instructor-dashboard-phone.png') });
  });

  it('the debrief on the page and on the printable page, and a CSV export through its link', async () => {
    const page = await open('/instructor?classroom=default', LAPTOP, { classroom: 'default', token: INSTRUCTOR });
    await expect.poll(() => tid(page, 'dbf-price-chart').count(), { timeout: 15_000 }).toBe(1);
    expect(await page.locator('[data-testid="dbf-price-chart"] path').count()).toBeGreaterThan(0);
    await expect.poll(() => tid(page, 'dbf-traders').textContent()).toContain('S01');
    await tid(page, 'debrief').scrollIntoViewIfNeeded();
    await page.screenshot({ path: join(SHOTS, 'instructor-debrief.png') });

    const download = page.waitForEvent('download');
    await tid(page, 'export-trades').click();
    const file = await (await download).path();
    const csv = readFileSync(file, 'utf8').replace(/^\ufeff/, '');
    const [header, ...lines] = csv.trim().split(/\r?\n/);
    expect(header).toMatch(/price/i);
    expect(lines.length).toBeGreaterThan(0);

    const href = (await tid(page, 'debrief-page').getAttribute('href'))!;
    const printable = await open(href, LAPTOP, { classroom: 'default', token: INSTRUCTOR });
    await expect.poll(() => printable.getByTestId('dbf-price-chart').count(), { timeout: 15_000 }).toBe(1);
    expect(await printable.getByTestId('dbf-classroom').textContent()).toBe('Default classroom');
    await printable.screenshot({ path: join(SHOTS, 'debrief-page.png'), fullPage: true });
    await printable.emulateMedia({ media: 'print' });
    expect(await printable.getByTestId('top').isVisible()).toBe(false);

    // The page a student keeps, on a phone in Chinese: opened with their own token, their row marked.
    const context = await browser.newContext({ viewport: PHONE, locale: 'zh-CN' });
    contexts.push(context);
    await context.addInitScript({ content: `localStorage.setItem('cets.token', ${JSON.stringify(annToken)});` });
    const mine = await context.newPage();
    mine.on('pageerror', (e) => problems.push(`/debrief (student): pageerror: ${e.message}`));
    await mine.goto(`${base}/debrief`);
    await expect.poll(() => mine.getByTestId('dbf-price-chart').count(), { timeout: 15_000 }).toBe(1);
    expect(await mine.getByTestId('dbf-print').textContent()).toBe('打印');
    await expect.poll(() => mine.getByTestId('dbf-compliance').locator('tr.you').textContent()).toContain('S01');
    await mine.screenshot({ path: join(SHOTS, 'debrief-page-student-phone-zh.png'), fullPage: true });
  });

  it('the leaderboard and auto-surrender switches, and a practice round, from the page', async () => {
    const page = await open('/instructor?classroom=default', LAPTOP, { classroom: 'default', token: INSTRUCTOR });
    const view = async () => (await server.app.inject({ url: '/api/classrooms/default' })).json();
    // The switches start disabled and are set from the classroom once it has loaded.
    await expect.poll(() => tid(page, 'sw-leaderboard').isEnabled(), { timeout: 15_000 }).toBe(true);
    await expect.poll(() => tid(page, 'sw-leaderboard').isChecked()).toBe(true);
    await tid(page, 'sw-leaderboard').uncheck();
    await expect.poll(async () => (await view()).leaderboardVisible).toBe(false);
    await tid(page, 'sw-autosurrender').uncheck();
    await expect.poll(async () => (await view()).autoSurrender).toBe(false);
    await expect.poll(() => tid(page, 'control-msg').textContent()).toBe('Auto-surrender is off for the class.');
    await tid(page, 'round-practice').click(); // the confirm is accepted
    await expect.poll(async () => (await view()).round.practice).toBe(true);
    await expect.poll(() => tid(page, 'round-label').textContent()).toMatch(/^practice round · /);
    await expect.poll(() => tid(page, 'debrief-round').inputValue()).toBe('0');
    await page.screenshot({ path: join(SHOTS, 'instructor-practice-round.png') });
  });

  it('showed no script error or failed request on any page', () => {
    expect(problems).toEqual([]);
  });
});
