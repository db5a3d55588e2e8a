/**
 * The `auth()` middleware: `req.user`, loaded lazily from the session, and `login()` / `logout()`.
 *
 * A session says who is signed in (`req.session.userId`) and carries an HMAC of that user's
 * password hash. The user counts as signed in only while the HMAC matches, the account exists and
 * it is active: a password change, a reset or a deactivation ends every session at its next
 * request, whatever the session store.
 *
 * @module
 */
import { Context } from '../http/context.js';
import type { Database } from '../db/index.js';
import { untyped, type Models } from './database.js';
import type { Middleware } from '../routing/group.js';
import type {} from '../sessions/session.js';
import { AUTH_DEFAULTS } from './defaults.js';
import { AuthError } from './errors.js';
import { User, type AuthUser } from './models.js';
import { bindUser } from './permissions.js';
import { sessionAuthHash, sessionAuthHashMatches } from './session-hash.js';

/** Half-authenticated state between the password and the TOTP code. */
export interface PendingLogin {
  /** The user id. */
  readonly id: number;
  /** HMAC of the password hash the password was checked against (a change in between voids it). */
  readonly hash: string;
  /** When the password was checked, ms since the epoch. */
  readonly at: number;
  /** Where to go after the code (already checked to be a same-origin path). */
  readonly next: string;
}

declare module '../sessions/session.js' {
  interface SessionData {
    /** Set by `login()`: HMAC of the signed-in user's password hash. */
    'auth.hash': string;
    /** Set by the login view when a second factor is due. */
    'auth.pending': PendingLogin;
    /** The TOTP secret being enrolled, until confirmed with a code. */
    'auth.totp_setup': string;
  }
}

declare module '../http/context.js' {
  interface Context<P> {
    /**
     * The signed-in user, or null: `const user = await req.user`. Loaded on first use, once per
     * request; reading it reads the session, so the response is private. Needs `auth()`.
     */
    readonly user: Promise<AuthUser | null>;
  }
}

/** Options of `auth()`. */
export interface AuthOptions<MS extends Models = Models> {
  /** The database holding the `authModels` tables. */
  db: Database<MS>;
  /** Where guards send anonymous browsers. @default '/accounts/login' */
  loginUrl?: string;
  /** Clock in ms (tests inject one); used for `last_login`. @default Date.now */
  now?: () => number;
}

/** @internal What the views and guards read from the request. */
export interface AuthConfig {
  readonly db: Database;
  readonly loginUrl: string;
  readonly now: () => number;
}

interface RequestAuth {
  readonly config: AuthConfig;
  user: Promise<AuthUser | null> | undefined;
}

const REQUESTS = new WeakMap<Context<unknown>, RequestAuth>();
const SECRET_FIELDS = new Set(['password', 'totp_secret', 'totp_recovery_codes']);

function requestAuth(req: Context<unknown>): RequestAuth {
  const state = REQUESTS.get(req);
  if (state === undefined) {
    throw new AuthError('E_AUTH_NOT_INSTALLED', 'req.user, login() and the accounts views need the auth() middleware, and it does not run for this route.', {
      hint: "Add it after sessions: app.use(sessions({ store }), auth({ db })), from 'rampart/sessions' and 'rampart/auth'.",
    });
  }
  return state;
}

/** @internal */
export function authConfig(req: Context<unknown>): AuthConfig {
  return requestAuth(req).config;
}

/**
 * The row as `req.user` hands it out: bound to its database for `can()`, and serialised without
 * the password hash and TOTP secrets should a handler return it as JSON.
 */
function prepared(row: AuthUser, db: Database): AuthUser {
  bindUser(row, db);
  Object.defineProperty(row, 'toJSON', {
    enumerable: false,
    configurable: true,
    value: () => Object.fromEntries(Object.entries(row).filter(([k]) => !SECRET_FIELDS.has(k))),
  });
  return row;
}

async function loadUser(req: Context<unknown>, config: AuthConfig): Promise<AuthUser | null> {
  const session = req.session;
  const id = session.userId;
  if (id === null) return null;
  // An id some other code put in the session (setUser('abc')) is not one of ours.
  const row = /^[1-9][0-9]{0,15}$/.test(id) ? await config.db.query(User).get(id) : undefined;
  if (row === undefined || !row.is_active || !sessionAuthHashMatches(session.get('auth.hash'), row.password, req.settings.secretKey)) {
    // Deleted, deactivated, or the password changed since this session logged in: end it.
    session.destroy();
    return null;
  }
  return prepared(row, config.db);
}

/**
 * Gives routes `req.user`. Add it after `sessions()`.
 *
 * @example
 * app.use(sessions({ store: new DatabaseStore(db) }), auth({ db }))
 * app.get('/me', async (req) => ({ user: (await req.user)?.username ?? null }))
 * @see docs/auth.md
 */
export function auth<MS extends Models>(options: AuthOptions<MS>): Middleware {
  const db = options?.db === undefined || options.db === null ? undefined : untyped(options.db);
  if (db === undefined || db === null || typeof (db as { query?: unknown }).query !== 'function') {
    throw new AuthError('E_AUTH_OPTIONS_INVALID', 'auth() needs the database: auth({ db }), db from connect({ models: [...authModels, ...] }).');
  }
  const loginUrl = options.loginUrl ?? AUTH_DEFAULTS.loginUrl;
  if (!loginUrl.startsWith('/') || loginUrl.startsWith('//')) {
    throw new AuthError('E_AUTH_OPTIONS_INVALID', `auth() loginUrl must be a path on this site such as '/accounts/login', got ${JSON.stringify(loginUrl)}.`);
  }
  const config: AuthConfig = Object.freeze({ db, loginUrl, now: options.now ?? Date.now });
  return function auth(req, next) {
    if (!Object.prototype.hasOwnProperty.call(req, 'session')) {
      throw new AuthError('E_AUTH_NOT_INSTALLED', 'auth() runs before sessions(), or without it: req.user lives in the session.', {
        hint: 'Add sessions() first: app.use(sessions({ store }), auth({ db })).',
      });
    }
    REQUESTS.set(req as Context<unknown>, { config, user: undefined });
    return next();
  };
}

/**
 * Signs a user in on this request's session: a new session id (an id planted before login is
 * dead), a new CSRF secret, the session bound to the password hash, `last_login` set. Check the
 * password (and second factor) first; the accounts views do all of it for you.
 *
 * @example
 * await login(req, user)
 * return req.redirect('/', 303)
 * @see docs/auth.md#requser-login-and-logout
 */
export async function login(req: Context<unknown>, user: AuthUser): Promise<void> {
  const state = requestAuth(req);
  const session = req.session;
  const id = String(user.id);
  // Another user's values must not carry over into this user's session (Django flushes too).
  if (session.userId !== null && session.userId !== id) session.clear();
  if (session.userId === id) session.rotate();
  else session.setUser(id);
  session.delete('auth.pending');
  session.delete('auth.totp_setup');
  session.set('auth.hash', sessionAuthHash(user.password, req.settings.secretKey));
  const now = new Date(state.config.now());
  await state.config.db.query(User).filter({ id: user.id }).update({ last_login: now });
  user.last_login = now;
  state.user = Promise.resolve(prepared(user, state.config.db));
}

/**
 * Signs the user out: the session is destroyed in the store and its cookie cleared.
 *
 * @example
 * app.post('/bye', (req) => { logout(req); return req.redirect('/', 303) })
 * @see docs/auth.md
 */
export function logout(req: Context<unknown>): void {
  const state = requestAuth(req);
  req.session.destroy();
  state.user = Promise.resolve(null);
}

/**
 * After changing the signed-in user's password, keeps this session signed in (Django's
 * `update_session_auth_hash`) and gives it a new id; the user's other sessions stay ended.
 *
 * @example
 * await setPassword(db, user, newPassword)
 * refreshSessionAuth(req, user)
 */
export function refreshSessionAuth(req: Context<unknown>, user: AuthUser): void {
  const state = requestAuth(req);
  if (req.session.userId !== String(user.id)) return;
  req.session.rotate();
  req.session.set('auth.hash', sessionAuthHash(user.password, req.settings.secretKey));
  state.user = Promise.resolve(prepared(user, state.config.db));
}

// Without the middleware, `req.user` explains itself instead of being undefined.
Object.defineProperty(Context.prototype, 'user', {
  configurable: true,
  get(this: Context<unknown>): Promise<AuthUser | null> {
    const state = requestAuth(this);
    return (state.user ??= loadUser(this, state.config));
  },
});
