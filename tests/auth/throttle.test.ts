/**
 * Login throttling: the 6th attempt within the window is 429 whatever the password, per account
 * and per client address; the window ends (injected clock); a success clears the account's count
 * but not the address's. The counter stores on their own, memory and real Redis.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { Redis } from 'ioredis';
import { AuthError, LoginThrottle, MemoryCounterStore, RedisCounterStore, User } from 'rampart/auth';
import { accountsApp, accountsDb, logIn, makeUser, whoami, type AccountsDb } from './support.ts';

const TOO_MANY = /Too many failed attempts\. Try again in 15 minutes\./;
const REDIS_URL = process.env['REDIS_URL'];
const REDIS_SKIP = REDIS_URL === undefined || REDIS_URL === '' ? 'REDIS_URL not set' : false;
const REDIS_PREFIX = `rampart-test:throttle:${process.pid}:${randomBytes(4).toString('hex')}:`;
let redis: Redis | undefined;

let env: AccountsDb;
before(async () => {
  env = await accountsDb('sqlite');
});
after(async () => {
  await env.done();
  if (redis !== undefined) {
    const keys = await redis.keys(`${REDIS_PREFIX}*`);
    if (keys.length > 0) await redis.del(...keys);
    await redis.quit();
  }
});

describe('brute force through the login view', () => {
  test('the 6th attempt within the window is 429 with Retry-After even with the right password', async () => {
    const user = await makeUser(env.db);
    const { client } = accountsApp(env.db);
    const c = client();
    for (let i = 1; i <= 5; i++) assert.equal((await logIn(c, user.username, `guess ${i}`)).status, 422, `attempt ${i}`);
    const res = await logIn(c, user.username); // correct
    assert.equal(res.status, 429);
    assert.equal(res.header('retry-after'), '900');
    assert.match(res.text, TOO_MANY);
    assert.equal(await whoami(c), null);
    assert.equal((await env.db.query(User).get(user.id))?.last_login, null);
  });

  test('the account is locked from every address, not only the attacker’s', async () => {
    const user = await makeUser(env.db);
    const { client } = accountsApp(env.db);
    for (let i = 1; i <= 5; i++) await logIn(client({ remoteAddress: `10.0.0.${i}` }), user.username, `guess ${i}`);
    const res = await logIn(client({ remoteAddress: '10.9.9.9' }), user.username);
    assert.equal(res.status, 429);
  });

  test('per address: 5 failures on 5 accounts from one address lock that address, not others', async () => {
    const victims = await Promise.all([1, 2, 3, 4, 5].map(() => makeUser(env.db)));
    const other = await makeUser(env.db);
    const { client } = accountsApp(env.db);
    const sprayer = { remoteAddress: '203.0.113.7' };
    for (const v of victims) assert.equal((await logIn(client(sprayer), v.username, 'Summer2024!')).status, 422);
    const blocked = await logIn(client(sprayer), other.username); // correct password, fresh account
    assert.equal(blocked.status, 429);
    assert.equal(blocked.header('retry-after'), '900');
    const elsewhere = client({ remoteAddress: '198.51.100.1' });
    assert.equal((await logIn(elsewhere, other.username)).status, 303);
    assert.equal(await whoami(elsewhere), other.username);
  });

  test('after the window, the right password logs in again', async () => {
    const user = await makeUser(env.db);
    const { client, clock } = accountsApp(env.db);
    const c = client();
    for (let i = 0; i < 5; i++) await logIn(c, user.username, 'wrong');
    clock.advance(14 * 60);
    const still = await logIn(c, user.username);
    assert.equal(still.status, 429);
    assert.equal(still.header('retry-after'), '60');
    clock.advance(60);
    assert.equal((await logIn(c, user.username)).status, 303);
    assert.equal(await whoami(c), user.username);
  });

  test('a success clears the account’s failures, but not the address’s', async () => {
    const user = await makeUser(env.db);
    const { client } = accountsApp(env.db, { routes: { throttle: { maxFailuresPerAddress: 100 } } });
    const c = client();
    for (let i = 0; i < 4; i++) await logIn(c, user.username, 'wrong');
    assert.equal((await logIn(c, user.username)).status, 303);
    for (let i = 0; i < 4; i++) assert.equal((await logIn(client(), user.username, 'wrong')).status, 422);
    assert.equal((await logIn(client(), user.username)).status, 303);

    const counters = new MemoryCounterStore();
    const strict = accountsApp(env.db, { routes: { throttle: { store: counters, maxFailures: 100 } } });
    const other = await makeUser(env.db);
    for (let i = 0; i < 4; i++) await logIn(strict.client(), other.username, 'wrong');
    assert.equal((await logIn(strict.client(), other.username)).status, 303);
    await logIn(strict.client(), other.username, 'wrong');
    assert.equal((await logIn(strict.client(), other.username)).status, 429); // 5 from 127.0.0.1
  });

  test('the account key ignores case and spaces, so variants share one counter', async () => {
    const user = await makeUser(env.db);
    const { client } = accountsApp(env.db, { routes: { throttle: { maxFailuresPerAddress: 100 } } });
    const variants = [user.username, user.username.toUpperCase(), ` ${user.username}`, `${user.username} `, user.username];
    for (const v of variants) await logIn(client(), v, 'wrong');
    assert.equal((await logIn(client(), user.username)).status, 429);
  });

  test('throttle: false turns it off', async () => {
    const user = await makeUser(env.db);
    const c = accountsApp(env.db, { routes: { throttle: false } }).client();
    for (let i = 0; i < 8; i++) await logIn(c, user.username, 'wrong');
    assert.equal((await logIn(c, user.username)).status, 303);
  });

  test('with Redis counters, the 6th attempt is 429 even with the right password', { skip: REDIS_SKIP }, async () => {
    redis ??= new Redis(REDIS_URL!);
    const user = await makeUser(env.db);
    const store = new RedisCounterStore({ client: redis, prefix: `${REDIS_PREFIX}view:` });
    const { client } = accountsApp(env.db, { routes: { throttle: { store } } });
    const c = client();
    for (let i = 0; i < 5; i++) assert.equal((await logIn(c, user.username, 'wrong')).status, 422);
    const res = await logIn(c, user.username);
    assert.equal(res.status, 429);
    const wait = Number(res.header('retry-after'));
    assert.ok(wait > 890 && wait <= 900, String(wait));
    // Another process of the app (a second app on the same Redis) sees the same counts.
    const shared = accountsApp(env.db, { routes: { throttle: { store: new RedisCounterStore({ client: redis, prefix: `${REDIS_PREFIX}view:` }) } } });
    assert.equal((await logIn(shared.client(), user.username)).status, 429);
  });

  test('bad throttle options are refused when the routes are created', () => {
    for (const bad of [{ maxFailures: 0 }, { maxFailuresPerAddress: -1 }, { windowSeconds: 1.5 }]) {
      assert.throws(() => accountsApp(env.db, { routes: { throttle: bad } }), (err: unknown) => err instanceof AuthError && err.code === 'E_AUTH_OPTIONS_INVALID');
    }
  });
});

describe('counter stores', () => {
  test('MemoryCounterStore counts in a window that starts at the first increment', async () => {
    let now = 1_000_000;
    const store = new MemoryCounterStore({ now: () => now });
    assert.deepEqual(await store.get('k'), { count: 0, resetInMs: 0 });
    assert.deepEqual(await store.increment('k', 10_000), { count: 1, resetInMs: 10_000 });
    now += 4_000;
    assert.deepEqual(await store.increment('k', 10_000), { count: 2, resetInMs: 6_000 });
    assert.deepEqual(await store.get('k'), { count: 2, resetInMs: 6_000 });
    now += 6_000;
    assert.deepEqual(await store.get('k'), { count: 0, resetInMs: 0 });
    assert.deepEqual(await store.increment('k', 10_000), { count: 1, resetInMs: 10_000 });
    await store.reset('k');
    assert.deepEqual(await store.get('k'), { count: 0, resetInMs: 0 });
  });

  test('MemoryCounterStore keeps at most maxKeys keys, dropping expired then oldest', async () => {
    let now = 0;
    const store = new MemoryCounterStore({ now: () => now, maxKeys: 3 });
    await store.increment('a', 1_000);
    await store.increment('b', 5_000);
    await store.increment('c', 5_000);
    now = 2_000; // 'a' has expired
    await store.increment('d', 5_000);
    assert.deepEqual((await Promise.all(['a', 'b', 'c', 'd'].map((k) => store.get(k)))).map((s) => s.count), [0, 1, 1, 1]);
    await store.increment('e', 5_000); // nothing expired: the oldest ('b') goes
    assert.deepEqual((await Promise.all(['b', 'c', 'd', 'e'].map((k) => store.get(k)))).map((s) => s.count), [0, 1, 1, 1]);
    assert.throws(() => new MemoryCounterStore({ maxKeys: 0 }), (err: unknown) => err instanceof AuthError && err.code === 'E_AUTH_OPTIONS_INVALID');
  });

  test('RedisCounterStore: INCR and PEXPIRE in one step, the window ends in Redis', { skip: REDIS_SKIP }, async () => {
    redis ??= new Redis(REDIS_URL!);
    const store = new RedisCounterStore({ client: redis, prefix: `${REDIS_PREFIX}unit:` });
    assert.deepEqual(await store.get('k'), { count: 0, resetInMs: 0 });
    const first = await store.increment('k', 60_000);
    assert.equal(first.count, 1);
    assert.ok(first.resetInMs > 59_000 && first.resetInMs <= 60_000);
    assert.equal((await store.increment('k', 60_000)).count, 2);
    const ttl = await redis.pttl(`${REDIS_PREFIX}unit:k`);
    assert.ok(ttl > 0 && ttl <= 60_000, String(ttl)); // the second increment did not extend the window
    await store.reset('k');
    assert.equal(await redis.exists(`${REDIS_PREFIX}unit:k`), 0);
    // A key left without expiry (written by something else) gets one on the next increment.
    await redis.set(`${REDIS_PREFIX}unit:stuck`, '7');
    const stuck = await store.increment('stuck', 30_000);
    assert.equal(stuck.count, 8);
    assert.ok((await redis.pttl(`${REDIS_PREFIX}unit:stuck`)) > 0);
    // A short window really ends (bounded wait, no timing asserted).
    await store.increment('short', 50);
    let count = 1;
    for (let i = 0; i < 100 && count !== 0; i++) {
      await sleep(20);
      count = (await store.get('short')).count;
    }
    assert.equal(count, 0);
  });

  test('RedisCounterStore without a client or REDIS_URL is refused', () => {
    const saved = process.env['REDIS_URL'];
    delete process.env['REDIS_URL'];
    try {
      assert.throws(() => new RedisCounterStore(), (err: unknown) => err instanceof AuthError && err.code === 'E_AUTH_OPTIONS_INVALID');
    } finally {
      if (saved !== undefined) process.env['REDIS_URL'] = saved;
    }
  });

  test('LoginThrottle on an ioredis client keeps its counters in Redis', { skip: REDIS_SKIP }, () => {
    redis ??= new Redis(REDIS_URL!);
    assert.ok(new LoginThrottle({ redis }).store instanceof RedisCounterStore);
    assert.ok(new LoginThrottle().store instanceof MemoryCounterStore);
  });

  test('LoginThrottle.allow counts uses of an action against maxFailures', async () => {
    const throttle = new LoginThrottle({ maxFailures: 2 });
    assert.deepEqual([await throttle.allow('x'), await throttle.allow('x'), await throttle.allow('x'), await throttle.allow('y')], [true, true, false, true]);
  });
});
