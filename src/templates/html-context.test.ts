import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import '../../tests/helpers/property-seed.ts';
import { parse } from 'parse5';
import { HtmlContextTracker, chooseEscaper } from './html-context.js';
import type { EscaperName, HtmlContext, Insertion } from './html-context.js';
import { assertLinear } from '../../tests/helpers/linear.ts';

/** A tracker fed each chunk in turn; `null` between chunks stands for an output. */
function track(...chunks: (string | null)[]): HtmlContextTracker {
  const t = new HtmlContextTracker();
  for (const chunk of chunks) {
    if (chunk === null) t.afterOutput();
    else t.feed(chunk);
  }
  return t;
}

function ctx(...chunks: (string | null)[]): HtmlContext {
  return track(...chunks).context;
}

function escaper(...chunks: (string | null)[]): EscaperName | string {
  const r = chooseEscaper(ctx(...chunks));
  return 'escaper' in r ? r.escaper : `refused: ${r.refused}`;
}

function refusal(...chunks: (string | null)[]): string {
  const r = chooseEscaper(ctx(...chunks));
  assert.ok('refused' in r, `expected a refusal after ${JSON.stringify(chunks)}, got ${JSON.stringify(r)}`);
  return r.refused;
}

function insertions(...chunks: string[]): Insertion[][] {
  const t = new HtmlContextTracker();
  return chunks.map((c) => t.feed(c));
}

/** Applies the insertions the way the compiler will, for readable assertions. */
function render(source: string): string {
  const t = new HtmlContextTracker();
  const ins = t.feed(source);
  let out = '';
  let last = 0;
  for (const i of ins) {
    out += source.slice(last, i.offset) + (i.kind === 'nonce' ? ' nonce="N"' : '<input type="hidden" name="csrf" value="T">');
    last = i.offset;
  }
  return out + source.slice(last);
}

// --- text and tags --------------------------------------------------------------------------

test('starts in text, and stays there through text that only looks like markup', () => {
  assert.deepEqual(ctx(''), {
    state: 'text', element: '', attr: 'normal', attrName: '', delim: null, urlPart: null,
    jsString: null, cssString: null, comment: null, jsRegex: false, hazard: null,
  });
  assert.equal(ctx('a < b, c > d, 1 <2').state, 'text');
  assert.equal(ctx('<p>hello</p>').state, 'text');
  assert.equal(ctx('<br/>').state, 'text');
  assert.equal(ctx('x <= y').state, 'text');
  assert.equal(escaper('<p>'), 'html');
});

test('the context object is frozen and changes after feed', () => {
  const t = track('<p>');
  const a = t.context;
  assert.ok(Object.isFrozen(a));
  assert.equal(t.context, a);
  t.feed('<a href="');
  assert.notEqual(t.context, a);
  assert.equal(t.context.state, 'attrValue');
});

test('tag names and attribute states', () => {
  assert.deepEqual([ctx('<').state, ctx('<').element], ['tagName', '']);
  assert.deepEqual([ctx('<di').state, ctx('<di').element], ['tagName', 'di']);
  assert.deepEqual([ctx('<div ').state, ctx('<div ').element], ['tag', 'div']);
  assert.deepEqual([ctx('<div cl').state, ctx('<div cl').attrName], ['attrName', 'cl']);
  assert.deepEqual([ctx('<div class ').state, ctx('<div class ').attrName], ['afterAttrName', 'class']);
  assert.equal(ctx('<div class=').state, 'beforeValue');
  assert.equal(ctx('<div class= ').state, 'beforeValue');
  assert.deepEqual([ctx('<div class="').state, ctx('<div class="').delim], ['attrValue', 'double']);
  assert.deepEqual([ctx("<div class='").state, ctx("<div class='").delim], ['attrValue', 'single']);
  assert.deepEqual([ctx('<div class=a').state, ctx('<div class=a').delim], ['attrValue', 'unquoted']);
  assert.equal(ctx('<div class="a"').state, 'tag');
  assert.equal(ctx('<div class="a" ').state, 'tag');
  assert.equal(ctx('<div class="a">').state, 'text');
  assert.equal(ctx('<div class=a ').state, 'tag');
  assert.equal(ctx('<div class=a>').state, 'text');
  assert.equal(ctx('<div /').state, 'tag');
  assert.equal(ctx('<div hidden>').state, 'text');
  assert.equal(ctx('<div hidden title="').attrName, 'title');
  assert.equal(ctx('<div hidden title = "').state, 'attrValue');
});

test('quotes protect > and the other quote inside attribute values', () => {
  assert.equal(ctx('<a title="a>b').state, 'attrValue');
  assert.equal(ctx('<a title="a>b" href="').attr, 'url');
  assert.equal(ctx(`<a title='say "hi"' onclick='`).attr, 'js');
  assert.equal(ctx(`<a title="it's" x="`).delim, 'double');
  assert.equal(ctx('<a title="x"y').state, 'attrName'); // no space needed after a quoted value
  assert.equal(ctx('<a title="x"y').attrName, 'y');
});

test('names are ASCII-lower-cased, as the HTML tokenizer does', () => {
  const c = ctx('<A HREF="');
  assert.deepEqual([c.element, c.attrName, c.attr], ['a', 'href', 'url']);
  assert.equal(ctx('<IMG SRC=').attr, 'url');
  assert.equal(ctx('<DIV OnClick="').attr, 'js');
  assert.equal(ctx('<SCRIPT>').state, 'script');
  assert.equal(ctx('<StYlE>').state, 'style');
  // Non-ASCII letters are not folded: `ſcript` is not `script` for a browser either.
  assert.equal(ctx('<ſcript>').state, 'text');
});

test('unquoted values end at whitespace or >, and / belongs to them', () => {
  assert.equal(ctx('<a href=x/').state, 'attrValue');
  assert.equal(ctx('<a href=x/>').state, 'text');
  assert.equal(ctx('<a href=x/ ').state, 'tag');
  assert.equal(ctx('<a href=x"y\'z`<=').state, 'attrValue'); // parse errors, still the value
  assert.equal(ctx('<a href=x\ttitle=').attrName, 'title');
  assert.equal(ctx('<a href=x\ntitle=').attrName, 'title');
  assert.equal(ctx('<br/ >').state, 'text');
  assert.equal(ctx('<img src="a"/>').state, 'text');
});

test('attribute kinds', () => {
  const kind = (src: string) => ctx(src).attr;
  for (const name of [
    'href', 'src', 'action', 'formaction', 'poster', 'cite', 'background', 'longdesc', 'manifest',
    'ping', 'codebase', 'classid', 'archive', 'usemap', 'icon', 'profile', 'dynsrc', 'lowsrc', 'xlink:href',
  ]) {
    assert.equal(kind(`<x ${name}="`), 'url', name);
  }
  assert.equal(kind('<object data="'), 'url');
  assert.equal(kind('<div data="'), 'normal');
  assert.equal(kind('<div data-href="'), 'normal');
  assert.equal(kind('<svg><animate attributeName="href" values="'), 'url');
  assert.equal(kind('<svg><set to="'), 'url');
  assert.equal(kind('<div onclick="'), 'js');
  assert.equal(kind('<body onload="'), 'js');
  assert.equal(kind('<div ONMOUSEOVER="'), 'js');
  assert.equal(kind('<div style="'), 'css');
  assert.equal(kind('<iframe srcdoc="'), 'html');
  assert.equal(kind('<img srcset="'), 'srcset');
  assert.equal(kind('<link imagesrcset="'), 'srcset');
  assert.equal(kind('<meta content="'), 'normal');
  assert.equal(kind('<input value="'), 'normal');
  assert.equal(kind('<a title=x href='), 'url');
  assert.equal(kind('<a href=x title='), 'normal');
});

// --- comments ---------------------------------------------------------------------------------

test('HTML comments, including the abrupt and bang endings', () => {
  assert.equal(ctx('<!--').state, 'comment');
  assert.equal(ctx('<!-- a').state, 'comment');
  assert.equal(ctx('<!-- a -->').state, 'text');
  assert.equal(ctx('<!-- a -- b').state, 'comment');
  assert.equal(ctx('<!-- a -- b -->').state, 'text');
  assert.equal(ctx('<!-- a --->').state, 'text');
  assert.equal(ctx('<!-- a --!>').state, 'text');
  assert.equal(ctx('<!-- a --!- b').state, 'comment');
  assert.equal(ctx('<!-- a -> b').state, 'comment');
  assert.equal(ctx('<!-->').state, 'text');
  assert.equal(ctx('<!--->').state, 'text');
  assert.equal(ctx('<!-- <a href="x"> -->').state, 'text');
  assert.equal(ctx('<!-- <!-- -->').state, 'text');
  assert.equal(ctx('<!-- "> <a href="').state, 'comment');
});

test('bogus comments, doctype and processing instructions end at the first >', () => {
  assert.equal(ctx('<!').state, 'comment');
  assert.equal(ctx('<!-').state, 'comment');
  assert.equal(ctx('<!x').state, 'comment');
  assert.equal(ctx('<!-x').state, 'comment');
  assert.equal(ctx('<!-x>').state, 'text');
  assert.equal(ctx('<!>').state, 'text');
  assert.equal(ctx('<!DOCTYPE html>').state, 'text');
  assert.equal(ctx('<!doctype html><html lang="').attrName, 'lang');
  assert.equal(ctx('<?xml version="1.0"?>').state, 'text');
  assert.equal(ctx('<? a "> b').state, 'text');
  assert.equal(ctx('</ x>').state, 'text');
  assert.equal(ctx('</1').state, 'comment');
  assert.equal(ctx('</>').state, 'text');
});

// --- end tags ---------------------------------------------------------------------------------

test('end tags are read like start tags, attributes and quotes included', () => {
  assert.deepEqual([ctx('</').state, ctx('</').element], ['endTag', '']);
  assert.deepEqual([ctx('</di').state, ctx('</di').element], ['endTag', 'di']);
  assert.equal(ctx('</div ').state, 'endTag');
  assert.equal(ctx('</div x="').state, 'endTag');
  assert.equal(ctx('</div x=">').state, 'endTag');
  assert.equal(ctx('</div x=">">').state, 'text');
  assert.equal(ctx('</div>').state, 'text');
});

// --- script ---------------------------------------------------------------------------------

test('script bodies: code, strings, template literals', () => {
  assert.deepEqual([ctx('<script>').state, ctx('<script>').element], ['script', 'script']);
  assert.equal(escaper('<script>var a = '), 'jsValue');
  assert.equal(escaper('<script type=module>import x from "./x.js"; const a = '), 'jsValue');
  assert.equal(escaper('<script type="application/json">'), 'jsValue');
  assert.equal(ctx('<script>var a = "').jsString, '"');
  assert.equal(ctx("<script>var a = '").jsString, "'");
  assert.equal(ctx('<script>var a = `').jsString, '`');
  assert.equal(escaper('<script>var a = "'), 'jsString');
  assert.equal(ctx('<script>var a = "x"').jsString, null);
  assert.equal(ctx('<script>var a = "x\\"').jsString, '"'); // escaped quote
  assert.equal(ctx('<script>var a = "x\\\\"').jsString, null); // escaped backslash
  assert.equal(ctx(`<script>var a = "it's ok"; var b = '`).jsString, "'");
  assert.equal(ctx(`<script>var a = 'say "hi"'; var b = "`).jsString, '"');
  assert.equal(ctx('<script>var a = `x ${"`"} y').jsString, '`');
  assert.equal(ctx('<script>var a = `x ${ b }').jsString, '`');
  assert.equal(ctx('<script>var a = `x ${ ').jsString, null);
  assert.equal(escaper('<script>var a = `x ${ '), 'jsValue');
  assert.equal(ctx('<script>var a = `x ${ {a: 1}["a"] } ').jsString, '`');
  assert.equal(ctx('<script>var a = `x ${ `y ${ z }` } ').jsString, '`');
  assert.equal(ctx('<script>var a = `x ${ `y ${ z }` } `; var b = ').jsString, null);
  assert.equal(ctx('<script>var a = "line\n').jsString, null); // an unterminated string
  assert.equal(ctx('<script>var a = `line\n').jsString, '`'); // templates span lines
});

test('script bodies: comments', () => {
  assert.equal(ctx('<script>// "').comment, 'js');
  assert.equal(ctx('<script>// "\n').comment, null);
  assert.equal(ctx('<script>// "\nvar a = ').jsString, null);
  assert.equal(ctx('<script>/* "').comment, 'js');
  assert.equal(ctx('<script>/* " */').comment, null);
  assert.equal(ctx('<script>/* " **/ var a = "').jsString, '"');
  assert.equal(ctx('<script>var a = "//"; var b = ').comment, null);
  assert.equal(ctx('<script>var a = "/*"; var b = "').jsString, '"');
  assert.equal(ctx('<script><!-- "').comment, 'js');
  assert.equal(ctx('<script>x --> "').comment, 'js');
  assert.equal(ctx('<script>x --> "\nvar a = ').comment, null);
});

test('script bodies: regular expressions are told apart from division', () => {
  assert.equal(ctx('<script>var r = /"/; var s = "').jsString, '"');
  assert.equal(ctx("<script>var r = /'/g, s = ").jsString, null);
  assert.equal(ctx('<script>var r = /[/"]/; var s = ').jsString, null);
  assert.equal(ctx('<script>var r = /\\/"/; var s = ').jsString, null);
  assert.equal(ctx('<script>var r = /a/').jsRegex, false);
  assert.equal(ctx('<script>var r = /a').jsRegex, true);
  assert.equal(ctx('<script>var r = /').jsRegex, true);
  assert.equal(ctx('<script>x = a / 2; s = "').jsString, '"');
  assert.equal(ctx('<script>x = a / ').jsRegex, false);
  assert.equal(ctx('<script>x = (a + b) / 2 / "').jsString, '"');
  assert.equal(ctx('<script>x = a[1] / 2; s = "').jsString, '"');
  assert.equal(ctx('<script>x = 42. / 2; s = "').jsString, '"');
  assert.equal(ctx('<script>x = a++ / 2; s = "').jsString, '"');
  assert.equal(ctx('<script>x = a + /"/; s = ').jsString, null);
  assert.equal(ctx('<script>return /"/.test(s); s = ').jsString, null);
  assert.equal(ctx('<script>x = typeof /"/; s = ').jsString, null);
  assert.equal(ctx('<script>x = returned / 2; s = "').jsString, '"');
  assert.equal(ctx('<script>if (a) { } /"/.test(s); s = ').jsString, null);
  assert.equal(ctx('<script>x = "a" / "').jsString, '"');
  assert.equal(escaper('<script>x = a /'), 'jsValue');
  assert.match(refusal('<script>x = /'), /regular expression/);
});

test('script ends at </script followed by whitespace, / or >, in any case', () => {
  assert.equal(ctx('<script>x</script>').state, 'text');
  assert.equal(ctx('<script>x</SCRIPT >').state, 'text');
  assert.equal(ctx('<script>x</ScRiPt/>').state, 'text');
  assert.equal(ctx('<script>x</script\n>').state, 'text');
  assert.equal(ctx('<script>x</script').state, 'script');
  assert.equal(ctx('<script>x</script ').state, 'endTag');
  assert.equal(ctx('<script>x</scriptx>').state, 'script');
  assert.equal(ctx('<script>x</scrip>').state, 'script');
  assert.equal(ctx('<script>x</style>').state, 'script');
  // Inside a JS string or comment too: the HTML tokenizer does not know about JavaScript.
  assert.equal(ctx('<script>var s = "</script>').state, 'text');
  assert.equal(ctx('<script>// </script>').state, 'text');
  assert.equal(ctx('<script>var s = "</script><p title="').state, 'attrValue');
  // The JS state does not leak into the next script.
  assert.equal(ctx('<script>var s = "</script><script>').jsString, null);
});

test('script data escaping: <!-- <script> hides </script> until -->', () => {
  assert.equal(ctx('<script><!-- </script>').state, 'text');
  assert.equal(ctx('<script><!-- <script> </script>').state, 'script');
  assert.equal(ctx('<script><!-- <script> </script> </script>').state, 'text');
  assert.equal(ctx('<script><!-- <script> --> </script>').state, 'text');
  assert.equal(ctx('<script><!-- <scripts> </script>').state, 'text');
  assert.equal(ctx('<script><!--> <script> </script>').state, 'text');
  assert.equal(ctx('<script>"<!--" <script> </script>').state, 'script');
});

test('style bodies: strings and comments', () => {
  assert.equal(ctx('<style>').state, 'style');
  assert.equal(ctx('<style>a { font-family: "').cssString, '"');
  assert.equal(ctx("<style>a { font-family: '").cssString, "'");
  assert.equal(ctx('<style>a { content: "a\\"').cssString, '"');
  assert.equal(ctx('<style>a { content: "a" }').cssString, null);
  assert.equal(ctx('<style>/* "').comment, 'css');
  assert.equal(ctx('<style>/* " */ a { content: "').cssString, '"');
  assert.equal(ctx('<style>a { content: \\"').cssString, null); // an escaped quote in code
  assert.equal(ctx('<style>a { content: "x\n').cssString, null); // a bad string ends at the line
  assert.equal(escaper('<style>a { content: "'), 'cssString');
  assert.equal(ctx('<style>a{}</style>').state, 'text');
  assert.equal(ctx('<style>a{content:"</style>"}').state, 'text');
  assert.equal(ctx('<style></STYLE >').state, 'text');
  assert.equal(ctx('<style><!-- </style>').state, 'text'); // no escape states outside script
});

test('RCDATA and RAWTEXT elements', () => {
  for (const name of ['title', 'textarea', 'xmp', 'iframe', 'noembed', 'noframes']) {
    assert.deepEqual([ctx(`<${name}>`).state, ctx(`<${name}>`).element], ['rcdata', name], name);
    assert.equal(ctx(`<${name}><b title="`).state, 'rcdata', name);
    assert.equal(ctx(`<${name}>x</${name.toUpperCase()}>`).state, 'text', name);
  }
  assert.equal(escaper('<title>'), 'rcdata');
  assert.equal(escaper('<textarea name=x>'), 'rcdata');
  assert.equal(ctx('<plaintext></plaintext><p>').state, 'rcdata');
  assert.equal(ctx('<noscript><a href="').attr, 'url'); // parsed as markup when scripting is off
});

test('SVG and MathML: script and style text is refused, and read as markup', () => {
  assert.equal(refusal('<svg><script>'), 'in the text of an SVG <script>: it is JavaScript after the parser decodes character references, so no escaping is safe');
  assert.match(refusal('<math><style>a{content:"'), /SVG <style>: it is CSS/);
  assert.match(refusal('<svg><script><g>'), /SVG <script>/);
  // Reported as script/style text, so the compiler allows no include or block there.
  assert.deepEqual([ctx('<svg><script>').state, ctx('<svg><script>').element], ['script', 'script']);
  assert.deepEqual([ctx('<svg><style><g>').state, ctx('<svg><style><g>').element], ['style', 'style']);
  assert.equal(track('<svg><script>').describe(), 'inside <script>, in JavaScript code, within <svg><script>');
  assert.equal(ctx('<svg><script><a href="').attr, 'url'); // tags are read in it
  assert.equal(escaper('<svg><script>x</script>'), 'html');
  assert.equal(ctx('<svg><script>x</script><p>').state, 'text');
  assert.equal(ctx('<svg><script><p>').hazard, null); // <p> leaves SVG, closing the script
  assert.equal(ctx('<svg><p><script>').state, 'script');
  assert.equal(ctx('<svg><font color=red><script>').hazard, null); // an HTML script: font with color leaves SVG
  assert.match(ctx('<svg><font><script>').hazard ?? '', /in the text of an SVG <script>/);
  assert.equal(ctx('<svg><script/><p>').state, 'text'); // self-closing in SVG
  assert.equal(ctx('<svg><style/>').hazard, null);
});

test('SVG and MathML: integration points hold HTML, raw text elements included', () => {
  assert.equal(ctx('<svg><title>').state, 'text');
  assert.equal(ctx('<svg><title><a href="').attr, 'url');
  assert.equal(ctx('<svg><title><textarea>').state, 'rcdata');
  assert.equal(ctx('<svg><foreignObject><script>').state, 'script');
  assert.equal(ctx('<svg><foreignObject><script>').hazard, null);
  assert.equal(ctx('<svg><foreignObject></foreignObject><script>').element, 'script');
  assert.equal(ctx('<math><mi><xmp>').state, 'rcdata');
  assert.equal(ctx('<math><mi></mi><style>').state, 'style');
  assert.equal(ctx('<svg><foreignObject><svg><script>').hazard?.slice(0, 25), 'in the text of an SVG <sc');
  assert.equal(ctx('<svg><foreignObject><svg></svg><script>').state, 'script');
  assert.equal(ctx('<svg><textarea>').state, 'text');
  assert.equal(ctx('<svg></svg><title>').state, 'rcdata');
  assert.equal(ctx('<svg/><title>').state, 'rcdata');
  assert.equal(ctx('<svg><svg></svg><title>').state, 'text');
  assert.equal(ctx('<svg><svg></svg></svg><title>').state, 'rcdata');
  assert.equal(ctx('<svg><p><title>').state, 'rcdata'); // <p> breaks out of foreign content
  assert.equal(ctx('<math></p><style>').state, 'style'); // so do </p> and </br>
  assert.equal(ctx('<svg></br><title>').state, 'rcdata');
});

test('SVG and MathML: end tags that do not close the innermost element make the tracker give up', () => {
  assert.equal(escaper('<svg><g><path d="M0"></g></svg><p>'), 'html'); // </g> closes the path too
  assert.equal(escaper('<svg><foreignObject><div><b>x</b></div></foreignObject></svg>'), 'html');
  assert.equal(ctx('<svg><foreignObject><div></div></foreignObject><script>').hazard?.slice(0, 21), 'in the text of an SVG');
  assert.equal(ctx('<svg><foreignObject><br><img src=x></foreignObject><title>').state, 'text');
  const lost = "after '</foreignobject>', which does not close the innermost open element inside <svg> or <math>: Rampart cannot tell how the parser recovers, so it refuses every later output; close the elements in order";
  assert.equal(refusal('<foreignObject><svg></foreignObject>'), lost);
  assert.equal(refusal('<foreignObject><svg></foreignObject></svg><p>x</p><a href="'), lost);
  assert.match(refusal('<svg><foreignObject><div></foreignObject>'), /does not close the innermost open element/);
  assert.match(refusal('<math><mi><p>a<p>b</mi>'), /after '<\/mi>'/);
});

test('CDATA sections exist in foreign content only', () => {
  assert.equal(ctx('<svg><![CDATA[ a > b').state, 'comment');
  assert.equal(refusal('<svg><![CDATA[ a > b'), 'inside a CDATA section of SVG or MathML: its text is taken literally, so no escaping is safe');
  assert.equal(track('<svg><![CDATA[').describe(), 'inside a CDATA section, within <svg>');
  assert.equal(ctx('<svg><![CDATA[ a ]] > ]>').state, 'comment');
  assert.equal(ctx('<svg><![CDATA[ a ]]]>').state, 'text');
  assert.equal(ctx('<svg><style><![CDATA[ a > b { } ]]></style><p>').state, 'text');
  assert.equal(ctx('<svg><![CDAT x>').state, 'text'); // a bogus comment
  assert.equal(ctx('<![CDATA[ a > b').state, 'text'); // in HTML: a bogus comment to the first >
  assert.match(refusal('<svg><title><![CDATA[ x ]]>'), /after '<!\[CDATA\[' directly inside <title> of SVG or MathML, which HTML parsers read differently/);
  assert.match(refusal('<math><mi><![CDATA[ x ]]></mi></math><p>'), /directly inside <mi>/);
});

// --- split across feed() calls ----------------------------------------------------------------

test('every state survives a chunk boundary', () => {
  const source =
    '<!doctype html><!-- c --><a href="/x?a=1&b=2" title=\'t\' data-x=y>' +
    '<script>var s = "</p>", r = /"/, t = `${ {a: 1} }`; // c\n</SCRIPT >' +
    '<style>a { content: "x" } /* c */</style><title>t</title><form method=post><i>';
  const whole = track(source);
  for (let i = 0; i <= source.length; i++) {
    const split = track(source.slice(0, i), source.slice(i));
    assert.ok(split.equals(whole), `split at ${i}`);
    assert.deepEqual(split.context, whole.context, `split at ${i}`);
  }
  for (let i = 0; i <= source.length; i++) {
    const parts = track(...source.split('').slice(0, i), source.slice(i));
    assert.ok(parts.equals(whole), `char by char up to ${i}`);
  }
});

test('attribute text split across chunks', () => {
  assert.equal(ctx('<a hr', 'ef="').attr, 'url');
  assert.equal(ctx('<a href', '="').attr, 'url');
  assert.equal(ctx('<a on', 'click="f(', "'").jsString, "'");
  assert.equal(ctx('<a onclick="f(&#3', '9;').jsString, "'");
  assert.equal(ctx('<scr', 'ipt>').state, 'script');
  assert.equal(ctx('<script>var a = "</scr', 'ipt>').state, 'text');
  assert.equal(ctx('<!-', '-').state, 'comment');
  assert.equal(ctx('<!-', '->').state, 'text');
  assert.equal(ctx('<', 'a href="').attr, 'url');
});

// --- outputs --------------------------------------------------------------------------------

test('afterOutput: an unquoted value starts, a URL is no longer at its start', () => {
  assert.equal(escaper('<a href='), 'urlUnquoted');
  assert.deepEqual([ctx('<a href=', null).state, ctx('<a href=', null).delim], ['attrValue', 'unquoted']);
  assert.equal(ctx('<a href=', null).urlPart, 'rest');
  assert.equal(ctx('<a href=', null, '>').state, 'text');
  assert.equal(ctx('<a href=', null, ' title=').attrName, 'title');
  assert.equal(escaper('<a href="'), 'url');
  assert.equal(escaper('<a href="  '), 'url');
  assert.equal(escaper('<a href="', null), 'urlPart');
  assert.equal(escaper('<a href="', null, '/'), 'urlPart');
  assert.equal(escaper('<a href="/users/'), 'urlPart');
  assert.equal(escaper('<a href="/search?q='), 'urlPart');
  assert.equal(escaper('<a href=/search?q='), 'urlPartUnquoted');
  assert.equal(escaper('<input value='), 'attrUnquoted');
  assert.equal(escaper('<input value=a'), 'attrUnquotedRest'); // '' adds nothing after the `a`
  assert.equal(escaper('<input value="'), 'attr');
  assert.equal(escaper("<input value='"), 'attr');
  assert.equal(escaper('<input value="', null), 'attr');
  assert.equal(ctx('<p>', null).state, 'text');
  assert.equal(ctx('<script>var a = ', null, ' / 2; var s = "').jsString, '"');
  assert.equal(ctx('<script>var a = "', null, '"; var b = ').jsString, null);
  assert.equal(ctx('<script>var a = "\\', null, '"').jsString, null); // the output ended the escape
  assert.equal(ctx('<script>var a = `$', null, '{').jsString, '`'); // `$` then an output is no `${`
  assert.equal(ctx('<script>if (a <', null, ') { s = "').jsString, '"');
});

test('srcset: each candidate URL starts afresh', () => {
  assert.equal(escaper('<img srcset="'), 'url');
  assert.equal(escaper('<img srcset='), 'urlUnquoted');
  assert.equal(escaper('<img srcset="', null, ' 1x, '), 'url');
  assert.equal(escaper('<img srcset="a.png 1x, '), 'url');
  assert.equal(escaper('<img srcset="a.png 1x,'), 'url');
  assert.equal(escaper('<img srcset="a.png, '), 'url');
  assert.equal(escaper('<img srcset="a,b.png 1x'), 'urlPart');
  assert.equal(escaper('<img srcset="a.png'), 'urlPart');
  assert.equal(escaper('<img srcset="a.png '), 'urlPart');
  assert.equal(escaper('<img srcset="/img/'), 'urlPart');
});

test('js and css attributes: strings, comments, character references', () => {
  assert.equal(escaper(`<a onclick="f('`), 'jsStringAttr');
  assert.equal(escaper(`<a onclick='f("`), 'jsStringAttr');
  assert.equal(escaper('<a onclick="f(`'), 'jsStringAttr');
  assert.equal(escaper(`<a onclick=f('`), 'jsStringAttrUnquoted');
  assert.equal(escaper(`<a onclick="f(&#39;`), 'jsStringAttr');
  assert.equal(escaper(`<a onclick="f(&#x27;`), 'jsStringAttr');
  assert.equal(escaper(`<a onclick="f(&apos;`), 'jsStringAttr');
  assert.equal(escaper(`<a onclick="f(&quot;`), 'jsStringAttr');
  assert.equal(escaper(`<a onclick="f(&quot `), 'jsStringAttr'); // legacy reference without ';'
  assert.equal(ctx(`<a onclick="f('&#39;`).jsString, null); // the reference closes the string
  assert.equal(ctx(`<a onclick="f('&amp;&lt;x'`).jsString, null);
  assert.equal(ctx(`<a onclick="f('&hellip;'`).jsString, null);
  assert.equal(ctx(`<a onclick="f('&quotx`).jsString, "'"); // not decoded before an alphanumeric
  assert.equal(ctx(`<a onclick="x = 1 &sol;&ast; '`).comment, 'js');
  assert.equal(escaper(`<div style="font-family: '`), 'cssStringAttr');
  assert.equal(escaper(`<div style=font-family:'`), 'cssStringAttrUnquoted');
  assert.equal(escaper(`<div style="font-family: &quot;`), 'cssStringAttr');
  assert.equal(ctx('<div style="a: /* x').comment, 'css');
  assert.equal(ctx(`<a onclick="f('x')" href="`).attr, 'url');
  assert.equal(ctx(`<a onclick="f('x`, '">').state, 'text'); // the attribute quote ends it all
});

// --- insertions -------------------------------------------------------------------------------

test('nonce insertion before the > of <script> and <style> start tags', () => {
  assert.deepEqual(insertions('<script>'), [[{ offset: 7, kind: 'nonce' }]]);
  assert.equal(render('<p><script>x</script>'), '<p><script nonce="N">x</script>');
  assert.equal(render('<script src="/a.js"></script>'), '<script src="/a.js" nonce="N"></script>');
  assert.equal(render('<script src=/a.js></script>'), '<script src=/a.js nonce="N"></script>');
  assert.equal(render('<script type=module>'), '<script type=module nonce="N">');
  assert.equal(render('<SCRIPT>'), '<SCRIPT nonce="N">');
  assert.equal(render('<script/>'), '<script/ nonce="N">');
  assert.equal(render('<style>a{}</style>'), '<style nonce="N">a{}</style>');
  assert.equal(render('<style media="print">'), '<style media="print" nonce="N">');
  assert.equal(render('<script nonce="abc">'), '<script nonce="abc">');
  assert.equal(render('<script NONCE=abc>'), '<script NONCE=abc>');
  assert.equal(render('<style nonce>'), '<style nonce>');
  assert.equal(render('<scripts><noscript><link rel=stylesheet>'), '<scripts><noscript><link rel=stylesheet>');
  assert.equal(render('<script>var s = "<script>";</script>'), '<script nonce="N">var s = "<script>";</script>');
  assert.equal(render('<div nonce=x><script>'), '<div nonce=x><script nonce="N">');
  // A tag split across chunks: the offset is in the chunk holding the `>`.
  assert.deepEqual(insertions('<script src="', '/a.js">'), [[], [{ offset: 6, kind: 'nonce' }]]);
  // A nonce attribute whose value is an output is still a nonce attribute.
  const t = new HtmlContextTracker();
  t.feed('<script nonce="');
  t.afterOutput();
  assert.deepEqual(t.feed('">'), []);
});

test('csrf insertion after the > of <form method=post> start tags', () => {
  assert.deepEqual(insertions('<form method="post">'), [[{ offset: 20, kind: 'csrf' }]]);
  const field = '<input type="hidden" name="csrf" value="T">';
  assert.equal(render('<form method="post"><p>'), `<form method="post">${field}<p>`);
  assert.equal(render("<form METHOD='POST'>"), `<form METHOD='POST'>${field}`);
  assert.equal(render('<form method=post>'), `<form method=post>${field}`);
  assert.equal(render('<form method=PoSt action="/x">'), `<form method=PoSt action="/x">${field}`);
  assert.equal(render('<form action="/x" method="post" />'), `<form action="/x" method="post" />${field}`);
  assert.equal(render('<FORM method="post">'), `<FORM method="post">${field}`);
  assert.equal(render('<form method="get">'), '<form method="get">');
  assert.equal(render('<form>'), '<form>');
  assert.equal(render('<form method>'), '<form method>');
  assert.equal(render('<form method="post ">'), '<form method="post ">');
  assert.equal(render('<form method="posts">'), '<form method="posts">');
  assert.equal(render('<form method=post/>'), '<form method=post/>'); // the value is "post/"
  assert.equal(render('<form method="get" method="post">'), '<form method="get" method="post">'); // first wins
  assert.equal(render('<form data-method="post">'), '<form data-method="post">');
  assert.equal(render('<div method="post">'), '<div method="post">');
  assert.equal(render('</form method="post">'), '</form method="post">');
  assert.equal(render('<!-- <form method="post"> -->'), '<!-- <form method="post"> -->');
  assert.equal(render('<script><form method="post"></script>'), '<script nonce="N"><form method="post"></script>');
  // Read across chunks, with the method value split.
  assert.deepEqual(insertions('<form method="po', 'st"', ' class=x>'), [[], [], [{ offset: 9, kind: 'csrf' }]]);
  // A method that is an output is not statically post.
  const t = new HtmlContextTracker();
  t.feed('<form method="');
  t.afterOutput();
  assert.deepEqual(t.feed('">'), []);
});

// --- clone / equals ---------------------------------------------------------------------------

test('copyFrom continues from another tracker, which stays independent', () => {
  const a = track('<p>');
  const b = track('<a href="');
  a.copyFrom(b);
  assert.ok(a.equals(b));
  assert.equal(a.context.attr, 'url');
  b.feed('">');
  assert.equal(a.context.state, 'attrValue');
  assert.equal(b.context.state, 'text');
});

test('clone is independent of the original', () => {
  const a = track('<a href="');
  const b = a.clone();
  assert.ok(a.equals(b));
  b.feed('x">');
  assert.equal(a.context.state, 'attrValue');
  assert.equal(b.context.state, 'text');
  assert.ok(!a.equals(b));
  a.feed('y">');
  assert.ok(a.equals(b));
});

test('equals: branches that end in the same context compare equal', () => {
  const same = (prefix: string, x: string, y: string) => {
    const base = track(prefix);
    const a = base.clone();
    const b = base.clone();
    a.feed(x);
    b.feed(y);
    return a.equals(b);
  };
  assert.ok(same('<p>', '<b>x</b>', '<i>y</i><!-- z -->'));
  assert.ok(same('<p>', '<a href="x">', '<img src=y>'));
  assert.ok(same('<p>', '<script>a()</script>', ''));
  assert.ok(same('<div ', 'class="a"', 'id=b '));
  assert.ok(same('<a href="', '/x', '/y?z'));
  assert.ok(same('<script>', 'var a = true;', 'var a = false;'));
  assert.ok(same('<script>var a = ', '"x"', "'y'"));
  assert.ok(same('<script>var a = ', 'x1', 'z'));
  assert.ok(same('<script>var a = "', 'x', 'y" + "'));
  assert.ok(same('<script>', 'if (a) {', 'while (b) {'));
  assert.ok(same('<script>', 'a /* x */', 'a '));
  assert.ok(same('<p', '>', ' class="x">'));
  assert.ok(same('<input', ' disabled>', '>'));

  assert.ok(!same('<p>', '<a href="', '<a title="'));
  assert.ok(!same('<p>', '<!-- ', ''));
  assert.ok(!same('<p>', '<script>', ''));
  assert.ok(!same('<a href="', '', '/x'));
  assert.ok(!same('<script>', 'var a = "', 'var a = '));
  assert.ok(!same('<script>var a = ', 'b', 'b +'));
  assert.ok(!same('<script>var a = ', 'x', 'y')); // y may still become yield
  assert.ok(!same('<script>', 'a', 'a ')); // a following `return` is a keyword only after the space
  assert.ok(!same('<div ', 'id', 'id ')); // the value of `id`, or a new attribute
  assert.ok(!same('<div ', 'class', 'id'));
  assert.ok(!same('<form ', 'method="post"', 'method="get"'));
  assert.ok(!same('<script ', 'nonce=x', ''));
});

test('equals: JavaScript operands that end differently compare equal', () => {
  const same = (prefix: string, x: string, y: string) => {
    const base = track(prefix);
    const a = base.clone();
    const b = base.clone();
    a.feed(x);
    b.feed(y);
    return a.equals(b) && b.equals(a);
  };
  // A number is a token boundary after an operand, like a string, a regexp, a call or an output.
  assert.ok(same('<script>var x = ', '1', '"two"'));
  assert.ok(same('<script>var x = ', '1.5', 'f(x)'));
  assert.ok(same('<script>var x = ', '7', '/re/'));
  assert.ok(same('<script>var x = ', '1e3', '0x1f')); // with letters, a number ends like a name (a syntax error follows either way)
  assert.ok(same('<script>var x = ', '1e3', 'x'));
  assert.ok(same('<script>var x = ', '42', '`t`'));
  assert.ok(same('<script>var x = ', '42', 'a[0]'));
  assert.ok(same('<a onclick="x = ', '1', "'two'"));
  assert.ok(track('<script>var a = ', null).equals(track('<script>var a = ', null, ' + 1')));
  assert.ok(track('<script>var a = ', null).equals(track('<script>var a = 1')));
  // ...but not a name, which an identifier character continues (`xin` is no keyword)...
  assert.ok(!same('<script>var x = ', 'x', '"two"'));
  assert.ok(!same('<script>var x = ', '1', 'in'));
  // ...nor a number that ends with a dot, after which a name is a property, not a keyword.
  assert.ok(!same('<script>var x = ', '1', '1.'));
  assert.ok(!same('<script>var x = ', '1', '"'));
  assert.ok(!same('<script>var x = ', '1', '1 +'));
  assert.ok(!same('<script>var x = ', '1', '1 /'));
  // The name of an attribute, once read, is only for messages; its kind is compared.
  assert.ok(same('<p ', 'title="x', 'lang="y'));
  assert.ok(same('<p ', 'title=x', 'lang=y'));
  assert.ok(!same('<p ', 'title="x', 'href="y'));
  assert.ok(!same('<p ', 'title', 'lang'));
});

test('JavaScript: a dot after an operand is a member access or a decimal point', () => {
  // What follows at once is a property name (never a keyword) or digits: an operand, `/` divides.
  assert.equal(ctx('<script>x = a.in / 2; s = "').jsString, '"');
  assert.equal(ctx('<script>x = a.typeof / 2; s = "').jsString, '"');
  assert.equal(ctx('<script>x = "s".length / 2; s = "').jsString, '"');
  assert.equal(ctx('<script>x = 1.5 / 2; s = "').jsString, '"');
  assert.equal(ctx('<script>x = 1./"/; s = "').jsString, null); // 1. / "/; s = "
  assert.equal(escaper('<script>x = 1./"/; s = "'), 'jsValue');
  // An output is an operand: `{{ n }}./"/` divides by a string when n is 1.
  assert.equal(ctx('<script>var a = ', null, './"/; s = "').jsString, null);
  assert.equal(escaper('<script>var a = ', null, './"/; s = "'), 'jsValue');
  // Where an expression starts, dots are a spread or a number: a regexp may follow.
  assert.equal(ctx('<script>f(.../"/.source, "').jsString, '"');
  assert.equal(ctx('<script>x = [.5, /"/]; s = ').jsString, null);
  assert.equal(ctx('<script>x = y ? .5 : /"/; s = ').jsString, null);
  // After a number an identifier is a syntax error; a keyword there reads as in any other place.
  assert.equal(ctx('<script>x = 1in /"/; s = ').jsString, null);
  assert.equal(ctx('<script>x = 0x1f / "').jsString, '"');
  assert.equal(ctx('<script>x = 1e3 / "').jsString, '"');
  assert.equal(ctx('<script>x = 10n / "').jsString, '"');
});

test('an output at the start of an unquoted value: the empty reading is followed too', () => {
  // Empty, the output is `""`, which ends the value: `class=""-x` makes `-x` an attribute.
  assert.match(refusal('<p class=', null, '-x'), /after the unquoted value of attribute 'class' of <p>, which starts with an output and goes on with text: an empty output is written "" there/);
  assert.match(refusal('<p class=', null, '-x'), /quote the value: class="\{\{ value \}\}\.\.\."/);
  assert.equal(ctx('<p class=', null, '-x').state, 'attrValue'); // the main reading is unchanged
  // The two readings agree again at the next space, `>` or attribute, and outputs are fine again.
  assert.equal(escaper('<p class=', null, '>'), 'html');
  assert.equal(escaper('<p class=', null, ' id='), 'attrUnquoted');
  assert.equal(escaper('<p class=', null, '-x>'), 'html');
  assert.equal(escaper('<p class=', null, '-x id='), 'attrUnquoted');
  assert.equal(escaper('<p class=', null, '-x id="'), 'attr');
  assert.equal(escaper('<a href=', null, ' title='), 'attrUnquoted');
  assert.equal(escaper("<p title=", null, "a='b c' d="), 'attrUnquoted'); // `a='b c'` in the other
  // Where they do not agree, nothing is allowed.
  assert.match(refusal('<a href=', null, '/'), /which starts with an output and goes on with text/); // `href=""/` is self-closing
  assert.match(refusal('<a href=', null, '/x?q='), /which starts with an output and goes on with text/);
  assert.match(refusal("<p title=", null, "a='b d="), /which starts with an output/);
  // `<p title=""onclick='1>` would be an event handler to the next quote: the text is not text.
  assert.match(refusal("<p title=", null, "onclick='1>"), /which starts with an output/);
  assert.match(refusal("<p title=", null, "onclick='1></p><p>"), /which starts with an output/);
  assert.equal(escaper("<p title=", null, "onclick='1></p><p class='z'>"), 'html');
  // Where the tag would get a different nonce or CSRF field, the tracker gives up.
  assert.match(refusal('<form action=', null, 'method=post>'), /a different CSP nonce or CSRF field; Rampart refuses every later output/);
  assert.match(refusal('<script src=', null, 'nonce=x></script><p>'), /a different CSP nonce or CSRF field/);
  assert.equal(escaper('<form method=post action=', null, 'method=get>'), 'html'); // first method wins in both
  // The insertions of the main reading are kept.
  const t = track('<form method=post action=');
  t.afterOutput();
  assert.deepEqual(t.feed('x>'), [{ offset: 2, kind: 'csrf' }]);
  // An output where the tracker refused one makes it give up rather than guess.
  const u = track('<p class=', null);
  u.afterOutput();
  assert.match(refusalText(u), /placed where Rampart refused one/);
});

test('equals, clone and copyFrom carry the empty reading', () => {
  assert.ok(!track('<p class=', null, '-x').equals(track('<p class=zz-x')));
  assert.ok(!track('<p class=', null, '-x ').equals(track('<p class=zz-x ')));
  assert.ok(track('<p class=', null, '-x>').equals(track('<p class=zz-x>')));
  assert.ok(track('<p class=', null, '-x').equals(track('<p class=', null, '-x')));
  assert.ok(!track('<p class=', null, '-x').equals(track('<p class=', null, '-y ')));
  const a = track('<p class=', null);
  const b = a.clone();
  b.feed('-x');
  assert.equal(escaper('<p class=', null, '-x'), refusalText(b));
  a.feed('>');
  assert.equal(refusalText(a), 'html');
  const c = track('<p>');
  c.copyFrom(b);
  assert.ok(c.equals(b));
  assert.ok('refused' in chooseEscaper(c.context));
  b.feed('>');
  assert.ok('refused' in chooseEscaper(c.context), 'copyFrom copies, it does not share');
});

function refusalText(t: HtmlContextTracker): string {
  const r = chooseEscaper(t.context);
  return 'escaper' in r ? r.escaper : `refused: ${r.refused}`;
}

test('describeDifference tells two unequal contexts apart', () => {
  const diff = (a: HtmlContextTracker, b: HtmlContextTracker) => a.describeDifference(b);
  assert.deepEqual(diff(track('<svg>'), track('')), ['in SVG text, within <svg>', 'in HTML text']);
  assert.deepEqual(diff(track('<math><mi>'), track('')), ['in HTML text, within <math><mi>', 'in HTML text']);
  assert.deepEqual(diff(track('<script>a = 1'), track('<script>')), [
    'inside <script>, in JavaScript code, after an operand',
    'inside <script>, in JavaScript code',
  ]);
  assert.deepEqual(diff(track('<script>var a = x'), track('<script>var a = y')), [
    'inside <script>, in JavaScript code, after an operand, in the middle of a name',
    "inside <script>, in JavaScript code, after an operand, in the middle of the word 'y'",
  ]);
  assert.deepEqual(diff(track('<script>a <!-'), track('<script>a <')), [
    "inside <script>, in JavaScript code, right after '<!-'",
    "inside <script>, in JavaScript code, right after '<'",
  ]);
  assert.deepEqual(diff(track('<form method="post" '), track('<form ')), [
    'inside the <form> tag, where an attribute name would start, with method post',
    'inside the <form> tag, where an attribute name would start, with no method yet',
  ]);
  assert.deepEqual(diff(track('<a href="x'), track('<a href="')), [
    "in the double-quoted value of attribute 'href' of <a>, after the start of the URL",
    "in the double-quoted value of attribute 'href' of <a>, at the start of the URL",
  ]);
  assert.deepEqual(diff(track('<!-- a -'), track('<!-- a')), [
    "inside an HTML comment, right after '-'",
    'inside an HTML comment, in the text of the comment',
  ]);
  assert.deepEqual(diff(track('<p class=', null, '-x'), track('<p class=a-x')), [
    "in the unquoted value of attribute 'class' of <p>, after the unquoted value of attribute 'class' that starts with an output and goes on with text",
    "in the unquoted value of attribute 'class' of <p>, with one reading of the page",
  ]);
  // Equal trackers, or different places, are just described.
  assert.deepEqual(diff(track('<p>'), track('<b>')), ['in HTML text', 'in HTML text']);
  assert.deepEqual(diff(track('<p '), track('<p>')), ['inside the <p> tag, where an attribute name would start', 'in HTML text']);
});

// --- refusals ---------------------------------------------------------------------------------

test('every refusal says why', () => {
  assert.equal(refusal('<!-- '), 'nothing can be escaped safely inside an HTML comment; move the output out of the comment, or use a {# template comment #}');
  assert.match(refusal('<!x '), /inside an HTML comment/);
  assert.equal(refusal('<'), "right after '<' the output would be a tag name, which cannot be escaped safely");
  assert.equal(refusal('<di'), 'a tag name (<di>) cannot be escaped safely');
  assert.equal(refusal('<div '), 'inside the <div> tag the output would be an attribute name, which cannot be escaped safely; put it in an attribute value: name="{{ value }}"');
  assert.equal(refusal('<div cl'), "an attribute name ('cl' of <div>) cannot be escaped safely");
  assert.equal(refusal('<div class '), `after attribute 'class' of <div> the output would start another attribute name; write class="{{ value }}"`);
  assert.equal(refusal('</'), "right after '</' nothing can be escaped safely");
  assert.equal(refusal('</div '), 'nothing can be escaped safely inside the </div> end tag');
  assert.equal(refusal('<a onclick="'), `an event-handler attribute output must be inside a quoted JS string (attribute 'onclick' of <a>): write onclick="f('{{ value }}')"`);
  assert.match(refusal('<a onclick='), /an event-handler attribute output must be inside a quoted JS string/);
  assert.match(refusal('<a onclick="f(\'x\') + '), /inside a quoted JS string/);
  assert.equal(refusal('<a onclick="// \''), "outputs are not allowed inside a JavaScript comment (attribute 'onclick' of <a>)");
  assert.equal(refusal('<a onclick="x = /'), "a JavaScript regular expression literal (attribute 'onclick' of <a>) cannot be escaped safely");
  assert.equal(refusal('<div style="color: '), `a style attribute output must be inside a quoted CSS string (attribute 'style' of <div>): write style="font-family: '{{ value }}'"`);
  assert.equal(refusal('<div style="/* '), "outputs are not allowed inside a CSS comment (attribute 'style' of <div>)");
  assert.equal(refusal('<iframe srcdoc="'), "the value of attribute 'srcdoc' of <iframe> is an HTML document, which cannot be escaped safely as an attribute; render that document with its own template");
  assert.match(refusal('<iframe srcdoc='), /is an HTML document/);
  assert.equal(refusal('<script>// '), 'outputs are not allowed inside a JavaScript comment in <script>; move it out of the comment');
  assert.match(refusal('<script>/* '), /inside a JavaScript comment in <script>/);
  assert.equal(refusal('<script>x = /a'), 'a JavaScript regular expression literal in <script> cannot be escaped safely; build it from a string: new RegExp({{ value }})');
  assert.equal(refusal('<style>'), 'an output in <style> must be inside a quoted CSS string, e.g. content: "{{ value }}"');
  assert.match(refusal('<style>a { color: '), /must be inside a quoted CSS string/);
  assert.equal(refusal('<style>/* '), 'outputs are not allowed inside a CSS comment in <style>; move it out of the comment');
});

test('hazards: places where the state alone would allow an output', () => {
  assert.match(refusal('<script>var s = "</'), /right after '<\/' inside <script>: it could complete the end tag/);
  assert.match(refusal('<script>var s = "</scr'), /right after '<\/scr' inside <script>/);
  assert.match(refusal('<script>var s = "</script'), /right after '<\/script' inside <script>/);
  assert.equal(escaper('<script>var s = "</b'), 'jsString'); // cannot become </script
  assert.match(refusal('<script>var s = "<'), /right after '<' inside <script>/);
  assert.equal(escaper('<script>if (a <'), 'jsValue');
  assert.match(refusal('<script>a <!'), /right after '<!' inside <script>/);
  assert.match(refusal('<script>var s = "<!-'), /right after '<!-' inside <script>/);
  assert.match(refusal('<script><!-- <scr'), /'<!--' section of <script>/);
  assert.match(refusal('<script><!-- x <'), /right after '<' inside <script>/);
  assert.match(refusal('<style>a{content:"</sty'), /right after '<\/sty' inside <style>/);
  assert.match(refusal('<title></'), /right after '<\/' inside <title>/);
  assert.match(refusal('<title><'), /right after '<' inside <title>/);
  assert.match(refusal('<textarea>a </text'), /inside <textarea>/);
  assert.match(refusal(`<a onclick="f('&`), /right after '&' in attribute 'onclick': it could complete a character reference/);
  assert.match(refusal(`<a onclick="f('&#`), /right after '&#'/);
  assert.match(refusal(`<a onclick="f('&#3`), /right after '&#3'/);
  assert.match(refusal(`<a onclick="f('&#x2`), /right after '&#x2'/);
  assert.match(refusal(`<a onclick="f('&quo`), /right after '&quo'/);
  assert.match(refusal(`<div style="content: '&`), /before running the style/);
  assert.equal(escaper(`<a href="/x?a=1&`), 'urlPart'); // harmless outside js and css
  assert.equal(escaper(`<a title="&`), 'attr');
  assert.match(refusal('<a onclick="x = &hellip; f(\''), /'&hellip;' in the JavaScript code of attribute 'onclick'/);
  assert.equal(escaper(`<a onclick="f('&hellip;`), 'jsStringAttr'); // inside a string it cannot matter
  assert.match(refusal('<a title=', null), /right after another output at the start of the unquoted value of attribute 'title'/);
  // Empty, that output is `""`, after which `x` would be an attribute name: see the tests below.
  assert.match(refusal('<a title=', null, 'x'), /after the unquoted value of attribute 'title' of <a>, which starts with an output and goes on with text/);
  assert.equal(escaper('<a title=', null, ' x=y class='), 'attrUnquoted');
});

test('describe() names the place', () => {
  assert.equal(track('<p>').describe(), 'in HTML text');
  assert.equal(track('<title>').describe(), 'in the text of <title>');
  assert.equal(track('<!-- ').describe(), 'inside an HTML comment');
  assert.equal(track('<').describe(), "right after '<', where a tag name would start");
  assert.equal(track('<a').describe(), 'in the tag name <a>');
  assert.equal(track('<a ').describe(), 'inside the <a> tag, where an attribute name would start');
  assert.equal(track('<a x').describe(), "in the name of attribute 'x' of <a>");
  assert.equal(track('<a x ').describe(), "after the name of attribute 'x' of <a>, where another attribute name could start");
  assert.equal(track('<a x=').describe(), "at the start of the unquoted value of attribute 'x' of <a>");
  assert.equal(track('<a x="').describe(), "in the double-quoted value of attribute 'x' of <a>");
  assert.equal(track("<a x='").describe(), "in the single-quoted value of attribute 'x' of <a>");
  assert.equal(track('<a x=y').describe(), "in the unquoted value of attribute 'x' of <a>");
  assert.equal(track(`<a onclick="f('`).describe(), "in the double-quoted value of attribute 'onclick' of <a>, in a JavaScript '-quoted string");
  assert.equal(track('<a style="').describe(), "in the double-quoted value of attribute 'style' of <a>, in CSS outside a string");
  assert.equal(track('</a').describe(), 'inside the </a> end tag');
  assert.equal(track('<script>').describe(), 'inside <script>, in JavaScript code');
  assert.equal(track('<script>`').describe(), 'inside <script>, in a JavaScript template literal');
  assert.equal(track('<script>/x').describe(), 'inside <script>, in a JavaScript regular expression');
  assert.equal(track('<script>//').describe(), 'inside <script>, in a JavaScript comment');
  assert.equal(track('<style>"').describe(), 'inside <style>, in a CSS "-quoted string');
  assert.equal(track('<style>/*').describe(), 'inside <style>, in a CSS comment');
  // A hazard is the refusal's business; describe() stays the place.
  assert.equal(track('<title></t').describe(), 'in the text of <title>');
  assert.equal(refusal('<title></t'), "right after '</t' inside <title>: it could complete the end tag and close the element");
});

test('chooseEscaper covers every context', () => {
  const cases: [string[], EscaperName][] = [
    [['<p>'], 'html'],
    [['<title>'], 'rcdata'],
    [['<a title="'], 'attr'],
    [["<a title='"], 'attr'],
    [['<a title='], 'attrUnquoted'],
    [['<a href="'], 'url'],
    [['<a href='], 'urlUnquoted'],
    [['<a href="/x/'], 'urlPart'],
    [['<a href=/x/'], 'urlPartUnquoted'],
    [['<script>'], 'jsValue'],
    [['<script>"'], 'jsString'],
    [[`<a onclick="f('`], 'jsStringAttr'],
    [[`<a onclick=f('`], 'jsStringAttrUnquoted'],
    [['<style>"'], 'cssString'],
    [[`<a style="a:'`], 'cssStringAttr'],
    [[`<a style=a:'`], 'cssStringAttrUnquoted'],
  ];
  for (const [chunks, name] of cases) assert.equal(escaper(...chunks), name, chunks.join(''));
});

test('tracking is linear in the input', () => {
  const unit = '<a href="/x" title=\'y\' data-z=w>text <!-- c --> <script>var s = "a", r = /b/; // c\n</script>';
  assert.equal(track(unit.repeat(5_000)).context.state, 'text');
  assertLinear('tracker', (n) => unit.repeat(n), (s) => track(s), 5_000, { times: 3 });
});

// --- differential check against a real HTML parser --------------------------------------------

interface Node5 {
  tagName?: string;
  attrs?: { name: string; value: string }[];
  childNodes?: Node5[];
}

function hasProbe(node: Node5): boolean {
  if (node.attrs?.some((a) => a.name === 'data-probe')) return true;
  return (node.childNodes ?? []).some(hasProbe);
}

/** Text that, appended in the tracker's context, makes a `data-probe` attribute iff the context is right. */
function probeFor(c: HtmlContext): { text: string; found: boolean } | null {
  // SVG script/style text is markup for the parser: an HTML tag there leaves the SVG.
  if (c.hazard?.startsWith('in the text of an SVG')) return { text: '<i data-probe=1></i>', found: true };
  switch (c.state) {
    case 'text':
      return { text: '<i data-probe=1></i>', found: true };
    case 'rcdata':
    case 'script':
    case 'style':
    case 'comment':
      return { text: '<i data-probe=1></i>', found: false };
    case 'tagName':
      return { text: c.element === '' ? 'i data-probe=1>' : ' data-probe=1>', found: true };
    case 'tag':
    case 'afterAttrName':
      return { text: ' data-probe=1>', found: true };
    case 'attrName':
      return { text: '=x data-probe=1>', found: true };
    case 'beforeValue':
      return { text: 'x data-probe=1>', found: true };
    case 'attrValue':
      return { text: `${c.delim === 'double' ? '"' : c.delim === 'single' ? "'" : ''} data-probe=1>`, found: true };
    case 'endTag':
      return null; // the attributes of end tags are dropped either way
  }
}

const MARKUP = [
  '<p>', '</p>', '<a href="', "<a title='", '<b class=', '<div ', '<DIV ', 'x', ' ', '"', "'", '>', '=', '/',
  '<', '</', '<!', '<!--', '-->', '--', '-', '!', '<!-->', '<?', '<script>', '</script>', '</SCRIPT ',
  '<script><!--', '<style>', '</style>', '<title>', '</title>', '<textarea>', '</textarea>', '<xmp>',
  '</xmp>', '<iframe>', '</iframe>', '<svg>', '</svg>', '<math>', '</math>', '<foreignObject>',
  '</foreignObject>', '<mi>', '</mi>', '<desc>', '<![CDATA[', ']]>', ']', '\n', '\t', 'a', 'script',
  'style', '<font color=x>', '<font>', '<br/>', '`', '&', '&quot;', '<img src=x ', 'onclick="', "style='",
  '<svg/>', '<path d="', '/>', '<g>', '</g>', '</br>', '<mtext>', '</mtext>', '<b>', '</b>', '<table>',
  '<td>', '<html>', '<body>', '<noframes>', '</noframes>', '<script type=module>', '</title >', '<Svg>',
  '<desc>', '</desc>', '<annotation-xml>', '<div>', '</div>', '<a>', '</a>', '&#39;', '-->x',
];

test('property: the tracker agrees with parse5 on where random markup leaves off', () => {
  fc.assert(
    fc.property(fc.array(fc.constantFrom(...MARKUP), { maxLength: 14 }), (parts) => {
      const source = parts.join('');
      const c = ctx(source);
      // Where the tracker gave up it refuses every output, so it need not follow the parser.
      if (c.hazard?.includes('Rampart cannot tell how the parser recovers') || c.hazard?.includes('HTML parsers read differently')) return;
      const probe = probeFor(c);
      if (probe === null) return;
      const doc = parse(source + probe.text) as unknown as Node5;
      assert.equal(hasProbe(doc), probe.found, `${JSON.stringify(source)}: tracker says ${c.state} ${c.delim ?? ''}`);
    }),
    { numRuns: 3000 },
  );
});

// --- equals and describeDifference, checked on random markup ------------------------------------

// The JavaScript pieces below exercise the relaxations of equals(): how an operand ends, dots, words.
const JS_MARKUP = [
  '<script>', '</script>', '<a onclick="', '"', "'", '`', '${', '}', '{', '(', ')', '[', ']', '1', '1.5', '0x1f', '1e3', '.',
  '..', '...', 'x', 'y', 'in', 'typeof', 'return', 'length', ' ', '\n', '/', '//', '/*', '*/', '+', '-', '=', '<', '!', '>',
  ';', ',', '?', ':', '\\', '&', '&#39;', '&quot;', '<!--', '-->', 'a.in', '"s"', '/r/g',
];
const piece = fc.oneof(fc.constantFrom(...MARKUP), fc.constantFrom(...JS_MARKUP), fc.constant(null));

/** Feeds text and outputs (null), skipping outputs where the tracker refuses one, as the compiler would fail. */
function feedAll(t: HtmlContextTracker, chunks: readonly (string | null)[]): Insertion[][] {
  return chunks.map((c) => {
    if (c !== null) return t.feed(c);
    if ('escaper' in chooseEscaper(t.context)) t.afterOutput();
    return [];
  });
}

/** What a tracker decides for the next output and next text, attribute names in messages aside. */
function decisions(t: HtmlContextTracker): unknown {
  const c = t.context;
  const choice = chooseEscaper(c);
  return { ...c, attrName: undefined, hazard: c.hazard !== null, choice: 'escaper' in choice ? choice.escaper : 'refused' };
}

// Places to start from, and short pieces that end tokens in many ways (the branches compared).
const ENTRIES = [
  '', '<p>', '<script>', '<script>var a = ', '<script>f(', '<a onclick="f(', "<a onclick='x = ", '<p ', '<a hr', '<a on',
  '<p st', '<style>', '<div style="', '<svg>', '<a href=', '<p title=', '<a href="', '<img srcset="', '<script>x = `${',
  '<script><!--', '<form ', '<form method="', '<script ', '<title>', '<!--', '<script>a', '<a onclick="x', '<script>s = "',
  "<a onclick=\"f('", '<style>a{b:"', '<script>/[', '<script>/*', '<style>/*', '<script>`', '<svg><![CDATA[', '<a onclick="f(&',
  '<img srcset="a', '<svg><font ', '</a ', '<script>s = "</scr', '<textarea>',
];
const TAILS = [
  '$', ']', 'quo', 'amp', '#3', ',', 'color=x ', 'ipt', 'yle', 'ef="', 'click="', 'yle="', 'x="', '="', '=', ' ', '>', 'nonce ', 'nonce=1 ', 'id=1 ', 'method=post ', 'po', 'ge', 'st">',
  '/', '"', "'", '*', '-', '+', '<!-', ' -', '--', '>', 'in /"/', '"/"', '/"/', '\\',
];
const tail = fc.constantFrom(...TAILS);
// Branches are mostly nothing or one piece, so that pairs differing in one detail come up often.
const small = fc.oneof(
  { weight: 2, arbitrary: fc.constant([]) },
  { weight: 4, arbitrary: tail.map((t) => [t]) },
  { weight: 2, arbitrary: piece.map((p) => [p]) },
  { weight: 1, arbitrary: fc.array(fc.oneof(piece, tail), { maxLength: 3 }) },
);

test('property: equal trackers decide everything later alike (equals is a bisimulation)', () => {
  let equal = 0;
  fc.assert(
    fc.property(fc.constantFrom(...ENTRIES), small, small, small, fc.array(fc.oneof({ weight: 2, arbitrary: tail }, { weight: 1, arbitrary: piece }), { maxLength: 6 }), (entry, prefix, x, y, rest) => {
      const a = new HtmlContextTracker();
      a.feed(entry);
      feedAll(a, prefix);
      const b = a.clone();
      feedAll(a, x);
      feedAll(b, y);
      if (!a.equals(b)) return;
      equal++;
      assert.ok(b.equals(a));
      // From here on, every choice and every insertion is the same, character after character.
      const where = JSON.stringify([entry, prefix, x, y, rest]);
      for (const chunk of rest) {
        for (const ch of chunk === null ? [null] : [...chunk]) {
          assert.deepEqual(decisions(a), decisions(b), where);
          assert.deepEqual(feedAll(a, [ch]), feedAll(b, [ch]), where);
        }
      }
      assert.deepEqual(decisions(a), decisions(b), where);
      assert.ok(a.equals(b), where);
    }),
    { numRuns: 20_000 },
  );
  assert.ok(equal > 4000, `only ${equal} pairs of equal trackers`);
});

test('property: describeDifference always tells unequal trackers apart', () => {
  const chunks = fc.array(piece, { maxLength: 10 });
  fc.assert(
    fc.property(chunks, chunks, (x, y) => {
      const a = new HtmlContextTracker();
      const b = new HtmlContextTracker();
      feedAll(a, x);
      feedAll(b, y);
      const [da, db] = a.describeDifference(b);
      assert.equal(da.includes('[{'), false, `fallback used: ${da}`); // the facets cover every field
      if (!a.equals(b)) assert.notEqual(da, db, JSON.stringify([x, y]));
      else assert.deepEqual([da, db], [a.describe(), b.describe()]);
    }),
    { numRuns: 3000 },
  );
});

test('equals is a bisimulation: every entry, every pair of short branches, every short continuation', () => {
  const singles = [...new Set([...TAILS, ...JS_MARKUP, ...MARKUP])].map((t) => [t]);
  const branches: (string | null)[][] = [[], ...singles, [null], ['"', null], ['`${'], ['x', '.'], ['<title>'], ['<textarea>'], ['</a '], ['<font color=x '], ['<font ']];
  const rests: (string | null)[][] = [...TAILS.map((t) => [t]), ...['<', '</', '<!', '-->', ']]>', ']', '}', '`', '&', '<b>', '</svg>', '</script>', 'a', '\n'].map((t) => [t]), [null, '>'], ['+', '/"/'], ['-', '-', '>'], ['st">'], ['}', '/"/'], ['</title>'], ['<script>'], ['x,', ' 1x'], ['amp;'], ['#x41;'], ['><script>'], [']>'], ['{'], ['t;'], ['9;'], [' '], ['>']];
  let pairs = 0;
  for (const entry of ENTRIES) {
    const base = new HtmlContextTracker();
    base.feed(entry);
    // Group the branches by equals(); within a group, each is compared with the first.
    const groups: { tracker: HtmlContextTracker; branch: (string | null)[] }[][] = [];
    for (const branch of branches) {
      const t = base.clone();
      feedAll(t, branch);
      const group = groups.find((g) => g[0]!.tracker.equals(t));
      if (group === undefined) groups.push([{ tracker: t, branch }]);
      else group.push({ tracker: t, branch });
    }
    for (const group of groups) {
      const [first, ...others] = group;
      for (const other of others) {
        pairs++;
        for (const rest of rests) {
          const a = first!.tracker.clone();
          const b = other.tracker.clone();
          const where = JSON.stringify([entry, first!.branch, other.branch, rest]);
          for (const chunk of rest) {
            for (const ch of chunk === null ? [null] : [...chunk]) {
              assert.deepEqual(decisions(a), decisions(b), where);
              assert.deepEqual(feedAll(a, [ch]), feedAll(b, [ch]), where);
            }
          }
          assert.deepEqual(decisions(a), decisions(b), where);
        }
      }
    }
  }
  assert.ok(pairs > 500, `${pairs} pairs`);
});
