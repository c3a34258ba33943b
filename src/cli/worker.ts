// `cets worker --queue redis://host:port[/db] [--workers N] [--lock-ms MS]`: serves batch jobs from the queue in N
// worker threads (src/batch/queue/worker.ts) until Ctrl-C or SIGTERM, which finish the jobs in hand first (a second
// Ctrl-C quits at once; its jobs go to another worker once their locks expire).
import { parseArgs } from 'node:util';
import { serveQueue } from '../batch/queue/worker.ts';
import { checkWorkers, defaultWorkers } from '../batch/run-batch.ts';
import { SimCode, SimError } from '../sim/errors.ts';
import { workersOf } from './batch.ts';

export const WORKER_USAGE = 'usage: cets worker --queue redis://host:port[/db] [--workers N] [--lock-ms MS]';

export async function workerCommand(args: readonly string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: [...args],
    allowPositionals: true,
    options: { queue: { type: 'string' }, workers: { type: 'string' }, 'lock-ms': { type: 'string' } },
  });
  if (values.queue === undefined || positionals.length > 0) throw new SimError(SimCode.Args, WORKER_USAGE);
  const workers = checkWorkers(values.workers === undefined ? defaultWorkers() : workersOf(values.workers));
  const raw = values['lock-ms'] ?? '30000';
  const lockMs = /^\d+$/.test(raw) ? Number(raw) : Number.NaN;
  if (!Number.isSafeInteger(lockMs) || lockMs < 500)
    throw new SimError(SimCode.Args, `--lock-ms must be a whole number of milliseconds ≥ 500, got "${raw}"`);

  const abort = new AbortController();
  let stops = 0;
  const onStop = (): void => {
    stops++;
    if (stops === 1) {
      process.stderr.write('stopping: finishing the jobs in hand (Ctrl-C again to quit at once)\n');
      abort.abort();
    } else process.exit(130);
  };
  process.on('SIGINT', onStop);
  process.on('SIGTERM', onStop);
  try {
    await serveQueue({
      url: values.queue,
      workers,
      lockMs,
      log: (line) => process.stderr.write(`${new Date().toISOString()} ${line}\n`),
      signal: abort.signal,
    });
  } finally {
    process.off('SIGINT', onStop);
    process.off('SIGTERM', onStop);
  }
  return 0;
}
