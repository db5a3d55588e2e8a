/**
 * The password hasher interface, and the small helpers every implementation shares.
 *
 * @module
 */
import { randomInt, timingSafeEqual } from 'node:crypto';
import { PasswordHasherConfigError } from './errors.js';

/**
 * One password hashing algorithm. Stored hashes describe themselves (algorithm and cost are part
 * of the string), so several hashers can live in one {@link PasswordHashers} list and costs can
 * rise without breaking old rows.
 *
 * Implementations never throw from `verify`, `identifies` or `needsUpgrade` on malformed stored
 * data: a bad row is a failed login, not a 500.
 *
 * @example
 * const hasher: PasswordHasher = new Argon2idHasher();
 * const encoded = await hasher.hash('correct horse battery staple');
 * await hasher.verify('correct horse battery staple', encoded); // true
 */
export interface PasswordHasher {
  /** The algorithm id, unique in a list: `argon2id`, `pbkdf2_sha256`, `bcrypt_sha256`, `bcrypt`. */
  readonly algorithm: string;
  /** Whether `encoded` is in this hasher's format (a prefix check; it does not validate the rest). */
  identifies(encoded: string): boolean;
  /** Hashes a password with a fresh random salt and the hasher's current parameters. */
  hash(password: string): Promise<string>;
  /** Whether `password` matches `encoded`. False for a wrong password and for malformed data. */
  verify(password: string, encoded: string): Promise<boolean>;
  /** Whether `encoded` was made with other parameters than the current ones and should be rehashed. */
  needsUpgrade(encoded: string): boolean;
}

/** Options every built-in hasher accepts. */
export interface HasherSafetyOptions {
  /**
   * Allows hashing parameters below OWASP's recommendation. Only for test suites, where a fast
   * hash keeps the suite quick. @default false
   */
  allowWeakParameters?: boolean;
}

/** Compares two strings in time that depends only on their lengths. */
export function constantTimeEqual(a: string | Buffer, b: string | Buffer): boolean {
  const x = typeof a === 'string' ? Buffer.from(a, 'utf8') : a;
  const y = typeof b === 'string' ? Buffer.from(b, 'utf8') : b;
  // timingSafeEqual needs equal lengths; comparing x with itself keeps the work the same when they differ.
  if (x.length !== y.length) {
    timingSafeEqual(x, x);
    return false;
  }
  return timingSafeEqual(x, y);
}

const SALT_ALPHABET = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';

/** A random salt of `length` letters and digits (log2(62) ≈ 5.95 bits each), as Django makes them. */
export function randomSalt(length: number): string {
  let out = '';
  for (let i = 0; i < length; i++) out += SALT_ALPHABET[randomInt(SALT_ALPHABET.length)];
  return out;
}

/** Bits of entropy of a salt made of letters and digits. */
export function saltBits(salt: string): number {
  return salt.length * Math.log2(SALT_ALPHABET.length);
}

/** Checks that an option is an integer in [min, max]; throws at construction otherwise. */
export function integerOption(hasher: string, name: string, value: number, min: number, max: number): number {
  if (!Number.isSafeInteger(value) || value < min || value > max) {
    throw new PasswordHasherConfigError(
      'E_PASSWORD_HASHER_CONFIG',
      `${hasher}: ${name} must be an integer from ${min} to ${max}, got ${String(value)}.`,
    );
  }
  return value;
}

/** Refuses a parameter below the recommended floor unless weak parameters were allowed. */
export function requireStrength(hasher: string, what: string, weak: boolean, options: HasherSafetyOptions): void {
  if (weak && options.allowWeakParameters !== true) {
    throw new PasswordHasherConfigError(
      'E_PASSWORD_HASHER_WEAK',
      `${hasher}: ${what} is below OWASP's recommendation, so a stolen password table would be cheap to crack.`,
      { hint: 'Use the defaults (PASSWORD_DEFAULTS). In a test suite, pass allowWeakParameters: true to hash faster.' },
    );
  }
}
