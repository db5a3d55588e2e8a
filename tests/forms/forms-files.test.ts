// File fields: uploads checked against the field's accept list and size limit, refusals shown as
// field errors (with nothing left in storage), files of an invalid form deleted, optional and
// multiple file fields, the connection kept usable after a refusal, and CSRF with multipart.
import { test, describe, after, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { request, Agent } from 'node:http';
import { rampart } from 'rampart';
import { field } from 'rampart/db';
import { form, formField, type UploadedFile } from 'rampart/forms';
import { sessions, MemoryStore } from 'rampart/sessions';
import { templates } from 'rampart/templates';
import { liveServer, testClient } from 'rampart/testing';
import { GIF, multipart, PNG, tempStorage, type FormErrorBody } from './fixtures-forms/support.ts';

const t = tempStorage();
after(t.cleanup);
afterEach(async () => {
  // Each test leaves the folder as it found it: whatever a test kept, it deletes.
  for (const name of t.files().filter((n) => !n.endsWith('.json'))) await t.storage.delete(name);
});

const AvatarForm = form(
  {
    name: field.string({ maxLength: 10 }),
    avatar: formField.file({ accept: ['image/png'], maxFileBytes: 1024 }),
    extra: formField.file({ accept: ['image/png', 'image/gif'], required: false, messages: { fileType: 'PNG or GIF only.' } }),
    photos: formField.files({ accept: ['image/png'], maxFiles: 2, required: false }),
  },
  { storage: t.storage },
);

function app() {
  const a = rampart({ env: 'test', logLevel: 'silent' });
  a.post('/avatar', async (req) => {
    const bound = await AvatarForm.bind(req);
    if (!bound.valid) return { valid: false, errors: bound.errors, values: bound.values };
    const d = bound.data;
    const info = (f: UploadedFile | null) => (f === null ? null : { type: f.contentType, size: f.size, name: f.filename, field: f.field });
    return { valid: true, name: d.name, avatar: info(d.avatar), extra: info(d.extra), photos: d.photos.map(info) };
  });
  a.post('/api/avatar', async (req) => {
    const d = await req.form(AvatarForm);
    return { name: d.name };
  });
  return a;
}

const client = testClient(app());

async function post(path: string, parts: Parameters<typeof multipart>[0]) {
  const { body, headers } = multipart(parts);
  return client.post(path, { body, headers });
}

describe('file fields', () => {
  test('an accepted file is stored and typed in the data', async () => {
    const res = await post('/avatar', [
      { name: 'name', value: 'Ada' },
      { name: 'avatar', filename: '../me.png', type: 'text/html', data: PNG },
      { name: 'photos', filename: 'a.png', data: PNG },
      { name: 'photos', filename: 'b.png', data: PNG },
    ]);
    assert.deepEqual(res.json(), {
      valid: true,
      name: 'Ada',
      avatar: { type: 'image/png', size: PNG.length, name: 'me.png', field: 'avatar' },
      extra: null,
      photos: [
        { type: 'image/png', size: PNG.length, name: 'a.png', field: 'photos' },
        { type: 'image/png', size: PNG.length, name: 'b.png', field: 'photos' },
      ],
    });
    assert.equal(t.files().length, 6); // three files and their metadata
  });

  test('a file of a type the field does not accept is an error of that field, and nothing is stored', async () => {
    const res = await post('/avatar', [
      { name: 'name', value: 'Ada' },
      { name: 'avatar', filename: 'me.png', type: 'image/png', data: GIF },
    ]);
    assert.deepEqual(res.json(), { valid: false, errors: { avatar: ['This type of file is not accepted. Upload one of: image/png.'] }, values: { name: ['Ada'], avatar: [], extra: [], photos: [] } });
    assert.deepEqual(t.files(), []);
  });

  test('fields after a refused file are kept too, and every refused file of a field is reported once', async () => {
    const res = await post('/avatar', [
      { name: 'avatar', filename: 'me.png', type: 'image/png', data: GIF },
      { name: 'name', value: 'Grace' },
      { name: 'photos', filename: 'a.html', type: 'image/png', data: '<html><script>alert(1)</script>' },
      { name: 'photos', filename: 'b.gif', type: 'image/png', data: GIF },
      { name: 'extra', filename: 'c.png', data: PNG },
    ]);
    const body = res.json<{ valid: boolean; errors: Record<string, string[]>; values: Record<string, string[]> }>();
    assert.equal(body.valid, false);
    assert.deepEqual(body.errors.avatar, ['This type of file is not accepted. Upload one of: image/png.']);
    assert.deepEqual(body.errors.photos, ['This type of file is not accepted. Upload one of: image/png.']);
    assert.equal(body.errors.extra, undefined);
    assert.deepEqual(body.values.name, ['Grace']);
    assert.deepEqual(t.files(), [], 'the accepted c.png is deleted with the invalid form');
  });

  test('the field message replaces the built-in one', async () => {
    const res = await post('/avatar', [
      { name: 'name', value: 'Ada' },
      { name: 'avatar', filename: 'a.png', data: PNG },
      { name: 'extra', filename: 'x.txt', data: '%PDF-1.4 not an image' },
    ]);
    assert.deepEqual(res.json<{ errors: unknown }>().errors, { extra: ['PNG or GIF only.'] });
    assert.deepEqual(t.files(), []);
  });

  test('a file over the size limit is an error of its field', async () => {
    const res = await post('/avatar', [
      { name: 'name', value: 'Ada' },
      { name: 'avatar', filename: 'big.png', data: Buffer.concat([PNG, Buffer.alloc(2000, 0x20)]) },
    ]);
    assert.deepEqual(res.json<{ errors: unknown }>().errors, { avatar: ['The file is too large: the limit is 1 KB.'] });
    assert.deepEqual(t.files(), []);
  });

  test('too many files in a field is an error of that field', async () => {
    const res = await post('/avatar', [
      { name: 'name', value: 'Ada' },
      { name: 'avatar', filename: 'a.png', data: PNG },
      ...[1, 2, 3].map((i) => ({ name: 'photos', filename: `${i}.png`, data: PNG })),
    ]);
    assert.deepEqual(res.json<{ errors: unknown }>().errors, { photos: ['Upload at most 2 files.'] });
    assert.deepEqual(t.files(), []);
  });

  test('a missing required file is "This field is required."; an empty file input counts as missing', async () => {
    const res = await post('/avatar', [
      { name: 'name', value: 'Ada' },
      { name: 'avatar', filename: '', data: '' },
    ]);
    assert.deepEqual(res.json<{ errors: unknown }>().errors, { avatar: ['This field is required.'] });
  });

  test('when another field is invalid, the stored files are deleted', async () => {
    const res = await post('/avatar', [
      { name: 'name', value: 'far too long a name' },
      { name: 'avatar', filename: 'a.png', data: PNG },
      { name: 'photos', filename: 'b.png', data: PNG },
    ]);
    assert.deepEqual(res.json(), {
      valid: false,
      errors: { name: ['Ensure this value has at most 10 characters (it has 19).'] },
      values: { name: ['far too long a name'], avatar: [], extra: [], photos: [] },
    });
    assert.deepEqual(t.files(), []);
  });

  test('a validator that throws (a database down) fails the request and leaves no file behind', async () => {
    const Failing = form(
      { name: formField.string({ asyncValidators: [async () => Promise.reject(new Error('database down'))] }), avatar: formField.file({ accept: ['image/png'] }) },
      { storage: t.storage },
    );
    const a = rampart({ env: 'test', logLevel: 'silent' });
    a.post('/f', async (req) => ({ valid: (await Failing.bind(req)).valid }));
    const { body, headers } = multipart([{ name: 'name', value: 'Ada' }, { name: 'avatar', filename: 'a.png', data: PNG }]);
    const res = await testClient(a).post('/f', { body, headers });
    assert.equal(res.status, 500);
    assert.deepEqual(t.files(), []);
  });

  test('req.form() answers 422 with the file error for JSON clients', async () => {
    const { body, headers } = multipart([{ name: 'name', value: 'Ada' }, { name: 'avatar', filename: 'a.gif', data: GIF }]);
    const res = await client.post('/api/avatar', { body, headers });
    assert.equal(res.status, 422);
    assert.deepEqual(res.json<FormErrorBody>().error.details.fields, { avatar: ['This type of file is not accepted. Upload one of: image/png.'] });
  });

  test('a file field is empty in an urlencoded or JSON body', async () => {
    const res = await client.post('/avatar', { form: { name: 'Ada', avatar: 'C:\\secret.png' } });
    assert.deepEqual(res.json<{ errors: unknown }>().errors, { avatar: ['This field is required.'] });
    const json = await client.post('/avatar', { json: { name: 'Ada', avatar: { key: 'someone-elses-file' } } });
    assert.deepEqual(json.json<{ errors: unknown }>().errors, { avatar: ['This field is required.'] });
  });
});

describe('on a real connection', () => {
  test('after a refused file the rest of the body is read, so the same connection serves the next request', async () => {
    const server = await liveServer(app());
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    try {
      const send = (parts: Parameters<typeof multipart>[0]) =>
        new Promise<{ status: number; body: string; reused: boolean; connection: string | undefined }>((resolve, reject) => {
          const { body, headers } = multipart(parts);
          const req = request(`${server.url}/avatar`, { method: 'POST', agent, headers: { ...headers, 'content-length': String(body.length) }, timeout: 5000 }, (res) => {
            let text = '';
            res.setEncoding('utf8');
            res.on('data', (c: string) => (text += c));
            res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text, reused: req.reusedSocket, connection: res.headers.connection }));
          });
          req.on('timeout', () => req.destroy(new Error('timeout')));
          req.on('error', reject);
          req.end(body);
        });
      const refused = await send([{ name: 'avatar', filename: 'a.gif', data: GIF }, { name: 'pad', value: 'x'.repeat(60_000) }, { name: 'name', value: 'Ada' }]);
      assert.equal(refused.status, 200);
      assert.deepEqual(JSON.parse(refused.body).errors, { avatar: ['This type of file is not accepted. Upload one of: image/png.'] });
      assert.equal(refused.connection, 'keep-alive');
      const next = await send([{ name: 'name', value: 'Ada' }, { name: 'avatar', filename: 'a.png', data: PNG }]);
      assert.equal(next.status, 200);
      assert.equal(JSON.parse(next.body).valid, true);
      assert.equal(next.reused, true);
    } finally {
      agent.destroy();
      await server.close();
    }
  });
  test('a refused file followed by more than maxBodyBytes: the body limit refuses the request, closing the connection', async () => {
    const Small = form({ avatar: formField.file({ accept: ['image/png'] }) }, { storage: t.storage, uploads: { maxBodyBytes: 100_000 } });
    const a = rampart({ env: 'test', logLevel: 'silent' });
    a.post('/small', async (req) => ({ valid: (await Small.bind(req)).valid }));
    const server = await liveServer(a);
    try {
      const { body, headers } = multipart([{ name: 'avatar', filename: 'a.gif', data: GIF }, { name: 'pad', value: 'x'.repeat(60_000) }]);
      const res = await new Promise<{ status: number; body: string; connection: string | undefined }>((resolve, reject) => {
        // No Content-Length: the body is chunked, so only counting can bound it.
        const req = request(`${server.url}/small`, { method: 'POST', headers, timeout: 5000 }, (r) => {
          let text = '';
          r.setEncoding('utf8');
          r.on('data', (c: string) => (text += c));
          r.on('end', () => resolve({ status: r.statusCode ?? 0, body: text, connection: r.headers.connection }));
        });
        req.on('timeout', () => req.destroy(new Error('timeout')));
        req.on('error', reject);
        req.write(body.subarray(0, body.length - 40));
        // Keep sending past the limit (bounded: 4 writes of 64 KiB), then end.
        for (let i = 0; i < 4; i++) req.write(Buffer.alloc(64 * 1024, 0x78));
        req.end(body.subarray(body.length - 40));
      }).catch((err: Error) => ({ status: -1, body: err.message, connection: undefined }));
      // The refused file is skipped and reading goes on, into the body limit. Either the 413
      // arrives, or the server closed the socket while the client was still sending.
      if (res.status !== -1) {
        assert.equal(res.status, 413, res.body);
        assert.equal(JSON.parse(res.body).error.code, 'E_UPLOAD_BODY_TOO_LARGE');
        assert.equal(res.connection, 'close');
      }
      assert.deepEqual(t.files(), []);
    } finally {
      await server.close();
    }
  });
});

describe('with sessions and CSRF', () => {
  test('a multipart form rendered by the engine posts with its token, which the form ignores', async () => {
    const a = rampart({ env: 'test', logLevel: 'silent', templates: templates({ strict: true, reload: false, sources: { 'up.html': '<form method="post" enctype="multipart/form-data">{{ form.render() }}</form>' } }) });
    a.use(sessions({ store: new MemoryStore() }));
    a.get('/up', (req) => req.render('up.html', { form: AvatarForm.unbound() }));
    a.post('/up', async (req) => {
      const d = await req.form(AvatarForm);
      await d.avatar.delete();
      return { name: d.name, keys: Object.keys(d) };
    });
    const c = testClient(a);
    const page = await c.get('/up');
    const token = /name="csrf_token" value="([^"]+)"/.exec(page.text)?.[1];
    assert.ok(token !== undefined, page.text);
    const origin = { origin: 'http://localhost', 'sec-fetch-site': 'same-origin' };
    const { body, headers } = multipart([{ name: 'csrf_token', value: token }, { name: 'name', value: 'Ada' }, { name: 'avatar', filename: 'a.png', data: PNG }]);
    const ok = await c.post('/up', { body, headers: { ...headers, ...origin } });
    assert.equal(ok.status, 200, ok.text);
    assert.deepEqual(ok.json(), { name: 'Ada', keys: ['name', 'avatar', 'extra', 'photos'] });
    const forged = multipart([{ name: 'name', value: 'Ada' }, { name: 'avatar', filename: 'a.png', data: PNG }]);
    const refused = await c.post('/up', { body: forged.body, headers: { ...forged.headers, ...origin } });
    assert.equal(refused.status, 403);
    assert.deepEqual(t.files(), []);
  });
});
