/**
 * `authRoutes()`: the accounts views as a route group to mount, with templates an app can
 * override.
 *
 * @module
 */
import { fileURLToPath } from 'node:url';
import type { Database } from '../../db/index.js';
import { mailerFromEnv, type Mailer, type MailMessage } from '../../mail/index.js';
import { group, type RouteGroup } from '../../routing/group.js';
import { AUTH_DEFAULTS } from '../defaults.js';
import { untyped, type Models } from '../database.js';
import { AuthError } from '../errors.js';
import type { PasswordHashers, PasswordValidator } from '../passwords/index.js';
import { LoginThrottle, type LoginThrottleOptions } from '../throttle.js';
import { defaultHashers } from '../users.js';
import { loginViews } from './login.js';
import { defaultResetEmail, passwordViews } from './password.js';
import { sessionViews } from './sessions.js';
import type { ResetEmailInfo, ViewConfig } from './shared.js';
import { signupViews } from './signup.js';
import { twoFactorViews } from './two-factor.js';

/**
 * The folder of the default templates (`auth/login.html`…). Put it after your own folders, and
 * a file of yours at the same name (`templates/auth/login.html`) replaces the default.
 *
 * @example templates({ folders: [fileURLToPath(new URL('./templates', import.meta.url)), AUTH_TEMPLATES] })
 */
export const AUTH_TEMPLATES = fileURLToPath(new URL('../templates', import.meta.url));

/** Options of `authRoutes()`. */
export interface AuthRoutesOptions<MS extends Models = Models> {
  /** The database with the `authModels` tables. */
  db: Database<MS>;
  /** Sends the password-reset mail. @default mailerFromEnv() (the console in development) */
  mailer?: Mailer;
  /** @default passwordHashers() */
  hashers?: PasswordHashers;
  /** Rules for new passwords (change, reset, signup). @default DEFAULT_PASSWORD_VALIDATORS */
  passwordValidators?: readonly PasswordValidator[];
  /**
   * Login throttling: options, a `LoginThrottle`, or `false` to turn it off (not advisable).
   * @default { maxFailures: 5, maxFailuresPerAddress: 5, windowSeconds: 900 } in memory
   */
  throttle?: LoginThrottleOptions | LoginThrottle | false;
  /** Let visitors create accounts at `/signup`. @default false */
  signup?: boolean;
  /** Accept an email address in the username field (case-insensitive, only when one account has it). @default false */
  loginWithEmail?: boolean;
  /** Where a login without `next` lands. @default '/' */
  loginRedirectUrl?: string;
  /** Where a logout lands. @default '/' */
  logoutRedirectUrl?: string;
  /** @default 3600 */
  resetTokenMaxAgeSeconds?: number;
  /** Time allowed between password and TOTP code. @default 300 */
  secondFactorTimeoutSeconds?: number;
  /** The issuer authenticator apps show. @default the request's host */
  totpIssuer?: string;
  /** Writes the reset message. @default a plain-text message with the link */
  resetEmail?: (info: ResetEmailInfo) => Pick<MailMessage, 'subject' | 'text' | 'html'>;
  /** Clock in ms (tests): reset token age, TOTP time, the second-factor timeout. @default Date.now */
  now?: () => number;
}

function positive(name: string, value: number): number {
  if (!Number.isSafeInteger(value) || value <= 0) {
    throw new AuthError('E_AUTH_OPTIONS_INVALID', `authRoutes() option ${name} must be a positive whole number of seconds, got ${String(value)}.`);
  }
  return value;
}

function localPath(name: string, value: string): string {
  if (typeof value !== 'string' || !value.startsWith('/') || value.startsWith('//') || value.includes('\\')) {
    throw new AuthError('E_AUTH_OPTIONS_INVALID', `authRoutes() option ${name} must be a path on this site such as '/', got ${JSON.stringify(value)}.`);
  }
  return value;
}

/**
 * The accounts views, to mount under a prefix: login (with the TOTP step), logout (POST), password
 * change, password reset by email, optional signup, TOTP enrolment, and the user's sessions.
 * Needs `sessions()` and `auth()` on the app, and a template engine with `AUTH_TEMPLATES` among
 * its folders.
 *
 * @example
 * app.use(sessions({ store: new DatabaseStore(db) }), auth({ db }))
 * app.mount('/accounts', authRoutes({ db, mailer }), { name: 'accounts' })
 * @see docs/auth.md
 */
export function authRoutes<MS extends Models>(options: AuthRoutesOptions<MS>): RouteGroup {
  const db = options?.db === undefined || options.db === null ? undefined : untyped(options.db);
  if (db === undefined || db === null || typeof (db as { query?: unknown }).query !== 'function') {
    throw new AuthError('E_AUTH_OPTIONS_INVALID', 'authRoutes() needs the database: authRoutes({ db, mailer }).');
  }
  const throttle = options.throttle === false ? null : options.throttle instanceof LoginThrottle ? options.throttle : new LoginThrottle(options.throttle ?? {});
  const cfg: ViewConfig = Object.freeze({
    db,
    mailer: options.mailer ?? mailerFromEnv(),
    hashers: options.hashers ?? defaultHashers(),
    validators: options.passwordValidators,
    throttle,
    signup: options.signup ?? AUTH_DEFAULTS.signup,
    loginWithEmail: options.loginWithEmail ?? AUTH_DEFAULTS.loginWithEmail,
    loginRedirectUrl: localPath('loginRedirectUrl', options.loginRedirectUrl ?? AUTH_DEFAULTS.loginRedirectUrl),
    logoutRedirectUrl: localPath('logoutRedirectUrl', options.logoutRedirectUrl ?? AUTH_DEFAULTS.logoutRedirectUrl),
    resetTokenMaxAgeSeconds: positive('resetTokenMaxAgeSeconds', options.resetTokenMaxAgeSeconds ?? AUTH_DEFAULTS.resetTokenMaxAgeSeconds),
    secondFactorTimeoutSeconds: positive('secondFactorTimeoutSeconds', options.secondFactorTimeoutSeconds ?? AUTH_DEFAULTS.secondFactorTimeoutSeconds),
    totpIssuer: options.totpIssuer,
    now: options.now ?? Date.now,
    resetEmail: options.resetEmail ?? defaultResetEmail,
  });
  const routes = group();
  loginViews(routes, cfg);
  passwordViews(routes, cfg);
  if (cfg.signup) signupViews(routes, cfg);
  twoFactorViews(routes, cfg);
  sessionViews(routes, cfg);
  return routes;
}
