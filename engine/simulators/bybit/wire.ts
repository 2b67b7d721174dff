/**
 * Wire-level vocabulary of the Bybit v5 simulator: the categories it lists, the reply every handler
 * returns (the A4 envelope minus `time`, which the transport stamps), and the readers for request
 * parameters, which come as strings from a query string and as JSON values from a body.
 */

/** The categories the simulator lists instruments in. */
export type Category = 'spot' | 'linear';

export const CATEGORIES: readonly Category[] = ['spot', 'linear'];

export function isCategory(value: unknown): value is Category {
  return value === 'spot' || value === 'linear';
}

/** A handler's answer. HTTP status is always 200 for these: business errors live in retCode. */
export interface Reply {
  readonly retCode: number;
  readonly retMsg: string;
  /** Omitted from the envelope when undefined (the DCP endpoint answers without one). */
  readonly result?: unknown;
  readonly retExtInfo?: unknown;
}

export function ok(result: unknown, retMsg = 'OK'): Reply {
  return { retCode: 0, retMsg, result };
}

export function fail(retCode: number, retMsg: string): Reply {
  return { retCode, retMsg, result: {} };
}

export const TOO_MANY_VISITS = 'Too many visits!';

/** Request parameters: the query of a GET (all strings) or the JSON object of a POST. */
export type Params = Readonly<Record<string, unknown>>;

/** A parameter as text: strings as given, finite numbers printed, anything else undefined. */
export function text(params: Params, key: string): string | undefined {
  const v = params[key];
  if (typeof v === 'string') return v;
  if (typeof v === 'number' && Number.isFinite(v)) return String(v);
  return undefined;
}

/** A non-empty string parameter, or undefined. */
export function nonEmpty(params: Params, key: string): string | undefined {
  const v = text(params, key);
  return v === undefined || v === '' ? undefined : v;
}

/** A boolean parameter: JSON true/false, or the strings "true"/"false"/"1"/"0". */
export function flag(params: Params, key: string): boolean | undefined {
  const v = params[key];
  if (typeof v === 'boolean') return v;
  if (v === 'true' || v === '1' || v === 1) return true;
  if (v === 'false' || v === '0' || v === 0) return false;
  return undefined;
}

/** An integer parameter within [min, max]: `undefined` when absent, `null` when malformed. */
export function intParam(params: Params, key: string, min: number, max: number): number | undefined | null {
  const v = text(params, key);
  if (v === undefined || v === '') return undefined;
  if (!/^-?\d{1,15}$/.test(v)) return null;
  const n = Number(v);
  return n >= min && n <= max ? n : null;
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Milliseconds on the wire are whole numbers even when a simulated clock carries fractions. */
export function wireMs(ms: number): number {
  return Math.floor(ms);
}
