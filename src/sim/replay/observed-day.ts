// A day of a market as published (or given by the user): what replays are fitted to and reports draw over a run.
// Parsed from files by src/store/observed-files.ts; a plain record here so the report and the CLI read it without
// reaching into the store.

/** One observed trading day. Prices and turnover in fen, volumes in tonnes; a field is absent when the file lacks it. */
export interface ObservedDay {
  readonly date: string;
  readonly closeFen: number;
  readonly openFen?: number;
  readonly highFen?: number;
  readonly lowFen?: number;
  /** Listed and block together: the file's total column, else listed + block when the day gives both. */
  readonly volumeT?: number;
  readonly listedVolumeT?: number;
  readonly blockVolumeT?: number;
  /** Listed and block together, like volumeT. */
  readonly turnoverFen?: number;
  readonly listedTurnoverFen?: number;
  readonly blockTurnoverFen?: number;
  /** 1-based line in the file. */
  readonly line: number;
}
