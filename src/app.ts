/**
 * The application: route registration (inherited from `RouteGroup`), compilation into one route
 * table, and the request pipeline.
 *
 * Pipeline per request (docs/lifecycle.md has the diagram):
 *   host check (400) → path check (400) → HTTPS redirect (308) → route match (404/405/308 slash)
 *   → app middleware → group middleware → handler → response with security headers.
 *
 * @module
 */
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import { buildChain, type Chain, type Layer } from './http/compose.js';
import { Context, type ContextHost, type RouteInfo } from './http/context.js';
import { errorResponse } from './http/error-page.js';
import { HttpError, RouteError } from './http/errors.js';
import { hostMatcher } from './http/hosts.js';
import { createLogger } from './http/logger.js';
import { compileTrust, lastListValue, type ProxyTrust } from './http/proxy.js';
import { HttpResponse, redirect } from './http/response.js';
import { buildHeaderSet, mergeHeaderOptions, type HeaderSet } from './http/secure-headers.js';
import { sendResponse, sendValue } from './http/send.js';
import type { TemplateEngine } from './http/template-engine.js';
import { listen, type ListenOptions, type RunningServer } from './http/server.js';
import { RouteGroup, type Handler, type RouteOptions } from './routing/group.js';
import { joinPaths, parsePattern, type ParsedPattern } from './routing/pattern.js';
import { MalformedPathError, Router } from './routing/router.js';
import { buildUrl } from './routing/url-for.js';
import { resolveSettings, type ResolvedSettings, type Settings } from './settings.js';

interface CompiledRoute {
  readonly handler: Handler<never>;
  readonly chain: Chain | null;
  readonly headers: HeaderSet;
  readonly info: RouteInfo;
}

interface Compiled {
  readonly router: Router<CompiledRoute>;
  readonly names: ReadonlyMap<string, ParsedPattern>;
  /** App-level middleware and error handlers around 404/405 responses. */
  readonly fallback: Chain | null;
}

const FALLBACK_ERROR = Symbol('rampart.fallbackError');
type WithFallback = Context & { [FALLBACK_ERROR]?: HttpError };

/**
 * A Rampart application. Create one with `rampart()`.
 *
 * @example
 * const app = rampart()
 * app.get('/', () => 'Hello, World!')
 * await app.listen()
 */
export class App extends RouteGroup implements ContextHost {
  readonly settings: ResolvedSettings;
  readonly logger: Logger;
  readonly trust: ProxyTrust;
  readonly templates: TemplateEngine | null;
  readonly #checkHost: (value: string | undefined) => string | null;
  readonly #trustsAnyone: boolean;
  readonly #appHeaders: HeaderSet;
  #compiled: Compiled | null = null;
  #closing = false;
  readonly #closeHooks: (() => unknown)[] = [];

  constructor(settings: Settings = {}) {
    super();
    this.settings = resolveSettings(settings);
    this.logger = createLogger(this.settings.logLevel, this.settings.logStream);
    this.trust = compileTrust(this.settings.trustedProxies);
    this.templates = settings.templates ?? null;
    this.templates?.useWarningSink?.((message) => this.logger.warn({ event: 'template.warning' }, message));
    this.#trustsAnyone = this.settings.trustedProxies.length > 0;
    this.#checkHost = hostMatcher(this.settings.allowedHosts);
    this.#appHeaders = buildHeaderSet(this.settings.headers, this.settings);
    // The route table is rebuilt lazily after a registration (rebuilding on each one would make
    // startup quadratic in the number of routes); ready(), listen() and the first request build it.
    this.onChange = () => {
      this.#compiled = null;
    };
  }

  /** @internal set by the server during shutdown, so responses carry `Connection: close`. */
  set closing(value: boolean) {
    this.#closing = value;
  }

  /**
   * Registers a function run once at shutdown, after the last in-flight response: close database
   * pools, Redis clients and the like. Hooks run newest first, like a stack of resources.
   *
   * @example app.onClose(() => db.close())
   */
  onClose(hook: () => unknown): this {
    this.#closeHooks.push(hook);
    return this;
  }

  /** @internal runs the close hooks once; `listen()`'s close and `app.close()` call it. */
  async runCloseHooks(): Promise<void> {
    const hooks = this.#closeHooks.splice(0).reverse();
    for (const hook of hooks) await hook();
  }

  /**
   * Runs the close hooks without a server (tests, scripts, the CLI). A server from `listen()` runs
   * them itself when it closes.
   *
   * @example await app.close()
   */
  close(): Promise<void> {
    return this.runCloseHooks();
  }

  /**
   * Builds the route table now and throws any error in it (a route conflicting with one in
   * another group, a duplicate route name). `listen()` and `testClient()` call it.
   *
   * @example app.ready() // throws RouteError E_ROUTE_CONFLICT if two groups disagree
   */
  ready(): this {
    this.#compile();
    return this;
  }

  /**
   * The path of a named route, params percent-encoded.
   *
   * @example app.urlFor('post', { id: 7 }, { page: '2' }) // '/posts/7?page=2'
   */
  urlFor(name: string, params?: Readonly<Record<string, string | number>>, query?: Readonly<Record<string, string>>): string {
    return buildUrl(this.#compile().names, name, params, query);
  }

  /** Every route as `{ method, pattern, name }`, for `rampart routes` and tests. */
  routeTable(): { method: string; pattern: string; name: string | undefined }[] {
    const out: { method: string; pattern: string; name: string | undefined }[] = [];
    this.#walk(this, '', '', [], (method, pattern, name) => out.push({ method, pattern, name }));
    return out;
  }

  /**
   * The `(req, res)` listener for `node:http` / `node:https` servers you create yourself.
   *
   * @example http.createServer(app.handler).listen(8000)
   */
  readonly handler = (raw: IncomingMessage, res: ServerResponse): void => {
    this.#handle(raw, res);
  };

  /**
   * Starts an HTTP server (HTTPS with `tls`) on `PORT`/`HOST` (127.0.0.1:8000 by default), with
   * the timeouts and header limits from the settings, and graceful shutdown on SIGTERM/SIGINT.
   *
   * @example const server = await app.listen({ port: 0 })
   */
  async listen(options: ListenOptions = {}): Promise<RunningServer> {
    this.#compile();
    // A broken template stops a production start, not the first visitor who opens that page.
    if (this.settings.env === 'production') this.templates?.precompile?.();
    return listen(this, options);
  }

  #compile(): Compiled {
    if (this.#compiled !== null) return this.#compiled;
    const router = new Router<CompiledRoute>();
    const names = new Map<string, ParsedPattern>();
    const headerCache = new Map<unknown, HeaderSet>();
    this.#walk(this, '', '', [], (method, pattern, name, route, layers) => {
      const parsed = parsePattern(pattern);
      let headers = this.#appHeaders;
      if (route.options.headers !== undefined) {
        headers = headerCache.get(route.options.headers) ?? buildHeaderSet(mergeHeaderOptions(this.settings.headers, route.options.headers), this.settings);
        headerCache.set(route.options.headers, headers);
      }
      if (name !== undefined) {
        const existing = names.get(name);
        if (existing !== undefined && existing.pattern !== pattern) {
          throw new RouteError('E_ROUTE_NAME_DUPLICATE', `Route name '${name}' is used by both ${existing.pattern} and ${pattern}.`);
        }
        names.set(name, parsed);
      }
      const handler = route.handler as Chain;
      router.add(method, parsed, { handler: route.handler, chain: buildChain(route.options.use === undefined || route.options.use.length === 0 ? layers : [...layers, { middleware: route.options.use, errorHandlers: [] }], handler), headers, info: route.options.csrf === false ? { pattern, name, csrf: false } : { pattern, name } });
    });
    const fallback = buildChain([{ middleware: this.middleware, errorHandlers: this.errorHandlers }], (req) => {
      throw (req as WithFallback)[FALLBACK_ERROR];
    });
    this.#compiled = { router, names, fallback };
    return this.#compiled;
  }

  #walk(
    group: RouteGroup,
    prefix: string,
    namePrefix: string,
    outer: readonly Layer[],
    visit: (method: string, pattern: string, name: string | undefined, route: { options: RouteOptions; handler: Handler<never> }, layers: readonly Layer[]) => void,
    seen: Set<RouteGroup> = new Set(),
  ): void {
    if (seen.has(group)) throw new RouteError('E_ROUTE_MOUNT_CYCLE', 'A route group is mounted inside itself.');
    seen.add(group);
    const layers = [...outer, { middleware: group.middleware, errorHandlers: group.errorHandlers }];
    for (const r of group.routes) {
      const pattern = joinPaths(prefix, r.path);
      visit(r.method, pattern, r.options.name === undefined ? undefined : namePrefix + r.options.name, r, layers);
    }
    for (const m of group.mounts) {
      this.#walk(m.group, prefix + m.prefix, m.name === undefined ? namePrefix : `${namePrefix}${m.name}.`, layers, visit, seen);
    }
    seen.delete(group);
  }

  #handle(raw: IncomingMessage, res: ServerResponse): void {
    let compiled = this.#compiled;
    if (compiled === null) {
      try {
        compiled = this.#compile();
      } catch (err) {
        // Routes registered after ready()/listen() conflict: answer 500 rather than crash the process.
        this.logger.error({ err }, 'the route table could not be built');
        res.writeHead(500, ['content-type', 'text/plain; charset=utf-8', 'x-content-type-options', 'nosniff']);
        res.end('Internal Server Error');
        return;
      }
    }
    const headers = raw.headers;
    let hostValue = headers.host;
    if (this.#trustsAnyone && headers['x-forwarded-host'] !== undefined && this.trust(raw.socket.remoteAddress ?? '')) {
      hostValue = lastListValue(headers['x-forwarded-host']);
    }
    const host = this.#checkHost(hostValue);
    const url = raw.url ?? '/';
    const q = url.indexOf('?');
    const path = q === -1 ? url : url.slice(0, q);
    const req = new Context(this, raw, path, q, host ?? '', {});
    if (this.settings.logRequests) this.#logOnFinish(req, res);
    if (host === null) {
      req.log.warn({ event: 'security.disallowed_host', host: String(hostValue).slice(0, 200), ip: req.ip }, 'request refused: Host not in ALLOWED_HOSTS');
      return this.#fail(req, res, this.#appHeaders, new HttpError(400, 'Invalid Host header.', { code: 'E_HOST_INVALID' }), false);
    }
    if (path.charCodeAt(0) !== 47 || path.indexOf('%00') !== -1 || path.indexOf('\0') !== -1) {
      return this.#fail(req, res, this.#appHeaders, new HttpError(400, 'The request path is malformed.', { code: 'E_PATH_MALFORMED' }), false);
    }
    let match;
    try {
      match = compiled.router.match(req.method, path);
    } catch (err) {
      if (!(err instanceof MalformedPathError)) throw err;
      return this.#fail(req, res, this.#appHeaders, new HttpError(400, 'The request path has malformed percent-encoding.', { code: 'E_PATH_MALFORMED' }), false);
    }
    if (this.settings.https && req.protocol === 'http') {
      return sendResponse(req, res, this.#appHeaders, redirect(`https://${hostValue}${url}`, 308), this.#closing);
    }
    if (!match.found) return this.#notFound(req, res, compiled, match.allow);
    const route = match.value;
    req.params = match.params;
    req.route = route.info;
    const set = route.headers;
    let out: unknown;
    try {
      out = route.chain === null ? route.handler(req as never) : route.chain(req);
    } catch (err) {
      return this.#fail(req, res, set, err, true);
    }
    if (out instanceof Promise) {
      out.then(
        (value: unknown) => this.#send(req, res, set, value),
        (err: unknown) => this.#fail(req, res, set, err, true),
      );
    } else this.#send(req, res, set, out);
  }

  #send(req: Context, res: ServerResponse, set: HeaderSet, value: unknown): void {
    try {
      sendValue(req, res, set, value, this.#closing);
    } catch (err) {
      this.#fail(req, res, set, err, true);
    }
  }

  #notFound(req: Context, res: ServerResponse, compiled: Compiled, allow: string | null): void {
    const method = req.method;
    if (allow === null && (method === 'GET' || method === 'HEAD')) {
      // Trailing slash: redirect to the registered form, never to a protocol-relative '//host'.
      const alt = req.path.endsWith('/') ? req.path.slice(0, -1) : req.path + '/';
      if (alt !== '' && !alt.startsWith('//') && compiled.router.match(method, alt).found) {
        const q = req.url.indexOf('?');
        return sendResponse(req, res, this.#appHeaders, redirect(alt + (q === -1 ? '' : req.url.slice(q)), 308), this.#closing);
      }
    }
    if (allow !== null && method === 'OPTIONS') {
      return sendResponse(req, res, this.#appHeaders, new HttpResponse(null, { status: 204, headers: { allow } }), this.#closing);
    }
    const error =
      allow === null
        ? new HttpError(404, `No route for ${req.path.length > 200 ? req.path.slice(0, 200) + '…' : req.path}.`, { code: 'E_HTTP_NOT_FOUND' })
        : new HttpError(405, `${method} is not allowed here; allowed: ${allow}.`, { code: 'E_HTTP_METHOD_NOT_ALLOWED', headers: { allow } });
    if (compiled.fallback === null) return this.#fail(req, res, this.#appHeaders, error, false);
    (req as WithFallback)[FALLBACK_ERROR] = error;
    Promise.resolve()
      .then(() => compiled.fallback!(req))
      .then(
        (value) => this.#send(req, res, this.#appHeaders, value),
        (err: unknown) => this.#fail(req, res, this.#appHeaders, err, false),
      );
  }

  #fail(req: Context, res: ServerResponse, set: HeaderSet, err: unknown, fromHandler: boolean): void {
    const status = err instanceof HttpError ? err.status : 500;
    if (status >= 500) {
      req.log.error(
        { err, req: { method: req.method, url: req.url.slice(0, 2048), headers: req.headers } },
        fromHandler ? 'handler failed' : 'request failed',
      );
    }
    if (res.headersSent) {
      res.destroy();
      return;
    }
    // The error page is a fresh response: cookies the failed handler queued are not sent.
    req.setCookies = null;
    try {
      const showDetails = this.settings.debug && req.isLoopback;
      sendResponse(req, res, set, errorResponse(req, err, showDetails), this.#closing);
    } catch (inner) {
      req.log.error({ err: inner }, 'error page failed');
      if (!res.headersSent) res.writeHead(500, ['content-type', 'text/plain; charset=utf-8', 'x-content-type-options', 'nosniff']);
      res.end('Internal Server Error');
    }
  }

  #logOnFinish(req: Context, res: ServerResponse): void {
    const start = performance.now();
    res.once('close', () => {
      const ms = Math.round((performance.now() - start) * 100) / 100;
      const line = { reqId: req.id, method: req.method, path: req.path.slice(0, 2048), status: res.statusCode, ms };
      if (res.writableEnded) this.logger.info(line, 'request');
      else this.logger.warn(line, 'request aborted by the client');
    });
  }
}

/**
 * Creates an app with every security default on.
 *
 * @example
 * import { rampart } from 'rampart'
 * const app = rampart()
 * app.get('/', () => 'Hello, World!')
 * await app.listen()
 */
export function rampart(settings?: Settings): App {
  return new App(settings);
}

export type { Server };
