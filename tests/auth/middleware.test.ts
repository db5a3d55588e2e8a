/**
 * auth() and req.user: anonymous without a session, the user row loaded once per request,
 * anonymous again when the account is deleted, deactivated or the session was not made by
 * login(); login() and logout() from your own routes; the JSON of a user hides its secrets;
 * misconfiguration explained.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { json, rampart, RampartError } from 'rampart';
import { auth, AuthError, authRoutes, login, logout, User } from 'rampart/auth';
import { MemoryStore, sessions } from 'rampart/sessions';
import { testClient } from 'rampart/testing';
import { accountsApp, accountsDb, HTML, logIn, makeUser, SAME_ORIGIN, whoami, type AccountsDb } from './support.ts';

declare module 'rampart/sessions' {
  interface SessionData {
    basket: string[];
  }
}

let env: AccountsDb;
before(async () => {
  env = await accountsDb('sqlite');
});
after(() => env.done());

const codeOf = (app: ReturnType<typeof rampart>) => app.onError((err) => (err instanceof RampartError ? json({ code: err.code }, { status: 500 }) : undefined));

describe('req.user', () => {
  test('is null for a visitor without a session, and no session is created for it', async () => {
    const res = await accountsApp(env.db).client().get('/whoami');
    assert.deepEqual(res.json(), { user: null });
    assert.equal(res.header('set-cookie'), undefined);
  });

  test('is the user row, whose JSON leaves out the password hash and the TOTP secrets', async () => {
    const user = await makeUser(env.db);
    const { client } = accountsApp(env.db, { extend: (app) => app.get('/me', async (req) => (await req.user)!) });
    const c = client();
    await logIn(c, user.username);
    const me = (await c.get('/me')).json<Record<string, unknown>>();
    assert.equal(me['username'], user.username);
    assert.equal(me['id'], user.id);
    for (const secret of ['password', 'totp_secret', 'totp_recovery_codes']) assert.equal(secret in me, false, secret);
  });

  test('is loaded once per request', async () => {
    const user = await makeUser(env.db);
    const { client } = accountsApp(env.db, { extend: (app) => app.get('/twice', async (req) => ({ same: (await req.user) === (await req.user) })) });
    const c = client();
    await logIn(c, user.username);
    assert.deepEqual((await c.get('/twice')).json(), { same: true });
  });

  test('a deleted or deactivated account is anonymous at its next request, and the session is ended', async () => {
    const { client } = accountsApp(env.db);
    const gone = await makeUser(env.db);
    const c1 = client();
    await logIn(c1, gone.username);
    await env.db.query(User).filter({ id: gone.id }).delete();
    const res = await c1.get('/whoami');
    assert.deepEqual(res.json(), { user: null });
    assert.match(res.header('set-cookie') ?? '', /^sessionid=; Max-Age=0/);
    const off = await makeUser(env.db);
    const c2 = client();
    await logIn(c2, off.username);
    await env.db.query(User).filter({ id: off.id }).update({ is_active: false });
    assert.equal(await whoami(c2), null);
    await env.db.query(User).filter({ id: off.id }).update({ is_active: true });
    assert.equal(await whoami(c2), null); // the session is gone, not just hidden
  });

  test('a session naming a user without login() (no password binding) is anonymous', async () => {
    const user = await makeUser(env.db);
    const { client } = accountsApp(env.db, {
      extend: (app) => {
        app.get('/token', (req) => ({ token: req.csrfToken() }));
        app.post('/sneak', async (req) => {
          req.session.setUser(String((await req.json<{ id: number }>()).id));
          return 'ok';
        });
      },
    });
    const c = client();
    const token = (await c.get('/token')).json<{ token: string }>().token;
    assert.equal((await c.post('/sneak', { headers: { ...SAME_ORIGIN, 'x-csrf-token': token }, json: { id: user.id } })).status, 200);
    assert.equal(await whoami(c), null);
  });
});

describe('login() and logout() in your own routes', () => {
  function ownApp() {
    return accountsApp(env.db, {
      extend: (app) => {
        app.get('/token', (req) => ({ token: req.csrfToken() }));
        app.post('/as/:id<int>', async (req) => {
          await login(req, (await env.db.query(User).get(req.params.id))!);
          return { user: (await req.user)?.username, basket: req.session.get('basket') ?? null };
        });
        app.post('/basket', (req) => {
          req.session.set('basket', ['tea']);
          return 'ok';
        });
        app.post('/bye', async (req) => {
          logout(req);
          return { user: await req.user };
        });
      },
    });
  }

  test('switching to another user clears the previous user’s values; the same user keeps them', async () => {
    const ada = await makeUser(env.db);
    const bo = await makeUser(env.db);
    const c = ownApp().client();
    const post = async (path: string) => {
      const token = (await c.get('/token')).json<{ token: string }>().token;
      return c.post(path, { headers: { ...SAME_ORIGIN, 'x-csrf-token': token } });
    };
    assert.deepEqual((await post(`/as/${ada.id}`)).json(), { user: ada.username, basket: null });
    await post('/basket');
    const before = c.cookies.get('sessionid');
    assert.deepEqual((await post(`/as/${ada.id}`)).json(), { user: ada.username, basket: ['tea'] });
    assert.notEqual(c.cookies.get('sessionid'), before); // a new id even for the same user
    assert.deepEqual((await post(`/as/${bo.id}`)).json(), { user: bo.username, basket: null });
    assert.equal(await whoami(c), bo.username);
    assert.deepEqual((await post('/bye')).json(), { user: null });
    assert.equal(await whoami(c), null);
  });
});

describe('misconfiguration', () => {
  test('req.user without auth() is a 500 naming the fix', async () => {
    const app = rampart({ env: 'test' });
    app.use(sessions({ store: new MemoryStore() }));
    app.get('/u', async (req) => ({ user: await req.user }));
    codeOf(app);
    assert.deepEqual((await testClient(app).get('/u')).json(), { code: 'E_AUTH_NOT_INSTALLED' });
  });

  test('auth() without sessions() before it is a 500 naming the fix', async () => {
    const app = rampart({ env: 'test' });
    app.use(auth({ db: env.db }));
    app.get('/u', () => 'never');
    codeOf(app);
    assert.deepEqual((await testClient(app).get('/u')).json(), { code: 'E_AUTH_NOT_INSTALLED' });
  });

  test('bad options are refused when the middleware and routes are created', () => {
    const refused = (fn: () => unknown) => assert.throws(fn, (err: unknown) => err instanceof AuthError && err.code === 'E_AUTH_OPTIONS_INVALID');
    refused(() => auth({} as never));
    refused(() => auth({ db: env.db, loginUrl: '//evil.example/login' }));
    refused(() => auth({ db: env.db, loginUrl: 'login' }));
    refused(() => authRoutes({} as never));
    refused(() => authRoutes({ db: env.db, loginRedirectUrl: 'https://evil.example' }));
    refused(() => authRoutes({ db: env.db, resetTokenMaxAgeSeconds: 0 }));
    refused(() => authRoutes({ db: env.db, secondFactorTimeoutSeconds: 1.5 }));
  });

  test('the accounts views need a template engine, and say so', async () => {
    const app = rampart({ env: 'test' });
    app.use(sessions({ store: new MemoryStore() }), auth({ db: env.db }));
    app.mount('/accounts', authRoutes({ db: env.db, mailer: { send: async () => ({ messageId: '<x@x>', accepted: [], rejected: [] }) } }));
    codeOf(app);
    assert.deepEqual((await testClient(app).get('/accounts/login', { headers: HTML })).json(), { code: 'E_TEMPLATES_NOT_CONFIGURED' });
  });
});
