// Error responses in production and development, request logging, credential redaction, and the
// server staying up after handler failures.
import { test, describe, after } from 'node:test';
import assert from 'node:assert/strict';
import { request as httpRequest } from 'node:http';
import { connect } from 'node:net';
import { Readable } from 'node:stream';
import { rampart, forbidden, HttpError, stream, type App, type Settings } from 'rampart';
import { testClient, liveServer } from 'rampart/testing';
import { capture, type Captured, type LogLine } from '../helpers/log-capture.js';

const STRONG_SECRET = 'q8Zr3VtX1mKp9LwYc4Hn7Bd2Fs6Gj0Ue5Ao_Ri-Tl8Ny3Qx';
const OUTSIDER = '203.0.113.5';
const PLAIN_500_JSON = '{"error":{"status":500,"message":"Internal Server Error"}}';
const PLAIN_500_HTML =
  '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>500 Internal Server Error</title></head>' +
  '<body><h1>500 Internal Server Error</h1><p>Internal Server Error</p></body></html>';

function devApp(logs: Captured, settings: Settings = {}): App {
  return rampart({ env: 'development', envFile: false, logLevel: 'info', logRequests: true, logStream: logs.stream, ...settings });
}

function prodApp(settings: Settings = {}): App {
  return rampart({ env: 'production', secretKey: STRONG_SECRET, allowedHosts: ['localhost'], logLevel: 'silent', ...settings });
}

interface RawResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

function send(base: string, method: string, path: string, headers: Record<string, string> = {}): Promise<RawResponse> {
  const u = new URL(base);
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: u.hostname, port: u.port, method, path, agent: false, headers: { host: 'localhost', ...headers } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}

const requestLine = (path: string) => (l: LogLine) => l['msg'] === 'request' && l['path'] === path;

describe('request log lines', () => {
  function build(): { a: App; logs: Captured; ids: Map<string, string> } {
    const logs = capture();
    const a = devApp(logs, { allowedHosts: ['localhost'] });
    const ids = new Map<string, string>();
    a.get('/hello', () => 'hello');
    a.get('/boom', (req) => {
      ids.set('/boom', req.id);
      throw new Error('kaboom');
    });
    return { a, logs, ids };
  }

  test('one info line per request with method, path, status, duration and request id', async () => {
    const { a, logs } = build();
    const res = await testClient(a).get('/hello?secret=query');
    assert.equal(res.status, 200);
    const line = await logs.waitFor(requestLine('/hello'), '/hello');
    assert.deepEqual(Object.keys(line).sort(), ['level', 'method', 'ms', 'msg', 'path', 'reqId', 'status', 'time']);
    assert.equal(line['level'], 30);
    assert.equal(line['method'], 'GET');
    assert.equal(line['path'], '/hello');
    assert.equal(line['status'], 200);
    assert.equal(typeof line['ms'], 'number');
    assert.ok((line['ms'] as number) >= 0);
    assert.match(line['reqId'] as string, /^[A-Za-z0-9_-]+-[0-9a-z]+$/);
    assert.equal(logs.raw().includes('secret=query'), false, 'the query string is not logged');
    assert.equal(logs.lines().filter(requestLine('/hello')).length, 1);
  });

  test('404 and 405 responses get their request line too', async () => {
    const { a, logs } = build();
    const client = testClient(a);
    await client.get('/nope');
    await client.delete('/hello');
    assert.equal((await logs.waitFor(requestLine('/nope'), '404'))['status'], 404);
    assert.equal((await logs.waitFor((l) => l['msg'] === 'request' && l['method'] === 'DELETE', '405'))['status'], 405);
  });

  test('the 500 log line carries the same request id as the request line, and the error', async () => {
    const { a, logs, ids } = build();
    const res = await testClient(a).get('/boom');
    assert.equal(res.status, 500);
    const id = ids.get('/boom');
    const reqLine = await logs.waitFor(requestLine('/boom'), '/boom');
    const errLine = await logs.waitFor((l) => l['level'] === 50, 'the error');
    assert.equal(reqLine['reqId'], id);
    assert.equal(errLine['reqId'], id);
    assert.equal(reqLine['status'], 500);
    assert.equal(errLine['msg'], 'handler failed');
    const err = errLine['err'] as { type: string; message: string; stack: string };
    assert.equal(err.type, 'Error');
    assert.equal(err.message, 'kaboom');
    assert.match(err.stack, /^Error: kaboom\n\s+at /);
    const req = errLine['req'] as { method: string; url: string };
    assert.equal(req.method, 'GET');
    assert.equal(req.url, '/boom');
  });

  test('requests refused before routing (malformed path, bad Host) get a request line with their status', async () => {
    const { a, logs } = build();
    const client = testClient(a);
    assert.equal((await client.get('/bad/%C0%AE')).status, 400);
    assert.equal((await client.get('/hello', { headers: { host: 'evil.example' } })).status, 400);
    const bad = await logs.waitFor(requestLine('/bad/%C0%AE'), 'malformed path');
    assert.equal(bad['status'], 400);
    const host = await logs.waitFor((l) => l['msg'] === 'request' && l['status'] === 400 && l['path'] === '/hello', 'bad host');
    assert.equal(host['method'], 'GET');
  });

  test('the 500 log line carries the request id the handler saw, for any error type', async () => {
    const logs = capture();
    const a = devApp(logs);
    let id = '';
    a.get('/boom', (req) => {
      id = req.id;
      throw new TypeError('bad type');
    });
    await testClient(a).get('/boom');
    const errLine = await logs.waitFor((l) => l['level'] === 50, 'the error');
    assert.equal(errLine['reqId'], id);
    assert.equal((errLine['err'] as { type: string }).type, 'TypeError');
    assert.equal((errLine['err'] as { message: string }).message, 'bad type');
  });

  test('4xx errors are not logged as errors', async () => {
    const logs = capture();
    const a = devApp(logs, { logRequests: false });
    a.get('/f', () => {
      throw forbidden('no');
    });
    await testClient(a).get('/f');
    await testClient(a).get('/missing');
    assert.equal(logs.lines().filter((l) => (l['level'] as number) >= 50).length, 0);
  });
});

describe('request log lines over a real socket', () => {
  test('a completed request is an info line; a client that hangs up first is a warning', async () => {
    const logs = capture();
    const a = devApp(logs);
    a.get('/hello', () => 'hello');
    a.get('/slow', async () => {
      await new Promise((r) => setTimeout(r, 150));
      return 'too late';
    });
    const server = await liveServer(a);
    try {
      assert.equal((await send(server.url, 'GET', '/hello')).body, 'hello');
      const done = await logs.waitFor(requestLine('/hello'), '/hello');
      assert.equal(done['level'], 30);
      assert.equal(done['status'], 200);
      await new Promise<void>((resolve) => {
        const { hostname, port } = new URL(server.url);
        const socket = connect(Number(port), hostname, () => {
          socket.write('GET /slow HTTP/1.1\r\nHost: localhost\r\n\r\n');
          setTimeout(() => {
            socket.destroy();
            resolve();
          }, 30);
        });
        socket.on('error', () => resolve());
      });
      const aborted = await logs.waitFor((l) => l['path'] === '/slow', '/slow');
      assert.equal(aborted['level'], 40);
      assert.equal(aborted['msg'], 'request aborted by the client');
    } finally {
      await server.close();
    }
  });
});

describe('credentials never reach the logs', () => {
  const headers = {
    authorization: 'Bearer AUTH-SECRET-123',
    'proxy-authorization': 'Basic PROXY-SECRET-000',
    cookie: 'sid=COOKIE-SECRET-456; other=COOKIE2-SECRET',
  };
  const secrets = ['AUTH-SECRET-123', 'PROXY-SECRET-000', 'COOKIE-SECRET-456', 'COOKIE2-SECRET', 'SETCOOKIE-SECRET-789'];

  function assertNoSecrets(text: string): void {
    for (const secret of secrets) assert.equal(text.includes(secret), false, `${secret} leaked into the logs:\n${text}`);
  }

  test("the framework's own log lines (request, 500, refused host) never contain credential header values", async () => {
    const logs = capture();
    const a = devApp(logs, { allowedHosts: ['localhost'] });
    a.get('/ok', (req) => {
      req.setCookie('sid', 'SETCOOKIE-SECRET-789');
      return 'ok';
    });
    a.get('/boom', (req) => {
      req.setCookie('sid', 'SETCOOKIE-SECRET-789');
      throw new Error('failure with credentials around');
    });
    const client = testClient(a);
    for (const path of ['/ok', '/boom', '/nope', '/bad/%C0%AE']) await client.get(path, { headers });
    await client.get('/boom', { headers: { ...headers, host: 'evil.example' } });
    await client.get('/boom', { headers: { ...headers, accept: 'text/html' } });
    await new Promise((r) => setTimeout(r, 20));
    const text = logs.raw();
    assert.ok(text.includes('failure with credentials around'), 'the error was logged');
    assert.ok(text.includes('"authorization":"[redacted]"'));
    assert.ok(text.includes('"cookie":"[redacted]"'));
    assertNoSecrets(text);
  });

  test('credential headers a handler logs through req.log are redacted in the usual shapes', async () => {
    const logs = capture();
    const a = devApp(logs, { logRequests: false });
    a.get('/user-log', (req) => {
      req.log.info({ headers: req.headers }, 'user logged the headers');
      req.log.info({ req: { headers: req.headers } }, 'user logged the request');
      req.log.info({ request: { headers: req.headers } }, 'user logged it nested');
      req.log.info({ res: { headers: { 'set-cookie': ['sid=SETCOOKIE-SECRET-789'] } } }, 'user logged the response');
      req.log.info({ headers: { 'set-cookie': ['sid=SETCOOKIE-SECRET-789'] } }, 'user logged set-cookie');
      return 'logged';
    });
    await testClient(a).get('/user-log', { headers });
    const text = logs.raw();
    assert.equal(logs.lines().length, 5);
    assertNoSecrets(text);
  });
});

describe('error responses in production', () => {
  const a = prodApp();
  a.get('/boom', () => {
    throw new Error('db password is hunter2 at /srv/app/db.ts:12');
  });
  a.get('/forbidden', () => {
    throw forbidden('Staff only');
  });
  a.get('/teapot', () => {
    throw new HttpError(418, 'short and stout');
  });
  const client = testClient(a);

  test('a 500 JSON body says nothing about the code, even to a loopback client', async () => {
    const res = await client.get('/boom', { remoteAddress: '127.0.0.1' });
    assert.equal(res.status, 500);
    assert.equal(res.header('content-type'), 'application/json; charset=utf-8');
    assert.equal(res.text, PLAIN_500_JSON);
  });

  test('a 500 HTML page (Accept: text/html) says nothing about the code', async () => {
    const res = await client.get('/boom', { remoteAddress: '127.0.0.1', headers: { accept: 'text/html,application/xhtml+xml,*/*;q=0.8' } });
    assert.equal(res.status, 500);
    assert.equal(res.header('content-type'), 'text/html; charset=utf-8');
    assert.equal(res.text, PLAIN_500_HTML);
  });

  test('an HttpError 4xx shows its message in production', async () => {
    const res = await client.get('/forbidden', { remoteAddress: '127.0.0.1' });
    assert.equal(res.status, 403);
    assert.equal(res.text, '{"error":{"status":403,"message":"Staff only","code":"E_HTTP_FORBIDDEN"}}');
    const teapot = await client.get('/teapot');
    assert.equal(teapot.text, '{"error":{"status":418,"message":"short and stout","code":"E_HTTP_418"}}');
  });
});

describe('error responses in development', () => {
  const logs = capture();
  const a = devApp(logs, { logLevel: 'silent', logRequests: false, trustedProxies: ['loopback'] });
  a.get('/boom', () => {
    throw new Error('kaboom <script>alert(1)</script>');
  });
  a.get('/forbidden', () => {
    throw forbidden('Staff only');
  });
  a.get('/string', () => {
    throw 'a thrown string';
  });
  const client = testClient(a);

  test('a loopback client gets the stack in the JSON body', async () => {
    const res = await client.get('/boom', { remoteAddress: '127.0.0.1' });
    assert.equal(res.status, 500);
    const body = res.json<{ error: { status: number; message: string; debug: { name: string; message: string; stack: string[] } } }>();
    assert.equal(body.error.status, 500);
    assert.equal(body.error.message, 'Internal Server Error');
    assert.equal(body.error.debug.name, 'Error');
    assert.equal(body.error.debug.message, 'kaboom <script>alert(1)</script>');
    assert.equal(body.error.debug.stack[0], 'Error: kaboom <script>alert(1)</script>');
    assert.match(body.error.debug.stack[1] ?? '', /^\s+at .*errors-logging\.test\.ts/);
  });

  test('a loopback client gets an HTML page with the escaped error, the stack and the masked request headers', async () => {
    const res = await client.get('/boom', {
      remoteAddress: '::1',
      headers: { accept: 'text/html', authorization: 'Bearer PAGE-SECRET', cookie: 'sid=PAGE-COOKIE', 'x-extra': 'visible' },
    });
    assert.equal(res.status, 500);
    assert.equal(res.header('content-type'), 'text/html; charset=utf-8');
    assert.ok(res.text.includes('<h2>Error: kaboom &lt;script&gt;alert(1)&lt;/script&gt;</h2>'), res.text);
    assert.ok(res.text.includes('<pre>Error: kaboom &lt;script&gt;alert(1)&lt;/script&gt;\n    at '), res.text);
    assert.equal(res.text.includes('<script>'), false);
    assert.ok(res.text.includes('<tr><th>authorization</th><td>********</td></tr>'));
    assert.ok(res.text.includes('<tr><th>cookie</th><td>********</td></tr>'));
    assert.ok(res.text.includes('<tr><th>x-extra</th><td>visible</td></tr>'));
    assert.equal(res.text.includes('PAGE-SECRET'), false);
    assert.equal(res.text.includes('PAGE-COOKIE'), false);
    assert.ok(res.text.includes('<h2>Request</h2><p>GET /boom (id '));
  });

  test('an IPv4-mapped loopback client gets the details too', async () => {
    const res = await client.get('/boom', { remoteAddress: '::ffff:127.0.0.1' });
    assert.equal(res.json<{ error: { debug?: unknown } }>().error.debug !== undefined, true);
  });

  test('a remote client gets no stack, in JSON or HTML', async () => {
    const res = await client.get('/boom', { remoteAddress: OUTSIDER });
    assert.equal(res.status, 500);
    assert.equal(res.text, PLAIN_500_JSON);
    const page = await client.get('/boom', { remoteAddress: OUTSIDER, headers: { accept: 'text/html' } });
    assert.equal(page.text, PLAIN_500_HTML);
  });

  test('a remote client behind a local reverse proxy gets no stack', async () => {
    const res = await client.get('/boom', { remoteAddress: '127.0.0.1', headers: { 'x-forwarded-for': OUTSIDER } });
    assert.equal(res.text, PLAIN_500_JSON);
  });

  test('a remote client cannot claim to be loopback with X-Forwarded-For', async () => {
    const res = await client.get('/boom', { remoteAddress: OUTSIDER, headers: { 'x-forwarded-for': '127.0.0.1' } });
    assert.equal(res.text, PLAIN_500_JSON);
  });

  test('an HttpError 4xx shows its message in development, without a stack', async () => {
    const res = await client.get('/forbidden', { remoteAddress: '127.0.0.1' });
    assert.equal(res.status, 403);
    assert.equal(res.text, '{"error":{"status":403,"message":"Staff only","code":"E_HTTP_FORBIDDEN"}}');
  });

  test('a thrown non-Error is a 500', async () => {
    const res = await client.get('/string', { remoteAddress: OUTSIDER });
    assert.equal(res.status, 500);
    assert.equal(res.text, PLAIN_500_JSON);
  });
});

describe('the server keeps serving', () => {
  function failing(): App {
    const a = rampart({ env: 'test' });
    a.get('/ok', () => 'still here');
    a.get('/throw', () => {
      throw new Error('sync');
    });
    a.get('/reject', () => Promise.reject(new Error('async')));
    a.get('/async-throw', async () => {
      await new Promise((r) => setImmediate(r));
      throw new Error('later');
    });
    a.get('/bad-stream', () => {
      let sent = false;
      return stream(
        new Readable({
          read() {
            if (!sent) {
              sent = true;
              this.push('first chunk');
            } else this.destroy(new Error('stream broke'));
          },
        }),
      );
    });
    return a;
  }

  test('after a throw and after a rejected promise (in process)', async () => {
    const client = testClient(failing());
    for (const path of ['/throw', '/reject', '/async-throw', '/throw', '/reject']) {
      const res = await client.get(path, { remoteAddress: OUTSIDER });
      assert.equal(res.status, 500, path);
      assert.equal(res.text, PLAIN_500_JSON);
      const ok = await client.get('/ok');
      assert.equal(ok.status, 200);
      assert.equal(ok.text, 'still here');
    }
  });

  test('after a throw, a rejected promise and a stream that breaks mid-body (real socket)', async () => {
    const server = await liveServer(failing());
    try {
      for (const path of ['/throw', '/reject', '/async-throw']) {
        assert.equal((await send(server.url, 'GET', path)).status, 500, path);
        assert.equal((await send(server.url, 'GET', '/ok')).body, 'still here');
      }
      await send(server.url, 'GET', '/bad-stream').then(
        (res) => assert.notEqual(res.body, 'first chunk', 'a broken stream must not look like a complete body'),
        (err: NodeJS.ErrnoException) => assert.ok(['ECONNRESET', 'ERR_STREAM_PREMATURE_CLOSE'].includes(err.code ?? ''), String(err)),
      );
      const ok = await send(server.url, 'GET', '/ok');
      assert.equal(ok.status, 200);
      assert.equal(ok.body, 'still here');
    } finally {
      await server.close();
    }
  });
});
