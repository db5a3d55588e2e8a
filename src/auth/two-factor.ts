/**
 * A user's TOTP state: the secret stored encrypted with a key derived from SECRET_KEY, the last
 * accepted time step (a code is accepted once), and hashed one-use recovery codes. Each use is one
 * conditional UPDATE, so two concurrent requests cannot both spend the same code.
 *
 * @module
 */
import type { Database } from '../db/index.js';
import { decrypt, encrypt } from '../security/encryption.js';
import { untyped, type Models } from './database.js';
import { AuthError } from './errors.js';
import { User, type AuthUser } from './models.js';
import { consumeRecoveryCode, generateRecoveryCodes, verifyTotp } from './totp/index.js';

const PURPOSE = 'rampart.auth.totp-secret';

/**
 * The stored form of a TOTP secret: AES-256-GCM under a key derived from SECRET_KEY.
 *
 * @example await db.query(User).filter({ id }).update({ totp_secret: encryptTotpSecret(secret, req.settings.secretKey) })
 */
export function encryptTotpSecret(secret: string, secretKey: string): string {
  return encrypt(secret, secretKey, PURPOSE);
}

/**
 * The base32 secret back from its stored form; throws `E_AUTH_TOTP_SECRET_UNREADABLE` when SECRET_KEY changed.
 *
 * @example const secret = decryptTotpSecret(user.totp_secret!, req.settings.secretKey)
 */
export function decryptTotpSecret(stored: string, secretKey: string): string {
  const plain = decrypt(stored, secretKey, PURPOSE);
  if (plain === null) {
    throw new AuthError('E_AUTH_TOTP_SECRET_UNREADABLE', 'A stored TOTP secret does not decrypt with the current SECRET_KEY.', {
      hint: 'The secret was encrypted under another SECRET_KEY. Restore that key, or turn two-factor authentication off for the user (disableTotp) and let them enrol again.',
    });
  }
  return plain.toString('utf8');
}

function recoveryList(stored: string): string[] {
  return stored.split(' ').filter((h) => h !== '');
}

/**
 * Turns TOTP on for a user with a confirmed secret (the user typed a valid code of `step`) and
 * returns ten fresh recovery codes to show once; only their hashes are stored.
 *
 * @example
 * const codes = await enableTotp(db, user, secret, result.step, req.settings.secretKey)
 * @see docs/auth.md#two-factor-authentication
 */
export async function enableTotp<MS extends Models>(db: Database<MS>, user: AuthUser, secret: string, step: number, secretKey: string): Promise<readonly string[]> {
  const { codes, hashes } = generateRecoveryCodes();
  const values = { totp_secret: encryptTotpSecret(secret, secretKey), totp_enabled: true, totp_last_step: step, totp_recovery_codes: hashes.join(' ') };
  await untyped(db).query(User).filter({ id: user.id }).update(values);
  Object.assign(user, values);
  return codes;
}

/**
 * Turns TOTP off and forgets the secret and recovery codes.
 *
 * @example await disableTotp(db, user)
 */
export async function disableTotp<MS extends Models>(db: Database<MS>, user: AuthUser): Promise<void> {
  const values = { totp_secret: null, totp_enabled: false, totp_last_step: null, totp_recovery_codes: '' };
  await untyped(db).query(User).filter({ id: user.id }).update(values);
  Object.assign(user, values);
}

/**
 * How many unused recovery codes the user has.
 *
 * @example if (recoveryCodesLeft(user) < 3) remindToRegenerate(user)
 */
export function recoveryCodesLeft(user: AuthUser): number {
  return recoveryList(user.totp_recovery_codes).length;
}

/** What {@link verifySecondFactor} accepted. */
export type SecondFactorResult = { readonly valid: true; readonly method: 'totp' | 'recovery' } | { readonly valid: false; readonly method: null };

const INVALID: SecondFactorResult = Object.freeze({ valid: false, method: null });

/**
 * Checks a TOTP code, or else a recovery code, for a user with TOTP on, and spends it: the code's
 * time step becomes the last used one (a replay of it, or of an older code, fails) or the recovery
 * code is removed. Concurrent requests with the same code: one wins, the others fail.
 *
 * @example
 * const result = await verifySecondFactor(db, user, form.get('code') ?? '', req.settings.secretKey)
 * @see docs/auth.md#two-factor-authentication
 */
export async function verifySecondFactor<MS extends Models>(database: Database<MS>, user: AuthUser, code: string, secretKey: string, now: number = Date.now()): Promise<SecondFactorResult> {
  const db = untyped(database);
  if (!user.totp_enabled || user.totp_secret === null || typeof code !== 'string' || code.length > 64) return INVALID;
  const compact = code.replace(/[\s-]/g, '');
  if (/^[0-9]{6,8}$/.test(compact)) {
    const secret = decryptTotpSecret(user.totp_secret, secretKey);
    const result = verifyTotp(secret, compact, { lastUsedStep: user.totp_last_step, time: now });
    if (!result.valid) return INVALID;
    // Only if the stored step is still the one we compared against: a concurrent login with the
    // same code has moved it on, and this one must fail.
    const n = await db.query(User).filter({ id: user.id, totp_last_step: user.totp_last_step }).update({ totp_last_step: result.step });
    if (n !== 1) return INVALID;
    user.totp_last_step = result.step;
    return { valid: true, method: 'totp' };
  }
  const result = consumeRecoveryCode(code, recoveryList(user.totp_recovery_codes));
  if (!result.valid) return INVALID;
  const remaining = result.remaining.join(' ');
  const n = await db.query(User).filter({ id: user.id, totp_recovery_codes: user.totp_recovery_codes }).update({ totp_recovery_codes: remaining });
  if (n !== 1) return INVALID;
  user.totp_recovery_codes = remaining;
  return { valid: true, method: 'recovery' };
}
