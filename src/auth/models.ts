/**
 * The accounts tables: users, groups and permissions, with Django's names and columns so a Django
 * user table maps over directly (`auth_user`, `auth_group`, `auth_permission` and the join tables
 * `auth_user_groups`, `auth_user_user_permissions`, `auth_group_permissions`).
 *
 * @module
 */
import { field, model, type Row } from '../db/index.js';

// Django's UnicodeUsernameValidator: letters, digits and @ . + - _ only. No spaces or ':' (a TOTP
// label uses ':'), nothing that looks like another name once displayed.
const USERNAME_RE = /^[\p{L}\p{N}_.@+-]+$/u;

/** The username rule, as a field validator (also used by signup). */
export function usernameProblem(value: string): string | null {
  return USERNAME_RE.test(value) ? null : 'Enter a valid username. This value may contain only letters, numbers, and @/./+/-/_ characters.';
}

// The shape of an address, not its existence (a reset email proves that); '' means none.
const EMAIL_RE = /^[^\s@\u0000-\u001f\u007f]+@[^\s@\u0000-\u001f\u007f]+\.[^\s@\u0000-\u001f\u007f]+$/u;

function emailProblem(value: string): string | null {
  return value === '' || EMAIL_RE.test(value) ? null : 'Enter a valid email address.';
}

/**
 * A permission, named `<app_label>.<codename>` (`blog.change_post`). `syncPermissions()` creates
 * the view/add/change/delete permissions of every model.
 *
 * @example await db.query(Permission).create({ app_label: 'blog', codename: 'publish_post', name: 'Can publish post' })
 */
export const Permission = model(
  'auth_permission',
  {
    name: field.string({ maxLength: 255 }),
    app_label: field.string({ maxLength: 100 }),
    codename: field.string({ maxLength: 100 }),
  },
  { unique: [['app_label', 'codename']], ordering: ['app_label', 'codename'], verboseName: 'permission' },
);

/**
 * A group of users sharing permissions.
 *
 * @example
 * const editors = await db.query(Group).create({ name: 'editors' })
 * await db.related(Group, editors.id, 'permissions').add(...await permissionIds(db, 'blog.change_post'))
 */
export const Group = model(
  'auth_group',
  {
    name: field.string({ maxLength: 150, unique: true }),
    permissions: field.manyToMany(() => Permission),
  },
  { ordering: ['name'], verboseName: 'group' },
);

/**
 * A user account. `password` holds a self-describing hash (argon2id by default), never a
 * password. The TOTP secret is stored encrypted with a key derived from SECRET_KEY, recovery codes
 * only as SHA-256 hashes.
 *
 * @example const ada = await createUser(db, { username: 'ada', email: 'ada@example.com', password })
 */
export const User = model(
  'auth_user',
  {
    username: field.string({ maxLength: 150, unique: true, validators: [usernameProblem] }),
    first_name: field.string({ maxLength: 150, blank: true, default: '' }),
    last_name: field.string({ maxLength: 150, blank: true, default: '' }),
    // A string with an email check rather than field.email(): field.email() refuses '' even with
    // blank: true, and accounts without an address are normal (created by an admin, imported).
    email: field.string({ maxLength: 254, blank: true, default: '', index: true, validators: [emailProblem] }),
    password: field.string({ maxLength: 255 }),
    is_active: field.boolean({ default: true }),
    is_staff: field.boolean({ default: false }),
    is_superuser: field.boolean({ default: false }),
    last_login: field.datetime({ nullable: true }),
    date_joined: field.datetime({ autoNowAdd: true }),
    /** AES-256-GCM ciphertext of the base32 secret (see `totp-secret.ts`); null when never enrolled. */
    totp_secret: field.text({ nullable: true }),
    totp_enabled: field.boolean({ default: false }),
    /** The time step of the last code accepted: a code of that step or earlier is a replay. */
    totp_last_step: field.integer({ nullable: true }),
    /** `sha256$…` hashes of the unused recovery codes, separated by spaces (one text column, so a use is one conditional UPDATE). */
    totp_recovery_codes: field.text({ blank: true, default: '' }),
    groups: field.manyToMany(() => Group),
    user_permissions: field.manyToMany(() => Permission),
  },
  { verboseName: 'user' },
);

/**
 * Every model of the accounts battery: add them to `connect({ models })` and `makeMigrations()`.
 *
 * @example const db = await connect({ models: [...authModels, ...appModels] })
 * @see docs/auth.md#setting-it-up
 */
export const authModels = Object.freeze([Permission, Group, User] as const);

/** A user row as read from `auth_user`. */
export type AuthUser = Row<typeof User>;
/** A group row. */
export type AuthGroup = Row<typeof Group>;
/** A permission row. */
export type AuthPermission = Row<typeof Permission>;
