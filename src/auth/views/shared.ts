/**
 * What the accounts views share: their resolved options, the URLs of the sibling views (worked out
 * from where the group is mounted), form reading and page rendering.
 *
 * @module
 */
import type { Context } from '../../http/context.js';
import type { HttpResponse } from '../../http/response.js';
import type { Database } from '../../db/index.js';
import type { Mailer, MailMessage } from '../../mail/index.js';
import { loginRedirectUrl } from '../guards.js';
import type { AuthUser } from '../models.js';
import type { PasswordHashers, PasswordValidator } from '../passwords/index.js';
import type { LoginThrottle } from '../throttle.js';

/** What `resetEmail` receives to write the password-reset message. */
export interface ResetEmailInfo {
  readonly user: AuthUser;
  /** The link to the set-new-password page. */
  readonly link: string;
  /** The host the request came to, e.g. `example.com`. */
  readonly host: string;
  /** How long the link works. */
  readonly expiresInMinutes: number;
}

/** @internal The options of `authRoutes()`, resolved. */
export interface ViewConfig {
  readonly db: Database;
  readonly mailer: Mailer;
  readonly hashers: PasswordHashers;
  readonly validators: readonly PasswordValidator[] | undefined;
  readonly throttle: LoginThrottle | null;
  readonly signup: boolean;
  readonly loginWithEmail: boolean;
  readonly loginRedirectUrl: string;
  readonly logoutRedirectUrl: string;
  readonly resetTokenMaxAgeSeconds: number;
  readonly secondFactorTimeoutSeconds: number;
  readonly totpIssuer: string | undefined;
  readonly now: () => number;
  readonly resetEmail: (info: ResetEmailInfo) => Pick<MailMessage, 'subject' | 'text' | 'html'>;
}

/** The paths of the views, relative to the group's mount point. */
export const PATHS = Object.freeze({
  login: '/login',
  loginVerify: '/login/verify',
  logout: '/logout',
  passwordChange: '/password/change',
  passwordChangeDone: '/password/change/done',
  passwordReset: '/password/reset',
  passwordResetSent: '/password/reset/sent',
  passwordResetConfirm: '/password/reset/confirm/:token',
  passwordResetComplete: '/password/reset/complete',
  signup: '/signup',
  twoFactor: '/two-factor',
  twoFactorDisable: '/two-factor/disable',
  sessions: '/sessions',
  sessionsLogoutOthers: '/sessions/logout-others',
});

export type ViewName = keyof typeof PATHS;
export type ViewUrls = { readonly [K in ViewName]: string };

/**
 * Where the group is mounted: the request path without the segments of the view's own path
 * ('/accounts/login' for '/login' gives '/accounts'). Taken from the path, not the route pattern,
 * so a prefix with parameters ('/:lang/accounts') gives the visitor's actual prefix.
 */
function mountPrefix(req: Context<unknown>, own: ViewName): string {
  const segments = PATHS[own].split('/').length - 1;
  let end = req.path.length;
  for (let i = 0; i < segments; i++) {
    end = req.path.lastIndexOf('/', end - 1);
    if (end <= 0) return '';
  }
  return req.path.slice(0, end);
}

/** The URLs of every view, for links and redirects between them. */
export function viewUrls(req: Context<unknown>, own: ViewName): ViewUrls {
  const prefix = mountPrefix(req, own);
  const out = {} as Record<ViewName, string>;
  for (const [name, path] of Object.entries(PATHS) as [ViewName, string][]) out[name] = prefix + path;
  return out;
}

/** Longest value read from a form field; longer ones are cut (passwords are checked by length first). */
const MAX_FIELD_CHARS = 8192;

/** One field of a submitted form, '' when absent. */
export function field(form: URLSearchParams, name: string): string {
  const v = form.get(name) ?? '';
  return v.length > MAX_FIELD_CHARS ? v.slice(0, MAX_FIELD_CHARS) : v;
}

/** Field errors, by field name, as lists of sentences. */
export type Errors = Record<string, string[]>;

/** Renders one of the accounts templates (`auth/<name>.html`). */
export function page(req: Context<unknown>, name: string, urls: ViewUrls, data: Readonly<Record<string, unknown>>, status = 200, headers?: Record<string, string>): HttpResponse {
  return req.render(`auth/${name}.html`, { urls, errors: {}, error: null, ...data }, { status, headers: headers ?? {} });
}

/**
 * The signed-in user, or the response that sends an anonymous visitor to log in first: to this
 * group's own login view, wherever it is mounted.
 */
export async function userOrLogin(req: Context<unknown>, own: ViewName): Promise<AuthUser | HttpResponse> {
  const user = await req.user;
  return user ?? req.redirect(loginRedirectUrl(req, viewUrls(req, own).login), 302);
}

/** The attributes the password validators compare a new password with. */
export function passwordUser(user: { username: string; email: string; first_name?: string; last_name?: string }): Record<string, string> {
  return { username: user.username, email: user.email, firstName: user.first_name ?? '', lastName: user.last_name ?? '' };
}

/** A "try again in" phrase for a wait in seconds. */
export function waitPhrase(seconds: number): string {
  if (seconds < 60) return `${seconds} second${seconds === 1 ? '' : 's'}`;
  const minutes = Math.ceil(seconds / 60);
  return `${minutes} minute${minutes === 1 ? '' : 's'}`;
}
