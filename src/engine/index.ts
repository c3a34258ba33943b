export { Code, codeMessage, codeName } from './codes.ts';
export { bandEdges, checkEngineConfig, defaultEngineConfig, type EngineConfig } from './config.ts';
export { CancelReason, MatchMode, OrderType, SessionState, Side, Stp, Tif } from './constants.ts';
export { Engine, EngineError, type LevelView, type OrderView } from './engine.ts';
export { type EngineSink, NullSink } from './events.ts';
export type { EngineSnapshot, SnapshotOrder } from './snapshot.ts';
export { DayStats } from './stats.ts';
