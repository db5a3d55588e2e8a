/**
 * Helpers the page routes share.
 *
 * @module
 */
import type { Context, HttpResponse, ResponseInit } from 'rampart';
import { LoginRequiredError, type AuthUser } from 'rampart/auth';

/**
 * Renders a page with the signed-in user (or null) in its data, for the layout's navigation.
 *
 * @example return renderPage(req, 'posts/list.html', { posts })
 */
export async function renderPage(req: Context<unknown>, name: string, data: Readonly<Record<string, unknown>> = {}, init?: ResponseInit): Promise<HttpResponse> {
  return req.render(name, { user: await req.user, ...data }, init);
}

/**
 * The signed-in user. Behind `requireLogin()` there always is one; elsewhere (the API) an
 * anonymous request gets a 401.
 *
 * @example const user = await signedInUser(req)
 */
export async function signedInUser(req: Context<unknown>): Promise<AuthUser> {
  const user = await req.user;
  if (user === null) throw new LoginRequiredError();
  return user;
}
