// The compliance cycle of a market: covered entities, output-based allocation, surrender with vintage and offset
// rules, settlement with fines and deductions, the banking cap, and reports.

export {
  type AllocationPlan,
  type AllocationResult,
  type AllocationStep,
  benchmarkAllocationT,
  cycleAllocationT,
  preAllocate,
  preAllocateAll,
  trueUp,
  trueUpAll,
  vintageInstrument,
} from './allocation.ts';
export {
  applyBankingCap,
  type BankingCancellation,
  type BankingResult,
  bankingCapT,
  vintagesUpTo,
} from './banking.ts';
export {
  ComplianceBook,
  type ComplianceContext,
  type CycleSurrender,
  findCycle,
  openCompliance,
  type PendingDeduction,
  type Settlement,
  type YearAllocation,
} from './book.ts';
export { type CoveredEntity, coveredIn, EntityRegistry } from './entities.ts';
export {
  type AveragePrice,
  averagePrice,
  fineFen,
  type MonthlyPriceFen,
  multipleHundredths,
  priceWindow,
  type SettleOptions,
  settleCycle,
} from './penalty.ts';
export {
  type ComplianceStatus,
  type CycleReport,
  cycleReport,
  type EntityReport,
  entityReport,
  type GroupSummary,
  summarize,
  summarizeBy,
} from './report.ts';
export {
  type Obligation,
  obligation,
  offsetCapT,
  type SurrenderKind,
  type SurrenderResult,
  shareOfBps,
  surrender,
  usableAs,
} from './surrender.ts';
