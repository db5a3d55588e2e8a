/** The demo data: written once, with a demo login that works. */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { can, Group, User } from 'rampart/auth';
import { Comment, Post, Tag } from '../models.js';
import { seed } from '../seed.js';
import { PNG, blogEnv, HTML, logIn, type BlogEnv } from './support.js';

let env: BlogEnv;
before(async () => {
  env = await blogEnv();
});
after(() => env.done());

test('seeds users, posts, tags, a comment and an image once; the printed password logs in', async () => {
  const result = await seed(env.db, env.uploads);
  assert.ok(result !== null);
  assert.equal(result.username, 'demo');
  assert.match(result.password, /^[A-Za-z0-9_-]{16}$/);

  assert.deepEqual((await env.db.query(User).orderBy('username').all()).map((u) => u.username), ['ada', 'demo']);
  assert.deepEqual((await env.db.query(Post).all()).map((p) => p.title), ['Welcome to the Rampart blog', 'Markdown, safely', 'Who may change a post']);
  assert.deepEqual((await env.db.query(Tag).all()).map((t) => t.name), ['markdown', 'permissions', 'rampart', 'security', 'welcome']);
  assert.equal(await env.db.query(Comment).count(), 1);
  const editors = await env.db.query(Group).filter({ name: 'editors' }).prefetch('permissions').first();
  assert.deepEqual(editors?.permissions.map((p) => `${p.app_label}.${p.codename}`), ['blog.change_post']);
  const ada = await env.db.query(User).filter({ username: 'ada' }).first();
  assert.equal(await can(ada!, 'blog.change_post', env.db), false);

  const welcome = await env.db.query(Post).filter({ title: 'Welcome to the Rampart blog' }).first();
  const image = await env.client().get(`/posts/${welcome!.id}/image`);
  assert.equal(image.status, 200);
  assert.deepEqual(image.body, PNG);

  assert.equal(await seed(env.db, env.uploads), null, 'a second run writes nothing');
  assert.equal(await env.db.query(Post).count(), 3);

  const client = env.client();
  assert.equal((await logIn(client, 'demo', result.password)).status, 303);
  assert.ok((await client.get('/', { headers: HTML })).text.includes('title="Two-factor authentication">demo</a>'));
  assert.equal((await logIn(env.client(), 'ada', '')).status, 422, 'ada has no usable password');
});

test('the demo posts render, and the sanitizer removed what the Markdown post shows off', async () => {
  const markdown = await env.db.query(Post).filter({ title: 'Markdown, safely' }).first();
  const page = await env.client().get(`/posts/${markdown!.id}`, { headers: HTML });
  assert.equal(page.status, 200);
  assert.ok(!page.text.includes('<script'));
  assert.ok(!page.text.includes('onerror'));
  assert.ok(!page.text.includes('javascript:alert'));
  assert.ok(page.text.includes('<pre><code>&lt;p onclick="alert(1)"&gt;Code blocks show HTML as text.&lt;/p&gt;\n</code></pre>'));
});
