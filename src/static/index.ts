/**
 * `rampart/static`: static files served safely (no path in any encoding leaves the folder), with
 * ETags and 304s, precompressed variants, byte ranges, and content-hashed names from
 * `collectstatic()` that browsers may cache for a year.
 *
 * @example
 * import { serveStatic } from 'rampart/static'
 * app.get('/static/*path', serveStatic({ dir: 'static' }))
 *
 * @module
 */
export { serveStatic, STATIC_DEFAULTS } from './serve-static.js';
export type { ServeStaticOptions, StaticHandler } from './serve-static.js';
export { collectstatic, hashedName } from './collectstatic.js';
export type { CollectStaticOptions, CollectStaticResult, StaticSource } from './collectstatic.js';
export { staticUrls, loadManifest } from './manifest.js';
export type { StaticManifest, StaticUrlsOptions } from './manifest.js';
export { contentTypeFor, CONTENT_TYPES } from './content-type.js';
export { StaticError } from './errors.js';
