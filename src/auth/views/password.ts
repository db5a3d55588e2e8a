/**
 * Password change (signed in, knows the old password) and password reset (by a link sent by
 * email). The reset pages send `Referrer-Policy: no-referrer`: the token is in the URL, and a link
 * or resource on the page must not carry it to another site.
 *
 * @module
 */
import type { Context } from '../../http/context.js';
import { HttpResponse } from '../../http/response.js';
import type { RouteGroup } from '../../routing/group.js';
import { sql } from 'kysely';
import { requestOrigin } from '../../security/origin.js';
import { SessionError } from '../../sessions/errors.js';
import { refreshSessionAuth } from '../middleware.js';
import { User, type AuthUser } from '../models.js';
import { isPasswordUsable, validatePassword } from '../passwords/index.js';
import { checkPasswordResetToken, makePasswordResetToken } from '../reset-tokens.js';
import { setPassword } from '../users.js';
import { field, page, passwordUser, userOrLogin, viewUrls, waitPhrase, type Errors, type ViewConfig } from './shared.js';

const MISMATCH = 'The two password fields didn’t match.';
const OLD_WRONG = 'Your old password was entered incorrectly. Please enter it again.';
const REQUIRED = 'This field is required.';
const BAD_EMAIL = 'Enter a valid email address.';
const NO_REFERRER = { headers: { referrerPolicy: 'no-referrer' } } as const;
const EMAIL_SHAPE = /^[^\s@]+@[^\s@]+$/;

/** Checks the two new-password fields; adds errors. */
function newPasswordErrors(cfg: ViewConfig, form: URLSearchParams, user: AuthUser, errors: Errors): string {
  const p1 = field(form, 'new_password1');
  const p2 = field(form, 'new_password2');
  if (p1 === '') errors['new_password1'] = [REQUIRED];
  if (p2 === '') errors['new_password2'] = [REQUIRED];
  else if (p1 !== p2) errors['new_password2'] = [MISMATCH];
  else {
    const problems = validatePassword(p1, passwordUser(user), cfg.validators);
    if (problems.length > 0) errors['new_password2'] = problems;
  }
  return p1;
}

/** The default reset message; `authRoutes({ resetEmail })` replaces it. */
export function defaultResetEmail(info: { user: AuthUser; link: string; host: string; expiresInMinutes: number }): { subject: string; text: string } {
  return {
    subject: `Password reset on ${info.host}`,
    text:
      `You are receiving this email because someone asked to reset the password of the account "${info.user.username}" on ${info.host}.\n\n` +
      `To choose a new password, open this link:\n\n${info.link}\n\n` +
      `The link works once, within ${info.expiresInMinutes} minutes. If you did not ask for this, ignore this email: your password stays as it is.\n`,
  };
}

async function usersByEmail(cfg: ViewConfig, email: string): Promise<AuthUser[]> {
  const raw = await sql<Record<string, unknown>>`select * from ${sql.table(User.table)} where lower(${sql.ref('email')}) = ${email.toLowerCase()} limit 10`.execute(cfg.db.kysely);
  // Accounts without a usable password (invited, single sign-on) cannot get one by email.
  return cfg.db.rows(User, raw.rows).filter((u) => u.is_active && isPasswordUsable(u.password));
}

export function passwordViews(routes: RouteGroup, cfg: ViewConfig): void {
  routes.get('/password/change', { name: 'password_change' }, async (req) => {
    const user = await userOrLogin(req, 'passwordChange');
    if (user instanceof HttpResponse) return user;
    return page(req, 'password_change', viewUrls(req, 'passwordChange'), { user });
  });

  routes.post('/password/change', async (req) => {
    const urls = viewUrls(req, 'passwordChange');
    const user = await userOrLogin(req, 'passwordChange');
    if (user instanceof HttpResponse) return user;
    // Someone with a stolen session could guess the password here: the login counters apply.
    const wait = cfg.throttle === null ? 0 : await cfg.throttle.retryAfter(req, user.username);
    if (wait > 0) {
      return page(req, 'password_change', urls, { user, error: `Too many failed attempts. Try again in ${waitPhrase(wait)}.` }, 429, { 'retry-after': String(wait) });
    }
    const form = await req.form();
    const errors: Errors = {};
    const old = field(form, 'old_password');
    const check = old === '' ? null : await cfg.hashers.verify(old, user.password);
    if (old === '') errors['old_password'] = [REQUIRED];
    else if (check?.valid !== true) {
      errors['old_password'] = [OLD_WRONG];
      await cfg.throttle?.failed(req, user.username);
    }
    const password = newPasswordErrors(cfg, form, user, errors);
    if (Object.keys(errors).length > 0) return page(req, 'password_change', urls, { user, errors }, 422);
    await setPassword(cfg.db, user, password, { hashers: cfg.hashers });
    try {
      await req.session.destroyUserSessions();
    } catch (err) {
      // The cookie store keeps no list of sessions; the new password hash ends them anyway.
      if (!(err instanceof SessionError)) throw err;
    }
    refreshSessionAuth(req, user);
    return req.redirect(urls.passwordChangeDone, 303);
  });

  routes.get('/password/change/done', { name: 'password_change_done' }, async (req) => {
    const user = await userOrLogin(req, 'passwordChangeDone');
    if (user instanceof HttpResponse) return user;
    return page(req, 'password_change_done', viewUrls(req, 'passwordChangeDone'), { user });
  });

  routes.get('/password/reset', { name: 'password_reset', ...NO_REFERRER }, (req) => page(req, 'password_reset', viewUrls(req, 'passwordReset'), { email: '' }));

  routes.post('/password/reset', NO_REFERRER, async (req) => {
    const urls = viewUrls(req, 'passwordReset');
    const email = field(await req.form(), 'email').trim();
    if (email === '' || email.length > 254 || !EMAIL_SHAPE.test(email)) {
      return page(req, 'password_reset', urls, { email, errors: { email: [email === '' ? REQUIRED : BAD_EMAIL] } }, 422);
    }
    // Same answer whether or not an account has this address (enumeration), and the mail goes out
    // after the response, so a slow mail server does not tell either.
    const users = await usersByEmail(cfg, email);
    // Mail bombing: a few reset mails per address per window, then silence (same answer).
    const allowed = users.length > 0 && (cfg.throttle === null || (await cfg.throttle.allow(`reset:${email.toLowerCase()}`)));
    if (allowed) sendResetMails(req, cfg, users, urls.passwordResetConfirm);
    return req.redirect(urls.passwordResetSent, 303);
  });

  routes.get('/password/reset/sent', { name: 'password_reset_sent', ...NO_REFERRER }, (req) => page(req, 'password_reset_sent', viewUrls(req, 'passwordResetSent'), {}));

  const confirm = async (req: Context<{ token: string }>, user: AuthUser | null, data: Record<string, unknown>, status = 200): Promise<HttpResponse> => {
    const urls = viewUrls(req as Context<unknown>, 'passwordResetConfirm');
    if (user === null) return page(req as Context<unknown>, 'password_reset_confirm', urls, { validlink: false }, 400);
    return page(req as Context<unknown>, 'password_reset_confirm', urls, { validlink: true, ...data }, status);
  };
  const tokenUser = (req: Context<{ token: string }>): Promise<AuthUser | null> =>
    checkPasswordResetToken(cfg.db, req.params.token, req.settings.secretKey, { maxAgeSeconds: cfg.resetTokenMaxAgeSeconds, now: cfg.now() });

  routes.get('/password/reset/confirm/:token', { name: 'password_reset_confirm', ...NO_REFERRER }, async (req) => confirm(req, await tokenUser(req), {}));

  routes.post('/password/reset/confirm/:token', NO_REFERRER, async (req) => {
    const user = await tokenUser(req);
    if (user === null) return confirm(req, null, {});
    const errors: Errors = {};
    const password = newPasswordErrors(cfg, await req.form(), user, errors);
    if (Object.keys(errors).length > 0) return confirm(req, user, { errors }, 422);
    // The new hash voids this token (it is in the HMAC) and every session of the user.
    await setPassword(cfg.db, user, password, { hashers: cfg.hashers });
    await cfg.throttle?.succeeded(user.username);
    return req.redirect(viewUrls(req as Context<unknown>, 'passwordResetConfirm').passwordResetComplete, 303);
  });

  routes.get('/password/reset/complete', { name: 'password_reset_complete', ...NO_REFERRER }, (req) =>
    page(req, 'password_reset_complete', viewUrls(req, 'passwordResetComplete'), {}),
  );
}

function sendResetMails(req: Context<unknown>, cfg: ViewConfig, users: readonly AuthUser[], confirmPattern: string): void {
  const origin = requestOrigin(req) ?? `${req.protocol}://${req.host}`;
  const log = req.log;
  const now = cfg.now();
  const messages = users.map((user) => {
    const link = origin + confirmPattern.replace(':token', makePasswordResetToken(user, req.settings.secretKey, now));
    return { to: user.email, ...cfg.resetEmail({ user, link, host: req.host, expiresInMinutes: Math.round(cfg.resetTokenMaxAgeSeconds / 60) }) };
  });
  void (async () => {
    for (const message of messages) await cfg.mailer.send(message);
  })().catch((err: unknown) => log.error({ err }, 'password reset email could not be sent'));
}
