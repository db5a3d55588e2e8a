/**
 * Cookies: parsed lazily from the request, written with safe attributes by default.
 *
 * @module
 */
import { parse, serialize } from 'cookie';
import { RampartError } from '../errors.js';

/** Attributes of a cookie set with `req.setCookie()`. */
export interface CookieOptions {
  /** Seconds until the cookie expires; absent for a session cookie. */
  maxAgeSeconds?: number;
  expires?: Date;
  /** @default '/' */
  path?: string;
  domain?: string;
  /** Keeps the cookie away from scripts, so XSS cannot steal it. @default true */
  httpOnly?: boolean;
  /** Keeps the cookie off cross-site requests (CSRF). @default 'lax' */
  sameSite?: 'lax' | 'strict' | 'none';
  /** Only sent over HTTPS. @default true when the request came over HTTPS */
  secure?: boolean;
  partitioned?: boolean;
}

export const COOKIE_DEFAULTS = Object.freeze({
  path: '/',
  httpOnly: true, // XSS: document.cookie cannot read it
  sameSite: 'lax' as const, // CSRF: not sent on cross-site subresource requests and POSTs
});

/** A cookie name or attribute that would be invalid or unsafe. */
export class CookieError extends RampartError {}

/** Parses a Cookie header into a null-prototype record (so `__proto__` is just a name). */
export function parseCookies(header: string | undefined): Record<string, string> {
  const out: Record<string, string> = Object.create(null) as Record<string, string>;
  if (header === undefined || header === '') return out;
  const parsed = parse(header);
  for (const key of Object.keys(parsed)) {
    const v = parsed[key];
    if (v !== undefined) out[key] = v;
  }
  return out;
}

/**
 * Serializes a Set-Cookie value with the secure defaults applied.
 *
 * @example
 * serializeCookie('theme', 'dark', { maxAgeSeconds: 3600 }, true)
 * // 'theme=dark; Max-Age=3600; Path=/; HttpOnly; Secure; SameSite=Lax'
 */
export function serializeCookie(name: string, value: string, options: CookieOptions, requestIsHttps: boolean): string {
  const secure = options.secure ?? requestIsHttps;
  const sameSite = options.sameSite ?? COOKIE_DEFAULTS.sameSite;
  const path = options.path ?? COOKIE_DEFAULTS.path;
  if (sameSite === 'none' && !secure) {
    throw new CookieError('E_COOKIE_INSECURE', `Cookie '${name}' has SameSite=None without Secure; browsers reject it.`, {
      hint: 'Serve the app over HTTPS (HTTPS=true) or use sameSite: "lax".',
    });
  }
  if (name.startsWith('__Host-') && (!secure || path !== '/' || options.domain !== undefined)) {
    throw new CookieError('E_COOKIE_INSECURE', `Cookie '${name}' uses the __Host- prefix, which requires Secure, Path=/ and no Domain.`);
  }
  if (name.startsWith('__Secure-') && !secure) {
    throw new CookieError('E_COOKIE_INSECURE', `Cookie '${name}' uses the __Secure- prefix, which requires Secure.`);
  }
  try {
    return serialize(name, value, {
      maxAge: options.maxAgeSeconds,
      expires: options.expires,
      path,
      domain: options.domain,
      httpOnly: options.httpOnly ?? COOKIE_DEFAULTS.httpOnly,
      sameSite,
      secure,
      partitioned: options.partitioned,
    });
  } catch (err) {
    throw new CookieError('E_COOKIE_INVALID', `Cookie '${name}' cannot be set: ${(err as Error).message}.`, { cause: err });
  }
}
