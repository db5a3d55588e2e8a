// Upload limits: each one hit exactly (accepted) and exceeded by one (refused with its status,
// code and message), and after every refusal the upload folder is empty, including the files the
// request had already stored before the limit was hit.
import { test, describe, after } from 'node:test';
import assert from 'node:assert/strict';
import { UPLOAD_DEFAULTS } from 'rampart/forms';
import { testClient } from 'rampart/testing';
import {
  assertEmpty,
  assertStored,
  multipart,
  PNG,
  pngOfSize,
  tempUploads,
  uploadApp,
  uploadError,
  type Part,
  type UploadResult,
} from './fixtures-uploads/multipart.ts';

const t = tempUploads();
after(t.cleanup);
const PNG_ONLY = { accept: ['image/png'] } as const;

async function post(options: Parameters<typeof uploadApp>[1], parts: readonly Part[]) {
  const { body, headers } = multipart(parts);
  return testClient(uploadApp(t.storage, options)).post('/upload', { body, headers });
}

/** Deletes what a successful request stored, so the next test starts from an empty folder. */
async function accepted(res: Awaited<ReturnType<typeof post>>): Promise<UploadResult> {
  assert.equal(res.status, 200, res.text);
  const result = res.json<UploadResult>();
  assertStored(t.dir, result.files.map((f) => f.key));
  for (const f of result.files) assert.equal(await t.storage.delete(f.key), true);
  assertEmpty(t.dir);
  return result;
}

describe('the defaults', () => {
  test('are frozen and name every limit', () => {
    assert.equal(Object.isFrozen(UPLOAD_DEFAULTS), true);
    assert.deepEqual(
      { ...UPLOAD_DEFAULTS },
      {
        maxBodyBytes: 52_428_800,
        maxFileBytes: 10_485_760,
        maxFiles: 10,
        maxFields: 1000,
        maxFieldBytes: 65_536,
        maxFieldNameBytes: 100,
        maxParts: 1000,
      },
    );
  });
});

describe('maxFileBytes', () => {
  const options = { maxFileBytes: 1000, files: { avatar: PNG_ONLY } };

  test('a file of exactly the limit is accepted with every byte', async () => {
    const res = await post(options, [{ name: 'avatar', filename: 'a.png', data: pngOfSize(1000) }]);
    const body = res.json<UploadResult>();
    assert.equal(body.files[0]!.size, 1000);
    assert.deepEqual((await t.storage.stat(body.files[0]!.key))?.size, 1000);
    await accepted(res);
  });

  test('one byte more is 413 and nothing is stored', async () => {
    const res = await post(options, [{ name: 'avatar', filename: 'a.png', data: pngOfSize(1001) }]);
    assert.equal(res.status, 413);
    assert.deepEqual(
      res.json(),
      uploadError(413, "The file in field 'avatar' is larger than 1000 bytes (maxFileBytes).", 'E_UPLOAD_FILE_TOO_LARGE', { field: 'avatar', limit: 1000 }),
    );
    assert.equal(res.header('connection'), 'close');
    assertEmpty(t.dir);
  });

  test('a file far over the limit (1 MiB against 1000 bytes) is refused the same way', async () => {
    const res = await post(options, [{ name: 'avatar', filename: 'a.png', data: pngOfSize(1024 * 1024) }]);
    assert.equal(res.status, 413);
    assert.equal(res.json<{ error: { code: string } }>().error.code, 'E_UPLOAD_FILE_TOO_LARGE');
    assertEmpty(t.dir);
  });

  test('a per-field limit overrides the global one, both ways', async () => {
    const perField = { maxFileBytes: 1000, files: { small: { accept: ['image/png'], maxFileBytes: 100 }, big: { accept: ['image/png'], maxFileBytes: 5000 } } };
    await accepted(await post(perField, [{ name: 'small', filename: 's.png', data: pngOfSize(100) }, { name: 'big', filename: 'b.png', data: pngOfSize(5000) }]));
    const small = await post(perField, [{ name: 'small', filename: 's.png', data: pngOfSize(101) }]);
    assert.deepEqual(
      small.json(),
      uploadError(413, "The file in field 'small' is larger than 100 bytes (maxFileBytes).", 'E_UPLOAD_FILE_TOO_LARGE', { field: 'small', limit: 100 }),
    );
    const big = await post(perField, [{ name: 'big', filename: 'b.png', data: pngOfSize(5001) }]);
    assert.deepEqual(
      big.json(),
      uploadError(413, "The file in field 'big' is larger than 5000 bytes (maxFileBytes).", 'E_UPLOAD_FILE_TOO_LARGE', { field: 'big', limit: 5000 }),
    );
    assertEmpty(t.dir);
  });

  test('a file stored before the oversized one is deleted too', async () => {
    const res = await post(
      { maxFileBytes: 1000, files: { first: PNG_ONLY, second: PNG_ONLY } },
      [
        { name: 'first', filename: 'ok.png', data: pngOfSize(900) },
        { name: 'second', filename: 'big.png', data: pngOfSize(1001) },
      ],
    );
    assert.equal(res.status, 413);
    assertEmpty(t.dir);
  });
});

describe('maxFiles', () => {
  const files = { a: PNG_ONLY, b: PNG_ONLY, c: PNG_ONLY };
  const three: Part[] = [
    { name: 'a', filename: 'a.png', data: PNG },
    { name: 'b', filename: 'b.png', data: PNG },
    { name: 'c', filename: 'c.png', data: PNG },
  ];

  test('exactly the limit of files is accepted', async () => {
    const result = await accepted(await post({ maxFiles: 3, files }, three));
    assert.deepEqual(result.files.map((f) => f.field), ['a', 'b', 'c']);
  });

  test('one file more is 413, and the files already stored are deleted', async () => {
    const res = await post({ maxFiles: 2, files }, three);
    assert.equal(res.status, 413);
    assert.deepEqual(res.json(), uploadError(413, 'The upload has more than 2 files (maxFiles).', 'E_UPLOAD_TOO_MANY_FILES', { limit: 2 }));
    assertEmpty(t.dir);
  });

  test('a field takes one file unless it says more', async () => {
    const two: Part[] = [
      { name: 'a', filename: 'a1.png', data: PNG },
      { name: 'a', filename: 'a2.png', data: PNG },
    ];
    const res = await post({ files }, two);
    assert.equal(res.status, 413);
    assert.deepEqual(res.json(), uploadError(413, "Field 'a' accepts at most 1 file (files.a.maxFiles).", 'E_UPLOAD_TOO_MANY_FILES', { field: 'a', limit: 1 }));
    assertEmpty(t.dir);
  });

  test('a field with maxFiles takes exactly that many, in order', async () => {
    const photos = { files: { photos: { accept: ['image/png'], maxFiles: 2 } } };
    const result = await accepted(
      await post(photos, [
        { name: 'photos', filename: 'one.png', data: PNG },
        { name: 'photos', filename: 'two.png', data: PNG },
      ]),
    );
    assert.deepEqual(result.files.map((f) => f.filename), ['one.png', 'two.png']);
    const res = await post(photos, [
      { name: 'photos', filename: 'one.png', data: PNG },
      { name: 'photos', filename: 'two.png', data: PNG },
      { name: 'photos', filename: 'three.png', data: PNG },
    ]);
    assert.deepEqual(res.json(), uploadError(413, "Field 'photos' accepts at most 2 files (files.photos.maxFiles).", 'E_UPLOAD_TOO_MANY_FILES', { field: 'photos', limit: 2 }));
    assertEmpty(t.dir);
  });
});

describe('maxFields', () => {
  const fields = (n: number): Part[] => Array.from({ length: n }, (_, i) => ({ name: `f${i}`, value: String(i) }));

  test('exactly the limit of fields is accepted', async () => {
    const result = await accepted(await post({ maxFields: 5 }, fields(5)));
    assert.deepEqual(Object.keys(result.fields), ['f0', 'f1', 'f2', 'f3', 'f4']);
  });

  test('one field more is 400, and a file stored before is deleted', async () => {
    const res = await post({ maxFields: 5, files: { avatar: PNG_ONLY } }, [{ name: 'avatar', filename: 'a.png', data: PNG }, ...fields(6)]);
    assert.equal(res.status, 400);
    assert.deepEqual(res.json(), uploadError(400, 'The form has more than 5 fields (maxFields).', 'E_UPLOAD_TOO_MANY_FIELDS', { limit: 5 }));
    assertEmpty(t.dir);
  });
});

describe('maxFieldBytes', () => {
  test('a value of exactly the limit (in bytes, not characters) is accepted', async () => {
    const value = 'é'.repeat(50); // 100 bytes
    const result = await accepted(await post({ maxFieldBytes: 100 }, [{ name: 'bio', value }]));
    assert.deepEqual(result.fields, { bio: [value] });
  });

  test('one byte more is 413', async () => {
    const res = await post({ maxFieldBytes: 100 }, [{ name: 'bio', value: 'é'.repeat(50) + 'x' }]);
    assert.equal(res.status, 413);
    assert.deepEqual(res.json(), uploadError(413, "Field 'bio' is larger than 100 bytes (maxFieldBytes).", 'E_UPLOAD_FIELD_TOO_LARGE', { field: 'bio', limit: 100 }));
    assertEmpty(t.dir);
  });
});

describe('maxFieldNameBytes', () => {
  test('a field name of exactly the limit is accepted, for fields and files', async () => {
    const name = 'n'.repeat(20);
    const result = await accepted(await post({ maxFieldNameBytes: 20, files: { [name.replace(/n$/, 'f')]: PNG_ONLY } }, [
      { name, value: 'v' },
      { name: name.replace(/n$/, 'f'), filename: 'a.png', data: PNG },
    ]));
    assert.deepEqual(result.fields, { [name]: ['v'] });
    assert.equal(result.files.length, 1);
  });

  test('one byte more is 400, for a field', async () => {
    const name = 'n'.repeat(21);
    const res = await post({ maxFieldNameBytes: 20 }, [{ name, value: 'v' }]);
    assert.equal(res.status, 400);
    assert.deepEqual(res.json(), uploadError(400, `Field '${name}' has a name longer than 20 bytes (maxFieldNameBytes).`, 'E_UPLOAD_FIELD_NAME_TOO_LONG', { limit: 20 }));
  });

  test('one byte more is 400, for a file, and nothing is stored', async () => {
    const name = 'f'.repeat(21);
    const res = await post({ maxFieldNameBytes: 20, files: { [name]: PNG_ONLY } }, [{ name, filename: 'a.png', data: PNG }]);
    assert.equal(res.status, 400);
    assert.deepEqual(res.json(), uploadError(400, `Field '${name}' has a name longer than 20 bytes (maxFieldNameBytes).`, 'E_UPLOAD_FIELD_NAME_TOO_LONG', { limit: 20 }));
    assertEmpty(t.dir);
  });

  test('the message shows at most 64 characters of a long name', async () => {
    const name = 'x'.repeat(500);
    const res = await post({}, [{ name, value: 'v' }]);
    assert.equal(res.json<{ error: { message: string } }>().error.message, `Field '${'x'.repeat(64)}…' has a name longer than 100 bytes (maxFieldNameBytes).`);
  });
});

describe('maxParts', () => {
  const mixed = (fields: number): Part[] => [
    { name: 'avatar', filename: 'a.png', data: PNG },
    ...Array.from({ length: fields }, (_, i) => ({ name: `f${i}`, value: 'v' })),
  ];

  test('exactly the limit of parts (fields and files together) is accepted', async () => {
    const result = await accepted(await post({ maxParts: 4, files: { avatar: PNG_ONLY } }, mixed(3)));
    assert.equal(Object.keys(result.fields).length, 3);
    assert.equal(result.files.length, 1);
  });

  test('one part more is 413, and the stored file is deleted', async () => {
    const res = await post({ maxParts: 4, files: { avatar: PNG_ONLY } }, mixed(4));
    assert.equal(res.status, 413);
    assert.deepEqual(res.json(), uploadError(413, 'The form has more than 4 parts (maxParts).', 'E_UPLOAD_TOO_MANY_PARTS', { limit: 4 }));
    assertEmpty(t.dir);
  });

  test('parts without a Content-Disposition count too', async () => {
    const anonymous: Part = { raw: 'Content-Type: text/plain\r\n\r\nignored' };
    await accepted(await post({ maxParts: 3 }, [anonymous, anonymous, { name: 'a', value: '1' }]));
    const res = await post({ maxParts: 3 }, [anonymous, anonymous, anonymous, { name: 'a', value: '1' }]);
    assert.deepEqual(res.json(), uploadError(413, 'The form has more than 3 parts (maxParts).', 'E_UPLOAD_TOO_MANY_PARTS', { limit: 3 }));
  });

  test('a file part past the limit is refused before a byte of it is stored', async () => {
    const res = await post({ maxParts: 2, files: { avatar: PNG_ONLY } }, [
      { name: 'a', value: '1' },
      { name: 'b', value: '2' },
      { name: 'avatar', filename: 'a.png', data: PNG },
    ]);
    assert.deepEqual(res.json(), uploadError(413, 'The form has more than 2 parts (maxParts).', 'E_UPLOAD_TOO_MANY_PARTS', { limit: 2 }));
    assertEmpty(t.dir);
  });
});

describe('10,000 tiny parts', () => {
  const flood = multipart(Array.from({ length: 10_000 }, () => ({ name: 'a', value: '' })));

  test('are refused by the parts limit with the defaults (1,000 parts)', async () => {
    const res = await testClient(uploadApp(t.storage)).post('/upload', flood);
    assert.equal(res.status, 413);
    assert.deepEqual(res.json(), uploadError(413, 'The form has more than 1000 parts (maxParts).', 'E_UPLOAD_TOO_MANY_PARTS', { limit: 1000 }));
  });

  test('are accepted, all 10,000, when the app raises maxParts and maxFields to 10,000', async () => {
    const res = await testClient(uploadApp(t.storage, { maxParts: 10_000, maxFields: 10_000 })).post('/upload', flood);
    assert.equal(res.status, 200);
    assert.equal(res.json<UploadResult>().fields['a']!.length, 10_000);
  });

  test('are refused by the parts limit at 9,999', async () => {
    const res = await testClient(uploadApp(t.storage, { maxParts: 9_999, maxFields: 10_000 })).post('/upload', flood);
    assert.deepEqual(res.json(), uploadError(413, 'The form has more than 9999 parts (maxParts).', 'E_UPLOAD_TOO_MANY_PARTS', { limit: 9999 }));
  });
});

describe('maxBodyBytes', () => {
  const parts: Part[] = [
    { name: 'title', value: 'hello' },
    { name: 'avatar', filename: 'a.png', data: pngOfSize(2000) },
  ];
  const size = multipart(parts).body.length;
  const options = (maxBodyBytes: number) => ({ maxBodyBytes, files: { avatar: PNG_ONLY } });

  test('a body of exactly the limit is accepted', async () => {
    await accepted(await post(options(size), parts));
  });

  test('one byte more (by Content-Length) is 413 before anything is read', async () => {
    const res = await post(options(size - 1), parts);
    assert.equal(res.status, 413);
    assert.deepEqual(res.json(), uploadError(413, `The upload is larger than ${size - 1} bytes (maxBodyBytes).`, 'E_UPLOAD_BODY_TOO_LARGE', { limit: size - 1 }));
    assert.equal(res.header('connection'), 'close');
    assertEmpty(t.dir);
  });
});

describe("fileRefusals: 'collect'", () => {
  const options = { maxFileBytes: 1000, fileRefusals: 'collect', files: { avatar: PNG_ONLY, photos: { accept: ['image/png'], maxFiles: 1 } } } as const;

  test('a file over its limit, of a refused type or one too many is skipped; the fields after it are kept', async () => {
    const res = await post(options, [
      { name: 'avatar', filename: 'big.png', data: pngOfSize(1001) },
      { name: 'title', value: 'kept' },
      { name: 'photos', filename: 'a.png', data: PNG },
      { name: 'photos', filename: 'b.png', data: PNG },
      { name: 'photos', filename: 'c.gif', data: Buffer.from('GIF89a') },
      { name: 'after', value: 'also kept' },
    ]);
    const result = await accepted(res);
    assert.deepEqual(result.fields, { title: ['kept'], after: ['also kept'] });
    assert.deepEqual(result.files.map((f) => f.filename), ['a.png']);
    assert.deepEqual(result.refused, [
      { status: 413, code: 'E_UPLOAD_FILE_TOO_LARGE', message: "The file in field 'avatar' is larger than 1000 bytes (maxFileBytes)." },
      { status: 413, code: 'E_UPLOAD_TOO_MANY_FILES', message: "Field 'photos' accepts at most 1 file (files.photos.maxFiles)." },
      { status: 413, code: 'E_UPLOAD_TOO_MANY_FILES', message: "Field 'photos' accepts at most 1 file (files.photos.maxFiles)." },
    ]);
  });

  test('refusals of the request as a whole still refuse it, and nothing stays stored', async () => {
    const res = await post({ ...options, maxBodyBytes: 5000 }, [
      { name: 'photos', filename: 'a.png', data: PNG },
      { name: 'avatar', filename: 'big.png', data: pngOfSize(6000) },
    ]);
    assert.deepEqual([res.status, res.json<{ error: { code: string } }>().error.code], [413, 'E_UPLOAD_BODY_TOO_LARGE']);
    assertEmpty(t.dir);
    const unexpected = await post(options, [{ name: 'other', filename: 'x.png', data: PNG }]);
    assert.deepEqual([unexpected.status, unexpected.json<{ error: { code: string } }>().error.code], [400, 'E_UPLOAD_FIELD_UNEXPECTED']);
    assertEmpty(t.dir);
  });

  test('an unknown value is a configuration error', async () => {
    const res = await post({ fileRefusals: 'ignore' as 'collect' }, [{ name: 'a', value: 'b' }]);
    assert.equal(res.status, 500);
    assertEmpty(t.dir);
  });
});
