/**
 * The signed-in user's sessions: a list (this device marked), and "log out everywhere else".
 *
 * @module
 */
import { HttpResponse } from '../../http/response.js';
import type { RouteGroup } from '../../routing/group.js';
import { SessionError } from '../../sessions/errors.js';
import type { SessionSummary } from '../../sessions/session.js';
import { page, userOrLogin, viewUrls, type ViewConfig } from './shared.js';

export function sessionViews(routes: RouteGroup, _cfg: ViewConfig): void {
  routes.get('/sessions', { name: 'sessions' }, async (req) => {
    const user = await userOrLogin(req, 'sessions');
    if (user instanceof HttpResponse) return user;
    let sessions: SessionSummary[] = [];
    let supported = true;
    try {
      sessions = await req.session.userSessions();
    } catch (err) {
      // The cookie store keeps no list on the server.
      if (!(err instanceof SessionError)) throw err;
      supported = false;
    }
    return page(req, 'sessions', viewUrls(req, 'sessions'), { user, sessions, supported });
  });

  routes.post('/sessions/logout-others', { name: 'sessions_logout_others' }, async (req) => {
    const user = await userOrLogin(req, 'sessionsLogoutOthers');
    if (user instanceof HttpResponse) return user;
    const urls = viewUrls(req, 'sessionsLogoutOthers');
    try {
      await req.session.destroyUserSessions();
    } catch (err) {
      if (!(err instanceof SessionError)) throw err;
      return page(req, 'sessions', urls, { user, sessions: [], supported: false, error: 'This site keeps sessions in cookies and cannot end them one by one. Change your password to log out everywhere.' }, 409);
    }
    return req.redirect(urls.sessions, 303);
  });
}
