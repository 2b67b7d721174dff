/**
 * Keychain-test child: drives KeytarSecretStore against whatever Secret Service its environment
 * reaches, and prints one JSON line for keychain.test.ts. It runs in a process of its own because
 * the D-Bus session (dbus-run-session with gnome-keyring) must exist before libsecret first connects.
 *
 * The credentials come in through MM_TEST_API_KEY / MM_TEST_API_SECRET and are never printed: loads
 * are compared here and reported as booleans, so the parent can look for the planted strings in
 * everything this process writes.
 *
 * Modes: `roundtrip` (the full life of one credential, a damaged entry, and one credential left for
 * `read`), `read` (that credential from a new session), `save` (one save, to see how it fails).
 */
import keytar from 'keytar';
import { EngineError } from '../../../engine/core/errors.ts';
import { KEYCHAIN_SERVICE, KeytarSecretStore } from '../../../engine/host/secrets/keytar-store.ts';
import type { CredentialKey } from '../../../engine/host/secrets/secret-store.ts';

const mode = process.argv[2];
const apiKey = process.env.MM_TEST_API_KEY ?? '';
const apiSecret = process.env.MM_TEST_API_SECRET ?? '';
const store = new KeytarSecretStore({ clock: { now: () => Date.now() } });
const testnet: CredentialKey = { venue: 'bybit', env: 'testnet' };
const demo: CredentialKey = { venue: 'bybit', env: 'demo' };
const mexc: CredentialKey = { venue: 'mexc', env: 'mainnet' };
const kept = { apiKey: `${apiKey}M`, apiSecret: `${apiSecret}M` };

async function errorOf(work: () => Promise<unknown>): Promise<{ code: string; message: string } | null> {
  try {
    await work();
    return null;
  } catch (err) {
    if (err instanceof EngineError) return { code: err.code, message: err.message };
    return { code: 'not_an_engine_error', message: 'an error that is not an EngineError' };
  }
}

async function roundtrip(): Promise<Record<string, unknown>> {
  const before = await store.status(testnet);
  const first = await store.save(testnet, { apiKey, apiSecret });
  const saved = await store.status(testnet);
  const loaded = await store.load(testnet);
  const second = { apiKey: `${apiKey}2`, apiSecret: `${apiSecret}2` };
  const overwrite = await store.save(testnet, second);
  const overwritten = await store.status(testnet);
  const reloaded = await store.load(testnet);
  const deleted = await store.delete(testnet);
  const afterDelete = await store.status(testnet);
  const loadAfterDelete = await store.load(testnet);
  const deletedAgain = await store.delete(testnet);

  // A damaged entry, written behind the store's back, is refused with a clear error and never returned.
  await keytar.setPassword(KEYCHAIN_SERVICE, 'bybit:demo', `{"apiKey":"${apiKey}","apiSecret":`);
  const corruptLoad = await errorOf(() => store.load(demo));
  const corruptStatus = await errorOf(() => store.status(demo));
  const corruptDeleted = await store.delete(demo);

  await store.save(mexc, kept);
  return {
    before,
    first,
    saved,
    loadMatches: loaded?.apiKey === apiKey && loaded.apiSecret === apiSecret,
    overwrite,
    overwritten,
    reloadMatches: reloaded?.apiKey === second.apiKey && reloaded.apiSecret === second.apiSecret,
    deleted,
    afterDelete,
    loadAfterDelete,
    deletedAgain,
    corruptLoad,
    corruptStatus,
    corruptDeleted,
  };
}

async function read(): Promise<Record<string, unknown>> {
  const status = await store.status(mexc);
  const loaded = await store.load(mexc);
  return { status, loadMatches: loaded?.apiKey === kept.apiKey && loaded.apiSecret === kept.apiSecret };
}

async function save(): Promise<Record<string, unknown>> {
  return { saved: await store.save(testnet, { apiKey, apiSecret }) };
}

const started = performance.now();
const modes: Record<string, () => Promise<Record<string, unknown>>> = { roundtrip, read, save };
const run = mode === undefined ? undefined : modes[mode];
if (!run) throw new Error('usage: keychain-child.ts roundtrip|read|save');
try {
  const result = await run();
  console.log(JSON.stringify({ ok: true, ms: Math.round(performance.now() - started), result }));
} catch (err) {
  const error =
    err instanceof EngineError ? { code: err.code, message: err.message } : { code: 'not_an_engine_error' };
  console.log(JSON.stringify({ ok: false, error }));
  process.exitCode = 2;
}
