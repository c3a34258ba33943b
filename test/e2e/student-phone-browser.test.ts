// The trading page on a phone, in Chinese: a student whose browser prefers Chinese joins at 390 px wide and gets
// the page in 中文, one column with the ticket and their position first; places a market order (the ticket sets IOC
// for it); sees a refusal as one Chinese sentence with the band in CNY; gets alerts (an auction announced, a block
// proposal to them) as notifications, dismisses one, and finds the proposal in the list without polling; switches
// the auto-surrender off; switches to English and back (remembered). The same page at 1280x720 clips neither
// "Log out" nor the leaderboard. Screenshots go to test/e2e/screenshots/ to be looked at.
//
// The wall clock is frozen: exchange time is moved by hand (an hour past the first open, then to the afternoon's
// block session), as in classroom-browser.test.ts.
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Server } from '../../src/server/app.ts';
import { frozenServer, launchChromium, SHOTS, skipWithoutChromium } from './browser.ts';

const skip = skipWithoutChromium('student-phone-browser');

const INSTRUCTOR = 'instructor-token-e2e-phone01';
const ADMIN = 'admin-token-e2e-phone000001';
const PHONE = { width: 390, height: 844 };
const LAPTOP = { width: 1280, height: 720 };

describe.skipIf(skip)('the trading page on a phone, in Chinese', () => {
  let server: Server;
  let base: string;
  let dir: string;
  let browser: Browser;
  let page: Page;
  const problems: string[] = [];

  beforeAll(async () => {
    ({ server, dir } = await frozenServer('cets-e2e-phone-', ADMIN, INSTRUCTOR));
    server.hub.rooms.get('default')!.advanceExchange(60 * 60_000);
    base = (await server.listen()).replace('[::1]', 'localhost');
    browser = await launchChromium();
    const context = await browser.newContext({ viewport: PHONE, locale: 'zh-CN' });
    page = await context.newPage();
    page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
    page.on('console', (m) => {
      if (m.type() === 'error') problems.push(`console.error: ${m.text()}`);
    });
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
    if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
  });

  const tid = (p: Page, id: string) => p.getByTestId(id);
  const inject = (method: 'GET' | 'POST', url: string, token: string, payload?: object) =>
    server.app.inject({
      method,
      url,
      headers: { authorization: `Bearer ${token}` },
      ...(payload === undefined ? {} : { payload }),
    });
  let token = '';
  let studentId = 0;

  it('joins in Chinese, one column at 390 px with the ticket and the position first', async () => {
    // As from the join screen's QR code: the code comes filled in.
    await page.goto(`${base}/trade?code=${server.joinCode}`);
    await expect.poll(() => tid(page, 'login-submit').textContent()).toBe('加入');
    expect(await page.locator('html').getAttribute('lang')).toBe('zh-CN');
    expect(await tid(page, 'login-code').inputValue()).toBe(server.joinCode);
    await tid(page, 'login-name').fill('李明');
    await tid(page, 'login-submit').click();
    await expect.poll(() => tid(page, 'conn').textContent(), { timeout: 15_000 }).toBe('实时');
    token = (await page.evaluate<string | null>("localStorage.getItem('cets.token')")) ?? '';
    studentId = (await inject('GET', '/api/me', token)).json().studentId;

    expect(await tid(page, 'ticket-submit').textContent()).toBe('▲ 买入');
    expect(await tid(page, 'logout').textContent()).toBe('退出');
    // One column: the ticket, then my position, then the book, each as wide as the page; nothing wider than it.
    const box = async (panel: string) => (await page.locator(`[data-panel="${panel}"]`).boundingBox())!;
    const [ticket, position, book] = [await box('ticket'), await box('position'), await box('book')];
    expect(ticket.y).toBeLessThan(position.y);
    expect(position.y).toBeLessThan(book.y);
    expect(ticket.width).toBeGreaterThan(PHONE.width - 40);
    expect(await page.evaluate<number>('document.documentElement.scrollWidth')).toBeLessThanOrEqual(PHONE.width);
    expect(problems).toEqual([]);
  });

  it('the position panel: obligation, held, the deadline and a countdown in exchange time', async () => {
    await expect.poll(() => tid(page, 'position-obligation').textContent(), { timeout: 10_000 }).toMatch(/^[\d,]+ t$/);
    const p = (await inject('GET', '/api/me/position', token)).json().position;
    expect(await tid(page, 'position-held').textContent()).toBe(`${p.heldT.toLocaleString('en-US')} t`);
    expect(await tid(page, 'position-deadline').textContent()).toBe(p.deadlineTime);
    expect(await tid(page, 'position-countdown').textContent()).toMatch(/^\d+ 天 \d+ 小时 \d+ 分（交易所时间）$/);
    expect(await tid(page, 'position-gap-label').textContent()).toMatch(/^(缺口|富余)$/);
    expect(await tid(page, 'auto-surrender').isChecked()).toBe(p.autoSurrender);
  });

  it('a market order: the ticket sets IOC, the order is accepted and the answer is in Chinese', async () => {
    await tid(page, 'ticket-price').fill('');
    await tid(page, 'ticket-qty').fill('100');
    expect(await tid(page, 'ticket-tif').inputValue()).toBe('ioc');
    expect(await tid(page, 'ticket-tif').locator('option[value="day"]').isDisabled()).toBe(true);
    await tid(page, 'ticket-submit').click();
    await expect
      .poll(() => tid(page, 'ticket-result').textContent(), { timeout: 10_000 })
      .toMatch(/^订单 #\d+ 已受理：市价买入 100 t；已成交 100 t，挂单 0 t。$/);
    // A limit price gives back the limit order's time in force.
    await tid(page, 'ticket-price').fill('95.00');
    expect(await tid(page, 'ticket-tif').inputValue()).toBe('day');
  });

  it('a level of the book is picked from the keyboard: its listing goes into the take form', async () => {
    const level = tid(page, 'book-asks').locator('tr.best').last();
    await level.focus();
    await page.keyboard.press('Enter');
    await expect
      .poll(() => tid(page, 'take-listing').locator('option').first().textContent())
      .toMatch(/^从 #\d+ 买入 · /);
    expect(await tid(page, 'ticket-tif').inputValue()).toBe('day');
  });

  it('a refusal is one Chinese sentence with the band in CNY; the next accepted order clears it', async () => {
    await tid(page, 'ticket-price').fill('200.00');
    await tid(page, 'ticket-qty').fill('10');
    await tid(page, 'ticket-submit').click();
    await expect.poll(() => tid(page, 'ticket-error').isVisible()).toBe(true);
    expect(await tid(page, 'ticket-error').textContent()).toMatch(
      /^价格 200\.00 元高于今日涨跌幅区间（\d+\.\d\d-\d+\.\d\d 元）$/,
    );
    await page.screenshot({ path: join(SHOTS, 'trade-phone-zh-refusal.png') });
    await tid(page, 'ticket-price').fill('');
    await tid(page, 'ticket-submit').click();
    await expect.poll(() => tid(page, 'ticket-result').isVisible(), { timeout: 10_000 }).toBe(true);
    expect(await tid(page, 'ticket-error').isVisible()).toBe(false);
  });

  it('alerts: an auction announced and a block proposal to me come as notifications; one is dismissed', async () => {
    const r = await inject('POST', '/api/classrooms/default/auctions', INSTRUCTOR, {
      qtyT: 40_000,
      reservePriceCny: '80.00',
      minutes: 15,
    });
    expect(r.statusCode, r.body).toBe(200);
    const auction = tid(page, 'toast-auction-open');
    await expect.poll(() => auction.count(), { timeout: 10_000 }).toBe(1);
    expect(await auction.textContent()).toMatch(
      /拍卖 A1 开始：40,000 t CEA-23，底价 80\.00 元，\d{4}-\d\d-\d\d \d\d:\d\d 结束。/,
    );
    await page.screenshot({ path: join(SHOTS, 'trade-phone-zh-alert.png') });
    await auction.getByTestId('toast-dismiss').click();
    await expect.poll(() => auction.count()).toBe(0);

    // Block trades run 13:00-15:00: on an hour and five minutes of trading (past the lunch break) to 13:05, then
    // another student proposes to this one.
    server.hub.rooms.get('default')!.advanceExchange(65 * 60_000);
    const other = (
      await server.app.inject({ method: 'POST', url: '/api/join', payload: { code: server.joinCode, name: 'Wang' } })
    ).json();
    const p = await inject('POST', '/api/blocks', other.token, {
      marketId: 'national',
      instrumentId: 'CEA-23',
      side: 'sell',
      priceCny: '95.00',
      qtyT: 100_000,
      toStudentId: studentId,
    });
    expect(p.statusCode, p.body).toBe(200);
    const proposal = tid(page, 'toast-proposal');
    await expect.poll(() => proposal.count(), { timeout: 10_000 }).toBe(1);
    expect(await proposal.textContent()).toContain(
      `Wang 向你发起大宗协议 #${p.json().proposalId}：以 95.00 元卖给你 100,000 t CEA-23。`,
    );
    // The list is fetched on the alert (the page no longer polls it).
    await expect
      .poll(() => tid(page, 'block-list').locator(`tr[data-proposal="${p.json().proposalId}"]`).count())
      .toBe(1);
    expect(problems).toEqual([]);
  });

  it('the auto-surrender switch', async () => {
    const before = (await inject('GET', '/api/me/position', token)).json().position.autoSurrender;
    await tid(page, 'auto-surrender').click();
    await expect
      .poll(async () => (await inject('GET', '/api/me/position', token)).json().position.autoSurrender)
      .toBe(!before);
    expect(await tid(page, 'auto-surrender').isChecked()).toBe(!before);
    await page.locator('[data-panel="ticket"]').scrollIntoViewIfNeeded();
    await page.screenshot({ path: join(SHOTS, 'trade-phone-zh.png') });
    await page.screenshot({ path: join(SHOTS, 'trade-phone-zh-full.png'), fullPage: true });
  });

  it('switches to English and back, remembered across a reload', async () => {
    await tid(page, 'lang-switch').first().selectOption('en');
    await expect.poll(() => tid(page, 'ticket-submit').textContent()).toBe('▲ Buy');
    expect(await page.locator('[data-panel="ticket"] h2').textContent()).toBe('Order ticket');
    expect(await tid(page, 'position-countdown').textContent()).toMatch(/^\d+ d \d+ h \d+ min \(exchange time\)$/);
    await page.reload();
    await expect.poll(() => tid(page, 'logout').textContent(), { timeout: 15_000 }).toBe('Log out');
    await tid(page, 'lang-switch').first().selectOption('zh');
    await expect.poll(() => tid(page, 'logout').textContent()).toBe('退出');
    expect(await page.evaluate<string | null>("localStorage.getItem('cets.lang')")).toBe('zh');
  });

  it('the leaderboard goes when the instructor hides it, and comes back', async () => {
    const board = tid(page, 'leaderboard');
    expect(await board.isHidden()).toBe(false);
    const patch = (leaderboardVisible: boolean) =>
      server.app.inject({
        method: 'PATCH',
        url: '/api/classrooms/default',
        headers: { authorization: `Bearer ${INSTRUCTOR}` },
        payload: { leaderboardVisible },
      });
    expect((await patch(false)).statusCode).toBe(200);
    await expect.poll(() => board.isHidden(), { timeout: 15_000 }).toBe(true);
    expect((await patch(true)).statusCode).toBe(200);
    await expect.poll(() => board.isHidden(), { timeout: 15_000 }).toBe(false);
  });

  it('at 1280x720: "Log out" and the leaderboard are not clipped', async () => {
    for (const lang of ['zh', 'en']) {
      const context = await browser.newContext({ viewport: LAPTOP, locale: lang === 'zh' ? 'zh-CN' : 'en-US' });
      const p = await context.newPage();
      p.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
      await p.goto(`${base}/trade?token=${encodeURIComponent(token)}`);
      await expect.poll(() => tid(p, 'conn').textContent(), { timeout: 15_000 }).toBe(lang === 'zh' ? '实时' : 'live');
      const logout = (await tid(p, 'logout').boundingBox())!;
      expect(logout.x + logout.width).toBeLessThanOrEqual(LAPTOP.width);
      expect(logout.y + logout.height).toBeLessThanOrEqual(LAPTOP.height);
      // The leaderboard's tables fit their panel (no cut-off column); the column scrolls down to it.
      const board = tid(p, 'leaderboard');
      await board.scrollIntoViewIfNeeded();
      expect(await board.isVisible()).toBe(true);
      const fits = await board.evaluate((el) =>
        [...el.querySelectorAll('table')].every((t) => t.scrollWidth <= el.clientWidth),
      );
      expect(fits).toBe(true);
      await p.screenshot({ path: join(SHOTS, `trade-laptop-${lang}.png`) });
      await context.close();
    }
    expect(problems).toEqual([]);
  });
});
