/**
 * The same blog on PostgreSQL (DATABASE_URL) and with sessions and login counters in Redis
 * (REDIS_URL): the main flow in-process, then the server entry with both variables set. Each test
 * needs its server and is skipped, with the reason, when the variable is not set:
 * DATABASE_URL_POSTGRES=postgres://postgres@127.0.0.1:5432/test, REDIS_URL=redis://127.0.0.1:6379.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { Redis } from 'ioredis';
import { RedisCounterStore } from 'rampart/auth';
import { RedisStore, sessionKey } from 'rampart/sessions';
import { BLOG_DIR } from '../config.js';
import { Post } from '../models.js';
import { apiToken, blogEnv, csrfField, HTML, logIn, PNG, publish, SAME_ORIGIN, signUp, submit, type BlogEnv } from './support.js';

const POSTGRES = process.env.DATABASE_URL_POSTGRES;
const REDIS = process.env.REDIS_URL;
const NO_POSTGRES = POSTGRES ? false : 'DATABASE_URL_POSTGRES is not set';
const NO_REDIS = REDIS ? false : 'REDIS_URL is not set';

/** A new, empty PostgreSQL database; `drop()` removes it. */
async function freshPostgres(): Promise<{ url: string; drop(): Promise<void> }> {
  const pg = (await import('pg')).default;
  const name = `blog_t_${randomBytes(5).toString('hex')}`;
  const admin = new pg.Client({ connectionString: POSTGRES });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(POSTGRES!);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    async drop() {
      const c = new pg.Client({ connectionString: POSTGRES });
      await c.connect();
      // A closed pool's sockets can outlive its close(): wait (bounded) until they are gone.
      for (let i = 0; i < 50; i++) {
        const r = await c.query('select count(*)::int as n from pg_stat_activity where datname = $1', [name]);
        if ((r.rows[0] as { n: number }).n === 0) break;
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await c.end();
    },
  };
}

/** The main flow: sign up, publish with an image, comment, search, the API. */
async function mainFlow(env: BlogEnv): Promise<void> {
  const client = env.client();
  await signUp(client, 'pat');
  const id = await publish(client, { title: 'On another database', body: '**Same** app.', tags: 'scale' }, PNG);
  const page = await client.get(`/posts/${id}`, { headers: HTML });
  assert.ok(page.text.includes('<div class="body"><p><strong>Same</strong> app.</p>\n</div>'));
  assert.equal((await submit(client, `/posts/${id}`, { body: 'Works.' }, `/posts/${id}/comments`)).status, 303);
  assert.ok((await client.get('/search?q=ANOTHER', { headers: HTML })).text.includes(`<a href="/posts/${id}">On another database</a>`));
  assert.ok((await client.get('/tags/scale', { headers: HTML })).text.includes(`<a href="/posts/${id}">On another database</a>`));
  const created = await client.post('/api/posts', { headers: { ...SAME_ORIGIN, 'x-csrf-token': await apiToken(client) }, json: { title: 'Via the API', body: 'x', tags: 'scale' } });
  assert.equal(created.status, 201);
  const list = await client.get('/api/posts');
  assert.deepEqual(list.json<{ posts: { title: string }[] }>().posts.map((p) => p.title), ['Via the API', 'On another database']);
}

describe('other databases and Redis', () => {
  test('PostgreSQL: migrations, the main flow, sessions in the database', { skip: NO_POSTGRES }, async () => {
    const database = await freshPostgres();
    const env = await blogEnv({ url: database.url });
    try {
      assert.equal(env.db.dialect, 'postgres');
      await mainFlow(env);
      assert.equal(await env.db.query(Post).count(), 2);
    } finally {
      await env.done();
      await database.drop();
    }
  });

  test('Redis: sessions and login counters in Redis', { skip: NO_REDIS }, async () => {
    const redis = new Redis(REDIS!);
    const prefix = `blog-test:${randomBytes(6).toString('hex')}:`;
    const env = await blogEnv({
      sessionStore: new RedisStore({ client: redis, prefix: `${prefix}session:` }),
      throttle: { store: new RedisCounterStore({ client: redis, prefix: `${prefix}throttle:` }) },
    });
    try {
      await mainFlow(env);
      const client = env.client();
      assert.equal((await logIn(client, 'pat')).status, 303);
      const key = `${prefix}session:s:${sessionKey(client.cookies.get('sessionid')!)}`;
      assert.equal(await redis.exists(key), 1, 'the session is in Redis');
      assert.equal((await logIn(env.client(), 'pat', 'wrong password')).status, 422);
      assert.ok((await redis.keys(`${prefix}throttle:*`)).length > 0, 'the failure is counted in Redis');
    } finally {
      await env.done();
      const keys = await redis.keys(`${prefix}*`);
      if (keys.length > 0) await redis.del(...keys);
      await redis.quit();
    }
  });

  test('the server entry runs unchanged with DATABASE_URL and REDIS_URL', { skip: NO_POSTGRES || NO_REDIS }, async () => {
    const database = await freshPostgres();
    const dataDir = mkdtempSync(join(tmpdir(), 'rampart-blog-services-'));
    const redis = new Redis(REDIS!);
    const child = spawn(process.execPath, ['--import', 'tsx', 'examples/blog/server.ts'], {
      cwd: join(BLOG_DIR, '..', '..'),
      env: { ...process.env, NODE_ENV: 'development', LOG_LEVEL: 'info', PORT: '0', HOST: '127.0.0.1', BLOG_DATA_DIR: dataDir, DATABASE_URL: database.url, REDIS_URL: REDIS, SECRET_KEY: '' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    child.stderr.on('data', (c: Buffer) => (out += c.toString()));
    try {
      const url = await new Promise<string>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no start within 30 s:\n${out}`)), 30_000);
        child.stdout.on('data', () => {
          const m = /"msg":"listening on (http:\/\/127\.0\.0\.1:\d+)"/.exec(out);
          if (m !== null) {
            clearTimeout(timer);
            resolve(m[1]!);
          }
        });
        child.once('exit', (code) => {
          clearTimeout(timer);
          reject(new Error(`exited with ${code}:\n${out}`));
        });
      });
      const password = /Log in as "demo" with the password: (\S+)/.exec(out)?.[1];
      assert.ok(password !== undefined, out);

      // Log in like a browser; the session must be in Redis under the default prefix.
      const form = await fetch(`${url}/accounts/login`, { headers: { accept: 'text/html' } });
      const anonCookie = (form.headers.get('set-cookie') ?? '').split(';')[0]!;
      const login = await fetch(`${url}/accounts/login`, {
        method: 'POST',
        redirect: 'manual',
        headers: { cookie: anonCookie, origin: url, 'content-type': 'application/x-www-form-urlencoded', accept: 'text/html' },
        body: new URLSearchParams({ csrf_token: csrfField(await form.text()), username: 'demo', password }).toString(),
      });
      assert.equal(login.status, 303);
      const cookie = (login.headers.get('set-cookie') ?? '').split(';')[0]!;
      const key = `rampart:session:s:${sessionKey(cookie.slice('sessionid='.length))}`;
      assert.equal(await redis.exists(key), 1, 'the session is in Redis');

      // Log out (the session leaves Redis), then stop the server.
      const home = await fetch(`${url}/`, { headers: { cookie, accept: 'text/html' } });
      const logout = await fetch(`${url}/accounts/logout`, {
        method: 'POST',
        redirect: 'manual',
        headers: { cookie, origin: url, 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ csrf_token: csrfField(await home.text()) }).toString(),
      });
      assert.equal(logout.status, 303);
      assert.equal(await redis.exists(key), 0);

      const exit = new Promise<number | null>((resolve) => {
        child.removeAllListeners('exit');
        child.once('exit', resolve);
      });
      process.kill(child.pid!, 'SIGTERM');
      const code = await Promise.race([exit, new Promise<'timeout'>((r) => setTimeout(() => r('timeout'), 15_000).unref())]);
      assert.equal(code, 0);
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
      await redis.quit();
      rmSync(dataDir, { recursive: true, force: true });
      await database.drop();
    }
  });
});
