/**
 * RedisStore against a real Redis: what it keeps, for how long, and how the per-user index is
 * cleaned up. Skipped, with the reason shown, when REDIS_URL is not set.
 */
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { RedisStore, SessionError, type SessionRecord } from 'rampart/sessions';

const REDIS_URL = process.env['REDIS_URL'];
const skip = REDIS_URL === undefined || REDIS_URL === '' ? 'REDIS_URL not set' : false;
const PREFIX = `rampart-test:${process.pid}:${randomBytes(4).toString('hex')}:`;

function record(userId: string | null, ttlMs: number, data: Record<string, unknown> = { a: 1 }): SessionRecord {
  const now = Date.now();
  return { data, userId, createdAt: now, lastSeenAt: now, expiresAt: now + ttlMs };
}

describe('RedisStore', { skip }, () => {
  const redis = skip === false ? new Redis(REDIS_URL!) : undefined;
  let n = 0;
  const store = (): { s: RedisStore; p: string } => {
    const p = `${PREFIX}${++n}:`;
    return { s: new RedisStore({ client: redis!, prefix: p }), p };
  };
  after(async () => {
    if (redis === undefined) return;
    const keys = await redis.keys(`${PREFIX}*`);
    if (keys.length > 0) await redis.del(...keys);
    await redis.quit();
  });

  test('a record round-trips, with a TTL on its key and on the user index', async () => {
    const { s, p } = store();
    const rec = record('ada', 60_000, { cart: ['x'], nested: { ok: true } });
    await s.set('k1', rec, 60_000);
    assert.deepEqual(await s.get('k1'), rec);
    const ttl = await redis!.pttl(`${p}s:k1`);
    assert.ok(ttl > 55_000 && ttl <= 60_000, `ttl ${ttl}`);
    const indexTtl = await redis!.pttl(`${p}u:ada`);
    assert.ok(indexTtl > 55_000 && indexTtl <= 60_000, `index ttl ${indexTtl}`);
    assert.deepEqual(await redis!.smembers(`${p}u:ada`), ['k1']);
  });

  test('the user index lives as long as its longest session', async () => {
    const { s, p } = store();
    await s.set('long', record('ada', 120_000), 120_000);
    await s.set('short', record('ada', 10_000), 10_000);
    const ttl = await redis!.pttl(`${p}u:ada`);
    assert.ok(ttl > 110_000, `index ttl ${ttl}`);
  });

  test('touch() refreshes the expiry of an existing session and never recreates a deleted one', async () => {
    const { s, p } = store();
    const rec = record('ada', 10_000);
    await s.set('k', rec, 10_000);
    await s.touch('k', { ...rec, lastSeenAt: rec.lastSeenAt + 5, expiresAt: rec.expiresAt + 50_000 }, 60_000);
    const got = await s.get('k');
    assert.equal(got?.lastSeenAt, rec.lastSeenAt + 5);
    assert.deepEqual(got?.data, rec.data);
    assert.ok((await redis!.pttl(`${p}s:k`)) > 55_000);
    await s.delete('k');
    await s.touch('k', rec, 60_000);
    assert.equal(await s.get('k'), null);
    assert.equal(await redis!.exists(`${p}s:k`), 0);
  });

  test('delete() removes the record and its index entry', async () => {
    const { s, p } = store();
    await s.set('k', record('ada', 60_000), 60_000);
    await s.delete('k');
    assert.equal(await s.get('k'), null);
    assert.deepEqual(await redis!.smembers(`${p}u:ada`), []);
  });

  test('listForUser() drops index entries of expired sessions and of sessions now owned by another user', async () => {
    const { s, p } = store();
    await s.set('gone', record('ada', 60_000), 60_000);
    await s.set('moved', record('ada', 60_000), 60_000);
    await s.set('kept', record('ada', 60_000), 60_000);
    await redis!.del(`${p}s:gone`); // as Redis does when the TTL runs out
    await s.set('moved', record('bob', 60_000), 60_000);
    assert.deepEqual((await s.listForUser('ada')).map((x) => x.key), ['kept']);
    assert.deepEqual(await redis!.smembers(`${p}u:ada`), ['kept']);
    assert.deepEqual((await s.listForUser('bob')).map((x) => x.key), ['moved']);
  });

  test('destroyForUser() keeps the excepted session and no other of that user', async () => {
    const { s } = store();
    for (const k of ['a', 'b', 'c']) await s.set(k, record('ada', 60_000), 60_000);
    await s.set('d', record('bob', 60_000), 60_000);
    assert.equal(await s.destroyForUser('ada', 'b'), 2);
    assert.deepEqual((await s.listForUser('ada')).map((x) => x.key), ['b']);
    assert.notEqual(await s.get('d'), null);
    assert.equal(await s.destroyForUser('nobody'), 0);
  });

  test('clearExpired() removes stale index entries across users', async () => {
    const { s, p } = store();
    await s.set('a1', record('ada', 60_000), 60_000);
    await s.set('b1', record('bob', 60_000), 60_000);
    await s.set('b2', record('bob', 60_000), 60_000);
    await redis!.del(`${p}s:a1`, `${p}s:b1`);
    assert.equal(await s.clearExpired(), 2);
    assert.deepEqual(await redis!.smembers(`${p}u:bob`), ['b2']);
    assert.equal(await redis!.exists(`${p}u:ada`), 0);
  });

  test('a corrupted record reads as no session', async () => {
    const { s, p } = store();
    await redis!.hset(`${p}s:bad`, { d: '{not json', u: '', c: '1', s: '1', e: '2' });
    assert.equal(await s.get('bad'), null);
    await redis!.hset(`${p}s:arr`, { d: '[1,2]', u: '', c: '1', s: '1', e: '2' });
    assert.equal(await s.get('arr'), null);
  });

  test('a store made from a URL opens its own connection and closes it', async () => {
    const s = new RedisStore({ url: REDIS_URL!, prefix: `${PREFIX}own:` });
    await s.set('k', record(null, 60_000), 60_000);
    assert.notEqual(await s.get('k'), null);
    await s.delete('k');
    await s.close();
  });
});

describe('RedisStore without a connection', () => {
  test('needs a client or a URL', () => {
    const saved = process.env['REDIS_URL'];
    delete process.env['REDIS_URL'];
    try {
      assert.throws(() => new RedisStore(), (err: unknown) => err instanceof SessionError && err.code === 'E_SESSION_OPTIONS_INVALID');
    } finally {
      if (saved !== undefined) process.env['REDIS_URL'] = saved;
    }
  });
});
