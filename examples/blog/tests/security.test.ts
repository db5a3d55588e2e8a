/**
 * The defaults the blog relies on: CSRF on every unsafe request (forms and the API), uploads
 * typed by their bytes, static files that cannot leave their folder, ALLOWED_HOSTS, and the
 * security headers on every page.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { TestClient } from 'rampart/testing';
import { Comment, Post } from '../models.js';
import { attr, elements, parsePage } from './html.js';
import { apiToken, blogEnv, csrfField, errorOf, HTML, multipart, PNG, publish, SAME_ORIGIN, signUp, submitMultipart, type BlogEnv } from './support.js';

let env: BlogEnv;
let client: TestClient;
let postId: number;
before(async () => {
  env = await blogEnv();
  client = env.client();
  await signUp(client, 'sam');
  postId = await publish(client, { title: 'Target', body: 'Text' });
});
after(() => env.done());

describe('CSRF', () => {
  test('a new post without the token is refused with 403; nothing is stored', async () => {
    const posts = await env.db.query(Post).count();
    const files = env.storedFiles();
    const { body, type } = multipart([
      { name: 'title', value: 'Forged' },
      { name: 'body', value: 'x' },
      { name: 'image', filename: 'x.png', type: 'image/png', data: PNG },
    ]);
    const res = await client.post('/posts/new', { headers: { ...SAME_ORIGIN, 'content-type': type }, body });
    assert.equal(res.status, 403);
    assert.equal(errorOf(res).code, 'E_CSRF_FAILED');
    assert.equal(await env.db.query(Post).count(), posts);
    assert.deepEqual(env.storedFiles(), files);
  });

  test('a comment, a delete and a logout without the token are refused with 403', async () => {
    const comment = await client.post(`/posts/${postId}/comments`, { headers: SAME_ORIGIN, form: { body: 'forged' } });
    assert.equal(comment.status, 403);
    assert.equal(await env.db.query(Comment).count(), 0);
    const del = await client.post(`/posts/${postId}/delete`, { headers: SAME_ORIGIN, form: {} });
    assert.equal(del.status, 403);
    assert.equal(await env.db.query(Post).filter({ id: postId }).exists(), true);
    const logout = await client.post('/accounts/logout', { headers: SAME_ORIGIN, form: {} });
    assert.equal(logout.status, 403);
    assert.ok((await client.get('/', { headers: HTML })).text.includes('>sam</a>'), 'still logged in');
  });

  test('a form posted from another site is refused even with a valid token', async () => {
    const page = await client.get(`/posts/${postId}`, { headers: HTML });
    const res = await client.post(`/posts/${postId}/comments`, {
      headers: { origin: 'https://evil.example', 'sec-fetch-site': 'cross-site' },
      form: { csrf_token: csrfField(page.text), body: 'from elsewhere' },
    });
    assert.equal(res.status, 403);
    assert.equal(await env.db.query(Comment).count(), 0);
  });

  test('the API needs the X-CSRF-Token header for a cookie-authenticated POST', async () => {
    const posts = await env.db.query(Post).count();
    const missing = await client.post('/api/posts', { headers: SAME_ORIGIN, json: { title: 'No token', body: 'x' } });
    assert.equal(missing.status, 403);
    assert.equal(errorOf(missing).code, 'E_CSRF_FAILED');
    const wrong = await client.post('/api/posts', { headers: { ...SAME_ORIGIN, 'x-csrf-token': 'A'.repeat(86) }, json: { title: 'Bad token', body: 'x' } });
    assert.equal(wrong.status, 403);
    // text/plain from another origin: the classic way to post "JSON" without a preflight.
    const token = await apiToken(client);
    const crossSite = await client.post('/api/posts', {
      headers: { origin: 'https://evil.example', 'sec-fetch-site': 'cross-site', 'content-type': 'text/plain', 'x-csrf-token': token },
      body: JSON.stringify({ title: 'Cross-site', body: 'x' }),
    });
    assert.equal(crossSite.status, 403);
    assert.equal(await env.db.query(Post).count(), posts);
    const ok = await client.post('/api/posts', { headers: { ...SAME_ORIGIN, 'x-csrf-token': token }, json: { title: 'With token', body: 'x' } });
    assert.equal(ok.status, 201);
  });
});

describe('uploads', () => {
  const refused = 'This type of file is not accepted. Upload one of: image/png, image/jpeg, image/gif, image/webp.';

  async function tryImage(filename: string, type: string, data: Buffer) {
    const posts = await env.db.query(Post).count();
    const files = env.storedFiles();
    const res = await submitMultipart(client, '/posts/new', [
      { name: 'title', value: 'With an attachment' },
      { name: 'body', value: 'x' },
      { name: 'image', filename, type, data },
    ]);
    return { res, postsAdded: (await env.db.query(Post).count()) - posts, filesKept: env.storedFiles().length - files.length };
  }

  test('an HTML page sent as a PNG image is refused: 422, no post, no file', async () => {
    const { res, postsAdded, filesKept } = await tryImage('cat.png', 'image/png', Buffer.from('<!doctype html><html><body><script>alert(document.cookie)</script></body></html>'));
    assert.equal(res.status, 422);
    assert.ok(res.text.includes(`<div class="field-errors" id="id_image_errors" role="alert"><p>${refused}</p></div>`));
    assert.equal(postsAdded, 0);
    assert.equal(filesKept, 0);
  });

  test('an SVG with a script is refused as an image', async () => {
    const svg = '<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><script>alert(2)</script></svg>';
    const { res, postsAdded, filesKept } = await tryImage('logo.svg', 'image/svg+xml', Buffer.from(svg));
    assert.equal(res.status, 422);
    assert.ok(res.text.includes(refused));
    assert.equal(postsAdded, 0);
    assert.equal(filesKept, 0);
  });

  test('a real PNG declared as text/html is stored as what it is, and its name is cleaned', async () => {
    const { res, postsAdded, filesKept } = await tryImage('..\\..\\<evil>.html.png', 'text/html', PNG);
    assert.equal(res.status, 303);
    assert.equal(postsAdded, 1);
    assert.equal(filesKept, 2);
    const image = await client.get(`${res.header('location')}/image`);
    assert.equal(image.header('content-type'), 'image/png');
    assert.equal(image.header('content-disposition'), `inline; filename="_evil_.html.png"; filename*=UTF-8''_evil_.html.png`);
  });

  test('an image over 5 MB is refused with the limit in the message', async () => {
    const big = Buffer.concat([PNG, Buffer.alloc(5 * 1024 * 1024)]);
    const { res, postsAdded, filesKept } = await tryImage('big.png', 'image/png', big);
    assert.equal(res.status, 422);
    assert.ok(res.text.includes('<div class="field-errors" id="id_image_errors" role="alert"><p>The file is too large: the limit is 5 MB.</p></div>'));
    assert.equal(postsAdded, 0);
    assert.equal(filesKept, 0);
  });

  test('a post without an image has no image URL (404)', async () => {
    assert.equal((await client.get(`/posts/${postId}/image`)).status, 404);
    assert.equal((await client.get('/posts/999999/image')).status, 404);
  });
});

describe('static files, hosts and headers', () => {
  test('the stylesheet is served from static/, and nothing outside it is', async () => {
    const css = await client.get('/static/css/blog.css');
    assert.equal(css.status, 200);
    assert.equal(css.header('content-type'), 'text/css; charset=utf-8');
    assert.equal(css.header('cache-control'), 'no-cache');
    for (const path of ['/static/../config.ts', '/static/%2e%2e/config.ts', '/static/css/..%2f..%2fconfig.ts', '/static/..%5cconfig.ts', '/static/.gitignore']) {
      const res = await client.get(path);
      assert.ok(res.status === 404 || res.status === 400, `${path}: ${res.status}`);
      assert.ok(!res.text.includes('blogConfig'), path);
    }
  });

  test('a request for another host name is refused (ALLOWED_HOSTS)', async () => {
    const res = await env.client().get('/', { headers: { host: 'evil.example' } });
    assert.equal(res.status, 400);
  });

  test('pages carry the security headers; pages that read the session are private', async () => {
    const res = await client.get('/', { headers: HTML });
    assert.equal(res.header('x-frame-options'), 'DENY');
    assert.equal(res.header('x-content-type-options'), 'nosniff');
    assert.equal(res.header('referrer-policy'), 'same-origin');
    assert.equal(res.header('cross-origin-opener-policy'), 'same-origin');
    assert.match(res.header('content-security-policy') ?? '', /frame-ancestors 'none'/);
    assert.equal(res.header('cache-control'), 'private, no-store');
    const login = await env.client().get('/accounts/login', { headers: HTML });
    const cookie = login.cookies.find((c) => c.name === 'sessionid');
    assert.ok(cookie !== undefined, 'the login form made a session for its CSRF token');
    assert.equal(cookie.httpOnly, true);
    assert.equal(cookie.sameSite, 'Lax');
  });
});

describe('the CSP nonce', () => {
  test('the inline script of the post form carries the nonce of its response, a new one each time', async () => {
    const nonces: string[] = [];
    for (let i = 0; i < 2; i++) {
      const res = await client.get('/posts/new', { headers: HTML });
      const nonce = /'nonce-([A-Za-z0-9+/=]+)'/.exec(res.header('content-security-policy') ?? '')?.[1];
      assert.ok(nonce !== undefined, res.header('content-security-policy'));
      assert.equal(
        res.header('content-security-policy'),
        `default-src 'self'; script-src 'self' 'nonce-${nonce}'; style-src 'self' 'nonce-${nonce}'; img-src 'self' data:; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'`,
      );
      const scripts = elements(parsePage(res.text)).filter((e) => e.tagName === 'script');
      assert.equal(scripts.length, 1);
      assert.equal(attr(scripts[0]!, 'nonce'), nonce);
      nonces.push(nonce);
    }
    assert.notEqual(nonces[0], nonces[1]);
  });
});
