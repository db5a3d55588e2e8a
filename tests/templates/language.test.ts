/**
 * The template language end to end, through `templates().render()`: every statement, the
 * expression grammar, scoping, whitespace control, and user-defined filters, tests and globals.
 * Exact output strings throughout.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { templates } from 'rampart/templates';
import { render, renderError } from './helpers.ts';

describe('if / elif / else', () => {
  const src = '{% if n > 10 %}big{% elif n > 5 %}medium{% elif n > 0 %}small{% else %}none{% endif %}';
  test('each branch', () => {
    assert.equal(render(src, { n: 11 }), 'big');
    assert.equal(render(src, { n: 6 }), 'medium');
    assert.equal(render(src, { n: 1 }), 'small');
    assert.equal(render(src, { n: 0 }), 'none');
  });

  test('Python truthiness: empty list, empty dict, empty string and 0 are false', () => {
    const t = '{% if v %}T{% else %}F{% endif %}';
    assert.deepEqual(
      [[], {}, '', 0, null, false, [0], { a: 1 }, 'x', 1, Number.NaN].map((v) => render(t, { v })),
      ['F', 'F', 'F', 'F', 'F', 'F', 'T', 'T', 'T', 'T', 'F'],
    );
  });

  test('nested ifs and not', () => {
    assert.equal(render('{% if a %}{% if not b %}a-not-b{% endif %}{% endif %}', { a: 1, b: 0 }), 'a-not-b');
  });
});

describe('for', () => {
  test('loop.index, index0, first, last, length, revindex, revindex0 and cycle', () => {
    const src =
      '{% for x in xs %}{{ x }}:{{ loop.index }}/{{ loop.index0 }}/{{ loop.first }}/{{ loop.last }}/' +
      '{{ loop.length }}/{{ loop.revindex }}/{{ loop.revindex0 }}/{{ loop.cycle("odd", "even") }};{% endfor %}';
    assert.equal(
      render(src, { xs: ['a', 'b', 'c'] }),
      'a:1/0/true/false/3/3/2/odd;b:2/1/false/false/3/2/1/even;c:3/2/false/true/3/1/0/odd;',
    );
  });

  test('for-else runs only for an empty sequence', () => {
    const src = '<ul>{% for x in xs %}<li>{{ x }}</li>{% else %}<li>none</li>{% endfor %}</ul>';
    assert.equal(render(src, { xs: [] }), '<ul><li>none</li></ul>');
    assert.equal(render(src, { xs: ['<a>'] }), '<ul><li>&lt;a&gt;</li></ul>');
    assert.equal(render(src, { xs: null }), '<ul><li>none</li></ul>');
  });

  test('the if filter skips items before the loop counts them', () => {
    const src = '{% for x in xs if x is odd %}{{ x }}({{ loop.index }}/{{ loop.length }}){% if not loop.last %},{% endif %}{% else %}none{% endfor %}';
    assert.equal(render(src, { xs: [1, 2, 3, 4, 5] }), '1(1/3),3(2/3),5(3/3)');
    assert.equal(render(src, { xs: [2, 4] }), 'none');
  });

  test('unpacking k, v in x|items and pairs from a list', () => {
    assert.equal(render('{% for k, v in d|items %}{{ k }}={{ v }};{% endfor %}', { d: { b: 2, a: 1 } }), 'b=2;a=1;');
    assert.equal(render('{% for k, v in m|items %}{{ k }}={{ v }};{% endfor %}', { m: new Map([['x', 1], ['y', 2]]) }), 'x=1;y=2;');
    assert.equal(render('{% for a, b in pairs %}{{ a }}{{ b }} {% endfor %}', { pairs: [[1, 'x'], [2, 'y']] }), '1x 2y ');
  });

  test('iterating a dict gives its keys, a string its characters', () => {
    assert.equal(render('{% for k in d %}{{ k }}{% endfor %}', { d: { a: 1, b: 2 } }), 'ab');
    assert.equal(render('{% for c in s %}[{{ c }}]{% endfor %}', { s: 'h😀' }), '[h][😀]');
  });

  test('nested loops each have their own loop variable', () => {
    const src = '{% for r in rows %}{% for c in r %}{{ loop.index }}{% endfor %}|{{ loop.index }};{% endfor %}';
    assert.equal(render(src, { rows: [[1, 2], [3]] }), '12|1;1|2;');
  });

  test('range()', () => {
    assert.equal(render('{% for i in range(3) %}{{ i }}{% endfor %}|{{ range(2, 10, 3)|join(",") }}'), '012|2,5,8');
  });
});

describe('set, with and scoping', () => {
  test('set, and tuple unpacking', () => {
    assert.equal(render('{% set a = 1 %}{% set b, c = 2, "x" %}{{ a }}{{ b }}{{ c }}'), '12x');
    assert.equal(render('{% set first, rest = pair %}{{ first }}-{{ rest }}', { pair: ['h', 't'] }), 'h-t');
  });

  test('block set captures rendered markup', () => {
    assert.equal(render('{% set greeting %}Hello <b>{{ name }}</b>{% endset %}<p>{{ greeting }}</p>', { name: 'A&B' }), '<p>Hello <b>A&amp;B</b></p>');
  });

  test('a set inside a loop does not leak out of it', () => {
    assert.equal(render('{% set n = 0 %}{% for x in xs %}{% set n = x %}{% endfor %}{{ n }}', { xs: [1, 2, 3] }), '0');
    assert.equal(render('{% for x in xs %}{% set inner = x %}{% endfor %}[{{ inner|default("gone") }}]', { xs: [1] }), '[gone]');
  });

  test('a set inside a loop is visible for the rest of that iteration', () => {
    assert.equal(render('{% for x in xs %}{% set y = x * 10 %}{{ y }},{% endfor %}', { xs: [1, 2] }), '10,20,');
  });

  test('a set inside an if at the top level is visible after it', () => {
    assert.equal(render('{% if true %}{% set z = "set" %}{% endif %}{{ z }}'), 'set');
  });

  test('with scopes its names to its body', () => {
    assert.equal(render('{% with a = 1, b = a_outer %}{{ a + b }}{% endwith %}[{{ a|default("-") }}]', { a_outer: 2 }), '3[-]');
    assert.equal(render('{% with %}{% set q = 1 %}{{ q }}{% endwith %}[{{ q|default("-") }}]'), '1[-]');
  });

  test('a name set in a loop shadows the context only inside it', () => {
    assert.equal(render('{{ x }}{% for x in [1, 2] %}{{ x }}{% endfor %}{{ x }}', { x: 'o' }), 'o12o');
  });

  test('a top-level set is visible in the blocks of the same template', () => {
    assert.equal(render('{% set g = "G" %}<p>{% block b %}{{ g }}{% endblock %}</p>'), '<p>G</p>');
  });

  test('the render data is not modified by set', () => {
    const data = { x: 1 };
    render('{% set x = 2 %}{{ x }}', data);
    assert.deepEqual(data, { x: 1 });
  });
});

describe('macros and call', () => {
  test('defaults, positional and keyword arguments', () => {
    const src =
      '{% macro input(name, value="", type="text") %}<input type="{{ type }}" name="{{ name }}" value="{{ value }}">{% endmacro %}' +
      '{{ input("q") }}{{ input("n", type="number", value=3) }}{{ input(name="e", type="email") }}';
    assert.equal(
      render(src),
      '<input type="text" name="q" value=""><input type="number" name="n" value="3"><input type="email" name="e" value="">',
    );
  });

  test('a macro sees its arguments, not the caller locals', () => {
    assert.equal(render('{% macro m(a) %}{{ a }}{{ b|default("-") }}{% endmacro %}{% for b in [1] %}{{ m("x") }}{% endfor %}'), 'x-');
  });

  test('a recursive macro with a base case', () => {
    const src = '{% macro tree(n) %}<ul>{% for c in n.children %}<li>{{ c.name }}{{ tree(c) }}</li>{% endfor %}</ul>{% endmacro %}{{ tree(root) }}';
    const root = { children: [{ name: 'a', children: [{ name: 'b', children: [] }] }] };
    assert.equal(render(src, { root }), '<ul><li>a<ul><li>b<ul></ul></li></ul></li></ul>');
  });

  test('call with caller() and caller arguments', () => {
    const src =
      '{% macro list(items) %}<ul>{% for it in items %}{{ caller(it, loop.index) }}{% endfor %}</ul>{% endmacro %}' +
      '{% call(item, n) list(["a", "<b>"]) %}<li>{{ n }}:{{ item }}</li>{% endcall %}';
    assert.equal(render(src), '<ul><li>1:a</li><li>2:&lt;b&gt;</li></ul>');
  });

  test('call without arguments, with keyword arguments to the macro', () => {
    const src = '{% macro box(title, cls="box") %}<div class="{{ cls }}"><h2>{{ title }}</h2>{{ caller() }}</div>{% endmacro %}{% call box("T", cls="wide") %}<p>{{ body }}</p>{% endcall %}';
    assert.equal(render(src, { body: '<x>' }), '<div class="wide"><h2>T</h2><p>&lt;x&gt;</p></div>');
  });
});

describe('import, from-import and include', () => {
  const sources = {
    'forms.html':
      '{% macro field(name, value="") %}<input name="{{ name }}" value="{{ value }}">{% endmacro %}' +
      '{% macro label(text) %}<label>{{ text }}</label>{% endmacro %}{% set version = "v1" %}',
    'item.html': '<li>{{ x|default("no x") }}{{ user.name|default("") }}</li>',
    'greet.html': 'Hello {{ name }}',
  };

  test('import as a namespace', () => {
    assert.equal(render('{% import "forms.html" as f %}{{ f.label("Q") }}{{ f.field("q", "<v>") }}{{ f.version }}', {}, { sources }), '<label>Q</label><input name="q" value="&lt;v&gt;">v1');
  });

  test('from-import with aliases', () => {
    assert.equal(render('{% from "forms.html" import field as fld, label %}{{ label("A") }}{{ fld("a") }}', {}, { sources }), '<label>A</label><input name="a" value="">');
  });

  test('from-import of a name the template does not define', () => {
    const err = renderError('{% from "forms.html" import nope %}', {}, { sources });
    assert.equal(err.code, 'E_TEMPLATE_RUNTIME');
    assert.match(err.message, /forms\.html does not define 'nope'/);
  });

  test('include with context sees the loop variables and the render data', () => {
    assert.equal(render('<ul>{% for x in xs %}{% include "item.html" %}{% endfor %}</ul>', { xs: [1, '<2>'], user: { name: 'U' } }, { sources }), '<ul><li>1U</li><li>&lt;2&gt;U</li></ul>');
  });

  test('include without context sees neither', () => {
    assert.equal(render('<ul>{% for x in xs %}{% include "item.html" without context %}{% endfor %}</ul>', { xs: [1], user: { name: 'U' } }, { sources }), '<ul><li>no x</li></ul>');
  });

  test('include with an explicit "with context"', () => {
    assert.equal(render('{% set name = "Ada" %}{% include "greet.html" with context %}', {}, { sources }), 'Hello Ada');
  });

  test('include ignore missing renders nothing for a missing template', () => {
    assert.equal(render('[{% include "missing.html" ignore missing %}]', {}, { sources }), '[]');
    assert.equal(render('[{% include "greet.html" ignore missing %}]', { name: 'B' }, { sources }), '[Hello B]');
  });
});

describe('raw, comments and whitespace control', () => {
  test('raw prints template syntax as is', () => {
    assert.equal(render('{% raw %}{{ x }}{% if %}{# c #}{% endraw %}'), '{{ x }}{% if %}{# c #}');
  });

  test('comments disappear, across lines, with tags inside', () => {
    assert.equal(render('a{# one {{ x }} {% if %} #}b{#\n multi\n line\n#}c'), 'abc');
  });

  test('- strips whitespace on its side of a tag', () => {
    assert.equal(render('a  {{- x -}}  b', { x: 'X' }), 'aXb');
    assert.equal(render('a \n {%- if true -%} \n b \n {%- endif -%} \n c'), 'abc');
    assert.equal(render('<p>\n  {#- c -#}\n</p>'), '<p></p>');
  });

  test('trim_blocks and lstrip_blocks: a line holding only a tag leaves nothing', () => {
    const src = '<ul>\n  {% for x in xs %}\n  <li>{{ x }}</li>\n  {% endfor %}\n</ul>';
    assert.equal(render(src, { xs: [1, 2] }), '<ul>\n  <li>1</li>\n  <li>2</li>\n</ul>');
  });

  test('+ keeps the newline or the indentation', () => {
    assert.equal(render('a\n{% if true +%}\nb{% endif %}'), 'a\n\nb');
    assert.equal(render('a\n  {%+ if true %}b{% endif %}'), 'a\n  b');
  });

  test('{{ }} never trims by itself', () => {
    assert.equal(render(' {{ x }} \n', { x: 1 }), ' 1 \n');
  });
});

describe('expressions', () => {
  test('arithmetic', () => {
    assert.equal(
      render('{{ 1 + 2 }} {{ 10 - 3 * 2 }} {{ (10 - 3) * 2 }} {{ 7 / 2 }} {{ 7 // 2 }} {{ -7 // 2 }} {{ 7 % 3 }} {{ 2 ** 10 }} {{ 2 ** 3 ** 2 }} {{ -2 ** 2 }} {{ 1.5 + 1 }} {{ -n }}', { n: 3 }),
      '3 4 14 3.5 3 -4 1 1024 512 -4 2.5 -3',
    );
  });

  test('~ joins as text; + refuses to mix types', () => {
    assert.equal(render('{{ 1 ~ "a" ~ none ~ 2 }} {{ "a" + "b" }} {{ ([1] + [2])|join }}'), '1a2 ab 12');
    const err = renderError('\n{{ 1 + "a" }}');
    assert.equal(err.code, 'E_TEMPLATE_RUNTIME');
    assert.deepEqual([err.line, err.col], [2, 1]);
    assert.match(err.message, /cannot add number and string \(use ~ to join as text\)/);
  });

  test('comparisons and chains', () => {
    assert.equal(
      render('{{ 1 < 2 }} {{ 2 <= 2 }} {{ 3 > 4 }} {{ 3 >= 3 }} {{ "a" == "a" }} {{ 1 != 2 }} {{ 1 < 2 < 3 }} {{ 3 > 2 > 2 }} {{ 1 < x <= 5 }} {{ [1, 2] == [1, 2] }}', { x: 5 }),
      'true true false true true true true false true true',
    );
  });

  test('in and not in', () => {
    assert.equal(
      render('{{ 2 in [1, 2] }} {{ 3 not in [1, 2] }} {{ "ell" in "hello" }} {{ "k" in d }} {{ "z" in d }} {{ not 1 in [1] }}', { d: { k: 1 } }),
      'true true true true false false',
    );
  });

  test('and / or return an operand, not a boolean', () => {
    assert.equal(render('[{{ 0 or "x" }}] [{{ "a" and "b" }}] [{{ none or 0 }}] [{{ "" and "never" }}] [{{ name or "anon" }}]', { name: '' }), '[x] [b] [0] [] [anon]');
  });

  test('and / or short-circuit', () => {
    assert.equal(render('{{ false and boom() }}{{ true or boom() }}', { boom: () => assert.fail('evaluated') }), 'falsetrue');
  });

  test('conditional expression', () => {
    assert.equal(render('{{ "yes" if x else "no" }} {{ "a" if y > 1 else "b" if y > 0 else "c" }}', { x: 0, y: 1 }), 'no b');
  });

  test('literals', () => {
    assert.equal(
      render('{{ "dq" }} {{ \'sq\' }} {{ 42 }} {{ 1_000 }} {{ 3.5 }} {{ true }} {{ True }} {{ false }} [{{ none }}] [{{ None }}] {{ "a\\tb" == "a" ~ "\t" ~ "b" }}'),
      'dq sq 42 1000 3.5 true true false [] [] true',
    );
  });

  test('lists, dicts, indexing and slices', () => {
    assert.equal(
      render('{{ [1, 2, 3][1] }} {{ [1, 2, 3][-1] }} {{ {"a": 1, "b": [2]}.b[0] }} {{ {"k": "v"}["k"] }} {{ xs[1:]|join }} {{ xs[:2]|join }} {{ "hello"[1:3] }} {{ "abc"[1] }} {{ ([] + xs)|length }}', { xs: [1, 2, 3] }),
      '2 3 2 v 23 12 el b 3',
    );
  });

  test('dotted and indexed lookup into data, Maps included', () => {
    assert.equal(render('{{ u.name }} {{ u["name"] }} {{ u.tags[1] }} {{ m.k }} {{ m["k"] }} {{ rows[0].id }}', { u: { name: 'Ada', tags: ['a', 'b'] }, m: new Map([['k', 'mv']]), rows: [{ id: 7 }] }), 'Ada Ada b mv mv 7');
  });

  test('method calls on data, with this bound', () => {
    const user = {
      name: 'Ada',
      greet(who: string, opts?: { punct: string }) {
        return `Hi ${who}, I am ${this.name}${opts?.punct ?? '.'}`;
      },
    };
    assert.equal(render('{{ user.greet("<Bo>") }} {{ user.greet("Cy", punct="!") }}', { user }), 'Hi &lt;Bo&gt;, I am Ada. Hi Cy, I am Ada!');
  });

  test('tests: defined, not none, divisibleby, odd/even and friends', () => {
    assert.equal(
      render('{{ x is defined }} {{ nope is defined }} {{ nope is undefined }} {{ y is none }} {{ x is not none }} {{ 9 is divisibleby(3) }} {{ 10 is divisibleby 3 }} {{ 3 is odd }} {{ 4 is even }} {{ "A" is upper }} {{ "s" is string }} {{ 1 is number }} {{ [1] is sequence }} {{ d is mapping }} {{ 2 is in [1, 2] }} {{ 1 is sameas 1 }} {{ f is callable }}', { x: 1, y: null, d: {}, f: () => 1 }),
      'true false true true true true false true true true true true true true true true true',
    );
  });

  test('a filter applies before binary operators; a sign before the filter', () => {
    assert.equal(render('{{ "a" ~ "b"|upper }} {{ -3|abs }} {{ 2 ** -2|abs }}'), 'aB 3 4');
  });

  test('filter chains with arguments and keyword arguments', () => {
    assert.equal(render('{{ name|default("anon")|upper }} {{ n|default("x")|upper }}', { n: undefined }), 'ANON X');
  });

  test('no access to prototypes or constructors', () => {
    assert.equal(renderError('{{ x.constructor }}', { x: {} }).code, 'E_TEMPLATE_SYNTAX');
    assert.equal(renderError('{{ x.__proto__ }}', { x: {} }).code, 'E_TEMPLATE_SYNTAX');
    assert.equal(renderError('{{ "".constructor.constructor("return 1")() }}').code, 'E_TEMPLATE_SYNTAX');
    assert.equal(render('{{ x["constructor"]|default("blocked") }}', { x: {} }), 'blocked');
    assert.equal(render('{{ x[k]|default("blocked") }}', { x: {}, k: '__proto__' }), 'blocked');
  });
});

describe('user filters, tests and globals', () => {
  const t = templates({
    sources: { 'page.html': '{{ x|shout }} {{ x|wrap }} {{ x|wrap(right=">") }} {{ "abcd" is long }} {{ "ab" is long }} {{ site }} {{ add(1, 2) }} {{ x|shout|lower }}' },
    filters: {
      shout: (v) => `${String(v)}!`,
      wrap: { fn: (v, l = '[', r = ']') => `${String(l)}${String(v)}${String(r)}`, params: ['left', 'right'] },
    },
    tests: { long: (v) => String(v).length > 3 },
    globals: { site: '<S>', add: (a: unknown, b: unknown) => Number(a) + Number(b) },
  });

  test('are called, and what they return is escaped', () => {
    assert.equal(t.render('page.html', { x: 'X' }).toString(), 'X! [X] [X&gt; true false &lt;S&gt; 3 x!');
  });

  test('a user filter can override a built-in', () => {
    const e = templates({ sources: { 'p.html': '{{ "a"|upper }}' }, filters: { upper: () => 'custom' } });
    assert.equal(e.render('p.html').toString(), 'custom');
  });

  test('render data shadows a global', () => {
    assert.equal(t.render('page.html', { x: 'X', site: 'mine' }).toString(), 'X! [X] [X&gt; true false mine 3 x!');
  });

  test('render data may use the name of a built-in global', () => {
    assert.equal(render('{{ range }} {{ static }} {{ dict }}', { range: 'r', static: 's', dict: 'd' }), 'r s d');
  });

  test('a top-level set may reuse the name of a global', () => {
    assert.equal(render('{% set range = 5 %}{{ range }}'), '5');
    assert.equal(t.renderString('{% set site = "mine" %}{{ site }}', { x: 'X' }).toString(), 'mine');
  });

  test('dict() builds a mapping from keyword arguments', () => {
    assert.equal(render('{{ dict(a=1, b="<b>").b }}'), '&lt;b&gt;');
  });
});

describe('renderString', () => {
  test('renders source given as a string, with includes by name', () => {
    const t = templates({ sources: { 'p.html': '<i>{{ v }}</i>' } });
    assert.equal(t.renderString('<b>{% include "p.html" %}</b>', { v: '<' }).toString(), '<b><i>&lt;</i></b>');
  });

  test('renders source that extends a named template', () => {
    const t = templates({ sources: { 'base.html': '<main>{% block c %}base{% endblock %}</main>' } });
    assert.equal(t.renderString('{% extends "base.html" %}{% block c %}child {{ super() }}{% endblock %}').toString(), '<main>child base</main>');
  });
});
