// Uploads over a real socket on 127.0.0.1: bodies arrive in many chunks, chunked bodies have no
// Content-Length, clients go away mid-file. Every refusal and every abort must leave the upload
// folder empty, and the server must keep serving.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import type { RunningServer } from 'rampart';
import { liveServer } from 'rampart/testing';
import { buildRequest, openRaw, portOf, rawGet, rawRequest } from '../helpers/raw-http.ts';
import { assertEmpty, BOUNDARY, entries, multipart, PNG, pngOfSize, tempUploads, uploadApp, type UploadResult } from './fixtures-uploads/multipart.ts';

const t = tempUploads();
let server: RunningServer;
let port: number;
const TYPE: [string, string] = ['Content-Type', `multipart/form-data; boundary=${BOUNDARY}`];

before(async () => {
  const app = uploadApp(
    t.storage,
    { maxBodyBytes: 4 * 1024 * 1024, maxFileBytes: 3 * 1024 * 1024, files: { doc: { accept: ['image/png', 'text/plain'], maxFiles: 2 } } },
    { headersTimeoutMs: 2000, requestTimeoutMs: 5000 },
  );
  app.get('/ok', () => 'ok');
  server = await liveServer(app);
  port = portOf(server.url);
});
after(async () => {
  await server.close();
  t.cleanup();
});

/** Polls, boundedly, until the folder matches; returns what it last saw. */
async function waitFor(predicate: (names: string[]) => boolean): Promise<string[]> {
  let names = entries(t.dir);
  for (let i = 0; i < 200 && !predicate(names); i++) {
    await sleep(10);
    names = entries(t.dir);
  }
  return names;
}

async function stillServes(): Promise<void> {
  const res = await rawGet(port, '/ok');
  assert.equal(res.status, 200);
  assert.equal(res.text, 'ok');
}

function chunked(body: Buffer, size: number): Buffer {
  const out: Buffer[] = [];
  for (let i = 0; i < body.length; i += size) {
    const piece = body.subarray(i, i + size);
    out.push(Buffer.from(`${piece.length.toString(16)}\r\n`), piece, Buffer.from('\r\n'));
  }
  out.push(Buffer.from('0\r\n\r\n'));
  return Buffer.concat(out);
}

describe('over a socket', () => {
  test('a 3 MiB file sent in 64 KiB writes is stored whole', async () => {
    const data = pngOfSize(3 * 1024 * 1024);
    const { body } = multipart([{ name: 'title', value: 'big' }, { name: 'doc', filename: 'big.png', data }]);
    const conn = await openRaw(port, { timeoutMs: 10_000 });
    await conn.write(buildRequest(port, { method: 'POST', path: '/upload', headers: [TYPE, ['Content-Length', String(body.length)]] }));
    for (let i = 0; i < body.length; i += 64 * 1024) await conn.write(body.subarray(i, i + 64 * 1024));
    const res = await conn.response;
    assert.equal(res.status, 200, res.text);
    const file = res.json<UploadResult>().files[0]!;
    assert.equal(file.size, data.length);
    const stored = await t.storage.open(file.key);
    const chunks: Buffer[] = [];
    for await (const c of stored!) chunks.push(c as Buffer);
    assert.ok(Buffer.concat(chunks).equals(data));
    await t.storage.delete(file.key);
    assertEmpty(t.dir);
  });

  test('a chunked body (no Content-Length) over maxBodyBytes is 413 by counting, and the connection is closed', async () => {
    const { body } = multipart([{ name: 'doc', filename: 'a.png', data: pngOfSize(2 * 1024 * 1024) }, { name: 'doc', filename: 'b.png', data: pngOfSize(2.5 * 1024 * 1024) }]);
    const conn = await openRaw(port, { timeoutMs: 10_000, waitForClose: true });
    await conn.write(buildRequest(port, { method: 'POST', path: '/upload', headers: [TYPE, ['Transfer-Encoding', 'chunked']] }));
    const wire = chunked(body, 32 * 1024);
    for (let i = 0; i < wire.length && !conn.isClosed && !conn.hasResponseHead; i += 32 * 1024) await conn.write(wire.subarray(i, i + 32 * 1024));
    const res = await conn.response;
    assert.equal(res.status, 413);
    assert.deepEqual(res.json(), {
      error: { status: 413, message: `The upload is larger than ${4 * 1024 * 1024} bytes (maxBodyBytes).`, code: 'E_UPLOAD_BODY_TOO_LARGE', details: { limit: 4 * 1024 * 1024 } },
    });
    assert.equal(res.headers['connection'], 'close');
    assert.equal(res.closed, true);
    assert.equal(res.timedOut, false);
    assertEmpty(t.dir);
    await stillServes();
  });

  test('a file over maxFileBytes arriving in pieces is 413, and the part already written is removed', async () => {
    const { body } = multipart([{ name: 'doc', filename: 'a.png', data: pngOfSize(3.5 * 1024 * 1024) }]);
    const conn = await openRaw(port, { timeoutMs: 10_000, waitForClose: true });
    await conn.write(buildRequest(port, { method: 'POST', path: '/upload', headers: [TYPE, ['Content-Length', String(body.length)]] }));
    for (let i = 0; i < body.length && !conn.isClosed && !conn.hasResponseHead; i += 64 * 1024) await conn.write(body.subarray(i, i + 64 * 1024));
    const res = await conn.response;
    assert.equal(res.status, 413);
    assert.equal(res.json<{ error: { code: string } }>().error.code, 'E_UPLOAD_FILE_TOO_LARGE');
    assertEmpty(t.dir);
    await stillServes();
  });

  test('markup deep inside a text file arriving in small pieces is refused, and the partial file removed', async () => {
    const { body } = multipart([{ name: 'doc', filename: 'a.txt', data: 'plain '.repeat(50_000) + '<iframe src=x>' + 'tail '.repeat(1000) }]);
    const conn = await openRaw(port, { timeoutMs: 10_000 });
    await conn.write(buildRequest(port, { method: 'POST', path: '/upload', headers: [TYPE, ['Content-Length', String(body.length)]] }));
    for (let i = 0; i < body.length && !conn.isClosed && !conn.hasResponseHead; i += 1000) await conn.write(body.subarray(i, i + 1000));
    const res = await conn.response;
    assert.equal(res.status, 415);
    assert.equal(res.json<{ error: { message: string } }>().error.message, "The file in field 'doc' is not plain text: it has invalid UTF-8, a control character or HTML markup.");
    assertEmpty(t.dir);
  });

  test('a client that goes away mid-file leaves nothing behind', async () => {
    const { body } = multipart([{ name: 'doc', filename: 'a.png', data: pngOfSize(2 * 1024 * 1024) }]);
    const conn = await openRaw(port, { timeoutMs: 10_000 });
    await conn.write(buildRequest(port, { method: 'POST', path: '/upload', headers: [TYPE, ['Content-Length', String(body.length)]] }));
    await conn.write(body.subarray(0, 512 * 1024));
    // The file is being written: a .part file exists.
    const during = await waitFor((names) => names.some((n) => n.endsWith('.part')));
    assert.equal(during.filter((n) => n.endsWith('.part')).length, 1, `saw ${during.join(', ')}`);
    conn.destroy();
    const afterAbort = await waitFor((names) => names.length === 0);
    assert.deepEqual(afterAbort, []);
    await stillServes();
  });

  test('a client that stops halfway through the headers of a part leaves nothing behind', async () => {
    const head = Buffer.concat([Buffer.from(`--${BOUNDARY}\r\nContent-Disposition: form-data; name="doc"; filename="a.png"\r\nContent-Ty`)]);
    const conn = await openRaw(port, { timeoutMs: 10_000 });
    await conn.write(buildRequest(port, { method: 'POST', path: '/upload', headers: [TYPE, ['Content-Length', '100000']] }));
    await conn.write(head);
    await sleep(50);
    conn.destroy();
    assert.deepEqual(await waitFor((names) => names.length === 0), []);
    await stillServes();
  });

  test('a small upload through a normal request still works after all of the above', async () => {
    const { body } = multipart([{ name: 'doc', filename: 'a.png', data: PNG }]);
    const res = await rawRequest(port, { method: 'POST', path: '/upload', headers: [TYPE], body });
    assert.equal(res.status, 200);
    const file = res.json<UploadResult>().files[0]!;
    assert.equal(file.contentType, 'image/png');
    await t.storage.delete(file.key);
  });
});
