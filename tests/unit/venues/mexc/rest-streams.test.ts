import { afterEach, describe, expect, it } from 'vitest';
import { SimClock } from '../../../../engine/core/clock.ts';
import { MexcRest } from '../../../../engine/venues/mexc/rest-client.ts';
import {
  fetchDepthSnapshot,
  parseDepthSnapshot,
  restListenKeys,
  SNAPSHOT_DEPTH,
} from '../../../../engine/venues/mexc/rest-streams.ts';
import { splitSignature } from '../../../../engine/venues/mexc/sign.ts';
import {
  expectEngineError,
  expectRejects,
  localServer,
  mexcFixture,
  type Reply,
  type SeenRequest,
} from './rest-helpers.ts';

let closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  await Promise.all(closers.map((c) => c()));
  closers = [];
});

async function rest(handle: (r: SeenRequest) => Reply): Promise<{ rest: MexcRest; seen: SeenRequest[] }> {
  const server = await localServer(handle);
  closers.push(server.close);
  return {
    rest: new MexcRest({
      baseUrl: server.url,
      clock: new SimClock(),
      credentials: { apiKey: 'k', apiSecret: 's' },
    }),
    seen: server.seen,
  };
}

describe('MEXC depth snapshot', () => {
  it('reads the documented book with lastUpdateId as its version, strings kept', () => {
    expect(parseDepthSnapshot('BTCUSDT', mexcFixture('depth.json'))).toEqual({
      version: 1112416,
      bids: [['15.00000', '49999.00000']],
      asks: [['14.0000', '1.0000']],
    });
  });

  it('names the field of a bad snapshot', () => {
    expectEngineError(
      () => parseDepthSnapshot('BTCUSDT', { bids: [], asks: [] }),
      /MEXC depth BTCUSDT lastUpdateId/,
    );
    expectEngineError(
      () => parseDepthSnapshot('BTCUSDT', { lastUpdateId: 1, bids: [[15, 1]], asks: [] }),
      /bids\.0\.0/,
    );
    expectEngineError(
      () => parseDepthSnapshot('BTCUSDT', { lastUpdateId: 0, bids: [], asks: [] }),
      /lastUpdateId/,
    );
  });

  it('asks the deep book publicly and rejects when the venue fails', async () => {
    const { rest: r, seen } = await rest((q) =>
      q.query.includes('BTCUSDT')
        ? { body: mexcFixture('depth.json') }
        : { status: 400, body: { code: 30014, msg: 'invalid symbol' } },
    );
    expect((await fetchDepthSnapshot(r, 'BTCUSDT')).version).toBe(1112416);
    expect(seen[0]!.query).toBe(`symbol=BTCUSDT&limit=${SNAPSHOT_DEPTH}`);
    expect(seen[0]!.headers['x-mexc-apikey']).toBeUndefined();
    await expectRejects(fetchDepthSnapshot(r, 'NOPE1'), /MEXC depth NOPE1: invalid symbol \(30014\)/);
  });
});

describe('MEXC listenKey calls', () => {
  it('creates, extends and closes a key with signed POST, PUT and DELETE', async () => {
    const { rest: r, seen } = await rest((q) =>
      q.method === 'POST' ? { body: mexcFixture('listen-key.json') } : { body: {} },
    );
    const keys = restListenKeys(r);
    const key = await keys.create();
    expect(key).toBe('pqia91ma19a5s61cv6a81va65sdf19v8a65a1a5s61cv6a81va65sdf19v8a65a1');
    await keys.keepAlive(key);
    await keys.close(key);
    expect(seen.map((q) => `${q.method} ${q.path}`)).toEqual([
      'POST /api/v3/userDataStream',
      'PUT /api/v3/userDataStream',
      'DELETE /api/v3/userDataStream',
    ]);
    expect(new URLSearchParams(seen[1]!.query).get('listenKey')).toBe(key);
    for (const q of seen) expect(splitSignature(q.query).signature).toMatch(/^[0-9a-f]{64}$/);
  });

  it('rejects a refusal or an answer without a key', async () => {
    const { rest: r } = await rest((q) =>
      q.method === 'POST'
        ? { body: { listenKey: '' } }
        : { status: 400, body: { code: 730002, msg: 'invalid param' } },
    );
    const keys = restListenKeys(r);
    await expectRejects(keys.create(), /MEXC listenKey listenKey/);
    await expectRejects(keys.keepAlive('k'), /keep-alive: invalid param \(730002\)/);
  });
});
