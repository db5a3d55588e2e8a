// The in-process test client: cookies, query, form and JSON options, addresses, and fidelity to
// what a real client sends. Plus the real-socket helper.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { rampart, type App } from 'rampart';
import { testClient, liveServer, TestClient, CookieJar, parseSetCookie } from 'rampart/testing';

function sessionApp(): App {
  const a = rampart({ env: 'test' });
  a.post('/login', (req) => {
    req.setCookie('sid', 'abc123');
    req.setCookie('theme', 'dark', { path: '/app', httpOnly: false, maxAgeSeconds: 3600 });
    return req.redirect('/me', 303);
  });
  a.post('/logout', (req) => {
    req.deleteCookie('sid');
    return 'bye';
  });
  a.post('/expire', () => ({ ok: true }));
  a.get('/me', (req) => ({ cookie: req.headers.cookie ?? null }));
  a.get('/app/page', (req) => ({ cookie: req.headers.cookie ?? null }));
  a.get('/application', (req) => ({ cookie: req.headers.cookie ?? null }));
  a.get('/echo', (req) => ({
    url: req.url,
    query: [...req.query.entries()],
    host: req.host,
    ip: req.ip,
    headers: { 'x-default': req.headers['x-default'] ?? null, 'x-one': req.headers['x-one'] ?? null },
  }));
  a.post('/echo-body', async (req) => ({ type: req.headers['content-type'] ?? null, body: await req.text() }));
  return a;
}

describe('cookies', () => {
  test('a cookie set by a response is sent with the next requests', async () => {
    const client = testClient(sessionApp());
    const login = await client.post('/login');
    assert.equal(login.status, 303, 'redirects are returned, not followed');
    assert.equal(login.header('location'), '/me');
    assert.equal(client.cookies.get('sid'), 'abc123');
    assert.deepEqual((await client.get('/me')).json(), { cookie: 'sid=abc123' });
    assert.deepEqual((await client.get('/me')).json(), { cookie: 'sid=abc123' });
  });

  test('a cookie with a path is only sent under that path', async () => {
    const client = testClient(sessionApp());
    await client.post('/login');
    assert.deepEqual((await client.get('/app/page')).json(), { cookie: 'sid=abc123; theme=dark' });
    assert.deepEqual((await client.get('/application')).json(), { cookie: 'sid=abc123' });
    assert.deepEqual((await client.get('/me')).json(), { cookie: 'sid=abc123' });
  });

  test('a Max-Age=0 cookie removes it from the jar', async () => {
    const client = testClient(sessionApp());
    await client.post('/login');
    const res = await client.post('/logout');
    assert.equal(res.cookies[0]?.maxAge, 0);
    assert.equal(client.cookies.get('sid'), undefined);
    assert.deepEqual((await client.get('/me')).json(), { cookie: null });
  });

  test('a cookie whose Expires is in the past removes it from the jar', () => {
    const jar = new CookieJar();
    jar.store(['a=1; Path=/']);
    assert.equal(jar.header('/'), 'a=1');
    jar.store(['a=; Path=/; Expires=Thu, 01 Jan 1970 00:00:00 GMT']);
    assert.equal(jar.header('/'), undefined);
  });

  test('an explicit Cookie header wins over the jar', async () => {
    const client = testClient(sessionApp());
    await client.post('/login');
    assert.deepEqual((await client.get('/me', { headers: { cookie: 'sid=forged' } })).json(), { cookie: 'sid=forged' });
  });

  test('cookies can be set by hand and cleared', async () => {
    const client = testClient(sessionApp());
    client.cookies.set('sid', 'manual');
    assert.deepEqual((await client.get('/me')).json(), { cookie: 'sid=manual' });
    client.cookies.clear();
    assert.deepEqual((await client.get('/me')).json(), { cookie: null });
  });

  test('two clients do not share cookies', async () => {
    const a = sessionApp();
    const one = testClient(a);
    const two = testClient(a);
    await one.post('/login');
    assert.deepEqual((await two.get('/me')).json(), { cookie: null });
  });

  test('response cookies are parsed with their attributes', async () => {
    const res = await testClient(sessionApp()).post('/login');
    assert.deepEqual(
      res.cookies.map((c) => ({ name: c.name, value: c.value, path: c.path, httpOnly: c.httpOnly, secure: c.secure, sameSite: c.sameSite, maxAge: c.maxAge })),
      [
        { name: 'sid', value: 'abc123', path: '/', httpOnly: true, secure: false, sameSite: 'Lax', maxAge: undefined },
        { name: 'theme', value: 'dark', path: '/app', httpOnly: false, secure: false, sameSite: 'Lax', maxAge: 3600 },
      ],
    );
    assert.equal(res.header('set-cookie'), 'sid=abc123; Path=/; HttpOnly; SameSite=Lax, theme=dark; Max-Age=3600; Path=/app; SameSite=Lax');
  });

  test('parseSetCookie reads every attribute', () => {
    assert.deepEqual(parseSetCookie('__Host-sid=x=y; Path=/; Secure; HttpOnly; SameSite=Strict; Max-Age=60; Domain=example.com; Partitioned'), {
      name: '__Host-sid',
      value: 'x=y',
      path: '/',
      domain: 'example.com',
      maxAge: 60,
      httpOnly: true,
      secure: true,
      sameSite: 'Strict',
      partitioned: true,
    });
    assert.equal(parseSetCookie('novalue'), null);
  });
});

describe('request options', () => {
  const client = testClient(sessionApp());

  test('query is appended as a query string, with repeated keys from arrays', async () => {
    const res = await client.get('/echo', { query: { q: 'a b&c', tag: ['x', 'y'] } });
    const body = res.json<{ url: string; query: [string, string][] }>();
    assert.equal(body.url, '/echo?q=a+b%26c&tag=x&tag=y');
    assert.deepEqual(body.query, [
      ['q', 'a b&c'],
      ['tag', 'x'],
      ['tag', 'y'],
    ]);
  });

  test('query is added to a query string already in the path', async () => {
    const res = await client.get('/echo?a=1', { query: { b: '2' } });
    assert.equal(res.json<{ url: string }>().url, '/echo?a=1&b=2');
  });

  test('form sends an urlencoded body with its content type', async () => {
    const res = await client.post('/echo-body', { form: { name: 'Ada Lovelace', tag: ['a', 'b'] } });
    assert.deepEqual(res.json(), { type: 'application/x-www-form-urlencoded', body: 'name=Ada+Lovelace&tag=a&tag=b' });
  });

  test('json sends a JSON body with its content type, including falsy values', async () => {
    assert.deepEqual((await client.post('/echo-body', { json: { a: [1, 'é'] } })).json(), { type: 'application/json', body: '{"a":[1,"é"]}' });
    assert.deepEqual((await client.post('/echo-body', { json: null })).json(), { type: 'application/json', body: 'null' });
    assert.deepEqual((await client.post('/echo-body', { json: false })).json(), { type: 'application/json', body: 'false' });
    assert.deepEqual((await client.post('/echo-body', { json: 0 })).json(), { type: 'application/json', body: '0' });
  });

  test('a content type given in headers wins over the one json and form set', async () => {
    const res = await client.post('/echo-body', { json: { a: 1 }, headers: { 'content-type': 'application/json; charset=utf-8' } });
    assert.deepEqual(res.json(), { type: 'application/json; charset=utf-8', body: '{"a":1}' });
  });

  test('a raw body is sent as given', async () => {
    const res = await client.post('/echo-body', { body: 'raw text', headers: { 'content-type': 'text/plain' } });
    assert.deepEqual(res.json(), { type: 'text/plain', body: 'raw text' });
  });

  test('the default Host is localhost, remote address 127.0.0.1, both configurable per client and per request', async () => {
    const a = sessionApp();
    const plain = await testClient(a).get('/echo');
    assert.equal(plain.json<{ host: string }>().host, 'localhost');
    assert.equal(plain.json<{ ip: string }>().ip, '127.0.0.1');
    const custom = testClient(a, { host: '127.0.0.1:8000', remoteAddress: '192.0.2.1', headers: { 'x-default': 'd' } });
    const res = await custom.get('/echo', { headers: { 'x-one': '1' } });
    const body = res.json<{ host: string; ip: string; headers: Record<string, string | null> }>();
    assert.equal(body.host, '127.0.0.1');
    assert.equal(body.ip, '192.0.2.1');
    assert.deepEqual(body.headers, { 'x-default': 'd', 'x-one': '1' });
    assert.equal((await custom.get('/echo', { remoteAddress: '192.0.2.9' })).json<{ ip: string }>().ip, '192.0.2.9');
  });

  test('request() sends any method', async () => {
    const a = rampart({ env: 'test' });
    a.all('/m', (req) => req.method);
    const c = new TestClient(a);
    assert.equal((await c.request('PATCH', '/m')).text, 'PATCH');
    assert.equal((await c.request('DELETE', '/m')).text, 'DELETE');
  });

  test('the response exposes status, lower-case headers, body bytes, text and json()', async () => {
    const res = await client.get('/echo');
    assert.equal(res.status, 200);
    assert.equal(res.headers['content-type'], 'application/json; charset=utf-8');
    assert.equal(res.header('Content-Type'), 'application/json; charset=utf-8');
    assert.ok(Buffer.isBuffer(res.body));
    assert.equal(res.text, res.body.toString('utf8'));
    assert.equal(res.json<{ host: string }>().host, 'localhost');
  });
});

describe('fidelity to a real client', () => {
  function echoUnknown(): App {
    const a = rampart({ env: 'test' });
    // Every unknown path reaches the app-level error handler, which reports what the app received.
    a.onError((_err, req) => ({ url: req.url }));
    return a;
  }

  test('the path is sent exactly as given: no dot-segment or backslash normalization', async () => {
    const client = testClient(echoUnknown());
    for (const path of ['/a/../b', '/a/./b', '/%2e%2e/etc/passwd', '/a%2F..%2Fb', '/a\\b']) {
      const res = await client.get(path);
      assert.deepEqual(res.json(), { url: path }, path);
    }
  });
});

describe('liveServer', () => {
  test('serves the app on a free loopback port until closed', async () => {
    const a = rampart({ env: 'test' });
    a.get('/', () => 'live');
    const server = await liveServer(a);
    try {
      assert.match(server.url, /^http:\/\/127\.0\.0\.1:\d+$/);
      assert.equal(server.host, '127.0.0.1');
      assert.ok(server.port > 0);
      const res = await fetch(server.url + '/', { headers: { host: 'localhost' } });
      assert.equal(res.status, 200);
      assert.equal(await res.text(), 'live');
      assert.equal(res.headers.get('x-frame-options'), 'DENY');
    } finally {
      await server.close();
    }
    await assert.rejects(fetch(server.url + '/'));
  });
});
