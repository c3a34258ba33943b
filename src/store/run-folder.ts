// Writes a run folder: summary.json, bars.csv (daily bars per market, instrument and mode), entities.csv and
// sectors.csv (compliance), events.json (the event log), manifest.json and report.html. Files are written to a
// temporary name and renamed, so a folder never holds half a file.
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fenToYuan } from '../market/money.ts';
import { loadReportAssets } from '../report/assets.ts';
import { renderRunReport } from '../report/run-report.ts';
import type { RunResult } from '../sim/run.ts';

const price = (fen: number | null): string => (fen === null ? '' : fenToYuan(fen));

export function barsCsv(r: RunResult): string {
  const lines = ['date,market,instrument,mode,open,high,low,close,vwap,volumeT,turnoverCny,trades'];
  for (const b of r.bars) {
    if (b.mode !== 'listed' && b.volumeT === 0) continue;
    lines.push(
      [
        b.date,
        b.marketId,
        b.instrumentId,
        b.mode,
        price(b.openFen),
        price(b.highFen),
        price(b.lowFen),
        price(b.closeFen),
        price(b.vwapFen),
        b.volumeT,
        fenToYuan(b.turnoverFen),
        b.trades,
      ].join(','),
    );
  }
  return `${lines.join('\n')}\n`;
}

export function entitiesCsv(r: RunResult): string {
  const cols = [
    'entityId',
    'marketId',
    'sector',
    'cycleId',
    'verifiedT',
    'allocatedT',
    'surrenderedT',
    'offsetsT',
    'shortfallT',
    'fineCny',
    'status',
    'netCostCny',
    'abatedT',
  ] as const;
  return `${[cols.join(','), ...r.entities.map((e) => cols.map((c) => e[c]).join(','))].join('\n')}\n`;
}

export function sectorsCsv(r: RunResult): string {
  const cols = [
    'marketId',
    'sector',
    'cycleId',
    'entities',
    'verifiedT',
    'allocatedT',
    'surrenderedT',
    'offsetsT',
    'shortfallT',
    'complianceRate',
    'fineCny',
    'netCostCny',
  ] as const;
  return `${[cols.join(','), ...r.summary.compliance.map((e) => cols.map((c) => e[c]).join(','))].join('\n')}\n`;
}

/** Every file of the run folder, name -> content. */
export function runFiles(r: RunResult, withReport = true): Map<string, string> {
  const files = new Map<string, string>();
  files.set('summary.json', `${JSON.stringify(r.summary, null, 2)}\n`);
  files.set('bars.csv', barsCsv(r));
  files.set('entities.csv', entitiesCsv(r));
  files.set('sectors.csv', sectorsCsv(r));
  files.set('events.json', `${JSON.stringify(r.events, null, 2)}\n`);
  files.set('manifest.json', `${JSON.stringify(r.manifest, null, 2)}\n`);
  if (withReport)
    files.set('report.html', renderRunReport({ summary: r.summary, events: r.events, assets: loadReportAssets() }));
  return files;
}

export function writeRunFolder(dir: string, files: ReadonlyMap<string, string>): void {
  mkdirSync(dir, { recursive: true });
  for (const [name, text] of files) {
    const tmp = join(dir, `.${name}.tmp`);
    writeFileSync(tmp, text);
    renameSync(tmp, join(dir, name));
  }
}
