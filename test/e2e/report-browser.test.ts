// Opens the rendered reports in headless Chromium (playwright-core, the system's chromium) and checks what a reader
// would see: no script errors, every chart drawn, titles and axis labels on screen. Skipped only on a machine without
// chromium outside CI; in CI (.ci/run installs chromium) it always runs.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadReportAssets } from '../../src/report/assets.ts';
import { renderFanReport } from '../../src/report/fan-chart.ts';
import { renderRunReport } from '../../src/report/run-report.ts';
import { buildRunSummary, FIXTURE_EVENTS, tradingDays } from '../fixtures/run-summary.ts';
import { launchChromium, SHOTS, skipWithoutChromium } from './browser.ts';

/** Screenshots to look at (gitignored), at a laptop's and a phone's size. */

async function screenshots(page: Page, name: string, selector: string): Promise<void> {
  mkdirSync(SHOTS, { recursive: true });
  for (const [size, width, height] of [
    ['laptop', 1280, 800],
    ['phone', 390, 844],
  ] as const) {
    await page.setViewportSize({ width, height });
    await page.waitForTimeout(300);
    await page
      .locator(selector)
      .first()
      .screenshot({ path: join(SHOTS, `${name}-${size}.png`) });
  }
}
const skip = skipWithoutChromium('report-browser');

interface CanvasInfo {
  width: number;
  height: number;
  /** Pixels painted (alpha > 0), of all pixels. */
  painted: number;
  /** Pixels of the event-marker red, likewise. */
  marker: number;
  samples: number;
}

/** What the page functions below use of the browser (the project compiles without the DOM library). */
interface InPage {
  readonly document: {
    querySelectorAll(selector: string): Iterable<{
      readonly width: number;
      readonly height: number;
      getContext(kind: '2d'): {
        getImageData(x: number, y: number, w: number, h: number): { readonly data: Uint8ClampedArray };
      } | null;
    }>;
  };
  /** The page's charts (a global of its script). */
  readonly CHARTS: readonly { readonly u: { readonly axes: readonly { readonly label?: string }[] } }[];
}

/** Samples every canvas on the page: how much is painted, and how much in the marker colour. */
async function canvases(page: Page): Promise<CanvasInfo[]> {
  return page.evaluate(() =>
    Array.from((globalThis as unknown as InPage).document.querySelectorAll('canvas')).map((c) => {
      const ctx = c.getContext('2d')!;
      const { data } = ctx.getImageData(0, 0, c.width, c.height);
      let painted = 0;
      let marker = 0;
      let samples = 0;
      for (let y = 0; y < c.height; y++) {
        for (let x = 0; x < c.width; x++) {
          const i = (y * c.width + x) * 4;
          samples++;
          if (data[i + 3]! > 0) painted++;
          if (data[i + 3]! > 100 && data[i]! > 140 && data[i + 1]! < 110 && data[i + 2]! < 100) marker++;
        }
      }
      return { width: c.width, height: c.height, painted, marker, samples };
    }),
  );
}

describe.skipIf(skip)('reports in a browser', () => {
  let browser: Browser;
  let dir: string;

  beforeAll(async () => {
    browser = await launchChromium();
    dir = mkdtempSync(join(tmpdir(), 'cets-report-'));
  });

  afterAll(async () => {
    await browser?.close();
    if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
  });

  /** Opens the page from a file, as a reader would, and collects every error and outside request. */
  async function open(name: string, html: string): Promise<{ page: Page; errors: string[]; requests: string[] }> {
    const file = join(dir, name);
    writeFileSync(file, html);
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    const errors: string[] = [];
    const requests: string[] = [];
    page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
    page.on('console', (m) => {
      if (m.type() === 'error' || m.type() === 'warning') errors.push(`console.${m.type()}: ${m.text()}`);
    });
    page.on('request', (r) => {
      if (!r.url().startsWith('file:') && !r.url().startsWith('data:')) requests.push(r.url());
    });
    await page.goto(pathToFileURL(file).href, { waitUntil: 'load' });
    await page.waitForFunction(
      () => Array.from((globalThis as unknown as InPage).document.querySelectorAll('.chart canvas')).length > 0,
    );
    return { page, errors, requests };
  }

  it('draws the run report: every chart, the event markers, titles and axis labels', async () => {
    const summary = buildRunSummary();
    const html = renderRunReport({ summary, events: FIXTURE_EVENTS, assets: loadReportAssets() });
    const { page, errors, requests } = await open('report.html', html);

    // Price and volume for each of the 5 markets, the expected balance for all but CCER, compliance for Shanghai.
    const info = await canvases(page);
    expect(info).toHaveLength(15);
    for (const c of info) {
      expect(c.width).toBeGreaterThan(600);
      expect(c.painted / c.samples).toBeGreaterThan(0.005);
    }
    // Each price chart has events in range (the run start is for all markets), drawn as red dashed lines.
    const chartKinds = await page.$$eval('[data-chart]', (els) => els.map((el) => el.getAttribute('data-chart')));
    expect(chartKinds.filter((k) => k === 'price')).toHaveLength(5);
    info.forEach((c, i) => {
      if (chartKinds[i] === 'price') expect(c.marker).toBeGreaterThan(200);
      else if (chartKinds[i] === 'volume') expect(c.marker).toBe(0);
    });

    await expect(page.locator('h1').textContent()).resolves.toBe(summary.scenario.title);
    expect(await page.locator('h1').isVisible()).toBe(true);
    const h2 = await page.locator('section.market h2').allTextContents();
    expect(h2).toEqual(['national', 'beijing', 'shanghai', 'guangdong', 'ccer'].map((id) => summary.markets[id]!.name));
    // uPlot draws axes on the canvas; their labels are read from the charts the page built.
    const axisLabels = await page.evaluate(() =>
      (globalThis as unknown as InPage).CHARTS.flatMap((c) => c.u.axes.map((a) => a.label ?? '')),
    );
    expect(axisLabels.filter((l) => l === 'Price (CNY/t)')).toHaveLength(5);
    expect(axisLabels.filter((l) => l === 'Volume (t)')).toHaveLength(5);
    expect(axisLabels.filter((l) => l === 'Tonnes')).toHaveLength(4);
    // The fair value and the agents' valuation beside the close, on every price chart.
    const legends = await page.locator('[data-chart="price"] .u-legend').allTextContents();
    expect(legends).toHaveLength(5);
    for (const l of legends) expect(l).toMatch(/Close \(CNY\/t\).*Agents' valuation.*Fair value/s);
    const balanceLegend = await page.locator('[data-chart="balance"] .u-legend').first().textContent();
    expect(balanceLegend).toContain('Current cycle net position');
    expect(balanceLegend).toContain('Deficit 2025');
    expect(await page.locator('dl.stylized-facts').count()).toBe(5);
    expect(await page.locator('dl.stylized-facts').first().isVisible()).toBe(true);
    expect(axisLabels).toContain('Shortfall (t)');
    expect(await page.getByText('No compliance deadline in this period.').first().isVisible()).toBe(true);
    expect(await page.locator('#event-log tbody tr').count()).toBe(FIXTURE_EVENTS.length);

    // Hovering a day fills the legend with that day's values.
    const over = page.locator('[data-chart="price"][data-market="0"] .u-over');
    await over.scrollIntoViewIfNeeded();
    const box = (await over.boundingBox())!;
    await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
    const legend = await page.locator('[data-chart="price"][data-market="0"] .u-legend').textContent();
    expect(legend).toMatch(/2024-0[789]-\d\d/);

    // A narrower window rebuilds the charts to fit.
    await page.setViewportSize({ width: 760, height: 900 });
    await page.waitForTimeout(400);
    const narrow = await canvases(page);
    expect(narrow).toHaveLength(15);
    for (const c of narrow) {
      expect(c.width).toBeLessThan(760);
      expect(c.painted / c.samples).toBeGreaterThan(0.005);
    }

    expect(errors).toEqual([]);
    expect(requests).toEqual([]);
    await page.close();
  });

  it("draws observed closes and volumes, the seeds' band and an overlay over the run", async () => {
    const summary = buildRunSummary();
    const daily = summary.markets['national']!.daily;
    // Observed 3 CNY above the run, with volumes; a band of ±2 CNY around the run; a flat overlay at 85.
    const observed = daily
      .filter((d) => d.close !== null)
      .map((d, i) => ({
        date: d.date,
        closeFen: Math.round(Number(d.close) * 100) + 300,
        volumeT: 200_000 + 1000 * i,
        line: i + 2,
      }));
    // A news event a day, as a replay logs them: at most 3 rows of labels, the rest are lines only.
    const news = daily.map((d, i) => ({
      date: d.date,
      kind: 'note' as const,
      marketId: 'national',
      text: `news ${i}`,
    }));
    const html = renderRunReport({
      summary,
      events: [...FIXTURE_EVENTS, ...news],
      assets: loadReportAssets(),
      observed,
      observedLabel: 'cea.csv',
      band: daily.map((d) => ({ date: d.date, lowCny: Number(d.close ?? 90) - 2, highCny: Number(d.close ?? 90) + 2 })),
      overlays: [{ label: 'Without the draft', points: daily.map((d) => ({ date: d.date, cny: 85 })) }],
    });
    const { page, errors, requests } = await open('observed.html', html);
    const price = await page.locator('[data-chart="price"][data-market="0"] .u-legend').textContent();
    expect(price).toMatch(
      /Highest close of the seeds.*Lowest close of the seeds.*Close, simulated.*Without the draft.*Close, observed/s,
    );
    expect(price).not.toMatch(/High:|Low:/);
    const volume = await page.locator('[data-chart="volume"][data-market="0"] .u-legend').textContent();
    expect(volume).toMatch(/Block, simulated.*Listed, simulated.*Observed volume \(listed and block\)/s);
    // Only the compared market changes: the others keep their high-low band and plain close.
    const beijing = await page.locator('[data-chart="price"][data-market="1"] .u-legend').textContent();
    expect(beijing).toMatch(/High.*Low.*Close \(CNY\/t\)/s);
    expect(beijing).not.toContain('observed');
    // The observed line and dots are drawn in the dark ink colour on the national price and volume charts.
    const dark = await page.evaluate(() =>
      Array.from(
        (globalThis as unknown as InPage).document.querySelectorAll(
          '[data-market="0"][data-chart="price"] canvas, [data-market="0"][data-chart="volume"] canvas',
        ),
      ).map((c) => {
        const { data } = c.getContext('2d')!.getImageData(0, 0, c.width, c.height);
        let n = 0;
        for (let i = 0; i < data.length; i += 4)
          if (data[i + 3]! > 200 && data[i]! < 50 && data[i + 1]! < 55 && data[i + 2]! < 70) n++;
        return n;
      }),
    );
    for (const n of dark) expect(n).toBeGreaterThan(300);
    const priceHeight = await page.evaluate(
      () => (globalThis as unknown as { CHARTS: { u: { height: number } }[] }).CHARTS[0]!.u.height,
    );
    expect(priceHeight).toBe(300 + 3 * 16);
    expect(await page.locator('.observed-stats').isVisible()).toBe(true);
    expect(await page.locator('.observed-stats').textContent()).toContain('3.00 CNY');
    await screenshots(page, 'report-observed', 'section.market');
    expect(errors).toEqual([]);
    expect(requests).toEqual([]);
    await page.close();
  });

  it('runs no script from hostile text in titles, names, sectors and events', async () => {
    const hostile = '</script><script>alert(1)</script><img src=x onerror=alert(2)><!--';
    const base = buildRunSummary();
    const summary = {
      ...base,
      scenario: { ...base.scenario, title: hostile },
      markets: { ...base.markets, beijing: { ...base.markets['beijing']!, name: hostile } },
      compliance: base.compliance.map((r) => ({ ...r, sector: hostile })),
    };
    const events = [
      ...FIXTURE_EVENTS,
      { date: '2024-08-05', kind: 'note' as const, marketId: 'beijing', text: hostile },
    ];
    const html = renderRunReport({ summary, events, assets: loadReportAssets() });
    const file = join(dir, 'hostile.html');
    writeFileSync(file, html);
    const page = await browser.newPage();
    const dialogs: string[] = [];
    const errors: string[] = [];
    page.on('dialog', async (d) => {
      dialogs.push(d.message());
      await d.dismiss();
    });
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(pathToFileURL(file).href, { waitUntil: 'load' });
    await page.waitForTimeout(200);
    expect(dialogs).toEqual([]);
    expect(errors).toEqual([]);
    expect(await page.locator('h1').textContent()).toBe(hostile);
    expect(await page.locator('canvas').count()).toBe(15);
    await page.close();
  });

  it('draws the fan report: one fan per series, no errors', async () => {
    const dates = tradingDays('2024-07-01', '2024-09-30');
    const fan = (label: string, unit: string, level: number) => {
      const q50 = dates.map((_, i) => level + 4 * Math.sin(i / 12));
      const w = dates.map((_, i) => 0.4 * Math.sqrt(i + 1));
      return {
        label,
        unit,
        dates,
        q05: q50.map((v, i) => v - 2.4 * w[i]!),
        q25: q50.map((v, i) => v - w[i]!),
        q50,
        q75: q50.map((v, i) => v + w[i]!),
        q95: q50.map((v, i) => v + 2.4 * w[i]!),
      };
    };
    const html = renderFanReport({
      title: 'expansion-2024 across 50 seeds',
      subtitle: 'Quantiles over seeds',
      fans: [fan('National close', 'CNY/t', 93), fan('Guangdong close', 'CNY/t', 48)],
      table: { columns: ['Measure', 'median'], rows: [['Last close (CNY/t)', '91.06']] },
      assets: loadReportAssets(),
    });
    const { page, errors, requests } = await open('fans.html', html);
    const info = await canvases(page);
    expect(info).toHaveLength(2);
    for (const c of info) expect(c.painted / c.samples).toBeGreaterThan(0.05);
    expect(await page.locator('h1').textContent()).toBe('expansion-2024 across 50 seeds');
    expect(await page.locator('.fans h3').allTextContents()).toEqual([
      'National close (CNY/t)',
      'Guangdong close (CNY/t)',
    ]);
    expect(errors).toEqual([]);
    expect(requests).toEqual([]);
    await page.close();
  });

  it('overlays the grid points of a batch on one chart, warns of few runs, and toggles a point', async () => {
    const dates = tradingDays('2024-07-01', '2024-09-30');
    const point = (k: number, runs: number) => {
      const q50 = dates.map((_, i) => 90 + 3 * k + 2 * Math.sin(i / 9 + k));
      return {
        label: `p${k}: national close, ${runs} runs`,
        group: 'national close',
        point: `p${k} (x=${k})`,
        runs,
        unit: 'CNY/t',
        dates,
        q05: q50.map((v) => v - 3),
        q25: q50.map((v) => v - 1),
        q50,
        q75: q50.map((v) => v + 1),
        q95: q50.map((v) => v + 3),
      };
    };
    const html = renderFanReport({
      title: 'Batch',
      subtitle: '3 grid points',
      fans: [point(0, 2), point(1, 2), point(2, 12)],
      table: {
        columns: ['point: figure', 'median'],
        rows: [['p0: last close', '90.00']],
        byPoint: {
          columns: ['figure', 'p0', 'p1', 'p2'],
          rows: [['last close', '90 [88–92]', '93 [91–95]', '96 [94–98]']],
        },
      },
      assets: loadReportAssets(),
    });
    const { page, errors, requests } = await open('batch.html', html);
    expect(await canvases(page)).toHaveLength(1);
    expect(await page.locator('p.warn').isVisible()).toBe(true);
    expect(await page.locator('p.warn').textContent()).toContain('p0 (x=0): 2 runs; p1 (x=1): 2 runs)');
    // The legend shows the points, not the band edges.
    const visible = await page.locator('.u-legend .u-series:visible .u-label').allTextContents();
    expect(visible).toEqual(['Date', 'p0 (x=0)', 'p1 (x=1)', 'p2 (x=2)']);
    expect(await page.locator('table.side-by-side').isVisible()).toBe(true);
    // Clicking a point hides its median and its band.
    const shown = () =>
      page.evaluate(() =>
        (globalThis as unknown as { CHARTS: { u: { series: { show: boolean }[] } }[] }).CHARTS[0]!.u.series.map(
          (s) => s.show,
        ),
      );
    expect(await shown()).toEqual(Array(10).fill(true));
    await page.locator('.u-legend .u-series:visible').nth(1).click();
    expect(await shown()).toEqual([true, false, false, false, true, true, true, true, true, true]);
    await screenshots(page, 'batch-overlay', 'main');
    expect(errors).toEqual([]);
    expect(requests).toEqual([]);
    await page.close();
  });
});
