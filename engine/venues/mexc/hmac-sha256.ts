import { createHash } from 'node:crypto';

/**
 * HMAC-SHA256 (RFC 2104 over FIPS 180-4) in plain JavaScript, keyed once, for the signature on every
 * MEXC order request. What it bought, measured on the tick-to-wire bench's machine (issue 15): in a
 * push's handler, after the event loop has slept a few ms, node:crypto's createHmac took 30–90 µs
 * (about 4 µs when called in a tight loop); this takes a few µs either way. The likely cause, not
 * measured: OpenSSL's vector SHA-256 warming up, and the native call's setup, after every idle
 * spell. Same bytes out as `createHmac('sha256', secret).update(text, 'utf8').digest('hex')`, which
 * the tests check over random keys and messages; the venue refuses a wrong signature (700002)
 * rather than acting on it.
 */

const K = Int32Array.from([
  0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5, 0xd807aa98,
  0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786,
  0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da, 0x983e5152, 0xa831c66d, 0xb00327c8,
  0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13,
  0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819,
  0xd6990624, 0xf40e3585, 0x106aa070, 0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a,
  0x5b9cca4f, 0x682e6ff3, 0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7,
  0xc67178f2,
]);

const INITIAL = Int32Array.from([
  0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19,
]);

const BLOCK = 64;
const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

/** One SHA-256 compression of the 64 bytes of `bytes` at `offset` into `state`; `w` is scratch. */
function compress(state: Int32Array, w: Int32Array, bytes: Uint8Array, offset: number): void {
  for (let i = 0; i < 16; i++) {
    const j = offset + i * 4;
    w[i] = (bytes[j]! << 24) | (bytes[j + 1]! << 16) | (bytes[j + 2]! << 8) | bytes[j + 3]!;
  }
  for (let i = 16; i < 64; i++) {
    const a = w[i - 15]!;
    const b = w[i - 2]!;
    const s0 = ((a >>> 7) | (a << 25)) ^ ((a >>> 18) | (a << 14)) ^ (a >>> 3);
    const s1 = ((b >>> 17) | (b << 15)) ^ ((b >>> 19) | (b << 13)) ^ (b >>> 10);
    w[i] = (w[i - 16]! + s0 + w[i - 7]! + s1) | 0;
  }
  let a = state[0]!;
  let b = state[1]!;
  let c = state[2]!;
  let d = state[3]!;
  let e = state[4]!;
  let f = state[5]!;
  let g = state[6]!;
  let h = state[7]!;
  for (let i = 0; i < 64; i++) {
    const S1 = ((e >>> 6) | (e << 26)) ^ ((e >>> 11) | (e << 21)) ^ ((e >>> 25) | (e << 7));
    const t1 = (h + S1 + ((e & f) ^ (~e & g)) + K[i]! + w[i]!) | 0;
    const S0 = ((a >>> 2) | (a << 30)) ^ ((a >>> 13) | (a << 19)) ^ ((a >>> 22) | (a << 10));
    const t2 = (S0 + ((a & b) ^ (a & c) ^ (b & c))) | 0;
    h = g;
    g = f;
    f = e;
    e = (d + t1) | 0;
    d = c;
    c = b;
    b = a;
    a = (t1 + t2) | 0;
  }
  state[0] = (state[0]! + a) | 0;
  state[1] = (state[1]! + b) | 0;
  state[2] = (state[2]! + c) | 0;
  state[3] = (state[3]! + d) | 0;
  state[4] = (state[4]! + e) | 0;
  state[5] = (state[5]! + f) | 0;
  state[6] = (state[6]! + g) | 0;
  state[7] = (state[7]! + h) | 0;
}

/** The state after the 64-byte block of the key xor `pad`: where every message's hash starts. */
function keyedState(key: Uint8Array, pad: number, w: Int32Array): Int32Array {
  const block = new Uint8Array(BLOCK);
  for (let i = 0; i < BLOCK; i++) block[i] = (key[i] ?? 0) ^ pad;
  const state = Int32Array.from(INITIAL);
  compress(state, w, block, 0);
  return state;
}

/** HMAC-SHA256 under one secret. Not safe for reentrant use: it signs into buffers of its own. */
export class HmacSha256 {
  private readonly inner: Int32Array;
  private readonly outer: Int32Array;
  private readonly state = new Int32Array(8);
  private readonly w = new Int32Array(64);
  /** The message padded to whole blocks; grown (never shrunk) for a longer one. */
  private buffer = new Uint8Array(8 * BLOCK);
  /** The inner digest padded to one block: the outer hash's only block. */
  private readonly digestBlock = new Uint8Array(BLOCK);

  constructor(secret: string) {
    let key: Uint8Array = Buffer.from(secret, 'utf8');
    // A key longer than a block is hashed first (RFC 2104); once, so node:crypto does it.
    if (key.length > BLOCK) key = createHash('sha256').update(key).digest();
    this.inner = keyedState(key, 0x36, this.w);
    this.outer = keyedState(key, 0x5c, this.w);
    // The outer message is always 64 key bytes + 32 digest bytes: its padding never changes.
    this.digestBlock[32] = 0x80;
    this.digestBlock[62] = ((BLOCK + 32) * 8) >>> 8;
    this.digestBlock[63] = ((BLOCK + 32) * 8) & 0xff;
  }

  /** The lowercase hex HMAC of `text` as UTF-8. */
  hex(text: string): string {
    const total = this.pad(text);
    const bytes = this.buffer;
    const state = this.state;
    state.set(this.inner);
    for (let offset = 0; offset < total; offset += BLOCK) compress(state, this.w, bytes, offset);
    const block = this.digestBlock;
    for (let i = 0; i < 8; i++) {
      const v = state[i]!;
      block[i * 4] = v >>> 24;
      block[i * 4 + 1] = (v >>> 16) & 0xff;
      block[i * 4 + 2] = (v >>> 8) & 0xff;
      block[i * 4 + 3] = v & 0xff;
    }
    state.set(this.outer);
    compress(state, this.w, block, 0);
    let out = '';
    for (let i = 0; i < 8; i++) {
      const v = state[i]!;
      out += HEX[v >>> 24]! + HEX[(v >>> 16) & 0xff]! + HEX[(v >>> 8) & 0xff]! + HEX[v & 0xff]!;
    }
    return out;
  }

  /**
   * Writes `text` as UTF-8 with SHA-256's padding (counted after the key block) into `buffer`, and
   * answers how many bytes, whole blocks. A query string is ASCII (sign.ts escapes everything
   * else), copied char by char; anything else goes through Buffer's encoder.
   */
  private pad(text: string): number {
    let length = text.length;
    let source: Uint8Array | undefined;
    for (let i = 0; i < text.length; i++) {
      if (text.charCodeAt(i) >= 0x80) {
        source = Buffer.from(text, 'utf8');
        length = source.length;
        break;
      }
    }
    // 0x80, then zeros up to 8 bytes short of a block's end, then the bit length.
    const total = Math.ceil((length + 9) / BLOCK) * BLOCK;
    if (this.buffer.length < total) this.buffer = new Uint8Array(total * 2);
    const bytes = this.buffer;
    if (source === undefined) for (let i = 0; i < length; i++) bytes[i] = text.charCodeAt(i);
    else bytes.set(source);
    bytes[length] = 0x80;
    bytes.fill(0, length + 1, total - 8);
    // The bit length of key block + message; below 2^53, written as two 32-bit halves.
    const bits = (BLOCK + length) * 8;
    const high = Math.floor(bits / 2 ** 32);
    for (let i = 0; i < 4; i++) {
      bytes[total - 8 + i] = (high >>> (24 - i * 8)) & 0xff;
      bytes[total - 4 + i] = (bits >>> (24 - i * 8)) & 0xff;
    }
    return total;
  }
}
