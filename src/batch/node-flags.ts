// The V8 flags a batch process runs with (bin/cets.js starts `cets batch` again with them when they are missing;
// bench:sim starts its batches with them). A batch runs one busy worker thread per core by default, so V8's own
// background threads (concurrent compilers, parallel and concurrent garbage collection) find no idle core: they
// preempt the workers, and a worker whose collection waits for a preempted helper waits out its time slice.
// --single-threaded makes each worker's isolate compile and collect on its own thread, so N workers use N cores.
// Measured on 2 cores, deadline-2024, 8 runs, pinned one worker against two, alternating pairs: median speed-up 1.59
// without the flag (1.42-1.72), 1.70 with it (1.58-1.73). The flag has to be given when the process starts: V8 takes
// its garbage-collection flags only then (set later, v8.setFlagsFromString aborts the process at the next collection).
export const BATCH_V8_FLAGS: readonly string[] = ['--single-threaded'];

/** The batch flags this process was not started with. */
export function missingBatchFlags(execArgv: readonly string[] = process.execArgv): string[] {
  return BATCH_V8_FLAGS.filter((f) => !execArgv.includes(f));
}
