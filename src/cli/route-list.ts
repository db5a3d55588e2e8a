/**
 * Every route of an app with what protects it: the middleware of the groups it sits in (guards
 * such as `requireLogin`), and whether the CSRF check applies. Used by `rampart routes` and
 * `rampart check`.
 *
 * @module
 */
import type { App } from '../app.js';
import type { Middleware, RouteGroup, RouteOptions } from '../routing/group.js';
import { joinPaths } from '../routing/pattern.js';

/** Middleware names that run the CSRF check (`sessions()` and `csrf()` return functions of these names). */
export const CSRF_MIDDLEWARE_NAMES: ReadonlySet<string> = new Set(['sessions', 'csrf']);

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS', 'TRACE']);

/** One route, as `rampart routes` shows it. */
export interface RouteEntry {
  /** `GET`, `POST`… or `ANY` for `app.all()`. */
  readonly method: string;
  readonly path: string;
  readonly name: string | undefined;
  /** Names of the middleware of the groups the route is mounted in (not the app's own). */
  readonly guards: readonly string[];
  /**
   * `on`: unsafe method with a CSRF layer; `off`: exempted with `csrf: false`; `none`: unsafe
   * method and no `sessions()`/`csrf()` layer around it; `-`: a safe method, never checked.
   */
  readonly csrf: 'on' | 'off' | 'none' | '-';
  /** The route's own header options (`false` when it turned the security headers off). */
  readonly headers: RouteOptions['headers'];
}

/** A middleware's name for display: its function name, or `(anonymous)`. */
export function middlewareName(m: Middleware): string {
  return m.name === '' ? '(anonymous)' : m.name;
}

/** Every route of the app, in registration order, mounted groups after the routes of their parent. */
export function listRoutes(app: App): RouteEntry[] {
  const out: RouteEntry[] = [];
  const visit = (group: RouteGroup, prefix: string, namePrefix: string, guards: readonly string[], csrfLayer: boolean, seen: Set<RouteGroup>): void => {
    if (seen.has(group)) return; // a cycle: the app itself refuses it when it compiles
    seen.add(group);
    const isApp = group === (app as RouteGroup);
    const here = isApp ? guards : [...guards, ...group.middleware.map(middlewareName)];
    const layer = csrfLayer || group.middleware.some((m) => CSRF_MIDDLEWARE_NAMES.has(m.name));
    for (const r of group.routes) {
      const method = r.method === '*' ? 'ANY' : r.method;
      const routeLayer = layer || (r.options.use ?? []).some((m) => CSRF_MIDDLEWARE_NAMES.has(m.name));
      const csrf = SAFE_METHODS.has(method) ? '-' : r.options.csrf === false ? 'off' : routeLayer ? 'on' : 'none';
      out.push({
        method,
        path: joinPaths(prefix, r.path),
        name: r.options.name === undefined ? undefined : namePrefix + r.options.name,
        guards: r.options.use === undefined ? here : [...here, ...r.options.use.map(middlewareName)],
        csrf,
        headers: r.options.headers,
      });
    }
    for (const m of group.mounts) visit(m.group, prefix + m.prefix, m.name === undefined ? namePrefix : `${namePrefix}${m.name}.`, here, layer, seen);
    seen.delete(group);
  };
  visit(app, '', '', [], false, new Set());
  return out;
}

/** Names of the app's own middleware (they run for every route). */
export function appMiddleware(app: App): string[] {
  return app.middleware.map(middlewareName);
}

/** Whether a function of one of `names` is used as middleware anywhere in the app. */
export function usesMiddleware(app: App, names: ReadonlySet<string>): boolean {
  const seen = new Set<RouteGroup>();
  const visit = (g: RouteGroup): boolean => {
    if (seen.has(g)) return false;
    seen.add(g);
    return g.middleware.some((m) => names.has(m.name)) || g.mounts.some((m) => visit(m.group));
  };
  return visit(app);
}
