// Serving uploads: attachment by default, inline only for raster images that asked for it, the
// protective headers on every response, exact RFC 6266 names, and 404 for unknown keys and for
// keys with path characters, without the storage being asked.
import { test, describe, after } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { LocalStorage, serveUpload, UploadError, type Storage, type StoredFileMeta } from 'rampart/forms';
import { testClient } from 'rampart/testing';
import { GIF, HTML_PAGE, JPEG, PNG, SVG_WITH_SCRIPT, tempUploads, uploadApp, WEBP } from './fixtures-uploads/multipart.ts';

const t = tempUploads();
after(t.cleanup);
const client = testClient(uploadApp(t.storage));

async function store(data: string | Buffer, contentType: string, filename = 'file.bin'): Promise<string> {
  return (await t.storage.save(Readable.from([Buffer.from(data)]), { filename, contentType })).key;
}

const PROTECTIVE = {
  'x-content-type-options': 'nosniff',
  'content-security-policy': 'sandbox',
  'cache-control': 'private, no-cache',
  'x-frame-options': 'DENY',
};

function headersOf(res: { header(name: string): string | undefined }, names: readonly string[]): Record<string, string | undefined> {
  return Object.fromEntries(names.map((n) => [n, res.header(n)]));
}
const NAMES = ['content-type', 'content-length', 'content-disposition', ...Object.keys(PROTECTIVE)];

describe('headers', () => {
  test('a PNG is an attachment by default, with every protective header and the exact bytes', async () => {
    const key = await store(PNG, 'image/png', 'holiday.png');
    const res = await client.get(`/files/${key}`);
    assert.equal(res.status, 200);
    assert.deepEqual(headersOf(res, NAMES), {
      'content-type': 'image/png',
      'content-length': String(PNG.length),
      'content-disposition': `attachment; filename="holiday.png"; filename*=UTF-8''holiday.png`,
      ...PROTECTIVE,
    });
    assert.deepEqual(res.body, PNG);
  });

  test('raster images that ask for it are inline', async () => {
    for (const [data, type] of [[PNG, 'image/png'], [JPEG, 'image/jpeg'], [GIF, 'image/gif'], [WEBP, 'image/webp']] as const) {
      const key = await store(data, type, 'pic');
      const res = await client.get(`/inline/${key}`);
      assert.equal(res.header('content-disposition'), `inline; filename="pic"; filename*=UTF-8''pic`, type);
      assert.equal(res.header('content-type'), type);
      assert.equal(res.header('content-security-policy'), 'sandbox');
    }
  });

  test('an SVG is never inline, even when inline is asked for', async () => {
    const key = await store(SVG_WITH_SCRIPT, 'image/svg+xml', 'logo.svg');
    for (const path of [`/files/${key}`, `/inline/${key}`]) {
      const res = await client.get(path);
      assert.deepEqual(headersOf(res, NAMES), {
        'content-type': 'image/svg+xml',
        'content-length': String(Buffer.byteLength(SVG_WITH_SCRIPT)),
        'content-disposition': `attachment; filename="logo.svg"; filename*=UTF-8''logo.svg`,
        ...PROTECTIVE,
      });
    }
  });

  test('text is an attachment with charset=utf-8; HTML stored as octet-stream stays octet-stream', async () => {
    const text = await store('hello', 'text/plain', 'notes.txt');
    const res = await client.get(`/inline/${text}`);
    assert.equal(res.header('content-type'), 'text/plain; charset=utf-8');
    assert.equal(res.header('content-disposition'), `attachment; filename="notes.txt"; filename*=UTF-8''notes.txt`);
    const html = await store(HTML_PAGE, 'application/octet-stream', 'page.html');
    const res2 = await client.get(`/inline/${html}`);
    assert.equal(res2.header('content-type'), 'application/octet-stream');
    assert.equal(res2.header('content-disposition'), `attachment; filename="page.html"; filename*=UTF-8''page.html`);
  });

  test('a unicode name gets an ASCII fallback and an exact filename*', async () => {
    const key = await store(PNG, 'image/png', "résumé 東京 (v2)'s.png");
    const res = await client.get(`/files/${key}`);
    assert.equal(res.header('content-disposition'), `attachment; filename="r_sum_ __ (v2)'s.png"; filename*=UTF-8''r%C3%A9sum%C3%A9%20%E6%9D%B1%E4%BA%AC%20%28v2%29%27s.png`);
  });

  test('the filename option replaces the stored name, sanitized', async () => {
    const key = await store(PNG, 'image/png', 'a.png');
    const res = await serveUpload(t.storage, key, { filename: '../../x<y>".png', cacheControl: 'no-store' });
    assert.equal(res.headers['content-disposition'], `attachment; filename="x_y__.png"; filename*=UTF-8''x_y__.png`);
    assert.equal(res.headers['cache-control'], 'no-store');
    (res.body as Readable).destroy();
  });

  test('HEAD gets the headers and no body', async () => {
    const key = await store(PNG, 'image/png', 'a.png');
    const res = await client.head(`/files/${key}`);
    assert.equal(res.status, 200);
    assert.equal(res.header('content-length'), String(PNG.length));
    assert.equal(res.body.length, 0);
  });

  test('a 5 MiB file is streamed whole', async () => {
    const big = Buffer.alloc(5 * 1024 * 1024);
    for (let i = 0; i < big.length; i += 4096) big[i] = i & 0xff;
    const key = await store(big, 'application/octet-stream', 'big.bin');
    const res = await client.get(`/files/${key}`);
    assert.equal(res.header('content-length'), String(big.length));
    assert.ok(res.body.equals(big));
  });
});

describe('keys', () => {
  const NOT_FOUND = { error: { status: 404, message: 'No such upload.', code: 'E_UPLOAD_NOT_FOUND' } };

  test('an unknown key is 404', async () => {
    const res = await client.get(`/files/${'0'.repeat(32)}`);
    assert.equal(res.status, 404);
    assert.deepEqual(res.json(), NOT_FOUND);
  });

  test('a key-shaped string that is not one of LocalStorage\'s keys is 404', async () => {
    for (const key of ['abc', 'A'.repeat(32), 'z'.repeat(32)]) assert.deepEqual((await client.get(`/files/${key}`)).json(), NOT_FOUND, key);
  });

  test('keys with path characters are 404 without the storage being asked', async () => {
    const calls: string[] = [];
    const real = new LocalStorage(t.dir);
    const watched: Storage = {
      save: (stream: Readable, meta: StoredFileMeta) => real.save(stream, meta),
      open: (key: string) => (calls.push(`open ${key}`), real.open(key)),
      stat: (key: string) => (calls.push(`stat ${key}`), real.stat(key)),
      delete: (key: string) => (calls.push(`delete ${key}`), real.delete(key)),
    };
    const key = await store(PNG, 'image/png');
    const hostile = ['../secret', '..\\secret', '..%2Fsecret', 'a/b', '/etc/passwd', `${key}.json`, `${key}/`, '.', '..', '', `${key}\u0000`, 'C:\\x'];
    for (const k of hostile) {
      await assert.rejects(serveUpload(watched, k), (err: unknown) => err instanceof UploadError && err.status === 404 && err.code === 'E_UPLOAD_NOT_FOUND', k);
    }
    assert.deepEqual(calls, []);
    await serveUpload(watched, key).then((r) => (r.body as Readable).destroy());
    assert.deepEqual(calls, [`stat ${key}`, `open ${key}`]);
  });

  test('traversal through the route never returns a file outside the key space', async () => {
    writeFileSync(join(t.root, 'secret'), 'TOP-SECRET');
    const key = await store('x', 'text/plain');
    for (const path of ['/files/..%2Fsecret', '/files/..%2F..%2Fsecret', '/files/%2e%2e%2fsecret', `/files/${key}.json`, '/files/..%5Csecret', '/files/%2e%2e']) {
      const res = await client.get(path);
      assert.equal(res.status, 404, path);
      assert.equal(res.text.includes('TOP-SECRET'), false, path);
      assert.equal(res.text.includes('contentType'), false, path);
    }
  });
});
