/**
 * A minimal cookie jar for the test client: one origin, names and paths, Max-Age/Expires removal.
 *
 * @module
 */
import { parseSetCookie } from './set-cookie.js';

interface Stored {
  value: string;
  path: string;
  expires: number | null;
}

/** Cookies kept between test-client requests. */
export class CookieJar {
  readonly #cookies = new Map<string, Stored>();

  /** Stores the cookies of a response's Set-Cookie headers. */
  store(setCookie: readonly string[]): void {
    for (const line of setCookie) {
      const c = parseSetCookie(line);
      if (c === null) continue;
      const expired = (c.maxAge !== undefined && c.maxAge <= 0) || (c.expires !== undefined && c.expires.getTime() <= Date.now());
      const key = `${c.path ?? '/'}\u0000${c.name}`;
      if (expired) this.#cookies.delete(key);
      else {
        const expires = c.maxAge !== undefined ? Date.now() + c.maxAge * 1000 : (c.expires?.getTime() ?? null);
        this.#cookies.set(key, { value: c.value, path: c.path ?? '/', expires });
      }
    }
  }

  /** The Cookie header for a request path, or undefined when no cookie applies. */
  header(path: string): string | undefined {
    const parts: string[] = [];
    const now = Date.now();
    for (const [key, c] of this.#cookies) {
      if (c.expires !== null && c.expires <= now) {
        this.#cookies.delete(key);
        continue;
      }
      if (path === c.path || path.startsWith(c.path.endsWith('/') ? c.path : c.path + '/')) {
        parts.push(`${key.slice(key.indexOf('\u0000') + 1)}=${c.value}`);
      }
    }
    return parts.length === 0 ? undefined : parts.join('; ');
  }

  /** The value of a cookie by name (any path). */
  get(name: string): string | undefined {
    for (const [key, c] of this.#cookies) if (key.endsWith(`\u0000${name}`)) return c.value;
    return undefined;
  }

  /** Sets a cookie by hand, as a browser that already had it would send. */
  set(name: string, value: string, path = '/'): void {
    this.#cookies.set(`${path}\u0000${name}`, { value, path, expires: null });
  }

  clear(): void {
    this.#cookies.clear();
  }
}
