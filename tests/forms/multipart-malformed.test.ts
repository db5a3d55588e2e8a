// Malformed and hostile multipart bodies: each is a 4xx with an exact message, never a crash or
// a hang, and leaves nothing in the upload folder. Also the refusals shared with the core's body
// reader (compressed bodies), the request types that are not multipart, misuse of the API, and
// field names that could pollute prototypes.
import { test, describe, after } from 'node:test';
import assert from 'node:assert/strict';
import { gzipSync } from 'node:zlib';
import { rampart } from 'rampart';
import { parseMultipart, type MultipartOptions } from 'rampart/forms';
import { testClient } from 'rampart/testing';
import { assertEmpty, BOUNDARY, multipart, PNG, tempUploads, uploadApp, uploadError, type UploadResult } from './fixtures-uploads/multipart.ts';

const t = tempUploads();
after(t.cleanup);
const client = testClient(uploadApp(t.storage, { files: { avatar: { accept: ['image/png'] } } }));
const TYPE = { 'content-type': `multipart/form-data; boundary=${BOUNDARY}` };

function malformed(reason: string): unknown {
  return uploadError(400, `The multipart body is malformed: ${reason}.`, 'E_UPLOAD_MALFORMED');
}

async function send(body: string | Buffer, headers: Record<string, string> = TYPE) {
  const res = await client.post('/upload', { body, headers });
  assertEmpty(t.dir);
  return res;
}

describe('request types', () => {
  const NOT_MULTIPART = uploadError(415, 'Expected Content-Type: multipart/form-data (a form with enctype="multipart/form-data").', 'E_UPLOAD_MEDIA_TYPE');

  test('no Content-Type is 415', async () => {
    const res = await send('a=1', {});
    assert.equal(res.status, 415);
    assert.deepEqual(res.json(), NOT_MULTIPART);
  });

  test('urlencoded, JSON, multipart/mixed and a malformed media type are 415', async () => {
    for (const type of ['application/x-www-form-urlencoded', 'application/json', `multipart/mixed; boundary=${BOUNDARY}`, 'multipart/form-data;;']) {
      const res = await send('a=1', { 'content-type': type });
      assert.deepEqual(res.json(), NOT_MULTIPART, type);
    }
  });

  test('multipart/form-data without a boundary, or with an invalid one, is 400', async () => {
    for (const type of ['multipart/form-data', 'multipart/form-data; boundary=""', `multipart/form-data; boundary=${'b'.repeat(71)}`, 'multipart/form-data; boundary="ends with space "']) {
      const res = await send(multipart([{ name: 'a', value: '1' }]).body, { 'content-type': type });
      assert.equal(res.status, 400, type);
      assert.deepEqual(res.json(), malformed('the Content-Type has no valid boundary'), type);
    }
  });

  test('a boundary of 70 characters, quoted with spaces inside, is accepted', async () => {
    for (const boundary of ['b'.repeat(70), "a'()+_,-./:=? z"]) {
      const { body } = multipart([{ name: 'a', value: '1' }], boundary);
      const res = await send(body, { 'content-type': `multipart/form-data; boundary="${boundary}"` });
      assert.equal(res.status, 200, boundary);
      assert.deepEqual(res.json<UploadResult>().fields, { a: ['1'] });
    }
  });

  test('a compressed body is 415 with the core body reader\'s code, before anything is read', async () => {
    const { body } = multipart([{ name: 'avatar', filename: 'a.png', data: PNG }]);
    const res = await send(gzipSync(body), { ...TYPE, 'content-encoding': 'gzip' });
    assert.equal(res.status, 415);
    assert.deepEqual(res.json(), uploadError(415, 'Compressed request bodies are not accepted; send the body without Content-Encoding.', 'E_BODY_ENCODING_UNSUPPORTED'));
    assert.equal(res.header('connection'), 'close');
  });

  test('Content-Encoding: identity is accepted', async () => {
    const { body } = multipart([{ name: 'a', value: '1' }]);
    const res = await client.post('/upload', { body, headers: { ...TYPE, 'content-encoding': 'identity' } });
    assert.equal(res.status, 200);
  });
});

describe('malformed bodies', () => {
  const file = multipart([{ name: 'title', value: 'x' }, { name: 'avatar', filename: 'a.png', data: PNG }]).body;

  test('an empty body is 400', async () => {
    assert.deepEqual((await send('')).json(), malformed('it ends before the closing boundary'));
  });

  test('a body with no boundary line at all is 400', async () => {
    assert.deepEqual((await send('just some text, no parts')).json(), malformed('it ends before the closing boundary'));
  });

  test('a body truncated anywhere is 400, and the file it carried is not kept', async () => {
    for (let cut = 1; cut < file.length; cut += 7) {
      const res = await send(file.subarray(0, cut));
      assert.equal(res.status, 400, `cut at ${cut}`);
      assert.equal(res.json<{ error: { code: string } }>().error.code, 'E_UPLOAD_MALFORMED', `cut at ${cut}`);
    }
  });

  test('the closing boundary alone is an empty form', async () => {
    const res = await send(`--${BOUNDARY}--\r\n`);
    assert.equal(res.status, 200);
    assert.deepEqual(res.json(), { fields: {}, files: [] });
  });

  test('a part header line without a colon is 400', async () => {
    const res = await send(`--${BOUNDARY}\r\nContent-Disposition form-data; name="a"\r\n\r\nv\r\n--${BOUNDARY}--\r\n`);
    assert.deepEqual(res.json(), malformed('a part header is malformed'));
  });

  test('part headers larger than 16 KiB are 400', async () => {
    const res = await send(`--${BOUNDARY}\r\nContent-Disposition: form-data; name="a"\r\nX-Pad: ${'p'.repeat(17 * 1024)}\r\n\r\nv\r\n--${BOUNDARY}--\r\n`);
    assert.deepEqual(res.json(), malformed('a part header is malformed'));
  });

  test('a part without a name is 400', async () => {
    const res = await send(`--${BOUNDARY}\r\nContent-Disposition: form-data\r\n\r\nv\r\n--${BOUNDARY}--\r\n`);
    assert.deepEqual(res.json(), malformed('a part has no name'));
  });

  test('a file part without a name is 400 and is not stored', async () => {
    const res = await send(Buffer.concat([Buffer.from(`--${BOUNDARY}\r\nContent-Disposition: form-data; filename="a.png"\r\n\r\n`), PNG, Buffer.from(`\r\n--${BOUNDARY}--\r\n`)]));
    assert.deepEqual(res.json(), malformed('a part has no name'));
  });

  test('random bytes after a valid first line are 400', async () => {
    const noise = Buffer.alloc(4096);
    for (let i = 0; i < noise.length; i++) noise[i] = (i * 7919 + 13) & 0xff;
    const res = await send(Buffer.concat([Buffer.from(`--${BOUNDARY}\r\n`), noise]));
    assert.equal(res.status, 400);
    assert.equal(res.json<{ error: { code: string } }>().error.code, 'E_UPLOAD_MALFORMED');
  });

  test('the server still answers normally after all of the above', async () => {
    const { body, headers } = multipart([{ name: 'title', value: 'ok' }]);
    const res = await client.post('/upload', { body, headers });
    assert.deepEqual(res.json(), { fields: { title: ['ok'] }, files: [] });
  });
});

describe('fields', () => {
  test('repeated names keep every value in order, including empty values', async () => {
    const { body } = multipart([
      { name: 'tag', value: 'a' },
      { name: 'tag', value: '' },
      { name: 'tag', value: 'c' },
      { name: 'note', value: 'line 1\r\nline 2 ✓' },
    ]);
    const res = await send(body);
    assert.deepEqual(res.json(), { fields: { tag: ['a', '', 'c'], note: ['line 1\r\nline 2 ✓'] }, files: [] });
  });

  test('__proto__, constructor and prototype are plain field names', async () => {
    const { body } = multipart([
      { name: '__proto__', value: 'x' },
      { name: 'constructor', value: 'y' },
      { name: 'prototype', value: 'z' },
    ]);
    const res = await send(body);
    assert.equal(res.text, '{"fields":{"__proto__":["x"],"constructor":["y"],"prototype":["z"]},"files":[]}');
    assert.equal(Object.getPrototypeOf({}), Object.prototype);
    assert.equal(({} as Record<string, unknown>)['0'], undefined);
  });

  test('a file in a field named constructor or __proto__ is refused as undeclared', async () => {
    for (const name of ['constructor', '__proto__', 'toString']) {
      const { body } = multipart([{ name, filename: 'a.png', type: 'image/png', data: PNG }]);
      const res = await send(body);
      assert.equal(res.status, 400);
      assert.deepEqual(res.json(), uploadError(400, `Field '${name}' does not accept files.`, 'E_UPLOAD_FIELD_UNEXPECTED', { field: name }));
    }
  });

  test('a file in a field the options do not declare is 400', async () => {
    const { body } = multipart([{ name: 'other', filename: 'a.png', type: 'image/png', data: PNG }]);
    const res = await send(body);
    assert.deepEqual(res.json(), uploadError(400, "Field 'other' does not accept files.", 'E_UPLOAD_FIELD_UNEXPECTED', { field: 'other' }));
  });

  test('a part typed application/octet-stream without a file name is a file', async () => {
    const res = await send(`--${BOUNDARY}\r\nContent-Disposition: form-data; name="blob"\r\nContent-Type: application/octet-stream\r\n\r\nbytes\r\n--${BOUNDARY}--\r\n`);
    assert.deepEqual(res.json(), uploadError(400, "Field 'blob' does not accept files.", 'E_UPLOAD_FIELD_UNEXPECTED', { field: 'blob' }));
  });

  test('invisible characters in a refused field name are not echoed', async () => {
    const { body } = multipart([{ name: 'avatar\u202egnp.exe', filename: 'a.png', data: PNG }]);
    const res = await send(body);
    assert.equal(res.json<{ error: { message: string } }>().error.message, "Field 'avatar?gnp.exe' does not accept files.");
  });

  test('a control character in a part header is 400', async () => {
    const { body } = multipart([{ name: 'a\u001b[31mred', value: 'v' }]);
    assert.deepEqual((await send(body)).json(), malformed('a part header is malformed'));
  });
});

describe('misuse', () => {
  function app(options: (req: unknown) => MultipartOptions, before?: 'bytes' | 'twice') {
    const a = rampart({ env: 'test', envFile: false, logLevel: 'silent' });
    a.post('/x', async (req) => {
      if (before === 'bytes') await req.bytes();
      if (before === 'twice') await parseMultipart(req, options(req)).catch(() => undefined);
      try {
        await parseMultipart(req, options(req));
        return { ok: true };
      } catch (err) {
        const e = err as { code: string; message: string; name: string };
        return { name: e.name, code: e.code, message: e.message };
      }
    });
    return testClient(a);
  }
  const { body, headers } = multipart([{ name: 'a', value: '1' }]);

  test('parsing a body already read is a programming error with a fix in its hint', async () => {
    const res = await app(() => ({ storage: t.storage }), 'bytes').post('/x', { body, headers });
    assert.deepEqual(res.json(), { name: 'RampartError', code: 'E_UPLOAD_BODY_READ', message: 'The request body was already read, so it cannot be parsed as multipart.' });
  });

  test('parsing twice is the same error', async () => {
    const res = await app(() => ({ storage: t.storage }), 'twice').post('/x', { body, headers });
    assert.deepEqual(res.json(), { name: 'RampartError', code: 'E_UPLOAD_BODY_READ', message: 'The request body was already read, so it cannot be parsed as multipart.' });
  });

  test('invalid options are a ConfigError naming the option', async () => {
    const cases: [Record<string, unknown>, string][] = [
      [{}, "Upload option storage must implement save, open, stat and delete, e.g. new LocalStorage('var/uploads')."],
      [{ storage: t.storage, maxFileBytes: 0 }, 'Upload option maxFileBytes must be a positive integer, got 0.'],
      [{ storage: t.storage, maxParts: 1.5 }, 'Upload option maxParts must be a positive integer, got 1.5.'],
      [{ storage: t.storage, maxBodyBytes: '10' }, 'Upload option maxBodyBytes must be a positive integer, got 10.'],
      [{ storage: t.storage, files: { a: { accept: [] } } }, "files.a.accept must list at least one content type, such as ['image/png']."],
      [{ storage: t.storage, files: { a: { accept: ['image/*'] } } }, 'files.a.accept has "image/*", which is not a lower-case type/subtype such as \'image/png\' (wildcards are not accepted).'],
      [{ storage: t.storage, files: { a: { accept: ['image/png'], maxFiles: -1 } } }, 'Upload option files.a.maxFiles must be a positive integer, got -1.'],
    ];
    for (const [options, message] of cases) {
      const res = await app(() => options as unknown as MultipartOptions).post('/x', { body, headers });
      assert.deepEqual(res.json(), { name: 'ConfigError', code: 'E_UPLOAD_OPTIONS_INVALID', message });
    }
  });
});

describe('after a middleware peeked at the body', () => {
  test('bytes read and given back with unshift() are parsed from the first byte', async () => {
    const a = rampart({ env: 'test', envFile: false, logLevel: 'silent' });
    // What a CSRF check does to find its token field: read the start of the body, put it back.
    a.use(async (req, next) => {
      const first = await new Promise<Buffer | null>((resolve) => {
        const onReadable = (): void => {
          const chunk = req.raw.read(16) as Buffer | null;
          req.raw.off('readable', onReadable);
          resolve(chunk);
        };
        req.raw.on('readable', onReadable);
      });
      if (first !== null) req.raw.unshift(first);
      return next();
    });
    a.post('/upload', async (req) => {
      const form = await parseMultipart(req, { storage: t.storage, files: { avatar: { accept: ['image/png'] } } });
      const file = form.file('avatar')!;
      const bytes = await file.bytes();
      await file.delete();
      return { title: form.fields.get('title'), same: bytes.equals(PNG) };
    });
    const { body, headers } = multipart([{ name: 'title', value: 'peeked' }, { name: 'avatar', filename: 'a.png', data: PNG }]);
    const res = await testClient(a).post('/upload', { body, headers });
    assert.deepEqual(res.json(), { title: 'peeked', same: true });
    assertEmpty(t.dir);
  });
});
