/**
 * Password-reset tokens, as Django makes them: `<user id>-<timestamp>-<HMAC>` where the HMAC covers
 * the user id, the password hash, the last login, the email and the timestamp. Nothing is stored:
 * the token dies by itself when any of those changes, so it is single-use (using it sets a new
 * password), dies on a login, on a password change, and after its maximum age.
 *
 * @module
 */
import { createHmac } from 'node:crypto';
import type { Database } from '../db/index.js';
import { deriveKey } from '../security/keys.js';
import { safeEqual } from '../security/signing.js';
import { untyped, type Models } from './database.js';
import { AUTH_DEFAULTS } from './defaults.js';
import { User, type AuthUser } from './models.js';

const PURPOSE = 'rampart.auth.password-reset';
const TOKEN_RE = /^([0-9a-z]{1,13})-([0-9a-z]{1,10})-([A-Za-z0-9_-]{43})$/;
// A timestamp a little ahead of the clock is accepted (clocks of two app servers differ a little),
// far ahead is forged or broken.
const CLOCK_SKEW_SECONDS = 300;

function tag(user: AuthUser, seconds: number, secretKey: string): string {
  const lastLogin = user.last_login === null ? '' : String(user.last_login.getTime());
  const value = [String(user.id), user.password, lastLogin, user.email, String(seconds)].join('\u0000');
  return createHmac('sha256', deriveKey(secretKey, PURPOSE)).update(value, 'utf8').digest('base64url');
}

/**
 * A reset token for a user, valid until its maximum age or until the user's password, last login or
 * email changes.
 *
 * @example
 * const link = `${origin}/accounts/password/reset/${makePasswordResetToken(user, req.settings.secretKey)}`
 * @see docs/auth.md#password-reset
 */
export function makePasswordResetToken(user: AuthUser, secretKey: string, now: number = Date.now()): string {
  const seconds = Math.floor(now / 1000);
  return `${user.id.toString(36)}-${seconds.toString(36)}-${tag(user, seconds, secretKey)}`;
}

/** Options of {@link checkPasswordResetToken}. */
export interface CheckResetTokenOptions {
  /** @default 3600 */
  maxAgeSeconds?: number;
  /** @default Date.now() */
  now?: number;
}

/**
 * The active user a reset token belongs to, or null when it is malformed, tampered with, expired, or
 * no longer matches the user (used, password changed, logged in since).
 *
 * @example
 * const user = await checkPasswordResetToken(db, req.params.token, req.settings.secretKey)
 * if (user === null) return req.render('auth/password_reset_confirm.html', { validlink: false }, { status: 400 })
 */
export async function checkPasswordResetToken<MS extends Models>(db: Database<MS>, token: string, secretKey: string, options: CheckResetTokenOptions = {}): Promise<AuthUser | null> {
  const m = typeof token === 'string' ? TOKEN_RE.exec(token) : null;
  if (m === null) return null;
  const id = parseInt(m[1]!, 36);
  const seconds = parseInt(m[2]!, 36);
  if (!Number.isSafeInteger(id) || id < 1 || !Number.isSafeInteger(seconds)) return null;
  const now = Math.floor((options.now ?? Date.now()) / 1000);
  const maxAge = options.maxAgeSeconds ?? AUTH_DEFAULTS.resetTokenMaxAgeSeconds;
  if (seconds > now + CLOCK_SKEW_SECONDS || now - seconds > maxAge) return null;
  const user = await untyped(db).query(User).get(id);
  if (user === undefined || !user.is_active) return null;
  return safeEqual(m[3]!, tag(user, seconds, secretKey)) ? user : null;
}
