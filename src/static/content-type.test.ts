import { test } from 'node:test';
import assert from 'node:assert/strict';
import { contentTypeFor, isCompressible } from './content-type.js';

test('types by last extension, case-insensitive, with a charset for text', () => {
  assert.equal(contentTypeFor('css/app.3f2a9c1b.css'), 'text/css; charset=utf-8');
  assert.equal(contentTypeFor('a/B.JS'), 'text/javascript; charset=utf-8');
  assert.equal(contentTypeFor('x.tar.gz'), 'application/gzip');
  assert.equal(contentTypeFor('img/photo.jpeg'), 'image/jpeg');
  assert.equal(contentTypeFor('app.wasm'), 'application/wasm');
});

test('unknown, missing, dot-only and prototype-named extensions are octet-stream', () => {
  for (const name of ['LICENSE', 'a/b.unknownext', 'dir.d/file', '.bashrc', 'x.', 'x.constructor', 'x.__proto__', 'x.toString']) {
    assert.equal(contentTypeFor(name), 'application/octet-stream', name);
  }
});

test('text formats are compressible, images and fonts that are compressed already are not', () => {
  assert.equal(isCompressible(contentTypeFor('a.css')), true);
  assert.equal(isCompressible(contentTypeFor('a.svg')), true);
  assert.equal(isCompressible(contentTypeFor('a.json')), true);
  assert.equal(isCompressible(contentTypeFor('a.png')), false);
  assert.equal(isCompressible(contentTypeFor('a.woff2')), false);
  assert.equal(isCompressible(contentTypeFor('a.bin')), false);
});
