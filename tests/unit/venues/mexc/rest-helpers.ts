import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { expect } from 'vitest';
import { EngineError } from '../../../../engine/core/errors.ts';
import { defineInstrument } from '../../../../engine/core/instrument.ts';

/** The documented example a fixture holds (tests/fixtures/mexc/*.json keep their source beside it). */
export function mexcFixture(name: string): unknown {
  const url = new URL(`../../../fixtures/mexc/${name}`, import.meta.url);
  return (JSON.parse(readFileSync(url, 'utf8')) as { message: unknown }).message;
}

const base = { base: 'X', quote: 'Y', minNotional: '0', makerFee: '0', takerFee: '0.0005' };

/** The docs' order samples are LTCBTC with prices like "2.00000000" and sizes "1.0". */
export const ltcBtc = defineInstrument({
  ...base,
  symbol: 'LTCBTC',
  base: 'LTC',
  quote: 'BTC',
  tickSize: '0.000001',
  lotSize: '0.01',
  minSize: '0.01',
});
/** The cancel-all sample: BTCUSDT at "0.089853" for "0.178622" (six decimals both). */
export const btcUsdtSample = defineInstrument({
  ...base,
  symbol: 'BTCUSDT',
  base: 'BTC',
  quote: 'USDT',
  tickSize: '0.000001',
  lotSize: '0.000001',
  minSize: '0.000001',
});
/** The myTrades sample: BNBBTC at "4.00000100" for "12.00000000". */
export const bnbBtc = defineInstrument({
  ...base,
  symbol: 'BNBBTC',
  base: 'BNB',
  quote: 'BTC',
  tickSize: '0.0000001',
  lotSize: '0.01',
  minSize: '0.01',
});
/** MXUSDT as the constructed exchangeInfo fixture lists it. */
export const mxUsdt = defineInstrument({
  ...base,
  symbol: 'MXUSDT',
  base: 'MX',
  quote: 'USDT',
  tickSize: '0.0001',
  lotSize: '0.01',
  minSize: '0.01',
  minNotional: '1',
});

/** Asserts `fn` throws an EngineError whose message matches every pattern. */
export function expectEngineError(fn: () => unknown, ...patterns: RegExp[]): EngineError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(EngineError);
    for (const p of patterns) expect((err as Error).message).toMatch(p);
    return err as EngineError;
  }
  throw new Error('expected an EngineError');
}

export async function expectRejects(promise: Promise<unknown>, ...patterns: RegExp[]): Promise<EngineError> {
  try {
    await promise;
  } catch (err) {
    expect(err).toBeInstanceOf(EngineError);
    for (const p of patterns) expect((err as Error).message).toMatch(p);
    return err as EngineError;
  }
  throw new Error('expected a rejection');
}

export interface SeenRequest {
  method: string;
  path: string;
  /** The raw query string as it arrived (no leading '?'). */
  query: string;
  headers: IncomingMessage['headers'];
  body: string;
}

export type Reply = {
  status?: number;
  body?: unknown;
  raw?: string;
  headers?: Record<string, string>;
  delayMs?: number;
};

/** A tiny local HTTP server answering each request with `handle(request)`; it records every request. */
export async function localServer(
  handle: (request: SeenRequest) => Reply,
): Promise<{ url: string; seen: SeenRequest[]; close: () => Promise<void> }> {
  const seen: SeenRequest[] = [];
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
    req.on('end', () => {
      const target = req.url ?? '/';
      const q = target.indexOf('?');
      const request: SeenRequest = {
        method: req.method ?? '',
        path: q < 0 ? target : target.slice(0, q),
        query: q < 0 ? '' : target.slice(q + 1),
        headers: req.headers,
        body,
      };
      seen.push(request);
      const reply = handle(request);
      const send = (): void => {
        res.writeHead(reply.status ?? 200, { 'Content-Type': 'application/json', ...reply.headers });
        res.end(reply.raw ?? JSON.stringify(reply.body ?? {}));
      };
      if (reply.delayMs) setTimeout(send, reply.delayMs);
      else send();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    seen,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
