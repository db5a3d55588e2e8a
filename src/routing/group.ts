/**
 * Route groups (Flask's blueprints, Django's `include`): routes, middleware and error handlers
 * collected under no prefix, mounted under one with `app.mount(prefix, group)`. The app itself
 * is a group. Registration only records; the app compiles everything into one route table.
 *
 * @module
 */
import type { Context } from '../http/context.js';
import { RouteError } from '../http/errors.js';
import type { HttpResponse } from '../http/response.js';
import type { SecureHeadersOptions } from '../http/secure-headers.js';
import { parsePattern, type RouteParams } from './pattern.js';
import { ANY_METHOD, Router } from './router.js';

/** A route handler: receives the request, returns the response value (see `toResponse`). */
export type Handler<P = Record<string, string | number>> = (req: Context<P>) => unknown;

/** Calls the rest of the chain and resolves to its response, which middleware may change. */
export type Next = () => Promise<HttpResponse>;

/**
 * Middleware: runs before the handler, calls `next()` to continue, and may change or replace the
 * response after. Returning a value without calling `next()` answers the request early.
 *
 * @example
 * app.use(async (req, next) => { const res = await next(); res.header('x-took', '1ms'); return res })
 */
export type Middleware = (req: Context, next: Next) => unknown;

/**
 * Handles an error thrown by the routes of its group (and groups mounted inside it). Return a
 * response value to answer, or rethrow / return `undefined` to pass it on.
 *
 * @example
 * api.onError((err, req) => err instanceof HttpError ? undefined : json({ error: 'oops' }, { status: 500 }))
 */
export type ErrorHandler = (error: unknown, req: Context) => unknown;

/** Per-route options. */
export interface RouteOptions {
  /** Name for `urlFor()`; inside a named mount it is prefixed (`blog.post`). */
  name?: string;
  /** Security headers for this route, merged over the app's; `false` removes them. */
  headers?: SecureHeadersOptions | false;
  /**
   * `false` exempts this route from the CSRF check of `sessions()` / `csrf()` (webhooks signed
   * some other way). `rampart check --deploy` lists such routes. @default true
   */
  csrf?: boolean;
  /**
   * Middleware for this route only, run inside the group's (a guard for one page, like a
   * decorator on a Django view).
   *
   * @example app.get('/reports', { use: [requireStaff()] }, (req) => ...)
   */
  use?: readonly Middleware[];
}

export interface RouteDefinition {
  readonly method: string;
  readonly path: string;
  readonly options: RouteOptions;
  readonly handler: Handler<never>;
}

export interface MountDefinition {
  readonly prefix: string;
  readonly group: RouteGroup;
  readonly name: string | undefined;
}

/** HTTP methods with a registration shortcut. */
export const METHODS = Object.freeze(['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'] as const);

type RouteArgs<P extends string> = [handler: Handler<RouteParams<P>>] | [options: RouteOptions, handler: Handler<RouteParams<P>>];

/**
 * A set of routes with its own middleware and error handlers.
 *
 * @example
 * const api = group()
 * api.use(requireToken)
 * api.get('/users/:id<int>', (req) => ({ id: req.params.id }), )
 * app.mount('/api', api, { name: 'api' })
 */
export class RouteGroup {
  /** @internal */
  readonly routes: RouteDefinition[] = [];
  /** @internal */
  readonly middleware: Middleware[] = [];
  /** @internal */
  readonly errorHandlers: ErrorHandler[] = [];
  /** @internal */
  readonly mounts: MountDefinition[] = [];
  #onChange: (() => void) | undefined;
  readonly #validator = new Router<true>();

  /** @internal the app listens for changes so it recompiles its route table */
  set onChange(fn: (() => void) | undefined) {
    this.#onChange = fn;
  }

  protected changed(): void {
    this.#onChange?.();
  }


  /** Registers a route for `method` (`'*'` or `app.all` for any method). */
  route<P extends string>(method: string, path: P, ...args: RouteArgs<P>): this {
    const [options, handler] = args.length === 1 ? [{}, args[0]] : args;
    if (options.use !== undefined && (!Array.isArray(options.use) || options.use.some((m) => typeof m !== 'function'))) {
      throw new RouteError('E_MIDDLEWARE_INVALID', `Route ${method} ${path}: use takes an array of middleware functions: (req, next) => ...`);
    }
    if (typeof handler !== 'function') {
      throw new RouteError('E_ROUTE_HANDLER', `Route ${method} ${path} has no handler function.`);
    }
    const upper = method === ANY_METHOD ? method : method.toUpperCase();
    // Fail at registration, not at the first request: a malformed pattern, or a duplicate or
    // conflicting route within this group, throws here. Conflicts across mounted groups are
    // found when the app compiles its table (listen(), ready(), the test client).
    this.#validator.add(upper, parsePattern(path), true);
    this.routes.push({ method: upper, path, options, handler: handler as Handler<never> });
    this.changed();
    return this;
  }

  /** `GET` (and `HEAD`) route. @example app.get('/users/:id<int>', (req) => ({ id: req.params.id })) */
  get<P extends string>(path: P, ...args: RouteArgs<P>): this {
    return this.route('GET', path, ...args);
  }
  /** `POST` route. @example app.post('/notes', async (req) => { const f = await req.form(); ... }) */
  post<P extends string>(path: P, ...args: RouteArgs<P>): this {
    return this.route('POST', path, ...args);
  }
  /** `PUT` route. @example app.put('/notes/:id<int>', handler) */
  put<P extends string>(path: P, ...args: RouteArgs<P>): this {
    return this.route('PUT', path, ...args);
  }
  /** `PATCH` route. @example app.patch('/notes/:id<int>', handler) */
  patch<P extends string>(path: P, ...args: RouteArgs<P>): this {
    return this.route('PATCH', path, ...args);
  }
  /** `DELETE` route. @example app.delete('/notes/:id<int>', handler) */
  delete<P extends string>(path: P, ...args: RouteArgs<P>): this {
    return this.route('DELETE', path, ...args);
  }
  /** `OPTIONS` route (without one, OPTIONS is answered 204 with `Allow`). @example app.options('/x', handler) */
  options<P extends string>(path: P, ...args: RouteArgs<P>): this {
    return this.route('OPTIONS', path, ...args);
  }
  /** A route for every method. @example app.all('/webhook', handler) */
  all<P extends string>(path: P, ...args: RouteArgs<P>): this {
    return this.route(ANY_METHOD, path, ...args);
  }

  /** Adds middleware that runs, in order, around every route of this group. */
  use(...middleware: Middleware[]): this {
    for (const m of middleware) {
      if (typeof m !== 'function') throw new RouteError('E_MIDDLEWARE_INVALID', 'use() takes middleware functions: (req, next) => ...');
      this.middleware.push(m);
    }
    this.changed();
    return this;
  }

  /** Adds an error handler for this group's routes. */
  onError(handler: ErrorHandler): this {
    this.errorHandlers.push(handler);
    this.changed();
    return this;
  }

  /**
   * Mounts a group under a path prefix. With `name`, its route names become `name.route`.
   *
   * @example app.mount('/blog', blog, { name: 'blog' })
   */
  mount(prefix: string, group: RouteGroup, options: { name?: string } = {}): this {
    if (prefix !== '' && (!prefix.startsWith('/') || prefix.endsWith('/'))) {
      throw new RouteError('E_ROUTE_PATTERN_INVALID', `Mount prefix '${prefix}' must start with '/' and not end with '/'.`);
    }
    if (prefix !== '') parsePattern(prefix);
    if (group === (this as RouteGroup)) throw new RouteError('E_ROUTE_MOUNT_CYCLE', 'A group cannot be mounted inside itself.');
    this.mounts.push({ prefix, group, name: options.name });
    group.onChange = () => this.changed();
    this.changed();
    return this;
  }
}

/**
 * Creates a route group to mount under a prefix.
 *
 * @example
 * const admin = group().use(staffOnly)
 * admin.get('/', () => 'admin home')
 * app.mount('/admin', admin)
 */
export function group(): RouteGroup {
  return new RouteGroup();
}
