/**
 * A list of hashers: the first hashes, all verify, and a successful login reports whether the
 * stored hash should be replaced by one from the first hasher.
 *
 * @module
 */
import { randomBytes } from 'node:crypto';
import { Argon2idHasher } from './argon2id-hasher.js';
import { BcryptHasher, BcryptSha256Hasher } from './bcrypt-hasher.js';
import { PASSWORD_DEFAULTS } from './defaults.js';
import { PasswordHasherConfigError, PasswordTooLongError } from './errors.js';
import type { PasswordHasher } from './hasher.js';
import { Pbkdf2Sha256Hasher } from './pbkdf2-hasher.js';

/** What {@link PasswordHashers.verify} found. */
export interface PasswordCheck {
  /** The password matches the stored hash. */
  readonly valid: boolean;
  /**
   * The password matched, and the stored hash was made by another algorithm or with other
   * parameters than the first hasher's: hash the password again and store the result.
   */
  readonly needsRehash: boolean;
}

/** Options of {@link passwordHashers}. */
export interface PasswordHashersOptions {
  /** Longest password `hash()` accepts and `verify()` tries, in UTF-8 bytes. @default 4096 */
  maxPasswordBytes?: number;
}

/** A stored value that no password matches, for accounts without a password (Django's `!`). */
export const UNUSABLE_PASSWORD_PREFIX = '!';

const INVALID: PasswordCheck = Object.freeze({ valid: false, needsRehash: false });

/**
 * An ordered list of hashers. Create one with {@link passwordHashers}.
 *
 * @example
 * const hashers = passwordHashers();
 * const stored = await hashers.hash('correct horse battery staple');
 * const { valid, needsRehash } = await hashers.verify('correct horse battery staple', stored);
 */
export class PasswordHashers {
  readonly hashers: readonly PasswordHasher[];
  readonly maxPasswordBytes: number;
  #dummy: Promise<string> | undefined;

  constructor(hashers: readonly PasswordHasher[], options: PasswordHashersOptions = {}) {
    if (hashers.length === 0) {
      throw new PasswordHasherConfigError('E_PASSWORD_HASHER_CONFIG', 'passwordHashers() needs at least one hasher; the first one hashes new passwords.');
    }
    const seen = new Set<string>();
    for (const h of hashers) {
      if (seen.has(h.algorithm)) {
        throw new PasswordHasherConfigError('E_PASSWORD_HASHER_CONFIG', `passwordHashers() got two hashers for '${h.algorithm}'; list each algorithm once.`);
      }
      seen.add(h.algorithm);
    }
    const max = options.maxPasswordBytes ?? PASSWORD_DEFAULTS.maxPasswordBytes;
    if (!Number.isSafeInteger(max) || max < 1) {
      throw new PasswordHasherConfigError('E_PASSWORD_HASHER_CONFIG', `maxPasswordBytes must be a positive integer, got ${String(max)}.`);
    }
    this.hashers = Object.freeze([...hashers]);
    this.maxPasswordBytes = max;
  }

  /** The hasher new passwords are hashed with. */
  get primary(): PasswordHasher {
    return this.hashers[0]!;
  }

  /**
   * Hashes a password with the first hasher. Throws {@link PasswordTooLongError} past
   * `maxPasswordBytes` (run the validators first and this never happens).
   *
   * @example
   * user.password = await hashers.hash(form.password);
   */
  async hash(password: string): Promise<string> {
    if (Buffer.byteLength(password, 'utf8') > this.maxPasswordBytes) throw new PasswordTooLongError(this.maxPasswordBytes);
    return this.primary.hash(password);
  }

  /**
   * Checks a password against a stored hash. Never throws on bad stored data: an unknown or
   * malformed format is `{ valid: false }`.
   *
   * Pass `null` or `undefined` when the user does not exist: a dummy hash is verified instead, so
   * the answer takes as long as for a real user and timing does not tell whether the account
   * exists. Unknown formats and unusable passwords (`!…`) cost the same dummy verification.
   *
   * @example
   * const user = await findUser(username);
   * const check = await hashers.verify(password, user?.password);
   * if (check.valid && check.needsRehash) await saveHash(user, await hashers.hash(password));
   */
  async verify(password: string, stored: string | null | undefined): Promise<PasswordCheck> {
    // Too long to have been accepted by hash(); answering at once reveals nothing about the user.
    if (Buffer.byteLength(password, 'utf8') > this.maxPasswordBytes) return INVALID;
    const hasher = typeof stored === 'string' ? this.hashers.find((h) => h.identifies(stored)) : undefined;
    if (hasher === undefined || typeof stored !== 'string') {
      await this.dummyVerify(password);
      return INVALID;
    }
    let valid: boolean;
    try {
      valid = await hasher.verify(password, stored);
    } catch {
      valid = false; // a third-party hasher that throws on bad data is still a failed login
    }
    if (!valid) return INVALID;
    return { valid: true, needsRehash: this.needsRehash(stored) };
  }

  /**
   * Whether a stored hash is not the first hasher's with its current parameters. Unknown formats
   * answer false (there is nothing to upgrade from).
   *
   * @example
   * if (hashers.needsRehash(user.password)) console.log('will be upgraded at next login');
   */
  needsRehash(stored: string): boolean {
    const hasher = this.hashers.find((h) => h.identifies(stored));
    if (hasher === undefined) return false;
    if (hasher !== this.primary) return true;
    try {
      return hasher.needsUpgrade(stored);
    } catch {
      return false;
    }
  }

  /**
   * Spends the time of one real verification and returns nothing: use it in login paths that
   * end early (unknown user, inactive account) so they take as long as a wrong password.
   *
   * @example
   * if (user === null) { await hashers.dummyVerify(password); throw invalidLogin(); }
   */
  async dummyVerify(password: string): Promise<void> {
    // One hash per process, made with the primary hasher's current parameters, so the dummy costs
    // what a real up-to-date verification costs.
    this.#dummy ??= this.primary.hash(randomBytes(16).toString('base64url'));
    let dummy: string;
    try {
      dummy = await this.#dummy;
    } catch (err) {
      this.#dummy = undefined;
      throw err;
    }
    try {
      await this.primary.verify(password, dummy);
    } catch {
      // the answer is "invalid" whatever happens
    }
  }
}

/**
 * Creates a hasher list. With no argument: argon2id hashes, and Django's `pbkdf2_sha256`,
 * `bcrypt_sha256` and `bcrypt` hashes are accepted and upgraded on login.
 *
 * @example
 * const hashers = passwordHashers(); // the defaults
 * const stronger = passwordHashers([new Argon2idHasher({ memoryKiB: 65536, timeCost: 3 }), new Pbkdf2Sha256Hasher()]);
 * @see docs/passwords.md
 */
export function passwordHashers(hashers?: readonly PasswordHasher[], options?: PasswordHashersOptions): PasswordHashers {
  return new PasswordHashers(hashers ?? [new Argon2idHasher(), new Pbkdf2Sha256Hasher(), new BcryptSha256Hasher(), new BcryptHasher()], options);
}

/**
 * A stored value that no password matches, for accounts created without a password.
 *
 * @example
 * user.password = unusablePassword(); // '!' + 40 random characters
 */
export function unusablePassword(): string {
  return UNUSABLE_PASSWORD_PREFIX + randomBytes(30).toString('base64url');
}

/**
 * Whether a stored value can match some password (it is not `null` and not made by {@link unusablePassword}).
 *
 * @example
 * if (!isPasswordUsable(user.password)) showSetPasswordLink();
 */
export function isPasswordUsable(stored: string | null | undefined): boolean {
  return typeof stored === 'string' && !stored.startsWith(UNUSABLE_PASSWORD_PREFIX);
}
