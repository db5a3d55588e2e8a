/**
 * Hostile input that only a real socket can send: bodies larger than the limit (by Content-Length
 * and chunked), oversized headers, slow clients, forged Host and X-Forwarded-Host headers.
 *
 * Every server listens on 127.0.0.1 on a free port with short timeouts, and after every hostile
 * exchange a normal request on a NEW connection must still be answered 200.
 */
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { Socket } from 'node:net';
import { gzipSync } from 'node:zlib';
import { rampart, type App, type RunningServer } from 'rampart';
import { liveServer } from 'rampart/testing';
import { buildRequest, openRaw, portOf, rawGet, rawRequest, type RawResponse } from '../helpers/raw-http.ts';

const MiB = 1024 * 1024;

/** Short timeouts so the slow-client tests finish in about a second each. */
const TIMEOUTS = { headersTimeoutMs: 1000, requestTimeoutMs: 2000, keepAliveTimeoutMs: 1000, shutdownTimeoutMs: 500 } as const;

function makeApp(extra: Parameters<typeof rampart>[0] = {}): App {
  const app = rampart({ env: 'test', envFile: false, logLevel: 'silent', ...TIMEOUTS, ...extra });
  app.get('/ok', () => 'ok');
  app.get('/host', (req) => ({ host: req.host, ip: req.ip }));
  app.post('/json', async (req) => ({ got: await req.json() }));
  return app;
}

interface Live {
  server: RunningServer;
  port: number;
  /** Server-side sockets, in accept order: how much the server really read. */
  sockets: Socket[];
}

async function start(app: App): Promise<Live> {
  const server = await liveServer(app);
  const sockets: Socket[] = [];
  server.server.on('connection', (s: Socket) => sockets.push(s));
  return { server, port: portOf(server.url), sockets };
}

/** The next normal request, on a new connection, is served 200. */
async function assertStillServing(port: number): Promise<void> {
  const res = await rawGet(port, '/ok', { timeoutMs: 3000 });
  assert.equal(res.timedOut, false, 'the follow-up request timed out');
  assert.equal(res.status, 200, `follow-up request: expected 200, got ${res.status} ${res.raw.toString('latin1').slice(0, 200)}`);
  assert.equal(res.text, 'ok');
}

function errorCode(res: RawResponse): unknown {
  return res.json<{ error: { code?: string } }>().error.code;
}

/** Waits (bounded) until a server-side socket is closed, so its byte counters are final. */
function socketClosed(socket: Socket, ms = 3000): Promise<boolean> {
  if (socket.destroyed) return Promise.resolve(true);
  return new Promise((resolve) => {
    const t = setTimeout(() => resolve(false), ms);
    socket.once('close', () => {
      clearTimeout(t);
      resolve(true);
    });
  });
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

describe('request bodies over a real socket', () => {
  let live: Live;
  before(async () => {
    live = await start(makeApp());
  });
  after(async () => {
    await live.server.close();
  });

  /**
   * Streams up to 10 MiB after `head`, respecting backpressure, and stops as soon as the server
   * answers or closes. Returns the response and how much the server actually read.
   */
  async function upload(head: string, frame: (chunk: Buffer) => Buffer): Promise<{ res: RawResponse; serverRead: number }> {
    const index = live.sockets.length;
    const conn = await openRaw(live.port, { timeoutMs: 8000 });
    await conn.write(head);
    const chunk = Buffer.alloc(64 * 1024, 0x20); // 64 KiB of JSON whitespace, reused
    const framed = frame(chunk);
    let sent = 0;
    const deadline = performance.now() + 6000;
    while (sent < 10 * MiB && !conn.isClosed && !conn.hasResponseHead && performance.now() < deadline) {
      if (!(await conn.write(framed))) break;
      sent += chunk.length;
    }
    const res = await conn.response;
    const serverSocket = live.sockets[index];
    assert.ok(serverSocket !== undefined, 'the server saw no connection');
    assert.equal(await socketClosed(serverSocket), true, 'the server did not close the connection after the 413');
    return { res, serverRead: serverSocket.bytesRead };
  }

  test('10 MiB body with an honest Content-Length: 413 E_BODY_TOO_LARGE before the body is read', async () => {
    const index = live.sockets.length;
    const conn = await openRaw(live.port, { timeoutMs: 5000 });
    // The head announces 10 MiB; only the first 64 KiB follow. A server that waited for the body
    // would answer 408 after requestTimeoutMs (2 s), or not at all.
    await conn.write(`POST /json HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: ${10 * MiB}\r\n\r\n`);
    await conn.write(Buffer.alloc(64 * 1024, 0x20));
    const res = await conn.response;
    assert.equal(res.timedOut, false);
    assert.equal(res.status, 413);
    assert.equal(errorCode(res), 'E_BODY_TOO_LARGE');
    assert.equal(res.headers['connection'], 'close');
    assert.ok(res.elapsedMs < 1500, `the 413 took ${res.elapsedMs} ms: the server waited for the body`);
    const serverSocket = live.sockets[index];
    assert.ok(serverSocket !== undefined, 'the server saw no connection');
    assert.equal(await socketClosed(serverSocket), true, 'the server did not close the connection after the 413');
    assert.ok(serverSocket.bytesRead < 1 * MiB, `the server read ${serverSocket.bytesRead} bytes of a body it had refused by Content-Length`);
    await assertStillServing(live.port);
  });

  test('10 MiB body with an honest Content-Length, streamed at full speed: 413, the server reads almost none of it', async () => {
    const head = `POST /json HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: ${10 * MiB}\r\n\r\n`;
    const { res, serverRead } = await upload(head, (c) => c);
    assert.equal(res.timedOut, false);
    assert.equal(res.status, 413);
    assert.equal(errorCode(res), 'E_BODY_TOO_LARGE');
    assert.equal(res.headers['connection'], 'close');
    assert.ok(serverRead < 1 * MiB, `the server read ${serverRead} bytes of a body it had refused by Content-Length`);
    await assertStillServing(live.port);
  });

  test('10 MiB chunked body (no Content-Length): 413 E_BODY_TOO_LARGE, counted while reading', async () => {
    const head = 'POST /json HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n';
    const { res, serverRead } = await upload(head, (c) => Buffer.concat([Buffer.from(`${c.length.toString(16)}\r\n`), c, Buffer.from('\r\n')]));
    assert.equal(res.timedOut, false);
    assert.equal(res.status, 413);
    assert.equal(errorCode(res), 'E_BODY_TOO_LARGE');
    assert.equal(res.headers['connection'], 'close');
    // It reads just past the 1 MiB limit, then stops: 10 MiB never reach the process.
    assert.ok(serverRead > 1 * MiB, `expected the server to read up to the limit, it read ${serverRead}`);
    assert.ok(serverRead < 3 * MiB, `the server read ${serverRead} bytes of a body over the limit`);
    await assertStillServing(live.port);
  });

  test('a body at the limit is still accepted over the socket (the limit is not off by one)', async () => {
    const value = 'x'.repeat(1 * MiB - 2);
    const body = JSON.stringify(value); // exactly 1 MiB
    assert.equal(Buffer.byteLength(body), 1 * MiB);
    const res = await rawRequest(live.port, { method: 'POST', path: '/json', headers: [['Content-Type', 'application/json']], body }, { timeoutMs: 5000 });
    assert.equal(res.status, 200);
    assert.equal(res.json<{ got: string }>().got.length, value.length);
    const over = await rawRequest(live.port, { method: 'POST', path: '/json', headers: [['Content-Type', 'application/json']], body: body + ' ' }, { timeoutMs: 5000 });
    assert.equal(over.status, 413);
    assert.equal(errorCode(over), 'E_BODY_TOO_LARGE');
    await assertStillServing(live.port);
  });

  test('gzip-compressed body: 415 E_BODY_ENCODING_UNSUPPORTED, connection closed', async () => {
    const body = gzipSync(JSON.stringify({ a: 'x'.repeat(10_000) }));
    const res = await rawRequest(live.port, {
      method: 'POST',
      path: '/json',
      headers: [
        ['Content-Type', 'application/json'],
        ['Content-Encoding', 'gzip'],
      ],
      body,
    }, { waitForClose: true });
    assert.equal(res.status, 415);
    assert.equal(errorCode(res), 'E_BODY_ENCODING_UNSUPPORTED');
    assert.equal(res.headers['connection'], 'close');
    assert.equal(res.closed, true);
    await assertStillServing(live.port);
  });
});

describe('header size limit (maxHeaderBytes, 16 KiB by default)', () => {
  let live: Live;
  before(async () => {
    live = await start(makeApp());
  });
  after(async () => {
    await live.server.close();
  });

  test('one 100 KiB header: 431 from the parser, connection closed', async () => {
    const res = await rawRequest(live.port, { path: '/ok', headers: [['X-Big', 'a'.repeat(100 * 1024)]] }, { waitForClose: true });
    assert.equal(res.timedOut, false);
    assert.equal(res.status, 431);
    assert.equal(res.closed, true);
    await assertStillServing(live.port);
  });

  test('many small headers adding up to 100 KiB: 431', async () => {
    const headers: [string, string][] = [];
    for (let i = 0; i < 1024; i++) headers.push([`X-H${i}`, 'b'.repeat(90)]);
    const res = await rawRequest(live.port, { path: '/ok', headers }, { waitForClose: true });
    assert.equal(res.status, 431);
    assert.equal(res.closed, true);
    await assertStillServing(live.port);
  });

  // Over a socket, 50,000 characters anywhere in the head exceed 16 KiB: the parser refuses them
  // before the app runs. (Through the in-process client they reach the app: hostile-input.test.ts.)
  for (const [what, req] of [
    ['path', { path: '/' + 'a'.repeat(50_000) }],
    ['query key', { path: '/ok?' + 'k'.repeat(50_000) + '=1' }],
    ['header value', { path: '/ok', headers: [['X-Long', 'v'.repeat(50_000)]] as [string, string][] }],
  ] as const) {
    test(`a 50,000-character ${what}: 431, connection closed`, async () => {
      const res = await rawRequest(live.port, req, { waitForClose: true });
      assert.equal(res.status, 431);
      assert.equal(res.closed, true);
      await assertStillServing(live.port);
    });
  }

  test('a head just under the limit is served', async () => {
    const res = await rawRequest(live.port, { path: '/ok', headers: [['X-Pad', 'p'.repeat(12 * 1024)]] });
    assert.equal(res.status, 200);
    assert.equal(res.text, 'ok');
  });
});

describe('slow clients (headersTimeoutMs: 1000, requestTimeoutMs: 2000, keepAliveTimeoutMs: 1000)', () => {
  let live: Live;
  before(async () => {
    live = await start(makeApp());
  });
  after(async () => {
    await live.server.close();
  });

  test('slowloris: headers sent one byte a second are cut off by the headers timeout with 408', async () => {
    const request = `GET /ok HTTP/1.1\r\nHost: 127.0.0.1\r\nUser-Agent: slowloris\r\nX-Pad: ${'z'.repeat(64)}\r\n\r\n`;
    const conn = await openRaw(live.port, { timeoutMs: 6000, waitForClose: true });
    let sent = 0;
    for (; sent < request.length && !conn.isClosed; sent++) {
      await conn.write(request[sent]!);
      // One byte a second, but stop waiting the moment the server closes.
      await Promise.race([sleep(1000), conn.response]);
    }
    const res = await conn.response;
    assert.equal(res.timedOut, false, 'the server never closed the slow connection');
    assert.equal(res.closed, true);
    assert.equal(res.status, 408);
    assert.equal(res.headers['connection'], 'close');
    // Closed by the 1 s timeout (checked every 250 ms), well before the full head (~130 s).
    assert.ok(res.elapsedMs >= 900, `closed after ${res.elapsedMs} ms: too early to be the headers timeout`);
    assert.ok(res.elapsedMs < 4000, `closed only after ${res.elapsedMs} ms`);
    assert.ok(res.bytesWritten < request.length / 10, `the server waited for ${res.bytesWritten} of ${request.length} bytes`);
    await assertStillServing(live.port);
  });

  test('a complete head with a body trickled byte by byte is cut off by the request timeout with 408', async () => {
    const conn = await openRaw(live.port, { timeoutMs: 6000, waitForClose: true });
    await conn.write('POST /json HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n[');
    for (let i = 0; i < 99 && !conn.isClosed; i++) {
      await Promise.race([sleep(500), conn.response]);
      if (!conn.isClosed) await conn.write(' ');
    }
    const res = await conn.response;
    assert.equal(res.timedOut, false, 'the server never closed the slow upload');
    assert.equal(res.closed, true);
    assert.equal(res.status, 408);
    assert.ok(res.elapsedMs >= 1900 && res.elapsedMs < 4500, `closed after ${res.elapsedMs} ms`);
    await assertStillServing(live.port);
  });

  test('an idle kept-alive connection is closed by the keep-alive timeout', async () => {
    const conn = await openRaw(live.port, { timeoutMs: 5000, waitForClose: true });
    await conn.write(buildRequest(live.port, { path: '/ok', connection: 'keep-alive' }));
    const res = await conn.response;
    assert.equal(res.status, 200);
    assert.equal(res.text, 'ok');
    assert.equal(res.timedOut, false, 'the idle connection was never closed');
    assert.equal(res.closed, true);
    assert.ok(res.elapsedMs < 3500, `idle connection closed after ${res.elapsedMs} ms`);
    await assertStillServing(live.port);
  });
});

describe('Host validation over a raw socket (fetch cannot forge Host)', () => {
  let live: Live;
  before(async () => {
    live = await start(makeApp());
  });
  after(async () => {
    await live.server.close();
  });

  test('Host: evil.example → 400 E_HOST_INVALID', async () => {
    const res = await rawRequest(live.port, { path: '/ok', host: 'evil.example' });
    assert.equal(res.status, 400);
    assert.equal(errorCode(res), 'E_HOST_INVALID');
    assert.ok(!res.text.includes('evil.example'), 'the forged host is echoed in the response');
    await assertStillServing(live.port);
  });

  for (const host of ['evil.example:80', 'localhost.evil.example', 'localhost@evil.example', 'localhost:80@evil.example', 'evil.example#localhost', 'localhost evil.example', '127.0.0.1.evil.example', '']) {
    test(`Host: ${JSON.stringify(host)} → 400 E_HOST_INVALID`, async () => {
      const res = await rawRequest(live.port, { path: '/ok', host });
      assert.equal(res.status, 400);
      assert.equal(errorCode(res), 'E_HOST_INVALID');
      await assertStillServing(live.port);
    });
  }

  test('no Host header on HTTP/1.1 → 400 (refused by the parser)', async () => {
    const res = await rawRequest(live.port, { path: '/ok', host: null });
    assert.equal(res.status, 400);
    await assertStillServing(live.port);
  });

  test('Host: localhost with a port is accepted in development/test', async () => {
    const res = await rawRequest(live.port, { path: '/host', host: `localhost:${live.port}` });
    assert.equal(res.status, 200);
    assert.deepEqual(res.json(), { host: 'localhost', ip: '127.0.0.1' });
  });

  test('X-Forwarded-Host: evil.example from an untrusted peer is ignored (200, real Host)', async () => {
    const res = await rawRequest(live.port, { path: '/host', headers: [['X-Forwarded-Host', 'evil.example'], ['X-Forwarded-For', '203.0.113.7']] });
    assert.equal(res.status, 200);
    assert.deepEqual(res.json(), { host: '127.0.0.1', ip: '127.0.0.1' });
    await assertStillServing(live.port);
  });

  test('X-Forwarded-Host: localhost from an untrusted peer does not launder a forged Host', async () => {
    const res = await rawRequest(live.port, { path: '/host', host: 'evil.example', headers: [['X-Forwarded-Host', 'localhost']] });
    assert.equal(res.status, 400);
    assert.equal(errorCode(res), 'E_HOST_INVALID');
    await assertStillServing(live.port);
  });
});

describe('X-Forwarded-Host from a trusted proxy (trustedProxies: [127.0.0.1])', () => {
  let live: Live;
  before(async () => {
    live = await start(makeApp({ trustedProxies: ['127.0.0.1'], allowedHosts: ['app.example', '127.0.0.1'] }));
  });
  after(async () => {
    await live.server.close();
  });

  test('a forwarded host not in ALLOWED_HOSTS → 400 E_HOST_INVALID', async () => {
    const res = await rawRequest(live.port, { path: '/host', headers: [['X-Forwarded-Host', 'evil.example']] });
    assert.equal(res.status, 400);
    assert.equal(errorCode(res), 'E_HOST_INVALID');
    await assertStillServing(live.port);
  });

  test('the last X-Forwarded-Host value (the one our proxy appended) is the one checked', async () => {
    const forged = await rawRequest(live.port, { path: '/host', headers: [['X-Forwarded-Host', 'app.example, evil.example']] });
    assert.equal(forged.status, 400);
    assert.equal(errorCode(forged), 'E_HOST_INVALID');
    await assertStillServing(live.port);
    const good = await rawRequest(live.port, { path: '/host', headers: [['X-Forwarded-Host', 'evil.example, app.example']] });
    assert.equal(good.status, 200);
    assert.deepEqual(good.json(), { host: 'app.example', ip: '127.0.0.1' });
  });

  test('an allowed forwarded host is used, and X-Forwarded-For gives the client address', async () => {
    const res = await rawRequest(live.port, { path: '/host', headers: [['X-Forwarded-Host', 'app.example'], ['X-Forwarded-For', '203.0.113.7']] });
    assert.equal(res.status, 200);
    assert.deepEqual(res.json(), { host: 'app.example', ip: '203.0.113.7' });
  });
});
