// Composition root of `npm start`: the live classroom server (src/server/main.ts reads flags and environment,
// validates them and starts it). The command line (`npx cets ...`) has its own entry, src/cli/main.ts.
import { startServer } from './server/main.ts';

const code = await startServer(process.argv.slice(2));
if (code >= 0) process.exitCode = code;
