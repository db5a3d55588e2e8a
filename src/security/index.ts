/**
 * `rampart/security`: CSRF protection usable without sessions, and the signing, encryption and key
 * derivation helpers the batteries build on.
 *
 * @example
 * import { csrf } from 'rampart/security'
 * app.use(csrf())
 *
 * @module
 */
export { csrf, CSRF_DEFAULTS } from './csrf.js';
export type { CsrfOptions } from './csrf.js';
export { CsrfError, SecurityError } from './errors.js';
export type { CsrfFailureReason } from './errors.js';
export { deriveKey } from './keys.js';
export { sign, unsign, safeEqual } from './signing.js';
export { encrypt, decrypt } from './encryption.js';
