import { test } from 'node:test';
import assert from 'node:assert/strict';
import { safeRedirectPath } from './safe-redirect.js';

const HOSTILE = [
  '//evil.example',
  '//evil.example/path',
  '/\\evil.example',
  '\\\\evil',
  '\\/evil.example',
  'https://evil.example',
  'http://evil.example/',
  'HTTPS://evil.example',
  'javascript:alert(1)',
  'JavaScript:alert(1)',
  'data:text/html,<script>alert(1)</script>',
  '/%2F%2Fevil.example',
  '/%2f%2fevil.example',
  '/%5Cevil.example',
  '/%252F%252Fevil.example',
  '/\tevil.example',
  '/\t/evil.example',
  '/\n/evil.example',
  '/\r\nLocation: https://evil.example',
  '/x\u0000',
  '/%0d%0aSet-Cookie:%20a=b',
  '/\u0085evil',
  '/x\\..\\evil',
  '///evil.example',
  'evil.example',
  '',
  `/${'a'.repeat(2048)}`,
  '/%E0%A4%A',
];

test('refuses every payload that could leave the site', () => {
  for (const p of HOSTILE) assert.equal(safeRedirectPath(p, '/home'), '/home', JSON.stringify(p));
});

test('keeps same-origin paths as given', () => {
  for (const p of ['/', '/notes', '/notes/7?page=2', '/search?q=a%2Fb&x=%5C', '/a/b#frag', '/caf%C3%A9', '/x?next=//evil.example']) {
    assert.equal(safeRedirectPath(p, '/home'), p);
  }
});

test('null, undefined and non-strings fall back', () => {
  assert.equal(safeRedirectPath(null, '/f'), '/f');
  assert.equal(safeRedirectPath(undefined, '/f'), '/f');
  assert.equal(safeRedirectPath(42 as unknown as string, '/f'), '/f');
});
