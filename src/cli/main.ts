// The `cets` command line. Loading the catalogue validates every data file first: a bad file stops here with a
// message naming the file and the field.
import { BatchError } from '../batch/errors.ts';
import { MarketError } from '../market/errors.ts';
import { SimError } from '../sim/errors.ts';
import { loadCatalogue } from '../store/catalogue-files.ts';
import { batchCommand } from './batch.ts';
import { calibrateCommand, fitCommand } from './calibrate.ts';
import { runDemo } from './demo.ts';
import { listMarkets, showMarket } from './markets.ts';
import { observedCommand } from './observed.ts';
import { registryCommand } from './registry.ts';
import { replayCommand } from './replay.ts';
import { runCommand } from './run.ts';
import { workerCommand } from './worker.ts';

const usage = `usage: cets <command>
  demo              one trading day of the national market, 2024-09-30 (the default command)
  markets [id]      the market catalogue as loaded from data/, or one market in full
  run <scenario> [--seed N] [--out DIR] [--set path=value] [--observed prices.csv]
                    simulate a scenario (scenarios/<name>.json or a path); writes a run folder (report.html draws
                    the observed closes and volumes of the file over the run)
  calibrate <scenario> [--seeds N|a..b] [--set path=value]... [--json]
                    median of each published figure over the seeds (N: 1..N) against data/figures/<scenario>.json
  fit <scenario> --param path:min:max:step ... [--seeds N|a..b] [--rounds R]
                    the fitting procedure: coordinate search on the named parameters
  batch <scenario> [--grid path=v1,v2,...]... [--seeds 1..50] [--workers N] [--out DIR]
                    every grid point x every seed in parallel workers; quantiles across seeds in DIR/aggregate.*
                    (default DIR runs/batch-<scenario>-<hash>; the same command again resumes)
                    --param path:min:max ... --design lhs:N | sobol:N (Sobol indices in DIR/sensitivity.csv) |
                    --design file.csv: points of a design instead of a grid;
                    --queue redis://host:port: run the jobs on \`cets worker\` processes instead (any machine);
                    --shard k/N: only the k-th of N slices, joined by \`cets batch merge DIR... [--out DIR]\`;
                    --trades: every run's trade log too, in DIR/trades.parquet and DIR/trades.csv
  worker --queue redis://host:port [--workers N]
                    take batch jobs from the queue and run them in N worker threads
  replay <prices.csv> [--scenario S] [--seeds N] [--seed FIRST] [--iterations K] [--out DIR] [--news news.csv]
         [--counterfactual [--set path=value]... [--without YYYY-MM-DD]...]
                    infer the news (tonnes of expected shortage) that makes a scenario (default q3-2024) track the
                    given daily closes; writes news.csv, replay.csv, fit.json and a run folder, prints the fit; with
                    --counterfactual, the same news and seeds under a changed policy, side by side
  observed <prices.csv> [--scenario S]
                    read an observed price file (plain CSV or a data-terminal export, UTF-8 or GBK) and print
                    what it read: a line per month, the days it skipped and why (with S: as a replay of S reads it)
  registry draw|check
                    redraw the synthetic entity registries in data/entities, or check them`;

type Command = (args: readonly string[], out: (line: string) => void) => number | Promise<number>;

const SIM_COMMANDS: Record<string, Command> = {
  run: runCommand,
  batch: batchCommand,
  replay: replayCommand,
  observed: observedCommand,
  calibrate: calibrateCommand,
  fit: fitCommand,
  worker: (args) => workerCommand(args),
  registry: (args, out) => registryCommand(args, out),
};

export async function main(argv: readonly string[], out: (line: string) => void = console.log): Promise<number> {
  const [cmd = 'demo', ...rest] = argv;
  if (cmd === 'help' || cmd === '--help' || cmd === '-h') {
    out(usage);
    return 0;
  }
  const sim = SIM_COMMANDS[cmd];
  if (sim !== undefined && Object.hasOwn(SIM_COMMANDS, cmd)) {
    try {
      return await sim(rest, out);
    } catch (e) {
      if (e instanceof SimError || e instanceof MarketError || e instanceof BatchError) {
        console.error(`cets: ${e.code}: ${e.message}`);
        return e instanceof SimError && e.code === 'SIM_ERR_ARGS' ? 2 : 1;
      }
      if (e instanceof TypeError && 'code' in e && String(e.code).startsWith('ERR_PARSE_ARGS')) {
        console.error(`cets: SIM_ERR_ARGS: ${e.message}`);
        return 2;
      }
      throw e;
    }
  }
  if (cmd !== 'demo' && cmd !== 'markets') {
    console.error(`cets: unknown command "${cmd}"\n${usage}`);
    return 2;
  }
  let cat: ReturnType<typeof loadCatalogue>;
  try {
    cat = loadCatalogue();
  } catch (e) {
    if (e instanceof MarketError) {
      console.error(`cets: ${e.code}: ${e.message}`);
      return 1;
    }
    throw e;
  }
  if (cmd === 'demo') {
    runDemo(cat, out);
    return 0;
  }
  if (rest[0] === undefined) {
    listMarkets(cat, out);
    return 0;
  }
  return showMarket(cat, rest[0], out) ? 0 : 2;
}

// `cets markets | head` closes the pipe early: that is not an error.
process.stdout.on('error', (e: NodeJS.ErrnoException) => {
  if (e.code === 'EPIPE') process.exit(0);
  throw e;
});
process.exitCode = await main(process.argv.slice(2));
