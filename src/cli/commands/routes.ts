/**
 * `rampart routes`: the route table with method, path, name, guards and CSRF state.
 *
 * @module
 */
import type { Command } from '../command.js';
import { table } from '../command.js';
import { appMiddleware, listRoutes } from '../route-list.js';

export const routesCommand: Command = {
  name: 'routes',
  summary: 'list the routes: method, path, name, guards, CSRF on/off',
  description: [
    'GUARDS lists the middleware of the groups a route is mounted in (requireLogin, requireStaff...);',
    'the app-wide middleware is listed above the table. CSRF is "on" for unsafe methods behind',
    'sessions() or csrf(), "off" for routes registered with csrf: false, "none" when no CSRF layer',
    'runs for the route, and "-" for GET/HEAD/OPTIONS, which are never checked.',
  ].join('\n'),
  options: {
    json: { type: 'boolean', help: 'print the routes as JSON' },
  },
  async run(ctx) {
    const { loaded } = await ctx.app();
    loaded.app.ready(); // a conflict between groups is reported here, as at startup
    const routes = listRoutes(loaded.app);
    if (ctx.values['json'] === true) {
      ctx.io.out(JSON.stringify(routes.map(({ headers: _h, ...r }) => ({ ...r, name: r.name ?? null })), null, 2));
      return 0;
    }
    const global = appMiddleware(loaded.app);
    ctx.io.out(`App middleware: ${global.length === 0 ? '(none)' : global.join(', ')}`);
    ctx.io.out('');
    ctx.io.out(
      table(
        ['METHOD', 'PATH', 'NAME', 'GUARDS', 'CSRF'],
        routes.map((r) => [r.method, r.path, r.name ?? '', r.guards.join(', '), r.csrf]),
      ),
    );
    return 0;
  },
};
