// Request bodies: the lazy readers, media types, malformed and hostile bodies, and the limits.
import { test, describe, after } from 'node:test';
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { rampart, BODY_ERRORS, type App, type Settings } from 'rampart';
import { testClient, liveServer } from 'rampart/testing';

function errorBody(status: number, message: string, code: string): string {
  return JSON.stringify({ error: { status, message, code } });
}

const JSON_415 = errorBody(415, 'Expected Content-Type: application/json (optionally with charset=utf-8).', 'E_BODY_MEDIA_TYPE');
const FORM_415 = errorBody(415, 'Expected Content-Type: application/x-www-form-urlencoded.', 'E_BODY_MEDIA_TYPE');
const TOO_LARGE_1024 = errorBody(413, 'Request body is larger than 1024 bytes.', 'E_BODY_TOO_LARGE');
const BAD_UTF8 = errorBody(400, 'The request body is not valid UTF-8.', 'E_BODY_INVALID_UTF8');

function bodyApp(settings: Settings = {}): App {
  const a = rampart({ env: 'test', ...settings });
  a.post('/json', async (req) => ({ got: await req.json() }));
  a.post('/form', async (req) => {
    const form = await req.form();
    const out: Record<string, string[]> = {};
    for (const key of new Set(form.keys())) out[key] = form.getAll(key);
    return out;
  });
  a.post('/text', async (req) => ({ text: await req.text() }));
  a.post('/bytes', async (req) => {
    const bytes = await req.bytes();
    return { length: bytes.length, hex: bytes.toString('hex') };
  });
  a.get('/ok', () => 'ok');
  return a;
}

describe('happy paths', () => {
  const client = testClient(bodyApp());

  test('json() parses a JSON body', async () => {
    const res = await client.post('/json', { json: { a: 1, b: [true, null], c: 'é' } });
    assert.equal(res.status, 200);
    assert.equal(res.text, '{"got":{"a":1,"b":[true,null],"c":"é"}}');
  });

  test('json() accepts charset=utf-8 in any case, quoted or not', async () => {
    for (const type of ['application/json; charset=utf-8', 'Application/JSON; Charset="UTF-8"', 'application/json;charset=utf-8']) {
      const res = await client.post('/json', { body: '[1,2]', headers: { 'content-type': type } });
      assert.equal(res.status, 200, type);
      assert.equal(res.text, '{"got":[1,2]}');
    }
  });

  test('form() parses an urlencoded body and keeps repeated keys', async () => {
    const res = await client.post('/form', { body: 'name=Ada+Lovelace&tag=a&tag=b&empty=&enc=%E2%9C%93%26', headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    assert.equal(res.status, 200);
    assert.deepEqual(res.json(), { name: ['Ada Lovelace'], tag: ['a', 'b'], empty: [''], enc: ['✓&'] });
  });

  test('the test client form option sends repeated keys', async () => {
    const res = await client.post('/form', { form: { tag: ['x', 'y', 'z'], one: '1' } });
    assert.deepEqual(res.json(), { tag: ['x', 'y', 'z'], one: ['1'] });
  });

  test('text() decodes UTF-8', async () => {
    const res = await client.post('/text', { body: Buffer.from('héllo ✓\n', 'utf8'), headers: { 'content-type': 'text/plain' } });
    assert.equal(res.text, '{"text":"héllo ✓\\n"}');
  });

  test('bytes() returns the exact bytes', async () => {
    const res = await client.post('/bytes', { body: Buffer.from([0, 1, 127, 128, 255]), headers: { 'content-type': 'application/octet-stream' } });
    assert.equal(res.text, '{"length":5,"hex":"00017f80ff"}');
  });

  test('a request without a body reads as empty', async () => {
    const res = await client.post('/bytes');
    assert.equal(res.text, '{"length":0,"hex":""}');
  });

  test('reading the body twice, through different readers, returns the same bytes', async () => {
    const a = rampart({ env: 'test' });
    a.post('/twice', async (req) => {
      const first = await req.bytes();
      const second = await req.bytes();
      const text = await req.text();
      const json = await req.json<{ x: string }>();
      return { same: first.equals(second), text, x: json.x };
    });
    const res = await testClient(a).post('/twice', { json: { x: 'é' } });
    assert.equal(res.text, '{"same":true,"text":"{\\"x\\":\\"é\\"}","x":"é"}');
  });

  test('the body is not read unless the handler asks, so an oversized unread body does not fail the request', async () => {
    const a = rampart({ env: 'test', maxBodyBytes: 16 });
    a.post('/ignore', () => 'ignored');
    const res = await testClient(a).post('/ignore', { body: 'x'.repeat(100), headers: { 'content-type': 'text/plain' } });
    assert.equal(res.status, 200);
    assert.equal(res.text, 'ignored');
  });
});

describe('media types (415)', () => {
  const client = testClient(bodyApp());

  test('json() answers 415 for a missing or wrong content type', async () => {
    for (const type of [undefined, 'text/json', 'text/plain', 'application/jsonx', 'application/vnd.api+json', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x']) {
      const headers: Record<string, string> = type === undefined ? {} : { 'content-type': type };
      const res = await client.post('/json', { body: '{"a":1}', headers });
      assert.equal(res.status, 415, String(type));
      assert.equal(res.text, JSON_415, String(type));
    }
  });

  test('json() answers 415 for trailing junk, other charsets and extra parameters', async () => {
    for (const type of ['application/json\tfoo', 'application/json foo', 'application/json;', 'application/json; charset=latin1', 'application/json; charset=utf-16', 'application/json; charset=utf-8; x=y', 'application/json; charset="utf-8', 'application/json, text/plain']) {
      const res = await client.post('/json', { body: '{"a":1}', headers: { 'content-type': type } });
      assert.equal(res.status, 415, JSON.stringify(type));
      assert.equal(res.text, JSON_415);
    }
  });

  test('form() answers 415 for anything but application/x-www-form-urlencoded', async () => {
    for (const type of [undefined, 'application/json', 'multipart/form-data; boundary=x', 'application/x-www-form-urlencoded; charset=latin1', 'text/plain']) {
      const headers: Record<string, string> = type === undefined ? {} : { 'content-type': type };
      const res = await client.post('/form', { body: 'a=1', headers });
      assert.equal(res.status, 415, String(type));
      assert.equal(res.text, FORM_415);
    }
  });

  test('a compressed body is refused with 415 E_BODY_ENCODING_UNSUPPORTED', async () => {
    for (const encoding of ['gzip', 'GZIP', 'deflate', 'br', 'gzip, identity']) {
      const res = await client.post('/json', { body: '{"a":1}', headers: { 'content-type': 'application/json', 'content-encoding': encoding } });
      assert.equal(res.status, 415, encoding);
      assert.equal(res.text, errorBody(415, 'Compressed request bodies are not accepted; send the body without Content-Encoding.', BODY_ERRORS.encoding));
      assert.equal(res.header('connection'), 'close');
    }
  });

  test('Content-Encoding: identity is accepted', async () => {
    const res = await client.post('/json', { body: '{"a":1}', headers: { 'content-type': 'application/json', 'content-encoding': 'identity' } });
    assert.equal(res.status, 200);
  });
});

describe('malformed and hostile bodies (400)', () => {
  const client = testClient(bodyApp({ maxJsonDepth: 5 }));
  const post = (body: string | Buffer) => client.post('/json', { body, headers: { 'content-type': 'application/json' } });

  test('malformed JSON is 400 E_BODY_JSON_MALFORMED and the message never echoes the body', async () => {
    const res = await post('{bad');
    assert.equal(res.status, 400);
    assert.equal(res.text, errorBody(400, 'malformed JSON body at position 1: the body must be one valid JSON value (RFC 8259)', 'E_BODY_JSON_MALFORMED'));
    for (const body of ['', '   ', '{"a":1} x', '{"a":1}{"b":2}', "{'a':1}", '[1,]', 'NaN', '{"a":undefined}', '"unterminated']) {
      const r = await post(body);
      assert.equal(r.status, 400, JSON.stringify(body));
      assert.equal(r.json<{ error: { code: string } }>().error.code, 'E_BODY_JSON_MALFORMED', JSON.stringify(body));
    }
    const secret = await post('{"password":"hunter2",');
    assert.equal(secret.text.includes('hunter2'), false);
  });

  test('JSON nested deeper than maxJsonDepth is 400 E_BODY_JSON_TOO_DEEP', async () => {
    assert.equal((await post('[[[[[1]]]]]')).status, 200);
    const res = await post('[[[[[[1]]]]]]');
    assert.equal(res.status, 400);
    assert.equal(res.json<{ error: { code: string } }>().error.code, 'E_BODY_JSON_TOO_DEEP');
  });

  test('{"__proto__":{"polluted":1}} is 400 and pollutes nothing', async () => {
    const res = await post('{"__proto__":{"polluted":1}}');
    assert.equal(res.status, 400);
    assert.equal(res.json<{ error: { code: string } }>().error.code, 'E_BODY_JSON_FORBIDDEN_KEY');
    assert.equal(({} as Record<string, unknown>)['polluted'], undefined);
    assert.equal(Object.prototype.hasOwnProperty.call(Object.prototype, 'polluted'), false);
  });

  test('constructor.prototype, nested and escaped __proto__ keys are 400 and pollute nothing', async () => {
    for (const body of [
      '{"constructor":{"prototype":{"polluted":1}}}',
      '{"a":{"__proto__":{"polluted":1}}}',
      '[{"__proto__":{"polluted":1}}]',
      '{"\\u005f_proto__":{"polluted":1}}',
      '{"__pro\\u0074o__":{"polluted":1}}',
    ]) {
      const res = await post(body);
      assert.equal(res.status, 400, body);
      assert.equal(res.json<{ error: { code: string } }>().error.code, 'E_BODY_JSON_FORBIDDEN_KEY', body);
    }
    assert.equal(({} as Record<string, unknown>)['polluted'], undefined);
  });

  test('invalid UTF-8 is 400 E_BODY_INVALID_UTF8 for text(), json() and form()', async () => {
    for (const bytes of [Buffer.from([0xff, 0xfe]), Buffer.from([0xc0, 0xae]), Buffer.from([0x61, 0xe2, 0x82]), Buffer.from([0xed, 0xa0, 0x80])]) {
      const text = await client.post('/text', { body: bytes, headers: { 'content-type': 'text/plain' } });
      assert.equal(text.status, 400, bytes.toString('hex'));
      assert.equal(text.text, BAD_UTF8);
      const json = await client.post('/json', { body: Buffer.concat([Buffer.from('"'), bytes, Buffer.from('"')]), headers: { 'content-type': 'application/json' } });
      assert.equal(json.status, 400);
      assert.equal(json.text, BAD_UTF8);
      const form = await client.post('/form', { body: Buffer.concat([Buffer.from('a='), bytes]), headers: { 'content-type': 'application/x-www-form-urlencoded' } });
      assert.equal(form.status, 400);
      assert.equal(form.text, BAD_UTF8);
    }
  });

  test('the server keeps serving after malformed bodies', async () => {
    await post('{bad');
    await post('{"__proto__":{}}');
    const res = await client.get('/ok');
    assert.equal(res.status, 200);
    assert.equal(res.text, 'ok');
  });
});

describe('limits (413)', () => {
  const client = testClient(bodyApp({ maxBodyBytes: 1024, maxFormFields: 3 }));

  test('a body of exactly maxBodyBytes is accepted', async () => {
    const res = await client.post('/bytes', { body: Buffer.alloc(1024, 0x61), headers: { 'content-type': 'application/octet-stream' } });
    assert.equal(res.status, 200);
    assert.equal(res.json<{ length: number }>().length, 1024);
  });

  test('a body over maxBodyBytes is 413 E_BODY_TOO_LARGE with Connection: close', async () => {
    const res = await client.post('/bytes', { body: Buffer.alloc(1025, 0x61), headers: { 'content-type': 'application/octet-stream' } });
    assert.equal(res.status, 413);
    assert.equal(res.text, TOO_LARGE_1024);
    assert.equal(res.header('connection'), 'close');
  });

  test('a Content-Length that understates the body does not get past the limit', async () => {
    const res = await client.post('/text', { body: 'x'.repeat(4000), headers: { 'content-type': 'text/plain', 'content-length': '10' } });
    assert.equal(res.status, 413);
    assert.equal(res.text, TOO_LARGE_1024);
  });

  test('every reader enforces the limit', async () => {
    const big = 'a=' + 'x'.repeat(2000);
    assert.equal((await client.post('/form', { body: big, headers: { 'content-type': 'application/x-www-form-urlencoded' } })).status, 413);
    assert.equal((await client.post('/json', { body: JSON.stringify({ a: 'x'.repeat(2000) }), headers: { 'content-type': 'application/json' } })).status, 413);
    assert.equal((await client.post('/text', { body: big, headers: { 'content-type': 'text/plain' } })).status, 413);
  });

  test('a form with more than maxFormFields fields is 413 E_BODY_TOO_MANY_FIELDS', async () => {
    const ok = await client.post('/form', { body: 'a=1&b=2&c=3', headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    assert.equal(ok.status, 200);
    const res = await client.post('/form', { body: 'a=1&b=2&c=3&d=4', headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    assert.equal(res.status, 413);
    assert.equal(res.text, errorBody(413, 'The form has more than 3 fields.', 'E_BODY_TOO_MANY_FIELDS'));
    const repeated = await client.post('/form', { body: 'a=1&a=2&a=3&a=4', headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    assert.equal(repeated.status, 413);
  });

  test('the server keeps serving after 413s', async () => {
    await client.post('/bytes', { body: Buffer.alloc(5000), headers: { 'content-type': 'application/octet-stream' } });
    const res = await client.get('/ok');
    assert.equal(res.status, 200);
  });
});

describe('limits over a real socket', () => {
  const a = bodyApp({ maxBodyBytes: 1024 });
  let url = '';
  let close: (() => Promise<void>) | null = null;
  after(async () => {
    await close?.();
  });

  function exchange(bytes: string | Buffer): Promise<string> {
    const { hostname, port } = new URL(url);
    return new Promise((resolve, reject) => {
      const socket = connect(Number(port), hostname);
      const chunks: Buffer[] = [];
      socket.on('data', (c: Buffer) => chunks.push(c));
      socket.on('close', () => resolve(Buffer.concat(chunks).toString('utf8')));
      socket.on('error', (err: NodeJS.ErrnoException) => (err.code === 'ECONNRESET' || err.code === 'EPIPE' ? undefined : reject(err)));
      socket.write(bytes);
    });
  }

  test('a chunked body without Content-Length is cut off at maxBodyBytes with 413', async () => {
    const server = await liveServer(a);
    url = server.url;
    close = () => server.close();
    const chunk = 'x'.repeat(600);
    const size = chunk.length.toString(16);
    const request =
      'POST /text HTTP/1.1\r\nHost: localhost\r\nContent-Type: text/plain\r\nTransfer-Encoding: chunked\r\n\r\n' +
      `${size}\r\n${chunk}\r\n${size}\r\n${chunk}\r\n${size}\r\n${chunk}\r\n0\r\n\r\n`;
    const out = await exchange(request);
    assert.match(out, /^HTTP\/1\.1 413 /);
    assert.match(out, /\r\nconnection: close\r\n/i);
    assert.ok(out.endsWith('\r\n\r\n' + TOO_LARGE_1024), out);
  });

  test('a declared Content-Length over the limit is refused before the body is read', async () => {
    const out = await exchange('POST /text HTTP/1.1\r\nHost: localhost\r\nContent-Type: text/plain\r\nContent-Length: 1000000\r\n\r\nxxxx');
    assert.match(out, /^HTTP\/1\.1 413 /);
    assert.ok(out.endsWith(TOO_LARGE_1024), out);
  });

  test('a chunked body within the limit is read whole', async () => {
    const out = await exchange('POST /text HTTP/1.1\r\nHost: localhost\r\nContent-Type: text/plain\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n');
    assert.match(out, /^HTTP\/1\.1 200 OK\r\n/);
    assert.ok(out.endsWith('{"text":"hello world"}'), out);
  });

  test('the server keeps serving after refusing oversized bodies', async () => {
    const out = await exchange('GET /ok HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n');
    assert.match(out, /^HTTP\/1\.1 200 OK\r\n/);
    assert.ok(out.endsWith('ok'));
  });
});
