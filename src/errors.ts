/**
 * The base of every error Rampart throws.
 *
 * Every error carries a stable `code` (`E_<AREA>_<DETAIL>`) that never changes meaning, so
 * applications and tests can branch on it, and a message that says how to fix the problem.
 * Each code has a row in `docs/errors.md`.
 *
 * @module
 */

/**
 * Base class of all Rampart errors.
 *
 * @example
 * try { app.get('/a', h); app.get('/a', h) } catch (err) {
 *   if (err instanceof RampartError && err.code === 'E_ROUTE_DUPLICATE') { ... }
 * }
 */
export class RampartError extends Error {
  /** Stable machine-readable code, e.g. `E_ROUTE_DUPLICATE`. */
  readonly code: string;
  /** A longer hint on how to fix the problem, when the message alone is not enough. */
  readonly hint: string | undefined;

  constructor(code: string, message: string, options?: { hint?: string; cause?: unknown }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    this.hint = options?.hint;
  }
}

/** A setting is missing, malformed or unsafe; thrown when the app is created, never per request. */
export class ConfigError extends RampartError {}
