/**
 * Authenticated encryption (AES-256-GCM) for values the server hands to the client and must be
 * both unreadable and unforgeable, such as a whole session in a cookie.
 *
 * Format (base64url): version byte, 12-byte random IV, ciphertext, 16-byte tag. The purpose is the
 * additional authenticated data, so a value encrypted for one purpose does not decrypt for another.
 *
 * @module
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { deriveKey } from './keys.js';

const VERSION = 1;
const IV_BYTES = 12;
const TAG_BYTES = 16;

function keyFor(secretKey: string, purpose: string): Buffer {
  return deriveKey(secretKey, `rampart.encrypt:${purpose}`);
}

/**
 * Encrypts and authenticates `plaintext` under a key derived from `secretKey` for `purpose`.
 *
 * @returns base64url text, safe in a cookie or URL
 * @example
 * const sealed = encrypt(JSON.stringify(state), req.settings.secretKey, 'oauth-state')
 * @see docs/sessions.md
 */
export function encrypt(plaintext: string | Uint8Array, secretKey: string, purpose: string): string {
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', keyFor(secretKey, purpose), iv);
  cipher.setAAD(Buffer.from(purpose, 'utf8'));
  const body = Buffer.concat([cipher.update(typeof plaintext === 'string' ? Buffer.from(plaintext, 'utf8') : plaintext), cipher.final()]);
  return Buffer.concat([Buffer.of(VERSION), iv, body, cipher.getAuthTag()]).toString('base64url');
}

const BASE64URL = /^[A-Za-z0-9_-]*$/;

/**
 * Decrypts a value made by `encrypt()`, or returns null when it was tampered with, truncated,
 * encrypted for another purpose, or with a key not given. Several keys: the current one first,
 * then keys being retired.
 *
 * @example
 * const bytes = decrypt(cookie, [req.settings.secretKey], 'oauth-state')
 * if (bytes === null) return anonymous()
 */
export function decrypt(sealed: string, secretKeys: string | readonly string[], purpose: string): Buffer | null {
  if (!BASE64URL.test(sealed)) return null;
  const raw = Buffer.from(sealed, 'base64url');
  if (raw.length < 1 + IV_BYTES + TAG_BYTES || raw[0] !== VERSION) return null;
  const iv = raw.subarray(1, 1 + IV_BYTES);
  const body = raw.subarray(1 + IV_BYTES, raw.length - TAG_BYTES);
  const authTag = raw.subarray(raw.length - TAG_BYTES);
  for (const key of typeof secretKeys === 'string' ? [secretKeys] : secretKeys) {
    try {
      const decipher = createDecipheriv('aes-256-gcm', keyFor(key, purpose), iv, { authTagLength: TAG_BYTES });
      decipher.setAAD(Buffer.from(purpose, 'utf8'));
      decipher.setAuthTag(authTag);
      return Buffer.concat([decipher.update(body), decipher.final()]);
    } catch {
      // wrong key or tampered: try the next key
    }
  }
  return null;
}
