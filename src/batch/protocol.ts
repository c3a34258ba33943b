// Messages between the batch and its worker threads. A worker loads the run context once, says it is ready, then
// runs the jobs it is sent one at a time and answers each with the run summary or the error.
import type { RunSummary } from '../sim/output-types.ts';
import type { Scenario } from '../sim/scenario/schema.ts';

/** Test hook: make a job fail inside the worker, by an exception in the run or by crashing the whole worker. */
export type Fault = 'throw' | 'crash';

export interface JobMessage {
  readonly type: 'job';
  readonly key: string;
  readonly scenario: Scenario;
  readonly scenarioHash: string;
  readonly seed: number;
  readonly fault?: Fault;
}

export type WorkerMessage =
  | { readonly type: 'ready' }
  | { readonly type: 'done'; readonly key: string; readonly summary: RunSummary; readonly ms: number }
  | {
      readonly type: 'failed';
      readonly key: string;
      readonly code: string;
      readonly message: string;
      readonly ms: number;
    }
  /** The run context could not be loaded: no job can run, the batch stops. */
  | { readonly type: 'fatal'; readonly code: string; readonly message: string };
