/**
 * Throttle counters in Redis, shared by every process and machine of the app.
 *
 * @module
 */
import type { Redis } from 'ioredis';
import type { CounterState, CounterStore } from './counter-store.js';
import { AuthError } from './errors.js';

export interface RedisCounterStoreOptions {
  /** A connected ioredis client; the store does not close it. */
  client?: Redis;
  /** Redis URL when no client is given; the store owns that connection (`close()`). @default process.env.REDIS_URL */
  url?: string;
  /** Prefix of every key. @default 'rampart:throttle:' */
  prefix?: string;
}

// INCR and the expiry in one atomic step: with two commands, a crash (or a lost reply) between
// them would leave a counter without expiry, locking the account for good. A key that somehow has
// no expiry gets one.
const INCREMENT = `
local n = redis.call('INCR', KEYS[1])
local ttl = redis.call('PTTL', KEYS[1])
if n == 1 or ttl < 0 then
  redis.call('PEXPIRE', KEYS[1], ARGV[1])
  ttl = tonumber(ARGV[1])
end
return {n, ttl}`;

const READ = `
local v = redis.call('GET', KEYS[1])
if not v then return {0, 0} end
local ttl = redis.call('PTTL', KEYS[1])
if ttl < 0 then ttl = 0 end
return {tonumber(v), ttl}`;

/**
 * Throttle counters in Redis (ioredis): `INCR` and `PEXPIRE` run as one Lua script.
 *
 * @example
 * authRoutes({ db, mailer, throttle: { store: new RedisCounterStore({ client: redis }) } })
 * @see docs/auth.md#login-throttling
 */
export class RedisCounterStore implements CounterStore {
  readonly #client: Redis | undefined;
  readonly #url: string | undefined;
  #owned: Promise<Redis> | undefined;
  readonly #prefix: string;

  constructor(options: RedisCounterStoreOptions = {}) {
    this.#prefix = options.prefix ?? 'rampart:throttle:';
    if (options.client !== undefined) {
      this.#client = options.client;
    } else {
      const url = options.url ?? process.env['REDIS_URL'];
      if (url === undefined || url === '') {
        throw new AuthError('E_AUTH_OPTIONS_INVALID', 'RedisCounterStore needs a client or a URL, and REDIS_URL is not set.', {
          hint: "Pass new RedisCounterStore({ url: 'redis://127.0.0.1:6379' }) or set REDIS_URL.",
        });
      }
      this.#url = url;
    }
  }

  // ioredis is loaded on first use, so apps on the memory store never load it.
  #redis(): Redis | Promise<Redis> {
    if (this.#client !== undefined) return this.#client;
    return (this.#owned ??= import('ioredis').then(({ Redis }) => new Redis(this.#url!, { maxRetriesPerRequest: 3 })));
  }

  async increment(key: string, windowMs: number): Promise<CounterState> {
    const redis = await this.#redis();
    const [count, ttl] = (await redis.eval(INCREMENT, 1, this.#prefix + key, String(Math.max(1, Math.ceil(windowMs))))) as [number, number];
    return { count: Number(count), resetInMs: Number(ttl) };
  }

  async get(key: string): Promise<CounterState> {
    const redis = await this.#redis();
    const [count, ttl] = (await redis.eval(READ, 1, this.#prefix + key)) as [number, number];
    return { count: Number(count), resetInMs: Number(ttl) };
  }

  async reset(key: string): Promise<void> {
    const redis = await this.#redis();
    await redis.del(this.#prefix + key);
  }

  /** Closes the connection the store opened from a URL (a client you passed stays open). */
  async close(): Promise<void> {
    if (this.#owned !== undefined) await (await this.#owned).quit();
  }
}
