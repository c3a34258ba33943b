// Marginal abatement cost (MAC) curves, one per sector (data/abatement/sectors.json, with sources). Within a year a
// sector can abate a share s of its baseline emissions at the marginal cost
//
//   MAC(s) = c · (s / 0.01)^γ        (CNY per tonne; c the cost of the first 1 %, γ ≥ 1 its curvature)
//
// so at a carbon price p it abates s(p) = 0.01 · (p / c)^(1/γ), at most maxShare. A firm's cost scale is drawn around
// its sector's, c_i = k · c · exp(σ z_i) (k: the scenario's fitted macScale), so the sector's mean share at p is
// 0.01 · (p / (k c))^(1/γ) · E[exp(−σ z / γ)] = … · exp(σ² / (2 γ²)): what the market outlook sums.

export interface SectorMac {
  readonly costAt1PctCny: number;
  readonly exponent: number;
  readonly maxShareBps: number;
  readonly firmSigma: number;
  readonly baselineGrowthBpsPerYear: number;
}

export interface AbatementData {
  readonly sectors: Readonly<Record<string, SectorMac>>;
}

/** Share of baseline a firm with cost scale costAt1PctFen abates within a year at price priceFen. */
export function abatedShare(priceFen: number, costAt1PctFen: number, exponent: number, maxShare: number): number {
  if (!(priceFen > 0)) return 0;
  const s = 0.01 * (priceFen / costAt1PctFen) ** (1 / exponent);
  return s < maxShare ? s : maxShare;
}

/**
 * A sector's mean abated share at a price is coef · p^(1/γ), over firms whose cost scales are log-normal around k · c
 * (see header): coef = 0.01 · (k c)^(−1/γ) · exp(σ² / (2 γ²)), with c in fen. Not capped at maxShare: the cap bounds
 * what a firm does within the current year (its daily abatement); over the agents' horizon the curve goes on rising
 * past it (costlier measures: fuel switching, output), so a larger deficit costs a higher price, not a jump to the
 * value search's ceiling.
 */
export function sectorCurve(mac: SectorMac, macScale: number): { readonly coef: number; readonly invExponent: number } {
  const g = mac.exponent;
  const c = mac.costAt1PctCny * 100 * macScale;
  return { coef: 0.01 * c ** (-1 / g) * Math.exp((mac.firmSigma * mac.firmSigma) / (2 * g * g)), invExponent: 1 / g };
}

/** The sector's mean abated share at a price (fen): sectorCurve's coef · p^(1/γ). */
export function sectorShare(priceFen: number, mac: SectorMac, macScale: number): number {
  if (!(priceFen > 0)) return 0;
  const k = sectorCurve(mac, macScale);
  return k.coef * priceFen ** k.invExponent;
}
