/**
 * Key derivation: every use of `SECRET_KEY` (signing cookies, encrypting sessions, CSRF cookies)
 * gets its own key through HKDF-SHA256, so a key recovered from one use breaks no other and the
 * same secret never serves two algorithms.
 *
 * @module
 */
import { hkdfSync } from 'node:crypto';
import { SecurityError } from './errors.js';

const SALT = 'rampart.hkdf.v1';
// Apps use a handful of (secret, purpose) pairs; the bound only keeps a misuse from growing memory.
const MAX_CACHED = 256;
const cache = new Map<string, Buffer>();

/**
 * A key for one purpose, derived from the app's secret with HKDF-SHA256. The same secret and
 * purpose always give the same key; different purposes give unrelated keys.
 *
 * @param secretKey the app's `SECRET_KEY` (`req.settings.secretKey`)
 * @param purpose a fixed label naming the use, e.g. `'rampart.sessions.cookie'`
 * @param bytes key length @default 32
 * @example
 * const key = deriveKey(req.settings.secretKey, 'myapp.invite-links')
 * @see docs/sessions.md
 */
export function deriveKey(secretKey: string, purpose: string, bytes = 32): Buffer {
  if (typeof secretKey !== 'string' || secretKey === '') {
    throw new SecurityError('E_SECURITY_KEY_MISSING', 'deriveKey() needs a non-empty secret key.', {
      hint: 'Pass req.settings.secretKey (SECRET_KEY), which Rampart always sets.',
    });
  }
  const id = `${bytes}\u0000${purpose}\u0000${secretKey}`;
  let key = cache.get(id);
  if (key === undefined) {
    key = Buffer.from(hkdfSync('sha256', secretKey, SALT, purpose, bytes));
    if (cache.size >= MAX_CACHED) cache.clear();
    cache.set(id, key);
  }
  return key;
}
