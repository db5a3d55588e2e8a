/**
 * Static-file errors: startup and build errors (a missing folder, a bad manifest), and
 * programming errors found when a page or route is used (a path the manifest does not know, a
 * route without a wildcard). A request for a missing file is a plain 404, never one of these.
 *
 * @module
 */
import { RampartError } from '../errors.js';

/**
 * Thrown by `serveStatic()`, `collectstatic()`, `staticUrls()` and `loadManifest()`.
 *
 * @example
 * try { serveStatic({ dir: 'nope' }) } catch (err) {
 *   if (err instanceof StaticError && err.code === 'E_STATIC_DIR_MISSING') { ... }
 * }
 */
export class StaticError extends RampartError {}
