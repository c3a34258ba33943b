// The command registry: every command is defined once, beside its slice, with its journal form; a journal entry
// that is not of its form is named as such before anything is applied.
import { describe, expect, it } from 'vitest';
import { applyCommand, COMMANDS, journalProblem, replayCommands } from '../../../src/live/commands.ts';
import { fresh } from './room.ts';

describe('command registry', () => {
  it('each command’s journal form names its own op', () => {
    for (const [op, def] of Object.entries(COMMANDS))
      expect((def.schema.properties as { op: { const: string } }).op.const, op).toBe(op);
  });

  it('journal forms: the commands a server writes pass, malformed ones are named', () => {
    expect(journalProblem({ op: 'tick', exchangeMs: 1_000 })).toBeNull();
    expect(
      journalProblem({
        op: 'order',
        studentId: 1,
        marketId: 'national',
        instrumentId: 'CEA-23',
        side: 'buy',
        priceFen: null,
        qtyT: 100,
        tif: 'ioc',
      }),
    ).toBeNull();
    expect(journalProblem({ op: 'launch' })).toMatch(/unknown command launch/);
    expect(journalProblem({ op: 'toString' })).toMatch(/unknown command/);
    expect(journalProblem(null)).toMatch(/unknown command/);
    expect(journalProblem({ op: 'cancel', studentId: '1', orderId: 2 })).toMatch(/^cancel/);
  });

  it('an unknown op is refused, and a replay stops at an entry that is not a command', () => {
    const r = fresh(0);
    expect(applyCommand(r, { op: 'launch' } as never)).toMatchObject({ ok: false, code: 'LIVE_ERR_BAD_INPUT' });
    const entries = [
      { seq: 1, cmd: { op: 'start' } as const },
      { seq: 2, cmd: { op: 'speed', speed: 'fast' } as never },
    ];
    expect(() => replayCommands(r, entries)).toThrow(/entry 2 is not a command: speed/);
  });
});
