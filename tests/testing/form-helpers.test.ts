/**
 * The test client's browser-like helpers: csrfToken() reads the field the template engine put in
 * a form, submitForm() posts with it, login() goes through the accounts login view.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { rampart } from 'rampart';
import { MemoryStore, sessions } from 'rampart/sessions';
import { templates } from 'rampart/templates';
import { testClient } from 'rampart/testing';
import { accountsApp, accountsDb, makeUser, PASSWORD, whoami, type AccountsDb } from '../auth/support.ts';

function notesApp() {
  const app = rampart({
    env: 'test',
    logLevel: 'silent',
    templates: templates({ sources: { 'new.html': '<form method="post"><input name="title"><button>Save</button></form>', 'plain.html': '<p>no form</p>' }, reload: false }),
  });
  const saved: string[] = [];
  app.use(sessions({ store: new MemoryStore() }));
  app.get('/notes/new', (req) => req.render('new.html'));
  app.get('/plain', (req) => req.render('plain.html'));
  app.post('/notes/new', async (req) => {
    saved.push((await req.form()).get('title') ?? '');
    return req.redirect('/notes', 303);
  });
  return { app, saved };
}

describe('csrfToken and submitForm', () => {
  test('a form submitted with the page token is accepted; without it, refused', async () => {
    const { app, saved } = notesApp();
    const client = testClient(app);
    const res = await client.submitForm('/notes/new', { title: 'Hello' });
    assert.equal(res.status, 303);
    assert.deepEqual(saved, ['Hello']);
    const bare = await testClient(app).post('/notes/new', { headers: { origin: 'http://localhost' }, form: { title: 'Nope' } });
    assert.equal(bare.status, 403);
    assert.deepEqual(saved, ['Hello']);
  });

  test('the token comes with the session cookie and changes mask on each page', async () => {
    const client = testClient(notesApp().app);
    const a = await client.csrfToken('/notes/new');
    const b = await client.csrfToken('/notes/new');
    assert.notEqual(a, b);
    assert.match(a, /^[A-Za-z0-9_-]+$/);
  });

  test('a page without a form is a clear error', async () => {
    const client = testClient(notesApp().app);
    await assert.rejects(client.csrfToken('/plain'), /No csrf_token field on \/plain \(status 200\)/);
  });

  test('origin follows the host and https options', () => {
    const { app } = notesApp();
    assert.equal(testClient(app).origin, 'http://localhost');
    assert.equal(testClient(app, { host: 'example.test', https: true }).origin, 'https://example.test');
  });
});

describe('login', () => {
  let env: AccountsDb;
  before(async () => {
    env = await accountsDb('sqlite');
  });
  after(() => env.done());

  test('logs in through the accounts view and keeps the session', async () => {
    const user = await makeUser(env.db);
    const app = accountsApp(env.db);
    const client = app.client();
    assert.equal(await whoami(client), null);
    const res = await client.login(user.username, PASSWORD);
    assert.equal(res.status, 303);
    assert.equal(await whoami(client), user.username);
    await assert.rejects(app.client().login(user.username, 'wrong password'), /answered 422/);
  });
});
