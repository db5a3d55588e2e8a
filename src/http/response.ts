/**
 * Explicit responses: what a handler returns when a plain value is not enough.
 *
 * Handlers may return a string (text/plain — never HTML), a plain object or array (JSON), a
 * `SafeHtml` value from the `html` tag (text/html), bytes, a readable stream, an `HttpResponse`,
 * or `undefined` (204).
 *
 * @module
 */
import { Readable } from 'node:stream';
import { isSafeHtml, type SafeHtml } from './html.js';

export type ResponseBody = string | Uint8Array | Readable | SafeHtml | null;

export interface ResponseInit {
  /** @default 200 */
  status?: number;
  headers?: Readonly<Record<string, string | readonly string[]>>;
}

export const TEXT_TYPE = 'text/plain; charset=utf-8';
export const JSON_TYPE = 'application/json; charset=utf-8';
export const HTML_TYPE = 'text/html; charset=utf-8';
export const BINARY_TYPE = 'application/octet-stream';

/**
 * A response with an explicit status, headers and body. Middleware receives one from `next()`
 * and may change it.
 *
 * @example
 * return new HttpResponse('created', { status: 201, headers: { location: '/notes/1' } })
 */
export class HttpResponse {
  status: number;
  /** Header names are lower-case. */
  readonly headers: Record<string, string | readonly string[]>;
  body: string | Uint8Array | Readable | null;

  /**
   * Without a `content-type` header, the body decides it: a string is text/plain, `SafeHtml`
   * text/html, bytes and streams application/octet-stream.
   */
  constructor(body: ResponseBody = null, init: ResponseInit = {}) {
    this.status = init.status ?? 200;
    const headers: Record<string, string | readonly string[]> = {};
    if (init.headers !== undefined) {
      for (const [k, v] of Object.entries(init.headers)) headers[k.toLowerCase()] = v;
    }
    if (isSafeHtml(body)) {
      this.body = body.toString();
      headers['content-type'] ??= HTML_TYPE;
    } else {
      this.body = body;
      if (typeof body === 'string') headers['content-type'] ??= TEXT_TYPE;
      else if (body !== null) headers['content-type'] ??= BINARY_TYPE;
    }
    this.headers = headers;
  }

  /** Sets a header (name is lower-cased) and returns the response, for chaining. */
  header(name: string, value: string | readonly string[]): this {
    this.headers[name.toLowerCase()] = value;
    return this;
  }
}

/** Adds a default content type unless the caller set one (in any letter case). */
function withType(init: ResponseInit, type: string): ResponseInit {
  const headers = init.headers ?? {};
  for (const k of Object.keys(headers)) if (k.toLowerCase() === 'content-type') return init;
  return { ...init, headers: { ...headers, 'content-type': type } };
}

/**
 * A JSON response.
 * @example return json({ id: 1 }, { status: 201 })
 */
export function json(data: unknown, init: ResponseInit = {}): HttpResponse {
  return new HttpResponse(JSON.stringify(data) ?? 'null', withType(init, JSON_TYPE));
}

/**
 * A text/plain response.
 * @example return text('pong', { status: 200 })
 */
export function text(body: string, init: ResponseInit = {}): HttpResponse {
  return new HttpResponse(body, withType(init, TEXT_TYPE));
}

/**
 * A streamed response; the stream is destroyed if the client goes away.
 * @example return stream(createReadStream('report.csv'), { headers: { 'content-type': 'text/csv' } })
 */
export function stream(body: Readable | ReadableStream<Uint8Array>, init: ResponseInit = {}): HttpResponse {
  const readable = body instanceof Readable ? body : Readable.fromWeb(body as import('node:stream/web').ReadableStream<Uint8Array>);
  return new HttpResponse(readable, withType(init, BINARY_TYPE));
}

/** Statuses `redirect()` accepts. */
export type RedirectStatus = 301 | 302 | 303 | 307 | 308;

/**
 * A redirect. The location is sent as given: for a URL that comes from the request (`?next=`),
 * check it first (a later issue adds `safeRedirect`).
 *
 * @example return redirect('/notes', 303)
 */
export function redirect(location: string, status: RedirectStatus = 302): HttpResponse {
  if (location.indexOf('\r') !== -1 || location.indexOf('\n') !== -1) {
    throw new TypeError('redirect(): the location contains a line break (header injection).');
  }
  return new HttpResponse(null, { status, headers: { location } });
}

/** A plain object or array: what a handler returns to mean JSON. */
export function isPlainJson(value: object): boolean {
  if (Array.isArray(value)) return true;
  const proto = Object.getPrototypeOf(value) as unknown;
  return proto === Object.prototype || proto === null;
}

/** Turns any handler result into an `HttpResponse`. */
export function toResponse(value: unknown): HttpResponse {
  if (value instanceof HttpResponse) return value;
  if (value === undefined) return new HttpResponse(null, { status: 204 });
  if (typeof value === 'string' || isSafeHtml(value) || value instanceof Uint8Array || value instanceof Readable) {
    return new HttpResponse(value);
  }
  if (typeof Response !== 'undefined' && value instanceof Response) return fromWebResponse(value);
  if (typeof value === 'object' && value !== null && !isPlainJson(value) && typeof (value as { toJSON?: unknown }).toJSON !== 'function') {
    // A class instance serialises to '{}' or loses data silently; make the mistake loud.
    throw new TypeError(
      `A handler returned a ${(value as object).constructor?.name ?? 'non-plain'} object. Return a plain object or array for JSON, or an HttpResponse.`,
    );
  }
  return json(value);
}

function fromWebResponse(res: Response): HttpResponse {
  const headers: Record<string, string | readonly string[]> = {};
  res.headers.forEach((v, k) => {
    if (k !== 'set-cookie') headers[k] = v;
  });
  const cookies = res.headers.getSetCookie();
  if (cookies.length > 0) headers['set-cookie'] = cookies;
  const body = res.body === null ? null : Readable.fromWeb(res.body as import('node:stream/web').ReadableStream<Uint8Array>);
  return new HttpResponse(body, { status: res.status, headers });
}
