import { describe, expect, it } from 'vitest';
import { formatPrice, formatSize } from '../../../../engine/core/instrument.ts';
import { Rng } from '../../../../engine/core/random.ts';
import { decodeBookText } from '../../../../engine/venues/bybit/book-text.ts';
import { parseBookFrame } from '../../../../engine/venues/bybit/messages.ts';
import { btcLinear, fixture } from './helpers.ts';

const compact = (name: string): string => JSON.stringify(fixture(name));

describe('decodeBookText: book frames from their text', () => {
  it.each(['orderbook-ws-snapshot.json', 'orderbook-ws-delta.json'])(
    'decodes the documented %s exactly as the checked parser does',
    (name) => {
      const text = compact(name);
      expect(decodeBookText(btcLinear, text)?.message).toEqual(parseBookFrame(btcLinear, JSON.parse(text)));
    },
  );

  it('agrees with the checked parser on random frames, keys in either order (spot puts ts first)', () => {
    const rng = new Rng(23);
    for (let n = 0; n < 500; n++) {
      const level = (): [string, string] => [
        formatPrice(btcLinear, 300_000 + (rng.nextU32() % 10_000)),
        formatSize(btcLinear, rng.nextU32() % 5000),
      ];
      const levels = (k: number) => Array.from({ length: k }, level);
      const head =
        n % 2 === 0
          ? {
              topic: 'orderbook.50.BTCUSDT',
              ts: 1_700_000_000_000 + n,
              type: n % 3 === 0 ? 'snapshot' : 'delta',
            }
          : {
              topic: 'orderbook.50.BTCUSDT',
              type: n % 3 === 0 ? 'snapshot' : 'delta',
              ts: 1_700_000_000_000 + n,
            };
      const text = JSON.stringify({
        ...head,
        data: {
          s: 'BTCUSDT',
          b: levels(rng.nextU32() % 6),
          a: levels(rng.nextU32() % 6),
          u: n + 1,
          seq: 9 * n,
        },
        cts: 1_700_000_000_000,
      });
      expect(decodeBookText(btcLinear, text)?.message).toEqual(parseBookFrame(btcLinear, JSON.parse(text)));
    }
  });

  it.each([
    ['whitespace', (t: string) => t.replace('"type":', '"type": ')],
    ['an escape', (t: string) => t.replace('"BTCUSDT"', '"BTC\\u0055SDT"')],
    ['a price off the grid', (t: string) => t.replace('"30247.20"', '"30247.25"')],
    ['a string timestamp', (t: string) => t.replace(/"ts":(\d+)/, '"ts":"$1"')],
    ['an unknown key', (t: string) => t.replace('"data":{', '"data":{"x":1,')],
    ['another symbol', (t: string) => t.replaceAll('BTCUSDT', 'ETHUSDT')],
    ['trailing text', (t: string) => `${t} `],
    ['a truncated frame', (t: string) => t.slice(0, -5)],
    ['a negative size', (t: string) => t.replace('"30.028"', '"-30.028"')],
    ['a key spelt with an escape', (t: string) => t.replace('"topic":', '"t\\u006fpic":')],
    ['a key that only starts like one', (t: string) => t.replace('"ts":', '"tsx":')],
    ['a key without its colon', (t: string) => t.replace('"u":', '"u"')],
    ['an escape inside a price', (t: string) => t.replace('"30247.20"', '"30247.2\\u0030"')],
    ['an unquoted price', (t: string) => t.replace('"30247.20"', '30247.20')],
    ['an empty size', (t: string) => t.replace('"30.028"', '""')],
  ])('leaves %s to the general path (null)', (_what, change) => {
    const original = compact('orderbook-ws-delta.json');
    const changed = change(original);
    expect(changed).not.toBe(original);
    expect(decodeBookText(btcLinear, original)).not.toBeNull();
    expect(decodeBookText(btcLinear, changed)).toBeNull();
  });
});
