// Price chart: 5-minute candles with volume underneath (lightweight-charts v5, the global LightweightCharts from
// /vendor/lightweight-charts.js). Times are shown in China Standard Time: the chart draws UTC, so each timestamp is
// moved by +8 h before it goes in. Live trades update the last candle or open a new one.

import { onLanguageChange, t } from './i18n.js';

const CST_S = 8 * 3600;
const UP = '#c62828';
const DOWN = '#1b7f3b';

export class PriceChart {
  constructor(el, minutes = 5) {
    this.el = el;
    this.spanMs = minutes * 60_000;
    this.last = null;
    const LC = globalThis.LightweightCharts;
    if (LC === undefined) {
      el.textContent = t('student:chart.noLibrary');
      this.chart = null;
      return;
    }
    this.chart = LC.createChart(el, {
      autoSize: true,
      layout: { background: { color: '#ffffff' }, textColor: '#34404f', fontSize: 11 },
      grid: { vertLines: { color: '#f0f2f5' }, horzLines: { color: '#f0f2f5' } },
      rightPriceScale: { borderColor: '#dde3ea' },
      timeScale: { borderColor: '#dde3ea', timeVisible: true, secondsVisible: false, rightOffset: 4, barSpacing: 9 },
      localization: { priceFormatter: (p) => p.toFixed(2) },
    });
    this.candles = this.chart.addSeries(LC.CandlestickSeries, {
      upColor: UP,
      downColor: DOWN,
      borderUpColor: UP,
      borderDownColor: DOWN,
      wickUpColor: UP,
      wickDownColor: DOWN,
      priceFormat: { type: 'price', precision: 2, minMove: 0.01 },
    });
    this.candles.priceScale().applyOptions({ scaleMargins: { top: 0.08, bottom: 0.28 } });
    this.volume = this.chart.addSeries(LC.HistogramSeries, {
      priceScaleId: 'volume',
      priceFormat: { type: 'volume' },
      lastValueVisible: false,
      priceLineVisible: false,
    });
    this.volume.priceScale().applyOptions({ scaleMargins: { top: 0.78, bottom: 0 } });
    this.legend = document.createElement('div');
    this.legend.className = 'chart-legend';
    this.legend.dataset.testid = 'chart-legend';
    el.append(this.legend);
    this.chart.subscribeCrosshairMove((param) => {
      const k = param.time === undefined ? null : param.seriesData.get(this.candles);
      const v = param.time === undefined ? null : param.seriesData.get(this.volume);
      this.showLegend(k ?? this.last, v?.value ?? this.last?.volumeT);
    });
    this.empty = document.createElement('div');
    this.empty.className = 'chart-empty';
    this.empty.textContent = t('student:chart.empty');
    onLanguageChange(() => {
      this.empty.textContent = t('student:chart.empty');
    });
    el.append(this.empty);
  }

  /** Candles as GET .../candles gives them (oldest first). */
  setCandles(list) {
    if (this.chart === null) return;
    const c = list.map((x) => ({
      time: Math.floor(x.tsMs / 1000) + CST_S,
      open: Number(x.open),
      high: Number(x.high),
      low: Number(x.low),
      close: Number(x.close),
      volumeT: x.volumeT,
    }));
    this.candles.setData(c.map(({ volumeT: _v, ...k }) => k));
    this.volume.setData(c.map((k) => this.volBar(k.time, k.volumeT, k.open, k.close)));
    this.last = c.length === 0 ? null : { ...c[c.length - 1] };
    this.showLegend(this.last, this.last?.volumeT);
    this.empty.hidden = c.length > 0;
    this.chart.applyOptions({ rightPriceScale: { visible: c.length > 0 } });
    // Fit the history to the width, but keep candles between 4 and 16 px wide (a short history is not a few giants).
    const widthPx = this.el.clientWidth || 600;
    const barSpacing = Math.max(4, Math.min(16, (widthPx - 70) / (c.length + 8)));
    this.chart.timeScale().applyOptions({ barSpacing });
    this.chart.timeScale().scrollToRealTime();
  }

  volBar(time, value, open, close) {
    const color = close > open ? 'rgba(198,40,40,.45)' : close < open ? 'rgba(27,127,59,.45)' : 'rgba(95,107,122,.4)';
    return { time, value, color };
  }

  /** Open, high, low, close and volume of the candle under the cursor (or the last one). */
  showLegend(k, volumeT) {
    if (!k || k.open === undefined) {
      this.legend.textContent = '';
      return;
    }
    const t = new Date(k.time * 1000).toISOString();
    const f = (x) => x.toFixed(2);
    const vol = volumeT === undefined ? '' : `  V ${Math.round(volumeT).toLocaleString('en-US')} t`;
    this.legend.textContent = `${t.slice(0, 10)} ${t.slice(11, 16)}  O ${f(k.open)}  H ${f(k.high)}  L ${f(k.low)}  C ${f(k.close)}${vol}`;
  }

  /** The trades of a trades channel event, oldest first: the listed ones go into the candles. */
  addTrades(list) {
    if (this.chart === null) return;
    let drawn = false;
    for (const t of list) {
      if (t.mode !== 'listed') continue;
      const time = Math.floor((Math.floor(t.tsMs / this.spanMs) * this.spanMs) / 1000) + CST_S;
      const p = Number(t.priceCny);
      if (this.last !== null && time < this.last.time) continue; // older than what is drawn
      if (this.last !== null && time === this.last.time) {
        this.last.high = Math.max(this.last.high, p);
        this.last.low = Math.min(this.last.low, p);
        this.last.close = p;
        this.last.volumeT += t.qtyT;
      } else {
        if (this.last !== null && drawn) this.draw(); // a candle closed within the list: draw it before the next
        this.last = { time, open: p, high: p, low: p, close: p, volumeT: t.qtyT };
      }
      drawn = true;
    }
    if (!drawn) return;
    this.draw();
    if (!this.empty.hidden) this.chart.applyOptions({ rightPriceScale: { visible: true } });
    this.empty.hidden = true;
  }

  /** Draws the last candle as it now is. */
  draw() {
    const { volumeT, ...k } = this.last;
    this.candles.update(k);
    this.volume.update(this.volBar(k.time, volumeT, k.open, k.close));
    this.showLegend(this.last, volumeT);
  }
}
