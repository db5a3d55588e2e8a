/**
 * The JSON API: reading is open and never starts a session; writing uses the session cookie with
 * the CSRF header, validates like the page form, and sets the author from the session.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { TestClient } from 'rampart/testing';
import { Post } from '../models.js';
import { apiToken, blogEnv, errorOf, PNG, publish, SAME_ORIGIN, signUp, type BlogEnv } from './support.js';

let env: BlogEnv;
let client: TestClient;
let token: string;
let firstId: number;
before(async () => {
  env = await blogEnv();
  client = env.client();
  await signUp(client, 'api-user');
  firstId = await publish(client, { title: 'Picture post', body: 'With *an* image.', tags: 'photos' }, PNG);
  token = await apiToken(client);
});
after(() => env.done());

interface ApiPost {
  id: number;
  title: string;
  body: string;
  html: string;
  author: string;
  tags: string[];
  image: string | null;
  created: string;
  updated: string;
  url: string;
  page: string;
}

describe('reading', () => {
  test('GET /api/posts/:id is the post as JSON, with no session and nothing private', async () => {
    const anon = env.client();
    const res = await anon.get(`/api/posts/${firstId}`);
    assert.equal(res.status, 200);
    assert.equal(res.header('content-type'), 'application/json; charset=utf-8');
    assert.equal(res.header('set-cookie'), undefined);
    const post = res.json<ApiPost>();
    const row = await env.db.query(Post).get(firstId);
    assert.deepEqual(post, {
      id: firstId,
      title: 'Picture post',
      body: 'With *an* image.',
      html: '<p>With <em>an</em> image.</p>\n',
      author: 'api-user',
      tags: ['photos'],
      image: `/posts/${firstId}/image`,
      created: row!.created.toISOString(),
      updated: row!.updated.toISOString(),
      url: `/api/posts/${firstId}`,
      page: `/posts/${firstId}`,
    });
    assert.ok(!res.text.includes('argon2'), 'no password hash');
  });

  test('GET /api/posts pages through every post, newest first', async () => {
    for (let i = 0; i < 11; i++) await publish(client, { title: `Filler ${i}`, body: 'x' });
    const seen: string[] = [];
    let url: string | null = '/api/posts';
    for (let page = 0; page < 5 && url !== null; page++) {
      const res = await env.client().get(url);
      assert.equal(res.status, 200);
      const body: { posts: ApiPost[]; next: string | null } = res.json();
      seen.push(...body.posts.map((p) => p.title));
      url = body.next;
    }
    assert.equal(url, null);
    assert.equal(seen.length, 12);
    assert.equal(seen[0], 'Filler 10');
    assert.equal(seen.at(-1), 'Picture post');
  });

  test('unknown posts and bad cursors are JSON errors', async () => {
    const missing = await client.get('/api/posts/999999');
    assert.equal(missing.status, 404);
    assert.equal(errorOf(missing).code, 'E_HTTP_NOT_FOUND');
    assert.equal((await client.get('/api/posts/abc')).status, 404);
    const cursor = await client.get('/api/posts?after=eyJ4Ijox');
    assert.equal(cursor.status, 400);
    assert.equal(errorOf(cursor).code, 'E_DB_QUERY_CURSOR');
  });
});

describe('writing', () => {
  test('POST /api/posts creates a post for the signed-in user: 201 with its URL', async () => {
    const res = await client.post('/api/posts', {
      headers: { ...SAME_ORIGIN, 'x-csrf-token': token },
      // author_id and image are not fields of the form: they are ignored, not trusted.
      json: { title: 'From a script', body: '# Hi', tags: 'api, Scripts', author_id: 1_000, image: '../../etc/passwd' },
    });
    assert.equal(res.status, 201);
    const post = res.json<ApiPost>();
    assert.equal(res.header('location'), `/api/posts/${post.id}`);
    assert.equal(post.title, 'From a script');
    assert.equal(post.author, 'api-user');
    assert.equal(post.html, '<h2>Hi</h2>\n'); // the page's <h1> is the title
    assert.deepEqual(post.tags, ['api', 'scripts']);
    assert.equal(post.image, null);
  });

  test('an invalid post is a 422 with a message per field', async () => {
    const res = await client.post('/api/posts', { headers: { ...SAME_ORIGIN, 'x-csrf-token': token }, json: { title: '', body: 'x'.repeat(50_001), tags: 'a b' } });
    assert.equal(res.status, 422);
    const error = errorOf(res);
    assert.equal(error.code, 'E_FORM_INVALID');
    assert.deepEqual(error.details, {
      fields: {
        title: ['This field is required.'],
        body: ['Ensure this value has at most 50000 characters (it has 50001).'],
        tags: ['"a b" is not a tag: use letters, digits and hyphens (e.g. "release-notes").'],
      },
    });
  });

  test('DELETE /api/posts/:id deletes the caller\'s own post', async () => {
    const id = await publish(client, { title: 'Short-lived', body: 'x' });
    const res = await client.delete(`/api/posts/${id}`, { headers: { ...SAME_ORIGIN, 'x-csrf-token': token } });
    assert.equal(res.status, 200);
    assert.deepEqual(res.json(), { deleted: id });
    assert.equal((await client.get(`/api/posts/${id}`)).status, 404);
  });
});
