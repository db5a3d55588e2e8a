/**
 * Signing: a value plus an HMAC-SHA256 tag, so the server can hand a value to the client and
 * later know it came back unchanged. The value itself stays readable; use `encrypt()` to hide it.
 *
 * @module
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { deriveKey } from './keys.js';

const TAG_LENGTH = 43; // 32-byte HMAC-SHA256 in base64url

/**
 * Compares two strings in time that depends only on their length, never on where they differ.
 *
 * @example safeEqual(given, expected)
 */
export function safeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a, 'utf8');
  const y = Buffer.from(b, 'utf8');
  return x.length === y.length && timingSafeEqual(x, y);
}

function tag(value: string, secretKey: string, purpose: string): string {
  return createHmac('sha256', deriveKey(secretKey, `rampart.sign:${purpose}`)).update(value, 'utf8').digest('base64url');
}

/**
 * Signs a value for one purpose: returns `value.tag`. A value signed for one purpose does not
 * verify for another.
 *
 * @example
 * const token = sign(String(user.id), req.settings.secretKey, 'unsubscribe')
 * @see docs/sessions.md
 */
export function sign(value: string, secretKey: string, purpose: string): string {
  return `${value}.${tag(value, secretKey, purpose)}`;
}

/**
 * Checks a value made by `sign()` and returns the value, or null when the tag does not match
 * (tampered, signed for another purpose, or with a key not given). Pass several keys to accept
 * values signed before a key rotation, the current key first.
 *
 * @example
 * const id = unsign(req.query.get('t') ?? '', [req.settings.secretKey, oldKey], 'unsubscribe')
 * if (id === null) throw badRequest('bad link')
 */
export function unsign(signed: string, secretKeys: string | readonly string[], purpose: string): string | null {
  const dot = signed.lastIndexOf('.');
  if (dot === -1 || signed.length - dot - 1 !== TAG_LENGTH) return null;
  const value = signed.slice(0, dot);
  const given = signed.slice(dot + 1);
  for (const key of typeof secretKeys === 'string' ? [secretKeys] : secretKeys) {
    if (safeEqual(given, tag(value, key, purpose))) return value;
  }
  return null;
}
