// The chart library the reports inline: uPlot's browser build and stylesheet, read from node_modules once per call.
// Reports are single files with no network access, so the library travels inside each one (about 53 kB).
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

export interface ReportAssets {
  /** uPlot's IIFE build: defines the global `uPlot`. */
  readonly js: string;
  readonly css: string;
}

export function loadReportAssets(): ReportAssets {
  const require = createRequire(import.meta.url);
  return {
    js: readFileSync(require.resolve('uplot/dist/uPlot.iife.min.js'), 'utf8'),
    css: readFileSync(require.resolve('uplot/dist/uPlot.min.css'), 'utf8'),
  };
}
