import { z } from 'zod';
import { EngineError } from '../../core/errors.ts';
import { checkShape } from '../wire-text.ts';
import type { DepthSnapshot } from './messages.ts';
import { restError, type MexcRest } from './rest-client.ts';
import type { ListenKeyApi } from './user-stream.ts';

/**
 * What the MEXC streams need from REST (exchange-apis.md B7, B9): the depth snapshot a book starts
 * from, and the listenKey lifecycle of the user stream. Both fail by rejecting with an EngineError
 * naming the call, never with a half value.
 */

export const DEPTH_PATH = '/api/v3/depth';
export const LISTEN_KEY_PATH = '/api/v3/userDataStream';
/** Levels asked for a snapshot: deep enough that pushes rarely touch a level beyond it (max 5000). */
export const SNAPSHOT_DEPTH = 1000;

const level = z.tuple([z.string(), z.string()]).rest(z.unknown());
const depth = z.object({
  lastUpdateId: z.union([
    z.number().int().positive(),
    z
      .string()
      .regex(/^\d{1,16}$/)
      .transform(Number),
  ]),
  bids: z.array(level),
  asks: z.array(level),
});

/** A GET /api/v3/depth body; `lastUpdateId` is the version the pushes chain onto. */
export function parseDepthSnapshot(symbol: string, body: unknown): DepthSnapshot {
  const d = checkShape(depth, body, `MEXC depth ${symbol}`);
  if (!Number.isSafeInteger(d.lastUpdateId) || d.lastUpdateId <= 0) {
    throw new EngineError(
      'invalid_input',
      `MEXC depth ${symbol} lastUpdateId: ${d.lastUpdateId} is not a version`,
    );
  }
  return {
    version: d.lastUpdateId,
    bids: d.bids.map(([p, q]) => [p, q]),
    asks: d.asks.map(([p, q]) => [p, q]),
  };
}

/** The book snapshot of `symbol` (public, weight 1). */
export async function fetchDepthSnapshot(
  rest: MexcRest,
  symbol: string,
  limit = SNAPSHOT_DEPTH,
): Promise<DepthSnapshot> {
  const answer = await rest.get(DEPTH_PATH, { symbol, limit });
  if (!answer.ok) throw restError(`depth ${symbol}`, answer);
  return parseDepthSnapshot(symbol, answer.value);
}

const created = z.object({ listenKey: z.string().min(1) });

/** The listenKey calls over signed REST: POST to create, PUT to extend 60 minutes, DELETE to close. */
export function restListenKeys(rest: MexcRest): ListenKeyApi {
  return {
    async create() {
      const answer = await rest.signedPost(LISTEN_KEY_PATH);
      if (!answer.ok) throw restError('listenKey', answer);
      return checkShape(created, answer.value, 'MEXC listenKey').listenKey;
    },
    async keepAlive(key: string) {
      const answer = await rest.signedPut(LISTEN_KEY_PATH, { listenKey: key });
      if (!answer.ok) throw restError('listenKey keep-alive', answer);
    },
    async close(key: string) {
      const answer = await rest.signedDelete(LISTEN_KEY_PATH, { listenKey: key });
      if (!answer.ok) throw restError('listenKey close', answer);
    },
  };
}
