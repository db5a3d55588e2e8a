/**
 * The session API itself: misuse errors with their codes, options checked at startup, what a
 * failed request saves, and the small behaviours of clear(), setUser() and rotate().
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { json, rampart, type App } from 'rampart';
import { sessions, sessionKey, MemoryStore, SessionError, SESSION_DEFAULTS, type SessionOptions } from 'rampart/sessions';
import { testClient, type TestClient } from 'rampart/testing';
import { apiToken, Clock, errorOf, SAME_ORIGIN } from './helpers.ts';

declare module 'rampart/sessions' {
  interface SessionData {
    apiTestValue: unknown;
    theme: string;
  }
}

function makeApp(store = new MemoryStore(), options: Partial<SessionOptions> = {}): App {
  const app = rampart({ env: 'test' });
  app.use(sessions({ store, ...options }));
  app.onError((err) => (err instanceof SessionError ? json({ code: err.code, message: err.message }, { status: 500 }) : undefined));
  app.get('/token', (req) => ({ token: req.csrfToken() }));
  app.get('/theme', (req) => ({ theme: req.session.get('theme') ?? null, user: req.session.userId, has: req.session.has('theme') }));
  return app;
}

async function post(client: TestClient, path: string, form: Record<string, string> = {}) {
  return client.post(path, { form, headers: { ...SAME_ORIGIN, 'x-csrf-token': await apiToken(client) } });
}

describe('misuse', () => {
  test('req.session without the middleware explains how to install it', async () => {
    const app = rampart({ env: 'test' });
    app.onError((err) => (err instanceof SessionError ? json({ code: err.code, message: err.message, hint: err.hint }, { status: 500 }) : undefined));
    app.get('/', (req) => req.session.get('theme') ?? 'none');
    const res = await testClient(app).get('/');
    assert.equal(res.status, 500);
    assert.deepEqual(res.json(), {
      code: 'E_SESSION_NOT_INSTALLED',
      message: 'req.session is only available when the sessions middleware runs for the route.',
      hint: "Add it to the app or the route's group: app.use(sessions({ store: new MemoryStore() })), from 'rampart/sessions'.",
    });
  });

  test('values JSON cannot hold are refused when set, and nothing is saved', async () => {
    const store = new MemoryStore();
    const app = makeApp(store);
    const values: Record<string, unknown> = { bigint: 1n, fn: () => 1, undef: undefined, symbol: Symbol('s') };
    const cyclic: Record<string, unknown> = {};
    cyclic['self'] = cyclic;
    values['cyclic'] = cyclic;
    app.get('/bad/:kind', (req) => {
      req.session.set('apiTestValue', values[String(req.params.kind)]);
      return 'stored';
    });
    for (const kind of Object.keys(values)) {
      const res = await testClient(app).get(`/bad/${kind}`);
      assert.equal(res.status, 500, kind);
      assert.equal(res.json<{ code: string }>().code, 'E_SESSION_VALUE_INVALID', kind);
      assert.equal(res.header('set-cookie'), undefined);
    }
    assert.equal(store.size, 0);
  });

  test("keys starting with 'rampart.' are Rampart's own", async () => {
    const app = makeApp();
    app.get('/reserved', (req) => {
      req.session.set('rampart.csrf' as 'theme', 'mine');
      return 'stored';
    });
    const res = await testClient(app).get('/reserved');
    assert.equal(res.json<{ code: string }>().code, 'E_SESSION_KEY_INVALID');
  });

  test('setUser() needs an id or null', async () => {
    const app = makeApp();
    app.get('/nobody', (req) => {
      req.session.setUser('');
      return 'x';
    });
    assert.equal((await testClient(app).get('/nobody')).json<{ code: string }>().code, 'E_SESSION_USER_INVALID');
  });

  test('options are checked when the middleware is created', () => {
    const store = new MemoryStore();
    const bad: [string, unknown][] = [
      ['no store', {}],
      ['a store missing methods', { store: { get() {}, set() {} } }],
      ['idle longer than absolute', { store, idleTimeoutSeconds: 100, absoluteLifetimeSeconds: 50 }],
      ['touch not shorter than idle', { store, idleTimeoutSeconds: 60, touchIntervalSeconds: 60 }],
      ['a fractional timeout', { store, idleTimeoutSeconds: 1.5 }],
      ['a cookie name with a space', { store, cookieName: 'my session' }],
    ];
    for (const [name, options] of bad) {
      assert.throws(
        () => sessions(options as SessionOptions),
        (err: unknown) => err instanceof SessionError && err.code === 'E_SESSION_OPTIONS_INVALID',
        name,
      );
    }
  });

  test('the defaults are two weeks idle, 30 days absolute, a write a minute at most, CSRF on', () => {
    assert.deepEqual({ ...SESSION_DEFAULTS }, {
      cookieName: 'sessionid',
      idleTimeoutSeconds: 1_209_600,
      absoluteLifetimeSeconds: 2_592_000,
      touchIntervalSeconds: 60,
      csrf: true,
    });
    assert.ok(Object.isFrozen(SESSION_DEFAULTS));
  });
});

describe('behaviour', () => {
  test('a request that fails saves nothing, but a logout it asked for still happens in the store', async () => {
    const store = new MemoryStore();
    const app = makeApp(store);
    app.post('/theme', async (req) => {
      req.session.set('theme', (await req.form()).get('theme') ?? '');
      return 'ok';
    });
    app.post('/fail-after-set', (req) => {
      req.session.set('theme', 'lost');
      throw new Error('boom');
    });
    app.post('/fail-after-logout', (req) => {
      req.session.destroy();
      throw new Error('boom');
    });
    const client = testClient(app);
    await post(client, '/theme', { theme: 'dark' });
    const failed = await post(client, '/fail-after-set');
    assert.equal(failed.status, 500);
    assert.equal((await client.get('/theme')).json<{ theme: string }>().theme, 'dark');
    const id = client.cookies.get('sessionid')!;
    assert.notEqual(await store.get(sessionKey(id)), null);
    assert.equal((await post(client, '/fail-after-logout')).status, 500);
    assert.equal(await store.get(sessionKey(id)), null);
    assert.deepEqual((await client.get('/theme')).json(), { theme: null, user: null, has: false });
  });

  test('clear() empties values and user but keeps the id and the CSRF secret', async () => {
    const app = makeApp();
    app.post('/prefs', (req) => {
      req.session.set('theme', 'dark');
      req.session.setUser(7);
      return 'ok';
    });
    app.post('/clear', (req) => {
      req.session.clear();
      return 'cleared';
    });
    const client = testClient(app);
    await post(client, '/prefs');
    const token = await apiToken(client);
    const id = client.cookies.get('sessionid');
    const res = await client.post('/clear', { headers: { ...SAME_ORIGIN, 'x-csrf-token': token } });
    assert.equal(res.status, 200);
    assert.equal(client.cookies.get('sessionid'), id);
    assert.deepEqual((await client.get('/theme')).json(), { theme: null, user: null, has: false });
    // The token of a form opened before clear() still verifies.
    assert.equal((await client.post('/clear', { headers: { ...SAME_ORIGIN, 'x-csrf-token': token } })).status, 200);
  });

  test('setUser() with the same user neither rotates nor rewrites; a different one rotates', async () => {
    const app = makeApp();
    app.post('/login/:name', (req) => {
      req.session.setUser(String(req.params.name));
      return { user: req.session.userId };
    });
    const client = testClient(app);
    await post(client, '/login/ada');
    const first = client.cookies.get('sessionid');
    const same = await post(client, '/login/ada');
    assert.deepEqual(same.json(), { user: 'ada' });
    assert.equal(client.cookies.get('sessionid'), first);
    await post(client, '/login/bob');
    assert.notEqual(client.cookies.get('sessionid'), first);
    assert.equal((await client.get('/theme')).json<{ user: string }>().user, 'bob');
  });

  test('logging in starts a new absolute lifetime', async () => {
    const clock = new Clock();
    const store = new MemoryStore({ now: clock.now });
    const app = makeApp(store, { now: clock.now, idleTimeoutSeconds: 3600, absoluteLifetimeSeconds: 7200 });
    app.post('/login', (req) => {
      req.session.setUser('ada');
      return 'ok';
    });
    const client = testClient(app);
    await apiToken(client); // an anonymous session, created now
    clock.advance(3000);
    await post(client, '/login');
    clock.advance(3000);
    assert.equal((await client.get('/theme')).json<{ user: string }>().user, 'ada');
    clock.advance(3000); // 9000 s after the anonymous session began, 6000 s after login
    assert.equal((await client.get('/theme')).json<{ user: string }>().user, 'ada');
    clock.advance(1300);
    assert.equal((await client.get('/theme')).json<{ user: string | null }>().user, null);
  });

  test('sessions({ csrf: false }) installs no CSRF check and no token', async () => {
    const app = rampart({ env: 'test' });
    app.use(sessions({ store: new MemoryStore(), csrf: false }));
    let hits = 0;
    app.get('/token', (req) => ({ token: req.csrfToken() }));
    app.post('/open', () => ++hits);
    const client = testClient(app);
    assert.deepEqual((await client.get('/token')).json(), { token: null });
    const res = await client.post('/open', { headers: { origin: 'https://evil.example' } });
    assert.equal(res.status, 200);
    assert.equal(hits, 1);
  });

  test('a session store that fails makes the request fail (500), not an anonymous session', async () => {
    const broken = new MemoryStore();
    broken.get = async () => {
      throw new Error('store down');
    };
    const app = makeApp(broken);
    const client = testClient(app);
    client.cookies.set('sessionid', 'A'.repeat(43));
    const res = await client.get('/theme');
    assert.equal(res.status, 500);
    assert.equal(errorOf(res).message, 'Internal Server Error');
  });
});
