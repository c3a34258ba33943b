// The one validator of what clients send: Ajv, compiled from the TypeBox schemas in schemas.ts. HTTP bodies and
// WebSocket messages are JSON and must have the right types as sent ("qtyT": "0x10" is a string, not 16); only the
// query string and path parameters, which are text by nature, are coerced to the numbers their schemas ask for.
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';

const options = { removeAdditional: false, useDefaults: true, allErrors: false, strict: false } as const;
export const bodyAjv = new Ajv({ ...options, coerceTypes: false });
export const textAjv = new Ajv({ ...options, coerceTypes: 'array' });

/** A body validator for a schema, and the first problem it found as "<where> <what>". */
export function bodyValidator(schema: object): { check: ValidateFunction; problem(): string } {
  const check = bodyAjv.compile(schema);
  return {
    check,
    problem: () => {
      const first: ErrorObject | undefined = check.errors?.[0];
      return `${first?.instancePath || 'body'}: ${first?.message ?? 'invalid'}`;
    },
  };
}
