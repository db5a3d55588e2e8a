/**
 * The login throttle: failures are counted per account and per client address in a fixed window;
 * past the limit every attempt is refused before the password is looked at.
 *
 * @module
 */
import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { Context } from '../http/context.js';
import { MemoryCounterStore, type CounterStore } from './counter-store.js';
import { LOGIN_THROTTLE_DEFAULTS } from './defaults.js';
import { AuthError } from './errors.js';
import { RedisCounterStore } from './redis-counter-store.js';

/** Options of the login throttle (`authRoutes({ throttle })`, `new LoginThrottle()`). */
export interface LoginThrottleOptions {
  /** Where counters live. @default a MemoryCounterStore, or a RedisCounterStore on `redis` */
  store?: CounterStore;
  /** An ioredis client: counters go to Redis, shared by every process. */
  redis?: Redis;
  /** Failures allowed per account in a window. @default 5 */
  maxFailures?: number;
  /** Failures allowed per client address in a window. @default 5 */
  maxFailuresPerAddress?: number;
  /** Length of a window, from the first failure. @default 900 (15 minutes) */
  windowSeconds?: number;
}

function limit(name: string, value: number): number {
  if (!Number.isSafeInteger(value) || value < 1) {
    throw new AuthError('E_AUTH_OPTIONS_INVALID', `Login throttle ${name} must be a positive integer, got ${String(value)}.`);
  }
  return value;
}

/**
 * Counts failed attempts per account and per client address. The accounts views use it for the
 * password, the TOTP code and the old password of a password change; use it in your own login
 * views too.
 *
 * @example
 * const throttle = new LoginThrottle({ redis })
 * const wait = await throttle.retryAfter(req, username)
 * if (wait > 0) throw tooManyRequests('Too many attempts.', { headers: { 'retry-after': String(wait) } })
 * if (!ok) await throttle.failed(req, username); else await throttle.succeeded(username)
 * @see docs/auth.md#login-throttling
 */
export class LoginThrottle {
  readonly store: CounterStore;
  readonly maxFailures: number;
  readonly maxFailuresPerAddress: number;
  readonly windowMs: number;

  constructor(options: LoginThrottleOptions = {}) {
    this.store = options.store ?? (options.redis !== undefined ? new RedisCounterStore({ client: options.redis }) : new MemoryCounterStore());
    this.maxFailures = limit('maxFailures', options.maxFailures ?? LOGIN_THROTTLE_DEFAULTS.maxFailures);
    this.maxFailuresPerAddress = limit('maxFailuresPerAddress', options.maxFailuresPerAddress ?? LOGIN_THROTTLE_DEFAULTS.maxFailuresPerAddress);
    this.windowMs = limit('windowSeconds', options.windowSeconds ?? LOGIN_THROTTLE_DEFAULTS.windowSeconds) * 1000;
  }

  // Keys hold a hash of the account name: bounded length, and no user input in Redis key names.
  #account(account: string): string {
    const id = createHash('sha256').update(account.normalize('NFKC').trim().toLowerCase(), 'utf8').digest('base64url').slice(0, 32);
    return `a:${id}`;
  }

  #address(req: Context<unknown>): string {
    return `ip:${req.ip}`;
  }

  /**
   * Seconds to wait before another attempt for this account from this client, or 0 when an
   * attempt is allowed.
   */
  async retryAfter(req: Context<unknown>, account: string): Promise<number> {
    const [a, ip] = await Promise.all([this.store.get(this.#account(account)), this.store.get(this.#address(req))]);
    let waitMs = 0;
    if (a.count >= this.maxFailures) waitMs = Math.max(waitMs, a.resetInMs);
    if (ip.count >= this.maxFailuresPerAddress) waitMs = Math.max(waitMs, ip.resetInMs);
    return Math.ceil(waitMs / 1000);
  }

  /** Records a failed attempt against the account and the client address. */
  async failed(req: Context<unknown>, account: string): Promise<void> {
    await Promise.all([this.store.increment(this.#account(account), this.windowMs), this.store.increment(this.#address(req), this.windowMs)]);
  }

  /**
   * Counts one use of a limited action (such as a reset mail to one address) and says whether it is
   * still within `maxFailures` uses in the window.
   */
  async allow(subject: string): Promise<boolean> {
    const state = await this.store.increment(this.#account(subject), this.windowMs);
    return state.count <= this.maxFailures;
  }

  /**
   * Clears the account's failures after a success. The address count stays: an attacker could
   * otherwise reset it by logging into an account of their own between guesses.
   */
  async succeeded(account: string): Promise<void> {
    await this.store.reset(this.#account(account));
  }
}
