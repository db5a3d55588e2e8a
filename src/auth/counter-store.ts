/**
 * Counters in fixed windows, for the login throttle: the interface, and the in-memory store (one
 * process; use `RedisCounterStore` when the app runs on several).
 *
 * @module
 */
import { AuthError } from './errors.js';

/** A counter's value and how long until its window ends. */
export interface CounterState {
  readonly count: number;
  /** Milliseconds until the counter starts again from 0; 0 when it is already 0. */
  readonly resetInMs: number;
}

/**
 * Where throttle counters live. A window starts at the first increment of a key and lasts
 * `windowMs`; the count is 0 again after it.
 *
 * @example
 * class MyStore implements CounterStore {
 *   async increment(key, windowMs) { ... }  async get(key) { ... }  async reset(key) { ... }
 * }
 * @see docs/auth.md#login-throttling
 */
export interface CounterStore {
  /** Adds one and returns the new state; the first increment of a key starts its window. */
  increment(key: string, windowMs: number): Promise<CounterState>;
  /** The current state ({ count: 0, resetInMs: 0 } for a key with no live window). */
  get(key: string): Promise<CounterState>;
  /** Forgets a key. */
  reset(key: string): Promise<void>;
}

export interface MemoryCounterStoreOptions {
  /** Clock in ms (tests move it to end windows without waiting). @default Date.now */
  now?: () => number;
  /** Most keys kept; past it expired keys are swept, then the oldest dropped. @default 100000 */
  maxKeys?: number;
}

const ZERO: CounterState = Object.freeze({ count: 0, resetInMs: 0 });

/**
 * Counters in this process's memory: fine for one process and for tests. With several
 * processes or machines each has its own counts, so the limit multiplies; use `RedisCounterStore`.
 *
 * @example authRoutes({ db, mailer, throttle: { store: new MemoryCounterStore() } })
 */
export class MemoryCounterStore implements CounterStore {
  readonly #now: () => number;
  readonly #maxKeys: number;
  readonly #entries = new Map<string, { count: number; endsAt: number }>();

  constructor(options: MemoryCounterStoreOptions = {}) {
    this.#now = options.now ?? Date.now;
    const max = options.maxKeys ?? 100_000;
    if (!Number.isSafeInteger(max) || max < 1) {
      throw new AuthError('E_AUTH_OPTIONS_INVALID', `MemoryCounterStore maxKeys must be a positive integer, got ${String(max)}.`);
    }
    this.#maxKeys = max;
  }

  async increment(key: string, windowMs: number): Promise<CounterState> {
    const now = this.#now();
    let entry = this.#entries.get(key);
    if (entry === undefined || entry.endsAt <= now) {
      this.#entries.delete(key);
      // Memory is bounded: an attacker cycling through made-up usernames cannot grow the map
      // without limit. Expired keys go first; if that is not enough, the oldest windows.
      if (this.#entries.size >= this.#maxKeys) this.#evict(now);
      entry = { count: 0, endsAt: now + windowMs };
      this.#entries.set(key, entry);
    }
    entry.count++;
    return { count: entry.count, resetInMs: entry.endsAt - now };
  }

  async get(key: string): Promise<CounterState> {
    const entry = this.#entries.get(key);
    const now = this.#now();
    if (entry === undefined || entry.endsAt <= now) return ZERO;
    return { count: entry.count, resetInMs: entry.endsAt - now };
  }

  async reset(key: string): Promise<void> {
    this.#entries.delete(key);
  }

  #evict(now: number): void {
    for (const [k, e] of this.#entries) if (e.endsAt <= now) this.#entries.delete(k);
    const excess = this.#entries.size - this.#maxKeys + 1;
    if (excess <= 0) return;
    let n = 0;
    for (const k of this.#entries.keys()) {
      if (n++ >= excess) break;
      this.#entries.delete(k);
    }
  }
}
