import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MemoryStore } from './memory-store.js';
import type { SessionRecord } from './store.js';

const rec = (userId: string | null, expiresAt: number, data: Record<string, unknown> = {}): SessionRecord => ({
  data,
  userId,
  createdAt: 0,
  lastSeenAt: 0,
  expiresAt,
});

test('records read back are copies', async () => {
  const store = new MemoryStore({ now: () => 0 });
  await store.set('k', rec(null, 10, { list: [1] }));
  const got = await store.get('k');
  (got!.data['list'] as number[]).push(2);
  assert.deepEqual((await store.get('k'))!.data, { list: [1] });
});

test('expired records are not returned and clearExpired() removes them', async () => {
  let now = 0;
  const store = new MemoryStore({ now: () => now });
  await store.set('a', rec('ada', 10));
  await store.set('b', rec('ada', 100));
  now = 50;
  assert.equal(await store.get('a'), null);
  await store.set('c', rec(null, 20));
  assert.equal(await store.clearExpired(), 1);
  assert.equal(store.size, 1);
  assert.deepEqual((await store.listForUser('ada')).map((s) => s.key), ['b']);
});

test('the per-user index follows user changes and destroyForUser keeps the exception', async () => {
  const store = new MemoryStore({ now: () => 0 });
  await store.set('a', rec('ada', 10));
  await store.set('b', rec('ada', 10));
  await store.set('b', rec('bob', 10));
  await store.set('c', rec('ada', 10));
  assert.deepEqual((await store.listForUser('ada')).map((s) => s.key).sort(), ['a', 'c']);
  assert.equal(await store.destroyForUser('ada', 'c'), 1);
  assert.equal(await store.get('a'), null);
  assert.notEqual(await store.get('c'), null);
  assert.notEqual(await store.get('b'), null);
});

test('touch() updates only the activity of an existing record', async () => {
  const store = new MemoryStore({ now: () => 0 });
  await store.set('k', rec('ada', 10, { v: 1 }));
  await store.touch('k', { ...rec('ada', 99, { v: 2 }), lastSeenAt: 5 });
  assert.deepEqual(await store.get('k'), { data: { v: 1 }, userId: 'ada', createdAt: 0, lastSeenAt: 5, expiresAt: 99 });
  await store.delete('k');
  await store.touch('k', rec('ada', 99));
  assert.equal(await store.get('k'), null);
});
