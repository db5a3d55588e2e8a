/**
 * The same session suite on MemoryStore, CookieStore and RedisStore (real Redis; skipped with the
 * reason shown when REDIS_URL is not set): fixation, logout, tampering, idle and absolute expiry
 * with an injected clock, a user's sessions, cache headers, and the __Host- cookie under HTTPS.
 */
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { json, rampart, type App, type Settings } from 'rampart';
import { sessions, sessionKey, CookieStore, MemoryStore, RedisStore, SessionError, type SessionStore } from 'rampart/sessions';
import { testClient, type TestClient, type TestResponse } from 'rampart/testing';
import { apiToken, Clock, SAME_ORIGIN } from './helpers.ts';

declare module 'rampart/sessions' {
  interface SessionData {
    cart: string[];
  }
}

const IDLE = 3600; // one hour
const ABSOLUTE = 8 * 3600; // eight hours
const REDIS_URL = process.env['REDIS_URL'];
const REDIS_PREFIX = `rampart-test:${process.pid}:${randomBytes(4).toString('hex')}:`;

interface Kind {
  readonly name: string;
  readonly serverSide: boolean;
  readonly skip: string | false;
  make(clock: Clock): SessionStore | CookieStore;
}

let redis: Redis | undefined;
let redisTests = 0;
after(async () => {
  if (redis === undefined) return;
  const keys = await redis.keys(`${REDIS_PREFIX}*`);
  if (keys.length > 0) await redis.del(...keys);
  await redis.quit();
});

const KINDS: readonly Kind[] = [
  { name: 'MemoryStore', serverSide: true, skip: false, make: (clock) => new MemoryStore({ now: clock.now }) },
  { name: 'CookieStore', serverSide: false, skip: false, make: () => new CookieStore() },
  {
    name: 'RedisStore',
    serverSide: true,
    skip: REDIS_URL === undefined || REDIS_URL === '' ? 'REDIS_URL not set' : false,
    // A prefix per test, so the user indexes of one test do not show in another.
    make: () => new RedisStore({ client: (redis ??= new Redis(REDIS_URL!)), prefix: `${REDIS_PREFIX}${++redisTests}:` }),
  },
];

function makeApp(store: SessionStore | CookieStore, clock: Clock, settings: Settings = {}): App {
  const app = rampart({ env: 'test', ...settings });
  app.use(sessions({ store, now: clock.now, idleTimeoutSeconds: IDLE, absoluteLifetimeSeconds: ABSOLUTE }));
  app.onError((err) => (err instanceof SessionError ? json({ code: err.code }, { status: 501 }) : undefined));
  app.get('/token', (req) => ({ token: req.csrfToken() }));
  app.get('/whoami', (req) => ({ user: req.session.userId, cart: req.session.get('cart') ?? null, isNew: req.session.isNew }));
  app.get('/plain', () => 'plain');
  app.get('/ephemeral', (req) => {
    req.session.set('cart', ['x']);
    req.session.delete('cart');
    return 'nothing kept';
  });
  app.post('/cart', async (req) => {
    const sku = (await req.form()).get('sku') ?? '';
    const cart = [...(req.session.get('cart') ?? []), sku];
    req.session.set('cart', cart);
    return { cart };
  });
  app.post('/login', async (req) => {
    req.session.setUser((await req.form()).get('user') ?? '');
    return { user: req.session.userId };
  });
  app.post('/logout', (req) => {
    req.session.destroy();
    return 'bye';
  });
  app.post('/rotate', (req) => {
    req.session.rotate();
    return 'rotated';
  });
  app.get('/my-sessions', async (req) => (await req.session.userSessions()).map((s) => ({ current: s.current, key: s.key })));
  app.post('/logout-others', async (req) => ({ destroyed: await req.session.destroyUserSessions() }));
  return app;
}

/** POSTs the way the app's own pages do: same origin, with a CSRF token. */
async function send(client: TestClient, path: string, form: Record<string, string> = {}): Promise<TestResponse> {
  const token = await apiToken(client);
  const res = await client.post(path, { form, headers: { ...SAME_ORIGIN, 'x-csrf-token': token } });
  assert.ok(res.status < 400, `${path}: ${res.status} ${res.text}`);
  return res;
}

async function whoami(client: TestClient): Promise<{ user: string | null; cart: string[] | null; isNew: boolean }> {
  const res = await client.get('/whoami');
  assert.equal(res.status, 200);
  return res.json();
}

function sessionCookie(res: TestResponse, name = 'sessionid') {
  return res.cookies.find((c) => c.name === name);
}

/** Changes one character in the middle of a cookie value. */
function tamper(value: string): string {
  const i = Math.floor(value.length / 2);
  return value.slice(0, i) + (value[i] === 'A' ? 'B' : 'A') + value.slice(i + 1);
}

for (const kind of KINDS) {
  describe(kind.name, { skip: kind.skip }, () => {
    const setup = (settings: Settings = {}) => {
      const clock = new Clock();
      const store = kind.make(clock);
      return { clock, store, app: makeApp(store, clock, settings) };
    };

    test('a first visit costs no session: nothing stored, no cookie', async () => {
      const { app } = setup();
      const client = testClient(app);
      const res = await client.get('/whoami');
      assert.deepEqual(res.json(), { user: null, cart: null, isNew: true });
      assert.equal(res.header('set-cookie'), undefined);
      const ephemeral = await client.get('/ephemeral');
      assert.equal(ephemeral.text, 'nothing kept');
      assert.equal(ephemeral.header('set-cookie'), undefined);
    });

    test('values set in one request are there in the next; the cookie is HttpOnly, SameSite=Lax, Path=/', async () => {
      const { app } = setup();
      const client = testClient(app);
      const res = await send(client, '/cart', { sku: 'sku-1' });
      assert.deepEqual(res.json(), { cart: ['sku-1'] });
      await send(client, '/cart', { sku: 'sku-2' });
      assert.deepEqual(await whoami(client), { user: null, cart: ['sku-1', 'sku-2'], isNew: false });
      const cookie = sessionCookie(await client.get('/token'))!;
      // /token reused the secret: a new cookie only comes with a write or a touch.
      assert.equal(cookie, undefined);
      const first = sessionCookie(await testClient(app).get('/token'))!;
      assert.equal(first.httpOnly, true);
      assert.equal(first.sameSite, 'Lax');
      assert.equal(first.path, '/');
      assert.equal(first.secure, false);
      assert.equal(first.domain, undefined);
      assert.equal(first.maxAge, IDLE);
      if (kind.serverSide) assert.match(first.value, /^[A-Za-z0-9_-]{43}$/);
      else assert.ok(!Buffer.from(first.value, 'base64url').toString('latin1').includes('rampart.csrf'), 'the cookie session is encrypted');
    });

    if (kind.serverSide) {
      test('the store holds the SHA-256 of the id, never the id', async () => {
        const { app, store } = setup();
        const client = testClient(app);
        await send(client, '/cart', { sku: 'sku-1' });
        const id = client.cookies.get('sessionid')!;
        const s = store as SessionStore;
        assert.equal(await s.get(id), null);
        const record = await s.get(sessionKey(id));
        assert.deepEqual(record?.data['cart'], ['sku-1']);
        if (kind.name === 'RedisStore') {
          const keys = await redis!.keys(`${REDIS_PREFIX}*`);
          assert.ok(keys.includes(`${REDIS_PREFIX}${redisTests}:s:${sessionKey(id)}`));
          assert.ok(keys.every((k) => !k.includes(id)));
        }
      });
    }

    test('fixation: an id planted before login does not carry the login', async () => {
      const { app } = setup();
      const attacker = testClient(app);
      await send(attacker, '/cart', { sku: 'bait' });
      const planted = attacker.cookies.get('sessionid')!;
      const victim = testClient(app);
      victim.cookies.set('sessionid', planted);
      const login = await send(victim, '/login', { user: 'ada' });
      assert.deepEqual(login.json(), { user: 'ada' });
      const fresh = victim.cookies.get('sessionid')!;
      assert.notEqual(fresh, planted);
      assert.deepEqual(await whoami(victim), { user: 'ada', cart: ['bait'], isNew: false });
      const replay = await whoami(attacker);
      assert.equal(replay.user, null);
      if (kind.serverSide) assert.deepEqual(replay, { user: null, cart: null, isNew: true });
    });

    test('rotate() gives a new id and kills the old one, keeping the values', async () => {
      const { app } = setup();
      const client = testClient(app);
      await send(client, '/cart', { sku: 'a' });
      const before = client.cookies.get('sessionid')!;
      await send(client, '/rotate');
      const afterRotate = client.cookies.get('sessionid')!;
      assert.notEqual(afterRotate, before);
      assert.deepEqual((await whoami(client)).cart, ['a']);
      if (kind.serverSide) {
        const old = testClient(app);
        old.cookies.set('sessionid', before);
        assert.deepEqual(await whoami(old), { user: null, cart: null, isNew: true });
      }
    });

    test('logout clears the cookie, and the session is gone for this browser', async () => {
      const { app } = setup();
      const client = testClient(app);
      await send(client, '/login', { user: 'ada' });
      const copied = client.cookies.get('sessionid')!;
      const res = await send(client, '/logout');
      const cleared = sessionCookie(res)!;
      assert.equal(cleared.value, '');
      assert.equal(cleared.maxAge, 0);
      assert.equal(client.cookies.get('sessionid'), undefined);
      assert.deepEqual(await whoami(client), { user: null, cart: null, isNew: true });
      const replay = testClient(app);
      replay.cookies.set('sessionid', copied);
      if (kind.serverSide) {
        // The old cookie replayed after destroy() is anonymous.
        assert.deepEqual(await whoami(replay), { user: null, cart: null, isNew: true });
      } else {
        // Documented limit of cookie sessions: a copy taken before logout stays valid until it expires.
        assert.equal((await whoami(replay)).user, 'ada');
      }
    });

    test('a tampered, unknown or garbage cookie is an anonymous session, never an error page', async () => {
      const { app } = setup();
      const client = testClient(app);
      await send(client, '/login', { user: 'ada' });
      const good = client.cookies.get('sessionid')!;
      const forged = [tamper(good), good.slice(0, -1), good + 'A', 'x'.repeat(43), 'garbage', '%00%ff', 'A'.repeat(4000), ''];
      for (const value of forged) {
        const other = testClient(app);
        other.cookies.set('sessionid', value);
        const res = await other.get('/whoami');
        assert.equal(res.status, 200, JSON.stringify(value));
        assert.deepEqual(res.json(), { user: null, cart: null, isNew: true }, JSON.stringify(value));
        if (value !== '') assert.equal(sessionCookie(res)?.maxAge, 0, 'the bad cookie is cleared');
      }
      assert.equal((await whoami(client)).user, 'ada');
    });

    test('idle expiry: activity keeps the session alive, an hour without any ends it', async () => {
      const { app, clock } = setup();
      const client = testClient(app);
      await send(client, '/login', { user: 'ada' });
      clock.advance(IDLE - 120);
      assert.equal((await whoami(client)).user, 'ada');
      clock.advance(IDLE - 120);
      assert.equal((await whoami(client)).user, 'ada', 'the previous request refreshed the idle timer');
      clock.advance(IDLE);
      assert.deepEqual(await whoami(client), { user: null, cart: null, isNew: true });
    });

    test('absolute expiry: however active, the session ends after its lifetime', async () => {
      const { app, clock } = setup();
      const client = testClient(app);
      await send(client, '/login', { user: 'ada' });
      const step = IDLE - 600;
      let elapsed = 0;
      for (let i = 0; i < 20 && elapsed + step < ABSOLUTE; i++) {
        clock.advance(step);
        elapsed += step;
        assert.equal((await whoami(client)).user, 'ada', `after ${elapsed}s`);
      }
      clock.advance(ABSOLUTE - elapsed);
      assert.deepEqual(await whoami(client), { user: null, cart: null, isNew: true });
    });

    test('activity is written back at most once a minute', async () => {
      const { app, clock, store } = setup();
      const client = testClient(app);
      await send(client, '/login', { user: 'ada' });
      const id = client.cookies.get('sessionid')!;
      const loggedInAt = clock.t;
      clock.advance(30);
      assert.equal(sessionCookie(await client.get('/whoami')), undefined);
      clock.advance(31);
      const touched = await client.get('/whoami');
      const cookie = sessionCookie(touched)!;
      assert.equal(cookie.maxAge, IDLE);
      if (kind.serverSide) {
        assert.equal(cookie.value, id);
        const record = await (store as SessionStore).get(sessionKey(id));
        assert.equal(record?.lastSeenAt, clock.t);
        assert.equal(record?.createdAt, loggedInAt);
        assert.equal(record?.expiresAt, clock.t + IDLE * 1000);
      }
      clock.advance(10);
      assert.equal(sessionCookie(await client.get('/whoami')), undefined);
    });

    test("a user's sessions can be listed and signed out everywhere else", async () => {
      const { app } = setup();
      const laptop = testClient(app);
      const phone = testClient(app);
      const bob = testClient(app);
      await send(laptop, '/login', { user: 'ada' });
      await send(phone, '/login', { user: 'ada' });
      await send(bob, '/login', { user: 'bob' });
      const list = await laptop.get('/my-sessions');
      if (!kind.serverSide) {
        assert.equal(list.status, 501);
        assert.deepEqual(list.json(), { code: 'E_SESSION_STORE_UNSUPPORTED' });
        const out = await laptop.post('/logout-others', { headers: { ...SAME_ORIGIN, 'x-csrf-token': await apiToken(laptop) } });
        assert.deepEqual(out.json(), { code: 'E_SESSION_STORE_UNSUPPORTED' });
        return;
      }
      const sessionsOfAda = list.json<{ current: boolean; key: string }[]>();
      assert.equal(sessionsOfAda.length, 2);
      assert.deepEqual(sessionsOfAda.map((s) => s.current).sort(), [false, true]);
      assert.equal(sessionsOfAda.find((s) => s.current)!.key, sessionKey(laptop.cookies.get('sessionid')!));
      const out = await send(laptop, '/logout-others');
      assert.deepEqual(out.json(), { destroyed: 1 });
      assert.deepEqual(await whoami(phone), { user: null, cart: null, isNew: true });
      assert.equal((await whoami(laptop)).user, 'ada');
      assert.equal((await whoami(bob)).user, 'bob');
      assert.equal((await laptop.get('/my-sessions')).json<unknown[]>().length, 1);
    });

    test('a response that used the session is private and varies on Cookie; one that did not is untouched', async () => {
      const { app } = setup();
      const client = testClient(app);
      await send(client, '/cart', { sku: 'a' });
      const used = await client.get('/whoami');
      assert.equal(used.header('cache-control'), 'private, no-store');
      assert.equal(used.header('vary'), 'Cookie');
      const anonymousRead = await testClient(app).get('/whoami');
      assert.equal(anonymousRead.header('cache-control'), 'private, no-store');
      const plain = await client.get('/plain');
      assert.equal(plain.text, 'plain');
      assert.equal(plain.header('cache-control'), undefined);
      assert.equal(plain.header('vary'), undefined);
      assert.equal(plain.header('set-cookie'), undefined);
    });

    test('under HTTPS the cookie is __Host-sessionid: Secure, Path=/, no Domain', async () => {
      const { app } = setup({ https: true });
      const client = testClient(app, { https: true });
      const token = await apiToken(client);
      const res = await client.post('/login', { form: { user: 'ada' }, headers: { origin: 'https://localhost', 'x-csrf-token': token } });
      assert.equal(res.status, 200);
      const cookie = sessionCookie(res, '__Host-sessionid')!;
      assert.equal(cookie.secure, true);
      assert.equal(cookie.path, '/');
      assert.equal(cookie.domain, undefined);
      assert.equal(cookie.httpOnly, true);
      assert.equal(cookie.sameSite, 'Lax');
      assert.equal(sessionCookie(res), undefined, 'no cookie without the prefix');
      assert.equal((await whoami(client)).user, 'ada');
      // A cookie without the prefix (which a sibling subdomain or an http page could set) is ignored.
      const plainName = testClient(app, { https: true });
      plainName.cookies.set('sessionid', client.cookies.get('__Host-sessionid')!);
      assert.equal((await whoami(plainName)).user, null);
    });
  });
}
