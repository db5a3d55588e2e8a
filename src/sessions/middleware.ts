/**
 * The `sessions()` middleware: loads the session a request's cookie names (only when it has one),
 * runs the CSRF check with the secret in the session, and after the handler saves what changed
 * and marks the response private.
 *
 * @module
 */
import type { Context } from '../http/context.js';
import type { HttpResponse } from '../http/response.js';
import type { Middleware } from '../routing/group.js';
import { csrfGuard, type CsrfOptions, type CsrfSecretSource } from '../security/csrf.js';
import { isCsrfSecret, newCsrfSecret } from '../security/csrf-token.js';
import { markPrivate } from '../security/private-response.js';
import { CookieStore } from './cookie-store.js';
import { SessionError } from './errors.js';
import { isSessionIdShape, newSessionId, sessionKey } from './session-id.js';
import {
  CSRF_SECRET_KEY,
  Session,
  attachSession,
  emptyState,
  internalGet,
  internalSet,
  isExpired,
  type SessionHost,
  type SessionState,
} from './session.js';
import { isSessionRecord, type SessionRecord, type SessionStore } from './store.js';

/** Options of `sessions()`. */
export interface SessionOptions {
  /** Where sessions live: `MemoryStore`, `RedisStore`, `CookieStore`, or your own `SessionStore`. */
  store: SessionStore | CookieStore;
  /** Cookie name; `__Host-` is put in front under HTTPS. @default 'sessionid' */
  cookieName?: string;
  /** A session unused this long is dead. @default 1209600 (two weeks) */
  idleTimeoutSeconds?: number;
  /** A session older than this is dead however active (a login starts a new one). @default 2592000 (30 days) */
  absoluteLifetimeSeconds?: number;
  /** Activity is written back at most this often, not on every request. @default 60 */
  touchIntervalSeconds?: number;
  /** CSRF protection for unsafe methods, with the secret in the session; `false` turns it off. @default true */
  csrf?: boolean | CsrfOptions;
  /** Clock in ms since the epoch (tests inject one to expire sessions without sleeping). @default Date.now */
  now?: () => number;
}

/**
 * The defaults, with the threat each bounds.
 *
 * @example sessions({ store, idleTimeoutSeconds: SESSION_DEFAULTS.idleTimeoutSeconds / 14 })
 */
export const SESSION_DEFAULTS = Object.freeze({
  cookieName: 'sessionid',
  // Stolen or forgotten sessions (a shared computer, a copied cookie) stop working after two weeks
  // without use, as in Django; shorten it for sensitive apps.
  idleTimeoutSeconds: 14 * 24 * 3600,
  // However active, a stolen session dies within 30 days: sliding expiry alone would keep it forever.
  absoluteLifetimeSeconds: 30 * 24 * 3600,
  // One store write a minute at most for activity, instead of one per request (load on the store).
  touchIntervalSeconds: 60,
  // CSRF: every unsafe request of a session-authenticated app is checked.
  csrf: true,
});

function positiveInt(name: string, value: number): number {
  if (!Number.isSafeInteger(value) || value <= 0) {
    throw new SessionError('E_SESSION_OPTIONS_INVALID', `sessions() option ${name} must be a positive whole number of seconds, got ${String(value)}.`);
  }
  return value;
}

function isServerStore(store: unknown): store is SessionStore {
  const s = store as Partial<Record<keyof SessionStore, unknown>> | null;
  return (
    typeof s === 'object' &&
    s !== null &&
    typeof s.get === 'function' &&
    typeof s.set === 'function' &&
    typeof s.delete === 'function' &&
    typeof s.listForUser === 'function' &&
    typeof s.destroyForUser === 'function'
  );
}

/**
 * Sessions for every route of the app (or group) it is added to, with CSRF protection on.
 *
 * @example
 * import { sessions, MemoryStore } from 'rampart/sessions'
 * app.use(sessions({ store: new MemoryStore() }))
 * app.post('/login', async (req) => {
 *   const user = await checkPassword(await req.form())
 *   req.session.setUser(user.id)     // new id, new CSRF secret
 *   return req.redirect('/', 303)
 * })
 * @see docs/sessions.md
 */
export function sessions(options: SessionOptions): Middleware {
  const store = options?.store;
  const cookieStore = store instanceof CookieStore ? store : null;
  if (cookieStore === null && !isServerStore(store)) {
    throw new SessionError('E_SESSION_OPTIONS_INVALID', 'sessions() needs a store: sessions({ store: new MemoryStore() }).', {
      hint: 'Stores: MemoryStore (tests, development), RedisStore, CookieStore, or an object implementing SessionStore.',
    });
  }
  const serverStore = cookieStore === null ? (store as SessionStore) : null;
  const idle = positiveInt('idleTimeoutSeconds', options.idleTimeoutSeconds ?? SESSION_DEFAULTS.idleTimeoutSeconds);
  const absolute = positiveInt('absoluteLifetimeSeconds', options.absoluteLifetimeSeconds ?? SESSION_DEFAULTS.absoluteLifetimeSeconds);
  const touch = positiveInt('touchIntervalSeconds', options.touchIntervalSeconds ?? SESSION_DEFAULTS.touchIntervalSeconds);
  if (idle > absolute) {
    throw new SessionError('E_SESSION_OPTIONS_INVALID', `idleTimeoutSeconds (${idle}) is longer than absoluteLifetimeSeconds (${absolute}).`);
  }
  if (touch >= idle) {
    throw new SessionError('E_SESSION_OPTIONS_INVALID', `touchIntervalSeconds (${touch}) must be shorter than idleTimeoutSeconds (${idle}).`);
  }
  const baseName = options.cookieName ?? SESSION_DEFAULTS.cookieName;
  if (!/^[A-Za-z0-9_-]+$/.test(baseName)) {
    throw new SessionError('E_SESSION_OPTIONS_INVALID', `sessions() cookieName must be letters, digits, '-' and '_', got ${JSON.stringify(baseName)}.`);
  }
  const csrfOption = options.csrf ?? SESSION_DEFAULTS.csrf;
  const guard = csrfOption === false ? null : csrfGuard(csrfOption === true ? {} : csrfOption);
  const host: SessionHost = {
    store: serverStore,
    now: options.now ?? Date.now,
    idleMs: idle * 1000,
    absoluteMs: absolute * 1000,
  };
  const touchMs = touch * 1000;

  const load = async (req: Context, name: string): Promise<SessionState> => {
    const now = host.now();
    const value = req.cookies[name];
    if (value === undefined) return emptyState(now, false);
    let record: SessionRecord | null = null;
    let key: string | null = null;
    if (cookieStore !== null) record = cookieStore.open(value, req.settings.secretKey);
    else if (isSessionIdShape(value)) {
      key = sessionKey(value);
      const found = await serverStore!.get(key);
      record = isSessionRecord(found) ? found : null;
    }
    if (record === null) return emptyState(now, true);
    if (isExpired(record, now, host)) {
      if (key !== null) await serverStore!.delete(key);
      return emptyState(now, true);
    }
    const state = emptyState(now, true);
    state.data = new Map(Object.entries(record.data));
    state.userId = record.userId;
    state.createdAt = record.createdAt;
    state.lastSeenAt = record.lastSeenAt;
    state.loaded = true;
    if (key !== null) {
      state.id = value;
      state.key = key;
      state.storedKey = key;
    }
    return state;
  };

  const commit = async (req: Context, state: SessionState, name: string): Promise<boolean> => {
    const now = host.now();
    for (const key of state.oldKeys) await serverStore?.delete(key);
    const clearCookie = (): boolean => {
      if (state.cookieSent) req.deleteCookie(name);
      return state.cookieSent;
    };
    if (!state.modified) {
      if (!state.loaded) return clearCookie(); // an unknown, expired or garbage cookie
      if (now - state.lastSeenAt < touchMs) return false;
    } else if (state.data.size === 0 && state.userId === null) {
      // Nothing left to keep: no empty sessions in the store, no cookie.
      if (state.storedKey !== null) await serverStore?.delete(state.storedKey);
      return clearCookie();
    }
    const expiresAt = Math.min(now + host.idleMs, state.createdAt + host.absoluteMs);
    if (expiresAt <= now) {
      if (state.storedKey !== null) await serverStore?.delete(state.storedKey);
      return clearCookie();
    }
    const record: SessionRecord = { data: Object.fromEntries(state.data), userId: state.userId, createdAt: state.createdAt, lastSeenAt: now, expiresAt };
    const ttlMs = expiresAt - now;
    let value: string;
    if (cookieStore !== null) value = cookieStore.seal(record, req.settings.secretKey, name);
    else {
      if (state.id === null || state.key === null) {
        state.id = newSessionId();
        state.key = sessionKey(state.id);
      }
      if (!state.modified && serverStore!.touch !== undefined) await serverStore!.touch(state.key, record, ttlMs);
      else await serverStore!.set(state.key, record, ttlMs);
      value = state.id;
    }
    req.setCookie(name, value, { maxAgeSeconds: Math.max(1, Math.floor(ttlMs / 1000)), httpOnly: true, sameSite: 'lax', path: '/' });
    return true;
  };

  return async function sessions(req, next) {
    const name = req.settings.https ? `__Host-${baseName}` : baseName;
    const state = await load(req, name);
    attachSession(req, new Session(state, host));
    if (guard !== null) await guard(req, secretSource(state));
    let res: HttpResponse;
    try {
      res = await next();
    } catch (err) {
      // A failed request saves nothing, but a logout or rotation it asked for still takes effect
      // in the store (its cookie changes are dropped with the error page).
      for (const key of state.oldKeys) await serverStore?.delete(key).catch(() => undefined);
      throw err;
    }
    const wroteCookie = await commit(req, state, name);
    if (state.accessed || wroteCookie) markPrivate(res);
    return res;
  };
}

function secretSource(state: SessionState): CsrfSecretSource {
  return {
    get() {
      const v = internalGet(state, CSRF_SECRET_KEY);
      return isCsrfSecret(v) ? v : null;
    },
    create() {
      const secret = newCsrfSecret();
      internalSet(state, CSRF_SECRET_KEY, secret);
      return secret;
    },
  };
}
