/**
 * The in-process test client: requests go straight into the app's handler, with no socket, and
 * cookies are kept between requests like a browser would.
 *
 * @module
 */
import inject from 'light-my-request';
import type { App } from '../app.js';
import type { RunningServer } from '../http/server.js';
import { CookieJar } from './cookie-jar.js';
import { parseSetCookie, type SetCookie } from './set-cookie.js';

/** Options of one test request. */
export interface TestRequestOptions {
  headers?: Readonly<Record<string, string>>;
  /** Appended as a query string (repeated keys from arrays). */
  query?: Readonly<Record<string, string | readonly string[]>>;
  /** Sent as JSON with `Content-Type: application/json`. */
  json?: unknown;
  /** Sent urlencoded with `Content-Type: application/x-www-form-urlencoded`. */
  form?: Readonly<Record<string, string | readonly string[]>>;
  /** A raw body; set the content type yourself. */
  body?: string | Buffer;
  /** The client address the app sees. @default '127.0.0.1' */
  remoteAddress?: string;
}

/** A response as the test sees it. */
export interface TestResponse {
  readonly status: number;
  /** Lower-case header names; `set-cookie` is an array. */
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  readonly body: Buffer;
  readonly text: string;
  /** Parses the body as JSON. */
  json<T = unknown>(): T;
  /** Parsed Set-Cookie headers. */
  readonly cookies: readonly SetCookie[];
  /** One header value (arrays joined with ', '). */
  header(name: string): string | undefined;
}

export interface TestClientOptions {
  /** Host header sent with every request. @default 'localhost' */
  host?: string;
  /** Headers sent with every request. */
  headers?: Readonly<Record<string, string>>;
  /** @default '127.0.0.1' */
  remoteAddress?: string;
  /** Make every request look as if it came over TLS (for apps with `https: true`). @default false */
  https?: boolean;
}

type Method = 'GET' | 'HEAD' | 'POST' | 'PUT' | 'PATCH' | 'DELETE' | 'OPTIONS';

/**
 * Sends requests to an app in process.
 *
 * @example
 * const client = testClient(app)
 * const res = await client.post('/notes', { form: { title: 'Hi' } })
 * assert.equal(res.status, 303)
 */
export class TestClient {
  readonly cookies = new CookieJar();
  readonly #app: App;
  readonly #options: TestClientOptions;

  constructor(app: App, options: TestClientOptions = {}) {
    this.#app = app.ready();
    this.#options = options;
  }

  get(path: string, options?: TestRequestOptions): Promise<TestResponse> {
    return this.request('GET', path, options);
  }
  head(path: string, options?: TestRequestOptions): Promise<TestResponse> {
    return this.request('HEAD', path, options);
  }
  post(path: string, options?: TestRequestOptions): Promise<TestResponse> {
    return this.request('POST', path, options);
  }
  put(path: string, options?: TestRequestOptions): Promise<TestResponse> {
    return this.request('PUT', path, options);
  }
  patch(path: string, options?: TestRequestOptions): Promise<TestResponse> {
    return this.request('PATCH', path, options);
  }
  delete(path: string, options?: TestRequestOptions): Promise<TestResponse> {
    return this.request('DELETE', path, options);
  }
  options(path: string, options?: TestRequestOptions): Promise<TestResponse> {
    return this.request('OPTIONS', path, options);
  }

  /** The origin requests from this client come from: `http://localhost` unless `host`/`https` say otherwise. */
  get origin(): string {
    return `${this.#options.https === true ? 'https' : 'http'}://${this.#options.host ?? 'localhost'}`;
  }

  /**
   * The CSRF token a browser would send: GETs `path` as a page and reads the hidden `csrf_token`
   * field the template engine put in its form. The session cookie it gets stays in the jar.
   *
   * @example const token = await client.csrfToken('/notes/new')
   */
  async csrfToken(path: string): Promise<string> {
    const page = await this.get(path, { headers: { accept: 'text/html' } });
    const tag = /<input\b[^>]*\bname="csrf_token"[^>]*>/.exec(page.text)?.[0];
    const value = tag === undefined ? undefined : /\bvalue="([^"]*)"/.exec(tag)?.[1];
    if (value === undefined || value === '') {
      throw new Error(
        `No csrf_token field on ${path} (status ${page.status}). The page must render a POST form with req.render(), and the app must use sessions() or csrf().`,
      );
    }
    return value.replace(/&amp;/g, '&').replace(/&#x2B;|&#43;/gi, '+').replace(/&#x2F;|&#47;/gi, '/').replace(/&#x3D;|&#61;/gi, '=');
  }

  /**
   * Submits a form as a browser does: GETs the page at `path` for its CSRF token, then POSTs
   * `fields` with it (same-origin `Origin`) to `action`, `path` by default.
   *
   * @example const res = await client.submitForm('/notes/new', { title: 'Hi' }); assert.equal(res.status, 303)
   */
  async submitForm(path: string, fields: Readonly<Record<string, string>>, options: { action?: string } = {}): Promise<TestResponse> {
    const token = await this.csrfToken(path);
    return this.post(options.action ?? path, {
      headers: { origin: this.origin, 'sec-fetch-site': 'same-origin' },
      form: { ...fields, csrf_token: token },
    });
  }

  /**
   * Logs in through the accounts login view (`rampart/auth`), keeping the session cookie.
   *
   * @example await client.login('ann', 'correct horse battery staple'); await client.get('/account')
   */
  async login(username: string, password: string, options: { path?: string } = {}): Promise<TestResponse> {
    const res = await this.submitForm(options.path ?? '/accounts/login', { username, password });
    if (res.status !== 303 && res.status !== 302) {
      throw new Error(`Login of '${username}' answered ${res.status}, not a redirect: ${res.text.slice(0, 200)}`);
    }
    return res;
  }

  /** Sends a request with any method. */
  async request(method: Method | (string & {}), path: string, options: TestRequestOptions = {}): Promise<TestResponse> {
    const headers: Record<string, string> = { host: this.#options.host ?? 'localhost', ...this.#options.headers, ...options.headers };
    let url = path;
    if (options.query !== undefined) {
      const qs = new URLSearchParams();
      for (const [k, v] of Object.entries(options.query)) {
        if (typeof v === 'string') qs.append(k, v);
        else for (const item of v) qs.append(k, item);
      }
      url += (url.includes('?') ? '&' : '?') + qs.toString();
    }
    let payload: string | Buffer | undefined = options.body;
    if (options.json !== undefined) {
      payload = JSON.stringify(options.json);
      headers['content-type'] ??= 'application/json';
    } else if (options.form !== undefined) {
      const fs = new URLSearchParams();
      for (const [k, v] of Object.entries(options.form)) {
        if (typeof v === 'string') fs.append(k, v);
        else for (const item of v) fs.append(k, item);
      }
      payload = fs.toString();
      headers['content-type'] ??= 'application/x-www-form-urlencoded';
    }
    const q = path.indexOf('?');
    const cookie = this.cookies.header(q === -1 ? path : path.slice(0, q));
    if (cookie !== undefined && headers['cookie'] === undefined) headers['cookie'] = cookie;
    // light-my-request normalises the URL with WHATWG URL parsing, which removes dot segments
    // (even %2e%2e); restore the path exactly as sent so traversal tests see what a socket sees.
    const handler = this.#app.handler;
    const https = this.#options.https === true;
    const res = await inject((req, resp) => {
      req.url = url;
      if (https) (req.socket as { encrypted?: boolean }).encrypted = true;
      handler(req, resp);
    }, {
      method: method as 'GET',
      url,
      headers,
      payload,
      remoteAddress: options.remoteAddress ?? this.#options.remoteAddress ?? '127.0.0.1',
    });
    const raw = res.headers['set-cookie'];
    const setCookie = raw === undefined ? [] : Array.isArray(raw) ? raw.map(String) : [String(raw)];
    this.cookies.store(setCookie);
    const out: Record<string, string | string[] | undefined> = {};
    for (const [k, v] of Object.entries(res.headers)) out[k.toLowerCase()] = Array.isArray(v) ? v.map(String) : v === undefined ? undefined : String(v);
    const body = res.rawPayload;
    return {
      status: res.statusCode,
      headers: out,
      body,
      text: body.toString('utf8'),
      json: <T>() => JSON.parse(body.toString('utf8')) as T,
      cookies: setCookie.map(parseSetCookie).filter((c): c is SetCookie => c !== null),
      header: (name: string) => {
        const v = out[name.toLowerCase()];
        return Array.isArray(v) ? v.join(', ') : v;
      },
    };
  }
}

/**
 * Creates an in-process test client for an app.
 *
 * @example
 * const res = await testClient(app).get('/')
 */
export function testClient(app: App, options?: TestClientOptions): TestClient {
  return new TestClient(app, options);
}

/**
 * Starts the app on a free loopback port for tests that need a real socket (timeouts, header
 * limits, raw bytes). Close it in `after()`.
 *
 * @example
 * const server = await liveServer(app)
 * const res = await fetch(server.url + '/')
 * await server.close()
 */
export function liveServer(app: App): Promise<RunningServer> {
  return app.listen({ port: 0, host: '127.0.0.1', handleSignals: false });
}
