import { describe, expect, it } from 'vitest';
import { SimClock } from '../../../engine/core/clock.ts';
import { EngineError } from '../../../engine/core/errors.ts';
import {
  KeytarSecretStore,
  keychainError,
  type KeytarApi,
} from '../../../engine/host/secrets/keytar-store.ts';
import {
  MemorySecretStore,
  type CredentialKey,
  type Credentials,
} from '../../../engine/host/secrets/secret-store.ts';

const T0 = Date.UTC(2026, 0, 1);
const testnet: CredentialKey = { venue: 'bybit', env: 'testnet' };
const mexc: CredentialKey = { venue: 'mexc', env: 'mainnet' };
const SECRET = 'S3cr3tValueNeverPrinted0123456789';
const creds: Credentials = { apiKey: 'abcdEFGH1234wxyz', apiSecret: SECRET };

async function refusal(promise: Promise<unknown>): Promise<EngineError> {
  const err: unknown = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(EngineError);
  return err as EngineError;
}

describe('MemorySecretStore', () => {
  it('saves, reports, loads, overwrites and deletes one credential per venue account', async () => {
    const clock = new SimClock(T0);
    const store = new MemorySecretStore(clock);
    expect(await store.status(testnet)).toEqual({ exists: false, savedAt: null, keyHint: null });
    expect(await store.load(testnet)).toBeNull();

    expect(await store.save(testnet, creds)).toEqual({ savedAt: T0 });
    expect(await store.status(testnet)).toEqual({ exists: true, savedAt: T0, keyHint: 'wxyz' });
    expect(await store.load(testnet)).toEqual(creds);
    // Another account of the same venue, and another venue, are separate entries.
    expect(await store.status({ venue: 'bybit', env: 'mainnet' })).toMatchObject({ exists: false });
    expect(await store.status(mexc)).toMatchObject({ exists: false });

    clock.advance(5_000);
    const next = { apiKey: 'mx0vglNEWKEY9876', apiSecret: `${SECRET}x` };
    expect(await store.save(testnet, next)).toEqual({ savedAt: T0 + 5_000 });
    expect(await store.status(testnet)).toEqual({ exists: true, savedAt: T0 + 5_000, keyHint: '9876' });
    expect(await store.load(testnet)).toEqual(next);

    expect(await store.delete(testnet)).toBe(true);
    expect(await store.delete(testnet)).toBe(false);
    expect(await store.status(testnet)).toEqual({ exists: false, savedAt: null, keyHint: null });
  });

  it('refuses malformed credentials by naming the field and the rule, never the value', async () => {
    const store = new MemorySecretStore(new SimClock(T0));
    const cases: [unknown, RegExp][] = [
      [{ apiKey: '', apiSecret: SECRET }, /API key is too short/],
      [{ apiKey: creds.apiKey, apiSecret: '' }, /API secret is too short/],
      [
        { apiKey: 'abcd efgh 1234', apiSecret: SECRET },
        /API key must be printable characters without spaces/,
      ],
      [{ apiKey: creds.apiKey, apiSecret: `${SECRET}\n` }, /API secret must be printable characters/],
      [{ apiKey: creds.apiKey, apiSecret: `\t${SECRET}` }, /API secret must be printable characters/],
      [{ apiKey: creds.apiKey, apiSecret: `${SECRET}é` }, /API secret must be printable characters/],
      [{ apiKey: 'k'.repeat(129), apiSecret: SECRET }, /API key is too long \(at most 128/],
      [{ apiKey: creds.apiKey, apiSecret: 's'.repeat(257) }, /API secret is too long \(at most 256/],
      [{ apiKey: creds.apiKey, apiSecret: 12345678 }, /API secret must be text/],
      [{ apiKey: creds.apiKey }, /API secret must be text/],
      [{ ...creds, passphrase: SECRET }, /passphrase/],
    ];
    for (const [input, reason] of cases) {
      const err = await refusal(store.save(testnet, input as Credentials));
      expect(err.code).toBe('invalid_input');
      expect(err.message).toMatch(reason);
      expect(err.message).not.toContain(SECRET);
      expect(err.message).not.toContain(creds.apiKey);
    }
    expect(await store.status(testnet)).toMatchObject({ exists: false });
    // The longest accepted values are stored as given.
    const longest = { apiKey: 'k'.repeat(128), apiSecret: 's'.repeat(256) };
    await store.save(testnet, longest);
    expect(await store.load(testnet)).toEqual(longest);
  });

  it('refuses an unknown venue account in every method', async () => {
    const store = new MemorySecretStore(new SimClock(T0));
    const bad = [
      { venue: 'mexc', env: 'testnet' },
      { venue: 'bybit', env: 'live' },
      { venue: 'binance', env: 'mainnet' },
      { venue: 'bybit', env: 'testnet', extra: 1 },
      null,
    ] as unknown as CredentialKey[];
    for (const key of bad) {
      for (const call of [store.save(key, creds), store.status(key), store.load(key), store.delete(key)]) {
        const err = await refusal(call);
        expect(err.code).toBe('invalid_input');
        expect(err.message).toMatch(/bybit \(mainnet, testnet or demo\) or mexc/);
      }
    }
  });

  it('refuses a damaged entry with a clear error and never returns part of it', async () => {
    const entries = new Map<string, string>([
      ['bybit:testnet', `{"apiKey":"${creds.apiKey}","apiSecret":"${SECRET}"`],
      ['bybit:demo', JSON.stringify({ apiKey: creds.apiKey, apiSecret: SECRET })],
      ['mexc:mainnet', JSON.stringify({ apiKey: creds.apiKey, apiSecret: 'has space', savedAt: T0 })],
    ]);
    const store = new MemorySecretStore(new SimClock(T0), entries);
    for (const key of [testnet, { venue: 'bybit', env: 'demo' }, mexc] as CredentialKey[]) {
      for (const call of [store.load(key), store.status(key)]) {
        const err = await refusal(call);
        expect(err.code).toBe('unavailable');
        expect(err.message).toBe(
          `the saved ${key.venue} ${key.env} credential is unreadable; delete it and save it again`,
        );
      }
      expect(await store.delete(key)).toBe(true);
    }
  });
});

/** A keytar stand-in over a map; `fail` makes every call throw that message. */
function fakeKeytar(fail?: string): KeytarApi & { entries: Map<string, string> } {
  const entries = new Map<string, string>();
  const maybeFail = (): void => {
    if (fail !== undefined) throw new Error(fail);
  };
  return {
    entries,
    getPassword: (service, account) => {
      maybeFail();
      return Promise.resolve(entries.get(`${service}/${account}`) ?? null);
    },
    setPassword: (service, account, password) => {
      maybeFail();
      entries.set(`${service}/${account}`, password);
      return Promise.resolve();
    },
    deletePassword: (service, account) => {
      maybeFail();
      return Promise.resolve(entries.delete(`${service}/${account}`));
    },
  };
}

describe('KeytarSecretStore', () => {
  it('files one JSON entry per venue account under the mm-workstation service', async () => {
    const keytar = fakeKeytar();
    const store = new KeytarSecretStore({
      clock: new SimClock(T0),
      loadKeytar: () => Promise.resolve(keytar),
    });
    await store.save(testnet, creds);
    expect([...keytar.entries.keys()]).toEqual(['mm-workstation/bybit:testnet']);
    expect(JSON.parse(keytar.entries.get('mm-workstation/bybit:testnet')!)).toEqual({
      ...creds,
      savedAt: T0,
    });
    expect(await store.status(testnet)).toEqual({ exists: true, savedAt: T0, keyHint: 'wxyz' });
    expect(await store.load(testnet)).toEqual(creds);
    expect(await store.delete(testnet)).toBe(true);
    expect(keytar.entries.size).toBe(0);
  });

  it('validates before it touches the keychain', async () => {
    let loaded = 0;
    const store = new KeytarSecretStore({
      clock: new SimClock(T0),
      loadKeytar: () => {
        loaded++;
        return Promise.resolve(fakeKeytar());
      },
    });
    const err = await refusal(store.save(testnet, { apiKey: creds.apiKey, apiSecret: ' ' }));
    expect(err.code).toBe('invalid_input');
    expect(loaded).toBe(0);
  });

  it('says the library is missing when keytar cannot be loaded', async () => {
    const store = new KeytarSecretStore({
      clock: new SimClock(T0),
      loadKeytar: () => Promise.reject(new Error('libsecret-1.so.0: cannot open shared object file')),
    });
    const err = await refusal(store.status(testnet));
    expect(err.code).toBe('unavailable');
    expect(err.message).toMatch(/library .* failed to load; install libsecret/);
    expect(err.message).not.toMatch(/\.so\.0/);
  });

  it("turns keytar's failures into one sentence of its own, never passing the library's text on", async () => {
    // A hostile library message that echoes the secret must not reach ours.
    const cases: [string, RegExp][] = [
      ['Cannot autolaunch D-Bus without X11 $DISPLAY', /no D-Bus session/],
      ['The name org.freedesktop.secrets was not provided by any .service files', /no Secret Service/],
      [
        'Object does not exist at path “/org/freedesktop/secrets/collection/login”',
        /locked or has no default/,
      ],
      [`something odd happened with ${SECRET}`, /refused the request/],
    ];
    for (const [raw, sentence] of cases) {
      const store = new KeytarSecretStore({
        clock: new SimClock(T0),
        loadKeytar: () => Promise.resolve(fakeKeytar(`${raw} (${SECRET})`)),
      });
      const err = await refusal(store.save(testnet, creds));
      expect(err.code).toBe('unavailable');
      expect(err.message).toMatch(sentence);
      expect(err.message).toMatch(/gnome-keyring/);
      expect(err.message).not.toContain(SECRET);
      expect(err.cause).toBeUndefined();
    }
    expect(keychainError('not an Error').message).toMatch(/refused the request/);
  });
});
