// The blocks slice: block proposals between students, held by the market's block desk (proposals and responses
// go through the classroom's commands; the trade reaches the tape and both students' fills, with no listed order).
import { describe, expect, it } from 'vitest';
import { applyCommand } from '../../../src/live/commands.ts';
import { must, room, run } from './room.ts';

const proposal = (studentId: number, toStudentId: number | null, side: 'buy' | 'sell' = 'sell') =>
  ({
    op: 'block',
    studentId,
    marketId: 'national',
    instrumentId: 'CEA-23',
    side,
    priceFen: 9_700,
    qtyT: 100_000,
    toStudentId,
  }) as const;

/** The classroom's clock moved to 13:30, in the block session. */
function afternoon() {
  const r = room(['Ann', 'Bo', 'Cy'], 0);
  run(r, [{ op: 'tick', exchangeMs: 150 * 60_000 }]);
  expect(r.sessionNow).toContain('block');
  return r;
}

describe('blocks', () => {
  it('a proposal to one student: they see it, accept it, and both get the trade', () => {
    const r = afternoon();
    const p = must(applyCommand(r, proposal(1, 2)));
    expect(r.proposals(2).map((x) => x.p.proposalId)).toEqual([p.proposalId]);
    expect(r.proposals(3)).toEqual([]);
    expect(r.proposalMarket(2, p.proposalId)).toBe('national');
    const t = must(
      applyCommand(r, {
        op: 'respond',
        studentId: 2,
        marketId: 'national',
        proposalId: p.proposalId,
        action: 'accept',
        priceFen: 0,
        qtyT: 0,
      }),
    );
    expect(t).toMatchObject({ mode: 'block', qtyT: 100_000 });
    expect(r.trades('national').at(-1)).toMatchObject({ mode: 'block', qtyT: 100_000 });
    expect(r.studentFills(1)).toMatchObject([{ side: 'sell', orderId: null, mode: 'block' }]);
    expect(r.studentFills(2)).toMatchObject([{ side: 'buy', orderId: null, mode: 'block' }]);
  });

  it('refuses a proposal to a student who is not there, and one in a market that is not', () => {
    const r = afternoon();
    expect(applyCommand(r, proposal(1, 9))).toMatchObject({ ok: false, code: 'LIVE_ERR_UNKNOWN_STUDENT' });
    expect(applyCommand(r, { ...proposal(1, 2), marketId: 'mars' })).toMatchObject({
      ok: false,
      code: 'LIVE_ERR_UNKNOWN_MARKET',
    });
  });

  it('a rejected proposal is gone from the counterparty', () => {
    const r = afternoon();
    const p = must(applyCommand(r, proposal(1, 2)));
    must(
      applyCommand(r, {
        op: 'respond',
        studentId: 2,
        marketId: 'national',
        proposalId: p.proposalId,
        action: 'reject',
        priceFen: 0,
        qtyT: 0,
      }),
    );
    expect(r.studentFills(2)).toEqual([]);
  });
});
