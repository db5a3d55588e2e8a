/**
 * One-use recovery codes for users who lost their authenticator: shown once, stored only as
 * hashes, consumed when used.
 *
 * @module
 */
import { createHash, randomInt } from 'node:crypto';
import { constantTimeEqual } from '../passwords/hasher.js';
import { TotpOptionsError } from './errors.js';

/**
 * Defaults. 16 characters of a 32-letter alphabet are 80 random bits per code: a stolen table of
 * hashes cannot be reversed by guessing (2^80 SHA-256 computations), which is why a fast hash is
 * enough here while passwords need argon2id.
 */
export const RECOVERY_CODE_DEFAULTS = Object.freeze({ count: 10, length: 16, groupSize: 4 });

// Crockford's base32 alphabet: no I, L, O or U, so a code read aloud or copied from paper is
// not misread; the lookalikes are mapped back when a code is typed in.
const ALPHABET = '0123456789abcdefghjkmnpqrstvwxyz';
const HASH_PREFIX = 'sha256$';
const MAX_COUNT = 100;

/** Codes to show the user once, and the hashes to store instead of them. */
export interface RecoveryCodes {
  /** Formatted codes, `xxxx-xxxx-xxxx-xxxx`: show them once, never store them. */
  readonly codes: readonly string[];
  /** `sha256$<hex>` of each code, in the same order: store these. */
  readonly hashes: readonly string[];
}

/** Result of {@link consumeRecoveryCode}. */
export type RecoveryCodeResult =
  | { readonly valid: true; readonly remaining: readonly string[] }
  | { readonly valid: false; readonly remaining: readonly string[] };

/** Lower case, separators removed, lookalikes mapped (o→0, i/l→1); null when it cannot be a code. */
function normalize(code: string): string | null {
  const clean = code
    .toLowerCase()
    .replace(/[\s-]/g, '')
    .replace(/o/g, '0')
    .replace(/[il]/g, '1');
  if (clean.length !== RECOVERY_CODE_DEFAULTS.length) return null;
  for (const ch of clean) if (!ALPHABET.includes(ch)) return null;
  return clean;
}

/**
 * The stored form of a code: `sha256$` and the hex SHA-256 of the normalised code.
 *
 * @example
 * hashRecoveryCode('abcd-efgh-jkmn-pqrs') === hashRecoveryCode('ABCD EFGH JKMN PQRS') // true
 */
export function hashRecoveryCode(code: string): string {
  const clean = normalize(code) ?? code;
  return HASH_PREFIX + createHash('sha256').update(clean, 'utf8').digest('hex');
}

/**
 * Generates `count` codes (10 by default) and their hashes.
 *
 * @example
 * const { codes, hashes } = generateRecoveryCodes();
 * await saveRecoveryHashes(user, hashes); // then show `codes` once
 * @see docs/passwords.md#recovery-codes
 */
export function generateRecoveryCodes(options: { count?: number } = {}): RecoveryCodes {
  const count = options.count ?? RECOVERY_CODE_DEFAULTS.count;
  if (!Number.isSafeInteger(count) || count < 1 || count > MAX_COUNT) {
    throw new TotpOptionsError('E_RECOVERY_CODES_OPTIONS_INVALID', `Recovery code count must be an integer from 1 to ${MAX_COUNT}, got ${String(count)}.`);
  }
  const codes: string[] = [];
  const seen = new Set<string>();
  while (codes.length < count) {
    let raw = '';
    for (let i = 0; i < RECOVERY_CODE_DEFAULTS.length; i++) raw += ALPHABET[randomInt(ALPHABET.length)];
    if (seen.has(raw)) continue; // never in practice, but two equal codes would make one use consume both
    seen.add(raw);
    codes.push(raw.match(new RegExp(`.{1,${RECOVERY_CODE_DEFAULTS.groupSize}}`, 'g'))!.join('-'));
  }
  return Object.freeze({ codes: Object.freeze(codes), hashes: Object.freeze(codes.map(hashRecoveryCode)) });
}

/**
 * Checks a typed code against the stored hashes and consumes it: on success `remaining` is the
 * list without the used hash, to store in place of the old one (in the same transaction as the
 * login, so a code cannot be used twice by two concurrent requests). Every stored hash is
 * compared, in constant time, whether or not an earlier one matched.
 *
 * @example
 * const result = consumeRecoveryCode(form.code, user.recoveryHashes);
 * if (result.valid) await saveRecoveryHashes(user, result.remaining);
 * @see docs/passwords.md#recovery-codes
 */
export function consumeRecoveryCode(code: string, hashes: readonly string[]): RecoveryCodeResult {
  const clean = normalize(code);
  const typed = HASH_PREFIX + createHash('sha256').update(clean ?? '', 'utf8').digest('hex');
  let index = -1;
  for (let i = 0; i < hashes.length; i++) {
    const equal = constantTimeEqual(typed, hashes[i]!);
    if (equal && index === -1) index = i;
  }
  if (clean === null || index === -1) return { valid: false, remaining: hashes };
  return { valid: true, remaining: Object.freeze(hashes.filter((_, i) => i !== index)) };
}
