/**
 * Guards: middleware that lets a request through only for a signed-in user (with permissions, or
 * staff). An anonymous browser is sent to the login page with `next=` set to where it was going;
 * an API client gets 401; a signed-in user who may not gets 403.
 *
 * @module
 */
import type { Context } from '../http/context.js';
import type { Middleware } from '../routing/group.js';
import { AuthError, LoginRequiredError, PermissionDeniedError } from './errors.js';
import { authConfig } from './middleware.js';
import type { AuthUser } from './models.js';
import { can, splitName } from './permissions.js';

/** Whether the client asked for a page (a browser navigation) rather than data. */
function wantsHtml(req: Context<unknown>): boolean {
  const accept = req.headers.accept;
  return typeof accept === 'string' && accept.includes('text/html');
}

/** The login URL with `next` set to this request's path and query. */
export function loginRedirectUrl(req: Context<unknown>, loginUrl: string): string {
  const sep = loginUrl.includes('?') ? '&' : '?';
  return `${loginUrl}${sep}next=${encodeURIComponent(req.url)}`;
}

type Check = (user: AuthUser) => Promise<boolean> | boolean;

function guard(name: string, check: Check | null, denied: string): Middleware {
  const mw: Middleware = async (req, next) => {
    const user = await req.user;
    if (user === null) {
      if (wantsHtml(req)) return req.redirect(loginRedirectUrl(req, authConfig(req).loginUrl), 302);
      throw new LoginRequiredError();
    }
    if (check !== null && !(await check(user))) throw new PermissionDeniedError(denied);
    return next();
  };
  // Named, so `rampart routes` and error messages can say which guard a route has.
  return Object.defineProperty(mw, 'name', { value: name });
}

/**
 * Lets only signed-in users through.
 *
 * @example
 * const account = group().use(requireLogin())
 * account.get('/', async (req) => req.render('account.html', { user: await req.user }))
 * app.mount('/account', account)
 * @see docs/auth.md#guards
 */
export function requireLogin(): Middleware {
  return guard('requireLogin', null, '');
}

/**
 * Lets through only signed-in users who have every one of the permissions (a superuser has all).
 *
 * @example
 * const editors = group().use(requirePermission('blog.change_post', 'blog.view_post'))
 * @see docs/auth.md#guards
 */
export function requirePermission(...names: string[]): Middleware {
  if (names.length === 0) throw new AuthError('E_AUTH_OPTIONS_INVALID', "requirePermission() needs at least one permission name, e.g. requirePermission('blog.change_post').");
  for (const n of names) splitName(n); // a typo fails at startup, not at the first request
  return guard(`requirePermission(${names.join(', ')})`, (user) => can(user, names), 'You do not have permission to see this page.');
}

/**
 * Lets through only signed-in staff users (`is_staff`), as the admin does.
 *
 * @example const backOffice = group().use(requireStaff())
 * @see docs/auth.md#guards
 */
export function requireStaff(): Middleware {
  return guard('requireStaff', (user) => user.is_staff, 'This page is for staff only.');
}
