/**
 * Origins for the CSRF check: the request's own origin, the Origin and Referer a browser sent, and
 * the CSRF_TRUSTED_ORIGINS list.
 *
 * @module
 */
import type { Context } from '../http/context.js';
import { parseHost } from '../http/hosts.js';
import { lastListValue } from '../http/proxy.js';

/**
 * The ASCII serialization of a URL's origin (`https://example.com:8443`, default port left out),
 * or null when the value is not an http(s) URL. With `exact`, the value must already be that
 * serialization, as browsers send it in `Origin`: no path, no user info, lower case.
 */
export function originOf(value: string, exact: boolean): string | null {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return null;
  }
  if ((url.protocol !== 'https:' && url.protocol !== 'http:') || url.username !== '' || url.password !== '') return null;
  const origin = url.origin;
  if (exact && origin !== value) return null;
  return origin;
}

/**
 * The origin the request was made to: its scheme, and the Host it was validated with (from a
 * trusted proxy's X-Forwarded-Host when the app used that one), port included.
 */
export function requestOrigin(req: Context<unknown>): string | null {
  const forwarded = lastListValue(req.headers['x-forwarded-host']);
  // The app validated either Host or X-Forwarded-Host into req.host; take the one it used, for the port.
  const hostHeader = forwarded !== undefined && parseHost(forwarded) === req.host ? forwarded : req.headers.host;
  if (hostHeader === undefined) return null;
  return originOf(`${req.protocol}://${hostHeader}`, false);
}

interface Wildcard {
  readonly scheme: string;
  readonly suffix: string;
  readonly port: string;
}

/**
 * Builds the matcher for trusted origins: exact origins, and `scheme://*.domain[:port]` for every
 * subdomain of `domain` (not `domain` itself). Entries were validated by the settings.
 */
export function trustedOriginMatcher(entries: readonly string[]): (origin: string) => boolean {
  const exact = new Set<string>();
  const wildcards: Wildcard[] = [];
  for (const entry of entries) {
    const star = entry.indexOf('://*.');
    if (star === -1) {
      const o = originOf(entry, false);
      if (o !== null) exact.add(o);
      continue;
    }
    const probe = originOf(entry.replace('://*.', '://x.'), false);
    if (probe === null) continue;
    const url = new URL(probe);
    wildcards.push({ scheme: url.protocol, suffix: url.hostname.slice(1), port: url.port });
  }
  if (wildcards.length === 0) return (origin) => exact.has(origin);
  return (origin) => {
    if (exact.has(origin)) return true;
    let url: URL;
    try {
      url = new URL(origin);
    } catch {
      return false;
    }
    for (const w of wildcards) {
      if (url.protocol === w.scheme && url.port === w.port && url.hostname.length > w.suffix.length && url.hostname.endsWith(w.suffix)) return true;
    }
    return false;
  };
}
