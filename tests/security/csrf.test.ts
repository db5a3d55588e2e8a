/**
 * CSRF protection as installed by sessions(): every hostile request is refused with a 403 before
 * its handler runs (shown by a side effect that did not happen), and the requests a real page or
 * script of the app makes go through.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { group, rampart, type App, type Settings } from 'rampart';
import { CsrfError } from 'rampart/security';
import { sessions, MemoryStore } from 'rampart/sessions';
import { templates, CSRF_FIELD_NAME } from 'rampart/templates';
import { testClient, type TestClient } from 'rampart/testing';
import { capture } from '../helpers/log-capture.ts';
import { apiToken, errorOf, fieldToken, SAME_ORIGIN } from '../sessions/helpers.ts';

declare module 'rampart/sessions' {
  interface SessionData {
    csrfTestUser: string;
  }
}

const STRONG_KEY = 'kP9x2VqL7mZt4RwY8nHc3JsB6fGd1QeA5uXoTi0vWlNb';

interface Effects {
  notes: string[];
  deleted: number;
  hooks: number;
}

const SOURCES = {
  'note-form.html': '<!doctype html><title>New note</title><form method="post" action="/notes"><input name="text"><button>Save</button></form>',
};

function makeApp(settings: Settings = {}): { app: App; effects: Effects } {
  const effects: Effects = { notes: [], deleted: 0, hooks: 0 };
  const app = rampart({ env: 'test', templates: templates({ sources: SOURCES, strict: true, reload: false }), ...settings });
  app.use(sessions({ store: new MemoryStore() }));
  app.get('/notes/new', (req) => req.render('note-form.html'));
  app.get('/token', (req) => ({ token: req.csrfToken() }));
  app.post('/notes', async (req) => {
    const form = await req.form();
    effects.notes.push(form.get('text') ?? '');
    return req.redirect('/notes', 303);
  });
  app.post('/api/notes', async (req) => {
    const body = await req.json<{ text: string }>();
    effects.notes.push(body.text);
    return { ok: true };
  });
  app.put('/api/notes/1', async (req) => {
    effects.notes.push(`put:${(await req.json<{ text: string }>()).text}`);
    return { ok: true };
  });
  app.patch('/api/notes/1', () => {
    effects.notes.push('patch');
    return { ok: true };
  });
  app.delete('/notes/1', () => {
    effects.deleted++;
    return { deleted: true };
  });
  app.post('/notes/1', async (req) => {
    effects.notes.push(`post-1:${(await req.form()).get('text') ?? ''}`);
    return { updated: true };
  });
  app.post('/hooks/payment', { csrf: false }, async (req) => {
    effects.hooks++;
    return { received: (await req.text()).length };
  });
  app.post('/login', (req) => {
    req.session.setUser('ada');
    return { user: req.session.userId };
  });
  return { app, effects };
}

/** A visitor who opened the note form: their client and the token the page carried. */
async function visitor(app: App, options: Parameters<typeof testClient>[1] = {}): Promise<{ client: TestClient; token: string }> {
  const client = testClient(app, options);
  const page = await client.get('/notes/new');
  assert.equal(page.status, 200);
  return { client, token: fieldToken(page.text) };
}

describe('accepted requests', () => {
  test('a same-origin form POST with the field the template inserted', async () => {
    const { app, effects } = makeApp();
    const { client, token } = await visitor(app);
    assert.equal(CSRF_FIELD_NAME, 'csrf_token');
    const res = await client.post('/notes', { form: { text: 'hello', csrf_token: token }, headers: SAME_ORIGIN });
    assert.equal(res.status, 303);
    assert.equal(res.header('location'), '/notes');
    assert.deepEqual(effects.notes, ['hello']);
  });

  test('a fetch-style JSON request with the X-CSRF-Token header', async () => {
    const { app, effects } = makeApp();
    const client = testClient(app);
    const token = await apiToken(client);
    const res = await client.post('/api/notes', { json: { text: 'from fetch' }, headers: { ...SAME_ORIGIN, 'x-csrf-token': token } });
    assert.equal(res.status, 200);
    assert.deepEqual(res.json(), { ok: true });
    assert.deepEqual(effects.notes, ['from fetch']);
  });

  test('a client that sends no Origin (curl, a server-side script) over HTTP, with the token', async () => {
    const { app, effects } = makeApp();
    const client = testClient(app);
    const token = await apiToken(client);
    const res = await client.put('/api/notes/1', { json: { text: 'x' }, headers: { 'x-csrf-token': token } });
    assert.equal(res.status, 200);
    assert.deepEqual(effects.notes, ['put:x']);
  });

  test('every token req.csrfToken() gives differs (BREACH masking) and each one is accepted', async () => {
    const { app, effects } = makeApp();
    const client = testClient(app);
    const a = await apiToken(client);
    const b = await apiToken(client);
    assert.notEqual(a, b);
    assert.match(a, /^[A-Za-z0-9_-]{86}$/);
    for (const token of [a, b]) {
      const res = await client.patch('/api/notes/1', { headers: { ...SAME_ORIGIN, 'x-csrf-token': token } });
      assert.equal(res.status, 200);
    }
    assert.deepEqual(effects.notes, ['patch', 'patch']);
  });

  test('a route registered with csrf: false takes a cross-site POST without a token', async () => {
    const { app, effects } = makeApp();
    const res = await testClient(app).post('/hooks/payment', {
      body: '{"paid":true}',
      headers: { 'content-type': 'application/json', origin: 'https://payments.example', 'sec-fetch-site': 'cross-site' },
    });
    assert.equal(res.status, 200);
    assert.deepEqual(res.json(), { received: 13 });
    assert.equal(effects.hooks, 1);
  });

  test('csrf: false covers only its own route, also inside a mounted group', async () => {
    const { app, effects } = makeApp();
    const hooks = group();
    hooks.post('/github', { csrf: false }, () => ({ hook: 'github' }));
    hooks.put('/github', () => ({ hook: 'put' }));
    app.mount('/hooks', hooks);
    const client = testClient(app);
    const hostile = { origin: 'https://github.example', 'sec-fetch-site': 'cross-site' };
    assert.deepEqual((await client.post('/hooks/github', { headers: hostile })).json(), { hook: 'github' });
    assert.equal((await client.put('/hooks/github', { headers: hostile })).status, 403);
    assert.equal((await client.post('/notes', { form: { text: 'x' }, headers: hostile })).status, 403);
    assert.deepEqual(effects.notes, []);
  });

  test('a request with a Bearer Authorization header (token API) is not subject to the cookie checks', async () => {
    const { app, effects } = makeApp();
    const res = await testClient(app).post('/api/notes', {
      json: { text: 'api' },
      headers: { authorization: 'Bearer abc.def', origin: 'https://other.example' },
    });
    assert.equal(res.status, 200);
    assert.deepEqual(effects.notes, ['api']);
  });

  test('an origin listed in CSRF_TRUSTED_ORIGINS, exactly or by wildcard', async () => {
    const { app, effects } = makeApp({ csrfTrustedOrigins: ['https://shop.example', 'https://*.partner.example'] });
    const client = testClient(app);
    const token = await apiToken(client);
    for (const origin of ['https://shop.example', 'https://eu.partner.example']) {
      const res = await client.post('/api/notes', { json: { text: origin }, headers: { origin, 'sec-fetch-site': 'cross-site', 'x-csrf-token': token } });
      assert.equal(res.status, 200, origin);
    }
    for (const origin of ['https://partner.example', 'http://shop.example', 'https://shop.example:8443']) {
      const res = await client.post('/api/notes', { json: { text: origin }, headers: { origin, 'x-csrf-token': token } });
      assert.equal(res.status, 403, origin);
    }
    assert.deepEqual(effects.notes, ['https://shop.example', 'https://eu.partner.example']);
  });

  test('GET, HEAD and OPTIONS are never checked', async () => {
    const { app } = makeApp();
    const client = testClient(app);
    const hostile = { origin: 'https://evil.example', 'sec-fetch-site': 'cross-site' };
    assert.equal((await client.get('/notes/new', { headers: hostile })).status, 200);
    assert.equal((await client.head('/notes/new', { headers: hostile })).status, 200);
    assert.equal((await client.options('/notes', { headers: hostile })).status, 204);
  });

  test('a POST to an unknown path is a 404, not a CSRF refusal', async () => {
    const { app } = makeApp();
    const res = await testClient(app).post('/nowhere', { form: { a: '1' } });
    assert.equal(res.status, 404);
    assert.equal(errorOf(res).code, 'E_HTTP_NOT_FOUND');
  });
});

describe('refused requests (403, handler not run)', () => {
  const cases: { name: string; reason: string; send: (client: TestClient, token: string) => ReturnType<TestClient['post']> }[] = [
    { name: 'a POST without a token', reason: 'token-missing', send: (c) => c.post('/notes', { form: { text: 'x' }, headers: SAME_ORIGIN }) },
    {
      name: 'a POST with an empty token field',
      reason: 'token-missing',
      send: (c) => c.post('/notes', { form: { text: 'x', csrf_token: '' }, headers: SAME_ORIGIN }),
    },
    {
      name: 'a POST with a wrong token of the right shape',
      reason: 'token-incorrect',
      send: (c) => c.post('/notes', { form: { text: 'x', csrf_token: 'A'.repeat(86) }, headers: SAME_ORIGIN }),
    },
    {
      name: 'a POST with a malformed token',
      reason: 'token-malformed',
      send: (c) => c.post('/notes', { form: { text: 'x', csrf_token: '<script>' }, headers: SAME_ORIGIN }),
    },
    {
      name: 'a POST with a valid token but Origin: https://evil.example',
      reason: 'origin-untrusted',
      send: (c, t) => c.post('/notes', { form: { text: 'x', csrf_token: t }, headers: { origin: 'https://evil.example' } }),
    },
    {
      name: 'a POST with Origin: null',
      reason: 'origin-null',
      send: (c, t) => c.post('/notes', { form: { text: 'x', csrf_token: t }, headers: { origin: 'null' } }),
    },
    {
      name: 'a POST whose Origin has the right host on another port',
      reason: 'origin-untrusted',
      send: (c, t) => c.post('/notes', { form: { text: 'x', csrf_token: t }, headers: { origin: 'http://localhost:8080' } }),
    },
    {
      name: 'a POST whose Origin carries a path',
      reason: 'origin-malformed',
      send: (c, t) => c.post('/notes', { form: { text: 'x', csrf_token: t }, headers: { origin: 'http://localhost/notes' } }),
    },
    {
      name: 'a POST with Sec-Fetch-Site: cross-site, even with a valid token',
      reason: 'cross-site',
      send: (c, t) => c.post('/notes', { form: { text: 'x', csrf_token: t }, headers: { 'sec-fetch-site': 'cross-site' } }),
    },
    {
      name: 'a POST with Sec-Fetch-Site: same-site (a sibling subdomain)',
      reason: 'same-site',
      send: (c, t) => c.post('/notes', { form: { text: 'x', csrf_token: t }, headers: { 'sec-fetch-site': 'same-site', origin: 'http://blog.localhost' } }),
    },
    {
      name: 'a JSON body sent as text/plain from another origin',
      reason: 'origin-untrusted',
      send: (c) => c.post('/api/notes', { body: '{"text":"forged"}', headers: { 'content-type': 'text/plain', origin: 'https://evil.example' } }),
    },
    {
      name: 'a JSON body sent as text/plain with no Origin and no token',
      reason: 'token-missing',
      send: (c) => c.post('/api/notes', { body: '{"text":"forged"}', headers: { 'content-type': 'text/plain' } }),
    },
    {
      name: 'a token in the query string (never accepted: it leaks through logs and Referer)',
      reason: 'token-missing',
      send: (c, t) => c.post(`/notes?csrf_token=${t}`, { form: { text: 'x' }, headers: SAME_ORIGIN }),
    },
    {
      name: 'a request with Basic credentials, which browsers attach by themselves',
      reason: 'origin-untrusted',
      send: (c, t) =>
        c.post('/notes', { form: { text: 'x', csrf_token: t }, headers: { authorization: 'Basic YWRhOnB3', origin: 'https://evil.example' } }),
    },
  ];

  for (const c of cases) {
    test(`refuses ${c.name}`, async () => {
      const { app, effects } = makeApp();
      const { client, token } = await visitor(app);
      const res = await c.send(client, token);
      assert.equal(res.status, 403);
      const error = errorOf(res);
      assert.equal(error.code, 'E_CSRF_FAILED');
      assert.equal(error.details?.reason, c.reason);
      assert.match(error.message, /^CSRF check failed: /);
      assert.deepEqual(effects.notes, []);
      assert.equal(effects.deleted, 0);
    });
  }

  test("refuses another session's token", async () => {
    const { app, effects } = makeApp();
    const alice = await visitor(app);
    const mallory = await visitor(app);
    assert.notEqual(alice.client.cookies.get('sessionid'), mallory.client.cookies.get('sessionid'));
    const res = await alice.client.post('/notes', { form: { text: 'x', csrf_token: mallory.token }, headers: SAME_ORIGIN });
    assert.equal(res.status, 403);
    assert.equal(errorOf(res).details?.reason, 'token-incorrect');
    assert.deepEqual(effects.notes, []);
  });

  test('refuses a POST from a visitor without a session (no secret to check against)', async () => {
    const { app, effects } = makeApp();
    const { token } = await visitor(app);
    const res = await testClient(app).post('/notes', { form: { text: 'x', csrf_token: token }, headers: SAME_ORIGIN });
    assert.equal(res.status, 403);
    assert.equal(errorOf(res).details?.reason, 'secret-missing');
    assert.deepEqual(effects.notes, []);
  });

  test('does not honour X-HTTP-Method-Override or _method: the POST is checked as a POST, DELETE never runs', async () => {
    const { app, effects } = makeApp();
    const { client, token } = await visitor(app);
    const forged = await client.post('/notes/1', {
      form: { _method: 'DELETE', text: 'x' },
      headers: { 'x-http-method-override': 'DELETE', 'x-method-override': 'DELETE', origin: 'https://evil.example' },
    });
    assert.equal(forged.status, 403);
    assert.equal(effects.deleted, 0);
    // With a valid token the request is what it says it is: a POST, handled by the POST route.
    const real = await client.post('/notes/1', { form: { _method: 'DELETE', text: 'y', csrf_token: token }, headers: { ...SAME_ORIGIN, 'x-http-method-override': 'DELETE' } });
    assert.equal(real.status, 200);
    assert.deepEqual(real.json(), { updated: true });
    assert.equal(effects.deleted, 0);
    assert.deepEqual(effects.notes, ['post-1:y']);
  });

  test('DELETE, PUT and PATCH without a token are refused too', async () => {
    const { app, effects } = makeApp();
    const { client } = await visitor(app);
    for (const res of [
      await client.delete('/notes/1', { headers: SAME_ORIGIN }),
      await client.put('/api/notes/1', { json: { text: 'x' }, headers: SAME_ORIGIN }),
      await client.patch('/api/notes/1', { headers: SAME_ORIGIN }),
    ]) {
      assert.equal(res.status, 403);
      assert.equal(errorOf(res).details?.reason, 'token-missing');
    }
    assert.equal(effects.deleted, 0);
    assert.deepEqual(effects.notes, []);
  });

  test('a token issued before login does not work after it (the secret rotates with the session)', async () => {
    const { app, effects } = makeApp();
    const { client, token } = await visitor(app);
    const login = await client.post('/login', { headers: { ...SAME_ORIGIN, 'x-csrf-token': token } });
    assert.equal(login.status, 200);
    // Login dropped the old secret; the next page that needs a token makes a new one.
    const fresh = await apiToken(client);
    const stale = await client.post('/notes', { form: { text: 'x', csrf_token: token }, headers: SAME_ORIGIN });
    assert.equal(stale.status, 403);
    assert.equal(errorOf(stale).details?.reason, 'token-incorrect');
    const ok = await client.post('/notes', { form: { text: 'after login', csrf_token: fresh }, headers: SAME_ORIGIN });
    assert.equal(ok.status, 303);
    assert.deepEqual(effects.notes, ['after login']);
  });
});

describe('HTTPS: Referer when Origin is absent', () => {
  function httpsApp(): { app: App; effects: Effects } {
    return makeApp({ https: true });
  }

  test('a same-origin https Referer is accepted', async () => {
    const { app, effects } = httpsApp();
    const { client, token } = await visitor(app, { https: true });
    const res = await client.post('/notes', { form: { text: 'ok', csrf_token: token }, headers: { referer: 'https://localhost/notes/new' } });
    assert.equal(res.status, 303);
    assert.deepEqual(effects.notes, ['ok']);
  });

  const refused: [string, Record<string, string>, string][] = [
    ['no Origin and no Referer', {}, 'referer-missing'],
    ['an http:// Referer of the same host', { referer: 'http://localhost/notes/new' }, 'referer-insecure'],
    ['a Referer of another site', { referer: 'https://evil.example/page' }, 'referer-untrusted'],
    ['a Referer that is not a URL', { referer: 'not a url' }, 'referer-malformed'],
  ];
  for (const [name, headers, reason] of refused) {
    test(`refuses ${name}`, async () => {
      const { app, effects } = httpsApp();
      const { client, token } = await visitor(app, { https: true });
      const res = await client.post('/notes', { form: { text: 'x', csrf_token: token }, headers });
      assert.equal(res.status, 403);
      assert.equal(errorOf(res).details?.reason, reason);
      assert.deepEqual(effects.notes, []);
    });
  }

  test('the Origin of an https app is https://host', async () => {
    const { app, effects } = httpsApp();
    const { client, token } = await visitor(app, { https: true });
    const wrongScheme = await client.post('/notes', { form: { text: 'x', csrf_token: token }, headers: { origin: 'http://localhost' } });
    assert.equal(wrongScheme.status, 403);
    const right = await client.post('/notes', { form: { text: 'y', csrf_token: token }, headers: { origin: 'https://localhost' } });
    assert.equal(right.status, 303);
    assert.deepEqual(effects.notes, ['y']);
  });
});

describe('the refusal', () => {
  test('is an HTML page for browsers and JSON for scripts', async () => {
    const { app } = makeApp();
    const client = testClient(app);
    const page = await client.post('/notes', { form: { text: 'x' }, headers: { accept: 'text/html,application/xhtml+xml' } });
    assert.equal(page.status, 403);
    assert.equal(page.header('content-type'), 'text/html; charset=utf-8');
    assert.ok(page.text.includes('<h1>403 Forbidden</h1>'));
    assert.ok(page.text.includes('CSRF check failed: no CSRF secret'), page.text);
    const api = await client.post('/notes', { form: { text: 'x' }, headers: { accept: 'application/json' } });
    assert.equal(api.header('content-type'), 'application/json; charset=utf-8');
    assert.equal(errorOf(api).details?.reason, 'secret-missing');
  });

  test('says nothing about the failed check in production', async () => {
    const { app, effects } = makeApp({ env: 'production', secretKey: STRONG_KEY, allowedHosts: ['localhost'], logLevel: 'silent', logRequests: false });
    const { client, token } = await visitor(app);
    const res = await client.post('/notes', { form: { text: 'x', csrf_token: token }, headers: { origin: 'https://evil.example' } });
    assert.equal(res.status, 403);
    assert.deepEqual(res.json(), {
      error: { status: 403, message: 'The request could not be verified. Reload the page and try again.', code: 'E_CSRF_FAILED' },
    });
    const page = await client.post('/notes', { form: { text: 'x' }, headers: { accept: 'text/html' } });
    assert.ok(page.text.includes('<p>The request could not be verified. Reload the page and try again.</p>'));
    assert.ok(!page.text.includes('token'));
    assert.deepEqual(effects.notes, []);
  });

  test('is logged as a security event with the reason', async () => {
    const logs = capture();
    const { app } = makeApp({ logStream: logs.stream, logLevel: 'warn' });
    const { client, token } = await visitor(app);
    await client.post('/notes', { form: { text: 'x', csrf_token: token }, headers: { origin: 'https://evil.example' } });
    const line = await logs.waitFor((l) => l['event'] === 'security.csrf', 'the CSRF refusal');
    assert.equal(line['reason'], 'origin-untrusted');
    assert.equal(line['method'], 'POST');
    assert.equal(line['path'], '/notes');
    assert.equal(line['origin'], 'https://evil.example');
    assert.equal(line['level'], 40);
    assert.match(String(line['msg']), /^CSRF check failed: the Origin header/);
  });

  test('reaches app.onError as a CsrfError, so an app can render its own page', async () => {
    const { app, effects } = makeApp();
    app.onError((err) => (err instanceof CsrfError ? new Response(`custom: ${err.reason}`, { status: 403 }) : undefined));
    const res = await testClient(app).post('/notes', { form: { text: 'x' }, headers: { origin: 'null' } });
    assert.equal(res.status, 403);
    assert.equal(res.text, 'custom: origin-null');
    assert.deepEqual(effects.notes, []);
  });
});

describe('settings', () => {
  test('CSRF_TRUSTED_ORIGINS comes from the environment, comma separated, lower-cased', async () => {
    const { resolveSettings } = await import('rampart');
    const s = resolveSettings({}, { CSRF_TRUSTED_ORIGINS: 'https://A.example, https://*.b.example:8443' });
    assert.deepEqual(s.csrfTrustedOrigins, ['https://a.example', 'https://*.b.example:8443']);
    assert.deepEqual(resolveSettings({}, {}).csrfTrustedOrigins, []);
  });

  test('an entry without a scheme, with a path, or with a misplaced wildcard is refused at startup', async () => {
    const { resolveSettings, ConfigError } = await import('rampart');
    for (const bad of ['example.com', 'https://example.com/', 'https://example.com/path', 'https://*example.com', 'ftp://example.com', 'https://a.*.example.com']) {
      assert.throws(
        () => resolveSettings({ csrfTrustedOrigins: [bad] }, {}),
        (err: unknown) => err instanceof ConfigError && err.code === 'E_CONFIG_INVALID' && err.message.includes('CSRF_TRUSTED_ORIGINS'),
        bad,
      );
    }
  });
});
