/**
 * Errors of the accounts part of `rampart/auth`: bad options at startup, misuse in code, and the
 * HTTP answers of the guards and the login throttle.
 *
 * @module
 */
import { RampartError } from '../errors.js';
import { HttpError } from '../http/errors.js';

/**
 * A misuse of the accounts API: options that cannot work (thrown when the middleware or routes
 * are created), `req.user` without `auth()`, an unknown permission name, a TOTP secret that no
 * longer decrypts.
 *
 * @example
 * try { await permissionIds(db, 'blog.publish_post') } catch (err) {
 *   if (err instanceof AuthError && err.code === 'E_AUTH_PERMISSION_UNKNOWN') ...
 * }
 */
export class AuthError extends RampartError {}

/**
 * 401 for an anonymous request a guard refused that does not accept HTML (`E_AUTH_LOGIN_REQUIRED`);
 * a browser is redirected to the login page instead.
 *
 * @example throw new LoginRequiredError()
 */
export class LoginRequiredError extends HttpError {
  constructor() {
    super(401, 'Log in to see this page.', { code: 'E_AUTH_LOGIN_REQUIRED' });
  }
}

/**
 * 403 for a signed-in user a guard refused (`E_AUTH_PERMISSION_DENIED`): missing permission, or
 * not staff.
 *
 * @example throw new PermissionDeniedError()
 */
export class PermissionDeniedError extends HttpError {
  constructor(message = 'You do not have permission to see this page.') {
    super(403, message, { code: 'E_AUTH_PERMISSION_DENIED' });
  }
}
