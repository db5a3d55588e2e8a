/**
 * Creating users, setting passwords, and finding the user a login form names.
 *
 * @module
 */
import { sql } from 'kysely';
import type { Database } from '../db/index.js';
import { passwordHashers, unusablePassword, type PasswordHashers } from './passwords/index.js';
import { untyped, type Models } from './database.js';
import { User, type AuthUser } from './models.js';

/** What `createUser()` takes. Without `password` the account gets an unusable one (no login until it is set). */
export interface NewUser {
  username: string;
  email?: string;
  password?: string | null;
  first_name?: string;
  last_name?: string;
  is_active?: boolean;
  is_staff?: boolean;
  is_superuser?: boolean;
}

let shared: PasswordHashers | undefined;

/** @internal The default hasher list, made once per process (its dummy hash is made once too). */
export function defaultHashers(): PasswordHashers {
  return (shared ??= passwordHashers());
}

/**
 * A username in the form it is stored and looked up in: Unicode NFKC, as Django does, so `ﬁ` and
 * `fi`, or a full-width `Ａ` and `A`, cannot be two different accounts that look the same.
 *
 * @example normalizeUsername('ａｄａ') // 'ada'
 */
export function normalizeUsername(username: string): string {
  return username.normalize('NFKC');
}

/**
 * The domain part of an address lower-cased (it is case-insensitive; the local part may not be).
 *
 * @example normalizeEmail('Ada@Example.COM') // 'Ada@example.com'
 */
export function normalizeEmail(email: string): string {
  const at = email.lastIndexOf('@');
  return at === -1 ? email : email.slice(0, at) + email.slice(at).toLowerCase();
}

/**
 * Creates a user with a hashed password. Field values are validated by the model (username
 * characters and length, email shape); a taken username is `IntegrityError` `E_DB_UNIQUE`. The
 * password is not checked against the validators here: call `validatePassword()` first where a
 * person chose it.
 *
 * @example
 * const ada = await createUser(db, { username: 'ada', email: 'ada@example.com', password: 'correct horse battery' })
 * @see docs/auth.md#users
 */
export async function createUser<MS extends Models>(db: Database<MS>, data: NewUser, options: { hashers?: PasswordHashers } = {}): Promise<AuthUser> {
  const hashers = options.hashers ?? defaultHashers();
  const { password, ...rest } = data;
  const stored = password === undefined || password === null ? unusablePassword() : await hashers.hash(password);
  return untyped(db).query(User).create({
    ...rest,
    username: normalizeUsername(data.username),
    email: normalizeEmail(data.email ?? ''),
    password: stored,
  });
}

/**
 * Creates an active staff superuser: it passes every permission check.
 *
 * @example await createSuperuser(db, { username: 'admin', email: 'admin@example.com', password })
 */
export function createSuperuser<MS extends Models>(db: Database<MS>, data: NewUser, options: { hashers?: PasswordHashers } = {}): Promise<AuthUser> {
  return createUser(db, { ...data, is_active: true, is_staff: true, is_superuser: true }, options);
}

/**
 * Hashes and stores a new password for a user (and updates `user.password`). Every session of the
 * user other than one refreshed with `refreshSessionAuth()` becomes anonymous, since sessions are
 * bound to the password hash.
 *
 * @example await setPassword(db, user, form.get('password') ?? '')
 * @see docs/auth.md#users
 */
export async function setPassword<MS extends Models>(db: Database<MS>, user: AuthUser, password: string, options: { hashers?: PasswordHashers } = {}): Promise<string> {
  const stored = await (options.hashers ?? defaultHashers()).hash(password);
  await untyped(db).query(User).filter({ id: user.id }).update({ password: stored });
  user.password = stored;
  return stored;
}

/**
 * The user a login form names: by username (NFKC-normalised, exact), then, with `byEmail`, by email
 * address compared case-insensitively when exactly one account has it. Undefined otherwise.
 */
export async function findLoginUser(db: Database, identifier: string, byEmail: boolean): Promise<AuthUser | undefined> {
  const username = normalizeUsername(identifier);
  if (username === '' || username.length > 254) return undefined;
  const byName = await db.query(User).filter({ username }).first();
  if (byName !== undefined || !byEmail || !username.includes('@')) return byName;
  const raw = await sql<Record<string, unknown>>`select * from ${sql.table(User.table)} where lower(${sql.ref('email')}) = ${username.toLowerCase()} limit 2`.execute(db.kysely);
  // Two accounts with one address: neither is chosen, rather than logging into the wrong one.
  if (raw.rows.length !== 1) return undefined;
  return db.rows(User, raw.rows)[0];
}
