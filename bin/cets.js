#!/usr/bin/env node
// The `cets` command: registers tsx so the TypeScript sources run as they are, then hands over to the CLI.
// `cets batch` needs V8 flags that only count when given at start-up (src/batch/node-flags.ts): without them, it runs
// itself again with them (src/cli/relaunch.ts).
import { register } from 'tsx/esm/api';

register();
const batch = process.argv[2] === 'batch' || process.argv[2] === 'worker';
const missing = batch ? (await import('../src/batch/node-flags.ts')).missingBatchFlags() : [];
const { exitWithParent, relaunch } = await import('../src/cli/relaunch.ts');
if (missing.length > 0) await relaunch(missing);
else {
  exitWithParent();
  await import('../src/cli/main.ts');
}
