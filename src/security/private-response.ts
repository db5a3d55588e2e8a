/**
 * Marks a response as belonging to one visitor: shared caches must not store it (it carries a
 * CSRF token or session data) and any cache must key it by Cookie.
 *
 * @module
 */
import type { HttpResponse } from '../http/response.js';

/** `Cache-Control: private, no-store` and `Cookie` added to `Vary`. */
export function markPrivate(res: HttpResponse): void {
  res.header('cache-control', 'private, no-store');
  const vary = res.headers['vary'];
  if (vary === undefined) {
    res.header('vary', 'Cookie');
    return;
  }
  const current = typeof vary === 'string' ? vary : vary.join(', ');
  const names = current.split(',').map((v) => v.trim().toLowerCase());
  if (!names.includes('cookie') && !names.includes('*')) res.header('vary', `${current}, Cookie`);
}
