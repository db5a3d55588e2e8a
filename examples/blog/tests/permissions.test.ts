/**
 * Who may change a post: its author, a user holding `blog.change_post` (here through the
 * `editors` group), a superuser. Anyone else gets a 403 and nothing changes; anonymous visitors
 * are sent to the login page (pages) or get a 401 (API).
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { createSuperuser, Group, permissionIds, User } from 'rampart/auth';
import type { TestClient } from 'rampart/testing';
import { Post } from '../models.js';
import { apiToken, blogEnv, csrfField, errorOf, HTML, logIn, multipart, PASSWORD, PNG, publish, SAME_ORIGIN, signUp, submit, submitMultipart, type BlogEnv } from './support.js';

let env: BlogEnv;
let author: TestClient;
let other: TestClient;
let postId: number;

before(async () => {
  env = await blogEnv();
  author = env.client();
  await signUp(author, 'owner');
  other = env.client();
  await signUp(other, 'stranger');
  postId = await publish(author, { title: 'Mine', body: 'Only I may change this.', tags: 'mine' }, PNG);
});
after(() => env.done());

async function unchanged(): Promise<void> {
  const post = await env.db.query(Post).prefetch('tags').get(postId);
  assert.ok(post !== undefined, 'the post still exists');
  assert.equal(post.title, 'Mine');
  assert.equal(post.body, 'Only I may change this.');
  assert.deepEqual(post.tags.map((t) => t.name), ['mine']);
}

describe('another user', () => {
  test('sees no Edit or Delete link on the post', async () => {
    const page = await other.get(`/posts/${postId}`, { headers: HTML });
    assert.equal(page.status, 200);
    assert.ok(!page.text.includes('/edit">Edit</a>'));
    assert.ok(!page.text.includes('/delete">Delete</a>'));
  });

  test('cannot open the edit or delete pages (403)', async () => {
    for (const path of [`/posts/${postId}/edit`, `/posts/${postId}/delete`]) {
      const res = await other.get(path, { headers: HTML });
      assert.equal(res.status, 403, path);
      assert.ok(res.text.includes('Only the author of this post, or an editor, can change it.'));
    }
  });

  test('cannot edit it by posting the form: 403, nothing changed, no upload kept', async () => {
    const home = await other.get('/posts/new', { headers: HTML });
    const files = env.storedFiles();
    const { body, type } = multipart([
      { name: 'csrf_token', value: csrfField(home.text) },
      { name: 'title', value: 'Defaced' },
      { name: 'body', value: 'Gotcha' },
      { name: 'tags', value: '' },
      { name: 'image', filename: 'x.png', type: 'image/png', data: PNG },
    ]);
    const res = await other.post(`/posts/${postId}/edit`, { headers: { ...SAME_ORIGIN, ...HTML, 'content-type': type }, body });
    assert.equal(res.status, 403);
    await unchanged();
    assert.deepEqual(env.storedFiles(), files);
  });

  test('cannot delete it by posting (403) or through the API (403)', async () => {
    const page = await other.get('/', { headers: HTML });
    const res = await other.post(`/posts/${postId}/delete`, { headers: { ...SAME_ORIGIN, ...HTML }, form: { csrf_token: csrfField(page.text) } });
    assert.equal(res.status, 403);
    const api = await other.delete(`/api/posts/${postId}`, { headers: { ...SAME_ORIGIN, 'x-csrf-token': await apiToken(other) } });
    assert.equal(api.status, 403);
    assert.deepEqual(errorOf(api), { status: 403, message: 'Only the author of this post, or an editor, can delete it.', code: 'E_HTTP_FORBIDDEN' });
    await unchanged();
    assert.equal((await other.get(`/posts/${postId}/image`)).status, 200);
  });
});

describe('anonymous visitors', () => {
  test('are sent to the login page from the edit page, and get a 401 from the API', async () => {
    const anon = env.client();
    const page = await anon.get(`/posts/${postId}/edit`, { headers: HTML });
    assert.equal(page.status, 302);
    assert.equal(page.header('location'), `/accounts/login?next=%2Fposts%2F${postId}%2Fedit`);
    const token = await apiToken(anon);
    const del = await anon.delete(`/api/posts/${postId}`, { headers: { ...SAME_ORIGIN, 'x-csrf-token': token } });
    assert.equal(del.status, 401);
    assert.equal(errorOf(del).code, 'E_AUTH_LOGIN_REQUIRED');
    const create = await anon.post('/api/posts', { headers: { ...SAME_ORIGIN, 'x-csrf-token': token }, json: { title: 'x', body: 'y' } });
    assert.equal(create.status, 401);
    await unchanged();
  });
});

describe('editors and superusers', () => {
  test('a member of the editors group (blog.change_post) may edit another user\'s post', async () => {
    const editors = await env.db.query(Group).create({ name: 'editors' });
    await env.db.related(Group, editors.id, 'permissions').add(...(await permissionIds(env.db, 'blog.change_post')));
    const editor = env.client();
    await signUp(editor, 'editor');
    const row = await env.db.query(User).filter({ username: 'editor' }).first();
    await env.db.related(User, row!.id, 'groups').add(editors.id);

    assert.ok((await editor.get(`/posts/${postId}`, { headers: HTML })).text.includes(`<a href="/posts/${postId}/edit">Edit</a>`));
    const res = await submitMultipart(editor, `/posts/${postId}/edit`, [
      { name: 'title', value: 'Mine (edited)' },
      { name: 'body', value: 'Only I may change this.' },
      { name: 'tags', value: 'mine' },
    ]);
    assert.equal(res.status, 303);
    assert.equal((await env.db.query(Post).get(postId))?.title, 'Mine (edited)');
    // The author is still the author.
    const owner = await env.db.query(User).filter({ username: 'owner' }).first();
    assert.equal((await env.db.query(Post).get(postId))?.author_id, owner!.id);
    await env.db.query(Post).filter({ id: postId }).update({ title: 'Mine' });
  });

  test('a superuser may delete any post', async () => {
    const victim = await publish(author, { title: 'Doomed', body: 'x' });
    await createSuperuser(env.db, { username: 'root', email: 'root@example.com', password: PASSWORD });
    const admin = env.client();
    assert.equal((await logIn(admin, 'root')).status, 303);
    const res = await submit(admin, `/posts/${victim}/delete`, {});
    assert.equal(res.status, 303);
    assert.equal(await env.db.query(Post).filter({ id: victim }).exists(), false);
  });
});
