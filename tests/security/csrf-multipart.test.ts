/**
 * The CSRF token in multipart/form-data bodies: the check reads only the start of the body, finds
 * the field the template engine puts first, and leaves the whole body for the handler.
 */
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { setTimeout as delay } from 'node:timers/promises';
import { rampart, type App } from 'rampart';
import { sessions, MemoryStore } from 'rampart/sessions';
import { liveServer, testClient, type TestClient } from 'rampart/testing';
import { openRaw } from '../helpers/raw-http.ts';
import { apiToken, errorOf, SAME_ORIGIN } from '../sessions/helpers.ts';

interface Part {
  name: string;
  value: string | Buffer;
  filename?: string;
  type?: string;
}

const BOUNDARY = '----RampartFormBoundaryX3b9Qz';

function multipart(parts: readonly Part[], boundary = BOUNDARY): { body: Buffer; type: string } {
  const chunks: Buffer[] = [];
  for (const p of parts) {
    const disposition = `form-data; name="${p.name}"${p.filename === undefined ? '' : `; filename="${p.filename}"`}`;
    chunks.push(Buffer.from(`--${boundary}\r\nContent-Disposition: ${disposition}\r\n${p.type === undefined ? '' : `Content-Type: ${p.type}\r\n`}\r\n`));
    chunks.push(typeof p.value === 'string' ? Buffer.from(p.value) : p.value);
    chunks.push(Buffer.from('\r\n'));
  }
  chunks.push(Buffer.from(`--${boundary}--\r\n`));
  return { body: Buffer.concat(chunks), type: `multipart/form-data; boundary=${boundary}` };
}

const sha = (b: Uint8Array): string => createHash('sha256').update(b).digest('hex');

function makeApp(): { app: App; uploads: { bytes: number; sha: string }[] } {
  const uploads: { bytes: number; sha: string }[] = [];
  const app = rampart({ env: 'test' });
  app.use(sessions({ store: new MemoryStore() }));
  app.get('/token', (req) => ({ token: req.csrfToken() }));
  app.post('/upload', async (req) => {
    const body = await req.bytes();
    uploads.push({ bytes: body.length, sha: sha(body) });
    return { bytes: body.length, sha: sha(body) };
  });
  return { app, uploads };
}

async function post(client: TestClient, form: { body: Buffer; type: string }, headers: Record<string, string> = {}) {
  return client.post('/upload', { body: form.body, headers: { ...SAME_ORIGIN, 'content-type': form.type, ...headers } });
}

const FILE = Buffer.alloc(200 * 1024, 7); // larger than the 64 KiB the check may read

describe('multipart bodies, in process', () => {
  test('accepts the token as the first part and the handler still reads the whole body', async () => {
    const { app, uploads } = makeApp();
    const client = testClient(app);
    const form = multipart([
      { name: 'csrf_token', value: await apiToken(client) },
      { name: 'title', value: 'holiday' },
      { name: 'photo', value: FILE, filename: 'a.jpg', type: 'image/jpeg' },
    ]);
    const res = await post(client, form);
    assert.equal(res.status, 200, res.text);
    assert.deepEqual(res.json(), { bytes: form.body.length, sha: sha(form.body) });
    assert.equal(uploads.length, 1);
  });

  test('finds the token after other text fields, and with a preamble before the first part', async () => {
    const { app } = makeApp();
    const client = testClient(app);
    const token = await apiToken(client);
    const form = multipart([
      { name: 'title', value: 'a' },
      { name: 'notes', value: 'line 1\r\nline 2' },
      { name: 'csrf_token', value: token },
    ]);
    const withPreamble = { body: Buffer.concat([Buffer.from('ignored preamble\r\n'), form.body]), type: form.type };
    for (const f of [form, withPreamble]) {
      const res = await post(client, f);
      assert.equal(res.status, 200, res.text);
      assert.equal(res.json<{ sha: string }>().sha, sha(f.body));
    }
  });

  test('accepts the token in the X-CSRF-Token header instead of the body', async () => {
    const { app } = makeApp();
    const client = testClient(app);
    const form = multipart([{ name: 'photo', value: FILE, filename: 'a.jpg' }]);
    const res = await post(client, form, { 'x-csrf-token': await apiToken(client) });
    assert.equal(res.status, 200);
    assert.equal(res.json<{ bytes: number }>().bytes, form.body.length);
  });

  const refused: [string, (token: string) => { body: Buffer; type: string }, string][] = [
    ['a body with no token field', () => multipart([{ name: 'title', value: 'x' }]), 'token-missing'],
    [
      'a file part before the token (the token must come before any file)',
      (t) => multipart([{ name: 'photo', value: 'GIF89a', filename: 'x.gif' }, { name: 'csrf_token', value: t }]),
      'token-missing',
    ],
    [
      'a token beyond the first 64 KiB',
      (t) => multipart([{ name: 'filler', value: 'x'.repeat(70 * 1024) }, { name: 'csrf_token', value: t }]),
      'token-missing',
    ],
    [
      'a truncated body that ends inside the token',
      (t) => {
        const f = multipart([{ name: 'csrf_token', value: t }]);
        return { body: f.body.subarray(0, f.body.indexOf(t) + 20), type: f.type };
      },
      'token-missing',
    ],
    ['a wrong token', () => multipart([{ name: 'csrf_token', value: 'B'.repeat(86) }]), 'token-incorrect'],
    [
      'a token under another boundary than the header names',
      (t) => ({ body: multipart([{ name: 'csrf_token', value: t }], 'other').body, type: `multipart/form-data; boundary=${BOUNDARY}` }),
      'token-missing',
    ],
    ['a multipart type without a boundary', (t) => ({ body: multipart([{ name: 'csrf_token', value: t }]).body, type: 'multipart/form-data' }), 'token-missing'],
  ];
  for (const [name, build, reason] of refused) {
    test(`refuses ${name}`, async () => {
      const { app, uploads } = makeApp();
      const client = testClient(app);
      const res = await post(client, build(await apiToken(client)));
      assert.equal(res.status, 403);
      assert.equal(errorOf(res).details?.reason, reason);
      assert.deepEqual(uploads, []);
    });
  }
});

describe('multipart bodies over a real socket', () => {
  const { app } = makeApp();
  const serverPromise = liveServer(app);
  after(async () => (await serverPromise).close());

  async function session(): Promise<{ cookie: string; token: string }> {
    const server = await serverPromise;
    const res = await fetch(`${server.url}/token`);
    const cookie = res.headers.getSetCookie()[0]!.split(';')[0]!;
    return { cookie, token: ((await res.json()) as { token: string }).token };
  }

  test('fetch() with FormData: the token is read, the upload arrives whole', async () => {
    const server = await serverPromise;
    const { cookie, token } = await session();
    const data = new FormData();
    data.append('csrf_token', token);
    data.append('photo', new Blob([FILE]), 'a.bin');
    const res = await fetch(`${server.url}/upload`, { method: 'POST', body: data, headers: { cookie, origin: server.url } });
    assert.equal(res.status, 200);
    const out = (await res.json()) as { bytes: number };
    assert.ok(out.bytes > FILE.length, `got ${out.bytes} bytes`);
  });

  test('a body trickled in 5-byte writes is scanned across chunk boundaries and kept whole', async () => {
    const server = await serverPromise;
    const { cookie, token } = await session();
    const form = multipart([
      { name: 'csrf_token', value: token },
      { name: 'photo', value: Buffer.alloc(4096, 1), filename: 'a.bin' },
    ]);
    const conn = await openRaw(server.port, { timeoutMs: 10_000 });
    await conn.write(
      `POST /upload HTTP/1.1\r\nHost: localhost\r\nOrigin: http://localhost\r\nCookie: ${cookie}\r\n` +
        `Content-Type: ${form.type}\r\nContent-Length: ${form.body.length}\r\nConnection: close\r\n\r\n`,
    );
    const head = 400; // the delimiter, headers and token, a few bytes at a time
    for (let i = 0; i < head; i += 5) {
      await conn.write(form.body.subarray(i, Math.min(i + 5, head)));
      await delay(1);
    }
    await conn.write(form.body.subarray(head));
    const res = await conn.response;
    assert.equal(res.status, 200, res.text);
    assert.deepEqual(res.json(), { bytes: form.body.length, sha: sha(form.body) });
  });
});
