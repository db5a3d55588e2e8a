/**
 * Errors of the sessions battery.
 *
 * @module
 */
import { RampartError } from '../errors.js';

/**
 * A session misuse: bad options (at startup), `req.session` without the middleware, a value that
 * cannot be stored, a cookie session too large, a store that cannot do what was asked.
 *
 * @example
 * try { req.session.set('when', new Map()) } catch (err) { if (err instanceof SessionError) ... }
 */
export class SessionError extends RampartError {}
