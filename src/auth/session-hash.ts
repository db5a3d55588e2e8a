/**
 * The session's tie to the password: the session keeps an HMAC of the user's password hash, and a
 * session whose HMAC no longer matches is anonymous. A password change or reset (or an admin
 * setting a new one) thus ends every other session of the user, also with the cookie store, where
 * the server has no list of sessions to delete.
 *
 * @module
 */
import { createHmac } from 'node:crypto';
import { deriveKey } from '../security/keys.js';
import { safeEqual } from '../security/signing.js';

const PURPOSE = 'rampart.auth.session-hash';

/** HMAC-SHA256 of the stored password hash under a key of its own, derived from SECRET_KEY. */
export function sessionAuthHash(passwordHash: string, secretKey: string): string {
  return createHmac('sha256', deriveKey(secretKey, PURPOSE)).update(passwordHash, 'utf8').digest('base64url');
}

/** Whether a value from the session is the HMAC of this password hash (constant time). */
export function sessionAuthHashMatches(value: unknown, passwordHash: string, secretKey: string): boolean {
  return typeof value === 'string' && safeEqual(value, sessionAuthHash(passwordHash, secretKey));
}
