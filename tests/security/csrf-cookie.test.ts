/**
 * csrf() on its own, for apps without sessions: the secret lives in a signed HttpOnly cookie.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { rampart, type App, type Settings } from 'rampart';
import { csrf, sign, SecurityError, CSRF_DEFAULTS } from 'rampart/security';
import { sessions, MemoryStore } from 'rampart/sessions';
import { templates } from 'rampart/templates';
import { testClient } from 'rampart/testing';
import { apiToken, errorOf, fieldToken, SAME_ORIGIN } from '../sessions/helpers.ts';

const SOURCES = { 'contact.html': '<form method="post" action="/contact"><textarea name="msg"></textarea></form>' };

function makeApp(settings: Settings = {}): { app: App; messages: string[] } {
  const messages: string[] = [];
  const app = rampart({ env: 'test', templates: templates({ sources: SOURCES, strict: true, reload: false }), ...settings });
  app.use(csrf());
  app.get('/contact', (req) => req.render('contact.html'));
  app.get('/plain', () => 'no token here');
  app.get('/token', (req) => ({ token: req.csrfToken() }));
  app.post('/contact', async (req) => {
    messages.push((await req.form()).get('msg') ?? '');
    return req.redirect('/thanks', 303);
  });
  return { app, messages };
}

describe('csrf() with the secret in a cookie', () => {
  test('the first page with a form sets a signed HttpOnly csrftoken cookie and is marked private', async () => {
    const { app } = makeApp();
    const client = testClient(app);
    const page = await client.get('/contact');
    assert.equal(page.status, 200);
    fieldToken(page.text);
    assert.equal(page.cookies.length, 1);
    const cookie = page.cookies[0]!;
    assert.equal(cookie.name, 'csrftoken');
    assert.match(cookie.value, /^[A-Za-z0-9_-]{43}\.[A-Za-z0-9_-]{43}$/);
    assert.equal(cookie.httpOnly, true);
    assert.equal(cookie.sameSite, 'Lax');
    assert.equal(cookie.path, '/');
    assert.equal(cookie.maxAge, CSRF_DEFAULTS.cookieMaxAgeSeconds);
    assert.equal(cookie.secure, false);
    assert.equal(page.header('cache-control'), 'private, no-store');
    assert.equal(page.header('vary'), 'Cookie');
    // The second page reuses the secret: no new cookie.
    const again = await client.get('/contact');
    assert.deepEqual(again.cookies, []);
  });

  test('a page that asks for no token sets no cookie and keeps its caching headers', async () => {
    const { app } = makeApp();
    const res = await testClient(app).get('/plain');
    assert.equal(res.text, 'no token here');
    assert.equal(res.header('set-cookie'), undefined);
    assert.equal(res.header('cache-control'), undefined);
    assert.equal(res.header('vary'), undefined);
  });

  test('accepts the form with its field, refuses it without', async () => {
    const { app, messages } = makeApp();
    const client = testClient(app);
    const token = fieldToken((await client.get('/contact')).text);
    const refused = await client.post('/contact', { form: { msg: 'forged' }, headers: SAME_ORIGIN });
    assert.equal(refused.status, 403);
    assert.equal(errorOf(refused).details?.reason, 'token-missing');
    const ok = await client.post('/contact', { form: { msg: 'hello', csrf_token: token }, headers: SAME_ORIGIN });
    assert.equal(ok.status, 303);
    assert.deepEqual(messages, ['hello']);
  });

  test('a cookie planted by an attacker (unsigned, or signed with another key) is no secret', async () => {
    const { app, messages } = makeApp();
    const attacker = testClient(app);
    const token = await apiToken(attacker);
    const secretAndSig = attacker.cookies.get('csrftoken')!;
    const [secret] = secretAndSig.split('.');
    const victim = testClient(app);
    for (const planted of [secret!, `${secret}.${'A'.repeat(43)}`, sign(secret!, 'another-apps-secret-key-of-plenty-of-chars', 'rampart.csrf.cookie')]) {
      victim.cookies.set('csrftoken', planted);
      const res = await victim.post('/contact', { form: { msg: 'x', csrf_token: token }, headers: SAME_ORIGIN });
      assert.equal(res.status, 403);
      assert.equal(errorOf(res).details?.reason, 'secret-missing');
    }
    assert.deepEqual(messages, []);
  });

  test('under HTTPS the cookie is __Host-csrftoken, Secure, Path=/', async () => {
    const { app, messages } = makeApp({ https: true });
    const client = testClient(app, { https: true });
    const page = await client.get('/contact');
    const cookie = page.cookies[0]!;
    assert.equal(cookie.name, '__Host-csrftoken');
    assert.equal(cookie.secure, true);
    assert.equal(cookie.path, '/');
    assert.equal(cookie.domain, undefined);
    const res = await client.post('/contact', { form: { msg: 'tls', csrf_token: fieldToken(page.text) }, headers: { origin: 'https://localhost' } });
    assert.equal(res.status, 303);
    assert.deepEqual(messages, ['tls']);
  });

  test('with sessions() also installed, the request is checked once, against the session secret', async () => {
    const messages: string[] = [];
    const app = rampart({ env: 'test' });
    app.use(sessions({ store: new MemoryStore() }), csrf());
    app.get('/token', (req) => ({ token: req.csrfToken() }));
    app.post('/contact', async (req) => {
      messages.push((await req.form()).get('msg') ?? '');
      return 'ok';
    });
    const client = testClient(app);
    const token = await apiToken(client);
    assert.equal(client.cookies.get('csrftoken'), undefined);
    assert.notEqual(client.cookies.get('sessionid'), undefined);
    const ok = await client.post('/contact', { form: { msg: 'once', csrf_token: token }, headers: SAME_ORIGIN });
    assert.equal(ok.status, 200);
    const refused = await client.post('/contact', { form: { msg: 'x' }, headers: SAME_ORIGIN });
    assert.equal(refused.status, 403);
    assert.deepEqual(messages, ['once']);
  });

  test('invalid options fail when the middleware is created', () => {
    for (const options of [{ headerName: 'x csrf' }, { fieldName: '' }, { cookieMaxAgeSeconds: 0 }, { maxMultipartPeekBytes: 1.5 }]) {
      assert.throws(
        () => csrf(options),
        (err: unknown) => err instanceof SecurityError && err.code === 'E_CSRF_OPTIONS_INVALID',
        JSON.stringify(options),
      );
    }
  });

  test('a custom header and field name', async () => {
    const seen: string[] = [];
    const app = rampart({ env: 'test' });
    app.use(csrf({ headerName: 'X-XSRF-Token', fieldName: 'authenticity_token' }));
    app.get('/token', (req) => ({ token: req.csrfToken() }));
    app.post('/a', async (req) => {
      seen.push('a');
      return 'ok';
    });
    const client = testClient(app);
    const token = await apiToken(client);
    assert.equal((await client.post('/a', { headers: { 'x-xsrf-token': token } })).status, 200);
    assert.equal((await client.post('/a', { form: { authenticity_token: token } })).status, 200);
    assert.equal((await client.post('/a', { headers: { 'x-csrf-token': token } })).status, 403);
    assert.deepEqual(seen, ['a', 'a']);
  });
});
