// What a class looks back on at the end of a round: the home market's days (close, volume, and the model's fair
// value beside them), what happened (the news), each student's trading and outcome, the bots' part of the volume and
// how the class complied. Money in fen and quantities in tonnes (the server turns them into CNY); a plain object, so
// a round's debrief can be kept once its world is gone.
//
// The fair value is the market's public valuation, the one the simulator's morning update works out each trading day
// from the fundamentals (src/sim/fundamentals/daily.ts: the outlook's value of an allowance given the registry's net
// position, the allocation plan and the firms' abatement cost curves, followed at the adjustment rate). It is what
// the bots price from (each scales it by its own view) and what the firms abate against (a firm abates until its
// marginal abatement cost reaches its valuation), so it stands for both the model's fair value and the firms'
// average marginal abatement cost at the margin. The firms' own mean valuation (public x their mean view) differs from
// it only by the spread of views drawn once per run, which says nothing a class should read from a chart.
import { cstDate } from '../market/time.ts';
import type { Classroom } from './classroom.ts';
import type { ComplianceView, NewsItem } from './types.ts';

export interface DebriefDay {
  readonly date: string;
  /** The listed close, or null when the home instrument had none that day. */
  readonly closeFen: number | null;
  /** Tonnes of the home instrument traded that day, listed, block and auction together. */
  readonly volumeT: number;
  /** The model's public valuation that morning, or null when the market has none. */
  readonly fairValueFen: number | null;
}

export interface DebriefStudent {
  readonly studentId: number;
  readonly name: string;
  readonly firmName: string;
  readonly boughtT: number;
  readonly soldT: number;
  readonly status: ComplianceView['status'];
  readonly fineFen: number;
  readonly profitFen: number;
  readonly complianceCostFen: number;
}

export interface Debrief {
  readonly round: number;
  readonly practice: boolean;
  readonly marketId: string;
  readonly instrumentId: string;
  readonly days: readonly DebriefDay[];
  readonly events: readonly {
    readonly date: string;
    readonly tsMs: number;
    readonly title: string;
    readonly text: string;
    /** As the news item's (types.ts NewsItem): for a page to word it in its own language. */
    readonly kind?: NewsItem['kind'];
    readonly params?: NewsItem['params'];
    readonly titleZh?: string;
    readonly textZh?: string;
  }[];
  readonly students: readonly DebriefStudent[];
  /** The bots' trades in the home market (the government reserve's auction sales are not the bots'). */
  readonly bots: { readonly boughtT: number; readonly soldT: number; readonly shareOfVolumeBps: number };
  readonly compliance: {
    readonly met: number;
    readonly short: number;
    readonly open: number;
    readonly finesFen: number;
  };
}

/**
 * News titles that only say what kind of item it is: in classrooms made before news items had kinds, the simulator's
 * own announcements and settlements reached the news as "News" and "Settlement", and their text says what happened.
 */
const GENERIC_TITLES = new Set(['News', 'Settlement']);

/** The debrief of the round the classroom is in (its days closed so far). */
export function debriefOf(room: Classroom): Debrief {
  const { marketId, instrumentId } = room.homeMarket();
  const round = room.round();
  const session = room.session;
  const fair = session.result().fair.get(marketId)?.publicFen ?? [];
  const fairByDate = new Map(session.days.slice(0, fair.length).map((d, i) => [d, Math.round(fair[i]!)]));
  const byDate = new Map<string, { closeFen: number | null; volumeT: number }>();
  for (const b of room.bars(marketId)) {
    if (b.instrumentId !== instrumentId) continue;
    const d = byDate.get(b.date) ?? { closeFen: null, volumeT: 0 };
    d.volumeT += b.volumeT;
    if (b.mode === 'listed') d.closeFen = b.closeFen;
    byDate.set(b.date, d);
  }
  const days = [...byDate].map(([date, d]) => ({ date, ...d, fairValueFen: fairByDate.get(date) ?? null }));

  const positions = room.positions();
  const students = positions.map((p) => {
    let boughtT = 0;
    let soldT = 0;
    for (const f of room.studentFills(p.studentId)) {
      if (f.marketId !== marketId) continue;
      if (f.side === 'buy') boughtT += f.qtyT;
      else soldT += f.qtyT;
    }
    return {
      studentId: p.studentId,
      name: p.name,
      firmName: p.firmName,
      boughtT,
      soldT,
      status: p.status,
      fineFen: p.fineFen,
      profitFen: p.profitFen,
      complianceCostFen: p.complianceCostFen,
    };
  });

  const studentAccounts = new Set(room.studentList().map((s) => s.accountId));
  let volumeT = 0;
  let botBoughtT = 0;
  let botSoldT = 0;
  for (const t of room.trades(marketId)) {
    volumeT += t.qtyT;
    if (!studentAccounts.has(t.buyerId)) botBoughtT += t.qtyT;
    // An auction's seller is the government reserve.
    if (!studentAccounts.has(t.sellerId) && t.mode !== 'auction') botSoldT += t.qtyT;
  }
  const count = (s: ComplianceView['status']) => positions.filter((p) => p.status === s).length;
  return {
    round: round.number,
    practice: round.practice,
    marketId,
    instrumentId,
    days,
    events: room.news.map((n) => ({
      date: cstDate(n.tsMs),
      tsMs: n.tsMs,
      title: GENERIC_TITLES.has(n.title) && n.text !== '' ? n.text : n.title,
      text: n.text,
      // Only the fields the item has (a kept debrief is state: an undefined field would not survive a snapshot).
      ...(n.kind === undefined ? {} : { kind: n.kind }),
      ...(n.params === undefined ? {} : { params: n.params }),
      ...(n.titleZh === undefined ? {} : { titleZh: n.titleZh }),
      ...(n.textZh === undefined ? {} : { textZh: n.textZh }),
    })),
    students,
    bots: {
      boughtT: botBoughtT,
      soldT: botSoldT,
      shareOfVolumeBps: volumeT === 0 ? 0 : Math.round((10_000 * (botBoughtT + botSoldT)) / (2 * volumeT)),
    },
    compliance: {
      met: count('met'),
      short: count('short'),
      open: count('open'),
      finesFen: positions.reduce((s, p) => s + p.fineFen, 0),
    },
  };
}
