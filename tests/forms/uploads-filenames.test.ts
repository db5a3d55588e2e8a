// Hostile file names: stored under a random key inside the upload folder whatever the name says,
// with the name kept only as sanitized metadata, and nothing written anywhere else.
import { test, describe, after } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { testClient } from 'rampart/testing';
import { assertEmpty, assertStored, BOUNDARY, multipart, PNG, tempUploads, uploadApp, type UploadResult } from './fixtures-uploads/multipart.ts';

const t = tempUploads();
after(t.cleanup);
const client = testClient(uploadApp(t.storage, { files: { doc: { accept: ['image/png'] } } }));

/** Every path under `dir`, relative, sorted. */
function tree(dir: string, prefix = ''): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? [`${prefix}${e.name}/`, ...tree(join(dir, e.name), `${prefix}${e.name}/`)] : [`${prefix}${e.name}`],
  ).sort();
}

/** Uploads a PNG under a raw (already encoded) Content-Disposition and returns the stored file. */
async function uploadNamed(disposition: string, type = 'image/png'): Promise<UploadResult['files'][number]> {
  const body = Buffer.concat([
    Buffer.from(`--${BOUNDARY}\r\nContent-Disposition: form-data; name="doc"; ${disposition}\r\nContent-Type: ${type}\r\n\r\n`),
    PNG,
    Buffer.from(`\r\n--${BOUNDARY}--\r\n`),
  ]);
  const res = await client.post('/upload', { body, headers: { 'content-type': `multipart/form-data; boundary=${BOUNDARY}` } });
  assert.equal(res.status, 200, res.text);
  const file = res.json<UploadResult>().files[0]!;
  assert.match(file.key, /^[0-9a-f]{32}$/);
  // Only the key and its metadata exist, in the upload folder and nowhere else under the root.
  assertStored(t.dir, [file.key]);
  assert.deepEqual(tree(t.root), ['uploads/', `uploads/${file.key}`, `uploads/${file.key}.json`]);
  assert.deepEqual(readFileSync(join(t.dir, file.key)), PNG);
  assert.deepEqual(JSON.parse(readFileSync(join(t.dir, `${file.key}.json`), 'utf8')), { filename: file.filename, contentType: 'image/png' });
  await t.storage.delete(file.key);
  assertEmpty(t.dir);
  return file;
}

async function storedName(filename: string): Promise<string> {
  return (await uploadNamed(`filename="${filename}"`)).filename;
}

describe('hostile file names', () => {
  test('../../etc/passwd is stored as passwd', async () => {
    assert.equal(await storedName('../../etc/passwd'), 'passwd');
  });

  test('..\\..\\x is stored as x', async () => {
    assert.equal(await storedName('..\\..\\x'), 'x');
  });

  test('an absolute Windows path keeps only its last segment', async () => {
    assert.equal(await storedName('C:\\Windows\\System32\\evil.png'), 'evil.png');
  });

  test('<script>.html keeps its shape without its brackets', async () => {
    assert.equal(await storedName('<script>.html'), '_script_.html');
  });

  test('a 300-character name is cut to 200 characters, extension kept', async () => {
    const name = 'a'.repeat(296) + '.png';
    assert.equal(name.length, 300);
    assert.equal(await storedName(name), 'a'.repeat(196) + '.png');
  });

  test('a name containing an encoded NUL loses the NUL', async () => {
    assert.equal((await uploadNamed("filename*=UTF-8''evil.php%00.png")).filename, 'evil.php.png');
  });

  test('a raw NUL in the part header is a malformed body: 400, nothing stored', async () => {
    const { body, headers } = multipart([{ name: 'doc', filename: 'evil.php\u0000.png', data: PNG }]);
    const res = await client.post('/upload', { body, headers });
    assert.equal(res.status, 400);
    assert.deepEqual(res.json(), { error: { status: 400, message: 'The multipart body is malformed: a part header is malformed.', code: 'E_UPLOAD_MALFORMED' } });
    assert.deepEqual(tree(t.root), ['uploads/']);
  });

  test('a name that is only dots or slashes becomes "file"', async () => {
    for (const name of ['..', '.', '../..', '/', '\\\\']) assert.equal(await storedName(name), 'file', name);
  });

  test('unicode letters are kept; bidi overrides that disguise the extension are removed', async () => {
    assert.equal(await storedName('履歴書 Résumé.png'), '履歴書 Résumé.png');
    assert.equal(await storedName('invoice\u202Egnp.exe'), 'invoicegnp.exe');
  });

  test('an RFC 8187 filename* is decoded, then sanitized', async () => {
    const file = await uploadNamed("filename*=UTF-8''..%2F..%2F%E6%9D%B1%E4%BA%AC%00.png");
    assert.equal(file.filename, '東京.png');
  });

  test('a file part with no filename gets the name "file"', async () => {
    const file = await uploadNamed('x="y"', 'application/octet-stream');
    assert.equal(file.filename, 'file');
  });

  test('stored files are readable by the owner only', async () => {
    const { body, headers } = multipart([{ name: 'doc', filename: '../../x.png', data: PNG }]);
    const res = await client.post('/upload', { body, headers });
    const key = res.json<UploadResult>().files[0]!.key;
    assert.equal(statSync(join(t.dir, key)).mode & 0o777, 0o600);
    assert.equal(statSync(join(t.dir, `${key}.json`)).mode & 0o777, 0o600);
    assert.equal(statSync(t.dir).mode & 0o777, 0o700);
    await t.storage.delete(key);
  });
});
