import { readFileSync } from 'node:fs';
import { expect } from 'vitest';
import { EngineError } from '../../../../engine/core/errors.ts';
import { defineInstrument, type InstrumentSpec } from '../../../../engine/core/instrument.ts';

/** The documented example a fixture holds (tests/fixtures/bybit/*.json keep their source beside it). */
export function fixture(name: string): unknown {
  const url = new URL(`../../../fixtures/bybit/${name}`, import.meta.url);
  return (JSON.parse(readFileSync(url, 'utf8')) as { message: unknown }).message;
}

/** `list[index]` of a REST fixture's result, or `data[index]` of a WS one. */
export function fixtureItem(name: string, index = 0): Record<string, unknown> {
  const body = fixture(name) as { result?: { list: unknown[] }; data?: unknown[] };
  const list = body.result?.list ?? body.data ?? [];
  return list[index] as Record<string, unknown>;
}

const base: InstrumentSpec = {
  symbol: 'BTCUSDT',
  base: 'BTC',
  quote: 'USDT',
  tickSize: '0.10',
  lotSize: '0.001',
  minSize: '0.001',
  minNotional: '5',
  makerFee: '0.0002',
  takerFee: '0.00055',
};

/** Linear BTCUSDT as instruments-info prints it (A7). */
export const btcLinear = defineInstrument(base);
/** Spot BTCUSDT: tick 0.1, basePrecision 0.000001. */
export const btcSpot = defineInstrument({
  ...base,
  tickSize: '0.1',
  lotSize: '0.000001',
  minSize: '0.000001',
});
export const ethLinear = defineInstrument({
  ...base,
  symbol: 'ETHUSDT',
  base: 'ETH',
  tickSize: '0.01',
  lotSize: '0.01',
  minSize: '0.01',
});
/** The USDC perpetual of the execution-list example. */
export const ethPerp = defineInstrument({
  ...base,
  symbol: 'ETHPERP',
  base: 'ETH',
  quote: 'USDC',
  tickSize: '0.05',
  lotSize: '0.01',
  minSize: '0.01',
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
