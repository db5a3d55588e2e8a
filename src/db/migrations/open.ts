/**
 * Where the migration functions find the database: a URL (they open and close the connection) or
 * an open Kysely instance with its dialect (left open).
 *
 * @module
 */
import type { Kysely } from 'kysely';
import { createKysely, type DialectName } from '../connection.js';
import { MigrationError } from './errors.js';
import type { MigrationDatabase } from './types.js';

/** A database URL, or an open Kysely instance and its dialect (as `createKysely()` returns them). */
export type DatabaseTarget<DB = unknown> =
  | { readonly url: string; readonly kysely?: undefined; readonly dialect?: undefined }
  | { readonly kysely: Kysely<DB>; readonly dialect: DialectName; readonly url?: undefined };

export async function openDatabase<DB>(target: DatabaseTarget<DB>): Promise<{ db: MigrationDatabase; dialect: DialectName; close: () => Promise<void> }> {
  if (typeof target.url === 'string') {
    const { kysely, dialect } = await createKysely(target.url, { poolSize: 1 });
    return { db: kysely as MigrationDatabase, dialect, close: () => kysely.destroy() };
  }
  if (target.kysely !== undefined && (target.dialect === 'sqlite' || target.dialect === 'postgres' || target.dialect === 'mysql')) {
    return { db: target.kysely as unknown as MigrationDatabase, dialect: target.dialect, close: async () => {} };
  }
  throw new MigrationError('E_MIGRATION_OPTIONS', 'Pass either url, or kysely with its dialect (sqlite, postgres or mysql).', {
    hint: "E.g. migrate({ url: process.env.DATABASE_URL, dir: './migrations' }).",
  });
}
