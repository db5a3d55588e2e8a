import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import '../../tests/helpers/property-seed.ts';
import { parse } from 'parse5';
import ts from 'typescript';
import { html as htmlTag, trustedHtml } from '../http/html.js';
import {
  ESCAPERS, SAFE_URL_FALLBACK, attr, attrUnquoted, attrUnquotedRest, cssString, cssStringAttrUnquoted, html,
  jsString, jsStringAttrUnquoted, jsValue, rcdata, url, urlPart, urlPartUnquoted, urlUnquoted, urlUnquotedRest,
} from './escape.js';
import { HtmlContextTracker, chooseEscaper } from './html-context.js';
import type { EscaperName, HtmlContext } from './html-context.js';
import { assertLinear } from '../../tests/helpers/linear.ts';

const NAMES: EscaperName[] = [
  'html', 'rcdata', 'attr', 'attrUnquoted', 'attrUnquotedRest', 'url', 'urlUnquoted', 'urlUnquotedRest',
  'urlPart', 'urlPartUnquoted', 'jsValue', 'jsString', 'jsStringAttr', 'jsStringAttrUnquoted', 'cssString',
  'cssStringAttr', 'cssStringAttrUnquoted',
];

const PAYLOADS = [
  '<script>alert(1)</script>',
  '"><img src=x onerror=alert(1)>',
  "' onmouseover='alert(1)",
  'x onmouseover=alert(1)',
  'javascript:alert(1)',
  'JaVaScRiPt:alert(1)',
  '&#106;avascript:alert(1)',
  'java\tscript:alert(1)',
  ' javascript:alert(1)',
  'data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==',
  'vbscript:msgbox(1)',
  '</script><script>alert(1)</script>',
  '</style><script>',
  '\u2028',
  '{{ 7*7 }}',
];

// The exact output of every escaper for every classic payload, in PAYLOADS order.
const EXPECTED: Record<EscaperName, string[]> = {
  html: [
    "&lt;script&gt;alert(1)&lt;/script&gt;",
    "&quot;&gt;&lt;img src=x onerror=alert(1)&gt;",
    "&#39; onmouseover=&#39;alert(1)",
    "x onmouseover=alert(1)",
    "javascript:alert(1)",
    "JaVaScRiPt:alert(1)",
    "&amp;#106;avascript:alert(1)",
    "java\tscript:alert(1)",
    " javascript:alert(1)",
    "data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==",
    "vbscript:msgbox(1)",
    "&lt;/script&gt;&lt;script&gt;alert(1)&lt;/script&gt;",
    "&lt;/style&gt;&lt;script&gt;",
    "\u2028",
    "{{ 7*7 }}",
  ],
  rcdata: [
    "&lt;script&gt;alert(1)&lt;/script&gt;",
    "&quot;&gt;&lt;img src=x onerror=alert(1)&gt;",
    "&#39; onmouseover=&#39;alert(1)",
    "x onmouseover=alert(1)",
    "javascript:alert(1)",
    "JaVaScRiPt:alert(1)",
    "&amp;#106;avascript:alert(1)",
    "java\tscript:alert(1)",
    " javascript:alert(1)",
    "data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==",
    "vbscript:msgbox(1)",
    "&lt;/script&gt;&lt;script&gt;alert(1)&lt;/script&gt;",
    "&lt;/style&gt;&lt;script&gt;",
    "\u2028",
    "{{ 7*7 }}",
  ],
  attr: [
    "&lt;script&gt;alert(1)&lt;/script&gt;",
    "&quot;&gt;&lt;img src=x onerror=alert(1)&gt;",
    "&#39; onmouseover=&#39;alert(1)",
    "x onmouseover=alert(1)",
    "javascript:alert(1)",
    "JaVaScRiPt:alert(1)",
    "&amp;#106;avascript:alert(1)",
    "java\tscript:alert(1)",
    " javascript:alert(1)",
    "data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==",
    "vbscript:msgbox(1)",
    "&lt;/script&gt;&lt;script&gt;alert(1)&lt;/script&gt;",
    "&lt;/style&gt;&lt;script&gt;",
    "\u2028",
    "{{ 7*7 }}",
  ],
  attrUnquoted: [
    "&lt;script&gt;alert&#40;1&#41;&lt;&#47;script&gt;",
    "&quot;&gt;&lt;img&#32;src&#61;x&#32;onerror&#61;alert&#40;1&#41;&gt;",
    "&#39;&#32;onmouseover&#61;&#39;alert&#40;1&#41;",
    "x&#32;onmouseover&#61;alert&#40;1&#41;",
    "javascript&#58;alert&#40;1&#41;",
    "JaVaScRiPt&#58;alert&#40;1&#41;",
    "&amp;&#35;106&#59;avascript&#58;alert&#40;1&#41;",
    "java&#9;script&#58;alert&#40;1&#41;",
    "&#32;javascript&#58;alert&#40;1&#41;",
    "data&#58;text&#47;html&#59;base64&#44;PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg&#61;&#61;",
    "vbscript&#58;msgbox&#40;1&#41;",
    "&lt;&#47;script&gt;&lt;script&gt;alert&#40;1&#41;&lt;&#47;script&gt;",
    "&lt;&#47;style&gt;&lt;script&gt;",
    "\u2028",
    "&#123;&#123;&#32;7&#42;7&#32;&#125;&#125;",
  ],
  // The same for every non-empty value.
  attrUnquotedRest: [
    "&lt;script&gt;alert&#40;1&#41;&lt;&#47;script&gt;",
    "&quot;&gt;&lt;img&#32;src&#61;x&#32;onerror&#61;alert&#40;1&#41;&gt;",
    "&#39;&#32;onmouseover&#61;&#39;alert&#40;1&#41;",
    "x&#32;onmouseover&#61;alert&#40;1&#41;",
    "javascript&#58;alert&#40;1&#41;",
    "JaVaScRiPt&#58;alert&#40;1&#41;",
    "&amp;&#35;106&#59;avascript&#58;alert&#40;1&#41;",
    "java&#9;script&#58;alert&#40;1&#41;",
    "&#32;javascript&#58;alert&#40;1&#41;",
    "data&#58;text&#47;html&#59;base64&#44;PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg&#61;&#61;",
    "vbscript&#58;msgbox&#40;1&#41;",
    "&lt;&#47;script&gt;&lt;script&gt;alert&#40;1&#41;&lt;&#47;script&gt;",
    "&lt;&#47;style&gt;&lt;script&gt;",
    "\u2028",
    "&#123;&#123;&#32;7&#42;7&#32;&#125;&#125;",
  ],
  url: [
    "%3Cscript%3Ealert%281%29%3C/script%3E",
    "%22%3E%3Cimg%20src=x%20onerror=alert%281%29%3E",
    "%27%20onmouseover=%27alert%281%29",
    "x%20onmouseover=alert%281%29",
    "about:invalid#rampart-blocked",
    "about:invalid#rampart-blocked",
    "&amp;#106;avascript:alert%281%29",
    "about:invalid#rampart-blocked",
    "about:invalid#rampart-blocked",
    "about:invalid#rampart-blocked",
    "about:invalid#rampart-blocked",
    "%3C/script%3E%3Cscript%3Ealert%281%29%3C/script%3E",
    "%3C/style%3E%3Cscript%3E",
    "%E2%80%A8",
    "%7B%7B%207*7%20%7D%7D",
  ],
  urlUnquoted: [
    "%3Cscript%3Ealert%281%29%3C/script%3E",
    "%22%3E%3Cimg%20src=x%20onerror=alert%281%29%3E",
    "%27%20onmouseover=%27alert%281%29",
    "x%20onmouseover=alert%281%29",
    "about:invalid#rampart-blocked",
    "about:invalid#rampart-blocked",
    "&amp;#106;avascript:alert%281%29",
    "about:invalid#rampart-blocked",
    "about:invalid#rampart-blocked",
    "about:invalid#rampart-blocked",
    "about:invalid#rampart-blocked",
    "%3C/script%3E%3Cscript%3Ealert%281%29%3C/script%3E",
    "%3C/style%3E%3Cscript%3E",
    "%E2%80%A8",
    "%7B%7B%207*7%20%7D%7D",
  ],
  urlUnquotedRest: [
    "%3Cscript%3Ealert%281%29%3C/script%3E",
    "%22%3E%3Cimg%20src=x%20onerror=alert%281%29%3E",
    "%27%20onmouseover=%27alert%281%29",
    "x%20onmouseover=alert%281%29",
    "about:invalid#rampart-blocked",
    "about:invalid#rampart-blocked",
    "&amp;#106;avascript:alert%281%29",
    "about:invalid#rampart-blocked",
    "about:invalid#rampart-blocked",
    "about:invalid#rampart-blocked",
    "about:invalid#rampart-blocked",
    "%3C/script%3E%3Cscript%3Ealert%281%29%3C/script%3E",
    "%3C/style%3E%3Cscript%3E",
    "%E2%80%A8",
    "%7B%7B%207*7%20%7D%7D",
  ],
  urlPart: [
    "%3Cscript%3Ealert%281%29%3C%2Fscript%3E",
    "%22%3E%3Cimg%20src%3Dx%20onerror%3Dalert%281%29%3E",
    "%27%20onmouseover%3D%27alert%281%29",
    "x%20onmouseover%3Dalert%281%29",
    "javascript%3Aalert%281%29",
    "JaVaScRiPt%3Aalert%281%29",
    "%26%23106%3Bavascript%3Aalert%281%29",
    "java%09script%3Aalert%281%29",
    "%20javascript%3Aalert%281%29",
    "data%3Atext%2Fhtml%3Bbase64%2CPHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg%3D%3D",
    "vbscript%3Amsgbox%281%29",
    "%3C%2Fscript%3E%3Cscript%3Ealert%281%29%3C%2Fscript%3E",
    "%3C%2Fstyle%3E%3Cscript%3E",
    "%E2%80%A8",
    "%7B%7B%207%2A7%20%7D%7D",
  ],
  urlPartUnquoted: [
    "%3Cscript%3Ealert%281%29%3C%2Fscript%3E",
    "%22%3E%3Cimg%20src%3Dx%20onerror%3Dalert%281%29%3E",
    "%27%20onmouseover%3D%27alert%281%29",
    "x%20onmouseover%3Dalert%281%29",
    "javascript%3Aalert%281%29",
    "JaVaScRiPt%3Aalert%281%29",
    "%26%23106%3Bavascript%3Aalert%281%29",
    "java%09script%3Aalert%281%29",
    "%20javascript%3Aalert%281%29",
    "data%3Atext%2Fhtml%3Bbase64%2CPHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg%3D%3D",
    "vbscript%3Amsgbox%281%29",
    "%3C%2Fscript%3E%3Cscript%3Ealert%281%29%3C%2Fscript%3E",
    "%3C%2Fstyle%3E%3Cscript%3E",
    "%E2%80%A8",
    "%7B%7B%207%2A7%20%7D%7D",
  ],
  jsValue: [
    "\"\\u003cscript\\u003ealert(1)\\u003c/script\\u003e\"",
    "\"\\\"\\u003e\\u003cimg src=x onerror=alert(1)\\u003e\"",
    "\"' onmouseover='alert(1)\"",
    "\"x onmouseover=alert(1)\"",
    "\"javascript:alert(1)\"",
    "\"JaVaScRiPt:alert(1)\"",
    "\"\\u0026#106;avascript:alert(1)\"",
    "\"java\\tscript:alert(1)\"",
    "\" javascript:alert(1)\"",
    "\"data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==\"",
    "\"vbscript:msgbox(1)\"",
    "\"\\u003c/script\\u003e\\u003cscript\\u003ealert(1)\\u003c/script\\u003e\"",
    "\"\\u003c/style\\u003e\\u003cscript\\u003e\"",
    "\"\\u2028\"",
    "\"{{ 7*7 }}\"",
  ],
  jsString: [
    "\\u003cscript\\u003ealert(1)\\u003c/script\\u003e",
    "\\u0022\\u003e\\u003cimg src\\u003dx onerror\\u003dalert(1)\\u003e",
    "\\u0027 onmouseover\\u003d\\u0027alert(1)",
    "x onmouseover\\u003dalert(1)",
    "javascript:alert(1)",
    "JaVaScRiPt:alert(1)",
    "\\u0026#106;avascript:alert(1)",
    "java\\u0009script:alert(1)",
    " javascript:alert(1)",
    "data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg\\u003d\\u003d",
    "vbscript:msgbox(1)",
    "\\u003c/script\\u003e\\u003cscript\\u003ealert(1)\\u003c/script\\u003e",
    "\\u003c/style\\u003e\\u003cscript\\u003e",
    "\\u2028",
    "\\u007b\\u007b 7*7 \\u007d\\u007d",
  ],
  jsStringAttr: [
    "\\u003cscript\\u003ealert(1)\\u003c/script\\u003e",
    "\\u0022\\u003e\\u003cimg src\\u003dx onerror\\u003dalert(1)\\u003e",
    "\\u0027 onmouseover\\u003d\\u0027alert(1)",
    "x onmouseover\\u003dalert(1)",
    "javascript:alert(1)",
    "JaVaScRiPt:alert(1)",
    "\\u0026#106;avascript:alert(1)",
    "java\\u0009script:alert(1)",
    " javascript:alert(1)",
    "data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg\\u003d\\u003d",
    "vbscript:msgbox(1)",
    "\\u003c/script\\u003e\\u003cscript\\u003ealert(1)\\u003c/script\\u003e",
    "\\u003c/style\\u003e\\u003cscript\\u003e",
    "\\u2028",
    "\\u007b\\u007b 7*7 \\u007d\\u007d",
  ],
  jsStringAttrUnquoted: [
    "&#92;u003cscript&#92;u003ealert&#40;1&#41;&#92;u003c&#47;script&#92;u003e",
    "&#92;u0022&#92;u003e&#92;u003cimg&#32;src&#92;u003dx&#32;onerror&#92;u003dalert&#40;1&#41;&#92;u003e",
    "&#92;u0027&#32;onmouseover&#92;u003d&#92;u0027alert&#40;1&#41;",
    "x&#32;onmouseover&#92;u003dalert&#40;1&#41;",
    "javascript&#58;alert&#40;1&#41;",
    "JaVaScRiPt&#58;alert&#40;1&#41;",
    "&#92;u0026&#35;106&#59;avascript&#58;alert&#40;1&#41;",
    "java&#92;u0009script&#58;alert&#40;1&#41;",
    "&#32;javascript&#58;alert&#40;1&#41;",
    "data&#58;text&#47;html&#59;base64&#44;PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg&#92;u003d&#92;u003d",
    "vbscript&#58;msgbox&#40;1&#41;",
    "&#92;u003c&#47;script&#92;u003e&#92;u003cscript&#92;u003ealert&#40;1&#41;&#92;u003c&#47;script&#92;u003e",
    "&#92;u003c&#47;style&#92;u003e&#92;u003cscript&#92;u003e",
    "&#92;u2028",
    "&#92;u007b&#92;u007b&#32;7&#42;7&#32;&#92;u007d&#92;u007d",
  ],
  cssString: [
    "\\3c script\\3e alert\\28 1\\29 \\3c \\2f script\\3e ",
    "\\22 \\3e \\3c img\\20 src\\3d x\\20 onerror\\3d alert\\28 1\\29 \\3e ",
    "\\27 \\20 onmouseover\\3d \\27 alert\\28 1\\29 ",
    "x\\20 onmouseover\\3d alert\\28 1\\29 ",
    "javascript\\3a alert\\28 1\\29 ",
    "JaVaScRiPt\\3a alert\\28 1\\29 ",
    "\\26 \\23 106\\3b avascript\\3a alert\\28 1\\29 ",
    "java\\9 script\\3a alert\\28 1\\29 ",
    "\\20 javascript\\3a alert\\28 1\\29 ",
    "data\\3a text\\2f html\\3b base64\\2c PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg\\3d \\3d ",
    "vbscript\\3a msgbox\\28 1\\29 ",
    "\\3c \\2f script\\3e \\3c script\\3e alert\\28 1\\29 \\3c \\2f script\\3e ",
    "\\3c \\2f style\\3e \\3c script\\3e ",
    "\\2028 ",
    "\\7b \\7b \\20 7\\2a 7\\20 \\7d \\7d ",
  ],
  cssStringAttr: [
    "\\3c script\\3e alert\\28 1\\29 \\3c \\2f script\\3e ",
    "\\22 \\3e \\3c img\\20 src\\3d x\\20 onerror\\3d alert\\28 1\\29 \\3e ",
    "\\27 \\20 onmouseover\\3d \\27 alert\\28 1\\29 ",
    "x\\20 onmouseover\\3d alert\\28 1\\29 ",
    "javascript\\3a alert\\28 1\\29 ",
    "JaVaScRiPt\\3a alert\\28 1\\29 ",
    "\\26 \\23 106\\3b avascript\\3a alert\\28 1\\29 ",
    "java\\9 script\\3a alert\\28 1\\29 ",
    "\\20 javascript\\3a alert\\28 1\\29 ",
    "data\\3a text\\2f html\\3b base64\\2c PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg\\3d \\3d ",
    "vbscript\\3a msgbox\\28 1\\29 ",
    "\\3c \\2f script\\3e \\3c script\\3e alert\\28 1\\29 \\3c \\2f script\\3e ",
    "\\3c \\2f style\\3e \\3c script\\3e ",
    "\\2028 ",
    "\\7b \\7b \\20 7\\2a 7\\20 \\7d \\7d ",
  ],
  cssStringAttrUnquoted: [
    "&#92;3c&#32;script&#92;3e&#32;alert&#92;28&#32;1&#92;29&#32;&#92;3c&#32;&#92;2f&#32;script&#92;3e&#32;",
    "&#92;22&#32;&#92;3e&#32;&#92;3c&#32;img&#92;20&#32;src&#92;3d&#32;x&#92;20&#32;onerror&#92;3d&#32;alert&#92;28&#32;1&#92;29&#32;&#92;3e&#32;",
    "&#92;27&#32;&#92;20&#32;onmouseover&#92;3d&#32;&#92;27&#32;alert&#92;28&#32;1&#92;29&#32;",
    "x&#92;20&#32;onmouseover&#92;3d&#32;alert&#92;28&#32;1&#92;29&#32;",
    "javascript&#92;3a&#32;alert&#92;28&#32;1&#92;29&#32;",
    "JaVaScRiPt&#92;3a&#32;alert&#92;28&#32;1&#92;29&#32;",
    "&#92;26&#32;&#92;23&#32;106&#92;3b&#32;avascript&#92;3a&#32;alert&#92;28&#32;1&#92;29&#32;",
    "java&#92;9&#32;script&#92;3a&#32;alert&#92;28&#32;1&#92;29&#32;",
    "&#92;20&#32;javascript&#92;3a&#32;alert&#92;28&#32;1&#92;29&#32;",
    "data&#92;3a&#32;text&#92;2f&#32;html&#92;3b&#32;base64&#92;2c&#32;PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg&#92;3d&#32;&#92;3d&#32;",
    "vbscript&#92;3a&#32;msgbox&#92;28&#32;1&#92;29&#32;",
    "&#92;3c&#32;&#92;2f&#32;script&#92;3e&#32;&#92;3c&#32;script&#92;3e&#32;alert&#92;28&#32;1&#92;29&#32;&#92;3c&#32;&#92;2f&#32;script&#92;3e&#32;",
    "&#92;3c&#32;&#92;2f&#32;style&#92;3e&#32;&#92;3c&#32;script&#92;3e&#32;",
    "&#92;2028&#32;",
    "&#92;7b&#32;&#92;7b&#32;&#92;20&#32;7&#92;2a&#32;7&#92;20&#32;&#92;7d&#32;&#92;7d&#32;",
  ],
};

test('the classic payloads, escaped for every context', () => {
  for (const name of NAMES) {
    const expected = EXPECTED[name];
    assert.equal(expected.length, PAYLOADS.length, name);
    PAYLOADS.forEach((payload, i) => {
      assert.equal(ESCAPERS[name](payload), expected[i], `${name}(${JSON.stringify(payload)})`);
    });
  }
});

test('ESCAPERS has every escaper by name, frozen', () => {
  assert.deepEqual(Object.keys(ESCAPERS).sort(), [...NAMES].sort());
  assert.ok(Object.isFrozen(ESCAPERS));
  assert.equal(ESCAPERS.html, html);
  assert.equal(ESCAPERS.url, url);
  assert.equal(SAFE_URL_FALLBACK, 'about:invalid#rampart-blocked');
});

// --- values to text ---------------------------------------------------------------------------

test('null and undefined are empty everywhere but in jsValue', () => {
  for (const name of NAMES) {
    // Only the escapers for the start of an unquoted value write an empty value as `""`.
    const expected = name === 'jsValue' ? 'null' : name === 'attrUnquoted' || name === 'urlUnquoted' ? '""' : '';
    assert.equal(ESCAPERS[name](null), expected, name);
    assert.equal(ESCAPERS[name](undefined), expected, name);
  }
});

test('other values go through String(), except in jsValue', () => {
  assert.equal(html(42), '42');
  assert.equal(html(true), 'true');
  assert.equal(html(10n), '10');
  assert.equal(attr({ toString: () => '<b>' }), '&lt;b&gt;');
  assert.equal(html(['<a>', 'b']), '&lt;a&gt;,b');
  assert.equal(urlPart(3.5), '3.5');
  assert.equal(jsString(Symbol('s')), 'Symbol(s)');
  assert.equal(jsValue({ toString: () => 'x' }), '{}');
});

test('SafeHtml passes through only in element text', () => {
  const safe = htmlTag`<b>${'a&b'}</b>`;
  assert.equal(html(safe), '<b>a&amp;b</b>');
  assert.equal(html(trustedHtml('<i>x</i>')), '<i>x</i>');
  assert.equal(rcdata(safe), '&lt;b&gt;a&amp;amp;b&lt;/b&gt;');
  assert.equal(attr(safe), '&lt;b&gt;a&amp;amp;b&lt;/b&gt;');
  assert.equal(attrUnquoted(safe), '&lt;b&gt;a&amp;amp&#59;b&lt;&#47;b&gt;');
  assert.equal(url(safe), '%3Cb%3Ea&amp;amp;b%3C/b%3E');
  assert.equal(urlPart(safe), '%3Cb%3Ea%26amp%3Bb%3C%2Fb%3E');
  assert.equal(jsValue(safe), '"\\u003cb\\u003ea\\u0026amp;b\\u003c/b\\u003e"');
  assert.equal(jsString(safe), '\\u003cb\\u003ea\\u0026amp;b\\u003c/b\\u003e');
  assert.equal(cssString(safe), '\\3c b\\3e a\\26 amp\\3b b\\3c \\2f b\\3e ');
  // A look-alike is a plain object, escaped like any value.
  assert.equal(html({ __html: '<b>' }), '[object Object]');
  assert.equal(html({ toString: () => '<b>' }), '&lt;b&gt;');
});

test('fast paths return the very same string', () => {
  const plain = 'Hello world 123 é';
  for (const name of ['html', 'rcdata', 'attr', 'jsString', 'jsStringAttr'] as const) {
    assert.ok(Object.is(ESCAPERS[name](plain), plain), name);
  }
  const word = 'abc-DEF_1.2';
  assert.ok(Object.is(attrUnquoted(word), word));
  assert.ok(Object.is(urlPart(word), word));
  assert.ok(Object.is(cssString('abcDEF123'), 'abcDEF123'));
  const link = 'https://example.com/a/b?c=1#d';
  assert.ok(Object.is(url(link), link));
});

// --- attributes -------------------------------------------------------------------------------

test('attr escapes quotes of both kinds and the backtick', () => {
  assert.equal(attr(`a"b'c\`d&e<f>g=h i`), 'a&quot;b&#39;c&#96;d&amp;e&lt;f&gt;g=h i');
});

test('attrUnquoted leaves only [A-Za-z0-9_.-] and non-ASCII as they are', () => {
  assert.equal(attrUnquoted('a b'), 'a&#32;b');
  assert.equal(attrUnquoted('a\tb\nc\fd\re'), 'a&#9;b&#10;c&#12;d&#13;e');
  assert.equal(attrUnquoted('a=b>c<d"e\'f`g/h'), 'a&#61;b&gt;c&lt;d&quot;e&#39;f&#96;g&#47;h');
  assert.equal(attrUnquoted('é日本😀\u00a0\u3000'), 'é日本😀\u00a0\u3000');
  assert.equal(attrUnquoted('\0'), '&#0;');
  // An empty value would let the next attribute become the value: `title= href=x`.
  assert.equal(attrUnquoted(''), '""');
  assert.equal(attrUnquoted(null), '""');
});

test('attrUnquotedRest is attrUnquoted, but adds nothing for an empty value', () => {
  // Chosen after the first character of the value (`class=a{{ x }}`), where `""` would be text.
  assert.equal(attrUnquotedRest(''), '');
  assert.equal(attrUnquotedRest(null), '');
  assert.equal(attrUnquotedRest(undefined), '');
  assert.equal(attrUnquotedRest('a b'), 'a&#32;b');
  assert.equal(attrUnquotedRest('a=b>c<d"e\'f`g/h'), attrUnquoted('a=b>c<d"e\'f`g/h'));
  const word = 'abc-DEF_1.2';
  assert.ok(Object.is(attrUnquotedRest(word), word));
});

// --- URLs -------------------------------------------------------------------------------------

test('url lets http, https, mailto, tel and relative URLs through', () => {
  assert.equal(url('http://example.com/'), 'http://example.com/');
  assert.equal(url('HTTPS://EXAMPLE.COM/A'), 'HTTPS://EXAMPLE.COM/A');
  assert.equal(url('mailto:a@example.com?subject=hi there'), 'mailto:a@example.com?subject=hi%20there');
  assert.equal(url('tel:+1-555-0100'), 'tel:+1-555-0100');
  assert.equal(url('/path/to?x=1&y=2#frag'), '/path/to?x=1&amp;y=2#frag');
  assert.equal(url('//cdn.example.com/a.js'), '//cdn.example.com/a.js');
  assert.equal(url('?page=2'), '?page=2');
  assert.equal(url('#top'), '#top');
  assert.equal(url('./a:b'), './a:b');
  assert.equal(url('../up'), '../up');
  assert.equal(url('a/b:c'), 'a/b:c');
  assert.equal(url('a?b:c'), 'a?b:c');
  assert.equal(url('100%25'), '100%25');
  assert.equal(url('a%zz'), 'a%zz');
  assert.equal(url('  /trimmed\t '), '/trimmed');
});

test('url turns a bare scheme-like word into ./word, so a literal colon after it cannot make a scheme', () => {
  assert.equal(url('javascript'), './javascript');
  assert.equal(url('page.html'), './page.html');
  assert.equal(url('a+b-c.d'), './a+b-c.d');
  assert.equal(url('2024'), '2024');
  assert.equal(url('page/'), 'page/');
});

test('url blocks every other scheme, however it is disguised', () => {
  for (const bad of [
    'javascript:alert(1)', 'JAVASCRIPT:alert(1)', 'JaVaScRiPt:alert(1)', ' javascript:alert(1)',
    '\u0000javascript:alert(1)', '\u0001\u001fjavascript:alert(1)', 'java\tscript:alert(1)',
    'java\nscript:alert(1)', 'java\rscript:alert(1)', 'javascript\t:alert(1)', '\tjavascript:alert(1)',
    'javascript:alert(1)\n', 'vbscript:msgbox(1)', 'data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==',
    'DATA:text/html,<script>', 'file:///etc/passwd', 'blob:https://x/1', 'ftp://x/', 'about:blank',
    'livescript:x', 'mocha:x', 'javascrİpt:alert(1)', ':nothing', '1a:b',
  ]) {
    assert.equal(url(bad), SAFE_URL_FALLBACK, JSON.stringify(bad));
    assert.equal(urlUnquoted(bad), SAFE_URL_FALLBACK, JSON.stringify(bad));
  }
});

test('url leaves character references in data inert: the browser decodes the attribute once', () => {
  // The attribute decodes to `&#106;avascript:...`, a relative URL whose fragment starts at `#`.
  assert.equal(url('&#106;avascript:alert(1)'), '&amp;#106;avascript:alert%281%29');
  assert.equal(url('jav&#x09;ascript:alert(1)'), 'jav&amp;#x09;ascript:alert%281%29');
  assert.equal(url('javascript&colon;alert(1)'), 'javascript&amp;colon;alert%281%29');
});

test('url percent-encodes what is not allowed in URLs and keeps what is', () => {
  assert.equal(url('/a b"c\'d<e>f`g\\h^i{j}k|l'), '/a%20b%22c%27d%3Ce%3Ef%60g%5Ch%5Ei%7Bj%7Dk%7Cl');
  assert.equal(url('/(x)'), '/%28x%29');
  assert.equal(url("/-._~:/?#[]@!$&*+,;=%"), '/-._~:/?#[]@!$&amp;*+,;=%');
  assert.equal(url('/é/日本/😀'), '/%C3%A9/%E6%97%A5%E6%9C%AC/%F0%9F%98%80');
  assert.equal(url('/\ud800x\udc00'), '/%EF%BF%BDx%EF%BF%BD');
  assert.equal(url('/a\tb\nc\rd'), '/abcd');
  assert.equal(url('/a\u0000b\u007f'), '/a%00b%7F');
  assert.equal(url(''), '');
  assert.equal(urlUnquoted(''), '""');
  assert.equal(urlUnquoted('   '), '""');
  // Where a URL starts inside an unquoted value (`srcset=,{{ u }}`), empty adds nothing.
  assert.equal(urlUnquotedRest(''), '');
  assert.equal(urlUnquotedRest('   '), '');
  assert.equal(urlUnquotedRest('/a b'), '/a%20b');
  assert.equal(urlUnquotedRest('javascript:alert(1)'), SAFE_URL_FALLBACK);
  assert.equal(urlUnquotedRest('javascript'), './javascript');
});

test('urlPart encodes like encodeURIComponent plus !\'()*', () => {
  assert.equal(urlPart("a b&c=d/e?f#g:h!i'j(k)l*m~n"), 'a%20b%26c%3Dd%2Fe%3Ff%23g%3Ah%21i%27j%28k%29l%2Am~n');
  assert.equal(urlPart('é😀'), '%C3%A9%F0%9F%98%80');
  assert.equal(urlPart('\udfff'), '%EF%BF%BD');
  assert.equal(urlPart('100%'), '100%25');
  assert.equal(urlPartUnquoted('a b'), 'a%20b');
  assert.equal(urlPartUnquoted(''), '');
});

// --- JavaScript -------------------------------------------------------------------------------

test('jsValue emits JSON that cannot end the script', () => {
  assert.equal(jsValue('x'), '"x"');
  assert.equal(jsValue(1.5), '1.5');
  assert.equal(jsValue(-1), ' -1');
  assert.equal(jsValue(-0), '0');
  assert.equal(jsValue(NaN), 'null');
  assert.equal(jsValue(true), 'true');
  assert.equal(jsValue(undefined), 'null');
  assert.equal(jsValue(null), 'null');
  assert.equal(jsValue(() => 1), 'null');
  assert.equal(jsValue(Symbol('x')), 'null');
  assert.equal(jsValue(12345678901234567890n), '12345678901234567890');
  assert.equal(jsValue(-5n), ' -5');
  assert.equal(jsValue({ a: '</script>', b: [1, '<!--'], 'c&d': null }), '{"a":"\\u003c/script\\u003e","b":[1,"\\u003c!--"],"c\\u0026d":null}');
  assert.equal(jsValue([undefined, '\u2028\u2029']), '[null,"\\u2028\\u2029"]');
  assert.equal(jsValue(new Date(0)), '"1970-01-01T00:00:00.000Z"');
  assert.equal(jsValue('"\\\n'), '"\\"\\\\\\n"');
  assert.equal(jsValue({ toJSON: () => undefined }), 'null');
  const cyclic: Record<string, unknown> = {};
  cyclic.self = cyclic;
  assert.throws(() => jsValue(cyclic), TypeError);
});

test('jsString escapes quotes, template characters, HTML characters and line terminators', () => {
  assert.equal(jsString(`"'\`\\`), '\\u0022\\u0027\\u0060\\u005c');
  assert.equal(jsString('${x}'), '\\u0024\\u007bx\\u007d');
  assert.equal(jsString('<>&='), '\\u003c\\u003e\\u0026\\u003d');
  assert.equal(jsString('a\nb\rc\td\u0000e\u007f'), 'a\\u000ab\\u000dc\\u0009d\\u0000e\\u007f');
  assert.equal(jsString('\u2028\u2029'), '\\u2028\\u2029');
  assert.equal(jsString('é 😀 / ! - ( ) ; +'), 'é 😀 / ! - ( ) ; +');
  assert.equal(jsStringAttrUnquoted('a b"'), 'a&#32;b&#92;u0022');
});

// --- CSS --------------------------------------------------------------------------------------

test('cssString escapes everything but ASCII letters and digits', () => {
  assert.equal(cssString('Arial Bold'), 'Arial\\20 Bold');
  assert.equal(cssString('"\'\\\n'), '\\22 \\27 \\5c \\a ');
  assert.equal(cssString('a1\u0000'), 'a1\\0 ');
  assert.equal(cssString('é😀'), '\\e9 \\1f600 ');
  assert.equal(cssString('\ud800'), '\\d800 ');
  assert.equal(cssString('x-y_z'), 'x\\2d y\\5f z');
  assert.equal(cssStringAttrUnquoted('a b'), 'a&#92;20&#32;b');
});

// --- linear time ------------------------------------------------------------------------------

test('every escaper is linear on large inputs', () => {
  const unit = `<&>"'\`=/\\ é😀\u2028\n\t:javascript`;
  for (const name of NAMES) assertLinear(name, (n) => unit.repeat(n), (s) => ESCAPERS[name](s), 10_000);
});

// --- properties (fast-check) ------------------------------------------------------------------

const FRAGMENTS = [
  '<', '>', '"', "'", '`', '=', ' ', '\t', '\n', '\r', '\f', '\u0000', '\u2028', '\u2029', '&', '#', ';',
  ':', '/', '\\', '*', '$', '{', '}', '(', ')', '<!--', '-->', '</script>', '</style>', '</title>',
  '<script>', 'javascript:', 'JaVaScRiPt:', 'data:', 'vbscript:', '&#106;', '&#x6A;', '&#39;', '&quot;',
  '&apos;', '&colon;', '${', '{{ 7*7 }}', 'onerror=alert(1)', 'x onmouseover=alert(1)', 'java\tscript:',
  ' ', '%', '%00', 'é', '😀', '\ud800', '\udfff', 'http://', 'https:', 'mailto:', 'a', 'Z', '0', '-',
];

/** Strings with full unicode (lone surrogates included) and the pieces of classic payloads. */
const payload = fc.oneof(
  fc.constant(''),
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.constantFrom(...PAYLOADS),
  fc.array(
    fc.oneof(
      fc.constantFrom(...FRAGMENTS),
      fc.integer({ min: 0, max: 0xffff }).map((c) => String.fromCharCode(c)),
    ),
    { maxLength: 12 },
  ).map((parts) => parts.join('')),
);

const RUNS = { numRuns: 400 };
const ALLOWED_PROTOCOLS = new Set(['http:', 'https:', 'mailto:', 'tel:', '']);

interface Node5 {
  nodeName: string;
  tagName?: string;
  attrs?: { name: string; value: string }[];
  childNodes?: Node5[];
  value?: string;
}

function elements(node: Node5, out: Node5[] = []): Node5[] {
  if (node.tagName !== undefined) out.push(node);
  for (const child of node.childNodes ?? []) elements(child, out);
  // <template> content lives apart; none of these documents has one.
  return out;
}

/** Parses as a browser receives the page: UTF-8 on the wire turns lone surrogates into U+FFFD. */
function parseHtml(source: string): Node5 {
  return parse(Buffer.from(source, 'utf8').toString('utf8')) as unknown as Node5;
}

function shape(source: string): string[] {
  const doc = parseHtml(source);
  return elements(doc).map((e) => `${e.tagName}[${(e.attrs ?? []).map((a) => a.name).join(' ')}]`);
}

function attrValue(source: string, tag: string, name: string): string | undefined {
  const doc = parseHtml(source);
  return elements(doc).find((e) => e.tagName === tag)?.attrs?.find((a) => a.name === name)?.value;
}

/** The scheme a browser would use for the attribute value, or '' for a URL it cannot parse (inert). */
function protocolOf(value: string): string {
  try {
    return new URL(value, 'https://base.example/dir/').protocol;
  } catch {
    return '';
  }
}

test('property: quoted attribute escapers never end the value', () => {
  for (const name of ['attr', 'url', 'urlPart', 'jsStringAttr', 'cssStringAttr'] as const) {
    fc.assert(
      fc.property(payload, (s) => {
        const out = ESCAPERS[name](s);
        assert.ok(!/["'<>`]/.test(out), `${name}: ${JSON.stringify(out)}`);
        for (const quote of ['"', "'"]) {
          const doc = `<p title=${quote}${out}${quote} id=end>x</p>`;
          assert.deepEqual(shape(doc), ['html[]', 'head[]', 'body[]', 'p[title id]'], doc);
        }
      }),
      RUNS,
    );
  }
});

test('property: unquoted attribute escapers never end the value or start another attribute', () => {
  const startsValue = new Set(['attrUnquoted', 'urlUnquoted']);
  for (const name of ['attrUnquoted', 'attrUnquotedRest', 'urlUnquoted', 'urlUnquotedRest', 'urlPartUnquoted', 'jsStringAttrUnquoted', 'cssStringAttrUnquoted'] as const) {
    fc.assert(
      fc.property(payload, (s) => {
        const out = ESCAPERS[name](s);
        // `=` may remain in URLs: inside an unquoted value it is an ordinary character.
        const forbidden = name.startsWith('urlUnquoted') ? /[\t\n\f\r "'<>`]/ : /[\t\n\f\r "'<=>`]/;
        if (out !== '""') assert.ok(!forbidden.test(out), `${name}: ${JSON.stringify(out)}`);
        // Only the escapers for the start of a value write `""`, and only for an empty value.
        if (out === '""') assert.ok(startsValue.has(name), name);
        // At the start of the value (for those chosen there: the others never are), and after a
        // literal start, where the value is exactly the literal and the decoded output.
        const docs = startsValue.has(name) ? [`<p title=${out} id=end>x</p>`, `<p title=a${out} id=end>x</p>`] : [`<p title=a${out} id=end>x</p>`];
        for (const doc of docs) assert.deepEqual(shape(doc), ['html[]', 'head[]', 'body[]', 'p[title id]'], doc);
        if (!startsValue.has(name)) {
          const value = attrValue(`<p title=a${out} id=end>x</p>`, 'p', 'title');
          assert.equal(value === 'a', out === '', `${name}: an empty output adds nothing, another adds something`);
        }
      }),
      RUNS,
    );
  }
});

test('property: a URL output never carries a scheme other than http, https, mailto or tel', () => {
  fc.assert(
    fc.property(payload, (s) => {
      for (const [doc, escaped] of [
        [`<a href="${url(s)}">x</a>`, url(s)],
        [`<a href=${urlUnquoted(s)}>x</a>`, urlUnquoted(s)],
      ] as const) {
        const value = attrValue(doc, 'a', 'href');
        assert.notEqual(value, undefined, doc);
        if (escaped === SAFE_URL_FALLBACK) continue;
        // What the browser does with the decoded value, a literal colon after it included.
        for (const suffix of ['', ':alert(1)', '/x']) {
          assert.ok(ALLOWED_PROTOCOLS.has(protocolOf(value! + suffix)), `${JSON.stringify(s)} -> ${JSON.stringify(value! + suffix)}`);
        }
      }
      // A URL part after any literal start cannot add a scheme either.
      for (const start of ['', 'java', 'javascript', '/', '?q=']) {
        if (start === '') continue; // urlPart is chosen only once the URL has started
        const value = attrValue(`<a href="${start}${urlPart(s)}">x</a>`, 'a', 'href')!;
        assert.ok(ALLOWED_PROTOCOLS.has(protocolOf(value)), JSON.stringify(value));
      }
    }),
    RUNS,
  );
});

test('property: jsValue is JSON with nothing HTML-significant', () => {
  const value = fc.oneof(payload, fc.jsonValue(), fc.double(), fc.constant(undefined));
  fc.assert(
    fc.property(value, (v) => {
      const out = jsValue(v);
      assert.ok(!/[<>&\u2028\u2029]/.test(out), out);
      assert.deepEqual(JSON.parse(out), v === undefined ? null : JSON.parse(JSON.stringify(v) ?? 'null'));
    }),
    RUNS,
  );
});

test('property: jsString is a string body for any quote, and reads back', () => {
  fc.assert(
    fc.property(payload, (s) => {
      const out = jsString(s);
      assert.ok(!/["'`$<>&={}\n\r\u2028\u2029]|\\(?!u[0-9a-f]{4})/.test(out), out);
      assert.equal(JSON.parse(`"${out}"`), s);
    }),
    RUNS,
  );
});

function decodeCss(s: string): string {
  return s.replace(/\\([0-9a-f]{1,6}) /g, (_, hex: string) => {
    const cp = parseInt(hex, 16);
    return cp === 0 || (cp >= 0xd800 && cp <= 0xdfff) ? '\ufffd' : String.fromCodePoint(cp);
  });
}

test('property: cssString has only letters, digits and escapes, and reads back', () => {
  fc.assert(
    fc.property(payload, (s) => {
      const out = cssString(s);
      assert.ok(/^(?:[A-Za-z0-9]|\\[0-9a-f]{1,6} )*$/.test(out), out);
      const expected = s.replace(/\u0000/g, '\ufffd').replace(/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g, '\ufffd');
      assert.equal(decodeCss(out), expected);
    }),
    RUNS,
  );
});

// --- end to end: tracker + escapers, checked by a real HTML parser ------------------------------

// Template skeletons; each `{}` is an output.
const SKELETONS = [
  '<p>{}</p>',
  '<p title="{}" class="c">x</p>',
  "<p title='{}' class=c>x</p>",
  '<p title={} class=c>x</p>',
  '<p title=a{} class=c>x</p>',
  '<a href="{}" class=c>x</a>',
  "<a href='{}'>x</a>",
  '<a href={} class=c>x</a>',
  '<a href="/x/{}?q={}#{}">x</a>',
  '<a href=/x?q={} class=c>x</a>',
  '<img src="{}" alt="{}">',
  '<img srcset="{} 1x, {} 2x">',
  `<button onclick="f('{}', &quot;{}&quot;, \`{}\`)">x</button>`,
  "<button onclick=f('{}') class=c>x</button>",
  `<div style="font-family: '{}'; content: &quot;{}&quot;">x</div>`,
  "<div style=content:'{}' class=c>x</div>",
  '<script>var a = {}; var b = "{}"; var c = \'{}\'; var d = `{}`; var e = `${ x }{}`;</script>',
  '<script>var r = /["\'`]/g, q = a / 2 / "{}"; // it\'s "\nvar b = {}; /* \' */ var c = \'{}\';</script>',
  '<style>p { font-family: "{}"; content: \'{}\' }</style>',
  '<title>{}</title>',
  '<textarea>{}</textarea>',
  '<form method="post"><input name=q value="{}"></form>',
];

interface Compiled {
  render(values: unknown[]): string;
  holes: number;
}

function compile(source: string): Compiled {
  const literals = source.split('{}');
  const tracker = new HtmlContextTracker();
  const parts: string[] = [];
  const escapers: ((v: unknown) => string)[] = [];
  literals.forEach((literal, i) => {
    let text = literal;
    const insertions = tracker.feed(literal);
    for (const ins of [...insertions].reverse()) {
      const added = ins.kind === 'nonce' ? ' nonce="n0nce"' : '<input type=hidden name=csrf value=t0ken>';
      text = text.slice(0, ins.offset) + added + text.slice(ins.offset);
    }
    parts.push(text);
    if (i === literals.length - 1) return;
    const choice = chooseEscaper(tracker.context);
    if ('refused' in choice) throw new Error(`refused in ${source}: ${choice.refused}`);
    escapers.push(ESCAPERS[choice.escaper]);
    tracker.afterOutput();
  });
  assert.equal(tracker.context.state, 'text', source);
  return {
    holes: escapers.length,
    render(values) {
      let out = parts[0]!;
      escapers.forEach((escape, i) => {
        out += escape(values[i]) + parts[i + 1]!;
      });
      return out;
    },
  };
}

function jsTokens(code: string): string[] {
  const scanner = ts.createScanner(ts.ScriptTarget.Latest, true, ts.LanguageVariant.Standard, code);
  const kinds: string[] = [];
  let previous = ts.SyntaxKind.Unknown;
  for (let k = scanner.scan(); k !== ts.SyntaxKind.EndOfFileToken; k = scanner.scan()) {
    const significant = k !== ts.SyntaxKind.WhitespaceTrivia && k !== ts.SyntaxKind.NewLineTrivia;
    if (k === ts.SyntaxKind.SlashToken && (previous === ts.SyntaxKind.EqualsToken || previous === ts.SyntaxKind.OpenParenToken)) {
      k = scanner.reScanSlashToken(); // a regular expression, where an expression starts
    }
    if (significant) previous = k;
    if (k === ts.SyntaxKind.CloseBraceToken && scanner.getTokenText() === '}') {
      // Inside `${ }`: let the scanner continue the template literal.
      const re = scanner.reScanTemplateToken(false);
      kinds.push(ts.SyntaxKind[re]);
      continue;
    }
    kinds.push(ts.SyntaxKind[k]);
  }
  return kinds;
}

function scriptsOf(doc: Node5): string[] {
  const out: string[] = [];
  for (const e of elements(doc)) {
    if (e.tagName === 'script') out.push((e.childNodes ?? []).map((c) => c.value ?? '').join(''));
    for (const a of e.attrs ?? []) if (a.name.startsWith('on')) out.push(a.value);
  }
  return out;
}

test('property: rendered pages keep the elements, attributes and JS tokens of the template', () => {
  const template = fc.array(fc.constantFrom(...SKELETONS), { minLength: 1, maxLength: 4 }).map((xs) => xs.join('\n'));
  fc.assert(
    fc.property(template, fc.array(payload, { minLength: 12, maxLength: 12 }), (source, values) => {
      const compiled = compile(source);
      const benign = parseHtml(compiled.render(values.map(() => 'zz')));
      const page = compiled.render(values);
      const doc = parseHtml(page);
      const names = (d: Node5) => elements(d).map((e) => `${e.tagName}[${(e.attrs ?? []).map((a) => a.name).join(' ')}]`);
      assert.deepEqual(names(doc), names(benign), page);
      // Nonce and CSRF values are the ones inserted, untouched.
      for (const e of elements(doc)) {
        const nonce = e.attrs?.find((a) => a.name === 'nonce');
        if (nonce !== undefined) assert.equal(nonce.value, 'n0nce');
      }
      const benignScripts = scriptsOf(benign);
      scriptsOf(doc).forEach((code, i) => assert.deepEqual(jsTokens(code), jsTokens(benignScripts[i]!), code));
      for (const e of elements(doc)) {
        for (const a of e.attrs ?? []) {
          if (a.name === 'href' || a.name === 'src') {
            if (a.value === SAFE_URL_FALLBACK) continue;
            assert.ok(ALLOWED_PROTOCOLS.has(protocolOf(a.value)), `${a.name}=${JSON.stringify(a.value)}`);
          }
          if (a.name === 'srcset') {
            for (const candidate of a.value.split(/,\s+/)) {
              const u = candidate.trim().split(/\s+/)[0] ?? '';
              if (u === '' || u === SAFE_URL_FALLBACK) continue;
              assert.ok(ALLOWED_PROTOCOLS.has(protocolOf(u)), `srcset=${JSON.stringify(a.value)}`);
            }
          }
        }
      }
    }),
    { numRuns: 300 },
  );
});

test('end to end: the classic payloads in each context of a page', () => {
  const page = compile(SKELETONS.join('\n'));
  for (const p of PAYLOADS) {
    const rendered = page.render(Array.from({ length: page.holes }, () => p));
    const doc = parseHtml(rendered);
    const benign = parseHtml(page.render(Array.from({ length: page.holes }, () => 'zz')));
    assert.deepEqual(shape(rendered), elements(benign).map((e) => `${e.tagName}[${(e.attrs ?? []).map((a) => a.name).join(' ')}]`), p);
    assert.ok(!elements(doc).some((e) => e.attrs?.some((a) => a.name === 'onerror' || a.name === 'onmouseover')), p);
    for (const e of elements(doc)) {
      for (const a of e.attrs ?? []) {
        if (a.name === 'href' || a.name === 'src') assert.ok(a.value === SAFE_URL_FALLBACK || !/^\s*(java|vb)script:|^data:/i.test(a.value), `${p}: ${a.value}`);
      }
    }
  }
});

// --- end to end with branches: equals() relaxations and the empty start of unquoted values ---------

/** Template pieces: text, or null for an output. */
type Piece = string | null;

interface Hole {
  readonly escape: (v: unknown) => string;
  /** Where the tracker said the output is. */
  readonly context: HtmlContext;
}

interface Segments {
  /** Literal text and outputs, in order. */
  readonly parts: readonly (string | Hole)[];
}

/**
 * Compiles pieces onto `tracker` the way the compiler does: text moves it (nonce and CSRF
 * insertions included), an output takes the escaper chooseEscaper gives. Null when an output is
 * refused: refusing is always safe, so those templates are not checked further.
 */
function compilePieces(tracker: HtmlContextTracker, pieces: readonly Piece[]): Segments | null {
  const parts: (string | Hole)[] = [];
  for (const piece of pieces) {
    if (piece === null) {
      const choice = chooseEscaper(tracker.context);
      if ('refused' in choice) return null;
      parts.push({ escape: ESCAPERS[choice.escaper], context: tracker.context });
      tracker.afterOutput();
      continue;
    }
    let text = piece;
    for (const ins of [...tracker.feed(piece)].reverse()) {
      const added = ins.kind === 'nonce' ? ' nonce="n0nce"' : '<input type=hidden name=csrf value=t0ken>';
      text = text.slice(0, ins.offset) + added + text.slice(ins.offset);
    }
    parts.push(text);
  }
  return { parts };
}

/**
 * `pre {% if %} a {% else %} b {% endif %} post`, compiled as the compiler does: the branches start
 * from the same tracker, must end equal, and `post` continues from the end of the first branch.
 * Returns the page of each branch (only `a` when the branches end unequal, as if there were no b).
 */
function compileBranches(pre: readonly Piece[], a: readonly Piece[], b: readonly Piece[], post: readonly Piece[]): Segments[] {
  const t = new HtmlContextTracker();
  const start = compilePieces(t, pre);
  if (start === null) return [];
  const ta = t.clone();
  const tb = t.clone();
  const sa = compilePieces(ta, a);
  if (sa === null) return [];
  const sb = compilePieces(tb, b);
  const merged = sb !== null && ta.equals(tb);
  const end = compilePieces(ta, post);
  if (end === null) return [];
  const pages = [{ parts: [...start.parts, ...sa.parts, ...end.parts] }];
  if (merged) pages.push({ parts: [...start.parts, ...sb.parts, ...end.parts] });
  return pages;
}

/** A harmless value that shows where output `i` lands. */
const marker = (i: number): string => `zq${i}q`;

function renderSegments(page: Segments, values: readonly unknown[], benign: boolean): string {
  let out = '';
  let i = 0;
  for (const item of page.parts) {
    if (typeof item === 'string') {
      out += item;
      continue;
    }
    const part = item.escape;
    const n = i++;
    const v = values[n % values.length];
    const o = part(v);
    // The harmless value of the same kind: empty (an empty output at the start of an unquoted value
    // is `""`, which ends the value: the author's template, not the data, decides what follows),
    // blank (element text that is blank or not decides where the tree builder puts the next
    // elements: `{{ x }}</p>` makes a <p> only after text), or anything else.
    if (!benign) out += o;
    // A number may glue to the code around it (`1.5{{ x }}`), so it is its own harmless value.
    else if (typeof v === 'number') out += o;
    else if (o === '""' || o === '') out += part('');
    else out += /^[\t\n\f\r ]+$/.test(o) ? o : part(marker(n));
  }
  return out;
}

type Found =
  | { readonly in: 'text'; readonly parent: string; readonly html: boolean }
  | { readonly in: 'attr'; readonly element: string; readonly name: string }
  | { readonly in: 'comment' };

type Node5Any = Node5 & { data?: string; namespaceURI?: string };

/** Where `text` occurs in the parsed page: a text node (and its parent), an attribute, a comment. */
function locate(node: Node5Any, text: string, parent: Node5Any | null = null): Found | null {
  if (node.nodeName === '#text' && node.value?.includes(text)) {
    return { in: 'text', parent: parent?.tagName?.toLowerCase() ?? '', html: parent?.namespaceURI === 'http://www.w3.org/1999/xhtml' };
  }
  if (node.nodeName === '#comment' && node.data?.includes(text)) return { in: 'comment' };
  for (const a of (node.attrs ?? []) as { name: string; prefix?: string; value: string }[]) {
    if (a.value.includes(text)) return { in: 'attr', element: node.tagName!.toLowerCase(), name: a.prefix ? `${a.prefix}:${a.name}` : a.name };
  }
  for (const child of node.childNodes ?? []) {
    const found = locate(child, text, node);
    if (found !== null) return found;
  }
  return null;
}

const RAW_PARENTS = new Set(['script', 'style', 'title', 'textarea', 'xmp', 'iframe', 'noembed', 'noframes']);

/** The kind the tracker gives attribute `name` of `element`. */
function attrKind(element: string, name: string): HtmlContext['attr'] {
  const t = new HtmlContextTracker();
  t.feed(`<${element} ${name}="`);
  return t.context.attr;
}

/**
 * Whether the parser put the output where the tracker said it was. For attributes the kind is
 * compared, not the name: branches that end in values of two attributes of one kind merge.
 */
function landedWhereTracked(context: HtmlContext, found: Found): boolean {
  switch (context.state) {
    case 'text':
      return found.in === 'text' && !(found.html && RAW_PARENTS.has(found.parent));
    case 'rcdata':
    case 'script':
    case 'style':
      return found.in === 'text' && found.html && found.parent === context.element;
    case 'attrValue':
    case 'beforeValue':
      return found.in === 'attr' && found.element === context.element && attrKind(found.element, found.name) === context.attr;
    default:
      return false;
  }
}

/**
 * The syntax tree of a script as a list of node kinds; null when V8 does not compile it (it would
 * not run: `new Function` compiles, it does not call); 'valid' when V8 does but TypeScript's
 * parser cannot (HTML-like comments), so that only validity is compared.
 */
function jsShape(code: string): string[] | 'valid' | null {
  try {
    new Function(code); // eslint-disable-line no-new-func, @typescript-eslint/no-implied-eval
  } catch (err) {
    if (err instanceof SyntaxError) return null;
    throw err;
  }
  const file = ts.createSourceFile('x.js', code, ts.ScriptTarget.Latest, true, ts.ScriptKind.JS);
  if ((file as unknown as { parseDiagnostics: readonly unknown[] }).parseDiagnostics.length > 0) return 'valid';
  const kinds: string[] = [];
  const walk = (node: ts.Node): void => {
    kinds.push(ts.SyntaxKind[node.kind]);
    ts.forEachChild(node, walk);
  };
  walk(file);
  return kinds;
}

/** The payload page has the elements, attributes, script syntax and URL schemes of the harmless one. */
function checkPage(page: Segments, values: readonly unknown[], what: string): void {
  const benignPage = renderSegments(page, values, true);
  const rendered = renderSegments(page, values, false);
  const benign = parseHtml(benignPage);
  const doc = parseHtml(rendered);
  // Each output lands where the tracker said (the parser may drop it: a repeated attribute).
  page.parts.filter((p): p is Hole => typeof p !== 'string').forEach((hole, i) => {
    const found = locate(benign, marker(i));
    if (found !== null) {
      assert.ok(landedWhereTracked(hole.context, found), `${what}: output ${i} is ${JSON.stringify(found)}, tracked as ${hole.context.state} ${hole.context.attrName} of <${hole.context.element}>\n${benignPage}`);
    }
  });
  // Whether text is empty, blank or not moves an element between head and body (`{{ x }}<title>`):
  // the tree builder's business, not an injection, so the implied html, head and body are left out.
  const names = (d: Node5) =>
    elements(d)
      .filter((e) => !['html', 'head', 'body'].includes(e.tagName!) || (e.attrs ?? []).length > 0)
      .map((e) => `${e.tagName}[${(e.attrs ?? []).map((a) => a.name).join(' ')}]`);
  assert.deepEqual(names(doc), names(benign), `${what}\n${rendered}\nvs\n${benignPage}`);
  // The same syntax tree, or no valid script either way (a script that does not parse runs nothing).
  const benignScripts = scriptsOf(benign);
  scriptsOf(doc).forEach((code, i) => {
    assert.deepEqual(jsShape(code), jsShape(benignScripts[i]!), `${what}\n${code}\nvs\n${benignScripts[i]}`);
  });
  for (const e of elements(doc)) {
    for (const a of e.attrs ?? []) {
      // The fallback may be followed by the template's own text: `about:` stays inert. Browsers
      // drop leading spaces and controls before parsing a URL, so the template's own leading
      // space (`href=" {{ x }}"`) does not hide the fallback.
      const url = a.value.replace(/^[\u0000-\u0020]+/, '');
      if ((a.name === 'href' || a.name === 'src' || a.name === 'action') && !url.startsWith(SAFE_URL_FALLBACK)) {
        assert.ok(ALLOWED_PROTOCOLS.has(protocolOf(a.value)), `${what}: ${a.name}=${JSON.stringify(a.value)}`);
      }
    }
  }
}

const JS_PAYLOAD = fc.oneof(
  payload,
  fc.integer({ min: -9, max: 99 }),
  fc.constantFrom(0.5, 1e21),
  fc.constantFrom('"', "'", '`', '+alert(1)+', '"+alert(1)+"', "'+alert(1)+'", '*/alert(1)/*', '\n', '</script>', '1', ''),
);

// Operands that end in different ways (a number is "after an operand" like a string or a call), and
// what may follow them at once: a member access, a keyword, a dot then a slash (`1./"/` divides).
const JS_OPERANDS: readonly (readonly Piece[])[] = [
  ['1'], ['1.5'], ['42'], ['0x1f'], ['1e3'], ['"two"'], ["'t'"], ['`t`'], ['/r"/g'], ['f(x)'], ['a[0]'],
  ['x'], ['y'], [null], ['"', null, '"'], ["'", null, "'"], ['`', null, '`'], ['1.'], ['(1)'],
];
const JS_FOLLOW: readonly string[] = ['', '.length', '.in', '.5', 'in /"/', ' in /"/', './"/', '/2', ' / 2', '++', ' + 1', 'x', ' ', '\n'];
const JS_TAIL: readonly (readonly Piece[])[] = [
  [' / '], ['/'], [' + '], [' in '], [', '], ['; s = '], ['; // "\n'], ['"/"'], ['"/;"'], [`'"'`], ['/"/'], ['1'], ['x'],
  [null], ['"', null, '"'], ["'", null, "'"], ['(1)'], ['.length'], [' /* " */ '], ['`${', null, '}`'],
];

test('property: branches that end in equal JavaScript contexts keep every page safe', () => {
  const operand = fc.constantFrom(...JS_OPERANDS);
  const tail = fc.array(fc.constantFrom(...JS_TAIL), { maxLength: 6 }).map((xs) => xs.flat());
  let merged = 0;
  fc.assert(
    fc.property(
      fc.constantFrom('var a = ', 'f(', 'x = y + ', 'return '),
      operand, operand, fc.constantFrom(...JS_FOLLOW), tail, fc.array(JS_PAYLOAD, { minLength: 1, maxLength: 6 }),
      (pre, a, b, follow, rest, values) => {
        const pages = compileBranches([`<script>${pre}`], a, b, [follow, ...rest, ';</script>']);
        if (pages.length === 2) merged++;
        pages.forEach((page, i) => checkPage(page, values, JSON.stringify({ pre, a, b, follow, rest, branch: i })));
      },
    ),
    { numRuns: 1500 },
  );
  assert.ok(merged > 100, `only ${merged} templates had branches that merge`);
});

// Tails that make a misread after the branch visible: a string with an output, then a quote in a
// comment, so the page is valid JavaScript exactly when the output is read right.
const JS_PROBES: readonly (readonly Piece[])[] = [
  ['; s = "', null, '"; // "\n'],
  ["; s = '", null, "'; // '\n"],
  [' + "', null, '" // "\n'],
  ['; s = ', null, '; // "\n'],
];

test('every pair of JavaScript operands, what follows them and a probe: pages stay safe', () => {
  const values = ['+alert(1)+', 1, '"+alert(1)+"', 0.5, "'+alert(1)+'", '</script><b>'];
  let pages = 0;
  for (const a of JS_OPERANDS) {
    for (const b of JS_OPERANDS) {
      for (const follow of JS_FOLLOW) {
        for (const probe of JS_PROBES) {
          for (const page of compileBranches(['<script>var a = '], a, b, [follow, ...probe, ';</script>'])) {
            pages++;
            checkPage(page, values, JSON.stringify({ a, b, follow, probe }));
            checkPage(page, [...values].reverse(), JSON.stringify({ a, b, follow, probe }));
          }
        }
      }
    }
  }
  assert.ok(pages > 20_000, `${pages} pages`);
});

// Markup pieces around unquoted values that start with an output, quotes and tags.
const HTML_PIECES: readonly Piece[] = [
  '<p>', '</p>', '<a href=', '<a href="', '<p title=', "<p title='", '<b class=', '<img srcset=', '<form method=post action=',
  '<script src=', '"', "'", ' ', '>', '=', '/', '-x', 'a', ',', '?q=', 'onclick=', "onclick='", "onclick='1>", 'onclick="f(\'',
  "')", 'nonce=', 'method=', 'post', '<script>', '</script>', 'var a = ', '<title>', '</title>', '<svg>', '</svg>', '<!--',
  '-->', '&', '&quot;', '1', '"two"', '.', 'in', null, null, null, null,
];

test('property: random markup with outputs and branches keeps every page safe', () => {
  const pieces = fc.array(fc.constantFrom(...HTML_PIECES), { maxLength: 10 });
  let compiled = 0;
  fc.assert(
    fc.property(pieces, pieces, pieces, pieces, fc.array(payload, { minLength: 1, maxLength: 6 }), (pre, a, b, post, values) => {
      const pages = compileBranches(pre, a, b, post);
      if (pages.length > 0) compiled++;
      pages.forEach((page, i) => checkPage(page, values, JSON.stringify({ pre, a, b, post, branch: i })));
    }),
    { numRuns: 3000 },
  );
  assert.ok(compiled > 500, `only ${compiled} templates compiled`);
});

test('end to end: the two holes these changes close', () => {
  const page = (source: string, ...values: unknown[]): string | null => {
    const pages = compileBranches(source.split('{}').flatMap((s, i) => (i === 0 ? [s] : [null, s])), [], [], []);
    return pages.length === 0 ? null : renderSegments(pages[0]!, values, false);
  };
  // An empty value adds nothing in the middle of an unquoted value.
  assert.equal(page('<p class=a{} id=i>x</p>', ''), '<p class=a id=i>x</p>');
  assert.equal(page('<p class={}-x id={}>x</p>', 'c'), '<p class=c-x id=c>x</p>');
  // With an empty first output (`title=""`), what follows is not where the tracker would think:
  // `<p title=""onclick='1>0||alert(1)//</p><p class='z'>` was an event handler. Refused now.
  assert.equal(page("<p title={}onclick='1>{}</p><p class='z'>", '', '0||alert(1)//'), null);
  assert.equal(page('<a href={}/{}>x</a>', '', 'x'), null);
  assert.equal(page('<input value={}{}>', 'x', ''), null);
  // After an output (here the number 1), `./"/` divides by a string, so the second output is in
  // code. It was taken for a string (`/"/` a regexp), and `+alert(1)+` ran; now it is JSON, and the
  // page is a syntax error that runs nothing.
  const js = page('<script>var a = {}./"/; s = "{}"; //"</script>', 1, '+alert(1)+');
  assert.equal(js, '<script nonce="n0nce">var a = 1./"/; s = ""+alert(1)+""; //"</script>');
  assert.equal(jsShape('var a = 1./"/; s = ""+alert(1)+""; //"'), null);
  assert.notEqual(jsShape('var a = 1./"/; s = "+alert(1)+"; //"'), null); // what it was: valid, and it ran
});
