// Writes a run folder: summary.json, bars.csv (daily bars per market, instrument and mode), entities.csv and
// sectors.csv (compliance), events.json (the event log), manifest.json, daily.csv and trades.csv; the command line
// adds report.html (src/cli/run-files.ts: the store writes files, it does not render pages). Files are written to a
// temporary name and renamed, so a folder never holds half a file.
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fenToCny } from '../market/money.ts';
import { longRows } from '../sim/daily-long.ts';
import type { RunResult } from '../sim/run.ts';
import { tradeLogCsv } from '../sim/trade-csv.ts';

const price = (fen: number | null): string => (fen === null ? '' : fenToCny(fen));

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
        fenToCny(b.turnoverFen),
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

/** daily.csv: the daily series in long form (src/sim/daily-long.ts): date, market, instrument, variable, value. */
export function dailyLongCsv(r: RunResult): string {
  const lines = ['date,market,instrument,variable,value'];
  for (const x of longRows(r.summary)) lines.push(`${x.date},${x.market},${x.instrument},${x.variable},${x.value}`);
  return `${lines.join('\n')}\n`;
}

/** trades.csv: the run's trade log (cets run --trades), one row per trade in the order made. */
export const tradesCsv = (r: RunResult): string => tradeLogCsv(r.trades);

/** The run's data files, name -> content (the command line adds report.html: src/cli/run-files.ts). */
export function runDataFiles(r: RunResult): Map<string, string> {
  const files = new Map<string, string>();
  files.set('summary.json', `${JSON.stringify(r.summary, null, 2)}\n`);
  files.set('bars.csv', barsCsv(r));
  files.set('entities.csv', entitiesCsv(r));
  files.set('sectors.csv', sectorsCsv(r));
  files.set('events.json', `${JSON.stringify(r.events, null, 2)}\n`);
  files.set('manifest.json', `${JSON.stringify(r.manifest, null, 2)}\n`);
  files.set('daily.csv', dailyLongCsv(r));
  if (r.trades.length > 0) files.set('trades.csv', tradesCsv(r));
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
