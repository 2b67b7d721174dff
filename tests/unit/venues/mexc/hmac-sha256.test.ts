import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { HmacSha256 } from '../../../../engine/venues/mexc/hmac-sha256.ts';

const node = (secret: string, text: string): string =>
  createHmac('sha256', secret).update(text, 'utf8').digest('hex');

/** A seeded generator (mulberry32): the same keys and messages on every run. */
function generator(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** What a message is drawn from: query-string ASCII, and characters of two, three and four UTF-8 bytes. */
const CHARS = [
  ...'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789=&%-._~'.split(''),
  'é',
  '€',
  '😀',
];

function text(random: () => number, length: number): string {
  const chars = CHARS;
  let out = '';
  for (let i = 0; i < length; i++) out += chars[Math.floor(random() * chars.length)]!;
  return out;
}

describe('HmacSha256', () => {
  it('signs the MEXC docs example (B3 example 2)', () => {
    const signer = new HmacSha256('45d0b3c26f2644f19bfb98b07741b2f5');
    expect(
      signer.hex(
        'symbol=BTCUSDT&side=BUY&type=LIMIT&quantity=1&price=11&recvWindow=5000&timestamp=1644489390087',
      ),
    ).toBe('fd3e4e8543c5188531eb7279d68ae7d26a573d0fc5ab0d18eb692451654d837a');
  });

  it('equals node:crypto at every message length around the block edges', () => {
    const secret = 'mx0-secret-0123456789';
    const signer = new HmacSha256(secret);
    for (let length = 0; length <= 300; length++) {
      const message = 'q'.repeat(length);
      expect(signer.hex(message)).toBe(node(secret, message));
    }
  });

  it('equals node:crypto over random keys (short, a block, longer) and messages, UTF-8 included', () => {
    const random = generator(15);
    for (let round = 0; round < 500; round++) {
      const secret = text(random, 1 + Math.floor(random() * 150));
      const signer = new HmacSha256(secret);
      // Several messages per signer: its buffers are reused, and a longer message grows them.
      for (let i = 0; i < 4; i++) {
        const message = text(random, Math.floor(random() * (i === 3 ? 2000 : 300)));
        expect(signer.hex(message)).toBe(node(secret, message));
      }
    }
  });

  it('keys of exactly one block, and the empty key', () => {
    for (const secret of ['k'.repeat(64), 'k'.repeat(65), '']) {
      expect(new HmacSha256(secret).hex('timestamp=1')).toBe(node(secret, 'timestamp=1'));
    }
  });
});
