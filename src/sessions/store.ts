/**
 * The interface between sessions and where they are kept. Small and async, so a database table,
 * Redis or memory can implement it. Stores never see session ids, only their SHA-256 (`key`).
 *
 * @module
 */

/** One stored session. */
export interface SessionRecord {
  /** The session's values (JSON-serialisable), including Rampart's own, prefixed `rampart.`. */
  readonly data: Readonly<Record<string, unknown>>;
  /** The signed-in user (the per-user index), or null when anonymous. */
  readonly userId: string | null;
  /** Creation time in ms since the epoch; the absolute lifetime counts from here. */
  readonly createdAt: number;
  /** Last activity in ms; the idle timeout counts from here. Refreshed at most once per touch interval. */
  readonly lastSeenAt: number;
  /** When the session expires unless used again, in ms; a store may delete it from then on. */
  readonly expiresAt: number;
}

/** A session as `listForUser()` returns it. */
export interface StoredSession {
  /** The store key (SHA-256 of the id): a handle for this session, useless as a cookie. */
  readonly key: string;
  readonly record: SessionRecord;
}

/**
 * A server-side session store. Implement it to keep sessions elsewhere (the database store is
 * built on it).
 *
 * @example
 * class MyStore implements SessionStore {
 *   async get(key) { ... }  async set(key, record, ttlMs) { ... }  async delete(key) { ... }
 *   async listForUser(userId) { ... }  async destroyForUser(userId, exceptKey) { ... }
 * }
 * @see docs/sessions.md
 */
export interface SessionStore {
  /** The record under `key`, or null when there is none. Expiry is checked by the caller too. */
  get(key: string): Promise<SessionRecord | null>;
  /** Creates or replaces the record; the store may drop it after `ttlMs`. Keeps the per-user index. */
  set(key: string, record: SessionRecord, ttlMs: number): Promise<void>;
  /**
   * Updates only `lastSeenAt` and `expiresAt` of a record that still exists (an idle refresh must
   * not bring back a session another request deleted, nor overwrite its newer data). Optional:
   * without it, `set()` is used.
   */
  touch?(key: string, record: SessionRecord, ttlMs: number): Promise<void>;
  /** Deletes the record, and its entry in the per-user index. */
  delete(key: string): Promise<void>;
  /** The sessions of a user, expired ones possibly included (the caller filters them). */
  listForUser(userId: string): Promise<StoredSession[]>;
  /** Deletes every session of a user except `exceptKey`; returns how many were deleted. */
  destroyForUser(userId: string, exceptKey?: string): Promise<number>;
  /** Deletes expired records (and stale index entries); returns how many entries were removed. */
  clearExpired?(): Promise<number>;
}

/** True when a value read back from a store has the shape of a record. */
export function isSessionRecord(value: unknown): value is SessionRecord {
  if (typeof value !== 'object' || value === null) return false;
  const r = value as Record<string, unknown>;
  return (
    typeof r['data'] === 'object' &&
    r['data'] !== null &&
    !Array.isArray(r['data']) &&
    (r['userId'] === null || typeof r['userId'] === 'string') &&
    Number.isFinite(r['createdAt']) &&
    Number.isFinite(r['lastSeenAt']) &&
    Number.isFinite(r['expiresAt'])
  );
}
