/**
 * The per-request object handlers receive (called `req` in the docs): request data, lazy body
 * readers, and the helpers that shape the response.
 *
 * @module
 */
import { randomBytes } from 'node:crypto';
import type { IncomingHttpHeaders, IncomingMessage } from 'node:http';
import type { Logger } from 'pino';
import type { ResolvedSettings } from '../settings.js';
import { parseForm, parseJson, readBody, decodeUtf8 } from './body.js';
import { parseCookies, serializeCookie, type CookieOptions } from './cookies.js';
import { clientAddress, lastListValue, normalizeAddress, type ProxyTrust } from './proxy.js';
import { HttpResponse, redirect, type RedirectStatus, type ResponseInit } from './response.js';
import type { TemplateEngine } from './template-engine.js';
import { RampartError } from '../errors.js';
import { createNonce } from './secure-headers.js';
import { validateWithSchema, type StandardSchema, type StandardSchemaOutput } from './standard-schema.js';

/**
 * Typed per-request variables set by middleware. Batteries extend it by module augmentation:
 *
 * @example
 * declare module 'rampart' { interface ContextVariables { user: User } }
 */
// eslint-disable-next-line @typescript-eslint/no-empty-interface
export interface ContextVariables {}

/** What the context needs from the app; kept narrow so the context never reaches into the app. */
export interface ContextHost {
  readonly settings: ResolvedSettings;
  readonly templates: TemplateEngine | null;
  readonly trust: ProxyTrust;
  readonly logger: Logger;
  urlFor(name: string, params?: Readonly<Record<string, string | number>>, query?: Readonly<Record<string, string>>): string;
}

/**
 * What `req.form(parser)` reads the request with, such as a form of `rampart/forms`: the core
 * knows only this method.
 */
export interface FormParser<T> {
  parseRequest(req: Context<unknown>): Promise<T>;
}

/** Route information available to the handler. */
export interface RouteInfo {
  readonly pattern: string;
  readonly name: string | undefined;
  /** `false` when the route was registered with `csrf: false`; absent otherwise. */
  readonly csrf?: false;
}

// Request ids: a random per-process prefix and a counter, unique across processes and machines
// without a random draw per request.
const ID_PREFIX = randomBytes(6).toString('base64url');
let idCounter = 0;

function isLoopback(address: string): boolean {
  return address === '::1' || address.startsWith('127.');
}

/**
 * The request as a handler sees it.
 *
 * @example
 * app.get('/users/:id<int>', (req) => ({ id: req.params.id, page: req.query.get('page') }))
 */
export class Context<P = Record<string, string | number>> {
  /** The Node request, for what Rampart does not wrap. */
  readonly raw: IncomingMessage;
  readonly method: string;
  /** Path without the query string, as sent (percent-encoded). */
  readonly path: string;
  /** Path and query string, as sent. */
  readonly url: string;
  readonly headers: IncomingHttpHeaders;
  /** Route params, decoded and converted (`:id<int>` gives a number). */
  params: P;
  /** Host name the request was made to, validated against ALLOWED_HOSTS, without the port. */
  readonly host: string;
  /** Variables set by middleware, typed through `ContextVariables`. */
  readonly var: ContextVariables = {} as ContextVariables;
  route: RouteInfo | null = null;

  readonly #host: ContextHost;
  readonly #queryStart: number;
  #query: URLSearchParams | undefined;
  #cookies: Record<string, string> | undefined;
  #ip: string | undefined;
  #protocol: 'http' | 'https' | undefined;
  #id: string | undefined;
  #body: Promise<Buffer> | undefined;
  #log: Logger | undefined;
  /** @internal read by the response writer */
  nonce: string | null = null;
  /** @internal Set-Cookie values queued by setCookie() */
  setCookies: string[] | null = null;
  #csrf: (() => string | null) | null = null;

  constructor(host: ContextHost, raw: IncomingMessage, path: string, queryStart: number, hostName: string, params: P) {
    this.#host = host;
    this.raw = raw;
    this.method = raw.method ?? 'GET';
    this.url = raw.url ?? '/';
    this.path = path;
    this.#queryStart = queryStart;
    this.headers = raw.headers;
    this.host = hostName;
    this.params = params;
  }

  /** Query parameters; repeated keys are kept (`query.getAll('tag')`). */
  get query(): URLSearchParams {
    return (this.#query ??= new URLSearchParams(this.#queryStart === -1 ? '' : this.url.slice(this.#queryStart + 1)));
  }

  /** Request cookies by name. */
  get cookies(): Readonly<Record<string, string>> {
    return (this.#cookies ??= parseCookies(this.headers.cookie));
  }

  /** Client address: the socket peer, or from X-Forwarded-For when the peer is a trusted proxy. */
  get ip(): string {
    if (this.#ip === undefined) {
      const peer = this.raw.socket.remoteAddress ?? '';
      this.#ip = clientAddress(peer, this.headers['x-forwarded-for'], this.#host.trust);
    }
    return this.#ip;
  }

  /** `https` when the socket is TLS, or a trusted proxy says so in X-Forwarded-Proto. */
  get protocol(): 'http' | 'https' {
    if (this.#protocol === undefined) {
      const socket = this.raw.socket as { encrypted?: boolean; remoteAddress?: string };
      let proto: 'http' | 'https' = socket.encrypted === true ? 'https' : 'http';
      const peer = socket.remoteAddress;
      if (peer !== undefined && this.#host.trust(peer)) {
        const fwd = lastListValue(this.headers['x-forwarded-proto'])?.toLowerCase();
        if (fwd === 'https' || fwd === 'http') proto = fwd;
      }
      this.#protocol = proto;
    }
    return this.#protocol;
  }

  /** True when the request came over HTTPS. */
  get secure(): boolean {
    return this.protocol === 'https';
  }

  /** True when the client is on this machine (the development error page is shown only then). */
  get isLoopback(): boolean {
    return isLoopback(normalizeAddress(this.ip));
  }

  /** A request id for logs: a trusted proxy's X-Request-Id, or generated. */
  get id(): string {
    if (this.#id === undefined) {
      const peer = this.raw.socket.remoteAddress;
      const incoming = this.headers['x-request-id'];
      this.#id =
        typeof incoming === 'string' && peer !== undefined && this.#host.trust(peer) && validRequestId(incoming)
          ? incoming
          : `${ID_PREFIX}-${(++idCounter).toString(36)}`;
    }
    return this.#id;
  }

  /**
   * The CSP nonce of this response. Reading it adds `'nonce-…'` to the response's
   * Content-Security-Policy, so put it on every inline `<script>` and `<style>` you emit.
   */
  get cspNonce(): string {
    return (this.nonce ??= createNonce());
  }

  /** The app's settings. */
  get settings(): ResolvedSettings {
    return this.#host.settings;
  }

  /** A logger whose lines carry this request's id. */
  get log(): Logger {
    return (this.#log ??= this.#host.logger.child({ reqId: this.id }));
  }

  /** The raw body, read once, at most `maxBodyBytes`. */
  bytes(): Promise<Buffer> {
    return (this.#body ??= readBody(this.raw, this.#host.settings.maxBodyBytes));
  }

  /** The body as UTF-8 text (invalid UTF-8 is a 400). */
  async text(): Promise<string> {
    return decodeUtf8(await this.bytes());
  }

  /**
   * The body parsed as JSON: 415 unless `Content-Type: application/json`, 400 when malformed,
   * too deep, or carrying `__proto__`/`constructor.prototype` keys. Given a Standard Schema (zod,
   * valibot, arktype…), returns its output, or answers 422 with the issues in `details.fields`.
   *
   * @example const note = await req.json(NoteSchema)
   */
  json<T = unknown>(): Promise<T>;
  json<S extends StandardSchema>(schema: S): Promise<StandardSchemaOutput<S>>;
  async json(schema?: StandardSchema): Promise<unknown> {
    const type = this.headers['content-type'];
    const value = parseJson(type, await this.bytes(), this.#host.settings);
    return schema === undefined ? value : validateWithSchema(schema, value);
  }

  /**
   * The body parsed as an urlencoded form (repeated keys kept): 415 for other types. Given a
   * parser (a form from `rampart/forms`), returns what it reads from the request.
   *
   * @example const data = await req.form(NoteForm)
   */
  form(): Promise<URLSearchParams>;
  form<T>(parser: FormParser<T>): Promise<T>;
  async form<T>(parser?: FormParser<T>): Promise<URLSearchParams | T> {
    if (parser !== undefined) return parser.parseRequest(this as Context<unknown>);
    const type = this.headers['content-type'];
    return parseForm(type, await this.bytes(), this.#host.settings);
  }

  /**
   * Queues a Set-Cookie header, with HttpOnly, SameSite=Lax, Path=/ and (over HTTPS) Secure
   * unless the options say otherwise.
   *
   * @example req.setCookie('theme', 'dark', { maxAgeSeconds: 86400, httpOnly: false })
   */
  setCookie(name: string, value: string, options: CookieOptions = {}): void {
    const secure = options.secure ?? (this.#host.settings.https || this.secure);
    (this.setCookies ??= []).push(serializeCookie(name, value, { ...options, secure }, secure));
  }

  /** Queues a Set-Cookie header that removes the cookie. */
  deleteCookie(name: string, options: Pick<CookieOptions, 'path' | 'domain'> = {}): void {
    this.setCookie(name, '', { ...options, maxAgeSeconds: 0, expires: new Date(0) });
  }

  /**
   * Renders a template with the app's engine into an HTML response. Inline `<script>` and
   * `<style>` get this response's CSP nonce, and POST forms the CSRF field.
   *
   * @example return req.render('notes/list.html', { notes }, { status: 200 })
   */
  render(name: string, data: Readonly<Record<string, unknown>> = {}, init?: ResponseInit): HttpResponse {
    const engine = this.#host.templates;
    if (engine === null) {
      throw new RampartError('E_TEMPLATES_NOT_CONFIGURED', `req.render('${name}') needs a template engine, and the app has none.`, {
        hint: "Create the app with one: rampart({ templates: templates() }), templates from 'rampart/templates'.",
      });
    }
    const page = engine.render(name, data, {
      nonce: () => this.cspNonce,
      csrfToken: () => this.csrfToken(),
      urlFor: (route, params, query) => this.urlFor(route, params, query),
      request: Object.freeze({ method: this.method, path: this.path, url: this.url, host: this.host, query: this.query }),
    });
    return new HttpResponse(page, init);
  }

  /**
   * The CSRF token for forms on this page, or null when no CSRF layer provides one. The template
   * engine puts it in a hidden field of every POST form it renders.
   */
  csrfToken(): string | null {
    return this.#csrf === null ? null : this.#csrf();
  }

  /** Installs the CSRF token source for this request (called by the CSRF middleware). */
  setCsrfTokenProvider(provider: () => string | null): void {
    this.#csrf = provider;
  }

  /** A redirect response. @example return req.redirect(req.urlFor('note', { id }), 303) */
  redirect(location: string, status: RedirectStatus = 302): HttpResponse {
    return redirect(location, status);
  }

  /** The URL of a named route, with params percent-encoded. */
  urlFor(name: string, params?: Readonly<Record<string, string | number>>, query?: Readonly<Record<string, string>>): string {
    return this.#host.urlFor(name, params, query);
  }
}

function validRequestId(value: string): boolean {
  if (value.length === 0 || value.length > 128) return false;
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    const ok = (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 45 || c === 95 || c === 46 || c === 58;
    if (!ok) return false;
  }
  return true;
}
