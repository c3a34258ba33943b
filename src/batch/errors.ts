// Batch error codes beside the simulator's SIM_ERR_* (src/sim/errors.ts): what goes wrong around a run rather than in
// it. Codes are a public contract (they land in failed/<run>.json and in scripts): never rename, only add.
export const BatchCode = {
  /** The worker thread running the job died (out of memory, a native crash): recorded as the run's failure. */
  WorkerCrash: 'BATCH_ERR_WORKER_CRASH',
  /** A queue worker's code or data differs from the coordinator's: it refuses the job, which is not retried. */
  Fingerprint: 'BATCH_ERR_FINGERPRINT',
  /** A queue job whose workers kept dying under it (stalled more often than allowed). */
  Stalled: 'BATCH_ERR_STALLED',
  /** The queue (Redis) cannot be reached or answers wrongly. */
  Queue: 'BATCH_ERR_QUEUE',
  /** Batch folders that cannot be merged: other plans, or the same run with other results. */
  Merge: 'BATCH_ERR_MERGE',
} as const;
export type BatchCode = (typeof BatchCode)[keyof typeof BatchCode];

export class BatchError extends Error {
  readonly code: BatchCode;
  constructor(code: BatchCode, message: string) {
    super(message);
    this.name = 'BatchError';
    this.code = code;
  }
}
