/**
 * The opening examples of docs/sessions.md and docs/csrf.md, run as written (templates in memory
 * instead of files).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { html, rampart } from 'rampart';
import { sessions, MemoryStore } from 'rampart/sessions';
import { templates } from 'rampart/templates';
import { testClient } from 'rampart/testing';

declare module 'rampart/sessions' {
  interface SessionData {
    visits: number;
  }
}

test('docs/sessions.md: the visit counter', async () => {
  const app = rampart({ env: 'test' });
  app.use(sessions({ store: new MemoryStore() }));
  app.get('/', (req) => {
    const visits = (req.session.get('visits') ?? 0) + 1;
    req.session.set('visits', visits);
    return `You have been here ${visits} times.`;
  });
  const client = testClient(app);
  assert.equal((await client.get('/')).text, 'You have been here 1 times.');
  assert.equal((await client.get('/')).text, 'You have been here 2 times.');
  assert.equal((await testClient(app).get('/')).text, 'You have been here 1 times.');
});

test('docs/csrf.md: a form rendered by the engine posts; a forged one does not', async () => {
  const notes: string[] = [];
  const app = rampart({
    env: 'test',
    templates: templates({
      sources: { 'notes/new.html': '<form method="post" action="/notes">\n  <textarea name="text"></textarea>\n  <button>Save</button>\n</form>' },
      reload: false,
    }),
  });
  app.use(sessions({ store: new MemoryStore() }));
  app.get('/notes/new', (req) => req.render('notes/new.html'));
  app.post('/notes', async (req) => {
    notes.push((await req.form()).get('text') ?? '');
    return req.redirect('/notes', 303);
  });
  app.get('/delete-account', (req) => html`<form method="post" action="/delete-account">
  <input type="hidden" name="csrf_token" value="${req.csrfToken() ?? ''}">
  <button>Delete my account</button>
</form>`);
  const client = testClient(app);
  const page = await client.get('/notes/new');
  const token = /name="csrf_token" value="([^"]+)"/.exec(page.text)![1]!;
  assert.equal((await client.post('/notes', { form: { text: 'hi', csrf_token: token } })).status, 303);
  assert.equal((await client.post('/notes', { form: { text: 'forged' }, headers: { origin: 'https://evil.example' } })).status, 403);
  assert.deepEqual(notes, ['hi']);
  const manual = await client.get('/delete-account');
  assert.match(manual.text, /<input type="hidden" name="csrf_token" value="[A-Za-z0-9_-]{86}">/);
});
