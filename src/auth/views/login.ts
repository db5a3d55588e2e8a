/**
 * Login (password, then the TOTP code when the user has one) and logout.
 *
 * Enumeration: an unknown username, a wrong password and an inactive account get the same page,
 * status and message, and the same work (a dummy hash is verified for an unknown user). Brute
 * force: failures are counted per account and per client address, and past the limit every
 * attempt gets 429 before the password is even checked, so a correct guess is not confirmed.
 *
 * @module
 */
import type { Context } from '../../http/context.js';
import type { HttpResponse } from '../../http/response.js';
import type { RouteGroup } from '../../routing/group.js';
import { login, logout } from '../middleware.js';
import { User, type AuthUser } from '../models.js';
import { safeRedirectPath } from '../safe-redirect.js';
import { sessionAuthHash, sessionAuthHashMatches } from '../session-hash.js';
import { verifySecondFactor } from '../two-factor.js';
import { findLoginUser } from '../users.js';
import { field, page, viewUrls, waitPhrase, type ViewConfig, type ViewUrls } from './shared.js';

export const INVALID_LOGIN = 'Please enter a correct username and password. Note that both fields may be case-sensitive.';
export const INVALID_CODE = 'Enter the 6-digit code from your authenticator app, or one of your recovery codes.';
const REQUIRED = 'This field is required.';

function throttled(req: Context<unknown>, template: string, urls: ViewUrls, data: Record<string, unknown>, wait: number): HttpResponse {
  return page(req, template, urls, { ...data, error: `Too many failed attempts. Try again in ${waitPhrase(wait)}.` }, 429, { 'retry-after': String(wait) });
}

/** The pending second-factor login of this session, when it is still usable. */
async function pendingUser(req: Context<unknown>, cfg: ViewConfig): Promise<{ user: AuthUser; next: string } | null> {
  const pending = req.session.get('auth.pending');
  if (typeof pending !== 'object' || pending === null || !Number.isSafeInteger(pending.id) || typeof pending.at !== 'number') return null;
  if (cfg.now() - pending.at > cfg.secondFactorTimeoutSeconds * 1000) return null;
  const user = await cfg.db.query(User).get(pending.id);
  // The password was changed (or the account closed) since it was typed: start again.
  if (user === undefined || !user.is_active || !user.totp_enabled || !sessionAuthHashMatches(pending.hash, user.password, req.settings.secretKey)) return null;
  return { user, next: safeRedirectPath(pending.next, cfg.loginRedirectUrl) };
}

export function loginViews(routes: RouteGroup, cfg: ViewConfig): void {
  routes.get('/login', { name: 'login' }, (req) => {
    const urls = viewUrls(req, 'login');
    const next = safeRedirectPath(req.query.get('next'), '');
    return page(req, 'login', urls, { username: '', next, signup: cfg.signup });
  });

  routes.post('/login', async (req) => {
    const urls = viewUrls(req, 'login');
    const form = await req.form();
    const identifier = field(form, 'username').trim();
    const password = field(form, 'password');
    const nextField = safeRedirectPath(field(form, 'next') || req.query.get('next'), '');
    const data = { username: identifier, next: nextField, signup: cfg.signup };
    if (identifier === '' || password === '') {
      const errors: Record<string, string[]> = {};
      if (identifier === '') errors['username'] = [REQUIRED];
      if (password === '') errors['password'] = [REQUIRED];
      return page(req, 'login', urls, { ...data, errors }, 422);
    }
    const wait = cfg.throttle === null ? 0 : await cfg.throttle.retryAfter(req, identifier);
    if (wait > 0) return throttled(req, 'login', urls, data, wait);

    const user = await findLoginUser(cfg.db, identifier, cfg.loginWithEmail);
    // Unknown user: verify() checks a dummy hash, so this takes as long as a wrong password.
    const check = await cfg.hashers.verify(password, user?.password);
    if (user === undefined || !check.valid || !user.is_active) {
      await cfg.throttle?.failed(req, identifier);
      return page(req, 'login', urls, { ...data, error: INVALID_LOGIN }, 422);
    }
    await cfg.throttle?.succeeded(identifier);
    if (check.needsRehash) {
      // The password is at hand: store it with the current algorithm and parameters.
      user.password = await cfg.hashers.hash(password);
      await cfg.db.query(User).filter({ id: user.id }).update({ password: user.password });
    }
    const next = nextField === '' ? cfg.loginRedirectUrl : nextField;
    if (!user.totp_enabled) {
      await login(req, user);
      return req.redirect(next, 303);
    }
    // Half-authenticated: the session names the user only as pending, and whoever was signed in on
    // it before is not any more.
    const session = req.session;
    if (session.userId !== null) session.clear();
    session.rotate();
    session.set('auth.pending', { id: user.id, hash: sessionAuthHash(user.password, req.settings.secretKey), at: cfg.now(), next });
    return req.redirect(urls.loginVerify, 303);
  });

  routes.get('/login/verify', { name: 'login_verify' }, async (req) => {
    const urls = viewUrls(req, 'loginVerify');
    const pending = await pendingUser(req, cfg);
    if (pending === null) return req.redirect(urls.login, 303);
    return page(req, 'login_verify', urls, {});
  });

  routes.post('/login/verify', async (req) => {
    const urls = viewUrls(req, 'loginVerify');
    const pending = await pendingUser(req, cfg);
    if (pending === null) {
      req.session.delete('auth.pending');
      return req.redirect(urls.login, 303);
    }
    const { user, next } = pending;
    const code = field(await req.form(), 'code').trim();
    if (code === '') return page(req, 'login_verify', urls, { errors: { code: [REQUIRED] } }, 422);
    // Six digits are guessable without a limit: the code has its own counter per account.
    const subject = `totp:${user.id}`;
    const wait = cfg.throttle === null ? 0 : await cfg.throttle.retryAfter(req, subject);
    if (wait > 0) return throttled(req, 'login_verify', urls, {}, wait);
    const result = await verifySecondFactor(cfg.db, user, code, req.settings.secretKey, cfg.now());
    if (!result.valid) {
      await cfg.throttle?.failed(req, subject);
      return page(req, 'login_verify', urls, { error: INVALID_CODE }, 422);
    }
    await cfg.throttle?.succeeded(subject);
    await login(req, user);
    return req.redirect(next, 303);
  });

  // POST only: a GET that logs out lets any page log visitors out with an <img> tag.
  routes.post('/logout', { name: 'logout' }, async (req) => {
    const form = await req.form().catch(() => new URLSearchParams());
    const next = safeRedirectPath(field(form, 'next') || req.query.get('next'), cfg.logoutRedirectUrl);
    logout(req);
    return req.redirect(next, 303);
  });
}
