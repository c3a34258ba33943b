// Simulation-layer errors. A bad scenario, registry or price file is refused as a whole before anything runs, with a
// stable SIM_ERR_* code and a message naming the file, the field and the problem. Codes are a public contract: never
// rename, only add.

export const SimCode = {
  /** A scenario file failed validation (schema or cross-reference). */
  Scenario: 'SIM_ERR_SCENARIO',
  /** An entity registry file (data/entities) failed validation. */
  Registry: 'SIM_ERR_REGISTRY',
  /** A replay price file (date, close, volume) failed validation. */
  Replay: 'SIM_ERR_REPLAY',
  /** Command-line arguments are wrong. */
  Args: 'SIM_ERR_ARGS',
  /** A scenario or run asked for something the simulator cannot do (unknown market, no registry ...). */
  Unsupported: 'SIM_ERR_UNSUPPORTED',
  /** A stepped run (SimSession) was asked for a step out of order: a day begun while one is open, ended when none is. */
  State: 'SIM_ERR_STATE',
} as const;
export type SimCode = (typeof SimCode)[keyof typeof SimCode];

export class SimError extends Error {
  readonly code: SimCode;
  constructor(code: SimCode, message: string) {
    super(message);
    this.name = 'SimError';
    this.code = code;
  }
}
