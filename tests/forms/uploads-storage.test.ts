// LocalStorage: random keys, the save/stat/open/delete cycle, keys that are not keys, cleanup of
// failed saves, the refusal of an upload folder inside a static root; UploadedFile read-back.
import { test, describe, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { ConfigError, rampart } from 'rampart';
import { LocalStorage, isStorageKey, LOCAL_STORAGE_DEFAULTS, parseMultipart } from 'rampart/forms';
import { testClient } from 'rampart/testing';
import { assertEmpty, assertStored, multipart, PNG, tempUploads } from './fixtures-uploads/multipart.ts';

const t = tempUploads();
after(t.cleanup);
const META = { filename: 'photo.png', contentType: 'image/png' } as const;

async function read(stream: Readable | null): Promise<Buffer> {
  assert.ok(stream !== null);
  const chunks: Buffer[] = [];
  for await (const c of stream) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

describe('save, stat, open, delete', () => {
  test('the folder is created on the first save, not when the storage is created', async () => {
    const fresh = tempUploads();
    assert.equal(existsSync(fresh.dir), false);
    const info = await fresh.storage.save(Readable.from([PNG]), META);
    assert.equal(existsSync(fresh.dir), true);
    assertStored(fresh.dir, [info.key]);
    fresh.cleanup();
  });

  test('a saved file comes back with its size and metadata, then is gone after delete', async () => {
    const info = await t.storage.save(Readable.from([PNG.subarray(0, 10), PNG.subarray(10)]), META);
    assert.match(info.key, /^[0-9a-f]{32}$/);
    assert.deepEqual(info, { key: info.key, size: PNG.length, filename: 'photo.png', contentType: 'image/png' });
    assert.deepEqual(await t.storage.stat(info.key), info);
    assert.deepEqual(await read(await t.storage.open(info.key)), PNG);
    assert.equal(await t.storage.delete(info.key), true);
    assert.equal(await t.storage.delete(info.key), false);
    assert.equal(await t.storage.stat(info.key), null);
    assert.equal(await t.storage.open(info.key), null);
    assertEmpty(t.dir);
  });

  test('every save gets a new 128-bit random key', async () => {
    const keys = new Set<string>();
    for (let i = 0; i < 20; i++) keys.add((await t.storage.save(Readable.from([PNG]), META)).key);
    assert.equal(keys.size, 20);
    assert.equal(LOCAL_STORAGE_DEFAULTS.keyBytes * 8, 128);
    for (const key of keys) await t.storage.delete(key);
    assertEmpty(t.dir);
  });

  test('a stream that fails halfway rejects with its error and leaves nothing', async () => {
    async function* failing(): AsyncGenerator<Buffer> {
      yield Buffer.alloc(64 * 1024, 1);
      yield Buffer.alloc(64 * 1024, 2);
      throw new Error('client went away');
    }
    await assert.rejects(t.storage.save(Readable.from(failing()), META), { message: 'client went away' });
    assertEmpty(t.dir);
  });

  test('strings that are not keys are refused without touching the disk', async () => {
    const info = await t.storage.save(Readable.from([PNG]), META);
    const notKeys = ['', '../etc/passwd', `${info.key}.json`, `${info.key}.part`, `../uploads/${info.key}`, info.key.toUpperCase(), 'g'.repeat(32), `${info.key}\u0000`, info.key.slice(1)];
    for (const key of notKeys) {
      assert.equal(await t.storage.open(key), null, key);
      assert.equal(await t.storage.stat(key), null, key);
      assert.equal(await t.storage.delete(key), false, key);
    }
    assertStored(t.dir, [info.key]);
    await t.storage.delete(info.key);
  });

  test('isStorageKey accepts letters, digits, - and _ only', () => {
    assert.equal(isStorageKey('a1_B-2'), true);
    for (const key of ['', 'a.b', 'a/b', 'a\\b', 'a%2fb', 'a\u0000', 'x'.repeat(129), 'é']) assert.equal(isStorageKey(key), false, key);
  });
});

describe('the folder may not be inside a static root', () => {
  const root = mkdtempSync(join(tmpdir(), 'rampart-static-'));
  const staticDir = join(root, 'static');
  mkdirSync(staticDir);
  after(() => rmSync(root, { recursive: true, force: true }));

  function refusal(dir: string, rootShown: string): { name: string; code: string; message: string } {
    return {
      name: 'ConfigError',
      code: 'E_UPLOAD_DIR_IN_STATIC',
      message: `The upload folder ${dir} is inside the static folder ${rootShown}: uploaded files would be served as the site's own files.`,
    };
  }

  test('the static root itself is refused', () => {
    assert.throws(() => new LocalStorage(staticDir, { staticRoots: [staticDir] }), refusal(staticDir, staticDir));
  });

  test('a folder inside it, existing or not, is refused', () => {
    const inside = join(staticDir, 'media', 'uploads');
    assert.throws(() => new LocalStorage(inside, { staticRoots: [staticDir] }), refusal(inside, staticDir));
    assert.throws(() => new LocalStorage(join(staticDir, 'x', '..', 'y'), { staticRoots: [staticDir] }), ConfigError);
  });

  test('a symlink that leads into it is refused', () => {
    const link = join(root, 'innocent');
    symlinkSync(staticDir, link);
    assert.throws(() => new LocalStorage(join(link, 'uploads'), { staticRoots: [staticDir] }), refusal(join(link, 'uploads'), staticDir));
  });

  test('by default, static/ and public/ in the working directory are static roots', () => {
    const inCwd = join(process.cwd(), 'static', 'uploads');
    assert.throws(() => new LocalStorage(inCwd), refusal(inCwd, join(process.cwd(), 'static')));
    assert.throws(() => new LocalStorage('public/uploads'), refusal(join(process.cwd(), 'public', 'uploads'), join(process.cwd(), 'public')));
    assert.equal(existsSync(inCwd), false);
  });

  test('a sibling with the same prefix, and the parent, are fine', () => {
    assert.equal(new LocalStorage(join(root, 'static-uploads'), { staticRoots: [staticDir] }).dir, join(root, 'static-uploads'));
    assert.equal(new LocalStorage(join(root, 'var', 'uploads'), { staticRoots: [staticDir] }).dir, join(root, 'var', 'uploads'));
  });

  test('an empty folder name is an options error', () => {
    assert.throws(() => new LocalStorage(''), { name: 'ConfigError', code: 'E_UPLOAD_OPTIONS_INVALID' });
  });
});

describe('UploadedFile', () => {
  test('reads back its bytes, and after delete() says it is gone', async () => {
    const app = rampart({ env: 'test', envFile: false, logLevel: 'silent' });
    app.post('/x', async (req) => {
      const form = await parseMultipart(req, { storage: t.storage, files: { doc: { accept: ['image/png'] } } });
      const file = form.file('doc')!;
      const same = (await file.bytes()).equals(PNG);
      assert.equal(await file.delete(), true);
      const gone = await file.bytes().then(
        () => 'still there',
        (err: { code: string; message: string }) => `${err.code}: ${err.message}`,
      );
      return { same, gone, key: file.key };
    });
    const res = await testClient(app).post('/x', multipart([{ name: 'doc', filename: 'a.png', data: PNG }]));
    const out = res.json<{ same: boolean; gone: string; key: string }>();
    assert.equal(out.same, true);
    assert.equal(out.gone, `E_UPLOAD_GONE: The upload ${out.key} is no longer in storage: it was deleted after it was received.`);
    assertEmpty(t.dir);
  });
});

describe('removeStale', () => {
  const DAY = 24 * 60 * 60 * 1000;
  const key = (n: number) => n.toString(16).padStart(32, '0');

  test('removes abandoned .part files and orphan metadata once old, and nothing else', async () => {
    const s = tempUploads();
    const kept = await s.storage.save(Readable.from([PNG]), META);
    const old = new Date(Date.now() - 2 * DAY);
    const write = (name: string, age: Date | null) => {
      writeFileSync(join(s.dir, name), 'x');
      if (age !== null) utimesSync(join(s.dir, name), age, age);
    };
    write(`${key(1)}.part`, old); // a crash mid-upload, two days ago: removed
    write(`${key(2)}.part`, null); // an upload in progress: kept
    write(`${key(3)}.json`, old); // metadata whose file is gone: removed
    write(`${key(4)}`, old); // a complete old upload and its metadata: kept
    write(`${key(4)}.json`, old);
    write(`${key(5)}.part`, old); // a crash between the metadata and the rename: both removed
    write(`${key(5)}.json`, old);
    write('notes.part', old); // not a name this storage writes: kept
    write('README.json', old);
    utimesSync(join(s.dir, `${kept.key}.json`), old, old); // a saved file's old metadata: kept
    assert.equal(await s.storage.removeStale(), 4);
    assert.deepEqual(readdirSync(s.dir).sort(), [kept.key, `${kept.key}.json`, `${key(2)}.part`, key(4), `${key(4)}.json`, 'README.json', 'notes.part'].sort());
    assert.equal(await s.storage.removeStale(0), 1, 'with age 0 the upload in progress goes too');
    assert.deepEqual(await s.storage.stat(kept.key), kept);
    s.cleanup();
  });

  test('a missing folder removes nothing; a bad age is a configuration error', async () => {
    const fresh = tempUploads();
    assert.equal(await fresh.storage.removeStale(), 0);
    for (const bad of [-1, Number.NaN, Number.POSITIVE_INFINITY]) {
      await assert.rejects(fresh.storage.removeStale(bad), (err: unknown) => err instanceof ConfigError && err.code === 'E_UPLOAD_OPTIONS_INVALID');
    }
    fresh.cleanup();
  });
});
