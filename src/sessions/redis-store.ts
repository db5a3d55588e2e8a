/**
 * Sessions in Redis (ioredis): shared by every process and machine, expired by Redis itself.
 *
 * Layout, under the prefix: `s:<key>` is a hash (d = data JSON, u = user id, c/s/e = created,
 * last seen, expires) with a TTL; `u:<userId>` is the set of that user's keys, its TTL the longest
 * of its sessions. Index entries whose session expired are removed when the set is read and by
 * `clearExpired()`.
 *
 * @module
 */
import type { Redis } from 'ioredis';
import { SessionError } from './errors.js';
import type { SessionRecord, SessionStore, StoredSession } from './store.js';

export interface RedisStoreOptions {
  /** A connected ioredis client; the store does not close it. */
  client?: Redis;
  /** Redis URL when no client is given; the store owns that connection (`close()`). @default process.env.REDIS_URL */
  url?: string;
  /** Prefix of every key. @default 'rampart:session:' */
  prefix?: string;
}

// Refreshes activity only on a session that still exists: an idle refresh must not resurrect a
// session another request (a logout) has just deleted.
const TOUCH = `
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
redis.call('HSET', KEYS[1], 's', ARGV[1], 'e', ARGV[2])
redis.call('PEXPIRE', KEYS[1], ARGV[3])
return 1`;

function toHash(record: SessionRecord): Record<string, string> {
  return {
    d: JSON.stringify(record.data),
    u: record.userId ?? '',
    c: String(record.createdAt),
    s: String(record.lastSeenAt),
    e: String(record.expiresAt),
  };
}

function fromHash(h: Record<string, string>): SessionRecord | null {
  if (h['d'] === undefined) return null;
  try {
    const data = JSON.parse(h['d']) as unknown;
    if (typeof data !== 'object' || data === null || Array.isArray(data)) return null;
    return {
      data: data as Record<string, unknown>,
      userId: h['u'] === undefined || h['u'] === '' ? null : h['u'],
      createdAt: Number(h['c']),
      lastSeenAt: Number(h['s']),
      expiresAt: Number(h['e']),
    };
  } catch {
    return null;
  }
}

/**
 * A Redis session store.
 *
 * @example
 * const store = new RedisStore({ url: process.env.REDIS_URL })
 * app.use(sessions({ store }))
 * @see docs/sessions.md
 */
export class RedisStore implements SessionStore {
  readonly #client: Redis | undefined;
  readonly #url: string | undefined;
  #owned: Promise<Redis> | undefined;
  readonly #prefix: string;

  constructor(options: RedisStoreOptions = {}) {
    this.#prefix = options.prefix ?? 'rampart:session:';
    if (options.client !== undefined) {
      this.#client = options.client;
    } else {
      const url = options.url ?? process.env['REDIS_URL'];
      if (url === undefined || url === '') {
        throw new SessionError('E_SESSION_OPTIONS_INVALID', 'RedisStore needs a client or a URL, and REDIS_URL is not set.', {
          hint: "Pass new RedisStore({ url: 'redis://127.0.0.1:6379' }) or set REDIS_URL.",
        });
      }
      this.#url = url;
    }
  }

  // ioredis is loaded on first use, so apps on another store never load it.
  #redis(): Redis | Promise<Redis> {
    if (this.#client !== undefined) return this.#client;
    return (this.#owned ??= import('ioredis').then(({ Redis }) => new Redis(this.#url!, { maxRetriesPerRequest: 3 })));
  }

  #s(key: string): string {
    return `${this.#prefix}s:${key}`;
  }

  #u(userId: string): string {
    return `${this.#prefix}u:${userId}`;
  }

  async get(key: string): Promise<SessionRecord | null> {
    const redis = await this.#redis();
    return fromHash(await redis.hgetall(this.#s(key)));
  }

  async set(key: string, record: SessionRecord, ttlMs: number): Promise<void> {
    const ttl = Math.max(1, Math.ceil(ttlMs));
    const sk = this.#s(key);
    const redis = await this.#redis();
    const tx = redis.multi().del(sk).hset(sk, toHash(record)).pexpire(sk, ttl);
    if (record.userId !== null) {
      const uk = this.#u(record.userId);
      // The index lives as long as its longest session: set a TTL on a new set, extend a shorter one.
      tx.sadd(uk, key).pexpire(uk, ttl, 'NX').pexpire(uk, ttl, 'GT');
    }
    await tx.exec();
  }

  async touch(key: string, record: SessionRecord, ttlMs: number): Promise<void> {
    const ttl = Math.max(1, Math.ceil(ttlMs));
    const redis = await this.#redis();
    await redis.eval(TOUCH, 1, this.#s(key), String(record.lastSeenAt), String(record.expiresAt), String(ttl));
    if (record.userId !== null) {
      const uk = this.#u(record.userId);
      await redis.multi().pexpire(uk, ttl, 'NX').pexpire(uk, ttl, 'GT').exec();
    }
  }

  async delete(key: string): Promise<void> {
    const sk = this.#s(key);
    const redis = await this.#redis();
    const userId = await redis.hget(sk, 'u');
    const tx = redis.multi().del(sk);
    if (userId !== null && userId !== '') tx.srem(this.#u(userId), key);
    await tx.exec();
  }

  async listForUser(userId: string): Promise<StoredSession[]> {
    const uk = this.#u(userId);
    const redis = await this.#redis();
    const keys = await redis.smembers(uk);
    if (keys.length === 0) return [];
    const pipe = redis.pipeline();
    for (const key of keys) pipe.hgetall(this.#s(key));
    const results = (await pipe.exec()) ?? [];
    const out: StoredSession[] = [];
    const stale: string[] = [];
    keys.forEach((key, i) => {
      const [err, hash] = results[i] ?? [null, {}];
      const record = err === null ? fromHash(hash as Record<string, string>) : null;
      // Gone (expired by Redis) or now another user's session: drop the index entry.
      if (record === null || record.userId !== userId) stale.push(key);
      else out.push({ key, record });
    });
    if (stale.length > 0) await redis.srem(uk, ...stale);
    return out;
  }

  async destroyForUser(userId: string, exceptKey?: string): Promise<number> {
    const victims = (await this.listForUser(userId)).filter((s) => s.key !== exceptKey).map((s) => s.key);
    if (victims.length === 0) return 0;
    const redis = await this.#redis();
    await redis
      .multi()
      .del(...victims.map((k) => this.#s(k)))
      .srem(this.#u(userId), ...victims)
      .exec();
    return victims.length;
  }

  /**
   * Redis expires sessions itself; this removes the index entries of expired sessions, scanning the
   * user sets in batches. Returns how many entries were removed.
   */
  async clearExpired(): Promise<number> {
    let removed = 0;
    let cursor = '0';
    const prefix = this.#u('');
    const redis = await this.#redis();
    // Bounded: SCAN visits every key once per full iteration and ends when the cursor returns to 0.
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 200);
      cursor = next;
      for (const uk of keys) {
        const before = await redis.scard(uk);
        const after = (await this.listForUser(uk.slice(prefix.length))).length;
        removed += before - after;
      }
    } while (cursor !== '0');
    return removed;
  }

  /** Closes the connection the store opened from a URL (a client you passed stays open). */
  async close(): Promise<void> {
    if (this.#owned !== undefined) await (await this.#owned).quit();
  }
}
