/**
 * Sessions in this process's memory: for tests and development. They vanish on restart and are
 * not shared between processes or machines; use RedisStore or a database store in production.
 *
 * @module
 */
import type { SessionRecord, SessionStore, StoredSession } from './store.js';

export interface MemoryStoreOptions {
  /** Clock in ms, for `clearExpired()` and expiry on read (tests inject one). @default Date.now */
  now?: () => number;
}

// Expired records are swept every this many writes, so a long-running dev server stays small.
const SWEEP_EVERY_WRITES = 1000;

/**
 * An in-memory session store.
 *
 * @example
 * app.use(sessions({ store: new MemoryStore() }))
 * @see docs/sessions.md
 */
export class MemoryStore implements SessionStore {
  // JSON text, so a record read back is a copy: a handler mutating a value changes nothing stored.
  readonly #records = new Map<string, string>();
  readonly #users = new Map<string, Set<string>>();
  readonly #now: () => number;
  #writes = 0;

  constructor(options: MemoryStoreOptions = {}) {
    this.#now = options.now ?? Date.now;
  }

  /** How many records are held (expired ones included until swept). */
  get size(): number {
    return this.#records.size;
  }

  async get(key: string): Promise<SessionRecord | null> {
    const json = this.#records.get(key);
    if (json === undefined) return null;
    const record = JSON.parse(json) as SessionRecord;
    if (record.expiresAt <= this.#now()) {
      this.#remove(key, record.userId);
      return null;
    }
    return record;
  }

  async set(key: string, record: SessionRecord): Promise<void> {
    const previous = this.#records.get(key);
    if (previous !== undefined) {
      const old = (JSON.parse(previous) as SessionRecord).userId;
      if (old !== record.userId && old !== null) this.#unindex(old, key);
    }
    this.#records.set(key, JSON.stringify(record));
    if (record.userId !== null) {
      let keys = this.#users.get(record.userId);
      if (keys === undefined) this.#users.set(record.userId, (keys = new Set()));
      keys.add(key);
    }
    if (++this.#writes % SWEEP_EVERY_WRITES === 0) await this.clearExpired();
  }

  async touch(key: string, record: SessionRecord): Promise<void> {
    const json = this.#records.get(key);
    if (json === undefined) return;
    const current = JSON.parse(json) as SessionRecord;
    this.#records.set(key, JSON.stringify({ ...current, lastSeenAt: record.lastSeenAt, expiresAt: record.expiresAt }));
  }

  async delete(key: string): Promise<void> {
    const json = this.#records.get(key);
    if (json !== undefined) this.#remove(key, (JSON.parse(json) as SessionRecord).userId);
  }

  async listForUser(userId: string): Promise<StoredSession[]> {
    const out: StoredSession[] = [];
    for (const key of this.#users.get(userId) ?? []) {
      const record = await this.get(key);
      if (record !== null && record.userId === userId) out.push({ key, record });
    }
    return out;
  }

  async destroyForUser(userId: string, exceptKey?: string): Promise<number> {
    let n = 0;
    for (const key of [...(this.#users.get(userId) ?? [])]) {
      if (key === exceptKey) continue;
      this.#remove(key, userId);
      n++;
    }
    return n;
  }

  async clearExpired(): Promise<number> {
    const now = this.#now();
    let n = 0;
    for (const [key, json] of this.#records) {
      const record = JSON.parse(json) as SessionRecord;
      if (record.expiresAt <= now) {
        this.#remove(key, record.userId);
        n++;
      }
    }
    return n;
  }

  #remove(key: string, userId: string | null): void {
    this.#records.delete(key);
    if (userId !== null) this.#unindex(userId, key);
  }

  #unindex(userId: string, key: string): void {
    const keys = this.#users.get(userId);
    if (keys === undefined) return;
    keys.delete(key);
    if (keys.size === 0) this.#users.delete(userId);
  }
}
