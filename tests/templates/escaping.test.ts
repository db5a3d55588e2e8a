/**
 * Context-aware escaping, end to end: each HTML context a `{{ }}` can sit in, rendered through the
 * public API with every classic payload of the issue, compared with the exact output. Then URLs that
 * must pass, SafeHtml values, macros and `|sanitize`.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { html, trustedHtml } from 'rampart';
import { templates } from 'rampart/templates';
import { BLOCKED_URL, PAYLOADS, render, type PayloadName } from './helpers.ts';

type Table = Readonly<Record<PayloadName, string>>;

/** Element text, RCDATA and quoted attribute values: HTML escaping. */
const HTML: Table = {
  scriptTag: '&lt;script&gt;alert(1)&lt;/script&gt;',
  breakOutImg: '&quot;&gt;&lt;img src=x onerror=alert(1)&gt;',
  singleQuoteHandler: '&#39; onmouseover=&#39;alert(1)',
  unquotedHandler: 'x onmouseover=alert(1)',
  javascript: 'javascript:alert(1)',
  mixedCase: 'JaVaScRiPt:alert(1)',
  entity: '&amp;#106;avascript:alert(1)',
  tab: 'java\tscript:alert(1)',
  leadingSpace: ' javascript:alert(1)',
  dataUrl: 'data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==',
  closeScript: '&lt;/script&gt;&lt;script&gt;alert(1)&lt;/script&gt;',
  closeStyle: '&lt;/style&gt;&lt;script&gt;',
  lineSeparator: '\u2028',
  templateInjection: '{{ 7*7 }}',
};

/** Unquoted attribute values: everything but [A-Za-z0-9_.-] (ASCII) as a character reference. */
const UNQUOTED: Table = {
  scriptTag: '&lt;script&gt;alert&#40;1&#41;&lt;&#47;script&gt;',
  breakOutImg: '&quot;&gt;&lt;img&#32;src&#61;x&#32;onerror&#61;alert&#40;1&#41;&gt;',
  singleQuoteHandler: '&#39;&#32;onmouseover&#61;&#39;alert&#40;1&#41;',
  unquotedHandler: 'x&#32;onmouseover&#61;alert&#40;1&#41;',
  javascript: 'javascript&#58;alert&#40;1&#41;',
  mixedCase: 'JaVaScRiPt&#58;alert&#40;1&#41;',
  entity: '&amp;&#35;106&#59;avascript&#58;alert&#40;1&#41;',
  tab: 'java&#9;script&#58;alert&#40;1&#41;',
  leadingSpace: '&#32;javascript&#58;alert&#40;1&#41;',
  dataUrl: 'data&#58;text&#47;html&#59;base64&#44;PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg&#61;&#61;',
  closeScript: '&lt;&#47;script&gt;&lt;script&gt;alert&#40;1&#41;&lt;&#47;script&gt;',
  closeStyle: '&lt;&#47;style&gt;&lt;script&gt;',
  lineSeparator: '\u2028',
  templateInjection: '&#123;&#123;&#32;7&#42;7&#32;&#125;&#125;',
};

/** A whole URL: script schemes (however disguised) replaced, the rest percent-encoded. */
const URL_START: Table = {
  scriptTag: '%3Cscript%3Ealert%281%29%3C/script%3E',
  breakOutImg: '%22%3E%3Cimg%20src=x%20onerror=alert%281%29%3E',
  singleQuoteHandler: '%27%20onmouseover=%27alert%281%29',
  unquotedHandler: 'x%20onmouseover=alert%281%29',
  javascript: BLOCKED_URL,
  mixedCase: BLOCKED_URL,
  // `&#106;` is not decoded: `&` then a fragment, a relative URL that stays inert.
  entity: '&amp;#106;avascript:alert%281%29',
  tab: BLOCKED_URL,
  leadingSpace: BLOCKED_URL,
  dataUrl: BLOCKED_URL,
  closeScript: '%3C/script%3E%3Cscript%3Ealert%281%29%3C/script%3E',
  closeStyle: '%3C/style%3E%3Cscript%3E',
  lineSeparator: '%E2%80%A8',
  templateInjection: '%7B%7B%207*7%20%7D%7D',
};

/** Part of a URL after a static prefix (query value, path segment): encodeURIComponent and more. */
const URL_PART: Table = {
  scriptTag: '%3Cscript%3Ealert%281%29%3C%2Fscript%3E',
  breakOutImg: '%22%3E%3Cimg%20src%3Dx%20onerror%3Dalert%281%29%3E',
  singleQuoteHandler: '%27%20onmouseover%3D%27alert%281%29',
  unquotedHandler: 'x%20onmouseover%3Dalert%281%29',
  javascript: 'javascript%3Aalert%281%29',
  mixedCase: 'JaVaScRiPt%3Aalert%281%29',
  entity: '%26%23106%3Bavascript%3Aalert%281%29',
  tab: 'java%09script%3Aalert%281%29',
  leadingSpace: '%20javascript%3Aalert%281%29',
  dataUrl: 'data%3Atext%2Fhtml%3Bbase64%2CPHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg%3D%3D',
  closeScript: '%3C%2Fscript%3E%3Cscript%3Ealert%281%29%3C%2Fscript%3E',
  closeStyle: '%3C%2Fstyle%3E%3Cscript%3E',
  lineSeparator: '%E2%80%A8',
  templateInjection: '%7B%7B%207%2A7%20%7D%7D',
};

/** Inside a quoted JS string (event handler or <script>): \u escapes for quotes, HTML and template characters. */
const JS_STRING: Table = {
  scriptTag: '\\u003cscript\\u003ealert(1)\\u003c/script\\u003e',
  breakOutImg: '\\u0022\\u003e\\u003cimg src\\u003dx onerror\\u003dalert(1)\\u003e',
  singleQuoteHandler: '\\u0027 onmouseover\\u003d\\u0027alert(1)',
  unquotedHandler: 'x onmouseover\\u003dalert(1)',
  javascript: 'javascript:alert(1)',
  mixedCase: 'JaVaScRiPt:alert(1)',
  entity: '\\u0026#106;avascript:alert(1)',
  tab: 'java\\u0009script:alert(1)',
  leadingSpace: ' javascript:alert(1)',
  dataUrl: 'data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg\\u003d\\u003d',
  closeScript: '\\u003c/script\\u003e\\u003cscript\\u003ealert(1)\\u003c/script\\u003e',
  closeStyle: '\\u003c/style\\u003e\\u003cscript\\u003e',
  lineSeparator: '\\u2028',
  templateInjection: '\\u007b\\u007b 7*7 \\u007d\\u007d',
};

/** Inside a JS string in an unquoted event-handler attribute: the JS escape, then the unquoted one. */
const JS_STRING_UNQUOTED: Table = {
  scriptTag: '&#92;u003cscript&#92;u003ealert&#40;1&#41;&#92;u003c&#47;script&#92;u003e',
  breakOutImg: '&#92;u0022&#92;u003e&#92;u003cimg&#32;src&#92;u003dx&#32;onerror&#92;u003dalert&#40;1&#41;&#92;u003e',
  singleQuoteHandler: '&#92;u0027&#32;onmouseover&#92;u003d&#92;u0027alert&#40;1&#41;',
  unquotedHandler: 'x&#32;onmouseover&#92;u003dalert&#40;1&#41;',
  javascript: 'javascript&#58;alert&#40;1&#41;',
  mixedCase: 'JaVaScRiPt&#58;alert&#40;1&#41;',
  entity: '&#92;u0026&#35;106&#59;avascript&#58;alert&#40;1&#41;',
  tab: 'java&#92;u0009script&#58;alert&#40;1&#41;',
  leadingSpace: '&#32;javascript&#58;alert&#40;1&#41;',
  dataUrl: 'data&#58;text&#47;html&#59;base64&#44;PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg&#92;u003d&#92;u003d',
  closeScript: '&#92;u003c&#47;script&#92;u003e&#92;u003cscript&#92;u003ealert&#40;1&#41;&#92;u003c&#47;script&#92;u003e',
  closeStyle: '&#92;u003c&#47;style&#92;u003e&#92;u003cscript&#92;u003e',
  lineSeparator: '&#92;u2028',
  templateInjection: '&#92;u007b&#92;u007b&#32;7&#42;7&#32;&#92;u007d&#92;u007d',
};

/** Inside a quoted CSS string: every character but ASCII letters and digits as `\HEX `. */
const CSS_STRING: Table = {
  scriptTag: '\\3c script\\3e alert\\28 1\\29 \\3c \\2f script\\3e ',
  breakOutImg: '\\22 \\3e \\3c img\\20 src\\3d x\\20 onerror\\3d alert\\28 1\\29 \\3e ',
  singleQuoteHandler: '\\27 \\20 onmouseover\\3d \\27 alert\\28 1\\29 ',
  unquotedHandler: 'x\\20 onmouseover\\3d alert\\28 1\\29 ',
  javascript: 'javascript\\3a alert\\28 1\\29 ',
  mixedCase: 'JaVaScRiPt\\3a alert\\28 1\\29 ',
  entity: '\\26 \\23 106\\3b avascript\\3a alert\\28 1\\29 ',
  tab: 'java\\9 script\\3a alert\\28 1\\29 ',
  leadingSpace: '\\20 javascript\\3a alert\\28 1\\29 ',
  dataUrl: 'data\\3a text\\2f html\\3b base64\\2c PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg\\3d \\3d ',
  closeScript: '\\3c \\2f script\\3e \\3c script\\3e alert\\28 1\\29 \\3c \\2f script\\3e ',
  closeStyle: '\\3c \\2f style\\3e \\3c script\\3e ',
  lineSeparator: '\\2028 ',
  templateInjection: '\\7b \\7b \\20 7\\2a 7\\20 \\7d \\7d ',
};

/** Inside a CSS string in an unquoted style attribute. */
const CSS_STRING_UNQUOTED: Table = {
  scriptTag: '&#92;3c&#32;script&#92;3e&#32;alert&#92;28&#32;1&#92;29&#32;&#92;3c&#32;&#92;2f&#32;script&#92;3e&#32;',
  breakOutImg: '&#92;22&#32;&#92;3e&#32;&#92;3c&#32;img&#92;20&#32;src&#92;3d&#32;x&#92;20&#32;onerror&#92;3d&#32;alert&#92;28&#32;1&#92;29&#32;&#92;3e&#32;',
  singleQuoteHandler: '&#92;27&#32;&#92;20&#32;onmouseover&#92;3d&#32;&#92;27&#32;alert&#92;28&#32;1&#92;29&#32;',
  unquotedHandler: 'x&#92;20&#32;onmouseover&#92;3d&#32;alert&#92;28&#32;1&#92;29&#32;',
  javascript: 'javascript&#92;3a&#32;alert&#92;28&#32;1&#92;29&#32;',
  mixedCase: 'JaVaScRiPt&#92;3a&#32;alert&#92;28&#32;1&#92;29&#32;',
  entity: '&#92;26&#32;&#92;23&#32;106&#92;3b&#32;avascript&#92;3a&#32;alert&#92;28&#32;1&#92;29&#32;',
  tab: 'java&#92;9&#32;script&#92;3a&#32;alert&#92;28&#32;1&#92;29&#32;',
  leadingSpace: '&#92;20&#32;javascript&#92;3a&#32;alert&#92;28&#32;1&#92;29&#32;',
  dataUrl: 'data&#92;3a&#32;text&#92;2f&#32;html&#92;3b&#32;base64&#92;2c&#32;PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg&#92;3d&#32;&#92;3d&#32;',
  closeScript: '&#92;3c&#32;&#92;2f&#32;script&#92;3e&#32;&#92;3c&#32;script&#92;3e&#32;alert&#92;28&#32;1&#92;29&#32;&#92;3c&#32;&#92;2f&#32;script&#92;3e&#32;',
  closeStyle: '&#92;3c&#32;&#92;2f&#32;style&#92;3e&#32;&#92;3c&#32;script&#92;3e&#32;',
  lineSeparator: '&#92;2028&#32;',
  templateInjection: '&#92;7b&#32;&#92;7b&#32;&#92;20&#32;7&#92;2a&#32;7&#92;20&#32;&#92;7d&#32;&#92;7d&#32;',
};

/** A value in <script> code: JSON that cannot close the script or open a comment. */
const JS_VALUE: Table = {
  scriptTag: '"\\u003cscript\\u003ealert(1)\\u003c/script\\u003e"',
  breakOutImg: '"\\"\\u003e\\u003cimg src=x onerror=alert(1)\\u003e"',
  singleQuoteHandler: '"\' onmouseover=\'alert(1)"',
  unquotedHandler: '"x onmouseover=alert(1)"',
  javascript: '"javascript:alert(1)"',
  mixedCase: '"JaVaScRiPt:alert(1)"',
  entity: '"\\u0026#106;avascript:alert(1)"',
  tab: '"java\\tscript:alert(1)"',
  leadingSpace: '" javascript:alert(1)"',
  dataUrl: '"data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg=="',
  closeScript: '"\\u003c/script\\u003e\\u003cscript\\u003ealert(1)\\u003c/script\\u003e"',
  closeStyle: '"\\u003c/style\\u003e\\u003cscript\\u003e"',
  lineSeparator: '"\\u2028"',
  templateInjection: '"{{ 7*7 }}"',
};

/** [template with one `{{ v }}`, what `{{ v }}` must become for each payload]. */
const CONTEXTS: readonly (readonly [string, Table])[] = [
  // Text and RCDATA
  ['<p>{{ v }}</p>', HTML],
  ['<title>{{ v }}</title>', HTML],
  ['<textarea>{{ v }}</textarea>', HTML],
  // Ordinary attributes, each quoting
  ['<div title="{{ v }}"></div>', HTML],
  ["<div title='{{ v }}'></div>", HTML],
  ['<div title={{ v }}></div>', UNQUOTED],
  ['<input value="x{{ v }}">', HTML],
  ['<div class=a{{ v }}></div>', UNQUOTED],
  // URL attributes at the start of the value, each quoting
  ['<a href="{{ v }}">x</a>', URL_START],
  ["<a href='{{ v }}'>x</a>", URL_START],
  ['<a href={{ v }}>x</a>', URL_START],
  ['<a HREF="{{ v }}">x</a>', URL_START],
  ['<img src="{{ v }}">', URL_START],
  ['<img src={{ v }}>', URL_START],
  ['<iframe src="{{ v }}"></iframe>', URL_START],
  ['<script src="{{ v }}"></script>', URL_START],
  ['<form action="{{ v }}"></form>', URL_START],
  ['<button formaction="{{ v }}">x</button>', URL_START],
  ['<input type=submit formaction={{ v }}>', URL_START],
  ['<img srcset="{{ v }} 2x">', URL_START],
  ['<img srcset="/a.png 1x, {{ v }} 2x">', URL_START],
  ['<object data="{{ v }}"></object>', URL_START],
  ['<svg><a xlink:href="{{ v }}"><text>x</text></a></svg>', URL_START],
  ['<svg><use href="{{ v }}"/></svg>', URL_START],
  ['<video poster="{{ v }}"></video>', URL_START],
  ['<blockquote cite="{{ v }}">q</blockquote>', URL_START],
  ['<link rel="stylesheet" href="{{ v }}">', URL_START],
  // URL attributes after a static prefix
  ['<a href="/search?q={{ v }}">x</a>', URL_PART],
  ['<a href="https://example.com/users/{{ v }}">x</a>', URL_PART],
  ['<img src="/img/{{ v }}.png">', URL_PART],
  ['<form action="/notes/{{ v }}/edit"></form>', URL_PART],
  ['<a href=/search?q={{ v }}>x</a>', URL_PART],
  // Event handlers, inside a JS string
  ['<button onclick="f(\'{{ v }}\')">x</button>', JS_STRING],
  ['<button onclick=\'f("{{ v }}")\'>x</button>', JS_STRING],
  ['<img src="/a.png" onerror="log(\'{{ v }}\')">', JS_STRING],
  ['<button onclick=f(\'{{ v }}\')>x</button>', JS_STRING_UNQUOTED],
  // style attributes, inside a CSS string
  ['<div style="font-family: \'{{ v }}\'">x</div>', CSS_STRING],
  ['<div style=\'font-family: "{{ v }}"\'>x</div>', CSS_STRING],
  ['<div style=font-family:\'{{ v }}\'>x</div>', CSS_STRING_UNQUOTED],
  // <script>: a value as JSON, or inside a JS string
  ['<script>var data = {{ v }};</script>', JS_VALUE],
  ['<script>var s = "{{ v }}";</script>', JS_STRING],
  ["<script>var s = '{{ v }}';</script>", JS_STRING],
  ['<script>var s = `{{ v }}`;</script>', JS_STRING],
  // <style>: inside a CSS string
  ['<style>p { font-family: "{{ v }}" }</style>', CSS_STRING],
  ["<style>p::after { content: '{{ v }}' }</style>", CSS_STRING],
];

describe('every classic payload in every context', () => {
  for (const [template, table] of CONTEXTS) {
    test(template, () => {
      const [before, after] = template.split('{{ v }}') as [string, string];
      for (const [name, payload] of Object.entries(PAYLOADS) as [PayloadName, string][]) {
        assert.equal(render(template, { v: payload }), before + table[name] + after, `payload ${name}: ${JSON.stringify(payload)}`);
      }
    });
  }
});

describe('what is never produced', () => {
  test('no payload ever leaves a live <script>, event handler, or script URL behind', () => {
    for (const [template] of CONTEXTS) {
      for (const payload of Object.values(PAYLOADS)) {
        const out = render(template, { v: payload });
        assert.ok(!/<script>alert/i.test(out), `${template} with ${JSON.stringify(payload)}: ${out}`);
        assert.ok(!/<img src=x onerror/i.test(out), `${template} with ${JSON.stringify(payload)}: ${out}`);
        assert.ok(!/<\/(script|style)>\s*<script/i.test(out), `${template} with ${JSON.stringify(payload)}: ${out}`);
      }
    }
  });

  test('template syntax in data is printed, never evaluated, in every context', () => {
    for (const [template] of CONTEXTS) {
      assert.ok(!render(template, { v: '{{ 7*7 }}' }).includes('49'), template);
    }
    assert.equal(render('{{ v }}', { v: '{% for x in [1,2] %}{{ x }}{% endfor %}{# c #}' }), '{% for x in [1,2] %}{{ x }}{% endfor %}{# c #}');
    assert.equal(render('{{ v }}', { v: '${7*7}<%= 7*7 %>#{7*7}' }), '${7*7}&lt;%= 7*7 %&gt;#{7*7}');
  });

  test('a value in <script> cannot open an HTML comment or a CDATA section', () => {
    assert.equal(render('<script>var s = {{ v }};</script>', { v: '<!--<script>' }), '<script>var s = "\\u003c!--\\u003cscript\\u003e";</script>');
    assert.equal(render('<script>var s = {{ v }};</script>', { v: ']]><![CDATA[' }), '<script>var s = "]]\\u003e\\u003c![CDATA[";</script>');
    assert.equal(render('<script>var s = "{{ v }}";</script>', { v: '<!--' }), '<script>var s = "\\u003c!--";</script>');
  });

  test('U+2028 and U+2029 are escaped in <script> values and JS strings', () => {
    assert.equal(render('<script>var s = {{ v }};</script>', { v: 'a\u2028b\u2029c' }), '<script>var s = "a\\u2028b\\u2029c";</script>');
    assert.equal(render("<script>var s = '{{ v }}';</script>", { v: 'a\u2028b\u2029c' }), "<script>var s = 'a\\u2028b\\u2029c';</script>");
    assert.equal(render('<button onclick="f(\'{{ v }}\')">x</button>', { v: '\u2029' }), '<button onclick="f(\'\\u2029\')">x</button>');
  });
});

describe('<script> values are JSON of the value', () => {
  test('objects, arrays, numbers, booleans and null', () => {
    const data = { user: { name: '</script>', tags: ['a', '<b>'], n: 2, ok: true, none: null } };
    assert.equal(
      render('<script>const user = {{ user }};</script>', data),
      '<script>const user = {"name":"\\u003c/script\\u003e","tags":["a","\\u003cb\\u003e"],"n":2,"ok":true,"none":null};</script>',
    );
    assert.equal(render('<script>f({{ n }}, {{ b }}, {{ z }});</script>', { n: 1.5, b: false, z: null }), '<script>f(1.5, false, null);</script>');
  });

  test('a negative number cannot form -- with the code before it', () => {
    assert.equal(render('<script>var x = 1-{{ n }};</script>', { n: -1 }), '<script>var x = 1- -1;</script>');
  });

  test('a SafeHtml value in <script> is a JSON string, not markup', () => {
    assert.equal(render('<script>var s = {{ s }};</script>', { s: trustedHtml('<b>x</b>') }), '<script>var s = "\\u003cb\\u003ex\\u003c/b\\u003e";</script>');
  });
});

describe('URLs that must pass', () => {
  const pass: readonly (readonly [string, string])[] = [
    ['https://example.com/a?b=1&c=2#top', 'https://example.com/a?b=1&amp;c=2#top'],
    ['http://example.com/', 'http://example.com/'],
    ['HTTPS://EXAMPLE.COM/', 'HTTPS://EXAMPLE.COM/'],
    ['mailto:ada@example.com', 'mailto:ada@example.com'],
    ['tel:+1-555-0100', 'tel:+1-555-0100'],
    ['/notes/1', '/notes/1'],
    ['notes/1?x=y', 'notes/1?x=y'],
    ['?page=2', '?page=2'],
    ['#section', '#section'],
    ['//cdn.example.com/x.js', '//cdn.example.com/x.js'],
    ['/a b/ü', '/a%20b/%C3%BC'],
    ['/already%20encoded', '/already%20encoded'],
    ['  https://example.com/  ', 'https://example.com/'],
  ];
  for (const [url, out] of pass) {
    test(JSON.stringify(url), () => {
      assert.equal(render('<a href="{{ u }}">x</a>', { u: url }), `<a href="${out}">x</a>`);
    });
  }

  test('other schemes are refused, whatever their spelling', () => {
    const refused = [
      'vbscript:msgbox(1)',
      'VBScript:msgbox(1)',
      'data:image/svg+xml,<svg onload=alert(1)>',
      'javascript\n:alert(1)',
      'java\nscript:alert(1)',
      'java\rscript:alert(1)',
      '\x00javascript:alert(1)',
      '\x01\x02javascript:alert(1)',
      '\njavascript:alert(1)',
      'javascript:/*/x?y#z*/alert(1)',
      'file:///etc/passwd',
      'blob:https://example.com/uuid',
      'ftp://example.com/',
    ];
    for (const url of refused) {
      assert.equal(render('<a href="{{ u }}">x</a>', { u: url }), `<a href="${BLOCKED_URL}">x</a>`, JSON.stringify(url));
      assert.equal(render('<img src={{ u }}>', { u: url }), `<img src=${BLOCKED_URL}>`, JSON.stringify(url));
    }
  });

  test('a value that would become a scheme with the literal colon after it stays a relative path', () => {
    assert.equal(render('<a href="{{ u }}:alert(1)">x</a>', { u: 'javascript' }), '<a href="./javascript:alert(1)">x</a>');
  });

  test('an empty value in the middle of an unquoted attribute adds nothing to it', () => {
    assert.equal(render('<div class=a{{ u }} id=i></div>', { u: '' }), '<div class=a id=i></div>');
    // Two outputs in a row after a literal start. (`value={{ a }}{{ b }}` is refused, and must be:
    // `b` cannot know whether `a` was empty, written `""`, which ends the value, so that `b` would
    // start a new attribute.)
    assert.equal(render('<input value=v{{ a }}{{ b }}>', { a: 'x', b: '' }), '<input value=vx>');
    assert.equal(render('<input value=v{{ a }}{{ b }}>', { a: '', b: '' }), '<input value=v>');
    assert.equal(render('<a href=/search?q={{ u }}>x</a>', { u: '' }), '<a href=/search?q=>x</a>');
  });

  test('an empty value in an unquoted attribute cannot swallow the next attribute', () => {
    assert.equal(render('<a href={{ u }} title=t>x</a>', { u: '' }), '<a href="" title=t>x</a>');
    assert.equal(render('<div title={{ u }} id=i></div>', { u: '' }), '<div title="" id=i></div>');
  });
});

describe('SafeHtml, macros and |sanitize', () => {
  test('a trustedHtml() value passes through in text and is escaped in attributes and RCDATA', () => {
    const s = trustedHtml('<em>ok</em>');
    assert.equal(render('<p>{{ s }}</p>', { s }), '<p><em>ok</em></p>');
    assert.equal(render('<p title="{{ s }}"></p>', { s }), '<p title="&lt;em&gt;ok&lt;/em&gt;"></p>');
    assert.equal(render('<p title={{ s }}></p>', { s }), '<p title=&lt;em&gt;ok&lt;&#47;em&gt;></p>');
    assert.equal(render('<title>{{ s }}</title>', { s }), '<title>&lt;em&gt;ok&lt;/em&gt;</title>');
    assert.equal(render('<textarea>{{ s }}</textarea>', { s }), '<textarea>&lt;em&gt;ok&lt;/em&gt;</textarea>');
    assert.equal(render('<a href="{{ s }}">x</a>', { s: trustedHtml('javascript:alert(1)') }), `<a href="${BLOCKED_URL}">x</a>`);
  });

  test('an html`` value passes through in text, with its own values escaped', () => {
    const s = html`<b>${'<i>'}</b>`;
    assert.equal(render('<p>{{ s }}</p>', { s }), '<p><b>&lt;i&gt;</b></p>');
    assert.equal(render('<p data-x="{{ s }}"></p>', { s }), '<p data-x="&lt;b&gt;&amp;lt;i&amp;gt;&lt;/b&gt;"></p>');
  });

  test('a plain string with markup is always escaped, even one that looks pre-escaped', () => {
    assert.equal(render('<p>{{ s }}</p>', { s: '<em>no</em>' }), '<p>&lt;em&gt;no&lt;/em&gt;</p>');
    assert.equal(render('<p>{{ s }}</p>', { s: '&lt;b&gt;' }), '<p>&amp;lt;b&amp;gt;</p>');
    assert.equal(render('<p>{{ s }}</p>', { s: { toString: () => '<b>forged</b>' } }), '<p>&lt;b&gt;forged&lt;/b&gt;</p>');
    assert.equal(render('<p>{{ s }}</p>', { s: { __html: '<b>x</b>', toString: () => '<i>' } }), '<p>&lt;i&gt;</p>');
  });

  test("a macro's output is not escaped twice, and its arguments are escaped once", () => {
    const src = '{% macro b(x) %}<b>{{ x }}</b>{% endmacro %}{{ b("<i>") }}|{{ b(b("y")) }}|<p title="{{ b("t") }}"></p>';
    assert.equal(render(src), '<b>&lt;i&gt;</b>|<b><b>y</b></b>|<p title="&lt;b&gt;t&lt;/b&gt;"></p>');
  });

  test('a {% set %} block captures markup once: its values escaped, the markup kept', () => {
    assert.equal(render('{% set x %}<b>{{ y }}</b>{% endset %}{{ x }}{{ x }}', { y: '<i>' }), '<b>&lt;i&gt;</b><b>&lt;i&gt;</b>');
  });

  test('filters that change markup return plain text again (escaped), those that cannot keep it', () => {
    const s = trustedHtml('<b>Hi</b>');
    assert.equal(render('{{ s|upper }}', { s }), '&lt;B&gt;HI&lt;/B&gt;');
    assert.equal(render('{{ s|replace("Hi", "Yo") }}', { s }), '&lt;b&gt;Yo&lt;/b&gt;');
    assert.equal(render('{{ s|trim }}', { s: trustedHtml('  <b>x</b> ') }), '<b>x</b>');
    assert.equal(render('{{ "<x>"|escape }}|{{ s|escape }}', { s }), '&lt;x&gt;|<b>Hi</b>');
  });

  test('|sanitize keeps the allowed markup and strips <script>, handlers and javascript: links', () => {
    const rich =
      '<p onclick="steal()">Hello <b>bold</b> <i>it</i></p><script>alert(1)</script>' +
      '<a href="javascript:alert(1)">bad</a><a href="https://example.com/" onmouseover="x()">good</a>' +
      '<img src=x onerror=alert(1)><style>p{}</style><iframe src="https://evil"></iframe>';
    assert.equal(
      render('<div>{{ rich|sanitize }}</div>', { rich }),
      '<div><p>Hello <b>bold</b> <i>it</i></p><a rel="nofollow noopener noreferrer">bad</a>' +
        '<a rel="nofollow noopener noreferrer" href="https://example.com/">good</a></div>',
    );
  });

  test('|sanitize output is escaped again in an attribute', () => {
    assert.equal(render('<p title="{{ r|sanitize }}"></p>', { r: '<b>x</b>' }), '<p title="&lt;b&gt;x&lt;/b&gt;"></p>');
  });

  test('an engine refuses to register a filter named safe', () => {
    assert.throws(() => templates({ filters: { safe: (v) => v } }), /safe/);
  });
});
