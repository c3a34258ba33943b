// Messages between the batch and its worker threads. A worker gets the run context when it starts, says it is ready,
// then runs the jobs it is sent one at a time and answers each with the run summary or the error.
import type { CalendarData } from '../market/catalogue/parse.ts';
import type { RunSummary } from '../sim/output-types.ts';
import type { RunContext } from '../sim/run.ts';
import type { Scenario } from '../sim/scenario/schema.ts';

/**
 * What a worker starts with (its workerData): the run context the batch has loaded, with the calendar as its data
 * (a class instance does not survive the copy to the thread; the worker rebuilds it). So a worker neither reads the
 * data files again nor loads the file-checking code (the schema library alone took ~0.6 s of a worker's start).
 */
export interface WorkerInit {
  readonly markets: RunContext['markets'];
  readonly calendar: CalendarData;
  readonly entities: RunContext['entities'];
  readonly plans: RunContext['plans'];
  readonly abatement: RunContext['abatement'];
  readonly version: string;
}

export function workerInit(ctx: RunContext): WorkerInit {
  return {
    markets: ctx.markets,
    calendar: ctx.calendar.data,
    entities: ctx.entities,
    plans: ctx.plans,
    abatement: ctx.abatement,
    version: ctx.version,
  };
}

/** Test hook: make a job fail inside the worker, by an exception in the run or by crashing the whole worker. */
export type Fault = 'throw' | 'crash';

export interface JobMessage {
  readonly type: 'job';
  readonly key: string;
  readonly scenario: Scenario;
  readonly scenarioHash: string;
  readonly seed: number;
  /** Keep the run's trade log and send it back (--trades). */
  readonly keepTrades?: true;
  readonly fault?: Fault;
}

export type WorkerMessage =
  | { readonly type: 'ready' }
  | {
      readonly type: 'done';
      readonly key: string;
      readonly summary: RunSummary;
      /** The trade log as CSV text (src/sim/trade-csv.ts), when the job asked for it. */
      readonly trades?: string;
      readonly ms: number;
    }
  | {
      readonly type: 'failed';
      readonly key: string;
      readonly code: string;
      readonly message: string;
      readonly ms: number;
    }
  /** The run context could not be set up: no job can run, the batch stops. */
  | { readonly type: 'fatal'; readonly code: string; readonly message: string };
