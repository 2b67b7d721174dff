import type { Clock } from '../../core/clock.ts';
import { EngineError } from '../../core/errors.ts';
import {
  accountName,
  checkCredentials,
  checkKey,
  decodeEntry,
  encodeEntry,
  statusOf,
  type CredentialKey,
  type Credentials,
  type CredentialStatus,
  type SecretStore,
  type StoredEntry,
} from './secret-store.ts';

/** The part of keytar this store uses. */
export interface KeytarApi {
  getPassword(service: string, account: string): Promise<string | null>;
  setPassword(service: string, account: string, password: string): Promise<void>;
  deletePassword(service: string, account: string): Promise<boolean>;
}

export interface KeytarStoreOptions {
  clock: Pick<Clock, 'now'>;
  /** The keychain service the entries are filed under; `mm-workstation` unless a test isolates itself. */
  service?: string;
  /** Loads keytar; the real module unless a test passes a stand-in. */
  loadKeytar?: () => Promise<KeytarApi>;
}

export const KEYCHAIN_SERVICE = 'mm-workstation';

/**
 * Credentials in the OS keychain through keytar: the Secret Service (gnome-keyring, KWallet) on
 * Linux, Keychain on macOS, the Credential Vault on Windows. One entry per venue account
 * (`bybit:testnet`), its password the JSON {apiKey, apiSecret, savedAt}.
 *
 * keytar is imported on first use, not at startup: its native module links libsecret, and a machine
 * without it must still start (on the simulator) and say what is missing when credentials are needed.
 * Every keytar failure becomes EngineError `unavailable` with a sentence of our own: the library's
 * text is not passed on, so nothing it might echo can reach a message or a log. There is deliberately
 * no plaintext fallback.
 */
export class KeytarSecretStore implements SecretStore {
  private readonly clock: Pick<Clock, 'now'>;
  private readonly service: string;
  private readonly loadKeytar: () => Promise<KeytarApi>;

  constructor(options: KeytarStoreOptions) {
    this.clock = options.clock;
    this.service = options.service ?? KEYCHAIN_SERVICE;
    this.loadKeytar = options.loadKeytar ?? importKeytar;
  }

  async save(key: CredentialKey, creds: Credentials): Promise<{ savedAt: number }> {
    const account = accountName(checkKey(key));
    const valid = checkCredentials(creds);
    const savedAt = this.clock.now();
    await this.call((keytar) => keytar.setPassword(this.service, account, encodeEntry(valid, savedAt)));
    return { savedAt };
  }

  async status(key: CredentialKey): Promise<CredentialStatus> {
    return statusOf(await this.read(key));
  }

  async load(key: CredentialKey): Promise<Credentials | null> {
    const entry = await this.read(key);
    return entry ? { apiKey: entry.apiKey, apiSecret: entry.apiSecret } : null;
  }

  async delete(key: CredentialKey): Promise<boolean> {
    const account = accountName(checkKey(key));
    return this.call((keytar) => keytar.deletePassword(this.service, account));
  }

  private async read(key: CredentialKey): Promise<StoredEntry | null> {
    const valid = checkKey(key);
    const raw = await this.call((keytar) => keytar.getPassword(this.service, accountName(valid)));
    return raw === null ? null : decodeEntry(valid, raw);
  }

  private async call<T>(op: (keytar: KeytarApi) => Promise<T>): Promise<T> {
    let keytar: KeytarApi;
    try {
      keytar = await this.loadKeytar();
    } catch {
      throw new EngineError(
        'unavailable',
        'The OS keychain cannot be used: its library (keytar with libsecret) failed to load; install libsecret and restart the app.',
      );
    }
    try {
      return await op(keytar);
    } catch (err) {
      throw keychainError(err);
    }
  }
}

async function importKeytar(): Promise<KeytarApi> {
  // keytar is CommonJS: its functions are on the default export.
  const module = await import('keytar');
  return module.default;
}

/** Says what is missing, judged from libsecret's message, which itself is never passed on. */
export function keychainError(err: unknown): EngineError {
  const text = err instanceof Error ? err.message : String(err);
  let sentence: string;
  if (/autolaunch|DBUS_SESSION_BUS_ADDRESS|connect to socket|could not connect/i.test(text)) {
    sentence =
      'The OS keychain is unavailable: there is no D-Bus session, so no Secret Service such as gnome-keyring can be reached; start the app from a desktop session with the keyring running.';
  } else if (/org\.freedesktop\.secrets|ServiceUnknown|not provided by any/i.test(text)) {
    sentence =
      'The OS keychain is unavailable: no Secret Service such as gnome-keyring is running in this session; install and start one, then try again.';
  } else if (/collection|locked|prompt|cancel|dismiss/i.test(text)) {
    sentence =
      'The OS keychain is locked or has no default keyring: unlock it in your Secret Service such as gnome-keyring, then try again.';
  } else {
    sentence =
      'The OS keychain refused the request: check that a Secret Service such as gnome-keyring is running and unlocked.';
  }
  return new EngineError('unavailable', sentence);
}
