/**
 * The migration lock: two processes migrating at once (two containers starting together) must
 * never apply a migration twice. PostgreSQL and MySQL take a named lock on the one connection the
 * runner uses for the whole run; SQLite takes an exclusive transaction per migration instead
 * (see the runner). Waits are bounded: a stuck deployment fails with a clear error, never hangs.
 *
 * @module
 */
import { createHash } from 'node:crypto';
import { sql } from 'kysely';
import type { DialectName } from '../connection.js';
import { MigrationError } from './errors.js';
import type { MigrationDatabase } from './types.js';

/**
 * The advisory lock key on PostgreSQL, a fixed 64-bit number ("rampart" in ASCII). Advisory
 * locks are scoped to the database, so separate databases on one server do not contend.
 */
export const POSTGRES_LOCK_KEY = '0x72616d70617274';
const POLL_MS = 100;
const SQLITE_POLL_MS = 20;
const MYSQL_LOCK_NAME_MAX = 64;

function timeout(seconds: number, dialect: DialectName): MigrationError {
  return new MigrationError('E_MIGRATION_LOCK_TIMEOUT', `Another process held the migration lock for more than ${seconds} s (${dialect}); nothing was migrated.`, {
    hint: 'Wait for the other migrate run to finish and run migrate again, or raise lockTimeoutSeconds.',
  });
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Takes the lock; resolves to the function that releases it. SQLite has nothing to take here. */
export async function acquireLock(db: MigrationDatabase, dialect: DialectName, timeoutSeconds: number): Promise<() => Promise<void>> {
  if (dialect === 'postgres') {
    const key = BigInt(POSTGRES_LOCK_KEY).toString();
    const deadline = Date.now() + timeoutSeconds * 1000;
    for (;;) {
      const r = await sql<{ locked: boolean }>`select pg_try_advisory_lock(${key}::bigint) as locked`.execute(db);
      if (r.rows[0]?.locked === true) break;
      if (Date.now() >= deadline) throw timeout(timeoutSeconds, dialect);
      await sleep(POLL_MS);
    }
    return async () => {
      await sql`select pg_advisory_unlock(${key}::bigint)`.execute(db);
    };
  }
  if (dialect === 'mysql') {
    // GET_LOCK names are global to the server: the database name keeps two databases apart.
    const r = await sql<{ db: string | null }>`select database() as db`.execute(db);
    let name = `rampart_migrate:${r.rows[0]?.db ?? ''}`;
    if (name.length > MYSQL_LOCK_NAME_MAX) name = `rampart_migrate:${createHash('sha256').update(name).digest('hex').slice(0, 40)}`;
    const got = await sql<{ locked: number | string | null }>`select get_lock(${name}, ${timeoutSeconds}) as locked`.execute(db);
    if (Number(got.rows[0]?.locked) !== 1) throw timeout(timeoutSeconds, dialect);
    return async () => {
      await sql`select release_lock(${name})`.execute(db);
    };
  }
  return async () => {};
}

/**
 * `BEGIN EXCLUSIVE` on SQLite, retried while another connection holds the database, for at most
 * `timeoutSeconds`. The driver's own busy timeout is off during the attempts: better-sqlite3 waits
 * synchronously, which would block the event loop, and with it any other connection of this
 * process that holds the lock and needs the loop to finish.
 */
export async function beginExclusive(db: MigrationDatabase, timeoutSeconds: number): Promise<void> {
  const deadline = Date.now() + timeoutSeconds * 1000;
  const r = await sql<{ timeout: number }>`pragma busy_timeout`.execute(db);
  const busyTimeout = Number(r.rows[0]?.timeout ?? 0);
  await sql`pragma busy_timeout = 0`.execute(db);
  try {
    for (;;) {
      try {
        await sql`begin exclusive`.execute(db);
        return;
      } catch (err) {
        const code = (err as { code?: unknown }).code;
        if (code !== 'SQLITE_BUSY' && code !== 'SQLITE_LOCKED') throw err;
        if (Date.now() >= deadline) throw timeout(timeoutSeconds, 'sqlite');
        await sleep(SQLITE_POLL_MS);
      }
    }
  } finally {
    await sql.raw(`pragma busy_timeout = ${Math.max(0, Math.trunc(busyTimeout))}`).execute(db);
  }
}
