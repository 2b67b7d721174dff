import { z } from 'zod';
import type { Clock } from '../../core/clock.ts';
import { EngineError } from '../../core/errors.ts';

/**
 * Which venue account a credential belongs to. Bybit has three separate key sets (mainnet, testnet,
 * demo trading); MEXC spot has only its real account, named `mainnet` here for symmetry.
 */
export const credentialKey = z.discriminatedUnion('venue', [
  z.object({ venue: z.literal('bybit'), env: z.enum(['mainnet', 'testnet', 'demo']) }).strict(),
  z.object({ venue: z.literal('mexc'), env: z.literal('mainnet') }).strict(),
]);
export type CredentialKey = z.infer<typeof credentialKey>;

/**
 * One key or secret as the venue prints it: printable ASCII without blanks, so a stray space or line
 * break from a paste is refused instead of stored. (Bybit's self-generated RSA keys, whose "secret" is
 * a multi-line PEM, are not supported: only HMAC key pairs.) Messages name the field, never its value.
 */
function credentialText(name: string, max: number) {
  return z
    .string({ error: `${name} must be text` })
    .min(8, `${name} is too short (at least 8 characters)`)
    .max(max, `${name} is too long (at most ${max} characters)`)
    .regex(/^[\x21-\x7e]+$/, `${name} must be printable characters without spaces or line breaks`);
}

export const credentials = z
  .object({ apiKey: credentialText('API key', 128), apiSecret: credentialText('API secret', 256) })
  .strict();
export type Credentials = z.infer<typeof credentials>;

/** What the UI may learn about a credential: never the secret, and of the key only its last 4 characters. */
export interface CredentialStatus {
  exists: boolean;
  /** When it was saved, ms since epoch; null when none is saved. */
  savedAt: number | null;
  /** The last 4 characters of the API key, so the trader can tell which key is saved. */
  keyHint: string | null;
}

/**
 * Venue credentials at rest. Guarantees:
 * - Every method validates its arguments first and throws EngineError `invalid_input` for a malformed
 *   key or credential; the message names the field and the rule, never the value.
 * - `save` replaces whatever was saved for the same key and resolves once the backing store holds it.
 * - `status` is the only view meant for the UI: it never returns the secret.
 * - `load` returns the credential for the engine side (a venue adapter signing requests) and null when
 *   none is saved. Its result never crosses the UI boundary and is never logged.
 * - `delete` resolves true when an entry was removed, false when there was none.
 * - EngineError `unavailable` means the backing store cannot be used (no keychain running, locked) or
 *   the saved entry is unreadable; nothing is ever stored elsewhere as a fallback.
 * - No error message, from any method, contains a key or a secret.
 */
export interface SecretStore {
  save(key: CredentialKey, creds: Credentials): Promise<{ savedAt: number }>;
  status(key: CredentialKey): Promise<CredentialStatus>;
  load(key: CredentialKey): Promise<Credentials | null>;
  delete(key: CredentialKey): Promise<boolean>;
}

// ---------------------------------------------------------------------------------------------------
// The entry format and checks shared by every SecretStore.

/** The stored entry: one JSON string per account. */
const storedEntry = z.object({
  apiKey: credentials.shape.apiKey,
  apiSecret: credentials.shape.apiSecret,
  savedAt: z.number().int().nonnegative(),
});
export type StoredEntry = z.infer<typeof storedEntry>;

/** The keychain account of a credential, such as `bybit:testnet`. */
export function accountName(key: CredentialKey): string {
  return `${key.venue}:${key.env}`;
}

export function checkKey(key: unknown): CredentialKey {
  const parsed = credentialKey.safeParse(key);
  if (!parsed.success)
    throw new EngineError(
      'invalid_input',
      'credential venue must be bybit (mainnet, testnet or demo) or mexc',
    );
  return parsed.data;
}

export function checkCredentials(creds: unknown): Credentials {
  const parsed = credentials.safeParse(creds);
  if (parsed.success) return parsed.data;
  // Issue messages are ours (above) or zod's type and key messages: none repeats the input value.
  const reasons = parsed.error.issues.map((issue) => issue.message);
  throw new EngineError('invalid_input', `credential refused: ${[...new Set(reasons)].join('; ')}`);
}

export function encodeEntry(creds: Credentials, savedAt: number): string {
  const entry: StoredEntry = { apiKey: creds.apiKey, apiSecret: creds.apiSecret, savedAt };
  return JSON.stringify(entry);
}

/** Parses a stored entry; one that is not what `encodeEntry` writes is refused, never half-returned. */
export function decodeEntry(key: CredentialKey, raw: string): StoredEntry {
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch {
    value = undefined;
  }
  const parsed = storedEntry.safeParse(value);
  if (!parsed.success)
    throw new EngineError(
      'unavailable',
      `the saved ${key.venue} ${key.env} credential is unreadable; delete it and save it again`,
    );
  return parsed.data;
}

export function statusOf(entry: StoredEntry | null): CredentialStatus {
  if (!entry) return { exists: false, savedAt: null, keyHint: null };
  return { exists: true, savedAt: entry.savedAt, keyHint: entry.apiKey.slice(-4) };
}

/**
 * A SecretStore in memory, for tests and for runs that must not touch the OS keychain. It keeps the
 * same encoded entries as the keychain does, so validation and decoding follow the same path; a
 * test may pass raw entries in to see how a damaged one is treated.
 */
export class MemorySecretStore implements SecretStore {
  private readonly clock: Pick<Clock, 'now'>;
  private readonly entries: Map<string, string>;

  constructor(clock: Pick<Clock, 'now'>, entries: Map<string, string> = new Map()) {
    this.clock = clock;
    this.entries = entries;
  }

  // Wrapped in a promise so a refused argument rejects, as it does with the keychain, instead of throwing.
  save(key: CredentialKey, creds: Credentials): Promise<{ savedAt: number }> {
    return settle(() => {
      const account = accountName(checkKey(key));
      const valid = checkCredentials(creds);
      const savedAt = this.clock.now();
      this.entries.set(account, encodeEntry(valid, savedAt));
      return { savedAt };
    });
  }

  status(key: CredentialKey): Promise<CredentialStatus> {
    return settle(() => statusOf(this.read(key)));
  }

  load(key: CredentialKey): Promise<Credentials | null> {
    return settle(() => {
      const entry = this.read(key);
      return entry ? { apiKey: entry.apiKey, apiSecret: entry.apiSecret } : null;
    });
  }

  delete(key: CredentialKey): Promise<boolean> {
    return settle(() => this.entries.delete(accountName(checkKey(key))));
  }

  private read(key: CredentialKey): StoredEntry | null {
    const valid = checkKey(key);
    const raw = this.entries.get(accountName(valid));
    return raw === undefined ? null : decodeEntry(valid, raw);
  }
}

function settle<T>(fn: () => T): Promise<T> {
  return new Promise<T>((resolve) => {
    resolve(fn());
  });
}
