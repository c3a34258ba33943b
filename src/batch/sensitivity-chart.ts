// The Sobol indices as a section of aggregate.html: per figure, a bar pair per parameter (first order, total order)
// with its 95% bootstrap interval as a whisker, drawn as inline SVG (a static chart: no script, nothing to load;
// the page's content policy allows inline SVG). Pure string building.
import { escapeHtml } from '../report/shared.ts';
import type { ParamRange } from './plan.ts';
import type { FigureSensitivity, IndexEstimate } from './sensitivity.ts';

const PLOT = 340;
const ROW = 34;
const RIGHT = 20;
/** Room for the longest parameter path at 12 px (about 7 px a character). */
const leftOf = (params: readonly ParamRange[]): number =>
  Math.min(420, 16 + 7 * Math.max(8, ...params.map((p) => p.path.length)));
const TOP = 24;
const COLORS = { first: '#1f5fa8', total: '#e0892b' } as const;

const clamp = (x: number): number => Math.max(0, Math.min(1, x));
const fix = (x: number): string => (Number.isFinite(x) ? x.toFixed(2) : 'n/a');

function bar(e: IndexEstimate, y: number, h: number, color: string, scale: (x: number) => number): string {
  if (!Number.isFinite(e.value)) return '';
  const x0 = scale(0);
  const parts = [
    `<rect x="${x0}" y="${y}" width="${(scale(clamp(e.value)) - x0).toFixed(1)}" height="${h}" fill="${color}"><title>${fix(e.value)} (95%: ${fix(e.low)}–${fix(e.high)})</title></rect>`,
  ];
  if (Number.isFinite(e.low) && Number.isFinite(e.high)) {
    const ym = (y + h / 2).toFixed(1);
    const lo = scale(clamp(e.low)).toFixed(1);
    const hi = scale(clamp(e.high)).toFixed(1);
    parts.push(
      `<line x1="${lo}" x2="${hi}" y1="${ym}" y2="${ym}" stroke="#1d2430" stroke-width="1.2"/>`,
      `<line x1="${lo}" x2="${lo}" y1="${y + 1}" y2="${y + h - 1}" stroke="#1d2430"/>`,
      `<line x1="${hi}" x2="${hi}" y1="${y + 1}" y2="${y + h - 1}" stroke="#1d2430"/>`,
    );
  }
  return parts.join('');
}

function figureChart(f: FigureSensitivity, params: readonly ParamRange[]): string {
  const h = TOP + params.length * ROW + 28;
  const LEFT = leftOf(params);
  const W = LEFT + PLOT + RIGHT;
  const scale = (x: number): number => Math.round((LEFT + x * PLOT) * 10) / 10;
  const grid = [0, 0.25, 0.5, 0.75, 1]
    .map(
      (t) =>
        `<line x1="${scale(t)}" x2="${scale(t)}" y1="${TOP - 6}" y2="${h - 22}" stroke="#e2e5ea"/>` +
        `<text x="${scale(t)}" y="${h - 8}" text-anchor="middle" font-size="11" fill="#5b6472">${t}</text>`,
    )
    .join('');
  const rows = params
    .map((p, i) => {
      const y = TOP + i * ROW;
      return (
        `<text x="${LEFT - 8}" y="${y + 17}" text-anchor="end" font-size="12" fill="#1d2430">${escapeHtml(p.path)}</text>` +
        bar(f.indices.first[i]!, y + 2, 12, COLORS.first, scale) +
        bar(f.indices.total[i]!, y + 16, 12, COLORS.total, scale)
      );
    })
    .join('');
  return (
    `<div><h3>${escapeHtml(f.label)}</h3>\n<svg data-chart="sobol" data-figure="${escapeHtml(f.figure)}" viewBox="0 0 ${W} ${h}" width="${W}" height="${h}" role="img" aria-label="Sobol indices of ${escapeHtml(f.label)}">` +
    `${grid}${rows}</svg></div>`
  );
}

/** The section, to be placed in the page's main column. */
export function sensitivitySection(
  s: readonly FigureSensitivity[],
  params: readonly ParamRange[],
  n: number,
  seeds: number,
): string {
  const legend =
    `<span style="color:${COLORS.first}">■</span> first order S<sub>i</sub> (the parameter alone) &nbsp; ` +
    `<span style="color:${COLORS.total}">■</span> total order ST<sub>i</sub> (with its interactions); whiskers: 95% bootstrap intervals`;
  const ranges = params.map((p) => `${escapeHtml(p.path)} ${p.min}–${p.max}`).join(', ');
  return `<section class="card sensitivity">
<h2>Sensitivity: Sobol indices</h2>
<p class="note">Saltelli design, N = ${n} base samples × ${seeds} seed${seeds === 1 ? '' : 's'} per point (a point's figure is its mean over the seeds); ranges: ${ranges}. Also in sensitivity.csv.</p>
<p class="note">${legend}. The axis runs from 0 to 1: an estimate or interval beyond it (sampling noise) is drawn at its end.</p>
<div style="display:grid;grid-template-columns:repeat(auto-fill,minmax(${leftOf(params) + PLOT + RIGHT}px,1fr));gap:0 24px">
${s.map((f) => figureChart(f, params)).join('\n')}
</div>
</section>
`;
}
