/**
 * The password defaults, in one place. Each value names the threat it stops.
 *
 * @module
 */

/**
 * Secure defaults for password hashing and validation.
 *
 * Hashing parameters are OWASP's Password Storage Cheat Sheet recommendations (argon2id
 * m=19 MiB, t=2, p=1; PBKDF2-HMAC-SHA256 at least 600,000 iterations; bcrypt cost at least 10).
 * Lower ones are refused unless a hasher is created with `allowWeakParameters: true` (for test
 * suites), so a slow offline attack on a stolen user table stays slow.
 *
 * @example
 * new Argon2idHasher({ memoryKiB: PASSWORD_DEFAULTS.argon2.memoryKiB * 2 })
 */
export const PASSWORD_DEFAULTS = Object.freeze({
  /**
   * argon2id cost: memory-hard, so GPU and ASIC cracking of a leaked table pays for 19 MiB per
   * guess. About 25 ms per hash on one core (AMD EPYC), run on the libuv thread pool.
   */
  argon2: Object.freeze({ memoryKiB: 19_456, timeCost: 2, parallelism: 1 }),
  /**
   * Ceilings on the parameters a stored argon2 hash may ask for. A tampered or corrupt row such as
   * `m=4294967295` would otherwise make one login allocate 4 TiB and kill the process (measured);
   * such rows fail verification without running.
   */
  argon2Limits: Object.freeze({ maxMemoryKiB: 262_144, maxTimeCost: 16, maxParallelism: 16 }), // 256 MiB
  /** argon2id floor below which hashing needs `allowWeakParameters` (OWASP's minimum). */
  argon2Minimum: Object.freeze({ memoryKiB: 19_456, timeCost: 2 }),
  /** PBKDF2-HMAC-SHA256 iterations when Rampart hashes with it: Django 5.2's value. */
  pbkdf2Iterations: 1_000_000,
  /** Floor for hashing with PBKDF2-HMAC-SHA256 (OWASP: 600,000), below it `allowWeakParameters`. */
  pbkdf2MinIterations: 600_000,
  /** Ceiling a stored PBKDF2 hash may ask for: about 2 s of one core; more fails unrun (CPU DoS by a bad row). */
  pbkdf2MaxIterations: 10_000_000,
  /** bcrypt cost (log2 of rounds) when Rampart hashes with it: Django's value. */
  bcryptRounds: 12,
  /** Floor for hashing with bcrypt (OWASP: 10), below it `allowWeakParameters`. */
  bcryptMinRounds: 10,
  /** Ceiling a stored bcrypt hash may ask for: cost 16 is about 5 s in bcryptjs (CPU DoS by a bad row). */
  bcryptMaxRounds: 16,
  /** Shortest password accepted, in characters (NIST SP 800-63B: at least 8): online guessing. */
  minLength: 8,
  /**
   * Longest password accepted, in UTF-8 bytes. Hashing cost grows with the input, and a login
   * form would otherwise let anyone make the server hash megabytes per request (Django's 2013
   * denial of service through PBKDF2). 4096 bytes leaves room for any passphrase or password
   * manager output.
   */
  maxPasswordBytes: 4096,
  /** Similarity (0 to 1) to a user attribute at or above which a password is refused: `ada.lovelace1` for user `adalovelace`. */
  maxSimilarity: 0.7,
});
