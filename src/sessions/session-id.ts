/**
 * Session ids and the keys stores file them under.
 *
 * The id (256 random bits) lives only in the visitor's cookie. Stores see its SHA-256, so a copy
 * of the store (a backup, a read-only SQL injection, a Redis dump) gives no id a browser could
 * present: the hash cannot be turned back into the id.
 *
 * @module
 */
import { createHash, randomBytes } from 'node:crypto';

export const SESSION_ID_BYTES = 32;
const ID_SHAPE = /^[A-Za-z0-9_-]{43}$/;

/** A new session id: 32 bytes from the CSPRNG, base64url (43 characters). */
export function newSessionId(): string {
  return randomBytes(SESSION_ID_BYTES).toString('base64url');
}

/** Whether a cookie value can be a session id at all (cheap refusal before hashing and a store call). */
export function isSessionIdShape(value: string): boolean {
  return ID_SHAPE.test(value);
}

/**
 * The store key of a session id: its SHA-256, base64url. Stores file sessions under it.
 *
 * @example
 * const record = await store.get(sessionKey(client.cookies.get('sessionid')!))   // in a test
 * @see docs/sessions.md
 */
export function sessionKey(id: string): string {
  return createHash('sha256').update(id, 'utf8').digest('base64url');
}
