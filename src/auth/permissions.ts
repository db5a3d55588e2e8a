/**
 * Permissions: `syncPermissions()` creates the view/add/change/delete permissions of models, and
 * `can(user, 'blog.change_post')` answers from the user's own and their groups' permissions,
 * loaded once per user object (so once per request for `req.user`).
 *
 * @module
 */
import { sql } from 'kysely';
import { appLabel, modelLabel, verboseName, type AnyModel, type Database } from '../db/index.js';
import { joinTable } from '../db/schema-state.js';
import { untyped, type Models } from './database.js';
import { AuthError } from './errors.js';
import { Group, Permission, User, type AuthUser } from './models.js';

/**
 * The four permissions every model gets, as in Django.
 *
 * @example MODEL_ACTIONS.map((a) => `blog.${a}_post`) // ['blog.view_post', 'blog.add_post', …]
 */
export const MODEL_ACTIONS = Object.freeze(['view', 'add', 'change', 'delete'] as const);

const NAME_RE = /^([a-z][a-z0-9_]*)\.([a-z][a-z0-9_]*)$/;

interface UserContext {
  readonly db: Database;
  perms?: Promise<ReadonlySet<string>>;
}

// The database and the loaded permission set of a user object. Keyed by the object, so a row
// loaded for one request carries its own cache and dies with it.
const CONTEXTS = new WeakMap<object, UserContext>();

/** @internal Remembers the database a user row came from (done by `auth()` for `req.user`). */
export function bindUser(user: AuthUser, db: Database): void {
  CONTEXTS.set(user, { db });
}

/** @internal The app label and codename of `app.codename`; throws `E_AUTH_PERMISSION_UNKNOWN` for another shape. */
export function splitName(name: string): { app: string; codename: string } {
  const m = typeof name === 'string' ? NAME_RE.exec(name) : null;
  if (m === null) {
    throw new AuthError('E_AUTH_PERMISSION_UNKNOWN', `'${String(name)}' is not a permission name.`, {
      hint: "Permission names are '<app label>.<codename>', e.g. 'blog.change_post'.",
    });
  }
  return { app: m[1]!, codename: m[2]! };
}

/**
 * Creates the `view_`, `add_`, `change_` and `delete_` permissions of each model that lacks them,
 * named after the model's app label (`blog.change_post` for `blog_post`). Safe to run at every
 * start or after every migration. Returns how many permissions were created.
 *
 * @example
 * await syncPermissions(db, [Post, Comment]) // 8 the first time, 0 after
 * @see docs/auth.md#permissions
 */
export async function syncPermissions<MS extends Models>(database: Database<MS>, models: readonly AnyModel[]): Promise<number> {
  const db = untyped(database);
  const wanted = new Map<string, { app_label: string; codename: string; name: string }>();
  for (const m of models) {
    const app = appLabel(m);
    const label = modelLabel(m);
    for (const action of MODEL_ACTIONS) {
      const codename = `${action}_${label}`;
      wanted.set(`${app}.${codename}`, { app_label: app, codename, name: `Can ${action} ${verboseName(m)}`.slice(0, 255) });
    }
  }
  if (wanted.size === 0) return 0;
  return db.transaction(async () => {
    const apps = [...new Set([...wanted.values()].map((p) => p.app_label))];
    const existing = await db.query(Permission).filter({ app_label__in: apps }).all();
    for (const p of existing) wanted.delete(`${p.app_label}.${p.codename}`);
    if (wanted.size > 0) await db.query(Permission).bulkCreate([...wanted.values()]);
    return wanted.size;
  });
}

/**
 * The ids of permissions by name, to link them to a user or a group. Throws
 * `E_AUTH_PERMISSION_UNKNOWN` for a name that does not exist (run `syncPermissions()` first).
 *
 * @example
 * await db.related(User, ada.id, 'user_permissions').add(...await permissionIds(db, 'blog.change_post'))
 * @see docs/auth.md#permissions
 */
export async function permissionIds<MS extends Models>(database: Database<MS>, ...names: string[]): Promise<number[]> {
  const db = untyped(database);
  const ids: number[] = [];
  for (const name of names) {
    const { app, codename } = splitName(name);
    const row = await db.query(Permission).filter({ app_label: app, codename }).first();
    if (row === undefined) {
      throw new AuthError('E_AUTH_PERMISSION_UNKNOWN', `There is no permission '${name}'.`, {
        hint: 'Run syncPermissions(db, models) for model permissions, or create the permission row first.',
      });
    }
    ids.push(row.id);
  }
  return ids;
}

async function loadPermissions(db: Database, userId: number): Promise<ReadonlySet<string>> {
  const direct = joinTable(User, 'user_permissions');
  const groups = joinTable(User, 'groups');
  const groupPerms = joinTable(Group, 'permissions');
  type R = { app_label: string; codename: string };
  const own = await sql<R>`select p.app_label, p.codename from ${sql.table(Permission.table)} p join ${sql.table(direct.table)} j on ${sql.ref(`j.${direct.to}`)} = p.id where ${sql.ref(`j.${direct.from}`)} = ${userId}`.execute(db.kysely);
  const viaGroups = await sql<R>`select p.app_label, p.codename from ${sql.table(Permission.table)} p join ${sql.table(groupPerms.table)} gp on ${sql.ref(`gp.${groupPerms.to}`)} = p.id join ${sql.table(groups.table)} ug on ${sql.ref(`ug.${groups.to}`)} = ${sql.ref(`gp.${groupPerms.from}`)} where ${sql.ref(`ug.${groups.from}`)} = ${userId}`.execute(db.kysely);
  return new Set([...own.rows, ...viaGroups.rows].map((r) => `${r.app_label}.${r.codename}`));
}

/**
 * Every permission the user has, directly or through a group (`'blog.change_post'`…). An inactive
 * user has none; a superuser's set is still only what is assigned (use `can()`, which knows that a
 * superuser may do everything). Loaded once per user object.
 *
 * @param db needed only for a user that did not come from `req.user`
 * @example const perms = await permissionsOf(await req.user)
 */
export function permissionsOf<MS extends Models>(user: AuthUser, db?: Database<MS>): Promise<ReadonlySet<string>> {
  if (!user.is_active) return Promise.resolve(new Set());
  let ctx = CONTEXTS.get(user);
  if (ctx === undefined) {
    if (db === undefined) {
      throw new AuthError('E_AUTH_NO_DATABASE', `Permissions of user '${user.username}' need the database: this row did not come from req.user.`, {
        hint: 'Pass it: can(user, name, db) or permissionsOf(user, db).',
      });
    }
    ctx = { db: untyped(db) };
    CONTEXTS.set(user, ctx);
  }
  const current = ctx;
  if (current.perms === undefined) {
    current.perms = loadPermissions(current.db, user.id);
    current.perms.catch(() => (current.perms = undefined)); // a failed load is retried, not cached
  }
  return current.perms;
}

/**
 * Whether the user has every one of the permissions: always false for an inactive user, always
 * true for an active superuser, otherwise the user's own permissions and their groups'.
 *
 * @param db needed only for a user that did not come from `req.user`
 * @example
 * const user = await req.user
 * if (user === null || !(await can(user, 'blog.change_post'))) throw forbidden()
 * @see docs/auth.md#permissions
 */
export async function can<MS extends Models>(user: AuthUser | null, name: string | readonly string[], db?: Database<MS>): Promise<boolean> {
  const names = typeof name === 'string' ? [name] : name;
  for (const n of names) splitName(n);
  if (user === null || !user.is_active) return false;
  if (user.is_superuser) return true;
  const perms = await permissionsOf(user, db);
  return names.every((n) => perms.has(n));
}
