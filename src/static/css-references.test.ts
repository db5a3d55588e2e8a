import { test } from 'node:test';
import assert from 'node:assert/strict';
import { referencedPath, rewriteCssReferences } from './css-references.js';

test('referencedPath resolves relative references inside the static folder only', () => {
  const cases: [string, string | null][] = [
    ['../img/logo.png', 'img/logo.png'],
    ['./fonts/a.woff2?v=3#iefix', 'css/fonts/a.woff2'],
    ['b.css', 'css/b.css'],
    ['  ../img/x.png  ', 'img/x.png'],
    ['../../outside.png', null],
    ['../../../etc/passwd', null],
    ['/static/img/x.png', null],
    ['//cdn.example/x.png', null],
    ['https://cdn.example/x.png', null],
    ['data:image/png;base64,AAAA', null],
    ['DATA:image/png;base64,AAAA', null],
    ['javascript:alert(1)', null],
    ['#filter', null],
    ['?v=1', null],
    ['', null],
  ];
  for (const [ref, expected] of cases) assert.equal(referencedPath('css/app.css', ref), expected, ref);
});

test('rewriteCssReferences replaces known references and keeps every other byte', () => {
  const hashed: Record<string, string> = {
    'img/bg.png': 'img/bg.11111111.png',
    'css/fonts/a.woff2': 'css/fonts/a.22222222.woff2',
    'css/base.css': 'css/base.33333333.css',
  };
  const of = (p: string) => hashed[p];
  const css = [
    'body { background: url(../img/bg.png) no-repeat; }',
    "@font-face { src: url('./fonts/a.woff2?v=3#iefix') format('woff2'), url( \"fonts/a.woff2\" ); }",
    '@import "base.css";',
    "@import 'base.css' screen;",
    '@import url(base.css);',
    '.x { background: URL(../img/bg.png); }',
    '.y { background: url(data:image/png;base64,AAAA); mask: url(#m); cursor: url(https://cdn.example/c.cur), auto; }',
    '.z { background: url(../img/missing.png); }',
    '/* url(../img/bg.png) in a comment is rewritten too, harmlessly */',
  ].join('\n');
  const out = rewriteCssReferences(css, 'css/app.css', of);
  assert.equal(
    out,
    [
      'body { background: url(../img/bg.11111111.png) no-repeat; }',
      "@font-face { src: url('./fonts/a.22222222.woff2?v=3#iefix') format('woff2'), url( \"fonts/a.22222222.woff2\" ); }",
      '@import "base.33333333.css";',
      "@import 'base.33333333.css' screen;",
      '@import url(base.33333333.css);',
      '.x { background: URL(../img/bg.11111111.png); }',
      '.y { background: url(data:image/png;base64,AAAA); mask: url(#m); cursor: url(https://cdn.example/c.cur), auto; }',
      '.z { background: url(../img/missing.png); }',
      '/* url(../img/bg.11111111.png) in a comment is rewritten too, harmlessly */',
    ].join('\n'),
  );
  assert.equal(rewriteCssReferences('a{}', 'app.css', of), 'a{}');
});
