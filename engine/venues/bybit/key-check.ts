import type { Clock } from '../../core/clock.ts';
import type { VenueCredentials } from '../registry.ts';
import { BYBIT_URLS, type BybitEnv } from './bybit-venue.ts';
import { BybitRateLimiter } from './rate-limit.ts';
import { BybitRest } from './rest-client.ts';

export interface KeyCheck {
  ok: boolean;
  /** What the key may do, as Bybit groups it (`Spot: SpotTrade`, `Wallet: AccountTransfer` …). */
  permissions: string[];
  message: string;
}

/**
 * "Test connection": the wallet endpoint with the saved key (which proves the signature, the clock and
 * read access), then the key's own description for its permissions. The venue's refusal is passed on
 * with its code; nothing of the credential is ever part of the answer.
 */
export async function checkBybitKey(options: {
  env: BybitEnv;
  clock: Clock;
  credentials: VenueCredentials;
  restUrl?: string;
  timeoutMs?: number;
}): Promise<KeyCheck> {
  const rest = new BybitRest({
    baseUrl: options.restUrl ?? BYBIT_URLS[options.env].rest,
    clock: options.clock,
    limiter: new BybitRateLimiter(options.clock),
    credentials: options.credentials,
    timeoutMs: options.timeoutMs ?? 10_000,
  });
  try {
    await rest.syncTime();
  } catch (err) {
    return { ok: false, permissions: [], message: err instanceof Error ? err.message : String(err) };
  }
  const wallet = await rest.signedGet('/v5/account/wallet-balance', { accountType: 'UNIFIED' }, 'spot');
  if (!wallet.ok) {
    const code = wallet.retCode > 0 ? ` (retCode ${wallet.retCode})` : '';
    return { ok: false, permissions: [], message: `Bybit refused the key: ${wallet.retMsg}${code}` };
  }
  const info = await rest.signedGet('/v5/user/query-api', {}, 'spot');
  const permissions: string[] = [];
  let readOnly = false;
  if (info.ok) {
    const r = info.result as { permissions?: unknown; readOnly?: unknown };
    readOnly = r.readOnly === 1 || r.readOnly === '1';
    if (r.permissions !== null && typeof r.permissions === 'object') {
      for (const [group, list] of Object.entries(r.permissions as Record<string, unknown>)) {
        if (Array.isArray(list) && list.length > 0)
          permissions.push(`${group}: ${list.filter((x) => typeof x === 'string').join(', ')}`);
      }
    }
  }
  const offset = rest.clockOffsetMs();
  const message = [
    `Key accepted by Bybit ${options.env}`,
    readOnly ? 'read-only: it cannot trade' : null,
    info.ok ? null : `its permissions could not be read (${info.retMsg})`,
    `clock offset ${offset >= 0 ? '+' : ''}${offset} ms`,
  ]
    .filter((x) => x !== null)
    .join('; ');
  return { ok: !readOnly, permissions, message };
}
