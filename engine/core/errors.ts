/**
 * Engine errors carry a stable machine-readable code and a message a trader can act on.
 * They cross the UI boundary as values ({ code, message }), never as thrown objects.
 */
export type ErrorCode =
  | 'invalid_input'
  | 'invalid_number'
  | 'unknown_command'
  | 'not_found'
  | 'rejected'
  | 'risk_rejected'
  | 'venue_error'
  | 'unavailable'
  | 'conflict'
  | 'internal';

export class EngineError extends Error {
  readonly code: ErrorCode;
  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
    this.name = 'EngineError';
  }
}

/** Converts anything thrown into an error value; unknown errors keep their message but get code `internal`. */
export function toErrorValue(err: unknown): { code: ErrorCode; message: string } {
  if (err instanceof EngineError) return { code: err.code, message: err.message };
  if (err instanceof Error) return { code: 'internal', message: err.message };
  return { code: 'internal', message: String(err) };
}
