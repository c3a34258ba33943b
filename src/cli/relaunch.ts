// Runs this same command again in a child process started with extra Node/V8 flags (bin/cets.js does it for `cets
// batch`, see src/batch/node-flags.ts), and ends as the child ends: same exit code, or the same signal.
//
// The child has its own process group, so that a Ctrl-C in the terminal reaches it once, forwarded from here (both
// getting the terminal's SIGINT would make it a second Ctrl-C, which quits at once). If this process is killed
// outright (SIGKILL, nothing to forward), the child sees its IPC channel close and exits at once too, as the killed
// command would have: a batch resumes from the files it wrote (src/batch/run-batch.ts).
import { spawn } from 'node:child_process';

const FORWARDED = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;
/** Set in the child's environment: it was started by relaunch(). */
const MARK = 'CETS_RELAUNCHED';

export function relaunch(flags: readonly string[]): Promise<never> {
  const child = spawn(process.execPath, [...flags, ...process.execArgv, ...process.argv.slice(1)], {
    stdio: ['inherit', 'inherit', 'inherit', 'ipc'],
    detached: true,
    env: { ...process.env, [MARK]: '1' },
  });
  for (const sig of FORWARDED) process.on(sig, () => child.kill(sig));
  return new Promise<never>(() => {
    child.on('error', (e) => {
      console.error(`cets: could not start ${process.execPath}: ${e.message}`);
      process.exit(1);
    });
    child.on('exit', (code, signal) => {
      if (signal === null) process.exit(code ?? 1);
      for (const sig of FORWARDED) process.removeAllListeners(sig);
      process.kill(process.pid, signal);
    });
  });
}

/** In a relaunched child: exit when the parent is gone (its IPC channel closed), without keeping the loop alive. */
export function exitWithParent(): void {
  const channel = process.channel;
  if (channel === undefined || process.env[MARK] !== '1') return;
  channel.unref();
  process.on('disconnect', () => process.exit(137));
}
