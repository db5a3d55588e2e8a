// Helpers shared by the sessions and CSRF tests: an injectable clock, and the ways a page gets
// its CSRF token (the hidden field the template engine inserts, or req.csrfToken() as JSON).
import assert from 'node:assert/strict';
import type { TestClient, TestResponse } from 'rampart/testing';

/** A clock tests move by hand, so expiry is tested without sleeping. */
export class Clock {
  t = Date.now();
  readonly now = (): number => this.t;
  advance(seconds: number): void {
    this.t += seconds * 1000;
  }
}

/** The value of the hidden csrf_token field in a rendered page (fails when there is none). */
export function fieldToken(html: string): string {
  const m = /<input type="hidden" name="csrf_token" value="([^"]+)">/.exec(html);
  assert.ok(m !== null, `no CSRF field in: ${html}`);
  return m[1]!;
}

/** GETs a route answering `{ token: req.csrfToken() }` and returns the token. */
export async function apiToken(client: TestClient, path = '/token'): Promise<string> {
  const res = await client.get(path);
  assert.equal(res.status, 200, res.text);
  const token = res.json<{ token: string | null }>().token;
  assert.ok(typeof token === 'string' && token.length > 0);
  return token;
}

/** The error object of a JSON error response. */
export function errorOf(res: TestResponse): { status: number; message: string; code?: string; details?: { reason?: string } } {
  return res.json<{ error: { status: number; message: string; code?: string; details?: { reason?: string } } }>().error;
}

/** The same-origin headers a browser sends with a form POST to http://localhost. */
export const SAME_ORIGIN = Object.freeze({ origin: 'http://localhost', 'sec-fetch-site': 'same-origin' });
