// A refusal's params are read back from its message by its code's form (src/server/error-params.ts), for every
// code in the table: a message made from the form gives back the values put in it; another sentence gives none.
import { describe, expect, it } from 'vitest';
import { Code, codeName, type Engine } from '../../../src/engine/index.ts';
import { engineRejectMessage } from '../../../src/market/engine-messages.ts';
import { errorParams, formPattern } from '../../../src/server/error-params.ts';
import { ERRORS } from '../../../src/server/errors.ts';

/** The form with each {name} replaced by a value of its own (regex characters in it; no space, dot or dash, which some forms put between two values). */
function filled(form: string): { message: string; values: Record<string, string> } {
  const values: Record<string, string> = {};
  let i = 0;
  const message = form.replace(/\{(\w+)\}/g, (_m, name: string) => {
    i += 1;
    values[name] = `v${i}[x](*)+?^$`;
    return values[name]!;
  });
  return { message, values };
}

describe('error params', () => {
  it('every code: a message of its form gives back the values it names; a form naming none gives {}', () => {
    const codes = Object.keys(ERRORS);
    expect(codes.length).toBeGreaterThan(100);
    for (const [code, x] of Object.entries(ERRORS)) {
      const { message, values } = filled(x.message);
      expect(errorParams(code, message), code).toEqual(values);
    }
    expect(errorParams('LIVE_ERR_ENDED', 'the classroom has ended')).toEqual({});
  });

  it('the band in CNY: price, low and high', () => {
    expect(
      errorParams('ENG_PRICE_ABOVE_BAND', 'the price 150.00 CNY is above today’s band (89.12-108.92 CNY)'),
    ).toEqual({ price: '150.00', low: '89.12', high: '108.92' });
  });

  it('a message of another form, or a code not in the table, has no params', () => {
    expect(errorParams('ENG_PRICE_ABOVE_BAND', 'the price 15000 fen is above the upper price limit of 10948 fen')).toBe(
      undefined,
    );
    expect(errorParams('BAD_REQUEST', 'body/qtyT must be integer')).toBe(undefined);
    expect(errorParams('NO_SUCH_CODE', 'anything')).toBe(undefined);
    expect(errorParams('LIVE_ERR_ENDED', 'the classroom has ended, really')).toBe(undefined);
  });

  it('a form’s own regex characters are taken literally', () => {
    const p = formPattern('a (b) {x}.* [c]');
    expect(p.names).toEqual(['x']);
    expect(p.re.exec('a (b) 12.* [c]')?.[1]).toBe('12');
    expect(p.re.test('a b 12xx [c]')).toBe(false);
  });

  it('the order book’s refusals as the listed desk words them have their code’s form, the band in CNY', () => {
    const engine = {
      lastRejectValue: 15000,
      lastRejectLimit: 10948,
      bandLowFen: 8958,
      bandHighFen: 10948,
      lastRejectMessage: () => 'the engine’s own sentence',
    } as unknown as Engine;
    const worded: string[] = [];
    for (const n of Object.values(Code)) {
      const message = engineRejectMessage(engine, n);
      if (n === 0 || message === 'the engine’s own sentence') continue;
      worded.push(codeName(n));
      expect(errorParams(codeName(n), message), `${codeName(n)}: ${message}`).toBeDefined();
    }
    expect(worded).toEqual(expect.arrayContaining(['ENG_PRICE_ABOVE_BAND', 'ENG_PRICE_OFF_TICK', 'ENG_QTY_OFF_LOT']));
    expect(errorParams('ENG_PRICE_ABOVE_BAND', engineRejectMessage(engine, Code.PriceAboveBand))).toEqual({
      price: '150.00',
      low: '89.58',
      high: '109.48',
    });
  });
});
