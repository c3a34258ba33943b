// The `cets` command line. Subcommands arrive with the simulator; for now the engine demo.
import { runDemo } from './demo.ts';

const [cmd = 'demo'] = process.argv.slice(2);
if (cmd === 'demo') {
  runDemo();
} else {
  console.error(`cets: unknown command "${cmd}". Available: demo`);
  process.exitCode = 2;
}
