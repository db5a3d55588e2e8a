/**
 * Parses one Set-Cookie header line into its name, value and attributes (RFC 6265 section 5.2).
 *
 * @module
 */

export interface SetCookie {
  name: string;
  value: string;
  path?: string;
  domain?: string;
  maxAge?: number;
  expires?: Date;
  httpOnly: boolean;
  secure: boolean;
  sameSite?: string;
  partitioned: boolean;
}

/**
 * Parses a Set-Cookie line; null when it has no `name=value` pair.
 *
 * @example parseSetCookie('sid=abc; Path=/; HttpOnly') // { name: 'sid', value: 'abc', path: '/', httpOnly: true, ... }
 */
export function parseSetCookie(line: string): SetCookie | null {
  const parts = line.split(';');
  const first = parts[0]!;
  const eq = first.indexOf('=');
  if (eq <= 0) return null;
  const c: SetCookie = { name: first.slice(0, eq).trim(), value: first.slice(eq + 1).trim(), httpOnly: false, secure: false, partitioned: false };
  for (let i = 1; i < parts.length; i++) {
    const attr = parts[i]!.trim();
    const e = attr.indexOf('=');
    const key = (e === -1 ? attr : attr.slice(0, e)).toLowerCase();
    const val = e === -1 ? '' : attr.slice(e + 1).trim();
    if (key === 'path') c.path = val;
    else if (key === 'domain') c.domain = val;
    else if (key === 'max-age') c.maxAge = Number(val);
    else if (key === 'expires') c.expires = new Date(val);
    else if (key === 'httponly') c.httpOnly = true;
    else if (key === 'secure') c.secure = true;
    else if (key === 'samesite') c.sameSite = val;
    else if (key === 'partitioned') c.partitioned = true;
  }
  return c;
}
