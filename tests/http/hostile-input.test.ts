/**
 * Hostile input against the HTTP core: bodies built to exhaust the parser or pollute prototypes,
 * paths built to escape a directory or confuse a decoder, handlers that fail, and very long
 * paths, query keys and header values that must cost linear time.
 *
 * Most requests go through the in-process test client; paths go over a real socket too, because
 * only a socket delivers a path exactly as an attacker wrote it. After every hostile request the
 * next normal request must still be answered 200.
 */
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { Writable } from 'node:stream';
import { brotliCompressSync, deflateSync, gzipSync } from 'node:zlib';
import { rampart, secretKeyWeakness, type App, type RunningServer } from 'rampart';
import { liveServer, testClient, type TestClient, type TestResponse } from 'rampart/testing';
import { portOf, rawGet, rawRequest } from '../helpers/raw-http.ts';

const QUIET = { env: 'test', envFile: false, logLevel: 'silent', headersTimeoutMs: 1000, requestTimeoutMs: 2000, keepAliveTimeoutMs: 1000, shutdownTimeoutMs: 500 } as const;

/** The classic prototype-pollution gadget: a recursive merge that trusts every key. */
function naiveMerge(target: Record<string, unknown>, source: unknown): Record<string, unknown> {
  if (typeof source !== 'object' || source === null) return target;
  for (const key of Object.keys(source)) {
    const value = (source as Record<string, unknown>)[key];
    const existing = target[key];
    if (typeof value === 'object' && value !== null && (typeof existing === 'object' || typeof existing === 'function') && existing !== null) {
      naiveMerge(existing as Record<string, unknown>, value);
    } else if (typeof value === 'object' && value !== null) {
      target[key] = naiveMerge({}, value);
    } else {
      target[key] = value;
    }
  }
  return target;
}

/** Routes shared by the apps below. */
function addRoutes(app: App): App {
  app.get('/ok', () => 'ok');
  app.get('/secret', () => 'SECRET');
  app.get('/b', () => 'B');
  app.get('/files/:name', (req) => `file:${req.params.name}`);
  app.get('/static/*path', (req) => `static:${req.params.path}`);
  app.post('/json', async (req) => ({ got: await req.json() }));
  app.post('/merge', async (req) => naiveMerge({}, await req.json()));
  app.post('/form', async (req) => {
    const form = await req.form();
    let n = 0;
    for (const _ of form.keys()) n++;
    return { fields: n };
  });
  app.get('/query', (req) => {
    const keys = [...req.query.keys()];
    return { keys: keys.length, longest: keys.reduce((m, k) => Math.max(m, k.length), 0) };
  });
  app.get('/header', (req) => ({ length: String(req.headers['x-filler'] ?? '').length }));
  app.get('/cookies', (req) => {
    const c = req.cookies;
    return { names: Object.keys(c).length, longest: Object.values(c).reduce((m, v) => Math.max(m, v.length), 0) };
  });
  return app;
}

async function assertStillServing(client: TestClient): Promise<void> {
  const res = await client.get('/ok');
  assert.equal(res.status, 200, 'the next normal request was not served');
  assert.equal(res.text, 'ok');
}

function codeOf(res: { json<T>(): T }): unknown {
  return res.json<{ error: { code?: string } }>().error.code;
}

describe('JSON bodies', () => {
  const app = addRoutes(rampart(QUIET));
  const client = testClient(app);

  for (const [label, body] of [
    ['arrays nested 10,000 deep', '['.repeat(10_000) + ']'.repeat(10_000)],
    ['objects nested 10,000 deep', '{"a":'.repeat(10_000) + '1' + '}'.repeat(10_000)],
    ['10,000 open brackets, never closed', '['.repeat(10_000)],
  ] as const) {
    test(`${label} → 400 E_BODY_JSON_TOO_DEEP, fast`, async () => {
      const t0 = performance.now();
      const res = await client.post('/json', { body: body, headers: { 'content-type': 'application/json' } });
      const ms = performance.now() - t0;
      assert.equal(res.status, 400);
      assert.equal(codeOf(res), 'E_BODY_JSON_TOO_DEEP');
      assert.ok(ms < 1000, `took ${ms} ms`);
      await assertStillServing(client);
    });
  }

  test('the depth limit is exact (64 passes, 65 is refused) and brackets inside strings do not count', async () => {
    const at = await client.post('/json', { body: '['.repeat(64) + ']'.repeat(64), headers: { 'content-type': 'application/json' } });
    assert.equal(at.status, 200);
    const over = await client.post('/json', { body: '['.repeat(65) + ']'.repeat(65), headers: { 'content-type': 'application/json' } });
    assert.equal(over.status, 400);
    assert.equal(codeOf(over), 'E_BODY_JSON_TOO_DEEP');
    const inString = await client.post('/json', { json: { a: '['.repeat(10_000) } });
    assert.equal(inString.status, 200);
    assert.deepEqual(inString.json(), { got: { a: '['.repeat(10_000) } });
    await assertStillServing(client);
  });
});

describe('prototype pollution through JSON', () => {
  const app = addRoutes(rampart(QUIET));
  const client = testClient(app);
  let protoNames: string[];
  before(() => {
    protoNames = Object.getOwnPropertyNames(Object.prototype).sort();
  });

  function assertPrototypeUntouched(): void {
    assert.equal(({} as Record<string, unknown>)['polluted'], undefined);
    assert.equal('polluted' in {}, false);
    assert.equal(Object.prototype.hasOwnProperty.call(Object.prototype, 'polluted'), false);
    assert.deepEqual(Object.getOwnPropertyNames(Object.prototype).sort(), protoNames);
    assert.equal(Object.getPrototypeOf({}), Object.prototype);
  }

  test('the gadget route works on a benign body (so the refusals below are meaningful)', async () => {
    const res = await client.post('/merge', { body: '{"a":{"b":1},"note":"__proto__ and constructor are fine as values"}', headers: { 'content-type': 'application/json' } });
    assert.equal(res.status, 200);
    assert.deepEqual(res.json(), { a: { b: 1 }, note: '__proto__ and constructor are fine as values' });
    assertPrototypeUntouched();
  });

  for (const body of [
    '{"__proto__":{"polluted":1}}',
    '{"constructor":{"prototype":{"polluted":1}}}',
    '{"a":{"b":{"__proto__":{"polluted":1}}}}',
    '[{"__proto__":{"polluted":1}}]',
    '{"\\u005f\\u005fproto\\u005f\\u005f":{"polluted":1}}',
    '{"constructor":{"\\u0070rototype":{"polluted":1}}}',
    '{"ok":1,"__proto__":{"polluted":1}}',
  ]) {
    test(`${body} → 400 E_BODY_JSON_FORBIDDEN_KEY, Object.prototype untouched`, async () => {
      const res = await client.post('/merge', { body, headers: { 'content-type': 'application/json' } });
      assert.equal(res.status, 400);
      assert.equal(codeOf(res), 'E_BODY_JSON_FORBIDDEN_KEY');
      assertPrototypeUntouched();
      await assertStillServing(client);
      assertPrototypeUntouched();
    });
  }
});

describe('form bodies', () => {
  const app = addRoutes(rampart(QUIET));
  const client = testClient(app);
  const form = (n: number): string => Array.from({ length: n }, (_, i) => `f${i}=1`).join('&');

  test('100,000 form fields → 413 E_BODY_TOO_MANY_FIELDS, fast', async () => {
    const body = 'a=1&'.repeat(99_999) + 'a=1';
    assert.ok(Buffer.byteLength(body) < 1024 * 1024, 'the body must be under the size limit so the field limit is what refuses it');
    const t0 = performance.now();
    const res = await client.post('/form', { body, headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    const ms = performance.now() - t0;
    assert.equal(res.status, 413);
    assert.equal(codeOf(res), 'E_BODY_TOO_MANY_FIELDS');
    assert.ok(ms < 1000, `took ${ms} ms`);
    await assertStillServing(client);
  });

  test('the field limit is exact: 1,000 fields pass, 1,001 are refused', async () => {
    const ok = await client.post('/form', { body: form(1000), headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    assert.equal(ok.status, 200);
    assert.deepEqual(ok.json(), { fields: 1000 });
    const over = await client.post('/form', { body: form(1001), headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    assert.equal(over.status, 413);
    assert.equal(codeOf(over), 'E_BODY_TOO_MANY_FIELDS');
    await assertStillServing(client);
  });

  test('10 MiB urlencoded body → 413 E_BODY_TOO_LARGE', async () => {
    const res = await client.post('/form', { body: Buffer.alloc(10 * 1024 * 1024, 0x61), headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    assert.equal(res.status, 413);
    assert.equal(codeOf(res), 'E_BODY_TOO_LARGE');
    await assertStillServing(client);
  });
});

describe('compressed request bodies', () => {
  const app = addRoutes(rampart(QUIET));
  const client = testClient(app);
  const json = JSON.stringify({ a: 'x'.repeat(1000) });

  for (const [encoding, body] of [
    ['gzip', gzipSync(json)],
    ['GZIP', gzipSync(json)],
    ['deflate', deflateSync(json)],
    ['br', brotliCompressSync(json)],
    ['identity, gzip', gzipSync(json)],
  ] as const) {
    test(`Content-Encoding: ${encoding} → 415 E_BODY_ENCODING_UNSUPPORTED`, async () => {
      const res = await client.post('/json', { body, headers: { 'content-type': 'application/json', 'content-encoding': encoding } });
      assert.equal(res.status, 415);
      assert.equal(codeOf(res), 'E_BODY_ENCODING_UNSUPPORTED');
      await assertStillServing(client);
    });
  }

  test('Content-Encoding: identity is an uncompressed body and is accepted', async () => {
    const res = await client.post('/json', { body: json, headers: { 'content-type': 'application/json', 'content-encoding': 'identity' } });
    assert.equal(res.status, 200);
    assert.deepEqual(res.json(), { got: JSON.parse(json) });
  });
});

/**
 * Hostile paths, each with the exact answer (router.ts and app.ts): NUL anywhere is 400, so is
 * percent-encoding that does not decode to valid UTF-8 (overlong forms, truncated sequences,
 * surrogates); dot segments and encoded slashes or backslashes never match a param or a wildcard,
 * and paths are not normalised, so a traversal attempt is simply a 404.
 */
const PATHS: readonly { path: string; status: number; code?: string; body?: string }[] = [
  { path: '/%00', status: 400, code: 'E_PATH_MALFORMED' },
  { path: '/files/a%00b', status: 400, code: 'E_PATH_MALFORMED' },
  { path: '/static/a%00b', status: 400, code: 'E_PATH_MALFORMED' },
  { path: '/files/..%2f..%2fetc%2fpasswd', status: 404, code: 'E_HTTP_NOT_FOUND' },
  { path: '/static/..%2f..%2fetc%2fpasswd', status: 404, code: 'E_HTTP_NOT_FOUND' },
  { path: '/files/%2e%2e/secret', status: 404, code: 'E_HTTP_NOT_FOUND' },
  { path: '/static/%2e%2e/secret', status: 404, code: 'E_HTTP_NOT_FOUND' },
  { path: '/static/a/%2E%2E/%2E%2E/secret', status: 404, code: 'E_HTTP_NOT_FOUND' },
  { path: '/files/%2e%2e', status: 404, code: 'E_HTTP_NOT_FOUND' },
  { path: '/files/a%2fb', status: 404, code: 'E_HTTP_NOT_FOUND' },
  { path: '/%C0%AE%C0%AE/', status: 400, code: 'E_PATH_MALFORMED' },
  { path: '/files/%C0%AE%C0%AE%C0%AF', status: 400, code: 'E_PATH_MALFORMED' },
  { path: '/%E0%80%AF', status: 400, code: 'E_PATH_MALFORMED' },
  { path: '/files/%', status: 400, code: 'E_PATH_MALFORMED' },
  { path: '/files/%zz', status: 400, code: 'E_PATH_MALFORMED' },
  { path: '/files/%E2%82', status: 400, code: 'E_PATH_MALFORMED' },
  { path: '/files/%ED%A0%80', status: 400, code: 'E_PATH_MALFORMED' },
  { path: '/..%5c..%5c', status: 404, code: 'E_HTTP_NOT_FOUND' },
  { path: '/static/..%5csecret', status: 404, code: 'E_HTTP_NOT_FOUND' },
  { path: '/a/../b', status: 404, code: 'E_HTTP_NOT_FOUND' },
  { path: '/files/../secret', status: 404, code: 'E_HTTP_NOT_FOUND' },
  { path: '/files/./../secret', status: 404, code: 'E_HTTP_NOT_FOUND' },
  { path: '//evil.example/', status: 404, code: 'E_HTTP_NOT_FOUND' },
  // A literal "%00" text (the percent itself encoded) is data, not NUL, and is decoded once only.
  { path: '/files/%2500', status: 200, body: 'file:%00' },
  { path: '/static/a/b%20c', status: 200, body: 'static:a/b c' },
];

describe('hostile paths over a real socket', () => {
  let server: RunningServer;
  let port: number;
  before(async () => {
    server = await liveServer(addRoutes(rampart(QUIET)));
    port = portOf(server.url);
  });
  after(async () => {
    await server.close();
  });

  async function stillServing(): Promise<void> {
    const res = await rawGet(port, '/ok');
    assert.equal(res.status, 200, 'the next normal request was not served');
    assert.equal(res.text, 'ok');
  }

  for (const { path, status, code, body } of PATHS) {
    test(`GET ${path} → ${status}${code === undefined ? '' : ` ${code}`}`, async () => {
      const res = await rawGet(port, path);
      assert.equal(res.timedOut, false);
      assert.equal(res.status, status, `${path}: ${res.raw.toString('latin1').slice(0, 300)}`);
      if (code !== undefined) assert.equal(codeOf(res), code);
      if (body !== undefined) assert.equal(res.text, body);
      assert.ok(!res.text.includes('SECRET') && res.text !== 'B', 'a traversal reached another route');
      assert.equal(res.headers['location'], undefined, 'a hostile path was redirected');
      await stillServing();
    });
  }

  test('a raw NUL byte in the request line → 400 from the parser', async () => {
    const res = await rawGet(port, '/files/a\u0000b');
    assert.equal(res.status, 400);
    await stillServing();
  });

  test('a raw backslash path is not a traversal: GET /files/..\\secret → 404', async () => {
    const res = await rawGet(port, '/files/..\\secret');
    assert.equal(res.status, 404);
    assert.equal(codeOf(res), 'E_HTTP_NOT_FOUND');
    await stillServing();
  });
});

describe('the in-process test client delivers hostile paths as sent', () => {
  // The test client is what users test their apps with; if it rewrites a path before the app sees
  // it, a traversal test through it proves nothing about the real server.
  test('every hostile path gets the same status through testClient as over a socket', async () => {
    const client = testClient(addRoutes(rampart(QUIET)));
    const mismatches: string[] = [];
    for (const { path, status } of PATHS) {
      const res = await client.get(path);
      if (res.status !== status) mismatches.push(`${path}: socket ${status}, testClient ${res.status} ${res.text.slice(0, 40)}`);
    }
    assert.deepEqual(mismatches, []);
    await assertStillServing(client);
  });
});

/** Collects log lines written by the app. */
function captureLogs(): { stream: Writable; lines: () => Record<string, unknown>[] } {
  let buf = '';
  const stream = new Writable({
    write(chunk: Buffer, _enc, cb) {
      buf += chunk.toString('utf8');
      cb();
    },
  });
  return {
    stream,
    lines: () =>
      buf
        .split('\n')
        .filter((l) => l.trim() !== '')
        .map((l) => JSON.parse(l) as Record<string, unknown>),
  };
}

function productionSecret(): string {
  for (;;) {
    const key = randomBytes(48).toString('base64url');
    if (secretKeyWeakness(key) === null) return key;
  }
}

const LEAK = 'db-password=hunter2 at /srv/app/handlers.ts';

function addFailingRoutes(app: App): App {
  app.get('/throw', () => {
    throw new Error(LEAK);
  });
  app.get('/reject', () => Promise.reject(new Error(LEAK)));
  app.get('/async-throw', async () => {
    await new Promise((r) => setTimeout(r, 5));
    throw new TypeError(LEAK);
  });
  app.get('/throw-string', () => {
    throw LEAK;
  });
  app.get('/reject-undefined', () => Promise.reject(undefined));
  return app;
}

const FAILING = ['/throw', '/reject', '/async-throw', '/throw-string', '/reject-undefined'] as const;
const PROD_JSON_500 = '{"error":{"status":500,"message":"Internal Server Error"}}';

function assertLeaksNothing(res: TestResponse | { text: string; headers: Readonly<Record<string, unknown>> }): void {
  for (const needle of ['hunter2', 'db-password', '/srv/app', 'handlers.ts', 'Error:', 'TypeError', 'stack', 'debug', ' at ', 'node:', 'file://', '.ts:']) {
    assert.ok(!res.text.includes(needle), `the 500 body leaks ${JSON.stringify(needle)}: ${res.text.slice(0, 300)}`);
  }
  assert.ok(!JSON.stringify(res.headers).includes('hunter2'), 'a header leaks the error');
}

describe('handlers that fail, in production', () => {
  const logs = captureLogs();
  const app = addFailingRoutes(
    addRoutes(
      rampart({
        ...QUIET,
        env: 'production',
        secretKey: productionSecret(),
        allowedHosts: ['localhost', '127.0.0.1'],
        logLevel: 'info',
        logRequests: false,
        logStream: logs.stream,
      }),
    ),
  );
  const client = testClient(app);
  let server: RunningServer;
  let port: number;
  before(async () => {
    server = await liveServer(app);
    port = portOf(server.url);
  });
  after(async () => {
    await server.close();
  });

  for (const path of FAILING) {
    test(`GET ${path} → 500 with a body that says nothing about the code, then the next request is served`, async () => {
      const res = await client.get(path);
      assert.equal(res.status, 500);
      assert.equal(res.header('content-type'), 'application/json; charset=utf-8');
      assert.equal(res.text, PROD_JSON_500);
      assertLeaksNothing(res);
      await assertStillServing(client);
    });
  }

  test('the HTML error page (Accept: text/html) says nothing about the code either', async () => {
    for (const path of FAILING) {
      const res = await client.get(path, { headers: { accept: 'text/html' } });
      assert.equal(res.status, 500);
      assert.equal(res.header('content-type'), 'text/html; charset=utf-8');
      assert.equal(
        res.text,
        '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>500 Internal Server Error</title></head><body><h1>500 Internal Server Error</h1><p>Internal Server Error</p></body></html>',
      );
      assertLeaksNothing(res);
      await assertStillServing(client);
    }
  });

  test('over a real socket: 500, same body, and the next request on a new connection is served', async () => {
    for (const path of FAILING) {
      const res = await rawRequest(port, { path, host: 'localhost' });
      assert.equal(res.status, 500);
      assert.equal(res.text, PROD_JSON_500);
      assertLeaksNothing(res);
      const next = await rawRequest(port, { path: '/ok', host: 'localhost' });
      assert.equal(next.status, 200);
      assert.equal(next.text, 'ok');
    }
  });

  test('each failure is logged with its request id (the log, not the client, gets the details)', async () => {
    const before = logs.lines().length;
    await client.get('/throw');
    const line = logs.lines().slice(before).find((l) => l['msg'] === 'handler failed');
    assert.ok(line !== undefined, 'no "handler failed" log line');
    assert.equal(line['level'], 50);
    assert.equal(typeof line['reqId'], 'string');
    assert.ok(JSON.stringify(line['err']).includes('hunter2'), 'the log line should carry the error');
    await assertStillServing(client);
  });
});

describe('handlers that fail, in development, seen from another machine', () => {
  const app = addFailingRoutes(addRoutes(rampart(QUIET)));
  const client = testClient(app, { remoteAddress: '203.0.113.9' });

  for (const path of FAILING) {
    test(`GET ${path} from a non-loopback client → 500 without details`, async () => {
      const res = await client.get(path);
      assert.equal(res.status, 500);
      assert.equal(res.text, PROD_JSON_500);
      assertLeaksNothing(res);
      await assertStillServing(client);
    });
  }
});

function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

/**
 * Times `send(n)` for n = 5,000 and n = 50,000, interleaved, several rounds, and compares medians.
 * Linear work gives a ratio near 1 to 10 (fixed costs dominate at these sizes); quadratic work
 * would give about 100. The absolute bound catches a quadratic hidden under fixed costs.
 */
async function assertLinear(
  client: TestClient,
  label: string,
  send: (n: number) => Promise<TestResponse>,
  check: (res: TestResponse, n: number) => void,
): Promise<void> {
  const PER_ROUND = 10;
  const ROUNDS = 5;
  const round = async (n: number): Promise<number> => {
    const t0 = performance.now();
    for (let i = 0; i < PER_ROUND; i++) check(await send(n), n);
    const ms = (performance.now() - t0) / PER_ROUND;
    await assertStillServing(client); // outside the timed part
    return ms;
  };
  await round(5_000); // warm-up: JIT and first-use costs
  await round(50_000);
  const small: number[] = [];
  const large: number[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    small.push(await round(5_000));
    large.push(await round(50_000));
  }
  const s = median(small);
  const l = median(large);
  const ratio = l / Math.max(s, 0.05);
  assert.ok(l < 250, `${label}: a 50,000-character request takes ${l.toFixed(2)} ms (median)`);
  assert.ok(ratio < 30, `${label}: 50,000 vs 5,000 characters costs ${ratio.toFixed(1)}x (${l.toFixed(2)} vs ${s.toFixed(2)} ms): not linear`);
}

describe('very long paths, query keys and header values (in process, where no 16 KiB limit applies)', () => {
  const app = addRoutes(rampart(QUIET));
  const client = testClient(app);

  const notFoundMessage = (path: string): string => `No route for ${path.length > 200 ? path.slice(0, 200) + '…' : path}.`;
  const assertNotFound = (res: TestResponse, path: string): void => {
    assert.equal(res.status, 404);
    const body = res.json<{ error: { code: string; message: string } }>();
    assert.equal(body.error.code, 'E_HTTP_NOT_FOUND');
    assert.equal(body.error.message, notFoundMessage(path)); // the path is not echoed in full
  };

  const onePath = (n: number): string => '/' + 'a'.repeat(n - 1);
  test('a 50,000-character path (one segment) → 404, in linear time', async () => {
    await assertLinear(client, 'one-segment path', (n) => client.get(onePath(n)), (res, n) => assertNotFound(res, onePath(n)));
    await assertStillServing(client);
  });

  const manySegments = (n: number): string => '/a'.repeat(n / 2);
  test('a 50,000-character path of 25,000 segments → 404, in linear time', async () => {
    await assertLinear(client, 'many-segment path', (n) => client.get(manySegments(n)), (res, n) => assertNotFound(res, manySegments(n)));
    await assertStillServing(client);
  });

  const encodedPath = (n: number): string => '/files/' + '%61'.repeat(Math.floor((n - 7) / 3));
  test('a 50,000-character percent-encoded param → 200, decoded, in linear time', async () => {
    await assertLinear(client, 'percent-encoded path', (n) => client.get(encodedPath(n)), (res, n) => {
      assert.equal(res.status, 200);
      assert.equal(res.text, 'file:' + 'a'.repeat(Math.floor((n - 7) / 3)));
    });
    await assertStillServing(client);
  });

  const wildcardRest = (n: number): string => 'a/'.repeat(Math.floor((n - 8) / 2));
  test('a 50,000-character wildcard path of 25,000 segments → 200 with the whole rest, in linear time', async () => {
    await assertLinear(client, 'wildcard path', (n) => client.get('/static/' + wildcardRest(n)), (res, n) => {
      assert.equal(res.status, 200);
      assert.equal(res.text, 'static:' + wildcardRest(n));
    });
    await assertStillServing(client);
  });

  test('a 50,000-character query key → 200, in linear time', async () => {
    await assertLinear(client, 'query key', (n) => client.get(`/query?${'k'.repeat(n)}=1`), (res, n) => {
      assert.equal(res.status, 200);
      assert.deepEqual(res.json(), { keys: 1, longest: n });
    });
    await assertStillServing(client);
  });

  test('a 50,000-character query of 25,000 empty keys → 200, in linear time', async () => {
    await assertLinear(client, 'many query keys', (n) => client.get(`/query?${'k&'.repeat(n / 2)}`), (res, n) => {
      assert.equal(res.status, 200);
      assert.deepEqual(res.json(), { keys: n / 2, longest: 1 });
    });
    await assertStillServing(client);
  });

  test('a 50,000-character header value → 200, in linear time', async () => {
    await assertLinear(client, 'header value', (n) => client.get('/header', { headers: { 'x-filler': 'v'.repeat(n) } }), (res, n) => {
      assert.equal(res.status, 200);
      assert.deepEqual(res.json(), { length: n });
    });
    await assertStillServing(client);
  });

  test('a 50,000-character Cookie value → 200, in linear time', async () => {
    await assertLinear(client, 'cookie value', (n) => client.get('/cookies', { headers: { cookie: 'c=' + 'v'.repeat(n - 2) } }), (res, n) => {
      assert.equal(res.status, 200);
      assert.deepEqual(res.json(), { names: 1, longest: n - 2 });
    });
    await assertStillServing(client);
  });

  test('a 50,000-character Host header → 400 E_HOST_INVALID, in linear time', async () => {
    await assertLinear(client, 'host', (n) => client.get('/ok', { headers: { host: 'a'.repeat(n) } }), (res) => {
      assert.equal(res.status, 400);
      assert.equal(codeOf(res), 'E_HOST_INVALID');
    });
    await assertStillServing(client);
  });

  test('a 50,000-character Content-Type → 415 E_BODY_MEDIA_TYPE, in linear time', async () => {
    const type = (n: number): string => 'application/json;' + ' a=b;'.repeat(Math.floor((n - 22) / 5)) + ' c=d';
    await assertLinear(client, 'content-type', (n) => client.post('/json', { body: '{}', headers: { 'content-type': type(n) } }), (res) => {
      assert.equal(res.status, 415);
      assert.equal(codeOf(res), 'E_BODY_MEDIA_TYPE');
    });
    await assertStillServing(client);
  });

  test('a 50,000-character Accept header on an error → 404, in linear time', async () => {
    await assertLinear(client, 'accept', (n) => client.get('/missing', { headers: { accept: 'x/y,'.repeat(n / 4) } }), (res) => {
      assert.equal(res.status, 404);
      assert.equal(res.header('content-type'), 'application/json; charset=utf-8');
    });
    await assertStillServing(client);
  });
});
