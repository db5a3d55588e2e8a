/**
 * A limit on how many password hashes run at once. argon2 and PBKDF2 run on the libuv thread
 * pool (4 threads by default), so on a 2-core machine four concurrent logins would take every core
 * from the event loop: requests of other users would wait tens of milliseconds (measured with
 * `npm run bench:login`: p99 event-loop delay 28.7 ms with 4 hashes at once, 9.1 ms with 1).
 * Keeping one core for the event loop trades some login throughput for every other request.
 *
 * @module
 */
import { availableParallelism } from 'node:os';

/** Hashes allowed at once: all cores but one, at least one. */
export const MAX_CONCURRENT_HASHES = Math.max(1, availableParallelism() - 1);

let running = 0;
const waiting: (() => void)[] = [];

/**
 * Runs `work` when a slot is free.
 *
 * @example const encoded = await withHashSlot(() => argon2Hash(password, options))
 */
export async function withHashSlot<T>(work: () => Promise<T>): Promise<T> {
  if (running >= MAX_CONCURRENT_HASHES) await new Promise<void>((resolve) => waiting.push(resolve));
  running++;
  try {
    return await work();
  } finally {
    running--;
    waiting.shift()?.();
  }
}
