// What the agents of one market believe about its scarcity, from public information only, and the value of an
// allowance that follows from it. docs/model.md has the equations with their sources; in short:
//
// The current cycle (its emissions verified, nothing left to abate) has a net position
//     X0 = allowances held by everyone + usable offsets held − obligations still to surrender.
// What is left after its deadline is carried forward, at most the banking cap of every entity plus what accounts
// without an obligation hold:  K = min(X0, carryCapT).
// Over the H years after the current cycle, year y has a deficit at price path p_y
//     D_y(p_y) = Σ_s w_s,y · [ BAU_s,y · (1 − a_s(p_y) · open_y) − A_s,y ] − O_y
// (BAU baseline, A free allocation, a_s the sector's abated share from its MAC curve, times n_y, the number of
// calendar years from the run's first to y in which abating pays (measures taken stay taken, and each year opens another
// year's worth on the same curve: abatement builds up over the horizon instead of starting afresh each year; counted
// from the run's first year, what was abated before the run being in the baseline; a year allocated at the sector's
// emissions builds nothing), open_y the share of year y not
// yet emitted; the part already emitted was abated at the valuations that held then, booked day by day by bookDay,
// and before the run at the opening price, w_s,y 1 for a covered sector and the credibility of an announced one, O_y expected usable offsets).
// With free banking inside the horizon the price rises at the discount rate r (Hotelling): p_y = p · (1 + r)^t_y.
// The horizon's emissions are uncertain: the part of year y still open emits BAU · exp(σ √τ_y · z) (τ_y the years
// to the end of y, z standard normal; σ the yearly uncertainty of emissions against allocation). For each outcome z
// the clearing price is the least p at which Σ_y D_y(p_y) ≤ K (0 when it clears at no price; the ceiling when
// abatement cannot close it), and the value of a bankable allowance today is its expectation over z (7-point
// Gauss–Hermite). A market balanced on average is still worth something: the chance that it turns out short.
// If the current cycle itself is short (X0 < 0), some firms cannot comply whatever they pay: the penalty deducts
// their shortfall from the next allocation, so the shortage is carried into the horizon as a deficit (K = X0 < 0).
// What a short firm pays before that is bounded by the fine plus the deducted tonne (each firm's own bound,
// ComplianceAgent); the fine, proportional to the price itself, sets no market level (P ≤ f·P + P' has no finite
// bound for f ≥ 1), so it is not part of the value.
// Nothing here reads a price path: the inputs are quantities (emissions, allocation, holdings, offsets), rules
// (banking cap, penalty) and behavioural parameters (MAC scale, discount rate, horizon, credibility).

import { civilFromDays, dayNumber } from '../../market/time.ts';
import { type SectorMac, sectorCurve, sectorShare } from './mac.ts';

/** One sector's path over the years the outlook looks at. */
export interface SectorPath {
  readonly id: string;
  readonly mac: SectorMac;
  /** Business-as-usual emissions by year, tonnes. */
  readonly bauT: Map<number, number>;
  /** Free allocation by year (at the plan's ratio before any announced change), tonnes. */
  readonly allocT: Map<number, number>;
  /** Weight of the sector by year: 1 covered, the credibility of an announced coverage, 0 not covered. */
  readonly weight: Map<number, number>;
  /**
   * Years whose allocation follows the sector's emissions of that year (a first compliance year, allocated its
   * verified emissions; a plan's first phase that keeps surpluses and shortfalls within narrow limits): whatever it
   * emits, it is allocated about as much, so the year adds no deficit and abating in it earns nothing.
   */
  readonly matchedYears: Set<number>;
}

export interface OutlookParams {
  readonly macScale: number;
  /** Yearly discount rate (0.05: 5 %). */
  readonly discountRate: number;
  /** Years after the current cycle the agents look ahead. */
  readonly horizonYears: number;
  /** The search's ceiling, fen. */
  readonly ceilingFen: number;
  /** Uncertainty of emissions against allocation (intensity against benchmark), per year, log standard deviation. */
  readonly balanceSigma: number;
}

/**
 * Gauss–Hermite nodes and weights for a standard normal (7 points): the value is the expectation over the balance's
 * uncertainty of the price that clears each outcome.
 */
const NODES = [
  -3.750439717725742, -2.366759410734541, -1.154405394739968, 0, 1.154405394739968, 2.366759410734541,
  3.750439717725742,
];
const WEIGHTS = [
  0.000548268855972, 0.030757123967586, 0.240123178605013, 0.457142857142857, 0.240123178605013, 0.030757123967586,
  0.000548268855972,
];

/** An announced change of the allocation ratio: × (1 − cutPerYear)^(y − fromYear + 1) for y ≥ fromYear. */
interface Tightening {
  readonly sectors: readonly string[] | null;
  readonly fromYear: number;
  readonly cutPerYear: number;
  readonly weight: number;
}

export interface Balance {
  /** Expected shortage added by news (scenario `news` events, inferred by `cets replay`), tonnes. */
  readonly newsT: number;
  /** Net position of the current cycle, tonnes (negative: short). */
  readonly currentT: number;
  /** Carried into the horizon, tonnes. */
  readonly carryT: number;
  /** Expected deficit of each horizon year at the value found, tonnes (negative: a surplus). */
  readonly years: readonly { readonly year: number; readonly deficitT: number; readonly abatedT: number }[];
}

export class MarketOutlook {
  readonly sectors: SectorPath[];
  private readonly p: OutlookParams;
  /** The years of the current cycle (their emissions are fixed). */
  private readonly cycleYears: readonly number[];
  private readonly tightenings: Tightening[] = [];
  /** Expected usable offsets per year, tonnes (by offsetFactor already). */
  private readonly offsetsT = new Map<number, number>();
  /** Offset cap, share of a year's obligations. */
  private readonly offsetCap: number;
  private readonly offsetFactor: number;
  /** Calendar year of the run's first day: abatement builds up from it. */
  private readonly startYear: number;
  /** Tonnes abated in the elapsed part of each year (weighted by coverage), booked by bookDay. */
  private readonly bookedT = new Map<number, number>();
  private bookedUntil: number | null = null;
  /** The last value found and its balance (for outputs). */
  lastFen = 0;
  lastBalance: Balance = { newsT: 0, currentT: 0, carryT: 0, years: [] };
  /**
   * Expected shortage over the horizon that news has added, tonnes: public information not otherwise in the model
   * (a statement, a rumour of a plan) in the belief's own unit. It enters the clearing condition as a deficit.
   */
  private newsT = 0;

  constructor(
    sectors: SectorPath[],
    cycleYears: readonly number[],
    p: OutlookParams,
    offsetCapBps: number,
    offsetFactor: number,
    startYear: number,
  ) {
    this.startYear = startYear;
    this.sectors = sectors;
    this.cycleYears = cycleYears;
    this.p = p;
    this.offsetCap = offsetCapBps / 10_000;
    this.offsetFactor = offsetFactor;
  }

  /**
   * Books the abatement of the calendar days since the last booking up to `today`, at the valuation that held over
   * them (fen). The first call books everything of the current year before `today` at that price (the opening price:
   * an initial condition).
   */
  bookDay(today: number, valueFen: number): void {
    const from = this.bookedUntil;
    this.bookedUntil = today;
    const start = from ?? today - dayOfYear(today);
    for (let d = start; d < today; d++) {
      const y = yearOf(d);
      let t = 0;
      for (const s of this.sectors) {
        const w = s.weight.get(y) ?? 0;
        if (w === 0 || s.matchedYears.has(y)) continue;
        t +=
          (w * (s.bauT.get(y) ?? 0) * Math.min(MAX_SHARE, sectorShare(valueFen, s.mac, this.p.macScale))) / daysIn(y);
      }
      this.bookedT.set(y, (this.bookedT.get(y) ?? 0) + t);
    }
  }

  /** The horizon: the H years after the current cycle's last year. */
  horizon(): number[] {
    const last = this.cycleYears.length === 0 ? 0 : Math.max(...this.cycleYears);
    const ys: number[] = [];
    for (let i = 1; i <= this.p.horizonYears; i++) ys.push(last + i);
    return ys;
  }

  /**
   * News: sectors announced for coverage from a year, believed with this weight (0..1); through balancedThrough (if
   * given) their allocation follows their emissions (matchedYears).
   */
  announceCoverage(sectorIds: readonly string[], fromYear: number, weight: number, balancedThrough?: number): void {
    for (const s of this.sectors)
      if (sectorIds.includes(s.id))
        for (const y of s.bauT.keys()) {
          if (y < fromYear) continue;
          s.weight.set(y, Math.max(s.weight.get(y) ?? 0, weight));
          if (balancedThrough !== undefined && y <= balancedThrough) s.matchedYears.add(y);
        }
  }

  /** News: the allocation of these sectors (null: all) tightens by cutPerYear a year from fromYear. */
  announceTightening(sectorIds: readonly string[] | null, fromYear: number, cutPerYear: number, weight: number): void {
    this.tightenings.push({ sectors: sectorIds, fromYear, cutPerYear, weight });
  }

  /** News: credits expected to be issued each year from fromYear (tonnes a year). */
  announceOffsets(tonnesPerYear: number, fromYear: number): void {
    for (const y of this.horizonAll())
      if (y >= fromYear) this.offsetsT.set(y, (this.offsetsT.get(y) ?? 0) + tonnesPerYear * this.offsetFactor);
  }

  /** News: the expected shortage over the horizon changes by shortageT tonnes (negative: longer). */
  addNews(shortageT: number): void {
    this.newsT += shortageT;
  }

  /** The news added so far, tonnes. */
  get news(): number {
    return this.newsT;
  }

  /**
   * The news (whole tonnes, added to what there is) that makes today's value `targetFen`, and sets it: the inverse of
   * value() in its news term, which raises the value monotonically. A bracket grows from 10 Mt by doubling, then
   * halves to a tonne. A target the value cannot reach (at or below 0, at or above the ceiling) takes the nearest end.
   */
  solveNews(today: number, x0T: number, carryCapT: number, targetFen: number): number {
    const base = this.newsT;
    const at = (c: number): number => {
      this.newsT = base + c;
      return this.value(today, x0T, carryCapT);
    };
    let lo = 0;
    let hi = 0;
    let step = 1e7;
    if (at(0) < targetFen) {
      hi = step;
      while (at(hi) < targetFen && hi < 1e11) {
        lo = hi;
        step *= 2;
        hi += step;
      }
    } else {
      lo = -step;
      while (at(lo) >= targetFen && lo > -1e11) {
        hi = lo;
        step *= 2;
        lo -= step;
      }
    }
    while (hi - lo > 1) {
      const mid = Math.floor((lo + hi) / 2);
      if (at(mid) < targetFen) lo = mid;
      else hi = mid;
    }
    const c = Math.round(hi);
    at(c);
    return c;
  }

  /** What the offset cap would take in a year: cap x the covered sectors' expected emissions, tonnes. */
  offsetRoomT(year: number): number {
    let t = 0;
    for (const s of this.sectors) t += (s.weight.get(year) ?? 0) * (s.bauT.get(year) ?? 0);
    return this.offsetCap * t;
  }

  private horizonAll(): number[] {
    const ys = new Set<number>();
    for (const s of this.sectors) for (const y of s.bauT.keys()) ys.add(y);
    return [...ys].sort((a, b) => a - b);
  }

  private allocation(s: SectorPath, year: number): number {
    let a = s.allocT.get(year) ?? 0;
    for (const t of this.tightenings)
      if ((t.sectors === null || t.sectors.includes(s.id)) && year >= t.fromYear)
        a *= 1 - t.weight * (1 - (1 - t.cutPerYear) ** (year - t.fromYear + 1));
    return a;
  }

  /**
   * The value of an allowance today (fen), given the current cycle's net position x0T and the most that can be
   * carried past its deadline (carryCapT).
   */
  value(today: number, x0T: number, carryCapT: number): number {
    const years = this.horizon();
    // A short cycle carries its shortage forward: the penalty deducts it from the next allocation.
    const carry = Math.min(x0T, carryCapT);
    const r = this.p.discountRate;
    // Per horizon year and covered sector, what the search needs, worked out once (the search evaluates the
    // deficits some 150 times a morning): weight × BAU, allocation, and the share curve a(p) = coef · p^(1/γ).
    const n = years.length;
    const growth = new Float64Array(n);
    const open = new Float64Array(n);
    const spread = new Float64Array(n);
    const fixed = new Float64Array(n);
    const offsets = new Float64Array(n);
    const bauW: number[][] = [];
    const coef: number[][] = [];
    const invG: number[][] = [];
    for (let i = 0; i < n; i++) {
      const y = years[i]!;
      growth[i] = (1 + r) ** Math.max(0, (dayNumber(`${y}-07-01`) - today) / 365);
      open[i] = openShare(y, today);
      // Years still open are uncertain: by the end of year y, emissions against allocation have drifted by a log
      // normal of standard deviation sigma * sqrt(years from now to then).
      spread[i] = this.p.balanceSigma * Math.sqrt(Math.max(0, (dayNumber(`${y + 1}-01-01`) - today) / 365));
      const rowB: number[] = [];
      const rowC: number[] = [];
      const rowG: number[] = [];
      let alloc = 0;
      for (const s of this.sectors) {
        const w = s.weight.get(y) ?? 0;
        if (w === 0 || s.matchedYears.has(y)) continue;
        const curve = sectorCurve(s.mac, this.p.macScale);
        rowB.push(w * (s.bauT.get(y) ?? 0));
        rowC.push(curve.coef * pricedYears(s, this.startYear, y));
        rowG.push(curve.invExponent);
        alloc += w * this.allocation(s, y);
      }
      bauW.push(rowB);
      coef.push(rowC);
      invG.push(rowG);
      fixed[i] = alloc + (open[i]! < 1 ? (this.bookedT.get(y) ?? 0) : 0);
      offsets[i] = this.offsetsT.get(y) ?? 0;
    }
    /** Deficit of year i at today's price p and outcome z; abated tonnes into scratch[0]. */
    const scratch = new Float64Array(1);
    const deficit = (i: number, p: number, shock: number): number => {
      const py = p * growth[i]!;
      const o = open[i]!;
      let emitted = 0;
      let abated = 0;
      const B = bauW[i]!;
      const C = coef[i]!;
      const G = invG[i]!;
      for (let k = 0; k < B.length; k++) {
        const bau = B[k]! * (1 - o + o * shock);
        const share = py > 0 ? C[k]! * py ** G[k]! : 0;
        const a = bau * (share < MAX_SHARE ? share : MAX_SHARE) * o;
        emitted += bau - a;
        abated += a;
      }
      scratch[0] = abated;
      const off = offsets[i]!;
      const capped = this.offsetCap * emitted;
      return emitted - fixed[i]! - (off < capped ? off : capped);
    };
    // The multiplier of each open year's emissions in outcome z: filled once per outcome, not per evaluation.
    const shocks = new Float64Array(n);
    const excess = (p: number): number => {
      let sum = this.newsT - carry;
      for (let i = 0; i < n; i++) sum += deficit(i, p, shocks[i]!);
      return sum;
    };
    const clear = (z: number): number => {
      for (let i = 0; i < n; i++) shocks[i] = z === 0 ? 1 : Math.exp(spread[i]! * z);
      if (excess(0) <= 0) return 0;
      if (excess(this.p.ceilingFen) > 0) return this.p.ceilingFen;
      let lo = 0;
      let hi = this.p.ceilingFen;
      // 26 halvings: under a hundredth of a fen of a 1,000 CNY ceiling.
      for (let k = 0; k < 26; k++) {
        const mid = (lo + hi) / 2;
        if (excess(mid) > 0) lo = mid;
        else hi = mid;
      }
      return hi;
    };
    // Without uncertainty the expectation is the one outcome z = 0.
    let fen = 0;
    if (this.p.balanceSigma === 0) fen = clear(0);
    else for (let k = 0; k < NODES.length; k++) fen += WEIGHTS[k]! * clear(NODES[k]!);
    const horizonYears = years.map((y, i) => {
      const d = deficit(i, fen, 1);
      const booked = open[i]! < 1 ? (this.bookedT.get(y) ?? 0) : 0;
      return { year: y, deficitT: Math.round(d), abatedT: Math.round(scratch[0]! + booked) };
    });
    this.lastBalance = { newsT: this.newsT, currentT: Math.round(x0T), carryT: Math.round(carry), years: horizonYears };
    this.lastFen = fen;
    return fen;
  }
}

function yearOf(day: number): number {
  return civilFromDays(day)[0];
}

function dayOfYear(day: number): number {
  return day - dayNumber(`${yearOf(day)}-01-01`);
}

function daysIn(year: number): number {
  return dayNumber(`${year + 1}-01-01`) - dayNumber(`${year}-01-01`);
}

/**
 * Measures persist: the n-th priced calendar year of the run can draw on n years' worth of them (see the header),
 * counted from the run's first year, so that a new year does not forget what the last one built. A year whose
 * allocation follows the sector's emissions (matchedYears) builds nothing: abating in it earns nothing.
 */
function pricedYears(s: SectorPath, startYear: number, year: number): number {
  let n = 0;
  for (let y = startYear; y <= year; y++) if (!s.matchedYears.has(y)) n++;
  return Math.max(1, n);
}

/** The most of a sector's emissions the outlook lets abatement take in one year, however far ahead. */
const MAX_SHARE = 0.5;

/** Share of calendar year y not yet past on day `today` (day numbers). */
export function openShare(year: number, today: number): number {
  const start = dayNumber(`${year}-01-01`);
  const end = dayNumber(`${year + 1}-01-01`);
  return Math.min(1, Math.max(0, (end - today) / (end - start)));
}
