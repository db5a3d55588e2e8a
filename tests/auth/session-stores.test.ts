/**
 * Login, logout and session fixation on each session store the issue names: the database store on
 * SQLite and on PostgreSQL, and Redis (real; skipped with the reason shown when REDIS_URL or
 * DATABASE_URL_POSTGRES is not set). Plus the session's tie to the password, on those stores and
 * on the cookie store.
 */
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { setPassword } from 'rampart/auth';
import { CookieStore, RedisStore, sessionKey, type CookieStore as CookieStoreType, type SessionStore } from 'rampart/sessions';
import { databaseTargets } from '../helpers/databases.ts';
import { accountsApp, accountsDb, databaseStore, csrfField, FAST_HASHERS, HTML, logIn, makeUser, SAME_ORIGIN, sessionCookie, whoami, type AccountsDb } from './support.ts';

const REDIS_URL = process.env['REDIS_URL'];
const REDIS_PREFIX = `rampart-test:auth:${process.pid}:${randomBytes(4).toString('hex')}:`;
let redis: Redis | undefined;
after(async () => {
  if (redis === undefined) return;
  const keys = await redis.keys(`${REDIS_PREFIX}*`);
  if (keys.length > 0) await redis.del(...keys);
  await redis.quit();
});

const postgres = databaseTargets().find((t) => t.name === 'postgres')!;

interface Kind {
  readonly name: string;
  readonly target: 'sqlite' | 'postgres';
  readonly skip: string | false;
  /** Server-side: ids exist and can be looked up in the store. */
  readonly serverSide: boolean;
  store(env: AccountsDb): SessionStore | CookieStoreType;
}

const KINDS: readonly Kind[] = [
  { name: 'DatabaseStore on SQLite', target: 'sqlite', skip: false, serverSide: true, store: (env) => databaseStore(env.db) },
  { name: 'DatabaseStore on PostgreSQL', target: 'postgres', skip: postgres.skip, serverSide: true, store: (env) => databaseStore(env.db) },
  {
    name: 'RedisStore',
    target: 'sqlite',
    skip: REDIS_URL === undefined || REDIS_URL === '' ? 'REDIS_URL not set' : false,
    serverSide: true,
    store: () => new RedisStore({ client: (redis ??= new Redis(REDIS_URL!)), prefix: REDIS_PREFIX }),
  },
  { name: 'CookieStore', target: 'sqlite', skip: false, serverSide: false, store: () => new CookieStore() },
];

for (const kind of KINDS) {
  describe(`accounts on ${kind.name}`, { skip: kind.skip }, () => {
    let env: AccountsDb;
    let store: SessionStore | CookieStoreType;
    const setup = async (): Promise<void> => {
      env ??= await accountsDb(kind.target);
      store ??= kind.store(env);
    };
    after(async () => {
      await env?.done();
    });

    test('session fixation: the id set before login is not the one after, and the old id is dead', { skip: !kind.serverSide && 'the cookie store has no ids' }, async () => {
      await setup();
      const user = await makeUser(env.db);
      const { client } = accountsApp(env.db, { store });
      const victim = client();
      // The attacker gets an id from the site and plants it in the victim's browser.
      const attacker = client();
      await attacker.get('/accounts/login', { headers: HTML });
      const planted = sessionCookie(attacker)!;
      assert.match(planted, /^[A-Za-z0-9_-]{43}$/);
      victim.cookies.set('sessionid', planted);
      const page = await victim.get('/accounts/login', { headers: HTML });
      const res = await victim.post('/accounts/login', { headers: SAME_ORIGIN, form: { csrf_token: csrfField(page.text), username: user.username, password: 'correct horse battery staple' } });
      assert.equal(res.status, 303);
      const after = sessionCookie(victim)!;
      assert.notEqual(after, planted);
      assert.equal(await whoami(victim), user.username);
      // The attacker's copy of the planted id is worth nothing, and the store no longer has it.
      assert.equal(await whoami(attacker), null);
      assert.equal(await (store as SessionStore).get(sessionKey(planted)), null);
    });

    test('logout: the cookie replayed after logout is anonymous', async () => {
      await setup();
      const user = await makeUser(env.db);
      const { client } = accountsApp(env.db, { store });
      const c = client();
      assert.equal((await logIn(c, user.username)).status, 303);
      const old = sessionCookie(c)!;
      const page = await c.get('/accounts/login', { headers: HTML });
      assert.equal((await c.post('/accounts/logout', { headers: SAME_ORIGIN, form: { csrf_token: csrfField(page.text) } })).status, 303);
      assert.equal(await whoami(c), null);
      const replay = client();
      replay.cookies.set('sessionid', old);
      assert.equal(await whoami(replay), kind.serverSide ? null : user.username);
    });

    test('a tampered session cookie is anonymous, never an error page', async () => {
      await setup();
      const user = await makeUser(env.db);
      const { client } = accountsApp(env.db, { store });
      const c = client();
      await logIn(c, user.username);
      const value = sessionCookie(c)!;
      const flipped = value.slice(0, 10) + (value[10] === 'A' ? 'B' : 'A') + value.slice(11);
      for (const cookie of [flipped, value.slice(0, -2), `x${value}`, 'x', '%00', '../../etc/passwd', '']) {
        const other = client();
        other.cookies.set('sessionid', cookie);
        const res = await other.get('/whoami');
        assert.equal(res.status, 200, cookie);
        assert.deepEqual(res.json(), { user: null }, cookie);
      }
      assert.equal(await whoami(c), user.username);
    });

    test('a password set elsewhere ends the session at its next request', async () => {
      await setup();
      const user = await makeUser(env.db);
      const { client } = accountsApp(env.db, { store });
      const c = client();
      await logIn(c, user.username);
      assert.equal(await whoami(c), user.username);
      await setPassword(env.db, user, 'an entirely new passphrase', { hashers: FAST_HASHERS });
      assert.equal(await whoami(c), null);
      assert.equal((await logIn(c, user.username, 'an entirely new passphrase')).status, 303);
      assert.equal(await whoami(c), user.username);
    });
  });
}
