/**
 * Wire-level vocabulary of the MEXC spot v3 simulator (exchange-apis.md B4): a success is the bare
 * object with HTTP 200, a refusal is HTTP 4xx (mostly 400) with `{"code","msg"}`. Request parameters
 * arrive as text, from the query string and the body (B3), so handlers read strings only.
 */

/** A handler's answer: the HTTP status, the JSON body and any extra headers. */
export interface Reply {
  readonly status: number;
  readonly body: unknown;
  readonly headers?: Readonly<Record<string, string>>;
}

export function ok(body: unknown): Reply {
  return { status: 200, body };
}

export function fail(code: number, msg: string, status = 400): Reply {
  return { status, body: { code, msg } };
}

/** The refusal's code, or undefined for a success. */
export function replyCode(reply: Reply): number | undefined {
  if (reply.status === 200) return undefined;
  const body = reply.body as { code?: unknown } | undefined;
  return typeof body?.code === 'number' ? body.code : undefined;
}

/** Request parameters as text: the query string's, then the body's where the query has none (B3). */
export type Params = Readonly<Record<string, string>>;

/** A parameter, or undefined when absent or empty. */
export function param(params: Params, key: string): string | undefined {
  const v = params[key];
  return v === undefined || v === '' ? undefined : v;
}

/** The 700004 text for a mandatory parameter that did not come. */
export function missing(name: string): Reply {
  return fail(700004, `Mandatory parameter '${name}' was not sent, was empty/null, or malformed.`);
}

/** An integer parameter within [min, max]: undefined when absent, null when malformed or out of range. */
export function intParam(params: Params, key: string, min: number, max: number): number | undefined | null {
  const v = param(params, key);
  if (v === undefined) return undefined;
  if (!/^-?\d{1,15}$/.test(v)) return null;
  const n = Number(v);
  return n >= min && n <= max ? n : null;
}

/** The generic parameter error of the doc's table (33333), naming the parameter. */
export function badParam(name: string, why = 'is invalid'): Reply {
  return fail(33333, `Parameter error: ${name} ${why}.`);
}

export { isRecord, wireMs } from '../bybit/wire.ts';
