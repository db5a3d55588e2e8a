/**
 * Compile-time refusals: outputs where no escaping is safe, `|safe`, unknown filters and tests,
 * and control flow that leaves the HTML in a context the compiler cannot know. Each is an error
 * with a code, the template name, line and column, and the line shown with a caret — raised when
 * the template compiles, whether or not the offending branch would ever run.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { templates, TemplateContextError, TemplateSyntaxError, TemplateError } from 'rampart/templates';
import { thrown } from './helpers.ts';

/** Compiles `source` as `page.html` (no render) and returns the error. */
function compileError(source: string): ReturnType<typeof thrown> {
  const t = templates({ sources: { 'page.html': source }, strict: true, reload: false });
  return thrown(() => t.compile('page.html'));
}

function expectRefusal(source: string, code: string, line: number, col: number, message: RegExp): void {
  const err = compileError(source);
  assert.ok(err instanceof TemplateError, `${source}: ${err.message}`);
  assert.equal(err.code, code, `${source}: ${err.message}`);
  assert.equal(err.template, 'page.html', source);
  assert.deepEqual([err.line, err.col], [line, col], `${source}: ${err.message}`);
  assert.match(err.message, message);
  // The message names the place and shows the line with a caret under the column.
  assert.ok(err.message.includes(`(page.html, line ${line}, column ${col})`), err.message);
  const shown = source.split('\n')[line - 1]!;
  assert.ok(err.message.endsWith(`\n  ${shown}\n  ${' '.repeat(col - 1)}^`), err.message);
}

describe('outputs where no escaping is safe', () => {
  const cases: readonly (readonly [string, string, number, number, RegExp])[] = [
    ['tag name', '<{{ v }}>', 1, 2, /tag name/],
    ['tag name after a prefix', '<h{{ v }}>', 1, 3, /tag name/],
    ['end tag name', '<p></{{ v }}>', 1, 6, /'<\/'/],
    ['attribute name', '<div {{ v }}>', 1, 6, /attribute name/],
    ['attribute name with a value', '<div {{ v }}="x">', 1, 6, /attribute name/],
    ['inside an attribute name', '<div data-{{ v }}="x">', 1, 11, /attribute name/],
    ['between attributes', '<div id="a" {{ v }}>', 1, 13, /attribute name/],
    ['right after a quoted value', '<div id="a"{{ v }}>', 1, 12, /attribute name/],
    ['after an attribute name, before =', '<input disabled {{ v }}>', 1, 17, /attribute/],
    ['HTML comment', '<!-- {{ v }} -->', 1, 6, /HTML comment/],
    ['HTML comment over lines', '<p>\n<!--\n  note: {{ v }}\n-->', 3, 9, /HTML comment/],
    ['event handler, not in a string', '<button onclick="{{ v }}">x</button>', 1, 18, /quoted JS string/],
    ['event handler call argument', '<button onclick="go({{ v }})">x</button>', 1, 21, /quoted JS string/],
    ['unquoted event handler', '<button onclick=go({{ v }})>x</button>', 1, 20, /quoted JS string/],
    ['event handler on another element', '<body onload="init({{ v }})">', 1, 20, /quoted JS string/],
    ['style attribute, not in a string', '<div style="color: {{ v }}">x</div>', 1, 20, /quoted CSS string/],
    ['unquoted style attribute', '<div style=color:{{ v }}>x</div>', 1, 18, /quoted CSS string/],
    ['style attribute url()', '<div style="background: url({{ v }})">x</div>', 1, 29, /quoted CSS string/],
    ['<style> outside a string', '<style>\n  p { color: {{ v }} }\n</style>', 2, 14, /quoted CSS string/],
    ['<style> selector', '<style>{{ v }} { color: red }</style>', 1, 8, /quoted CSS string/],
    ['srcdoc', '<iframe srcdoc="{{ v }}"></iframe>', 1, 17, /HTML document/],
    ['srcdoc after a prefix', '<iframe srcdoc="<p>{{ v }}</p>"></iframe>', 1, 20, /HTML document/],
    ['JS comment in <script>', '<script>// {{ v }}\n</script>', 1, 12, /comment/],
    ['JS block comment in <script>', '<script>/* {{ v }} */</script>', 1, 12, /comment/],
    ['JS regular expression in <script>', '<script>var r = /a{{ v }}/;</script>', 1, 19, /regular expression/],
  ];
  for (const [what, source, line, col, message] of cases) {
    test(what, () => {
      expectRefusal(source, 'E_TEMPLATE_CONTEXT', line, col, message);
      assert.ok(compileError(source) instanceof TemplateContextError);
    });
  }

  test('refused at compile time even inside a branch that never runs', () => {
    const source = '<p>ok</p>\n{% if false %}\n  <div {{ v }}>\n{% endif %}';
    expectRefusal(source, 'E_TEMPLATE_CONTEXT', 3, 8, /attribute name/);
    const t = templates({ sources: { 'page.html': source }, strict: false, onWarning: () => {} });
    assert.equal(thrown(() => t.render('page.html', {})).code, 'E_TEMPLATE_CONTEXT');
  });

  test('{% include %} and {% call %} inside a tag are refused too', () => {
    expectRefusal('<div {% include "x.html" %}>', 'E_TEMPLATE_CONTEXT', 1, 6, /include/);
    expectRefusal('{% macro m() %}x{% endmacro %}<a href="{% call m() %}y{% endcall %}">', 'E_TEMPLATE_CONTEXT', 1, 40, /call/);
  });
});

describe('|safe and unknown names', () => {
  test('|safe is refused, with the way out in the hint', () => {
    const err = compileError('<p>\n  {{ bio|safe }}\n</p>');
    assert.ok(err instanceof TemplateSyntaxError);
    expectRefusal('<p>\n  {{ bio|safe }}\n</p>', 'E_TEMPLATE_SYNTAX', 2, 6, /\|safe filter is not available/);
    assert.match(err.hint ?? '', /sanitize/);
    assert.match(err.hint ?? '', /trustedHtml/);
  });

  test('|safe is refused after other filters and inside {% set %} and {% if %}', () => {
    assert.equal(compileError('{{ x|upper|safe }}').code, 'E_TEMPLATE_SYNTAX');
    assert.equal(compileError('{% set y = x|safe %}').code, 'E_TEMPLATE_SYNTAX');
    assert.equal(compileError('{% if x|safe %}{% endif %}').code, 'E_TEMPLATE_SYNTAX');
  });

  test('an unknown filter is named, with a suggestion', () => {
    expectRefusal('{{ name|uper }}', 'E_TEMPLATE_SYNTAX', 1, 4, /^Unknown filter 'uper' \(did you mean 'upper'\?\)/);
    expectRefusal('{{ xs|joim(",") }}', 'E_TEMPLATE_SYNTAX', 1, 4, /^Unknown filter 'joim' \(did you mean 'join'\?\)/);
    expectRefusal('{{ x|frobnicate }}', 'E_TEMPLATE_SYNTAX', 1, 4, /^Unknown filter 'frobnicate' \(page\.html/);
  });

  test('an unknown test is named, with a suggestion', () => {
    expectRefusal('{% if x is defnied %}{% endif %}', 'E_TEMPLATE_SYNTAX', 1, 7, /^Unknown test 'defnied' \(did you mean 'defined'\?\)/);
    expectRefusal('{{ n is evn }}', 'E_TEMPLATE_SYNTAX', 1, 4, /^Unknown test 'evn' \(did you mean 'even'\?\)/);
    expectRefusal('{{ n is divisibleby3 }}', 'E_TEMPLATE_SYNTAX', 1, 4, /^Unknown test 'divisibleby3' \(did you mean 'divisibleby'\?\)/);
  });

  test('a filter keyword argument that does not exist is named', () => {
    expectRefusal('{{ x|truncate(lenght=3) }}', 'E_TEMPLATE_SYNTAX', 1, 4, /Filter 'truncate' has no parameter 'lenght' \(it takes: length, killwords, end, leeway\)/);
  });
});

describe('control flow must leave the HTML context known', () => {
  test('branches of an if that end in different contexts', () => {
    expectRefusal('{% if c %}<a href="/x">{% else %}<a href="/y"{% endif %}>', 'E_TEMPLATE_CONTEXT', 1, 1, /branches of this \{% if %\} leave the HTML in different contexts/);
  });

  test('an if without else whose branch opens a tag', () => {
    expectRefusal('<p>\n{% if c %}<div class="x"{% endif %}>\n</p>', 'E_TEMPLATE_CONTEXT', 2, 1, /different contexts/);
  });

  test('an if that opens an attribute value in one branch only', () => {
    expectRefusal('<a {% if c %}title="{% endif %}x">', 'E_TEMPLATE_CONTEXT', 1, 4, /different contexts/);
  });

  test('an elif that ends elsewhere', () => {
    expectRefusal('{% if a %}<b>{% elif b %}<i {% else %}<u>{% endif %}', 'E_TEMPLATE_CONTEXT', 1, 1, /different contexts/);
  });

  test('branches that end in the same context are fine, even in different elements', () => {
    const t = templates({ sources: { 'page.html': '{% if c %}<a href="{{ u }}">{% else %}<span title="{{ u }}">{% endif %}x' } });
    assert.equal(t.render('page.html', { c: true, u: 'javascript:x' }).toString(), '<a href="about:invalid#rampart-blocked">x');
    assert.equal(t.render('page.html', { c: false, u: 'javascript:x' }).toString(), '<span title="javascript:x">x');
  });

  test('a loop body that does not close its tag', () => {
    expectRefusal('<ul>\n{% for x in xs %}<li class="{{ x }}"{% endfor %}>\n</ul>', 'E_TEMPLATE_CONTEXT', 2, 1, /body of this \{% for %\} ends inside the <li> tag/);
  });

  test('a loop body that does not close its attribute value', () => {
    expectRefusal('<a href="{% for x in xs %}{{ x }}{% endfor %}">', 'E_TEMPLATE_CONTEXT', 1, 10, /body of this \{% for %\} ends/);
  });

  test('a loop body that leaves a <script> open', () => {
    expectRefusal('{% for x in xs %}<script>{% endfor %}</script>', 'E_TEMPLATE_CONTEXT', 1, 1, /body of this \{% for %\} ends/);
  });

  test('a loop body that leaves an element open is fine (element text is one context)', () => {
    const t = templates({ sources: { 'page.html': '{% for x in xs %}<li>{{ x }}{% endfor %}' } });
    assert.equal(t.render('page.html', { xs: ['a', '<b>'] }).toString(), '<li>a<li>&lt;b&gt;');
  });

  test('a block that does not end where it starts', () => {
    expectRefusal('<html>{% block head %}<meta name="x{% endblock %}">', 'E_TEMPLATE_CONTEXT', 1, 7, /Block 'head' ends/);
  });

  test('a macro whose body does not end in text', () => {
    expectRefusal('{% macro m() %}<a href="{% endmacro %}', 'E_TEMPLATE_CONTEXT', 1, 1, /body of macro 'm' must end in plain HTML text/);
  });
});

describe('foreign content (svg, math) cannot host markup compiled for HTML', () => {
  test('an include inside <svg> is refused at compile time', () => {
    expectRefusal('<svg>{% include "x.html" %}</svg>', 'E_TEMPLATE_CONTEXT', 1, 6, /include can only be used in plain HTML text/);
  });

  test('macro output inside <svg> is escaped, not passed through', () => {
    const t = templates({ sources: { 'p.html': '{% macro m() %}<b>x</b>{% endmacro %}<svg>{{ m() }}</svg><p>{{ m() }}</p>' } });
    assert.equal(t.render('p.html').toString(), '<svg>&lt;b&gt;x&lt;/b&gt;</svg><p><b>x</b></p>');
  });

  test('an included template that ends inside <script> cannot be included', () => {
    const t = templates({ sources: { 'open.html': '<script>var a = 1;', 'p.html': '<div>{% include "open.html" %}</div>' } });
    assert.throws(() => t.render('p.html'), (err: unknown) => (err as { code?: string }).code === 'E_TEMPLATE_CONTEXT');
  });
});
