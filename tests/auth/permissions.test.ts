/**
 * Permissions on SQLite, PostgreSQL and MariaDB: syncPermissions() is idempotent; can() answers
 * from the user's own permissions and their groups', a superuser has all, an inactive user none;
 * the set is loaded once per user object (once per request for req.user).
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { AuthError, can, Group, Permission, permissionIds, permissionsOf, syncPermissions, User } from 'rampart/auth';
import { databaseTargets } from '../helpers/databases.ts';
import { accountsApp, accountsDb, logIn, makeUser, Post, type AccountsDb } from './support.ts';

for (const target of databaseTargets()) {
  describe(`permissions on ${target.name}`, { skip: target.skip }, () => {
    let env: AccountsDb;
    before(async () => {
      env = await accountsDb(target.name);
    });
    after(() => env?.done());

    test('syncPermissions creates view/add/change/delete per model, once', async () => {
      assert.equal(await syncPermissions(env.db, [Post, Group]), 8);
      assert.equal(await syncPermissions(env.db, [Post, Group]), 0);
      const rows = await env.db.query(Permission).filter({ app_label: 'blog' }).all();
      assert.deepEqual(
        rows.map((p) => [p.codename, p.name]),
        [
          ['add_post', 'Can add blog post'],
          ['change_post', 'Can change blog post'],
          ['delete_post', 'Can delete blog post'],
          ['view_post', 'Can view blog post'],
        ],
      );
      assert.equal(await syncPermissions(env.db, [Post, Group, User]), 4); // only the new model's
      assert.equal(await env.db.query(Permission).count(), 12);
    });

    test('a user has the permissions given to them directly', async () => {
      await syncPermissions(env.db, [Post]);
      const ada = await makeUser(env.db);
      assert.equal(await can(ada, 'blog.change_post', env.db), false);
      await env.db.related(User, ada.id, 'user_permissions').add(...(await permissionIds(env.db, 'blog.change_post')));
      const fresh = (await env.db.query(User).get(ada.id))!;
      assert.equal(await can(fresh, 'blog.change_post', env.db), true);
      assert.equal(await can(fresh, 'blog.delete_post', env.db), false);
      assert.equal(await can(fresh, ['blog.change_post', 'blog.delete_post'], env.db), false);
      assert.deepEqual([...(await permissionsOf(fresh, env.db))], ['blog.change_post']);
    });

    test('a user has the permissions of their groups', async () => {
      await syncPermissions(env.db, [Post]);
      const editors = await env.db.query(Group).create({ name: `editors_${target.name}` });
      await env.db.related(Group, editors.id, 'permissions').add(...(await permissionIds(env.db, 'blog.change_post', 'blog.view_post')));
      const bo = await makeUser(env.db);
      await env.db.related(User, bo.id, 'user_permissions').add(...(await permissionIds(env.db, 'blog.add_post')));
      await env.db.related(User, bo.id, 'groups').add(editors.id);
      assert.deepEqual([...(await permissionsOf(bo, env.db))].sort(), ['blog.add_post', 'blog.change_post', 'blog.view_post']);
      assert.equal(await can(bo, ['blog.change_post', 'blog.add_post'], env.db), true);
      assert.equal(await can(bo, 'blog.delete_post', env.db), false);
    });

    test('an active superuser has every permission, even one that does not exist', async () => {
      const root = await makeUser(env.db, { is_superuser: true });
      assert.equal(await can(root, 'blog.delete_post', env.db), true);
      assert.equal(await can(root, 'shop.refund_order'), true);
    });

    test('an inactive user has none, superuser or not', async () => {
      await syncPermissions(env.db, [Post]);
      const gone = await makeUser(env.db, { is_active: false, is_superuser: true });
      await env.db.related(User, gone.id, 'user_permissions').add(...(await permissionIds(env.db, 'blog.view_post')));
      assert.equal(await can(gone, 'blog.view_post', env.db), false);
      assert.deepEqual([...(await permissionsOf(gone, env.db))], []);
      assert.equal(await can(null, 'blog.view_post'), false);
    });

    test('the set is loaded once per user object: a grant shows on the next load', async () => {
      await syncPermissions(env.db, [Post]);
      const cy = await makeUser(env.db);
      assert.equal(await can(cy, 'blog.view_post', env.db), false);
      await env.db.related(User, cy.id, 'user_permissions').add(...(await permissionIds(env.db, 'blog.view_post')));
      assert.equal(await can(cy, 'blog.view_post', env.db), false); // same object: cached
      assert.equal(await can((await env.db.query(User).get(cy.id))!, 'blog.view_post', env.db), true);
    });

    test('req.user knows its database and caches per request', async () => {
      await syncPermissions(env.db, [Post]);
      const dee = await makeUser(env.db);
      const [viewId] = await permissionIds(env.db, 'blog.view_post');
      const { client } = accountsApp(env.db, {
        extend: (app) =>
          app.get('/check', async (req) => {
            const user = (await req.user)!;
            const before = await can(user, 'blog.view_post');
            await env.db.related(User, user.id, 'user_permissions').add(viewId!);
            const during = await can(user, 'blog.view_post');
            return { before, during, again: await can((await req.user)!, 'blog.view_post') };
          }),
      });
      const c = client();
      await logIn(c, dee.username);
      assert.deepEqual((await c.get('/check')).json(), { before: false, during: false, again: false });
      assert.deepEqual((await c.get('/check')).json(), { before: true, during: true, again: true });
    });

    test('unknown and malformed permission names are refused', async () => {
      await assert.rejects(permissionIds(env.db, 'blog.fly_post'), (err: unknown) => err instanceof AuthError && err.code === 'E_AUTH_PERMISSION_UNKNOWN');
      await assert.rejects(permissionIds(env.db, 'change_post'), (err: unknown) => err instanceof AuthError && err.code === 'E_AUTH_PERMISSION_UNKNOWN');
      const u = await makeUser(env.db);
      await assert.rejects(can(u, 'Blog.Change Post', env.db), (err: unknown) => err instanceof AuthError && err.code === 'E_AUTH_PERMISSION_UNKNOWN');
    });

    test('a row that did not come from req.user needs the database passed', async () => {
      const u = await makeUser(env.db);
      await assert.rejects(can(u, 'blog.view_post'), (err: unknown) => err instanceof AuthError && err.code === 'E_AUTH_NO_DATABASE');
    });
  });
}
