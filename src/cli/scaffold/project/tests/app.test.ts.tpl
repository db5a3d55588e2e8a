import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { migrate } from 'rampart/db';
import { testClient } from 'rampart/testing';
import { Note } from '../src/models.js';

// The tests use their own in-memory database, migrated like the real one.
process.env.DATABASE_URL = 'sqlite::memory:';
const { app, db } = await import('../src/app.js');

before(async () => {
  const { error } = await migrate({ kysely: db.kysely, dialect: db.dialect, dir: 'migrations' });
  if (error !== undefined) throw error;
});
after(() => app.close());

function csrfToken(html: string): string {
  const token = /name="csrf_token" value="([^"]+)"/.exec(html)?.[1];
  assert.ok(token !== undefined, 'the form carries a CSRF token');
  return token;
}

test('the home page is HTML with the security headers', async () => {
  const res = await testClient(app).get('/');
  assert.equal(res.status, 200);
  assert.equal(res.header('content-type'), 'text/html; charset=utf-8');
  assert.equal(res.header('x-frame-options'), 'DENY');
  assert.match(res.header('content-security-policy') ?? '', /default-src 'self'/);
  assert.match(res.text, /<h1>Notes<\/h1>/);
});

test('a note is added through the form, and shown escaped', async () => {
  const client = testClient(app);
  const page = await client.get('/');
  const res = await client.post('/notes', { form: { text: '<b>hello</b>', csrf_token: csrfToken(page.text) } });
  assert.equal(res.status, 303);
  assert.equal(res.header('location'), '/');
  const home = await client.get('/');
  assert.ok(home.text.includes('&lt;b&gt;hello&lt;/b&gt;'));
  assert.ok(!home.text.includes('<b>hello</b>'));
});

test('a POST without the CSRF token is refused', async () => {
  const client = testClient(app);
  await client.get('/');
  const res = await client.post('/notes', { form: { text: 'forged' } });
  assert.equal(res.status, 403);
  assert.equal(await db.query(Note).filter({ text: 'forged' }).count(), 0);
});

test('an empty note is refused with 422', async () => {
  const client = testClient(app);
  const page = await client.get('/');
  const res = await client.post('/notes', { form: { text: '   ', csrf_token: csrfToken(page.text) } });
  assert.equal(res.status, 422);
  assert.match(res.text, /Write something first\./);
});

test('static files are served', async () => {
  const res = await testClient(app).get('/static/css/app.css');
  assert.equal(res.status, 200);
  assert.equal(res.header('content-type'), 'text/css; charset=utf-8');
});
