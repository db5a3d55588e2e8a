import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MultipartFieldScanner, scanBufferedField } from './multipart-token.js';

const B = 'XyZ';
const body = (parts: string[]): Buffer => Buffer.from(parts.map((p) => `--${B}\r\n${p}\r\n`).join('') + `--${B}--\r\n`);
const field = (name: string, value: string, extra = ''): string => `Content-Disposition: form-data; name="${name}"${extra}\r\n\r\n${value}`;

test('finds the field in a whole body and byte by byte', () => {
  const b = body([field('title', 'x'), field('csrf_token', 'TOKEN')]);
  assert.equal(scanBufferedField(b, B, 'csrf_token', 1024), 'TOKEN');
  const s = new MultipartFieldScanner(B, 'csrf_token', 1024);
  let out: string | null | undefined;
  for (let i = 0; i < b.length && out === undefined; i++) out = s.push(b.subarray(i, i + 1));
  assert.equal(out, 'TOKEN');
});

test('stops with null at a file part, at the end, at the limit, or on malformed input', () => {
  assert.equal(scanBufferedField(body([field('f', 'data', '; filename="a.txt"'), field('csrf_token', 'T')]), B, 'csrf_token', 1024), null);
  assert.equal(scanBufferedField(body([field('a', '1')]), B, 'csrf_token', 1024), null);
  assert.equal(scanBufferedField(body([field('a', 'x'.repeat(2000)), field('csrf_token', 'T')]), B, 'csrf_token', 1024), null);
  assert.equal(scanBufferedField(Buffer.from(`--${B}junk\r\n`), B, 'csrf_token', 1024), null);
  assert.equal(scanBufferedField(Buffer.from(''), B, 'csrf_token', 1024), null);
});

test('reads quoted names with escapes and ignores a name= inside filename=', () => {
  assert.equal(scanBufferedField(body([field('csrf_token', 'Q', '; x="a;b"')]), B, 'csrf_token', 1024), 'Q');
  const tricky = `Content-Disposition: form-data; filename="name=csrf_token"; name="other"\r\n\r\nNO`;
  assert.equal(scanBufferedField(body([tricky]), B, 'csrf_token', 1024), null);
  const escaped = `Content-Disposition: form-data; name="csrf\\_token"\r\n\r\nE`;
  assert.equal(scanBufferedField(body([escaped]), B, 'csrf_token', 1024), 'E');
});

test('a field value containing the boundary text without a leading CRLF is not cut', () => {
  assert.equal(scanBufferedField(body([field('csrf_token', `a--${B}b`)]), B, 'csrf_token', 1024), `a--${B}b`);
});
