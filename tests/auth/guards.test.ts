/**
 * Guards: an anonymous browser is redirected to the login page with next=, an API client gets
 * 401, a signed-in user without the permission 403; staff only; and the redirect round trip.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { group, rampart } from 'rampart';
import { auth, AuthError, permissionIds, requireLogin, requirePermission, requireStaff, syncPermissions, User } from 'rampart/auth';
import { MemoryStore, sessions } from 'rampart/sessions';
import { testClient } from 'rampart/testing';
import { accountsApp, accountsDb, csrfField, errorOf, HTML, logIn, makeUser, PASSWORD, Post, SAME_ORIGIN, type AccountsDb } from './support.ts';

const JSON_ACCEPT = { accept: 'application/json' };

let env: AccountsDb;
before(async () => {
  env = await accountsDb('sqlite');
  await syncPermissions(env.db, [Post]);
});
after(() => env.done());

function guardedApp() {
  return accountsApp(env.db, {
    extend: (app) => {
      const members = group().use(requireLogin());
      members.get('/', async (req) => ({ hello: (await req.user)!.username }));
      app.mount('/members', members);
      const editors = group().use(requirePermission('blog.change_post'));
      editors.get('/posts', () => ({ posts: [] }));
      editors.post('/posts', () => ({ saved: true }));
      app.mount('/editor', editors);
      const staff = group().use(requireStaff());
      staff.get('/', () => 'back office');
      app.mount('/staff', staff);
      // One guarded page among open ones: the guard as route middleware.
      app.get('/reports', { use: [requireStaff()] }, () => 'reports');
      app.get('/open', () => 'open to all');
    },
  });
}

describe('requireLogin', () => {
  test('an anonymous browser is redirected to the login page with next= its path and query', async () => {
    const res = await guardedApp().client().get('/members?tab=a%20b&x=1', { headers: HTML });
    assert.equal(res.status, 302);
    assert.equal(res.header('location'), '/accounts/login?next=%2Fmembers%3Ftab%3Da%2520b%26x%3D1');
  });

  test('an anonymous API request gets 401 with a JSON error', async () => {
    for (const headers of [JSON_ACCEPT, {}]) {
      const res = await guardedApp().client().get('/members', { headers });
      assert.equal(res.status, 401);
      assert.deepEqual(errorOf(res), { status: 401, message: 'Log in to see this page.', code: 'E_AUTH_LOGIN_REQUIRED' });
    }
  });

  test('the redirect round trip: log in from the login page and land on the protected page', async () => {
    const user = await makeUser(env.db);
    const c = guardedApp().client();
    const first = await c.get('/members?tab=1', { headers: HTML });
    const loginUrl = first.header('location')!;
    const page = await c.get(loginUrl, { headers: HTML });
    const res = await c.post(loginUrl, { headers: SAME_ORIGIN, form: { csrf_token: csrfField(page.text), username: user.username, password: PASSWORD } });
    assert.equal(res.status, 303);
    assert.equal(res.header('location'), '/members?tab=1');
    const member = await c.get('/members?tab=1');
    assert.equal(member.status, 200);
    assert.deepEqual(member.json(), { hello: user.username });
  });

  test('auth({ loginUrl }) changes where browsers are sent', async () => {
    const app = rampart({ env: 'test' });
    app.use(sessions({ store: new MemoryStore() }), auth({ db: env.db, loginUrl: '/signin' }));
    app.mount('/m', group().use(requireLogin()).get('/x', () => 'in'));
    const res = await testClient(app).get('/m/x', { headers: HTML });
    assert.equal(res.header('location'), '/signin?next=%2Fm%2Fx');
  });
});

describe('requirePermission', () => {
  test('a user without the permission gets 403, for pages and API calls alike', async () => {
    const user = await makeUser(env.db);
    const c = guardedApp().client();
    await logIn(c, user.username);
    for (const headers of [HTML, JSON_ACCEPT]) {
      const res = await c.get('/editor/posts', { headers });
      assert.equal(res.status, 403);
    }
    const res = await c.get('/editor/posts', { headers: JSON_ACCEPT });
    assert.deepEqual(errorOf(res), { status: 403, message: 'You do not have permission to see this page.', code: 'E_AUTH_PERMISSION_DENIED' });
  });

  test('with the permission (direct or superuser) the route runs', async () => {
    const editor = await makeUser(env.db);
    await env.db.related(User, editor.id, 'user_permissions').add(...(await permissionIds(env.db, 'blog.change_post')));
    const root = await makeUser(env.db, { is_superuser: true });
    for (const u of [editor, root]) {
      const c = guardedApp().client();
      await logIn(c, u.username);
      const res = await c.get('/editor/posts');
      assert.equal(res.status, 200);
      assert.deepEqual(res.json(), { posts: [] });
    }
  });

  test('a POST with a valid CSRF token is still refused: 401 anonymous, 403 without the permission', async () => {
    const { client } = guardedApp();
    const anon = client();
    const token = csrfField((await anon.get('/accounts/login', { headers: HTML })).text);
    const res = await anon.post('/editor/posts', { headers: { ...JSON_ACCEPT, ...SAME_ORIGIN, 'x-csrf-token': token }, json: {} });
    assert.equal(res.status, 401);
    assert.equal(errorOf(res).code, 'E_AUTH_LOGIN_REQUIRED');
    const user = await makeUser(env.db);
    const member = client();
    await logIn(member, user.username);
    const memberToken = csrfField((await member.get('/accounts/password/change', { headers: HTML })).text);
    const refused = await member.post('/editor/posts', { headers: { ...JSON_ACCEPT, ...SAME_ORIGIN, 'x-csrf-token': memberToken }, json: {} });
    assert.equal(refused.status, 403);
    assert.equal(errorOf(refused).code, 'E_AUTH_PERMISSION_DENIED');
  });

  test('names are checked when the guard is created', () => {
    assert.throws(() => requirePermission(), (err: unknown) => err instanceof AuthError && err.code === 'E_AUTH_OPTIONS_INVALID');
    assert.throws(() => requirePermission('change_post'), (err: unknown) => err instanceof AuthError && err.code === 'E_AUTH_PERMISSION_UNKNOWN');
  });
});

describe('requireStaff', () => {
  test('anonymous: login redirect; not staff: 403; staff: 200', async () => {
    const member = await makeUser(env.db);
    const staff = await makeUser(env.db, { is_staff: true });
    const anon = await guardedApp().client().get('/staff', { headers: HTML });
    assert.equal(anon.status, 302);
    assert.equal(anon.header('location'), '/accounts/login?next=%2Fstaff');
    const m = guardedApp().client();
    await logIn(m, member.username);
    const refused = await m.get('/staff', { headers: JSON_ACCEPT });
    assert.equal(refused.status, 403);
    assert.equal(errorOf(refused).message, 'This page is for staff only.');
    const s = guardedApp().client();
    await logIn(s, staff.username);
    const ok = await s.get('/staff');
    assert.equal(ok.status, 200);
    assert.equal(ok.text, 'back office');
  });

  test('a staff user deactivated since logging in is anonymous at once', async () => {
    const staff = await makeUser(env.db, { is_staff: true });
    const c = guardedApp().client();
    await logIn(c, staff.username);
    await env.db.query(User).filter({ id: staff.id }).update({ is_active: false });
    assert.equal((await c.get('/staff', { headers: JSON_ACCEPT })).status, 401);
  });
});

describe('guards on one route', () => {
  test('route middleware guards only its route', async () => {
    const anon = guardedApp().client();
    assert.equal((await anon.get('/open')).text, 'open to all');
    const redirected = await anon.get('/reports', { headers: HTML });
    assert.equal(redirected.status, 302);
    assert.equal(redirected.header('location'), '/accounts/login?next=%2Freports');
    const member = await makeUser(env.db);
    const m = guardedApp().client();
    await logIn(m, member.username);
    assert.equal((await m.get('/reports', { headers: JSON_ACCEPT })).status, 403);
    const staff = await makeUser(env.db, { is_staff: true });
    const s = guardedApp().client();
    await logIn(s, staff.username);
    const ok = await s.get('/reports');
    assert.equal(ok.status, 200);
    assert.equal(ok.text, 'reports');
  });
});
