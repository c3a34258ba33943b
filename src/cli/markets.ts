// `cets markets [id]`: the catalogue as loaded and validated at start-up, so a user can see which rules apply.
import type { MarketSpec } from '../market/catalogue/schema.ts';
import { type Catalogue, marketById } from '../store/catalogue-files.ts';
import { cny, table, tonnes } from './format.ts';

const pct = (bps: number): string => `${bps / 100}%`;
const hours = (s: readonly (readonly [string, string])[]): string => s.map(([a, b]) => `${a}-${b}`).join(', ');

export function listMarkets(cat: Catalogue, out: (line: string) => void): void {
  const rows = cat.markets.map((m) => [
    m.id,
    m.name,
    m.modes.listed.matching === 'best-n' ? `best ${m.modes.listed.listedDepth}` : m.modes.listed.matching,
    `±${pct(m.modes.listed.bandBps)}`,
    m.modes.block === null ? '-' : `≥${tonnes(m.modes.block.minQtyT)} t ±${pct(m.modes.block.bandBps)}`,
    pct(m.modes.listed.feeBps),
    m.offsets === null ? '-' : `${pct(m.offsets.capBps)} of ${m.offsets.capBasis}`,
    m.instruments.map((i) => i.id).join(' '),
  ]);
  for (const l of table(['id', 'name', 'listed', 'band', 'block', 'fee/side', 'offsets', 'instruments'], rows)) out(l);
  out('');
  out(`${cat.markets.length} markets loaded from data/markets and validated; \`cets markets <id>\` shows one in full.`);
}

export function showMarket(cat: Catalogue, id: string, out: (line: string) => void): boolean {
  const m: MarketSpec | undefined = marketById(cat, id);
  if (m === undefined) {
    out(`cets: no market "${id}". Known: ${cat.markets.map((x) => x.id).join(', ')}`);
    return false;
  }
  const l = m.modes.listed;
  out(`${m.name} (${m.nameZh}), ${m.exchange}; opened ${m.opened}`);
  out(`instruments: ${m.instruments.map((i) => `${i.id} (${i.name}, from ${i.listedFrom})`).join('; ')}`);
  out(
    `listed: ${hours(l.sessions)}; ${l.matching === 'best-n' ? `taker picks among the best ${l.listedDepth} levels` : l.matching === 'best-price' ? 'price-time priority, an order trades only at the best opposite price' : 'price-time priority'}; band ±${pct(l.bandBps)}; tick ${cny(l.tickFen)}; ${tonnes(l.minQtyT)}-${tonnes(l.maxQtyT)} t; fee ${pct(l.feeBps)} per side`,
  );
  const b = m.modes.block;
  out(
    b === null
      ? 'block: none'
      : `block: ${hours(b.sessions)}; at least ${tonnes(b.minQtyT)} t; band ±${pct(b.bandBps)}; fee ${pct(b.feeBps)} per side`,
  );
  const a = m.modes.auction;
  out(
    a === null
      ? 'one-way auction: none'
      : `one-way auction: ${a.allocation}; minimum bid ${tonnes(a.minBidT)} t; fee ${pct(a.feeBps)} per side`,
  );
  const th = m.close.previousCloseIfListedVolumeAtMostT;
  out(
    `close: VWAP of the day's listed trades; previous close when listed volume ${th === 0 ? 'is zero' : `is ${tonnes(th)} t or less`}`,
  );
  out(
    `resale: T+${m.resaleLockDays}; participants: ${Object.entries(m.participants)
      .filter(([, v]) => v)
      .map(([k]) => k)
      .join(', ')}`,
  );
  if (m.offsets !== null)
    out(
      `offsets: up to ${pct(m.offsets.capBps)} of the ${m.offsets.capBasis}${m.offsets.localMinBps > 0 ? `, at least ${pct(m.offsets.localMinBps)} local` : ''}; usable: ${m.offsets.usable.map((u) => `${u.instrument}${u.usableFrom ? ` from ${u.usableFrom}` : ''}${u.usableUntil ? ` until ${u.usableUntil}` : ''}`).join(', ')}`,
    );
  if (m.compliance !== null) {
    const c = m.compliance;
    out(
      `compliance: pre-allocation ${pct(c.preAllocationBps)}; deadlines ${c.cycles.map((x) => `${x.id} by ${x.deadline}`).join(', ')}`,
    );
    out(
      `penalty: ${c.penalty.multipleMin === c.penalty.multipleMax ? `${c.penalty.multipleMin}x` : `${c.penalty.multipleMin}-${c.penalty.multipleMax}x (default ${c.penalty.multipleDefault}x)`} the average price of ${c.penalty.priceWindowMonths} month(s) to the deadline x tonnes short${c.penalty.deductShortfall ? '; shortfall deducted from next allocation' : ''}`,
    );
    if (c.banking !== null)
      out(
        `banking after ${c.banking.appliesAfterCycle}: at most ${tonnes(c.banking.baseT)} t + ${c.banking.netSalesMultipleBps / 10_000} x net sales ${c.banking.windowFromYear}-${c.banking.windowToYear}`,
      );
  }
  out('sources:');
  for (const s of m.sources) out(`  - ${s}`);
  if (m.notes.length > 0) {
    out('assumptions:');
    for (const n of m.notes) out(`  - ${n}`);
  }
  return true;
}
