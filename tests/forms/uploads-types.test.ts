// Content types come from the bytes: the declared type is ignored, binary formats are sniffed by
// file-type, SVG and plain text by Rampart. A type outside the field's allowlist is 415 and
// leaves nothing stored.
import { test, describe, after } from 'node:test';
import assert from 'node:assert/strict';
import { testClient } from 'rampart/testing';
import {
  assertEmpty,
  GIF,
  HTML_PAGE,
  JPEG,
  multipart,
  PNG,
  SVG_WITH_SCRIPT,
  tempUploads,
  uploadApp,
  uploadError,
  WEBP,
  type UploadResult,
} from './fixtures-uploads/multipart.ts';

const t = tempUploads();
after(t.cleanup);

async function upload(accept: readonly string[], data: string | Buffer, declared = 'application/octet-stream', filename = 'upload.bin') {
  const { body, headers } = multipart([{ name: 'doc', filename, type: declared, data }]);
  return testClient(uploadApp(t.storage, { files: { doc: { accept } } })).post('/upload', { body, headers });
}

/** Uploads, expects acceptance, checks the stored bytes, and returns the sniffed type. */
async function acceptedAs(accept: readonly string[], data: string | Buffer, declared?: string): Promise<string> {
  const res = await upload(accept, data, declared);
  assert.equal(res.status, 200, res.text);
  const file = res.json<UploadResult>().files[0]!;
  assert.equal(file.size, Buffer.byteLength(data));
  const stream = await t.storage.open(file.key);
  const chunks: Buffer[] = [];
  for await (const c of stream!) chunks.push(c as Buffer);
  assert.deepEqual(Buffer.concat(chunks), Buffer.from(data));
  await t.storage.delete(file.key);
  assertEmpty(t.dir);
  return file.contentType;
}

async function refusedAs(accept: readonly string[], data: string | Buffer, type: string, declared?: string): Promise<void> {
  const res = await upload(accept, data, declared);
  assert.equal(res.status, 415, res.text);
  assert.deepEqual(
    res.json(),
    uploadError(415, `The file in field 'doc' is ${type}, which this field does not accept (accepted: ${accept.join(', ')}).`, 'E_UPLOAD_TYPE_REFUSED', { field: 'doc' }),
  );
  assertEmpty(t.dir);
}

async function notPlainText(data: string | Buffer): Promise<void> {
  const res = await upload(['text/plain'], data, 'text/plain');
  assert.equal(res.status, 415, res.text);
  assert.deepEqual(
    res.json(),
    uploadError(415, "The file in field 'doc' is not plain text: it has invalid UTF-8, a control character or HTML markup.", 'E_UPLOAD_TYPE_REFUSED', { field: 'doc' }),
  );
  assertEmpty(t.dir);
}

const IMAGES = ['image/png', 'image/jpeg', 'image/gif', 'image/webp'] as const;

describe('binary formats', () => {
  test('PNG, JPEG, GIF and WebP are recognised from their bytes', async () => {
    assert.equal(await acceptedAs(IMAGES, PNG), 'image/png');
    assert.equal(await acceptedAs(IMAGES, JPEG), 'image/jpeg');
    assert.equal(await acceptedAs(IMAGES, GIF), 'image/gif');
    assert.equal(await acceptedAs(IMAGES, WEBP), 'image/webp');
  });

  test('a PNG declared as text/html is accepted as image/png, and the declared type is kept only as a note', async () => {
    const res = await upload(['image/png'], PNG, 'text/html', 'page.html');
    assert.equal(res.status, 200);
    const file = res.json<UploadResult>().files[0]!;
    assert.deepEqual({ ...file, key: undefined }, { field: 'doc', filename: 'page.html', size: PNG.length, contentType: 'image/png', declaredType: 'text/html', key: undefined });
    await t.storage.delete(file.key);
  });

  test('an HTML page declared as image/png is refused', async () => {
    await refusedAs(['image/png'], HTML_PAGE, 'application/octet-stream', 'image/png');
  });

  test('a JPEG is refused by a PNG-only field', async () => {
    await refusedAs(['image/png'], JPEG, 'image/jpeg', 'image/png');
  });

  test('an XML document is application/xml, refused unless listed', async () => {
    const xml = '<?xml version="1.0"?>\n<note><to>x</to></note>';
    await refusedAs(['image/png', 'text/plain'], xml, 'application/xml');
    assert.equal(await acceptedAs(['application/xml'], xml), 'application/xml');
  });

  test('bytes nobody recognises are application/octet-stream, accepted only when listed', async () => {
    const noise = Buffer.from(Array.from({ length: 3000 }, (_, i) => (i * 131 + 7) & 0xff));
    await refusedAs(['image/png'], noise, 'application/octet-stream');
    assert.equal(await acceptedAs(['application/octet-stream'], noise), 'application/octet-stream');
  });

  test('an HTML page in an octet-stream field is stored as application/octet-stream, not as HTML', async () => {
    assert.equal(await acceptedAs(['application/octet-stream'], HTML_PAGE, 'text/html'), 'application/octet-stream');
  });
});

describe('SVG', () => {
  test('an SVG with a script is refused when the field does not name image/svg+xml', async () => {
    await refusedAs(['image/png', 'image/jpeg'], SVG_WITH_SCRIPT, 'image/svg+xml', 'image/png');
  });

  test('nor does text/plain or octet-stream let an SVG in', async () => {
    await refusedAs(['text/plain', 'application/octet-stream', 'application/xml'], SVG_WITH_SCRIPT, 'image/svg+xml');
  });

  test('it is accepted when the field names image/svg+xml', async () => {
    assert.equal(await acceptedAs(['image/svg+xml'], SVG_WITH_SCRIPT), 'image/svg+xml');
  });

  test('every disguise of an SVG is still an SVG', async () => {
    const disguises = [
      '<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
      '  \n<SVG onload="alert(1)"></SVG>',
      '<!-- hi --><!DOCTYPE svg PUBLIC "-//W3C//DTD SVG 1.1//EN" "http://www.w3.org/Graphics/SVG/1.1/DTD/svg11.dtd"><svg/>',
      '<!DOCTYPE svg [ <!ENTITY x "y"> ]><svg><script>alert(1)</script></svg>',
      '<x:svg xmlns:x="http://www.w3.org/2000/svg"><x:script>alert(1)</x:script></x:svg>',
      '<?xml version="1.0"?><?xml-stylesheet href="a.css"?><svg></svg>',
      '<doc><inner xmlns="http://www.w3.org/2000/svg"/></doc>',
      '\uFEFF<svg></svg>',
    ];
    for (const svg of disguises) await refusedAs(['image/png', 'text/plain', 'application/xml'], svg, 'image/svg+xml');
    await refusedAs(['image/png'], Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('<svg onload="alert(1)"/>', 'utf16le')]), 'image/svg+xml');
  });
});

describe('plain text', () => {
  test('UTF-8 text without markup is text/plain, including "a < b" and tabs and CRLF', async () => {
    assert.equal(await acceptedAs(['text/plain'], 'hello\tworld\r\nnaïve café 東京 ✓\n1 < 2 and 3 > 2\n'), 'text/plain');
  });

  test('an empty file is text/plain', async () => {
    assert.equal(await acceptedAs(['text/plain'], ''), 'text/plain');
  });

  test('a long text whose multi-byte characters straddle every chunk boundary is accepted', async () => {
    const text = 'x' + 'é東'.repeat(40_000);
    assert.equal(await acceptedAs(['text/plain'], text), 'text/plain');
  });

  test('HTML markup in the first bytes makes it not text', async () => {
    await refusedAs(['text/plain'], '<b>bold</b>', 'application/octet-stream');
    await refusedAs(['text/plain'], 'hello <!-- comment -->', 'application/octet-stream');
    await refusedAs(['text/plain'], 'x </p>', 'application/octet-stream');
  });

  test('markup far past the sniffed head is found while streaming, and the partial file is removed', async () => {
    await notPlainText('a'.repeat(100_000) + '<script>alert(1)</script>');
  });

  test('a tag split across the sniffed head and the next chunk is found', async () => {
    await notPlainText('a'.repeat(4099) + '<script>');
  });

  test('invalid UTF-8 after the head is refused', async () => {
    await notPlainText(Buffer.concat([Buffer.from('a'.repeat(50_000)), Buffer.from([0xc3, 0x28]), Buffer.from('tail')]));
  });

  test('a file ending inside a UTF-8 sequence is refused', async () => {
    await notPlainText(Buffer.concat([Buffer.from('a'.repeat(9000)), Buffer.from([0xe6, 0x9d])]));
  });

  test('a NUL or an escape sequence after the head is refused', async () => {
    await notPlainText('a'.repeat(20_000) + '\u0000');
    await notPlainText('a'.repeat(20_000) + '\u001b[2J');
  });

  test('invalid UTF-8 or a NUL in the head is not text', async () => {
    await refusedAs(['text/plain'], Buffer.from([0x61, 0xff, 0x62]), 'application/octet-stream');
    await refusedAs(['text/plain'], 'a\u0000b', 'application/octet-stream');
  });
});

describe('empty file inputs', () => {
  test('a file input left empty (filename="" and no bytes) is skipped, in any field', async () => {
    const { body, headers } = multipart([
      { name: 'doc', filename: '', data: '' },
      { name: 'undeclared', filename: '', data: '' },
      { name: 'title', value: 't' },
    ]);
    const res = await testClient(uploadApp(t.storage, { files: { doc: { accept: ['image/png'] } } })).post('/upload', { body, headers });
    assert.deepEqual(res.json(), { fields: { title: ['t'] }, files: [] });
    assertEmpty(t.dir);
  });
});
