// The `cets` command line. Loading the catalogue validates every data file first: a bad file stops here with a
// message naming the file and the field.
import { MarketError } from '../market/errors.ts';
import { loadCatalogue } from '../store/catalogue-files.ts';
import { runDemo } from './demo.ts';
import { listMarkets, showMarket } from './markets.ts';

const usage = `usage: cets <command>
  demo              one trading day of the national market, 2024-09-30 (what npm start runs for now)
  markets [id]      the market catalogue as loaded from data/, or one market in full`;

export function main(argv: readonly string[], out: (line: string) => void = console.log): number {
  const [cmd = 'demo', ...rest] = argv;
  if (cmd === 'help' || cmd === '--help' || cmd === '-h') {
    out(usage);
    return 0;
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
process.exitCode = main(process.argv.slice(2));
