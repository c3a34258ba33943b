// The crash drill, short: three SIGKILLs of a server under load (the long one is `npm run soak`).
import { describe, expect, it } from 'vitest';
import { ctx } from '../unit/server/fixture.ts';
import { crashDrill } from './harness.ts';

describe('crash drill', () => {
  it('after each SIGKILL every acknowledged order is back and the state equals a replay of the journal', async () => {
    const lines: string[] = [];
    const r = await crashDrill(ctx(), {
      rounds: 3,
      clients: 4,
      loadMs: [300, 1_500],
      seed: 11,
      log: (l) => lines.push(l),
    });
    console.log(lines.join('\n'));
    expect(r.problems).toEqual([]);
    expect(r.rounds).toHaveLength(3);
    expect(r.ackedOrders).toBeGreaterThan(20);
    for (const x of r.rounds) expect(x.refused).toBeGreaterThan(0);
  }, 240_000);

  it('with --durability commit (acknowledged before the fsync) a SIGKILL still loses nothing acknowledged', async () => {
    const lines: string[] = [];
    const r = await crashDrill(ctx(), {
      rounds: 2,
      clients: 4,
      loadMs: [300, 1_500],
      seed: 12,
      durability: 'commit',
      log: (l) => lines.push(l),
    });
    console.log(lines.join('\n'));
    expect(r.problems).toEqual([]);
    expect(r.rounds).toHaveLength(2);
    expect(r.ackedOrders).toBeGreaterThan(10);
  }, 240_000);
});
