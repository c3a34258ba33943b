// Worker thread entry of a batch (started by pool.ts with tsx registered, see there). Takes the run context the
// batch loaded (workerData, see WorkerInit), then runs the jobs it is sent; an exception in a run is reported as that
// job's failure.
import { parentPort, workerData } from 'node:worker_threads';
import { TradingCalendar } from '../market/calendar.ts';
import { SimCode, SimError } from '../sim/errors.ts';
import { freezeYearly } from '../sim/registry/draw.ts';
import { type RunContext, runScenario } from '../sim/run.ts';
import { tradeLogCsv } from '../sim/trade-csv.ts';
import type { JobMessage, WorkerInit, WorkerMessage } from './protocol.ts';

const port = parentPort;
if (port === null) throw new Error('src/batch/worker.ts is a worker thread entry; the batch starts it');
const send = (m: WorkerMessage): void => port.postMessage(m);

function codeOf(e: unknown): string {
  if (e !== null && typeof e === 'object' && 'code' in e && typeof e.code === 'string') return e.code;
  return e instanceof Error ? e.name : 'Error';
}

let ctx: RunContext | null = null;
try {
  const init = workerData as WorkerInit;
  // The rows arrive as copies (structured clone), no longer frozen: frozen again, the runs share them (freezeYearly).
  freezeYearly(init.entities);
  ctx = {
    markets: init.markets,
    calendar: new TradingCalendar(init.calendar),
    entities: init.entities,
    plans: init.plans,
    abatement: init.abatement,
    version: init.version,
  };
} catch (e) {
  send({ type: 'fatal', code: codeOf(e), message: e instanceof Error ? e.message : String(e) });
}

if (ctx !== null) {
  const context = ctx;
  port.on('message', (job: JobMessage) => {
    const t0 = performance.now();
    try {
      if (job.fault === 'crash')
        setImmediate(() => {
          throw new Error(`injected crash in job ${job.key}`);
        });
      else {
        if (job.fault === 'throw') throw new SimError(SimCode.Unsupported, `injected failure in job ${job.key}`);
        const r = runScenario(context, {
          scenario: job.scenario,
          scenarioHash: job.scenarioHash,
          seed: job.seed,
          ...(job.keepTrades === true ? { keepTrades: true } : {}),
        });
        send({
          type: 'done',
          key: job.key,
          summary: r.summary,
          ...(job.keepTrades === true ? { trades: tradeLogCsv(r.trades) } : {}),
          ms: performance.now() - t0,
        });
      }
    } catch (e) {
      send({
        type: 'failed',
        key: job.key,
        code: codeOf(e),
        message: e instanceof Error ? e.message : String(e),
        ms: performance.now() - t0,
      });
    }
  });
  send({ type: 'ready' });
}
