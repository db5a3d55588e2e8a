// What handlers return and how it reaches the client: plain values, explicit responses, streams,
// thrown HTTP errors and cookies.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import {
  rampart,
  html,
  HttpResponse,
  HttpError,
  CookieError,
  json,
  text,
  stream,
  redirect,
  notFound,
  forbidden,
  tooManyRequests,
  unprocessable,
  internalError,
  type Settings,
} from 'rampart';
import { capture } from '../helpers/log-capture.js';
import { testClient } from 'rampart/testing';

const TEXT_TYPE = 'text/plain; charset=utf-8';
const JSON_TYPE = 'application/json; charset=utf-8';
const HTML_TYPE = 'text/html; charset=utf-8';
const OUTSIDER = '203.0.113.5'; // not loopback: never sees development details

function app(settings: Settings = {}) {
  return rampart({ env: 'test', ...settings });
}

describe('plain return values', () => {
  test('a string is text/plain; charset=utf-8 with its byte length', async () => {
    const a = app();
    a.get('/', () => 'Grüße');
    const res = await testClient(a).get('/');
    assert.equal(res.status, 200);
    assert.equal(res.header('content-type'), TEXT_TYPE);
    assert.equal(res.header('content-length'), '7');
    assert.equal(res.text, 'Grüße');
  });

  test('a string that contains markup is still text/plain, never HTML', async () => {
    const a = app();
    a.get('/', () => '<script>alert(1)</script><h1>hi</h1>');
    const res = await testClient(a).get('/', { headers: { accept: 'text/html' } });
    assert.equal(res.status, 200);
    assert.equal(res.header('content-type'), TEXT_TYPE);
    assert.equal(res.header('x-content-type-options'), 'nosniff');
    assert.equal(res.text, '<script>alert(1)</script><h1>hi</h1>');
  });

  test('a plain object is JSON', async () => {
    const a = app();
    a.get('/', () => ({ id: 1, name: 'Ada', tags: ['x'], nested: { ok: true } }));
    const res = await testClient(a).get('/');
    assert.equal(res.status, 200);
    assert.equal(res.header('content-type'), JSON_TYPE);
    assert.equal(res.text, '{"id":1,"name":"Ada","tags":["x"],"nested":{"ok":true}}');
    assert.equal(res.header('content-length'), String(res.body.length));
  });

  test('an array is JSON', async () => {
    const a = app();
    a.get('/', () => [1, 'two', { three: 3 }]);
    const res = await testClient(a).get('/');
    assert.equal(res.header('content-type'), JSON_TYPE);
    assert.equal(res.text, '[1,"two",{"three":3}]');
  });

  test('a null-prototype object, null and a number are JSON', async () => {
    const a = app();
    a.get('/bare', () => Object.assign(Object.create(null) as Record<string, number>, { a: 1 }));
    a.get('/null', () => null);
    a.get('/num', () => 42);
    const client = testClient(a);
    const bare = await client.get('/bare');
    assert.equal(bare.header('content-type'), JSON_TYPE);
    assert.equal(bare.text, '{"a":1}');
    const nul = await client.get('/null');
    assert.equal(nul.header('content-type'), JSON_TYPE);
    assert.equal(nul.text, 'null');
    const num = await client.get('/num');
    assert.equal(num.header('content-type'), JSON_TYPE);
    assert.equal(num.text, '42');
  });

  test('an object with toJSON (a Date) is JSON through toJSON', async () => {
    const a = app();
    a.get('/', () => new Date(Date.UTC(2024, 0, 2, 3, 4, 5)));
    const res = await testClient(a).get('/');
    assert.equal(res.header('content-type'), JSON_TYPE);
    assert.equal(res.text, '"2024-01-02T03:04:05.000Z"');
  });

  test('the html tag is text/html with every interpolated value escaped', async () => {
    const a = app();
    a.get('/', () => html`<p title="${'"x" & \'y\''}">${'<script>alert(1)</script>'}</p>${html`<b>${'<i>'}</b>`}`);
    const res = await testClient(a).get('/');
    assert.equal(res.status, 200);
    assert.equal(res.header('content-type'), HTML_TYPE);
    assert.equal(res.text, '<p title="&quot;x&quot; &amp; &#39;y&#39;">&lt;script&gt;alert(1)&lt;/script&gt;</p><b>&lt;i&gt;</b>');
  });

  test('a Uint8Array is application/octet-stream with its exact bytes', async () => {
    const a = app();
    a.get('/', () => new Uint8Array([0, 1, 2, 255]));
    const res = await testClient(a).get('/');
    assert.equal(res.status, 200);
    assert.equal(res.header('content-type'), 'application/octet-stream');
    assert.equal(res.header('content-length'), '4');
    assert.deepEqual([...res.body], [0, 1, 2, 255]);
  });

  test('undefined is 204 No Content without a body or content type', async () => {
    const a = app();
    a.post('/', () => undefined);
    a.post('/async', async () => {});
    const client = testClient(a);
    for (const path of ['/', '/async']) {
      const res = await client.post(path);
      assert.equal(res.status, 204, path);
      assert.equal(res.body.length, 0);
      assert.equal(res.header('content-type'), undefined);
      assert.equal(res.header('content-length'), undefined);
    }
  });

  test('a value JSON cannot serialise (BigInt, a cycle) is a 500 and the server keeps serving', async () => {
    const a = app();
    a.get('/bigint', () => ({ n: 1n }));
    a.get('/cycle', () => {
      const o: Record<string, unknown> = {};
      o['self'] = o;
      return o;
    });
    a.get('/ok', () => 'ok');
    const client = testClient(a);
    for (const path of ['/bigint', '/cycle']) {
      const res = await client.get(path, { remoteAddress: OUTSIDER });
      assert.equal(res.status, 500, path);
      assert.equal(res.text, '{"error":{"status":500,"message":"Internal Server Error"}}');
    }
    assert.equal((await client.get('/ok')).text, 'ok');
  });

  test('a class instance is a 500 and the log explains the TypeError', async () => {
    class User {
      constructor(readonly name: string) {}
    }
    const logs = capture();
    const a = app({ logLevel: 'error', logStream: logs.stream });
    a.get('/', () => new User('ada'));
    const res = await testClient(a).get('/', { remoteAddress: OUTSIDER });
    assert.equal(res.status, 500);
    assert.equal(res.text, '{"error":{"status":500,"message":"Internal Server Error"}}');
    const errors = logs.lines().filter((l) => l['level'] === 50);
    assert.equal(errors.length, 1);
    const err = errors[0]!['err'] as { type: string; message: string };
    assert.equal(err.type, 'TypeError');
    assert.equal(err.message, 'A handler returned a User object. Return a plain object or array for JSON, or an HttpResponse.');
  });
});

describe('explicit responses', () => {
  test('HttpResponse sends its status, headers and body', async () => {
    const a = app();
    a.post('/notes', () => new HttpResponse('created', { status: 201, headers: { Location: '/notes/1', 'X-Custom': 'v' } }).header('X-Chained', 'yes'));
    const res = await testClient(a).post('/notes');
    assert.equal(res.status, 201);
    assert.equal(res.header('location'), '/notes/1');
    assert.equal(res.header('x-custom'), 'v');
    assert.equal(res.header('x-chained'), 'yes');
    assert.equal(res.header('content-length'), '7');
    assert.equal(res.text, 'created');
  });

  test('an HttpResponse with a string body and no content type is sent as text/plain, never untyped', async () => {
    const a = app();
    a.get('/', () => new HttpResponse('<script>alert(1)</script>', { status: 200 }));
    const res = await testClient(a).get('/');
    assert.equal(res.status, 200);
    assert.equal(res.header('content-type'), TEXT_TYPE);
  });

  test('an HttpResponse takes its content type from an html`` body or a byte body', async () => {
    const a = app();
    a.get('/html', () => new HttpResponse(html`<p>${'<b>'}</p>`, { status: 201 }));
    a.get('/bytes', () => new HttpResponse(new Uint8Array([1, 2])));
    const client = testClient(a);
    const page = await client.get('/html');
    assert.equal(page.status, 201);
    assert.equal(page.header('content-type'), HTML_TYPE);
    assert.equal(page.text, '<p>&lt;b&gt;</p>');
    assert.equal((await client.get('/bytes')).header('content-type'), 'application/octet-stream');
  });

  test('a response header value with CR/LF is a 500 and injects no header', async () => {
    const a = app();
    a.get('/', () => new HttpResponse('x', { headers: { 'x-note': 'a\r\nSet-Cookie: sid=evil' } }));
    a.get('/ok', () => 'ok');
    const client = testClient(a);
    const res = await client.get('/', { remoteAddress: OUTSIDER });
    assert.equal(res.status, 500);
    assert.equal(res.header('set-cookie'), undefined);
    assert.equal(res.header('x-note'), undefined);
    assert.equal((await client.get('/ok')).text, 'ok');
  });

  test("an HttpResponse's own header wins over the security default of the same name", async () => {
    const a = app();
    a.get('/', () => text('framed', { headers: { 'x-frame-options': 'SAMEORIGIN' } }));
    const res = await testClient(a).get('/');
    assert.equal(res.header('x-frame-options'), 'SAMEORIGIN');
    assert.equal(res.header('x-content-type-options'), 'nosniff');
  });

  test('json() sets JSON content type and the status', async () => {
    const a = app();
    a.post('/', () => json({ id: 1 }, { status: 201 }));
    a.get('/undef', () => json(undefined));
    const client = testClient(a);
    const res = await client.post('/');
    assert.equal(res.status, 201);
    assert.equal(res.header('content-type'), JSON_TYPE);
    assert.equal(res.text, '{"id":1}');
    assert.equal((await client.get('/undef')).text, 'null');
  });

  test('json() keeps a content type the caller chose', async () => {
    const a = app();
    a.get('/', () => json({ title: 'x' }, { headers: { 'Content-Type': 'application/problem+json' } }));
    const res = await testClient(a).get('/');
    assert.equal(res.header('content-type'), 'application/problem+json');
  });

  test('text() sets text/plain and the status', async () => {
    const a = app();
    a.get('/', () => text('teapot', { status: 418 }));
    const res = await testClient(a).get('/');
    assert.equal(res.status, 418);
    assert.equal(res.header('content-type'), TEXT_TYPE);
    assert.equal(res.text, 'teapot');
  });

  test('redirect() answers 302 by default and the given status otherwise, with an empty body', async () => {
    const a = app();
    a.get('/old', () => redirect('/new'));
    a.post('/form', (req) => req.redirect('/done?ok=1', 303));
    a.get('/moved', () => redirect('https://example.com/x', 301));
    const client = testClient(a);
    const r1 = await client.get('/old');
    assert.equal(r1.status, 302);
    assert.equal(r1.header('location'), '/new');
    assert.equal(r1.body.length, 0);
    const r2 = await client.post('/form');
    assert.equal(r2.status, 303);
    assert.equal(r2.header('location'), '/done?ok=1');
    const r3 = await client.get('/moved');
    assert.equal(r3.status, 301);
    assert.equal(r3.header('location'), 'https://example.com/x');
  });

  test('redirect() refuses a location with CR or LF (header injection)', () => {
    assert.throws(() => redirect('/a\r\nSet-Cookie: sid=evil'), TypeError);
    assert.throws(() => redirect('/a\nX: y'), TypeError);
    assert.throws(() => redirect('/a\rX: y', 303), TypeError);
  });

  test('a handler that redirects to a location with CR/LF answers 500 and injects no header', async () => {
    const a = app();
    a.get('/', (req) => req.redirect(`/next${req.query.get('x') ?? ''}`));
    const res = await testClient(a).get('/', { query: { x: '\r\nSet-Cookie: sid=evil' }, remoteAddress: OUTSIDER });
    assert.equal(res.status, 500);
    assert.equal(res.header('location'), undefined);
    assert.equal(res.header('set-cookie'), undefined);
  });

  test('stream() sends a Readable as application/octet-stream, chunked', async () => {
    const a = app();
    a.get('/', () => stream(Readable.from([Buffer.from('part one, '), Buffer.from('part two')])));
    const res = await testClient(a).get('/');
    assert.equal(res.status, 200);
    assert.equal(res.header('content-type'), 'application/octet-stream');
    assert.equal(res.header('transfer-encoding'), 'chunked');
    assert.equal(res.header('content-length'), undefined);
    assert.equal(res.text, 'part one, part two');
  });

  test('stream() keeps the given status and content type', async () => {
    const a = app();
    a.get('/report.csv', () => stream(Readable.from(['a,b\n', '1,2\n']), { status: 202, headers: { 'content-type': 'text/csv; charset=utf-8' } }));
    const res = await testClient(a).get('/report.csv');
    assert.equal(res.status, 202);
    assert.equal(res.header('content-type'), 'text/csv; charset=utf-8');
    assert.equal(res.text, 'a,b\n1,2\n');
  });

  test('stream() accepts a web ReadableStream', async () => {
    const a = app();
    a.get('/', () =>
      stream(
        new ReadableStream<Uint8Array>({
          start(controller) {
            controller.enqueue(new TextEncoder().encode('web '));
            controller.enqueue(new TextEncoder().encode('stream'));
            controller.close();
          },
        }),
      ),
    );
    const res = await testClient(a).get('/');
    assert.equal(res.text, 'web stream');
  });

  test('HEAD of a streamed response sends headers and no body', async () => {
    const a = app();
    a.get('/', () => stream(Readable.from(['data'])));
    const res = await testClient(a).head('/');
    assert.equal(res.status, 200);
    assert.equal(res.header('content-type'), 'application/octet-stream');
    assert.equal(res.body.length, 0);
  });

  test('a web Response is sent with its status, headers and body', async () => {
    const a = app();
    a.get('/', () => {
      const headers = new Headers({ 'content-type': 'text/csv', 'x-web': '1' });
      headers.append('set-cookie', 'a=1; Path=/');
      headers.append('set-cookie', 'b=2; Path=/');
      return new Response('x,y', { status: 201, headers });
    });
    const res = await testClient(a).get('/');
    assert.equal(res.status, 201);
    assert.equal(res.header('content-type'), 'text/csv');
    assert.equal(res.header('x-web'), '1');
    assert.deepEqual(res.headers['set-cookie'], ['a=1; Path=/', 'b=2; Path=/']);
    assert.equal(res.text, 'x,y');
    assert.equal(res.header('x-frame-options'), 'DENY');
  });

  test('a web Response without a body is sent empty', async () => {
    const a = app();
    a.get('/', () => new Response(null, { status: 204 }));
    const res = await testClient(a).get('/');
    assert.equal(res.status, 204);
    assert.equal(res.body.length, 0);
  });
});

describe('thrown HTTP errors', () => {
  const a = app();
  a.get('/missing', () => {
    throw notFound();
  });
  a.get('/staff', () => {
    throw forbidden('Staff only');
  });
  a.get('/escape', () => {
    throw forbidden('<img src=x onerror=alert(1)>');
  });
  a.get('/teapot', async () => {
    throw new HttpError(418, "I'm a teapot");
  });
  a.get('/slow', () => {
    throw tooManyRequests('Slow down', { headers: { 'retry-after': '60' } });
  });
  a.post('/invalid', () => {
    throw unprocessable('The form has errors.', { details: { title: ['required'] } });
  });
  a.get('/custom-code', () => {
    throw new HttpError(409, 'Name taken', { code: 'E_APP_NAME_TAKEN' });
  });
  a.get('/internal', () => {
    throw internalError('database password is hunter2');
  });
  a.get('/unavailable', () => {
    throw new HttpError(503, 'maintenance: node db-7 at 10.1.2.3 is down');
  });
  a.get('/plain-error', () => {
    throw new Error('SELECT * FROM users failed at /srv/app/db.ts');
  });
  const client = testClient(a);

  test('notFound() is a 404 with the default message and code', async () => {
    const res = await client.get('/missing');
    assert.equal(res.status, 404);
    assert.equal(res.header('content-type'), JSON_TYPE);
    assert.equal(res.text, '{"error":{"status":404,"message":"Not Found","code":"E_HTTP_NOT_FOUND"}}');
  });

  test("forbidden('msg') is a 403 that shows its message", async () => {
    const res = await client.get('/staff');
    assert.equal(res.status, 403);
    assert.equal(res.text, '{"error":{"status":403,"message":"Staff only","code":"E_HTTP_FORBIDDEN"}}');
  });

  test('a 4xx message is shown escaped on the HTML error page', async () => {
    const res = await client.get('/escape', { headers: { accept: 'text/html' } });
    assert.equal(res.status, 403);
    assert.equal(res.header('content-type'), HTML_TYPE);
    assert.equal(
      res.text,
      '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>403 Forbidden</title></head>' +
        '<body><h1>403 Forbidden</h1><p>&lt;img src=x onerror=alert(1)&gt;</p></body></html>',
    );
  });

  test('HttpError with a status that has no reason phrase keeps its message and gets a numeric code', async () => {
    const res = await client.get('/teapot');
    assert.equal(res.status, 418);
    assert.equal(res.text, '{"error":{"status":418,"message":"I\'m a teapot","code":"E_HTTP_418"}}');
  });

  test("an HttpError's headers are sent", async () => {
    const res = await client.get('/slow');
    assert.equal(res.status, 429);
    assert.equal(res.header('retry-after'), '60');
    assert.equal(res.text, '{"error":{"status":429,"message":"Slow down","code":"E_HTTP_TOO_MANY_REQUESTS"}}');
  });

  test("an HttpError's details are sent in the JSON body", async () => {
    const res = await client.post('/invalid');
    assert.equal(res.status, 422);
    assert.deepEqual(res.json(), {
      error: { status: 422, message: 'The form has errors.', code: 'E_HTTP_UNPROCESSABLE_CONTENT', details: { title: ['required'] } },
    });
  });

  test('a custom code is sent as given', async () => {
    const res = await client.get('/custom-code');
    assert.equal(res.text, '{"error":{"status":409,"message":"Name taken","code":"E_APP_NAME_TAKEN"}}');
  });

  test('5xx messages are never exposed, in JSON or HTML', async () => {
    for (const [path, status, phrase] of [
      ['/internal', 500, 'Internal Server Error'],
      ['/unavailable', 503, 'Service Unavailable'],
      ['/plain-error', 500, 'Internal Server Error'],
    ] as const) {
      const res = await client.get(path, { remoteAddress: OUTSIDER });
      assert.equal(res.status, status, path);
      assert.equal(res.text, JSON.stringify({ error: { status, message: phrase } }), path);
      const page = await client.get(path, { remoteAddress: OUTSIDER, headers: { accept: 'text/html' } });
      assert.equal(page.status, status);
      assert.equal(
        page.text,
        `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${status} ${phrase}</title></head>` +
          `<body><h1>${status} ${phrase}</h1><p>${phrase}</p></body></html>`,
      );
    }
  });
});

describe('cookies', () => {
  test('setCookie defaults to HttpOnly, SameSite=Lax and Path=/ without Secure over plain HTTP', async () => {
    const a = app();
    a.get('/', (req) => {
      req.setCookie('sid', 'abc');
      return 'ok';
    });
    const res = await testClient(a).get('/');
    assert.deepEqual(res.headers['set-cookie'], ['sid=abc; Path=/; HttpOnly; SameSite=Lax']);
    assert.equal(res.text, 'ok');
  });

  test('cookies are Secure when the app is configured for HTTPS (behind a trusted proxy)', async () => {
    const a = app({ https: true, trustedProxies: ['10.0.0.0/8'] });
    a.get('/', (req) => {
      req.setCookie('sid', 'abc');
      return 'ok';
    });
    const res = await testClient(a).get('/', { remoteAddress: '10.0.0.1', headers: { 'x-forwarded-proto': 'https' } });
    assert.equal(res.status, 200);
    assert.deepEqual(res.headers['set-cookie'], ['sid=abc; Path=/; HttpOnly; Secure; SameSite=Lax']);
  });

  test('cookies are Secure when a trusted proxy says X-Forwarded-Proto: https', async () => {
    const a = app({ trustedProxies: ['10.0.0.0/8'] });
    a.get('/', (req) => {
      req.setCookie('sid', 'abc');
      return { secure: req.secure };
    });
    const res = await testClient(a).get('/', { remoteAddress: '10.0.0.1', headers: { 'x-forwarded-proto': 'https' } });
    assert.deepEqual(res.headers['set-cookie'], ['sid=abc; Path=/; HttpOnly; Secure; SameSite=Lax']);
    assert.equal(res.text, '{"secure":true}');
  });

  test('an untrusted peer cannot make cookies Secure with X-Forwarded-Proto', async () => {
    const a = app({ trustedProxies: ['10.0.0.0/8'] });
    a.get('/', (req) => {
      req.setCookie('sid', 'abc');
      return { secure: req.secure };
    });
    const res = await testClient(a).get('/', { remoteAddress: OUTSIDER, headers: { 'x-forwarded-proto': 'https' } });
    assert.deepEqual(res.headers['set-cookie'], ['sid=abc; Path=/; HttpOnly; SameSite=Lax']);
    assert.equal(res.text, '{"secure":false}');
  });

  test('two cookies in one response are two Set-Cookie headers', async () => {
    const a = app();
    a.get('/', (req) => {
      req.setCookie('a', '1');
      req.setCookie('theme', 'dark', { maxAgeSeconds: 86400, httpOnly: false, sameSite: 'strict', path: '/app' });
      return { ok: true };
    });
    const res = await testClient(a).get('/');
    assert.deepEqual(res.headers['set-cookie'], ['a=1; Path=/; HttpOnly; SameSite=Lax', 'theme=dark; Max-Age=86400; Path=/app; SameSite=Strict']);
  });

  test('cookies set by the handler are merged with an explicit response and its own Set-Cookie', async () => {
    const a = app();
    a.get('/', (req) => {
      req.setCookie('a', '1');
      return new HttpResponse(null, { status: 303, headers: { location: '/next', 'set-cookie': 'b=2; Path=/' } });
    });
    const res = await testClient(a).get('/');
    assert.equal(res.status, 303);
    assert.deepEqual(res.headers['set-cookie'], ['a=1; Path=/; HttpOnly; SameSite=Lax', 'b=2; Path=/']);
  });

  test('deleteCookie expires the cookie', async () => {
    const a = app();
    a.post('/logout', (req) => {
      req.deleteCookie('sid');
      return req.redirect('/', 303);
    });
    const res = await testClient(a).post('/logout');
    assert.deepEqual(res.headers['set-cookie'], ['sid=; Max-Age=0; Path=/; Expires=Thu, 01 Jan 1970 00:00:00 GMT; HttpOnly; SameSite=Lax']);
  });

  test('SameSite=None without Secure is refused with CookieError E_COOKIE_INSECURE', async () => {
    const a = app();
    a.get('/', (req) => {
      try {
        req.setCookie('x', '1', { sameSite: 'none' });
        return 'set';
      } catch (err) {
        return { isCookieError: err instanceof CookieError, code: (err as CookieError).code };
      }
    });
    const res = await testClient(a).get('/');
    assert.equal(res.text, '{"isCookieError":true,"code":"E_COOKIE_INSECURE"}');
  });

  test('SameSite=None is allowed with Secure', async () => {
    const a = app({ trustedProxies: ['10.0.0.0/8'] });
    a.get('/', (req) => {
      req.setCookie('x', '1', { sameSite: 'none' });
      return 'set';
    });
    const res = await testClient(a).get('/', { remoteAddress: '10.0.0.1', headers: { 'x-forwarded-proto': 'https' } });
    assert.deepEqual(res.headers['set-cookie'], ['x=1; Path=/; HttpOnly; Secure; SameSite=None']);
  });

  test('an invalid cookie name is CookieError E_COOKIE_INVALID and a value is encoded, never splitting the header', async () => {
    const a = app();
    a.get('/', (req) => {
      let code = '';
      try {
        req.setCookie('bad name', '1');
      } catch (err) {
        code = (err as CookieError).code;
      }
      req.setCookie('v', 'a;b=c d');
      return code;
    });
    const res = await testClient(a).get('/');
    assert.equal(res.text, 'E_COOKIE_INVALID');
    assert.deepEqual(res.headers['set-cookie'], ['v=a%3Bb%3Dc%20d; Path=/; HttpOnly; SameSite=Lax']);
  });

  test('request cookies are parsed and decoded', async () => {
    const a = app();
    a.get('/', (req) => ({ ...req.cookies }));
    const res = await testClient(a).get('/', { headers: { cookie: 'a=1; b=hello%20world; __proto__=x' } });
    assert.deepEqual(res.json(), { a: '1', b: 'hello world', ['__proto__']: 'x' });
  });
});
