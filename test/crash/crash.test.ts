// The crash drill, short: three SIGKILLs of a server under load, two more in --durability commit, and two with the
// disk filling and freeing in the middle of the load (the long one is `npm run soak`).
import { describe, expect, it } from 'vitest';
import { ctx } from '../fixtures/run-context.ts';
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
  it('the disk fills and frees in the middle of the load: 503 while full, acknowledged again after, nothing acknowledged lost', async () => {
    const lines: string[] = [];
    const r = await crashDrill(ctx(), {
      rounds: 2,
      clients: 4,
      loadMs: [2_500, 3_000],
      seed: 13,
      diskFull: true,
      log: (l) => lines.push(l),
    });
    console.log(lines.join('\n'));
    expect(r.problems).toEqual([]);
    expect(r.rounds).toHaveLength(2);
    for (const x of r.rounds) expect(x.refusedFull).toBeGreaterThan(0);
    expect(r.rounds[0]!.ackedAfterFree).toBeGreaterThan(0); // round 1: the server wrote again by itself
  }, 240_000);
});
