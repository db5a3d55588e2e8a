/**
 * The main flows, as a visitor goes through them: sign up, log in, write a post in Markdown with
 * an image, read it, comment, search, find it in the API, edit it, delete it.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { totpCode, User } from 'rampart/auth';
import { makeMigrations } from 'rampart/db';
import { MIGRATIONS_DIR } from '../config.js';
import { Comment, MODELS, Post } from '../models.js';
import { blogEnv, csrfField, HTML, logIn, PASSWORD, PNG, publish, SAME_ORIGIN, signUp, submit, submitMultipart, type BlogEnv } from './support.js';

let env: BlogEnv;
before(async () => {
  env = await blogEnv();
});
after(() => env.done());

describe('signup, login, a post with an image, a comment', () => {
  test('a visitor signs up, logs out, logs in, publishes, comments and finds the post', async () => {
    const client = env.client();
    await signUp(client, 'alice');
    const home = await client.get('/', { headers: HTML });
    assert.equal(home.status, 200);
    assert.ok(home.text.includes('<a href="/accounts/two-factor" title="Two-factor authentication">alice</a>'));
    assert.ok(home.text.includes('<p>No posts yet.</p>'));

    const out = await client.post('/accounts/logout', { headers: { ...SAME_ORIGIN, ...HTML }, form: { csrf_token: csrfField(home.text) } });
    assert.equal(out.status, 303);
    assert.ok((await client.get('/', { headers: HTML })).text.includes('<a href="/accounts/login">Log in</a>'));

    const login = await logIn(client, 'alice');
    assert.equal(login.status, 303);
    assert.equal(login.header('location'), '/');

    const id = await publish(client, { title: 'First light', body: '## Hello\n\nSome **bold** words and a [link](https://example.com).', tags: 'News, first-post' }, PNG);
    assert.equal(env.storedFiles().length, 2); // the image and its metadata

    const page = await client.get(`/posts/${id}`, { headers: HTML });
    assert.equal(page.status, 200);
    assert.ok(page.text.includes('<title>First light · Rampart Blog</title>'));
    assert.ok(page.text.includes('<h1>First light</h1>'));
    assert.ok(page.text.includes(`<figure><img src="/posts/${id}/image" alt=""></figure>`));
    assert.ok(
      page.text.includes(
        '<div class="body"><h2>Hello</h2>\n<p>Some <strong>bold</strong> words and a <a href="https://example.com" rel="nofollow noopener noreferrer">link</a>.</p>\n</div>',
      ),
    );
    assert.ok(page.text.includes('<a class="tag" href="/tags/news">#news</a>'));
    assert.ok(page.text.includes('<a class="tag" href="/tags/first-post">#first-post</a>'));
    assert.ok(page.text.includes(`<a href="/posts/${id}/edit">Edit</a>`));

    const image = await client.get(`/posts/${id}/image`);
    assert.equal(image.status, 200);
    assert.equal(image.header('content-type'), 'image/png');
    assert.equal(image.header('content-disposition'), `inline; filename="picture.png"; filename*=UTF-8''picture.png`);
    assert.equal(image.header('x-content-type-options'), 'nosniff');
    assert.equal(image.header('content-security-policy'), 'sandbox');
    assert.deepEqual(image.body, PNG);

    const comment = await submit(client, `/posts/${id}`, { body: 'Me first!\n<b>not bold</b>' }, `/posts/${id}/comments`);
    assert.equal(comment.status, 303);
    const commentRow = await env.db.query(Comment).filter({ post_id: id }).first();
    assert.ok(commentRow !== undefined);
    assert.equal(comment.header('location'), `/posts/${id}#comment-${commentRow.id}`);
    const withComment = await client.get(`/posts/${id}`, { headers: HTML });
    assert.ok(withComment.text.includes('<h2>1 comment</h2>'));
    assert.ok(withComment.text.includes(`<article class="comment" id="comment-${commentRow.id}">`));
    assert.ok(withComment.text.includes('<p>Me first!<br>&lt;b&gt;not bold&lt;/b&gt;</p>'));

    const search = await client.get('/search?q=LIGHT', { headers: HTML });
    assert.ok(search.text.includes(`<h2><a href="/posts/${id}">First light</a></h2>`));
    const byBody = await client.get('/search?q=**bold**%20words', { headers: HTML });
    assert.ok(byBody.text.includes(`<h2><a href="/posts/${id}">First light</a></h2>`));
    const none = await client.get('/search?q=nothing-like-it', { headers: HTML });
    assert.ok(none.text.includes('<p>No post matches.</p>'));

    const tag = await client.get('/tags/news', { headers: HTML });
    assert.equal(tag.status, 200);
    assert.ok(tag.text.includes('<h1>Posts tagged #news</h1>'));
    assert.ok(tag.text.includes(`<h2><a href="/posts/${id}">First light</a></h2>`));
    assert.equal((await client.get('/tags/nope', { headers: HTML })).status, 404);
  });
});

describe('editing and deleting a post', () => {
  test('the author changes the text and tags, replaces the image, removes it, then deletes the post', async () => {
    const client = env.client();
    await signUp(client, 'bruno');
    const others = env.storedFiles(); // images of the other tests' posts
    const id = await publish(client, { title: 'Draft', body: 'Old text', tags: 'one, two' }, PNG);
    const firstKey = (await env.db.query(Post).get(id))?.image;
    assert.ok(typeof firstKey === 'string');
    assert.deepEqual(env.storedFiles(), [...others, firstKey, `${firstKey}.json`].sort());

    const form = await client.get(`/posts/${id}/edit`, { headers: HTML });
    assert.equal(form.status, 200);
    assert.ok(form.text.includes('<input type="text" name="title" id="id_title" value="Draft" maxlength="200" required>'));
    assert.ok(form.text.includes('<input type="text" name="tags" id="id_tags" value="one, two" maxlength="300" aria-describedby="id_tags_help">'));
    assert.ok(form.text.includes(`<figure class="current"><img src="/posts/${id}/image" alt="The current image"></figure>`));

    // A new image replaces the old one, whose file is deleted.
    const replaced = await submitMultipart(
      client,
      `/posts/${id}/edit`,
      [
        { name: 'title', value: 'Final' },
        { name: 'body', value: 'New *text*' },
        { name: 'tags', value: 'two, three' },
        { name: 'image', filename: 'new.png', type: 'image/png', data: PNG },
      ],
    );
    assert.equal(replaced.status, 303);
    assert.equal(replaced.header('location'), `/posts/${id}`);
    const row = await env.db.query(Post).prefetch('tags').get(id);
    assert.equal(row?.title, 'Final');
    assert.equal(row?.body, 'New *text*');
    assert.deepEqual(row?.tags.map((t) => t.name), ['two', 'three']);
    assert.ok(row?.image !== null && row?.image !== firstKey);
    assert.deepEqual(env.storedFiles(), [...others, row!.image!, `${row!.image!}.json`].sort());

    // "Remove the current image" without a new one.
    const removed = await submitMultipart(client, `/posts/${id}/edit`, [
      { name: 'title', value: 'Final' },
      { name: 'body', value: 'New *text*' },
      { name: 'tags', value: '' },
      { name: 'remove_image', value: 'on' },
    ]);
    assert.equal(removed.status, 303);
    assert.equal((await env.db.query(Post).get(id))?.image, null);
    assert.deepEqual(env.storedFiles(), others);
    assert.equal((await client.get(`/posts/${id}/image`)).status, 404);

    const confirm = await client.get(`/posts/${id}/delete`, { headers: HTML });
    assert.equal(confirm.status, 200);
    assert.ok(confirm.text.includes('<h1>Delete “Final”?</h1>'));
    await submit(client, `/posts/${id}`, { body: 'A comment that goes with the post.' }, `/posts/${id}/comments`);
    const deleted = await client.post(`/posts/${id}/delete`, { headers: { ...SAME_ORIGIN, ...HTML }, form: { csrf_token: csrfField(confirm.text) } });
    assert.equal(deleted.status, 303);
    assert.equal(deleted.header('location'), '/');
    assert.equal(await env.db.query(Post).filter({ id }).exists(), false);
    assert.equal(await env.db.query(Comment).filter({ post_id: id }).exists(), false);
    assert.equal((await client.get(`/posts/${id}`, { headers: HTML })).status, 404);
  });

  test('deleting a post deletes its image file', async () => {
    const client = env.client();
    await signUp(client, 'carla');
    const before = env.storedFiles();
    const id = await publish(client, { title: 'With a picture', body: 'Look.' }, PNG);
    assert.equal(env.storedFiles().length, before.length + 2);
    const res = await submit(client, `/posts/${id}/delete`, {});
    assert.equal(res.status, 303);
    assert.deepEqual(env.storedFiles(), before);
  });
});

describe('forms that come back with errors', () => {
  test('a post without a title or text is shown again with a 422, and the image it carried is not kept', async () => {
    const client = env.client();
    await signUp(client, 'dora');
    const before = env.storedFiles();
    const count = await env.db.query(Post).count();
    const res = await submitMultipart(client, '/posts/new', [
      { name: 'title', value: '' },
      { name: 'body', value: '' },
      { name: 'tags', value: 'Not A Tag' },
      { name: 'image', filename: 'ok.png', type: 'image/png', data: PNG },
    ]);
    assert.equal(res.status, 422);
    assert.ok(res.text.includes('<div class="field-errors" id="id_title_errors" role="alert"><p>This field is required.</p></div>'));
    assert.ok(res.text.includes('<div class="field-errors" id="id_body_errors" role="alert"><p>This field is required.</p></div>'));
    assert.ok(res.text.includes('<p>&quot;not a tag&quot; is not a tag: use letters, digits and hyphens (e.g. &quot;release-notes&quot;).</p>'));
    assert.equal(await env.db.query(Post).count(), count);
    assert.deepEqual(env.storedFiles(), before);
  });

  test('an empty comment is refused with a 422 on the post page', async () => {
    const client = env.client();
    await signUp(client, 'emil');
    const id = await publish(client, { title: 'Comment me', body: 'Text' });
    const res = await submit(client, `/posts/${id}`, { body: '' }, `/posts/${id}/comments`);
    assert.equal(res.status, 422);
    assert.ok(res.text.includes('<h1>Comment me</h1>'));
    assert.ok(res.text.includes('<div class="field-errors" id="comment_body_errors" role="alert"><p>This field is required.</p></div>'));
    assert.equal(await env.db.query(Comment).filter({ post_id: id }).count(), 0);
  });

  test('anonymous visitors are sent to the login page, and come back after it', async () => {
    const client = env.client();
    const res = await client.get('/posts/new', { headers: HTML });
    assert.equal(res.status, 302);
    assert.equal(res.header('location'), '/accounts/login?next=%2Fposts%2Fnew');
    await signUp(env.client(), 'frida');
    const login = await submit(client, '/accounts/login?next=%2Fposts%2Fnew', { username: 'frida', password: PASSWORD });
    assert.equal(login.status, 303);
    assert.equal(login.header('location'), '/posts/new');
  });
});

describe('pagination', () => {
  test('the home page shows 10 posts and links to the next ones with an opaque cursor', async () => {
    const client = env.client();
    await signUp(client, 'gus');
    const author = await env.db.query(User).filter({ username: 'gus' }).first();
    for (let i = 1; i <= 12; i++) await env.db.query(Post).create({ title: `Numbered post ${i}`, body: 'x', author_id: author!.id });
    const first = await client.get('/', { headers: HTML });
    const titles = (html: string) => [...html.matchAll(/<h2><a href="\/posts\/\d+">([^<]+)<\/a><\/h2>/g)].map((m) => m[1]);
    assert.deepEqual(titles(first.text).slice(0, 3), ['Numbered post 12', 'Numbered post 11', 'Numbered post 10']);
    assert.equal(titles(first.text).length, 10);
    const next = /<a rel="next" href="(\/\?after=[^"]+)">Older posts<\/a>/.exec(first.text);
    assert.ok(next !== null);
    const second = await client.get(next[1]!.replace(/&amp;/g, '&'), { headers: HTML });
    assert.equal(second.status, 200);
    assert.equal(titles(second.text)[0], 'Numbered post 2');
    assert.equal((await client.get('/?after=not-a-cursor')).status, 400);
  });
});

describe('accounts', () => {
  test('two-factor: enrol with a code from the app, then a login asks for the next code', async () => {
    const client = env.client();
    await signUp(client, 'hana');
    const page = await client.get('/accounts/two-factor', { headers: HTML });
    assert.equal(page.status, 200);
    assert.ok(page.text.includes('<title>'), 'the accounts pages use the blog layout');
    assert.ok(page.text.includes('<link rel="stylesheet" href="/static/css/blog.css">'));
    const secret = /<code>([A-Z2-7 ]+)<\/code>/.exec(page.text)?.[1]?.replace(/ /g, '');
    assert.ok(secret !== undefined, page.text);
    const enrolled = await submit(client, '/accounts/two-factor', { code: totpCode(secret, { time: Date.now() }) });
    assert.equal(enrolled.status, 200);
    assert.match(enrolled.text, /recovery/i);

    const other = env.client();
    const first = await logIn(other, 'hana');
    assert.equal(first.status, 303);
    assert.equal(first.header('location'), '/accounts/login/verify');
    assert.ok(!(await other.get('/', { headers: HTML })).text.includes('>hana</a>'), 'not signed in before the code');
    // The code of the next 30-second step: later than the one used to enrol (a used step is
    // refused), and within the one-step window whatever the clock does meanwhile.
    const verified = await submit(other, '/accounts/login/verify', { code: totpCode(secret, { time: Date.now() + 30_000 }) });
    assert.equal(verified.status, 303);
    assert.ok((await other.get('/', { headers: HTML })).text.includes('title="Two-factor authentication">hana</a>'));
  });

  test('password reset: the mail links to a page that sets a new password', async () => {
    await signUp(env.client(), 'ines');
    const client = env.client();
    const sent = env.mailer.outbox.length;
    const res = await submit(client, '/accounts/password/reset', { email: 'ines@example.com' });
    assert.equal(res.status, 303);
    for (let i = 0; i < 200 && env.mailer.outbox.length === sent; i++) await new Promise((r) => setTimeout(r, 5));
    const mail = env.mailer.outbox[sent];
    assert.ok(mail !== undefined, 'the reset mail was sent');
    assert.deepEqual(mail.to, ['ines@example.com']);
    const link = /http:\/\/localhost(\/accounts\/password\/reset\/confirm\/\S+)/.exec(mail.text)?.[1];
    assert.ok(link !== undefined, mail.text);
    const newPassword = 'another long blog passphrase';
    const done = await submit(client, link, { new_password1: newPassword, new_password2: newPassword });
    assert.equal(done.status, 303);
    assert.equal((await logIn(env.client(), 'ines')).status, 422);
    assert.equal((await logIn(env.client(), 'ines', newPassword)).status, 303);
  });
});

test('every template compiles, the accounts templates included (as at a production start)', () => {
  // The engine's precompile() returns the names it compiled (the app's interface types it as void).
  const names: unknown = env.app.templates?.precompile?.();
  assert.ok(Array.isArray(names));
  for (const name of ['base.html', 'search.html', 'posts/detail.html', 'posts/form.html', 'auth/base.html', 'auth/login.html']) {
    assert.ok(names.includes(name), name);
  }
});

test('the committed migrations match the models (run makemigrations.ts after changing models.ts)', async () => {
  const result = await makeMigrations({ models: MODELS, dir: MIGRATIONS_DIR, dryRun: true });
  assert.equal(result.changed, false, result.changed ? result.operations.join('\n') : '');
});
