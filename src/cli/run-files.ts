// A run folder as the command line writes it: the store's data files (src/store/run-folder.ts) and report.html,
// rendered here where the adapters meet, so the store never renders a page and the report never reads the store.
import type { MarketSpec } from '../market/catalogue/schema.ts';
import { loadReportAssets } from '../report/assets.ts';
import { type RunReportInput, renderRunReport } from '../report/run-report.ts';
import type { RunResult } from '../sim/run.ts';
import { runDataFiles } from '../store/run-folder.ts';

/** What report.html shows besides the run: observed days, the seeds' band, overlays, published figures, deadlines. */
export type ReportExtras = Omit<RunReportInput, 'summary' | 'events' | 'assets'>;

/** Every file of the run folder, name -> content: the data files and report.html (see RunReportInput). */
export function runFiles(r: RunResult, report: ReportExtras = {}): Map<string, string> {
  const files = runDataFiles(r);
  files.set(
    'report.html',
    renderRunReport({ ...report, summary: r.summary, events: r.events, assets: loadReportAssets() }),
  );
  return files;
}

/** The compliance deadline of every cycle of every market, for the report: market id -> cycle id -> YYYY-MM-DD. */
export function cycleDeadlines(markets: readonly MarketSpec[]): Record<string, Record<string, string>> {
  const out: Record<string, Record<string, string>> = {};
  for (const m of markets) {
    const cycles = m.compliance?.cycles ?? [];
    if (cycles.length > 0) out[m.id] = Object.fromEntries(cycles.map((c) => [c.id, c.deadline]));
  }
  return out;
}
