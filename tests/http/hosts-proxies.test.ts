// Host validation (ALLOWED_HOSTS) and trusted proxies (X-Forwarded-For/-Proto/-Host, X-Request-Id).
import { test, describe, after } from 'node:test';
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { Writable } from 'node:stream';
import { rampart, resolveSettings, ConfigError, DEV_ALLOWED_HOSTS, type Settings } from 'rampart';
import { testClient, liveServer } from 'rampart/testing';

const STRONG_SECRET = 'q8Zr3VtX1mKp9LwYc4Hn7Bd2Fs6Gj0Ue5Ao_Ri-Tl8Ny3Qx';
const BAD_HOST_BODY = '{"error":{"status":400,"message":"Invalid Host header.","code":"E_HOST_INVALID"}}';

function app(settings: Settings = {}) {
  const a = rampart({ env: 'test', ...settings });
  a.get('/', (req) => ({ host: req.host, ip: req.ip, protocol: req.protocol }));
  return a;
}

/** Sends raw bytes over a socket and returns everything the server wrote until it closed. */
function rawExchange(url: string, bytes: string): Promise<string> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname);
    const chunks: Buffer[] = [];
    socket.on('data', (c: Buffer) => chunks.push(c));
    socket.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    socket.on('error', reject);
    socket.write(bytes);
  });
}

describe('ALLOWED_HOSTS', () => {
  const exact = app({ allowedHosts: ['example.com'] });
  const suffix = app({ allowedHosts: ['.example.org', 'Other.NET'] });

  test('an exactly listed host is served and becomes req.host', async () => {
    const res = await testClient(exact, { host: 'example.com' }).get('/');
    assert.equal(res.status, 200);
    assert.equal(res.json<{ host: string }>().host, 'example.com');
  });

  test('an exact entry does not allow subdomains or look-alikes', async () => {
    for (const host of ['www.example.com', 'example.com.evil.net', 'notexample.com', 'example.co', 'evil.example']) {
      const res = await testClient(exact, { host }).get('/');
      assert.equal(res.status, 400, host);
      assert.equal(res.header('content-type'), 'application/json; charset=utf-8');
      assert.equal(res.text, BAD_HOST_BODY, host);
    }
  });

  test('Host: evil.example is a 400 with E_HOST_INVALID and the handler never runs', async () => {
    let ran = false;
    const a = rampart({ env: 'test', allowedHosts: ['example.com'] });
    a.get('/', () => {
      ran = true;
      return 'x';
    });
    const res = await testClient(a, { host: 'evil.example' }).get('/');
    assert.equal(res.status, 400);
    assert.equal(res.text, BAD_HOST_BODY);
    assert.equal(ran, false);
  });

  test('a .domain entry allows the domain and every subdomain, and nothing that merely ends the same', async () => {
    for (const host of ['example.org', 'www.example.org', 'a.b.example.org']) {
      const res = await testClient(suffix, { host }).get('/');
      assert.equal(res.status, 200, host);
      assert.equal(res.json<{ host: string }>().host, host);
    }
    for (const host of ['badexample.org', 'example.org.evil.net', 'example.orgx']) {
      assert.equal((await testClient(suffix, { host }).get('/')).status, 400, host);
    }
  });

  test('the port is stripped from req.host', async () => {
    const res = await testClient(exact, { host: 'example.com:8080' }).get('/');
    assert.equal(res.status, 200);
    assert.equal(res.json<{ host: string }>().host, 'example.com');
  });

  test('hosts compare case-insensitively, in the header and in the setting', async () => {
    const res = await testClient(exact, { host: 'EXAMPLE.Com' }).get('/');
    assert.equal(res.status, 200);
    assert.equal(res.json<{ host: string }>().host, 'example.com');
    const other = await testClient(suffix, { host: 'other.net' }).get('/');
    assert.equal(other.status, 200);
  });

  test('a trailing dot names the same host', async () => {
    for (const host of ['example.com.', 'example.com.:443']) {
      const res = await testClient(exact, { host }).get('/');
      assert.equal(res.status, 200, host);
      assert.equal(res.json<{ host: string }>().host, 'example.com');
    }
  });

  test('malformed Host values are a 400, even when every host is allowed', async () => {
    const any = app({ allowedHosts: ['*'] });
    assert.equal((await testClient(any, { host: 'anything.example' }).get('/')).status, 200);
    for (const host of ['a b', 'x@y', 'user@example.com', '[::1', '[::1]x', '[::g]', 'example.com:', 'example.com:8o', 'example.com:123456', 'example.com/path', 'exa_mple.com', ':80', 'example.com, evil.example', 'é.example']) {
      const res = await testClient(any, { host }).get('/');
      assert.equal(res.status, 400, JSON.stringify(host));
      assert.equal(res.text, BAD_HOST_BODY);
    }
  });

  test('an IPv6 literal host is accepted with and without a port', async () => {
    const a = app({ allowedHosts: ['[::1]'] });
    for (const host of ['[::1]', '[::1]:8000']) {
      const res = await testClient(a, { host }).get('/');
      assert.equal(res.status, 200, host);
      assert.equal(res.json<{ host: string }>().host, '[::1]');
    }
  });

  test('a refused host is logged as a security event with the request id', async () => {
    const chunks: string[] = [];
    const logStream = new Writable({
      write(c: Buffer, _e, cb) {
        chunks.push(c.toString());
        cb();
      },
    });
    const a = app({ allowedHosts: ['example.com'], logLevel: 'warn', logStream });
    await testClient(a, { host: 'evil.example' }).get('/');
    const line = JSON.parse(chunks.join('').trim().split('\n')[0]!) as Record<string, unknown>;
    assert.equal(line['event'], 'security.disallowed_host');
    assert.equal(line['host'], 'evil.example');
    assert.equal(typeof line['reqId'], 'string');
  });

  test('the server keeps serving after refused hosts', async () => {
    const client = testClient(exact);
    await client.get('/', { headers: { host: 'evil.example' } });
    await client.get('/', { headers: { host: 'a b' } });
    const res = await client.get('/', { headers: { host: 'example.com' } });
    assert.equal(res.status, 200);
  });
});

describe('missing Host (real socket)', () => {
  const a = app({ allowedHosts: ['example.com'] });
  let url = '';
  let close: (() => Promise<void>) | null = null;
  after(async () => {
    await close?.();
  });

  test('an HTTP/1.0 request without Host is a 400 with E_HOST_INVALID', async () => {
    const server = await liveServer(a);
    url = server.url;
    close = () => server.close();
    const out = await rawExchange(url, 'GET / HTTP/1.0\r\n\r\n');
    assert.match(out, /^HTTP\/1\.[01] 400 Bad Request\r\n/);
    assert.ok(out.endsWith('\r\n\r\n' + BAD_HOST_BODY), out);
  });

  test('an HTTP/1.1 request without Host is a 400', async () => {
    const out = await rawExchange(url, 'GET / HTTP/1.1\r\nConnection: close\r\n\r\n');
    assert.match(out, /^HTTP\/1\.1 400 Bad Request\r\n/);
  });

  test('an empty Host header is a 400 with E_HOST_INVALID', async () => {
    const out = await rawExchange(url, 'GET / HTTP/1.1\r\nHost: \r\nConnection: close\r\n\r\n');
    assert.match(out, /^HTTP\/1\.1 400 Bad Request\r\n/);
    assert.ok(out.endsWith('\r\n\r\n' + BAD_HOST_BODY), out);
  });

  test('the server keeps serving after requests without Host', async () => {
    const out = await rawExchange(url, 'GET / HTTP/1.1\r\nHost: example.com\r\nConnection: close\r\n\r\n');
    assert.match(out, /^HTTP\/1\.1 200 OK\r\n/);
  });
});

describe('development and production defaults', () => {
  test('development and test allow localhost, 127.0.0.1, [::1] and *.localhost when ALLOWED_HOSTS is empty', async () => {
    for (const env of ['development', 'test'] as const) {
      const a = rampart({ env, envFile: false, logLevel: 'silent', logRequests: false });
      a.get('/', (req) => req.host);
      assert.deepEqual(a.settings.allowedHosts, DEV_ALLOWED_HOSTS);
      for (const host of ['localhost', 'localhost:3000', '127.0.0.1', '127.0.0.1:8000', '[::1]', '[::1]:8000', 'foo.localhost', 'a.b.localhost:5173']) {
        const res = await testClient(a, { host }).get('/');
        assert.equal(res.status, 200, `${env} ${host}`);
      }
      for (const host of ['example.com', 'localhost.example.com', '127.0.0.2', '0.0.0.0', 'evil.example']) {
        assert.equal((await testClient(a, { host }).get('/')).status, 400, `${env} ${host}`);
      }
    }
  });

  test('an explicit ALLOWED_HOSTS in development replaces the localhost defaults', async () => {
    const a = rampart({ env: 'development', envFile: false, logLevel: 'silent', logRequests: false, allowedHosts: ['example.com'] });
    a.get('/', () => 'x');
    assert.equal((await testClient(a, { host: 'localhost' }).get('/')).status, 400);
    assert.equal((await testClient(a, { host: 'example.com' }).get('/')).status, 200);
  });

  test('production has no default hosts: only the configured ones are served', async () => {
    const s = resolveSettings({ env: 'production', secretKey: STRONG_SECRET, allowedHosts: ['example.com'] }, {});
    assert.deepEqual(s.allowedHosts, ['example.com']);
    const a = rampart({ env: 'production', secretKey: STRONG_SECRET, allowedHosts: ['example.com'], logLevel: 'silent', logRequests: false });
    a.get('/', () => 'x');
    for (const host of ['localhost', '127.0.0.1', '[::1]', 'foo.localhost']) {
      assert.equal((await testClient(a, { host }).get('/')).status, 400, host);
    }
    assert.equal((await testClient(a, { host: 'example.com' }).get('/')).status, 200);
  });
});

describe('trusted proxies', () => {
  const a = app({ allowedHosts: ['example.com', 'internal.lan'], trustedProxies: ['10.0.0.0/8'] });
  const client = testClient(a, { host: 'internal.lan' });
  const trusted = '10.0.0.1';
  const untrusted = '203.0.113.5';

  test('without forwarding headers req.ip is the socket peer and the protocol is http', async () => {
    const res = await client.get('/', { remoteAddress: untrusted });
    assert.deepEqual(res.json(), { host: 'internal.lan', ip: untrusted, protocol: 'http' });
  });

  test('X-Forwarded-For/-Proto/-Host from an untrusted peer are ignored', async () => {
    const res = await client.get('/', {
      remoteAddress: untrusted,
      headers: { 'x-forwarded-for': '198.51.100.7', 'x-forwarded-proto': 'https', 'x-forwarded-host': 'example.com' },
    });
    assert.equal(res.status, 200);
    assert.deepEqual(res.json(), { host: 'internal.lan', ip: untrusted, protocol: 'http' });
  });

  test('X-Forwarded-Host from an untrusted peer cannot smuggle a disallowed Host past the check', async () => {
    const strict = app({ allowedHosts: ['example.com'] });
    const res = await testClient(strict, { host: 'evil.example' }).get('/', { remoteAddress: untrusted, headers: { 'x-forwarded-host': 'example.com' } });
    assert.equal(res.status, 400);
    assert.equal(res.text, BAD_HOST_BODY);
    const other = await testClient(strict, { host: 'example.com' }).get('/', { remoteAddress: untrusted, headers: { 'x-forwarded-host': 'evil.example' } });
    assert.equal(other.status, 200);
    assert.equal(other.json<{ host: string }>().host, 'example.com');
  });

  test('a trusted proxy sets req.ip, req.protocol and req.host from X-Forwarded-*', async () => {
    const res = await client.get('/', {
      remoteAddress: trusted,
      headers: { 'x-forwarded-for': '198.51.100.7', 'x-forwarded-proto': 'https', 'x-forwarded-host': 'example.com' },
    });
    assert.equal(res.status, 200);
    assert.deepEqual(res.json(), { host: 'example.com', ip: '198.51.100.7', protocol: 'https' });
  });

  test('X-Forwarded-Host from a trusted proxy is still checked against ALLOWED_HOSTS', async () => {
    const res = await client.get('/', { remoteAddress: trusted, headers: { 'x-forwarded-host': 'evil.example' } });
    assert.equal(res.status, 400);
    assert.equal(res.text, BAD_HOST_BODY);
  });

  test('only the last X-Forwarded-Host and -Proto values, the ones our proxy appended, are believed', async () => {
    const res = await client.get('/', {
      remoteAddress: trusted,
      headers: { 'x-forwarded-host': 'evil.example, example.com', 'x-forwarded-proto': 'https, http' },
    });
    assert.equal(res.status, 200);
    assert.deepEqual(res.json<{ host: string; protocol: string }>(), { host: 'example.com', ip: trusted, protocol: 'http' });
  });

  test('X-Forwarded-For is walked right to left and client-supplied entries on the left are ignored', async () => {
    const res = await client.get('/', { remoteAddress: trusted, headers: { 'x-forwarded-for': '1.1.1.1, 198.51.100.7, 10.0.0.5' } });
    assert.equal(res.json<{ ip: string }>().ip, '198.51.100.7');
    const spoof = await client.get('/', { remoteAddress: trusted, headers: { 'x-forwarded-for': '127.0.0.1, 198.51.100.9' } });
    assert.equal(spoof.json<{ ip: string }>().ip, '198.51.100.9');
  });

  test('when every X-Forwarded-For entry is a trusted proxy, req.ip is the leftmost', async () => {
    const res = await client.get('/', { remoteAddress: trusted, headers: { 'x-forwarded-for': '10.0.0.9, 10.0.0.5' } });
    assert.equal(res.json<{ ip: string }>().ip, '10.0.0.9');
  });

  test('a garbage X-Forwarded-For entry stops the walk at the last verified address', async () => {
    const res = await client.get('/', { remoteAddress: trusted, headers: { 'x-forwarded-for': '198.51.100.7, not-an-ip' } });
    assert.equal(res.json<{ ip: string }>().ip, trusted);
    const mid = await client.get('/', { remoteAddress: trusted, headers: { 'x-forwarded-for': '198.51.100.7, garbage, 10.0.0.5' } });
    assert.equal(mid.json<{ ip: string }>().ip, '10.0.0.5');
  });

  test('IPv4-mapped IPv6 peers are normalized and matched against IPv4 ranges', async () => {
    const res = await client.get('/', { remoteAddress: '::ffff:10.0.0.1', headers: { 'x-forwarded-for': '198.51.100.7' } });
    assert.equal(res.json<{ ip: string }>().ip, '198.51.100.7');
    const plain = await client.get('/', { remoteAddress: '::ffff:203.0.113.5' });
    assert.equal(plain.json<{ ip: string }>().ip, '203.0.113.5');
  });

  test('IPv6 ranges and the loopback keyword are trusted', async () => {
    const v6 = app({ trustedProxies: ['fd00::/8', 'loopback'] });
    const c = testClient(v6);
    assert.equal((await c.get('/', { remoteAddress: 'fd00::1', headers: { 'x-forwarded-for': '2001:db8::7' } })).json<{ ip: string }>().ip, '2001:db8::7');
    assert.equal((await c.get('/', { remoteAddress: '127.0.0.1', headers: { 'x-forwarded-for': '198.51.100.7' } })).json<{ ip: string }>().ip, '198.51.100.7');
    assert.equal((await c.get('/', { remoteAddress: 'fe80::1', headers: { 'x-forwarded-for': '198.51.100.7' } })).json<{ ip: string }>().ip, 'fe80::1');
  });

  test('X-Request-Id is taken from a trusted proxy only, and only when well-formed', async () => {
    const ids = app({ trustedProxies: ['10.0.0.0/8'] });
    ids.get('/id', (req) => req.id);
    const c = testClient(ids);
    assert.equal((await c.get('/id', { remoteAddress: trusted, headers: { 'x-request-id': 'lb-7f3a.9:2' } })).text, 'lb-7f3a.9:2');
    assert.notEqual((await c.get('/id', { remoteAddress: untrusted, headers: { 'x-request-id': 'lb-7f3a.9:2' } })).text, 'lb-7f3a.9:2');
    const injected = (await c.get('/id', { remoteAddress: trusted, headers: { 'x-request-id': 'a b"}' } })).text;
    assert.notEqual(injected, 'a b"}');
    assert.match(injected, /^[A-Za-z0-9_-]+-[0-9a-z]+$/);
  });

  test('generated request ids are unique per request', async () => {
    const ids = app();
    ids.get('/id', (req) => req.id);
    const c = testClient(ids);
    const seen = new Set<string>();
    for (let i = 0; i < 50; i++) seen.add((await c.get('/id')).text);
    assert.equal(seen.size, 50);
  });
});

describe('TRUSTED_PROXIES validation', () => {
  test('an invalid entry is a ConfigError E_CONFIG_INVALID when the app is created', () => {
    for (const entry of ['not-an-ip', '10.0.0.0/33', '10.0.0.0/x', '::1/129', '10.0.0', '10.0.0.256', '*']) {
      assert.throws(
        () => rampart({ env: 'test', trustedProxies: [entry] }),
        (err: unknown) => {
          assert.ok(err instanceof ConfigError, `${entry}: ${String(err)}`);
          assert.equal(err.code, 'E_CONFIG_INVALID');
          assert.equal(err.message, `TRUSTED_PROXIES entry '${entry}' is not an IP address or CIDR range.`);
          return true;
        },
      );
    }
  });

  test("a CIDR with an empty prefix ('10.0.0.0/') is refused instead of trusting every address", async () => {
    let created: ReturnType<typeof rampart> | undefined;
    let caught: unknown;
    try {
      created = rampart({ env: 'test', trustedProxies: ['10.0.0.0/'] });
    } catch (err) {
      caught = err;
    }
    if (created !== undefined) {
      created.get('/', (req) => req.ip);
      const res = await testClient(created).get('/', { remoteAddress: '203.0.113.5', headers: { 'x-forwarded-for': '6.6.6.6' } });
      assert.fail(`'10.0.0.0/' was accepted; an arbitrary peer then set req.ip to ${res.text}`);
    }
    assert.ok(caught instanceof ConfigError);
    assert.equal(caught.code, 'E_CONFIG_INVALID');
  });

  test('an invalid TRUSTED_PROXIES environment variable is a ConfigError when the app is created', () => {
    const before = process.env['TRUSTED_PROXIES'];
    process.env['TRUSTED_PROXIES'] = '10.0.0.1, proxy.internal';
    try {
      assert.throws(() => rampart({ env: 'test' }), { name: 'ConfigError', code: 'E_CONFIG_INVALID', message: "TRUSTED_PROXIES entry 'proxy.internal' is not an IP address or CIDR range." });
    } finally {
      if (before === undefined) delete process.env['TRUSTED_PROXIES'];
      else process.env['TRUSTED_PROXIES'] = before;
    }
  });

  test('valid addresses, CIDRs and keywords are accepted', () => {
    const a = rampart({ env: 'test', trustedProxies: ['10.0.0.1', '10.0.0.0/8', '::1', 'fd00::/8', 'loopback', 'private', ' 192.168.1.1 '] });
    assert.deepEqual(a.settings.trustedProxies, ['10.0.0.1', '10.0.0.0/8', '::1', 'fd00::/8', 'loopback', 'private', ' 192.168.1.1 ']);
  });
});
