/**
 * CSRF secrets and the masked tokens pages carry.
 *
 * The secret (32 random bytes) never leaves the server side of the session, or the HttpOnly CSRF
 * cookie. A page gets a token: a fresh 32-byte one-time pad followed by the secret XOR that pad.
 * Every token differs, so a compressed HTTPS response leaks nothing about the secret to BREACH-style
 * length measurements, and any of them unmasks to the same secret.
 *
 * @module
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';

export const CSRF_SECRET_BYTES = 32;
const SECRET_LENGTH = 43; // base64url of 32 bytes
const TOKEN_LENGTH = 86; // base64url of 64 bytes
const BASE64URL = /^[A-Za-z0-9_-]+$/;

/** A new random secret, base64url. */
export function newCsrfSecret(): string {
  return randomBytes(CSRF_SECRET_BYTES).toString('base64url');
}

/** True when `value` has the shape of a secret made by `newCsrfSecret()`. */
export function isCsrfSecret(value: unknown): value is string {
  return typeof value === 'string' && value.length === SECRET_LENGTH && BASE64URL.test(value);
}

/** A token for a page: a fresh pad, then the secret XOR the pad. */
export function maskCsrfSecret(secret: string): string {
  const raw = Buffer.from(secret, 'base64url');
  const pad = randomBytes(CSRF_SECRET_BYTES);
  const out = Buffer.allocUnsafe(CSRF_SECRET_BYTES * 2);
  pad.copy(out, 0);
  for (let i = 0; i < CSRF_SECRET_BYTES; i++) out[CSRF_SECRET_BYTES + i] = pad[i]! ^ raw[i]!;
  return out.toString('base64url');
}

/** Whether the token is well formed at all (decides the reason a request is refused). */
export function isCsrfTokenShape(token: string): boolean {
  return token.length === TOKEN_LENGTH && BASE64URL.test(token);
}

/** Unmasks the token and compares it with the secret in constant time. */
export function csrfTokenMatches(token: string, secret: string): boolean {
  if (!isCsrfTokenShape(token) || !isCsrfSecret(secret)) return false;
  const raw = Buffer.from(token, 'base64url');
  const expected = Buffer.from(secret, 'base64url');
  const unmasked = Buffer.allocUnsafe(CSRF_SECRET_BYTES);
  for (let i = 0; i < CSRF_SECRET_BYTES; i++) unmasked[i] = raw[i]! ^ raw[CSRF_SECRET_BYTES + i]!;
  return timingSafeEqual(unmasked, expected);
}
