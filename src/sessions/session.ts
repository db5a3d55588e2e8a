/**
 * `req.session`: the values of one visitor's session, read and written synchronously (the
 * middleware loaded them before the handler and saves them after it).
 *
 * @module
 */
import { Context } from '../http/context.js';
import { SessionError } from './errors.js';
import { newSessionId, sessionKey } from './session-id.js';
import type { SessionStore } from './store.js';

/**
 * The values a session can hold, by key. Augment it to type your keys:
 *
 * @example
 * declare module 'rampart/sessions' {
 *   interface SessionData { cart: string[]; theme: 'light' | 'dark' }
 * }
 * req.session.set('cart', ['sku-1'])          // typed
 * const cart = req.session.get('cart') ?? []  // string[]
 */
// eslint-disable-next-line @typescript-eslint/no-empty-interface
export interface SessionData {}

declare module '../http/context.js' {
  interface Context<P> {
    /** The visitor's session; needs `app.use(sessions({ store }))` from `rampart/sessions`. */
    readonly session: Session;
  }
}

/** Keys Rampart keeps in the session for itself; applications cannot set them. */
export const RESERVED_PREFIX = 'rampart.';
export const CSRF_SECRET_KEY = 'rampart.csrf';

/** One of the signed-in user's sessions, as `req.session.userSessions()` lists it. */
export interface SessionSummary {
  /** Store key (SHA-256 of the id): pass it to your own "sign out that device" route. */
  readonly key: string;
  readonly createdAt: Date;
  readonly lastSeenAt: Date;
  readonly expiresAt: Date;
  /** True for the session of this request. */
  readonly current: boolean;
}

/** @internal What the middleware and the session share about one request's session. */
export interface SessionState {
  data: Map<string, unknown>;
  userId: string | null;
  /** The id in the cookie (server stores), null until one is needed. */
  id: string | null;
  /** SHA-256 of `id`. */
  key: string | null;
  /** The key of the record loaded with the request, while it still stands. */
  storedKey: string | null;
  /** Keys to delete when the response is committed (rotated or destroyed sessions). */
  readonly oldKeys: string[];
  createdAt: number;
  lastSeenAt: number;
  /** A session came with the request. */
  loaded: boolean;
  /** The request had a session cookie (valid or not). */
  cookieSent: boolean;
  accessed: boolean;
  modified: boolean;
}

/** @internal What the session needs from the middleware. */
export interface SessionHost {
  /** Null for the cookie store: no ids, no server-side records. */
  readonly store: SessionStore | null;
  readonly now: () => number;
  readonly idleMs: number;
  readonly absoluteMs: number;
}

/** An anonymous session for a request without (a valid) session cookie. */
export function emptyState(now: number, cookieSent: boolean): SessionState {
  return {
    data: new Map(),
    userId: null,
    id: null,
    key: null,
    storedKey: null,
    oldKeys: [],
    createdAt: now,
    lastSeenAt: now,
    loaded: false,
    cookieSent,
    accessed: false,
    modified: false,
  };
}

function checkKey(key: string): void {
  if (typeof key !== 'string' || key === '') throw new SessionError('E_SESSION_KEY_INVALID', 'Session keys are non-empty strings.');
  if (key.startsWith(RESERVED_PREFIX)) {
    throw new SessionError('E_SESSION_KEY_INVALID', `Session key '${key}' starts with '${RESERVED_PREFIX}', which Rampart keeps for itself.`, {
      hint: 'Choose another name for the key.',
    });
  }
}

function checkValue(key: string, value: unknown): void {
  let json: string | undefined;
  try {
    json = JSON.stringify(value);
  } catch (err) {
    throw new SessionError('E_SESSION_VALUE_INVALID', `Session value '${key}' cannot be stored: ${(err as Error).message}.`, { cause: err });
  }
  if (json === undefined) {
    throw new SessionError('E_SESSION_VALUE_INVALID', `Session value '${key}' is ${typeof value}, which JSON cannot hold.`, {
      hint: 'Store strings, numbers, booleans, null, and plain arrays and objects of those. Use delete() to remove a key.',
    });
  }
}

type Key = keyof SessionData & string;

/**
 * The session of the current request. Values are read and written synchronously; the middleware
 * saves them after the handler, only when something changed.
 *
 * @example
 * app.post('/cart', async (req) => {
 *   const form = await req.form()
 *   req.session.set('cart', [...(req.session.get('cart') ?? []), form.get('sku') ?? ''])
 *   return req.redirect('/cart', 303)
 * })
 * @see docs/sessions.md
 */
export class Session {
  readonly #s: SessionState;
  readonly #host: SessionHost;

  /** @internal created by the `sessions()` middleware */
  constructor(state: SessionState, host: SessionHost) {
    this.#s = state;
    this.#host = host;
  }

  #use(): SessionState {
    this.#s.accessed = true;
    return this.#s;
  }

  #change(): SessionState {
    const s = this.#use();
    s.modified = true;
    return s;
  }

  /** The value under `key`, or undefined. After changing a returned object or array, `set()` it again. */
  get<K extends Key>(key: K): SessionData[K] | undefined {
    return this.#use().data.get(key) as SessionData[K] | undefined;
  }

  /** Whether the session holds `key`. */
  has(key: Key): boolean {
    return this.#use().data.has(key);
  }

  /** Stores a JSON-serialisable value under `key`; saved after the handler. */
  set<K extends Key>(key: K, value: SessionData[K]): void {
    checkKey(key);
    checkValue(key, value);
    this.#change().data.set(key, value);
  }

  /** Removes `key`. */
  delete(key: Key): void {
    checkKey(key);
    const s = this.#use();
    if (s.data.delete(key)) s.modified = true;
  }

  /**
   * Removes every value and the user, keeping the id and the CSRF secret (so forms open in other
   * tabs still submit). To log out, use `destroy()`.
   */
  clear(): void {
    const s = this.#change();
    const csrf = s.data.get(CSRF_SECRET_KEY);
    s.data.clear();
    if (csrf !== undefined) s.data.set(CSRF_SECRET_KEY, csrf);
    s.userId = null;
  }

  /** The id of the signed-in user, or null. */
  get userId(): string | null {
    return this.#use().userId;
  }

  /**
   * Records who is signed in (or `null` for nobody), for `userSessions()` and the store's per-user
   * index. When the user changes (login, logout, switching user) the session also gets a new id
   * and a new CSRF secret, as with `rotate()`, so an id planted before login is worthless after it.
   *
   * @example
   * req.session.setUser(user.id)   // after checking the password
   */
  setUser(id: string | number | null): void {
    const next = id === null ? null : String(id);
    if (next === '') throw new SessionError('E_SESSION_USER_INVALID', 'setUser() needs a non-empty id, or null for nobody.');
    const s = this.#use();
    if (s.userId === next) return;
    this.rotate();
    s.userId = next;
    s.createdAt = this.#host.now(); // a login starts a new absolute lifetime
  }

  /**
   * Gives the session a new id, keeping its values, and destroys the old id in the store; also
   * renews the CSRF secret. Call it whenever privileges change (`setUser()` does it on login and
   * logout). Session fixation: an id an attacker planted before is dead after this.
   */
  rotate(): void {
    const s = this.#change();
    if (s.storedKey !== null) s.oldKeys.push(s.storedKey);
    s.storedKey = null;
    s.data.delete(CSRF_SECRET_KEY);
    if (this.#host.store !== null) {
      s.id = newSessionId();
      s.key = sessionKey(s.id);
    }
  }

  /**
   * Ends the session: deletes it from the store and clears the cookie when the response is sent.
   * Values set afterwards start a new session with a new id.
   *
   * @example
   * app.post('/logout', (req) => { req.session.destroy(); return req.redirect('/', 303) })
   */
  destroy(): void {
    const s = this.#change();
    if (s.storedKey !== null) s.oldKeys.push(s.storedKey);
    s.storedKey = null;
    s.data.clear();
    s.userId = null;
    s.id = null;
    s.key = null;
    s.loaded = false;
    s.createdAt = this.#host.now();
  }

  /** The store key of this session (SHA-256 of its id), or null before it is first saved or with the cookie store. */
  get key(): string | null {
    return this.#s.key;
  }

  /** True when no session came with the request (a first visit, an expired or unknown cookie). */
  get isNew(): boolean {
    return !this.#s.loaded;
  }

  /**
   * The signed-in user's unexpired sessions, newest activity first, this one marked `current`.
   * Empty when nobody is signed in. Not available with the cookie store.
   */
  async userSessions(): Promise<SessionSummary[]> {
    const s = this.#use();
    if (s.userId === null) return [];
    const store = this.#serverStore('userSessions()');
    const now = this.#host.now();
    const out: SessionSummary[] = [];
    for (const { key, record } of await store.listForUser(s.userId)) {
      if (record.userId !== s.userId || isExpired(record, now, this.#host)) continue;
      out.push({
        key,
        createdAt: new Date(record.createdAt),
        lastSeenAt: new Date(record.lastSeenAt),
        expiresAt: new Date(record.expiresAt),
        current: key === s.key,
      });
    }
    return out.sort((a, b) => b.lastSeenAt.getTime() - a.lastSeenAt.getTime());
  }

  /**
   * Logs the signed-in user out of their other sessions (all of them with `includeCurrent`), e.g.
   * after a password change. Returns how many were destroyed. Not available with the cookie store.
   *
   * @example await req.session.destroyUserSessions()   // "sign out everywhere else"
   */
  async destroyUserSessions(options: { includeCurrent?: boolean } = {}): Promise<number> {
    const s = this.#use();
    if (s.userId === null) return 0;
    const store = this.#serverStore('destroyUserSessions()');
    if (options.includeCurrent === true) {
      const n = await store.destroyForUser(s.userId);
      this.destroy();
      return n;
    }
    return store.destroyForUser(s.userId, s.key ?? undefined);
  }

  #serverStore(what: string): SessionStore {
    const store = this.#host.store;
    if (store === null) {
      throw new SessionError('E_SESSION_STORE_UNSUPPORTED', `req.session.${what} needs a server-side store; the cookie store cannot list or revoke sessions.`, {
        hint: 'Use MemoryStore, RedisStore or a database store to list sessions and sign users out everywhere.',
      });
    }
    return store;
  }
}

/** Whether a record has expired by its own expiry or by the current timeouts. */
export function isExpired(record: { createdAt: number; lastSeenAt: number; expiresAt: number }, now: number, host: SessionHost): boolean {
  return now >= record.expiresAt || now >= record.lastSeenAt + host.idleMs || now >= record.createdAt + host.absoluteMs;
}

/** @internal The session's own reads and writes of reserved keys (the CSRF secret). */
export function internalGet(state: SessionState, key: string): unknown {
  state.accessed = true;
  return state.data.get(key);
}

/** @internal */
export function internalSet(state: SessionState, key: string, value: unknown): void {
  state.accessed = true;
  state.modified = true;
  state.data.set(key, value);
}

// Without the middleware, `req.session` explains itself instead of being undefined.
Object.defineProperty(Context.prototype, 'session', {
  configurable: true,
  get(): never {
    throw new SessionError('E_SESSION_NOT_INSTALLED', 'req.session is only available when the sessions middleware runs for the route.', {
      hint: "Add it to the app or the route's group: app.use(sessions({ store: new MemoryStore() })), from 'rampart/sessions'.",
    });
  },
});

/** @internal Gives the request its session (shadowing the prototype's explanation). */
export function attachSession(req: Context, session: Session): void {
  Object.defineProperty(req, 'session', { value: session, enumerable: true, configurable: true, writable: false });
}
