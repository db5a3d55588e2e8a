/**
 * Where the blog keeps things, and what it reads from the environment. Paths are resolved from
 * this file, not from the working directory, so `npm start` at the repository root and a test
 * runner anywhere find the same folders.
 *
 * @module
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const BLOG_DIR = fileURLToPath(new URL('.', import.meta.url));
export const MIGRATIONS_DIR = join(BLOG_DIR, 'migrations');
export const TEMPLATES_DIR = join(BLOG_DIR, 'templates');
export const STATIC_DIR = join(BLOG_DIR, 'static');
/** Data made at run time (database, uploads, development secret key); never committed. */
export const DEFAULT_DATA_DIR = join(BLOG_DIR, 'var');

export interface BlogConfig {
  /** `BLOG_DATA_DIR`, or examples/blog/var. */
  readonly dataDir: string;
  /** `DATABASE_URL`, or a SQLite file in the data folder. */
  readonly databaseUrl: string;
  /** `REDIS_URL`: sessions and login-throttle counters go to Redis when it is set. */
  readonly redisUrl: string | undefined;
  /** Where uploaded images are stored: outside the static folder, served through a route. */
  readonly uploadsDir: string;
  /** `SECRET_KEY`, or in development a key kept in the data folder (see `developmentSecretKey`). */
  readonly secretKey: string | undefined;
}

/**
 * Reads the configuration from the environment. Creates the data folder.
 *
 * @example const config = blogConfig(process.env)
 */
export function blogConfig(env: NodeJS.ProcessEnv = process.env): BlogConfig {
  const dataDir = nonEmpty(env.BLOG_DATA_DIR) ?? DEFAULT_DATA_DIR;
  // 0700: the folder holds the database, the uploads and the development secret key.
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const production = env.NODE_ENV === 'production';
  return {
    dataDir,
    databaseUrl: nonEmpty(env.DATABASE_URL) ?? `sqlite:${join(dataDir, 'blog.sqlite3')}`,
    redisUrl: nonEmpty(env.REDIS_URL),
    uploadsDir: join(dataDir, 'uploads'),
    // Production never gets a generated key: rampart() then refuses to start, as it should.
    secretKey: nonEmpty(env.SECRET_KEY) ?? (production ? undefined : developmentSecretKey(dataDir)),
  };
}

/**
 * The development SECRET_KEY: read from `<dataDir>/secret_key`, or created there on first run.
 * Rampart would otherwise pick a random key per process, and a restart would then log everyone
 * out, break password-reset links and make stored TOTP secrets unreadable (they are encrypted
 * under a key derived from SECRET_KEY).
 *
 * @example const key = developmentSecretKey('examples/blog/var')
 */
export function developmentSecretKey(dataDir: string): string {
  const file = join(dataDir, 'secret_key');
  try {
    const key = readFileSync(file, 'utf8').trim();
    if (key !== '') return key;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  const key = randomBytes(48).toString('base64url');
  // 'wx' never overwrites a key another process wrote meanwhile; 0600 keeps it from other users.
  try {
    writeFileSync(file, `${key}\n`, { mode: 0o600, flag: 'wx' });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return readFileSync(file, 'utf8').trim();
    throw err;
  }
  return key;
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value.trim() === '' ? undefined : value.trim();
}
