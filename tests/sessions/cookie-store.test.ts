/**
 * CookieStore: the session encrypted in the cookie, with its expiry inside the ciphertext.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { json, rampart, type App } from 'rampart';
import { decrypt } from 'rampart/security';
import { sessions, CookieStore, SessionError, type CookieStoreOptions } from 'rampart/sessions';
import { testClient } from 'rampart/testing';
import { apiToken, Clock, SAME_ORIGIN } from './helpers.ts';

declare module 'rampart/sessions' {
  interface SessionData {
    note: string;
  }
}

const KEY_A = 'A7xQ2mVt9LpZ4kWc8RnJ3hYs6dBf1GuE5oTi0vXlNb';
const KEY_B = 'Zq3Wm8Xn1Vb6Ct4Yr9Ls2Kd7Jf5Hg0Pa8Ue3Io6Qw1';

function makeApp(store: CookieStore, secretKey = KEY_A, clock = new Clock()): App {
  const app = rampart({ env: 'test', secretKey });
  app.use(sessions({ store, now: clock.now, idleTimeoutSeconds: 3600, absoluteLifetimeSeconds: 7200 }));
  app.onError((err) => (err instanceof SessionError ? json({ code: err.code, message: err.message }, { status: 500 }) : undefined));
  app.get('/token', (req) => ({ token: req.csrfToken() }));
  app.get('/note', (req) => ({ note: req.session.get('note') ?? null }));
  app.post('/note', async (req) => {
    req.session.set('note', (await req.form()).get('note') ?? '');
    return 'saved';
  });
  return app;
}

async function saveNote(app: App, note: string, options: { client?: ReturnType<typeof testClient> } = {}) {
  const client = options.client ?? testClient(app);
  const res = await client.post('/note', { form: { note }, headers: { ...SAME_ORIGIN, 'x-csrf-token': await apiToken(client) } });
  return { client, res };
}

describe('CookieStore', () => {
  test('the cookie is encrypted with a key derived from SECRET_KEY: the values are not in it', async () => {
    const app = makeApp(new CookieStore());
    const { client, res } = await saveNote(app, 'my-secret-note');
    assert.equal(res.status, 200);
    const value = client.cookies.get('sessionid')!;
    assert.ok(!Buffer.from(value, 'base64url').toString('latin1').includes('my-secret-note'));
    // Not decryptable with SECRET_KEY itself, nor under another purpose: the key is derived.
    assert.equal(decrypt(value, KEY_A, 'something-else'), null);
    assert.deepEqual((await client.get('/note')).json(), { note: 'my-secret-note' });
  });

  test("another app's cookie (other SECRET_KEY) is an anonymous session", async () => {
    const { client } = await saveNote(makeApp(new CookieStore(), KEY_B), 'from b');
    const a = testClient(makeApp(new CookieStore(), KEY_A));
    a.cookies.set('sessionid', client.cookies.get('sessionid')!);
    const res = await a.get('/note');
    assert.equal(res.status, 200);
    assert.deepEqual(res.json(), { note: null });
  });

  test('after a key change, fallbackSecretKeys keeps existing sessions readable, and the next write uses the new key', async () => {
    const { client } = await saveNote(makeApp(new CookieStore(), KEY_A), 'kept');
    const rotated = makeApp(new CookieStore({ fallbackSecretKeys: [KEY_A] }), KEY_B);
    const moved = testClient(rotated);
    moved.cookies.set('sessionid', client.cookies.get('sessionid')!);
    assert.deepEqual((await moved.get('/note')).json(), { note: 'kept' });
    await saveNote(rotated, 'rewritten', { client: moved });
    const onlyNew = testClient(makeApp(new CookieStore(), KEY_B));
    onlyNew.cookies.set('sessionid', moved.cookies.get('sessionid')!);
    assert.deepEqual((await onlyNew.get('/note')).json(), { note: 'rewritten' });
  });

  test('the expiry is inside the ciphertext: a kept copy of the cookie dies with its session', async () => {
    const clock = new Clock();
    const app = makeApp(new CookieStore(), KEY_A, clock);
    const { client } = await saveNote(app, 'short-lived');
    const copy = client.cookies.get('sessionid')!;
    clock.advance(3601);
    const replay = testClient(app);
    replay.cookies.set('sessionid', copy);
    assert.deepEqual((await replay.get('/note')).json(), { note: null });
  });

  test('a session too large for a cookie is a clear error, not a truncated cookie', async () => {
    const app = makeApp(new CookieStore());
    const { res } = await saveNote(app, 'x'.repeat(5000));
    assert.equal(res.status, 500);
    const body = res.json<{ code: string; message: string }>();
    assert.equal(body.code, 'E_SESSION_COOKIE_TOO_LARGE');
    assert.match(body.message, /over the 4096-byte limit browsers keep/);
    assert.equal(res.header('set-cookie'), undefined);
  });

  test('maxCookieBytes lowers the limit; invalid options are refused', async () => {
    const app = makeApp(new CookieStore({ maxCookieBytes: 512 }));
    assert.equal((await saveNote(app, 'x'.repeat(400))).res.json<{ code: string }>().code, 'E_SESSION_COOKIE_TOO_LARGE');
    for (const options of [{ maxCookieBytes: 10 }, { maxCookieBytes: 1.5 }, { secretKey: '' }] as CookieStoreOptions[]) {
      assert.throws(
        () => new CookieStore(options),
        (err: unknown) => err instanceof SessionError && err.code === 'E_SESSION_OPTIONS_INVALID',
      );
    }
  });

  test('listing and revoking sessions are refused with a clear code', async () => {
    const store = new CookieStore();
    await assert.rejects(store.listForUser(), (err: unknown) => err instanceof SessionError && err.code === 'E_SESSION_STORE_UNSUPPORTED');
    await assert.rejects(store.destroyForUser(), (err: unknown) => err instanceof SessionError && err.code === 'E_SESSION_STORE_UNSUPPORTED');
  });
});
