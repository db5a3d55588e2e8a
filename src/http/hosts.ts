/**
 * Host header validation (ALLOWED_HOSTS). A forged Host poisons every absolute URL the app builds
 * (password-reset links, redirects) and cache keys; anything not on the list is a 400.
 *
 * @module
 */

/** Lower-cased host without port, or null when the value is not a syntactically valid host[:port]. */
export function parseHost(value: string): string | null {
  const len = value.length;
  if (len === 0 || len > 255) return null;
  let end = len;
  let i = 0;
  if (value.charCodeAt(0) === 91 /* [ */) {
    const close = value.indexOf(']');
    if (close === -1) return null;
    for (i = 1; i < close; i++) {
      const c = value.charCodeAt(i);
      const ok = (c >= 48 && c <= 58) || (c >= 97 && c <= 102) || (c >= 65 && c <= 70) || c === 46;
      if (!ok) return null;
    }
    end = close + 1;
  } else {
    for (i = 0; i < len; i++) {
      const c = value.charCodeAt(i);
      if (c === 58 /* : */) break;
      const ok = (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 48 && c <= 57) || c === 45 || c === 46;
      if (!ok) return null;
    }
    end = i;
    if (end === 0) return null;
  }
  if (end < len) {
    if (value.charCodeAt(end) !== 58) return null;
    const portLen = len - end - 1;
    if (portLen < 1 || portLen > 5) return null;
    for (let j = end + 1; j < len; j++) {
      const c = value.charCodeAt(j);
      if (c < 48 || c > 57) return null;
    }
  }
  let host = value.slice(0, end).toLowerCase();
  // A trailing dot names the same host ("example.com." is "example.com").
  if (host.endsWith('.') && host.length > 1) host = host.slice(0, -1);
  return host;
}

/**
 * Builds the matcher for a host list. `.example.com` matches the domain and every subdomain,
 * `*` matches anything.
 *
 * @example
 * const allowed = hostMatcher(['example.com', '.example.org'])
 * allowed('www.example.org:8080') // true
 */
export function hostMatcher(allowed: readonly string[]): (headerValue: string | undefined) => string | null {
  const any = allowed.includes('*');
  const exact = new Set<string>();
  const suffixes: string[] = [];
  for (const entry of allowed) {
    if (entry === '*') continue;
    if (entry.startsWith('.')) {
      suffixes.push(entry);
      exact.add(entry.slice(1));
    } else exact.add(entry);
  }
  // The raw header values already accepted, so a keep-alive client costs one Map lookup. Bounded,
  // and only accepted values enter it, so an attacker cannot grow it.
  const seen = new Map<string, string>();
  const MAX_SEEN = 256;
  return (headerValue) => {
    if (headerValue === undefined) return null;
    const hit = seen.get(headerValue);
    if (hit !== undefined) return hit;
    const host = parseHost(headerValue);
    if (host === null) return null;
    let ok = any || exact.has(host);
    if (!ok) {
      for (const s of suffixes) {
        if (host.endsWith(s)) {
          ok = true;
          break;
        }
      }
    }
    if (!ok) return null;
    if (seen.size < MAX_SEEN) seen.set(headerValue, host);
    return host;
  };
}
