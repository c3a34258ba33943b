// The batch progress line on stderr: `[#####-----] 12/50 runs, 3 failed, ETA 0:42` (a queue batch adds the queue's
// counts: `queue: 2 running, 36 waiting`). Redrawn in place on a terminal;
// elsewhere (a pipe, a CI log) one line per 10% so logs stay short. Twenty lines, so no package.
import type { BatchProgress } from './run-batch.ts';

export function clock(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const ss = String(s % 60).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${ss}` : `${m}:${ss}`;
}

export function progressLine(p: BatchProgress, width = 20): string {
  const n = p.skipped + p.done + p.failed;
  const filled = p.total === 0 ? width : Math.floor((n / p.total) * width);
  const parts = [`[${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${n}/${p.total} runs`];
  if (p.skipped > 0) parts.push(`${p.skipped} resumed`);
  if (p.failed > 0) parts.push(`${p.failed} failed`);
  if (p.queue !== undefined && n < p.total) parts.push(`queue: ${p.queue.active} running, ${p.queue.waiting} waiting`);
  parts.push(n === p.total ? `done in ${clock(p.elapsedMs)}` : `ETA ${p.etaMs === null ? '?' : clock(p.etaMs)}`);
  return parts.join(', ');
}

/** A progress callback writing to the stream; call the returned end() once the batch is over. */
export function progressBar(stream: NodeJS.WriteStream): { update: (p: BatchProgress) => void; end: () => void } {
  const tty = stream.isTTY === true;
  let lastDecile = -1;
  let drawn = false;
  return {
    update(p) {
      if (tty) {
        stream.write(`\r\x1b[K${progressLine(p)}`);
        drawn = true;
        return;
      }
      const decile = p.total === 0 ? 10 : Math.floor(((p.skipped + p.done + p.failed) / p.total) * 10);
      if (decile > lastDecile) {
        lastDecile = decile;
        stream.write(`${progressLine(p)}\n`);
      }
    },
    end() {
      if (drawn) stream.write('\n');
      drawn = false;
    },
  };
}
