/** Every expected failure outside the engine: a stable code (MKT_ERR_*), a sentence, an HTTP status. */
export class MarketError extends Error {
  readonly code: string;
  readonly statusCode: number;
  constructor(code: string, message: string, statusCode = 400) {
    super(message);
    this.name = 'MarketError';
    this.code = code;
    this.statusCode = statusCode;
  }
}
