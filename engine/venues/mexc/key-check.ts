import type { Clock } from '../../core/clock.ts';
import type { KeyCheck } from '../bybit/key-check.ts';
import type { VenueCredentials } from '../registry.ts';
import { MexcRest } from './rest-client.ts';
import { MEXC_URLS } from './urls.ts';

export type { KeyCheck } from '../bybit/key-check.ts';

/**
 * "Test connection" for MEXC: the account endpoint with the saved key, which proves the signature,
 * the clock and read access, and tells whether the key may trade (`canTrade`) and what it is for
 * (`permissions`, e.g. SPOT). The venue's refusal is passed on with its code; nothing of the
 * credential is ever part of the answer.
 */
export async function checkMexcKey(options: {
  clock: Clock;
  credentials: VenueCredentials;
  restUrl?: string;
  timeoutMs?: number;
}): Promise<KeyCheck> {
  const rest = new MexcRest({
    baseUrl: options.restUrl ?? MEXC_URLS.rest,
    clock: options.clock,
    credentials: options.credentials,
    timeoutMs: options.timeoutMs ?? 10_000,
  });
  try {
    await rest.syncTime();
  } catch (err) {
    return { ok: false, permissions: [], message: err instanceof Error ? err.message : String(err) };
  }
  const account = await rest.signedGet('/api/v3/account');
  if (!account.ok) {
    const code = account.code !== 0 ? ` (code ${account.code})` : '';
    return { ok: false, permissions: [], message: `MEXC refused the key: ${account.msg}${code}` };
  }
  const body = (account.value ?? {}) as { canTrade?: unknown; permissions?: unknown };
  const permissions = Array.isArray(body.permissions)
    ? body.permissions.filter((p): p is string => typeof p === 'string')
    : [];
  const canTrade = body.canTrade === true;
  const offset = rest.clockOffsetMs();
  const message = [
    'Key accepted by MEXC',
    canTrade ? null : 'the account may not trade with it (canTrade is false)',
    `clock offset ${offset >= 0 ? '+' : ''}${offset} ms`,
  ]
    .filter((x) => x !== null)
    .join('; ');
  return { ok: canTrade, permissions, message };
}
