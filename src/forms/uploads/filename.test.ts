import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { contentDisposition, FALLBACK_FILENAME, MAX_FILENAME_LENGTH, sanitizeFilename } from './filename.js';

describe('sanitizeFilename', () => {
  const cases: [string | undefined, string][] = [
    ['photo.png', 'photo.png'],
    ['../../etc/passwd', 'passwd'],
    ['..\\..\\x', 'x'],
    ['C:\\Users\\me\\cv.pdf', 'cv.pdf'],
    ['a／b＼c.txt', 'c.txt'],
    ['<script>.html', '_script_.html'],
    ['a:b|c?d*e"f.txt', 'a_b_c_d_e_f.txt'],
    ['evil.php\u0000.png', 'evil.php.png'],
    ['line\r\nbreak.txt', 'linebreak.txt'],
    ['tab\there.txt', 'tabhere.txt'],
    ['invoice\u202Egnp.exe', 'invoicegnp.exe'],
    ['zero\u200Bwidth\uFEFF.txt', 'zerowidth.txt'],
    ['  .hidden  ', 'hidden'],
    ['name. . .', 'name'],
    ['a   b\u00A0\u3000c.txt', 'a b c.txt'],
    ['履歴書.pdf', '履歴書.pdf'],
    ['Ünïcödé 👩‍💻.txt', 'Ünïcödé 👩‍💻.txt'],
    ['e\u0301.txt', 'é.txt'],
    ['..', FALLBACK_FILENAME],
    ['', FALLBACK_FILENAME],
    ['/', FALLBACK_FILENAME],
    ['\u0000\u0001', FALLBACK_FILENAME],
    [undefined, FALLBACK_FILENAME],
    ['lone\uD800surrogate.txt', 'lonesurrogate.txt'],
  ];
  for (const [input, expected] of cases) {
    test(`${JSON.stringify(input)} -> ${JSON.stringify(expected)}`, () => {
      assert.equal(sanitizeFilename(input), expected);
    });
  }

  test('a long name is cut to the limit, keeping the extension', () => {
    assert.equal(sanitizeFilename('a'.repeat(296) + '.png'), 'a'.repeat(196) + '.png');
    assert.equal(sanitizeFilename('a'.repeat(300)), 'a'.repeat(MAX_FILENAME_LENGTH));
  });

  test('the limit counts characters, not UTF-16 units, and never splits an emoji', () => {
    const out = sanitizeFilename('😀'.repeat(250) + '.txt');
    assert.equal(Array.from(out).length, MAX_FILENAME_LENGTH);
    assert.equal(out, '😀'.repeat(196) + '.txt');
  });

  test('an extension longer than 16 characters is not kept whole', () => {
    const out = sanitizeFilename('a'.repeat(250) + '.' + 'x'.repeat(30));
    assert.equal(out, 'a'.repeat(MAX_FILENAME_LENGTH));
  });
});

describe('contentDisposition', () => {
  test('ASCII names are the same in both parameters', () => {
    assert.equal(contentDisposition('attachment', 'report.pdf'), `attachment; filename="report.pdf"; filename*=UTF-8''report.pdf`);
  });

  test('non-ASCII, quotes, backslashes and % become _ in the fallback and are percent-encoded in filename*', () => {
    assert.equal(
      contentDisposition('inline', 'naïve 100%.png'),
      `inline; filename="na_ve 100_.png"; filename*=UTF-8''na%C3%AFve%20100%25.png`,
    );
  });

  test("' ( ) * are percent-encoded in filename* (RFC 8187 attr-char)", () => {
    assert.equal(contentDisposition('attachment', "it's (a) *.txt"), `attachment; filename="it's (a) _.txt"; filename*=UTF-8''it%27s%20%28a%29%20_.txt`);
  });

  test('the name is sanitized first, so no header injection is possible', () => {
    assert.equal(contentDisposition('attachment', 'a\r\nSet-Cookie: x=1.txt'), `attachment; filename="aSet-Cookie_ x=1.txt"; filename*=UTF-8''aSet-Cookie_%20x%3D1.txt`);
  });
});
