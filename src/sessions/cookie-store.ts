/**
 * The whole session in the visitor's cookie, encrypted and authenticated (AES-256-GCM under a key
 * derived from SECRET_KEY with HKDF), for apps with no database and no Redis.
 *
 * What it cannot do, by construction: revoke a copied cookie before it expires (logout clears the
 * visitor's cookie, but a copy taken earlier stays valid until its expiry inside the ciphertext),
 * list a user's sessions, or sign a user out everywhere. It also holds at most ~4 KB.
 *
 * @module
 */
import { decrypt, encrypt } from '../security/encryption.js';
import { SessionError } from './errors.js';
import { isSessionRecord, type SessionRecord } from './store.js';

export interface CookieStoreOptions {
  /** Key to encrypt with. @default the app's SECRET_KEY (`req.settings.secretKey`) */
  secretKey?: string;
  /** Former keys, still accepted for reading after a key change, so visitors keep their sessions. */
  fallbackSecretKeys?: readonly string[];
  /** Largest cookie (name and value) written; browsers keep 4096 bytes at most. @default 4096 */
  maxCookieBytes?: number;
}

const PURPOSE = 'rampart.sessions.cookie';
const FORMAT = 1;

/**
 * A session store that keeps the session in the cookie itself.
 *
 * @example
 * app.use(sessions({ store: new CookieStore() }))   // needs SECRET_KEY in production
 * @see docs/sessions.md
 */
export class CookieStore {
  readonly kind = 'cookie' as const;
  readonly #secretKey: string | undefined;
  readonly #fallbacks: readonly string[];
  readonly #maxBytes: number;

  constructor(options: CookieStoreOptions = {}) {
    this.#secretKey = options.secretKey;
    this.#fallbacks = options.fallbackSecretKeys ?? [];
    this.#maxBytes = options.maxCookieBytes ?? 4096;
    if (!Number.isSafeInteger(this.#maxBytes) || this.#maxBytes < 256) {
      throw new SessionError('E_SESSION_OPTIONS_INVALID', `CookieStore maxCookieBytes must be an integer of at least 256, got ${String(options.maxCookieBytes)}.`);
    }
    if (this.#secretKey === '') throw new SessionError('E_SESSION_OPTIONS_INVALID', 'CookieStore secretKey is empty.');
  }

  /** @internal The cookie value for a record. Throws when the cookie would be too large. */
  seal(record: SessionRecord, appSecretKey: string, cookieName: string): string {
    const json = JSON.stringify({ v: FORMAT, d: record.data, u: record.userId, c: record.createdAt, s: record.lastSeenAt, e: record.expiresAt });
    const value = encrypt(json, this.#secretKey ?? appSecretKey, PURPOSE);
    const size = cookieName.length + 1 + value.length;
    if (size > this.#maxBytes) {
      throw new SessionError(
        'E_SESSION_COOKIE_TOO_LARGE',
        `The session needs a ${size}-byte cookie once encrypted, over the ${this.#maxBytes}-byte limit browsers keep.`,
        { hint: 'Keep ids in the session, not whole objects, or move to a server-side store (RedisStore, or the database store).' },
      );
    }
    return value;
  }

  /** @internal The record in a cookie value, or null when it is tampered, foreign or garbage. */
  open(value: string, appSecretKey: string): SessionRecord | null {
    const keys = [this.#secretKey ?? appSecretKey, ...this.#fallbacks];
    const plain = decrypt(value, keys, PURPOSE);
    if (plain === null) return null;
    let parsed: unknown;
    try {
      parsed = JSON.parse(plain.toString('utf8'));
    } catch {
      return null;
    }
    if (typeof parsed !== 'object' || parsed === null || (parsed as { v?: unknown }).v !== FORMAT) return null;
    const p = parsed as Record<string, unknown>;
    const record = { data: p['d'], userId: p['u'], createdAt: p['c'], lastSeenAt: p['s'], expiresAt: p['e'] };
    return isSessionRecord(record) ? record : null;
  }

  /** Not possible with cookies: the server keeps no list of sessions. Always throws. */
  async listForUser(): Promise<never> {
    throw unsupported('listForUser()');
  }

  /** Not possible with cookies: a copied cookie stays valid until it expires. Always throws. */
  async destroyForUser(): Promise<never> {
    throw unsupported('destroyForUser()');
  }
}

function unsupported(what: string): SessionError {
  return new SessionError('E_SESSION_STORE_UNSUPPORTED', `CookieStore cannot do ${what}: the sessions live in the visitors' cookies, not on the server.`, {
    hint: 'Use a server-side store (RedisStore, the database store) to list sessions and sign users out everywhere.',
  });
}
