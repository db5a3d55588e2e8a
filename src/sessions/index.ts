/**
 * `rampart/sessions`: server-side sessions (memory, Redis, or your own store) or encrypted cookie
 * sessions, with 256-bit ids stored only as hashes, idle and absolute expiry, rotation on login,
 * per-user listing and revocation, and CSRF protection on by default.
 *
 * @example
 * import { sessions, RedisStore } from 'rampart/sessions'
 * app.use(sessions({ store: new RedisStore({ url: process.env.REDIS_URL }) }))
 * app.get('/', (req) => `visits: ${(req.session.get('visits') ?? 0)}`)
 *
 * @module
 */
export { sessions, SESSION_DEFAULTS } from './middleware.js';
export type { SessionOptions } from './middleware.js';
export { Session } from './session.js';
export type { SessionData, SessionSummary } from './session.js';
export type { SessionStore, SessionRecord, StoredSession } from './store.js';
export { MemoryStore } from './memory-store.js';
export type { MemoryStoreOptions } from './memory-store.js';
export { RedisStore } from './redis-store.js';
export type { RedisStoreOptions } from './redis-store.js';
export { CookieStore } from './cookie-store.js';
export type { CookieStoreOptions } from './cookie-store.js';
export { SessionError } from './errors.js';
export { sessionKey } from './session-id.js';
export { DatabaseStore, SessionEntry } from './database-store.js';
export type { DatabaseStoreOptions, SessionDatabase } from './database-store.js';
