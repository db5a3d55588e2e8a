/**
 * Connection failures told apart from other errors, so "the database is down" reads as that, with
 * the URL's password masked, rather than as a driver stack trace.
 *
 * @module
 */
import { CONNECTION_DEFAULTS, maskDatabaseUrl } from '../db/connection.js';
import { CliError } from './errors.js';

// Network failures, authentication failures and missing databases, per driver: node's socket
// codes, PostgreSQL SQLSTATEs, MySQL error names, SQLite open failures.
const UNREACHABLE_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'PROTOCOL_CONNECTION_LOST',
  '28P01', // invalid_password
  '28000', // invalid_authorization_specification
  '3D000', // invalid_catalog_name: the database does not exist
  '57P03', // cannot_connect_now: starting up
  'ER_ACCESS_DENIED_ERROR',
  'ER_BAD_DB_ERROR',
  'ER_DBACCESS_DENIED_ERROR',
  'SQLITE_CANTOPEN',
]);

/** The URL the app's `connect()` uses by default: `DATABASE_URL`, else the embedded SQLite file. */
export function databaseUrl(env: NodeJS.ProcessEnv = process.env): string {
  const url = env['DATABASE_URL'];
  return url === undefined || url === '' ? CONNECTION_DEFAULTS.url : url;
}

/** Masks the password of every URL in a text (a driver message may quote the URL). */
export function maskPasswords(text: string): string {
  return text.replace(/\b([a-z][a-z0-9+.-]*:\/\/[^:/@\s]*):[^@/\s]*@/gi, '$1:***@');
}

/** The first connection-failure code in an error, its causes or its aggregated errors. */
export function connectionFailure(err: unknown, depth = 0): string | null {
  if (err === null || typeof err !== 'object' || depth > 5) return null;
  const e = err as { code?: unknown; cause?: unknown; errors?: unknown };
  if (typeof e.code === 'string' && UNREACHABLE_CODES.has(e.code)) return e.code;
  if (Array.isArray(e.errors)) {
    for (const inner of e.errors) {
      const found = connectionFailure(inner, depth + 1);
      if (found !== null) return found;
    }
  }
  if (/^connect ECONNREFUSED|Connection terminated unexpectedly|unable to open database file/i.test(String((err as Error).message))) return 'ECONNREFUSED';
  return connectionFailure(e.cause, depth + 1);
}

/** `err` as `E_CLI_DATABASE_UNREACHABLE` when it is a connection failure, else unchanged. */
export function explainDatabaseError(err: unknown, url: string): unknown {
  const code = connectionFailure(err);
  if (code === null) return err;
  const detail = err instanceof Error ? err.message || code : code;
  return new CliError('E_CLI_DATABASE_UNREACHABLE', `Cannot reach the database at ${maskDatabaseUrl(url)} (${code}): ${maskPasswords(detail)}`, {
    hint: 'Check that the database server runs and that DATABASE_URL (environment or .env) has the right host, port, user, password and database name.',
    cause: err,
  });
}

/** Runs `fn`, turning a connection failure into `E_CLI_DATABASE_UNREACHABLE`. */
export async function withDatabase<T>(url: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    throw explainDatabaseError(err, url);
  }
}
