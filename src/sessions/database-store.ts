/**
 * Sessions in the app's database: the default for apps that have one. One row per session, keyed
 * by the SHA-256 of the id (never the id itself), with the user indexed for "log out everywhere".
 * The table comes from `SessionEntry`: list it among the models and `makeMigrations()` creates it.
 *
 * @module
 */
import { field, model, type QuerySet } from '../db/index.js';
import type { SessionRecord, SessionStore, StoredSession } from './store.js';

/**
 * The sessions table. Add it to the models given to `connect()` and `makeMigrations()`.
 *
 * @example const db = await connect({ models: [...appModels, SessionEntry] })
 */
export const SessionEntry = model(
  'rampart_session',
  {
    key: field.string({ maxLength: 64, unique: true }),
    user_id: field.string({ maxLength: 64, nullable: true, index: true }),
    data: field.json(),
    created_at: field.bigint(),
    last_seen_at: field.bigint(),
    expires_at: field.bigint({ index: true }),
  },
  { verboseName: 'session' },
);

export interface DatabaseStoreOptions {
  /** Clock in ms, for `clearExpired()` and expiry on read. @default Date.now */
  now?: () => number;
}

type Row = typeof SessionEntry.$row;

function toRecord(r: Row): SessionRecord {
  return {
    data: r.data as Record<string, unknown>,
    userId: r.user_id,
    createdAt: Number(r.created_at),
    lastSeenAt: Number(r.last_seen_at),
    expiresAt: Number(r.expires_at),
  };
}

/**
 * A session store on the app's database (SQLite, PostgreSQL or MySQL).
 *
 * @example
 * const db = await connect({ models: [...models, SessionEntry] })
 * app.use(sessions({ store: new DatabaseStore(db) }))
 */
/** What the store needs of a database: one whose models include `SessionEntry`. */
export interface SessionDatabase {
  query(m: typeof SessionEntry): QuerySet<typeof SessionEntry>;
}

export class DatabaseStore implements SessionStore {
  readonly #db: SessionDatabase;
  readonly #now: () => number;

  constructor(db: SessionDatabase, options: DatabaseStoreOptions = {}) {
    this.#db = db;
    this.#now = options.now ?? Date.now;
  }

  #q() {
    return this.#db.query(SessionEntry);
  }

  async get(key: string): Promise<SessionRecord | null> {
    const row = await this.#q().filter({ key }).first();
    if (row === undefined) return null;
    if (Number(row.expires_at) <= this.#now()) {
      await this.#q().filter({ key }).delete();
      return null;
    }
    return toRecord(row);
  }

  async set(key: string, record: SessionRecord): Promise<void> {
    const values = {
      user_id: record.userId,
      data: record.data as never,
      created_at: BigInt(record.createdAt),
      last_seen_at: BigInt(record.lastSeenAt),
      expires_at: BigInt(record.expiresAt),
    };
    // Update first: most writes are to an existing session. A concurrent first save of the same new
    // key cannot happen (keys are 256-bit random), so the insert after a miss does not race.
    const n = await this.#q().filter({ key }).update(values);
    if (n === 0) await this.#q().create({ key, ...values });
  }

  async touch(key: string, record: SessionRecord): Promise<void> {
    await this.#q()
      .filter({ key })
      .update({ last_seen_at: BigInt(record.lastSeenAt), expires_at: BigInt(record.expiresAt) });
  }

  async delete(key: string): Promise<void> {
    await this.#q().filter({ key }).delete();
  }

  async listForUser(userId: string): Promise<StoredSession[]> {
    const rows = await this.#q().filter({ user_id: userId }).limit(1000).all();
    return rows.map((r) => ({ key: r.key, record: toRecord(r) }));
  }

  async destroyForUser(userId: string, exceptKey?: string): Promise<number> {
    const q = this.#q().filter({ user_id: userId });
    return exceptKey === undefined ? q.delete() : q.exclude({ key: exceptKey }).delete();
  }

  /**
   * Deletes expired sessions; run it from a scheduled job (`rampart clearsessions` will).
   *
   * @example await new DatabaseStore(db).clearExpired()
   */
  async clearExpired(): Promise<number> {
    return this.#q().filter({ expires_at__lte: BigInt(this.#now()) }).delete();
  }
}
