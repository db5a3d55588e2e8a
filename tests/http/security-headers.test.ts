// Security response headers: exact defaults on every kind of response, CSP nonces, per-app and
// per-route adjustments, HSTS and the redirect to HTTPS.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { rampart, html, HttpError, HttpResponse, CSP_DEFAULTS, SECURE_HEADERS_DEFAULTS, type Settings } from 'rampart';
import { testClient, type TestResponse } from 'rampart/testing';

const DEFAULT_CSP =
  "default-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'";

const SECURITY_HEADER_NAMES = [
  'content-security-policy',
  'x-frame-options',
  'x-content-type-options',
  'referrer-policy',
  'cross-origin-opener-policy',
  'cross-origin-resource-policy',
  'strict-transport-security',
  'permissions-policy',
];

const PERMISSIONS = 'camera=(), microphone=(), geolocation=(), payment=(), usb=()';

function cspWithNonce(nonce: string): string {
  return `default-src 'self'; script-src 'self' 'nonce-${nonce}'; style-src 'self' 'nonce-${nonce}'; img-src 'self' data:; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'`;
}

function assertDefaultHeaders(res: TestResponse, what: string): void {
  assert.equal(res.header('content-security-policy'), DEFAULT_CSP, what);
  assert.equal(res.header('x-frame-options'), 'DENY', what);
  assert.equal(res.header('x-content-type-options'), 'nosniff', what);
  assert.equal(res.header('referrer-policy'), 'same-origin', what);
  assert.equal(res.header('cross-origin-opener-policy'), 'same-origin', what);
  assert.equal(res.header('cross-origin-resource-policy'), 'same-origin', what);
  assert.equal(res.header('strict-transport-security'), undefined, `${what}: no HSTS without https`);
}

function assertNoSecurityHeaders(res: TestResponse, what: string): void {
  for (const name of SECURITY_HEADER_NAMES) assert.equal(res.header(name), undefined, `${what}: ${name}`);
}

function app(settings: Settings = {}) {
  return rampart({ env: 'test', ...settings });
}

describe('defaults', () => {
  const a = app();
  a.get('/text', () => 'hello');
  a.get('/json', () => ({ ok: true }));
  a.get('/html', () => html`<p>hi</p>`);
  a.get('/throw', () => {
    throw new Error('boom');
  });
  a.get('/forbidden', () => {
    throw new HttpError(403, 'no');
  });
  a.get('/empty', () => undefined);
  a.get('/about', () => 'about');
  const client = testClient(a);

  test('the exported defaults are the documented values', () => {
    assert.deepEqual({ ...SECURE_HEADERS_DEFAULTS }, {
      frameOptions: 'DENY',
      contentTypeOptions: 'nosniff',
      referrerPolicy: 'same-origin',
      crossOriginOpenerPolicy: 'same-origin',
      crossOriginResourcePolicy: 'same-origin',
      permissionsPolicy: PERMISSIONS,
    });
    assert.deepEqual(CSP_DEFAULTS['object-src'], ["'none'"]);
    assert.deepEqual(CSP_DEFAULTS['base-uri'], ["'none'"]);
    assert.deepEqual(CSP_DEFAULTS['frame-ancestors'], ["'none'"]);
  });

  test('every default security header is on a text response, with exact values', async () => {
    assertDefaultHeaders(await client.get('/text'), 'text');
  });

  test('every default security header is on JSON, HTML and 204 responses', async () => {
    assertDefaultHeaders(await client.get('/json'), 'json');
    const page = await client.get('/html');
    assertDefaultHeaders(page, 'html');
    assert.equal(page.header('permissions-policy'), PERMISSIONS);
    const empty = await client.get('/empty');
    assert.equal(empty.status, 204);
    assertDefaultHeaders(empty, '204');
  });

  test('every default security header is on 404, 405, 403 and 500 responses', async () => {
    const notFound = await client.get('/nope');
    assert.equal(notFound.status, 404);
    assertDefaultHeaders(notFound, '404');
    const notAllowed = await client.post('/text');
    assert.equal(notAllowed.status, 405);
    assertDefaultHeaders(notAllowed, '405');
    assertDefaultHeaders(await client.get('/forbidden'), '403');
    const failed = await client.get('/throw', { remoteAddress: '203.0.113.5' });
    assert.equal(failed.status, 500);
    assertDefaultHeaders(failed, '500');
    const page = await client.get('/throw', { headers: { accept: 'text/html' } });
    assert.equal(page.status, 500);
    assertDefaultHeaders(page, '500 html');
    assert.equal(page.header('permissions-policy'), PERMISSIONS, 'an HTML error page is a document too');
  });

  test('every default security header is on 400 (bad host, bad path), 308 and OPTIONS responses', async () => {
    const badHost = await client.get('/text', { headers: { host: 'evil.example' } });
    assert.equal(badHost.status, 400);
    assertDefaultHeaders(badHost, 'bad host');
    const badPath = await client.get('/x/%C0%AE');
    assert.equal(badPath.status, 400);
    assertDefaultHeaders(badPath, 'bad path');
    const slash = await client.get('/about/');
    assert.equal(slash.status, 308);
    assertDefaultHeaders(slash, '308');
    const options = await client.options('/text');
    assert.equal(options.status, 204);
    assertDefaultHeaders(options, 'OPTIONS');
  });
});

describe('CSP nonces', () => {
  const a = app();
  a.get('/plain', () => 'no nonce needed');
  a.get('/page', (req) => html`<script nonce="${req.cspNonce}">go()</script>`);
  a.get('/twice', (req) => ({ first: req.cspNonce, second: req.cspNonce }));
  a.get('/nonce-then-throw', (req) => {
    void req.cspNonce;
    throw new Error('after the nonce');
  });
  const client = testClient(a);

  test('no nonce is in the CSP when the handler does not read req.cspNonce', async () => {
    const res = await client.get('/plain');
    assert.equal(res.header('content-security-policy'), DEFAULT_CSP);
    assert.doesNotMatch(res.header('content-security-policy') ?? '', /nonce/);
  });

  test('reading req.cspNonce adds the same nonce to script-src and style-src', async () => {
    const res = await client.get('/page');
    const nonce = /^<script nonce="([^"]+)">go\(\)<\/script>$/.exec(res.text)?.[1];
    assert.ok(nonce !== undefined, res.text);
    assert.equal(res.header('content-security-policy'), cspWithNonce(nonce));
  });

  test('a nonce is 128 bits of base64 and stable within one request', async () => {
    const res = await client.get('/twice');
    const { first, second } = res.json<{ first: string; second: string }>();
    assert.equal(first, second);
    assert.match(first, /^[A-Za-z0-9+/]{22}==$/);
    assert.equal(Buffer.from(first, 'base64').length, 16);
    assert.equal(res.header('content-security-policy'), cspWithNonce(first));
  });

  test('every response gets a fresh nonce (100 responses, 100 distinct nonces)', async () => {
    const nonces = new Set<string>();
    for (let i = 0; i < 100; i++) {
      const res = await client.get('/twice');
      const { first } = res.json<{ first: string }>();
      assert.equal(res.header('content-security-policy'), cspWithNonce(first));
      nonces.add(first);
    }
    assert.equal(nonces.size, 100);
  });

  test('an error page after the nonce was read keeps the nonce in its CSP', async () => {
    const res = await client.get('/nonce-then-throw', { remoteAddress: '203.0.113.5' });
    assert.equal(res.status, 500);
    assert.match(res.header('content-security-policy') ?? '', /^default-src 'self'; script-src 'self' 'nonce-[A-Za-z0-9+/]{22}=='; style-src 'self' 'nonce-/);
  });
});

describe('per-route and per-app adjustments', () => {
  test("a route's frameOptions override changes only X-Frame-Options", async () => {
    const a = app();
    a.get('/embeddable', { headers: { frameOptions: 'SAMEORIGIN' } }, () => 'embed me');
    a.get('/other', () => 'other');
    const client = testClient(a);
    const res = await client.get('/embeddable');
    assert.equal(res.header('x-frame-options'), 'SAMEORIGIN');
    assert.equal(res.header('content-security-policy'), DEFAULT_CSP);
    assert.equal(res.header('x-content-type-options'), 'nosniff');
    assert.equal(res.header('referrer-policy'), 'same-origin');
    assertDefaultHeaders(await client.get('/other'), 'other route keeps the defaults');
  });

  test("a route's CSP directives are merged over the defaults, and a nonce is still added", async () => {
    const a = app();
    const headers = {
      contentSecurityPolicy: { 'img-src': ["'self'", 'https://cdn.example.com'], 'connect-src': ["'self'", 'https://api.example.com'] },
    };
    a.get('/gallery', { headers }, () => 'gallery');
    a.get('/gallery-page', { headers }, (req) => req.cspNonce);
    const client = testClient(a);
    const res = await client.get('/gallery');
    assert.equal(
      res.header('content-security-policy'),
      "default-src 'self'; img-src 'self' https://cdn.example.com; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'; connect-src 'self' https://api.example.com",
    );
    const page = await client.get('/gallery-page');
    const nonce = page.text;
    assert.equal(
      page.header('content-security-policy'),
      `default-src 'self'; script-src 'self' 'nonce-${nonce}'; style-src 'self' 'nonce-${nonce}'; img-src 'self' https://cdn.example.com; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'; connect-src 'self' https://api.example.com`,
    );
  });

  test('a route with headers: false has no security headers, the other routes keep them', async () => {
    const a = app();
    a.get('/raw', { headers: false }, () => 'raw');
    a.get('/raw-throws', { headers: false }, () => {
      throw new Error('x');
    });
    a.get('/normal', () => 'normal');
    const client = testClient(a);
    assertNoSecurityHeaders(await client.get('/raw'), 'raw');
    assertNoSecurityHeaders(await client.get('/raw-throws', { remoteAddress: '203.0.113.5' }), 'raw 500');
    assertDefaultHeaders(await client.get('/normal'), 'normal');
  });

  test('app-level headers: false removes every security header, including on 404s', async () => {
    const a = app({ headers: false });
    a.get('/', (req) => req.cspNonce);
    const client = testClient(a);
    assertNoSecurityHeaders(await client.get('/'), 'text');
    assertNoSecurityHeaders(await client.get('/nope'), '404');
  });

  test('app-level options change each header for every route', async () => {
    const a = app({
      headers: {
        referrerPolicy: 'no-referrer',
        crossOriginResourcePolicy: 'cross-origin',
        crossOriginOpenerPolicy: false,
        contentTypeOptions: false,
        contentSecurityPolicy: { 'frame-ancestors': ["'self'"] },
      },
    });
    a.get('/', () => 'x');
    const res = await testClient(a).get('/');
    assert.equal(res.header('referrer-policy'), 'no-referrer');
    assert.equal(res.header('cross-origin-resource-policy'), 'cross-origin');
    assert.equal(res.header('cross-origin-opener-policy'), undefined);
    assert.equal(res.header('x-content-type-options'), undefined);
    assert.equal(res.header('x-frame-options'), 'DENY');
    assert.equal(res.header('content-security-policy'), DEFAULT_CSP.replace("frame-ancestors 'none'", "frame-ancestors 'self'"));
  });

  test('a route override is merged with the app-level options', async () => {
    const a = app({ headers: { referrerPolicy: 'no-referrer', contentSecurityPolicy: { 'img-src': ['https:'] } } });
    a.get('/', { headers: { frameOptions: 'SAMEORIGIN', contentSecurityPolicy: { 'font-src': ["'self'"] } } }, () => 'x');
    const res = await testClient(a).get('/');
    assert.equal(res.header('referrer-policy'), 'no-referrer');
    assert.equal(res.header('x-frame-options'), 'SAMEORIGIN');
    assert.equal(res.header('content-security-policy'), DEFAULT_CSP.replace("img-src 'self' data:", 'img-src https:') + "; font-src 'self'");
  });

  test('a CSP given as a string is sent verbatim and never gets a nonce', async () => {
    const a = app({ headers: { contentSecurityPolicy: "default-src 'none'" } });
    a.get('/', (req) => req.cspNonce);
    const res = await testClient(a).get('/');
    assert.equal(res.header('content-security-policy'), "default-src 'none'");
  });

  test('contentSecurityPolicy: false removes only the CSP', async () => {
    const a = app({ headers: { contentSecurityPolicy: false } });
    a.get('/', () => 'x');
    const res = await testClient(a).get('/');
    assert.equal(res.header('content-security-policy'), undefined);
    assert.equal(res.header('x-frame-options'), 'DENY');
  });
});

describe('HSTS and the redirect to HTTPS', () => {
  const proxied = { remoteAddress: '10.0.0.1', headers: { 'x-forwarded-proto': 'https' } };

  test('no HSTS header without https: true, even over a trusted HTTPS proxy', async () => {
    const a = app({ trustedProxies: ['10.0.0.0/8'] });
    a.get('/', () => 'x');
    const res = await testClient(a).get('/', proxied);
    assert.equal(res.status, 200);
    assert.equal(res.header('strict-transport-security'), undefined);
  });

  test('https: true sends HSTS for one year with includeSubDomains', async () => {
    const a = app({ https: true, trustedProxies: ['10.0.0.0/8'] });
    a.get('/', () => 'x');
    const client = testClient(a);
    const res = await client.get('/', proxied);
    assert.equal(res.status, 200);
    assert.equal(res.header('strict-transport-security'), 'max-age=31536000; includeSubDomains');
    const missing = await client.get('/nope', proxied);
    assert.equal(missing.status, 404);
    assert.equal(missing.header('strict-transport-security'), 'max-age=31536000; includeSubDomains');
  });

  test('hstsPreload adds preload; hstsSeconds and hstsIncludeSubdomains change the value', async () => {
    const preload = app({ https: true, hstsPreload: true, trustedProxies: ['10.0.0.0/8'] });
    preload.get('/', () => 'x');
    assert.equal((await testClient(preload).get('/', proxied)).header('strict-transport-security'), 'max-age=31536000; includeSubDomains; preload');
    const short = app({ https: true, hstsSeconds: 600, hstsIncludeSubdomains: false, trustedProxies: ['10.0.0.0/8'] });
    short.get('/', () => 'x');
    assert.equal((await testClient(short).get('/', proxied)).header('strict-transport-security'), 'max-age=600');
  });

  test('https: true redirects plain HTTP with 308 to the same host, path and query over HTTPS', async () => {
    let ran = false;
    const a = app({ https: true, allowedHosts: ['example.com'] });
    a.get('/path', () => {
      ran = true;
      return 'x';
    });
    a.post('/form', () => {
      ran = true;
      return 'x';
    });
    const client = testClient(a, { host: 'example.com' });
    const res = await client.get('/path?q=1&r=%20');
    assert.equal(res.status, 308);
    assert.equal(res.header('location'), 'https://example.com/path?q=1&r=%20');
    assert.equal(res.body.length, 0);
    const post = await client.post('/form', { form: { a: '1' } });
    assert.equal(post.status, 308);
    assert.equal(post.header('location'), 'https://example.com/form');
    assert.equal(ran, false);
  });

  test('no redirect when a trusted proxy says X-Forwarded-Proto: https', async () => {
    const a = app({ https: true, allowedHosts: ['example.com'], trustedProxies: ['10.0.0.0/8'] });
    a.get('/path', () => 'served');
    const res = await testClient(a, { host: 'example.com' }).get('/path', proxied);
    assert.equal(res.status, 200);
    assert.equal(res.text, 'served');
  });

  test('behind a trusted proxy the HTTPS redirect goes to the forwarded host', async () => {
    const a = app({ https: true, allowedHosts: ['example.com', 'internal.lan'], trustedProxies: ['10.0.0.0/8'] });
    a.get('/path', () => 'served');
    const res = await testClient(a, { host: 'internal.lan:8000' }).get('/path?x=1', {
      remoteAddress: '10.0.0.1',
      headers: { 'x-forwarded-proto': 'http', 'x-forwarded-host': 'example.com' },
    });
    assert.equal(res.status, 308);
    assert.equal(res.header('location'), 'https://example.com/path?x=1');
  });

  test('X-Forwarded-Proto: https from an untrusted peer does not stop the redirect', async () => {
    const a = app({ https: true, allowedHosts: ['example.com'], trustedProxies: ['10.0.0.0/8'] });
    a.get('/path', () => 'served');
    const res = await testClient(a, { host: 'example.com' }).get('/path', { remoteAddress: '203.0.113.5', headers: { 'x-forwarded-proto': 'https' } });
    assert.equal(res.status, 308);
    assert.equal(res.header('location'), 'https://example.com/path');
  });

  test('the HTTPS redirect never goes to a host outside ALLOWED_HOSTS', async () => {
    const a = app({ https: true, allowedHosts: ['example.com'] });
    a.get('/path', () => 'served');
    const res = await testClient(a, { host: 'evil.example' }).get('/path');
    assert.equal(res.status, 400);
    assert.equal(res.header('location'), undefined);
  });
});

describe('Permissions-Policy', () => {
  test('goes with HTML responses only: not with text, JSON, 204 or 404 JSON', async () => {
    const a = app();
    a.get('/text', () => 'hello');
    a.get('/json', () => ({ ok: true }));
    a.get('/empty', () => undefined);
    a.get('/html', () => html`<p>hi</p>`);
    const client = testClient(a);
    for (const path of ['/text', '/json', '/empty', '/nope']) assert.equal((await client.get(path)).header('permissions-policy'), undefined, path);
    assert.equal((await client.get('/html')).header('permissions-policy'), PERMISSIONS);
  });

  test('a string replaces it, false removes it, per app and per route', async () => {
    const a = app({ headers: { permissionsPolicy: 'geolocation=(self)' } });
    a.get('/app', () => html`<p>app</p>`);
    a.get('/route', { headers: { permissionsPolicy: 'camera=(self)' } }, () => html`<p>route</p>`);
    a.get('/off', { headers: { permissionsPolicy: false } }, () => html`<p>off</p>`);
    const client = testClient(a);
    assert.equal((await client.get('/app')).header('permissions-policy'), 'geolocation=(self)');
    assert.equal((await client.get('/route')).header('permissions-policy'), 'camera=(self)');
    const off = await client.get('/off');
    assert.equal(off.header('permissions-policy'), undefined);
    assert.equal(off.header('x-frame-options'), 'DENY', 'the other headers stay');
  });

  test("a response's own Permissions-Policy wins and is sent once", async () => {
    const a = app();
    a.get('/', () => new HttpResponse('<p>x</p>', { headers: { 'content-type': 'text/html; charset=utf-8', 'permissions-policy': 'fullscreen=(self)' } }));
    const res = await testClient(a).get('/');
    assert.equal(res.header('permissions-policy'), 'fullscreen=(self)');
  });
});
