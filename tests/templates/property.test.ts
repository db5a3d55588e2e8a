/**
 * Property test: for random strings (any Unicode code point, mixed with fragments of the classic
 * payloads) put into a page that has an output in every context, the page parsed by a real HTML
 * parser (parse5) has exactly the elements and attributes of the same page rendered with a
 * harmless value; every URL attribute has an allowed scheme (or none, or the blocked marker);
 * every event-handler and style attribute is unchanged outside its string literal, and every
 * value reads back, after the browser's decoding, as the string that was rendered.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import '../helpers/property-seed.ts';
import { parse } from 'parse5';
import type { DefaultTreeAdapterMap } from 'parse5';
import { templates } from 'rampart/templates';
import { BLOCKED_URL, PAYLOADS } from './helpers.ts';

type Node = DefaultTreeAdapterMap['node'];
type Element = DefaultTreeAdapterMap['element'];

const PAGE = `<!DOCTYPE html>
<html><head><title>{{ v }}</title>
<style id="css-el">p { font-family: "{{ v }}" }</style>
</head><body>
<p id="text">{{ v }}</p>
<textarea id="rcdata">x{{ v }}</textarea>
<div id="attr-dq" title="{{ v }}"></div>
<div id="attr-sq" title='{{ v }}'></div>
<div id="attr-uq" title={{ v }} lang=en></div>
<div id="attr-uq-prefix" data-a=pre{{ v }} data-b="b"></div>
<a id="href-dq" href="{{ v }}">a</a>
<a id="href-sq" href='{{ v }}'>a</a>
<a id="href-uq" href={{ v }} rel=x>a</a>
<a id="href-part" href="/search?q={{ v }}">a</a>
<img id="img" src="{{ v }}" srcset="{{ v }} 1x, /b.png 2x" alt="">
<form id="form" action="{{ v }}" method="get"><button id="fa" formaction="{{ v }}">b</button></form>
<object id="obj" data="{{ v }}"></object>
<button id="js-dq" onclick="f('{{ v }}')">b</button>
<button id="js-sq" onclick='f("{{ v }}")'>b</button>
<button id="js-uq" onclick=f('{{ v }}') type=button>b</button>
<div id="css-dq" style="font-family: '{{ v }}'">s</div>
<div id="css-uq" style=font-family:'{{ v }}' class=c>s</div>
<script id="json">var data = {{ v }};</script>
<script id="jsstr">var s = "{{ v }}";</script>
<svg><a id="xlink" xlink:href="{{ v }}"><text>t</text></a></svg>
</body></html>`;

const engine = templates({ sources: { 'page.html': PAGE }, strict: true, reload: false });
const renderPage = (v: string): string => engine.render('page.html', { v }).toString();

// -----------------------------------------------------------------------------------------------
// Reading the parsed page

function isElement(n: Node): n is Element {
  return 'tagName' in n;
}

function children(n: Node): Node[] {
  const out: Node[] = 'childNodes' in n ? [...n.childNodes] : [];
  if (isElement(n) && n.tagName === 'template' && 'content' in n) out.push(...(n as unknown as { content: { childNodes: Node[] } }).content.childNodes);
  return out;
}

function elements(root: Node): Element[] {
  const out: Element[] = [];
  const walk = (n: Node): void => {
    if (isElement(n)) out.push(n);
    for (const c of children(n)) walk(c);
  };
  walk(root);
  return out;
}

const attrName = (a: { name: string; prefix?: string }): string => (a.prefix ? `${a.prefix}:${a.name}` : a.name);

/** The shape the property compares: every element's namespace, tag and attribute names, in order. */
function shape(doc: Node): string[] {
  return elements(doc).map((e) => `${e.namespaceURI} ${e.tagName} [${e.attrs.map(attrName).join(' ')}]`);
}

function byId(doc: Node, id: string): Element {
  const found = elements(doc).find((e) => e.attrs.some((a) => a.name === 'id' && a.value === id));
  assert.ok(found !== undefined, `no element #${id}`);
  return found;
}

function attr(e: Element, name: string): string {
  const found = e.attrs.find((a) => attrName(a) === name);
  assert.ok(found !== undefined, `no attribute ${name} on <${e.tagName}>`);
  return found.value;
}

function text(e: Element): string {
  return children(e)
    .map((c) => ('value' in c && c.nodeName === '#text' ? (c as { value: string }).value : ''))
    .join('');
}

// -----------------------------------------------------------------------------------------------
// What the browser does to a value before a script or style sees it

const newlines = (s: string): string => s.replace(/\r\n?/g, '\n');
/** Element text in <body>: NUL characters are dropped, newlines normalised. */
const asBodyText = (s: string): string => newlines(s).replaceAll('\0', '');
/** RCDATA and attribute values: NUL becomes U+FFFD, newlines normalised. */
const asRcdata = (s: string): string => newlines(s).replaceAll('\0', '\uFFFD');

/** Reads a JS string literal starting at `s[start]` (the quote). Throws if it is not one. */
function readJsString(s: string, start: number): { value: string; end: number } {
  const quote = s[start];
  assert.ok(quote === '"' || quote === "'", `no JS string at ${start}: ${JSON.stringify(s)}`);
  let out = '';
  let i = start + 1;
  while (i < s.length) {
    const c = s[i]!;
    if (c === quote) return { value: out, end: i + 1 };
    if (c === '\n' || c === '\r') throw new Error(`line break in a JS string: ${JSON.stringify(s)}`);
    if (c !== '\\') {
      out += c;
      i++;
      continue;
    }
    const d = s[i + 1];
    if (d === undefined) break;
    const simple: Record<string, string> = { n: '\n', r: '\r', t: '\t', b: '\b', f: '\f', v: '\v', 0: '\0' };
    if (d === 'u') {
      if (s[i + 2] === '{') {
        const close = s.indexOf('}', i + 3);
        out += String.fromCodePoint(parseInt(s.slice(i + 3, close), 16));
        i = close + 1;
      } else {
        const hex = s.slice(i + 2, i + 6);
        assert.match(hex, /^[0-9a-fA-F]{4}$/, `bad \\u escape in ${JSON.stringify(s)}`);
        out += String.fromCharCode(parseInt(hex, 16));
        i += 6;
      }
    } else if (d === 'x') {
      const hex = s.slice(i + 2, i + 4);
      assert.match(hex, /^[0-9a-fA-F]{2}$/);
      out += String.fromCharCode(parseInt(hex, 16));
      i += 4;
    } else if (d in simple && !(d === '0' && /[0-9]/.test(s[i + 2] ?? ''))) {
      out += simple[d];
      i += 2;
    } else if (d === '\n' || d === '\u2028' || d === '\u2029') {
      i += 2;
    } else {
      out += d;
      i += 2;
    }
  }
  throw new Error(`unterminated JS string: ${JSON.stringify(s)}`);
}

/** Reads a CSS string token starting at `s[start]` (the quote), decoding escapes as CSS does. */
function readCssString(s: string, start: number): { value: string; end: number } {
  const quote = s[start];
  assert.ok(quote === '"' || quote === "'", `no CSS string at ${start}: ${JSON.stringify(s)}`);
  let out = '';
  let i = start + 1;
  while (i < s.length) {
    const c = s[i]!;
    if (c === quote) return { value: out, end: i + 1 };
    if (c === '\n' || c === '\r' || c === '\f') throw new Error(`line break in a CSS string: ${JSON.stringify(s)}`);
    if (c !== '\\') {
      const cp = s.codePointAt(i)!;
      out += String.fromCodePoint(cp);
      i += cp > 0xffff ? 2 : 1;
      continue;
    }
    i++;
    if (i >= s.length) break;
    if (s[i] === '\n') {
      i++;
      continue;
    }
    if (/[0-9a-fA-F]/.test(s[i]!)) {
      let hex = '';
      while (hex.length < 6 && i < s.length && /[0-9a-fA-F]/.test(s[i]!)) hex += s[i++];
      if (s[i] === ' ' || s[i] === '\t' || s[i] === '\n') i++;
      const cp = parseInt(hex, 16);
      out += cp === 0 || (cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff ? '\uFFFD' : String.fromCodePoint(cp);
      continue;
    }
    const cp = s.codePointAt(i)!;
    out += String.fromCodePoint(cp);
    i += cp > 0xffff ? 2 : 1;
  }
  throw new Error(`unterminated CSS string: ${JSON.stringify(s)}`);
}

/** `prefix` (ending with the opening quote) + a string literal + `suffix` after its closing quote, nothing else: the literal's value. */
function literalBetween(read: typeof readJsString, whole: string, prefix: string, suffix: string): string {
  assert.ok(whole.startsWith(prefix), `changed before the literal: ${JSON.stringify(whole)}`);
  const { value, end } = read(whole, prefix.length - 1);
  assert.equal(whole.slice(end), suffix, `changed after the literal: ${JSON.stringify(whole)}`);
  return value;
}

// -----------------------------------------------------------------------------------------------
// URLs as the browser reads them

const ALLOWED_SCHEMES = new Set(['http', 'https', 'mailto', 'tel']);

/** The scheme the URL parser would see, or null for a relative URL. */
function schemeOf(url: string): string | null {
  // eslint-disable-next-line no-control-regex
  const trimmed = url.replace(/^[\u0000-\u0020]+|[\u0000-\u0020]+$/g, '').replace(/[\t\n\r]/g, '');
  const m = /^([a-zA-Z][a-zA-Z0-9+.-]*):/.exec(trimmed);
  return m === null ? null : m[1]!.toLowerCase();
}

function assertSafeUrl(url: string, where: string): void {
  if (url === BLOCKED_URL) return;
  const scheme = schemeOf(url);
  assert.ok(scheme === null || ALLOWED_SCHEMES.has(scheme), `${where}: URL with scheme ${scheme}: ${JSON.stringify(url)}`);
}

/** The URLs of a srcset value, split as the HTML srcset parser does. */
function srcsetUrls(value: string): string[] {
  const urls: string[] = [];
  let i = 0;
  const ws = (c: string | undefined): boolean => c === ' ' || c === '\t' || c === '\n' || c === '\r' || c === '\f';
  while (i < value.length) {
    while (i < value.length && (ws(value[i]) || value[i] === ',')) i++;
    if (i >= value.length) break;
    let url = '';
    while (i < value.length && !ws(value[i])) url += value[i++];
    if (url.endsWith(',')) {
      urls.push(url.replace(/,+$/, ''));
      continue;
    }
    urls.push(url);
    let parens = false;
    while (i < value.length) {
      const c = value[i++];
      if (c === '(') parens = true;
      else if (c === ')') parens = false;
      else if (c === ',' && !parens) break;
    }
  }
  return urls;
}

const URL_ATTRIBUTES: readonly (readonly [string, string])[] = [
  ['href-dq', 'href'],
  ['href-sq', 'href'],
  ['href-uq', 'href'],
  ['href-part', 'href'],
  ['img', 'src'],
  ['form', 'action'],
  ['fa', 'formaction'],
  ['obj', 'data'],
  ['xlink', 'xlink:href'],
];

// -----------------------------------------------------------------------------------------------
// The property

const HARMLESS_SHAPE = shape(parse(renderPage('harmless')));

function checkPage(v: string): void {
  const doc = parse(renderPage(v));
  assert.deepEqual(shape(doc), HARMLESS_SHAPE, 'elements or attributes changed');

  // Text, RCDATA and ordinary attribute values read back as the value.
  const title = elements(doc).find((e) => e.tagName === 'title')!;
  assert.equal(text(title), asRcdata(v), '<title>');
  assert.equal(text(byId(doc, 'text')), asBodyText(v), '<p> text');
  assert.equal(text(byId(doc, 'rcdata')), 'x' + asRcdata(v), '<textarea>');
  assert.equal(attr(byId(doc, 'attr-dq'), 'title'), asRcdata(v), 'double-quoted attribute');
  assert.equal(attr(byId(doc, 'attr-sq'), 'title'), asRcdata(v), 'single-quoted attribute');
  assert.equal(asRcdata(attr(byId(doc, 'attr-uq'), 'title')), asRcdata(v), 'unquoted attribute');
  assert.equal(attr(byId(doc, 'attr-uq'), 'lang'), 'en');
  // An empty value after a prefix adds `""` (escaping.test.ts has its own test for that); checked for the rest.
  if (v !== '') assert.equal(asRcdata(attr(byId(doc, 'attr-uq-prefix'), 'data-a')), 'pre' + asRcdata(v), 'unquoted attribute after a prefix');
  assert.equal(attr(byId(doc, 'attr-uq-prefix'), 'data-b'), 'b');

  // URL attributes: no script scheme, and the static prefix is kept.
  for (const [id, name] of URL_ATTRIBUTES) assertSafeUrl(attr(byId(doc, id), name), `#${id} ${name}`);
  for (const url of srcsetUrls(attr(byId(doc, 'img'), 'srcset'))) assertSafeUrl(url, 'srcset');
  assert.ok(attr(byId(doc, 'img'), 'srcset').endsWith(' 1x, /b.png 2x'), 'srcset descriptors changed');
  assert.ok(attr(byId(doc, 'href-part'), 'href').startsWith('/search?q='), 'URL prefix changed');
  assert.equal(attr(byId(doc, 'href-uq'), 'rel'), 'x');
  assert.equal(attr(byId(doc, 'form'), 'method'), 'get');

  // Event handlers and style attributes: unchanged outside the literal, which decodes to the value.
  assert.equal(literalBetween(readJsString, attr(byId(doc, 'js-dq'), 'onclick'), "f('", ')'), v, 'onclick in "…"');
  assert.equal(literalBetween(readJsString, attr(byId(doc, 'js-sq'), 'onclick'), 'f("', ')'), v, "onclick in '…'");
  assert.equal(literalBetween(readJsString, attr(byId(doc, 'js-uq'), 'onclick'), "f('", ')'), v, 'unquoted onclick');
  assert.equal(attr(byId(doc, 'js-uq'), 'type'), 'button');
  const cssValue = v.replaceAll('\0', '\uFFFD');
  assert.equal(literalBetween(readCssString, attr(byId(doc, 'css-dq'), 'style'), "font-family: '", ''), cssValue, 'style in "…"');
  assert.equal(literalBetween(readCssString, attr(byId(doc, 'css-uq'), 'style'), "font-family:'", ''), cssValue, 'unquoted style');
  assert.equal(attr(byId(doc, 'css-uq'), 'class'), 'c');

  // <script> and <style>: one text child, code unchanged around the value.
  const json = text(byId(doc, 'json'));
  assert.ok(json.startsWith('var data = ') && json.endsWith(';'), `script changed: ${JSON.stringify(json)}`);
  assert.equal(JSON.parse(json.slice('var data = '.length, -1)), v, '<script> JSON');
  assert.equal(literalBetween(readJsString, text(byId(doc, 'jsstr')), 'var s = "', ';'), v, '<script> JS string');
  assert.equal(literalBetween(readCssString, text(byId(doc, 'css-el')), 'p { font-family: "', ' }'), cssValue, '<style> CSS string');
}

const FRAGMENTS = [
  ...Object.values(PAYLOADS),
  '<', '>', '"', "'", '`', '&', '=', '/', '\\', ' ', '\t', '\n', '\r', '\r\n', '\f', '\0', '\u2028', '\u2029', '\u00a0', '\ufeff',
  '&#106;', '&lt;', '&amp;', '&#0;', '&#x0A;', '&quot;', '&#39;', '&nbsp', '</script>', '</SCRIPT ', '</style>', '</title>', '</textarea>',
  '<!--', '-->', '--!>', '<![CDATA[', ']]>', '<script>', '<svg>', '<math>', '<img src=x onerror=alert(1)>', '<a href="', '" onclick="',
  'javascript:', 'JaVaScRiPt:', 'java\tscript:', 'vbscript:', 'data:', 'http:', 'https://', '//', '?', '#', ':', '%', '%3A', '%0a',
  '*/', '/*', '//', '${', '}', '{{', '}}', '{%', '%}', '\\u0027', '\\x3c', '\\', 'expression(', 'url(', ');', 'alert(1)', '1x,', ', ',
];

const valueArb = fc.oneof(
  { weight: 2, arbitrary: fc.string({ unit: 'binary' }) },
  { weight: 1, arbitrary: fc.string({ unit: 'binary-ascii' }) },
  { weight: 4, arbitrary: fc.array(fc.oneof(fc.constantFrom(...FRAGMENTS), fc.string({ unit: 'binary', maxLength: 4 })), { maxLength: 10 }).map((parts) => parts.join('')) },
);

describe('property: the page structure survives any value', () => {
  test('the harmless page has the expected structure', () => {
    assert.equal(HARMLESS_SHAPE.filter((s) => / (a|img|button|div|script) /.test(s)).length, 18);
    checkPage('harmless');
  });

  test('every classic payload', () => {
    for (const v of Object.values(PAYLOADS)) checkPage(v);
    for (const v of ['', ' ', '\0', '\r\n', 'javascript', 'a b', '--', '-->']) checkPage(v);
  });

  test('random strings (fast-check, 300 runs)', () => {
    fc.assert(
      fc.property(valueArb, (v) => {
        checkPage(v);
      }),
      { numRuns: 300 },
    );
  });
});
