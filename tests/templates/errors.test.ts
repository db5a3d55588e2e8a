/**
 * Error messages, end to end: syntax errors, undefined variables (strict and lenient), runtime
 * failures, missing templates and refused template names — each with its code, the template, the
 * line and column, and the line shown with a caret where there is one.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  templates,
  TemplateError,
  TemplateNotFoundError,
  TemplateRuntimeError,
  TemplateSyntaxError,
  TemplateUndefinedError,
} from 'rampart/templates';
import { render, renderError, thrown } from './helpers.ts';

/** The exact message: text, location, the source line and a caret under the column. */
function located(message: string, template: string, line: number, col: number, source: string): string {
  return `${message} (${template}, line ${line}, column ${col})\n  ${source.split('\n')[line - 1]}\n  ${' '.repeat(col - 1)}^`;
}

describe('syntax errors name the template, line and column, and show the line with a caret', () => {
  const cases: readonly (readonly [string, number, number, string])[] = [
    ['<p>\n{% if x %}\n  {{ x + }}\n{% endif %}', 3, 10, "expected an expression, found '}}'"],
    ['<ul>\n  {% for x in %}{% endfor %}', 2, 15, "expected an expression, found '%}'"],
    ['<p>\n{% if x %}\n<p>', 2, 1, 'unclosed {% if %} opened here; close it with {% endif %}'],
    ['a\n  {{ x }', 2, 3, "unclosed tag: '{{' opened here has no closing '}}'"],
    ['{% frob %}', 1, 4, 'unknown tag {% frob %}; known tags are: block, call, extends, for, from, if, import, include, macro, raw, set, with'],
    ['{% for x in xs %}{% endif %}', 1, 21, 'unexpected {% endif %}; expected {% else %} or {% endfor %} for the {% for %} opened at line 1, column 1'],
    ['\n\n{% endfor %}', 3, 4, 'unexpected {% endfor %}: there is no open {% for %} to close'],
    ['{% block a %}{% endblock b %}', 1, 26, '{% endblock b %} does not match {% block a %} opened at line 1, column 1'],
    ['{{ x y }}', 1, 6, "expected '}}' to end the output, found 'y'"],
    ["{{ 'abc }}", 1, 4, 'unterminated string literal'],
    ['{% macro m(a=1, b) %}{% endmacro %}', 1, 17, "parameter 'b' needs a default value because an earlier parameter has one"],
    ['{% set if = 1 %}', 1, 8, "'if' is a reserved word and cannot be used as a variable name"],
  ];
  for (const [source, line, col, message] of cases) {
    test(message, () => {
      const err = renderError(source);
      assert.ok(err instanceof TemplateSyntaxError, err.message);
      assert.equal(err.code, 'E_TEMPLATE_SYNTAX');
      assert.equal(err.template, 'page.html');
      assert.deepEqual([err.line, err.col], [line, col]);
      assert.equal(err.message, located(message, 'page.html', line, col, source));
    });
  }

  test('a long line is shown cut, with the caret still under the column', () => {
    const source = `${'x'.repeat(300)}{{ }}`;
    const err = renderError(source);
    assert.equal(err.code, 'E_TEMPLATE_SYNTAX');
    const lines = err.message.split('\n');
    assert.equal(lines[1], `  ${'x'.repeat(200)}…`);
    assert.equal(lines[2], `  ${' '.repeat(200)}^`);
  });

  test('the error names the template it is in, not the one rendered', () => {
    const t = templates({ sources: { 'page.html': '<main>{% include "parts/nav.html" %}</main>', 'parts/nav.html': '<nav>\n{{ 1 + }}</nav>' } });
    const err = thrown(() => t.render('page.html'));
    assert.equal(err.code, 'E_TEMPLATE_SYNTAX');
    assert.equal(err.template, 'parts/nav.html');
    assert.deepEqual([err.line, err.col], [2, 8]);
  });

  test('context mismatch messages say how the two contexts differ', () => {
    for (const source of ['{% if c %}<svg>{% endif %}</svg>', '<script>{% if c %}a = 1{% endif %}</script>']) {
      const err = renderError(source, { c: true });
      assert.equal(err.code, 'E_TEMPLATE_CONTEXT');
      const m = /different contexts \((.*) vs (.*)\) \(page\.html/.exec(err.message);
      assert.ok(m !== null, err.message);
      assert.notEqual(m[1], m[2], `both contexts are described the same way: ${err.message.split('\n')[0]}`);
    }
  });

  test('branches that end in equivalent JavaScript contexts are accepted', () => {
    assert.equal(render('<script>var x = {% if c %}1{% else %}"two"{% endif %};</script>', { c: false }), '<script>var x = "two";</script>');
    assert.equal(render('<script>var a = {{ v }}{% if c %} + 1{% endif %};</script>', { v: 1, c: true }), '<script>var a = 1 + 1;</script>');
  });
});

describe('undefined variables', () => {
  test('strict: E_TEMPLATE_UNDEFINED with the name, the location and a hint', () => {
    const source = '<p>\n  Hello {{ user.email }}\n</p>';
    const err = renderError(source, { user: {} });
    assert.ok(err instanceof TemplateUndefinedError);
    assert.equal(err.code, 'E_TEMPLATE_UNDEFINED');
    assert.equal(err.template, 'page.html');
    assert.deepEqual([err.line, err.col], [2, 9]);
    assert.equal(err.message, located("'user.email' is undefined", 'page.html', 2, 9, source));
    assert.match(err.hint ?? '', /default/);
  });

  test('strict: a missing top-level variable, in an attribute and in <script>', () => {
    assert.equal(renderError('<a title="{{ nope }}">').code, 'E_TEMPLATE_UNDEFINED');
    assert.equal(renderError('<script>var x = {{ nope }};</script>').code, 'E_TEMPLATE_UNDEFINED');
    assert.match(renderError('{{ nope }}').message, /^'nope' is undefined/);
  });

  test('strict: null is a value, not undefined', () => {
    assert.equal(render('[{{ x }}]', { x: null }), '[]');
  });

  test('strict: default, is defined and if still handle what may be missing', () => {
    assert.equal(render('{{ nope|default("d") }}|{% if nope is defined %}yes{% else %}no{% endif %}|{% if nope %}t{% else %}f{% endif %}'), 'd|no|f');
  });

  test('strict is the default outside production', () => {
    assert.equal(templates({ sources: {} }).strict, process.env['NODE_ENV'] !== 'production');
  });

  test('lenient: empty output and exactly one warning per place', () => {
    const warnings: string[] = [];
    const t = templates({
      sources: { 'page.html': '<ul>\n{% for i in [1, 2, 3] %}<li>{{ nope }}</li>{% endfor %}\n</ul><p title="{{ user.name }}">{{ nope }}</p>' },
      strict: false,
      onWarning: (m) => warnings.push(m),
    });
    const out = t.render('page.html', { user: {} }).toString();
    assert.equal(out, '<ul>\n<li></li><li></li><li></li></ul><p title=""></p>');
    assert.deepEqual(warnings, [
      "Template page.html, line 2, column 29: 'nope' is undefined; rendered as an empty string",
      "Template page.html, line 3, column 16: 'user.name' is undefined; rendered as an empty string",
      "Template page.html, line 3, column 33: 'nope' is undefined; rendered as an empty string",
    ]);
    t.render('page.html', { user: {} });
    assert.equal(warnings.length, 3, 'a second render warns no more for the same places');
  });

  test('lenient: no warning when nothing is undefined', () => {
    const warnings: string[] = [];
    const t = templates({ sources: { 'page.html': '{{ a }}' }, strict: false, onWarning: (m) => warnings.push(m) });
    assert.equal(t.render('page.html', { a: 1 }).toString(), '1');
    assert.deepEqual(warnings, []);
  });
});

describe('runtime errors carry the location', () => {
  test('a filter given the wrong type', () => {
    const source = '<ul>\n  <li>{{ price|round(2) }}</li>\n</ul>';
    const err = renderError(source, { price: 'cheap' });
    assert.ok(err instanceof TemplateRuntimeError);
    assert.equal(err.code, 'E_TEMPLATE_RUNTIME');
    assert.deepEqual([err.template, err.line, err.col], ['page.html', 2, 7]);
    assert.equal(err.message, located('round: the value must be a number, got "cheap"', 'page.html', 2, 7, source));
  });

  test('calling something that is not a function', () => {
    const err = renderError('\n\n{{ user.name() }}', { user: { name: 'Ada' } });
    assert.equal(err.code, 'E_TEMPLATE_RUNTIME');
    assert.deepEqual([err.line, err.col], [3, 1]);
    assert.match(err.message, /^user\.name is not callable \(it is string\)/);
  });

  test('an exception thrown by a data method is wrapped, with the original as cause', () => {
    const boom = new Error('db down');
    const err = renderError('{% if true %}\n{{ load() }}{% endif %}', { load: () => { throw boom; } });
    assert.equal(err.code, 'E_TEMPLATE_RUNTIME');
    assert.deepEqual([err.line, err.col], [2, 1]);
    assert.equal((err as Error & { cause?: unknown }).cause, boom);
  });

  test('an error inside a for filter or a set has the location of its statement', () => {
    const err = renderError('a\n{% set x = 1 + "b" %}');
    assert.equal(err.code, 'E_TEMPLATE_RUNTIME');
    assert.deepEqual([err.line, err.col], [2, 1]);
  });

  test('range() refuses to allocate without bound', () => {
    const err = renderError('{% for i in range(10000000) %}{% endfor %}');
    assert.equal(err.code, 'E_TEMPLATE_RUNTIME');
    assert.match(err.message, /100000/);
  });
});

describe('missing templates', () => {
  const t = templates({
    sources: {
      'inc.html': '<p>\n{% include "nope.html" %}</p>',
      'ext.html': '{% extends "nope.html" %}',
      'imp.html': '{% import "nope.html" as n %}',
      'from.html': '{% from "nope.html" import m %}',
    },
  });

  test('render of an unknown name: E_TEMPLATE_NOT_FOUND naming it', () => {
    const err = thrown(() => t.render('nope.html'));
    assert.equal(err.code, 'E_TEMPLATE_NOT_FOUND');
    assert.match(err.message, /Template 'nope\.html' was not found/);
  });

  test('render of an unknown name throws the documented TemplateNotFoundError', () => {
    const err = thrown(() => t.render('nope.html'));
    assert.ok(err instanceof TemplateNotFoundError, `${err.constructor.name}: ${err.message}`);
  });

  test('compile() of an unknown name', () => {
    const err = thrown(() => t.compile('nope.html'));
    assert.ok(err instanceof TemplateNotFoundError);
    assert.equal(err.code, 'E_TEMPLATE_NOT_FOUND');
  });

  for (const name of ['inc.html', 'ext.html', 'imp.html', 'from.html']) {
    test(`a missing template named inside ${name}`, () => {
      const err = thrown(() => t.render(name));
      assert.equal(err.code, 'E_TEMPLATE_NOT_FOUND');
      assert.match(err.message, /'nope\.html' was not found/);
      assert.ok(err instanceof TemplateError || err instanceof TemplateNotFoundError);
    });
  }

  test('renderString that includes a missing template', () => {
    assert.equal(thrown(() => t.renderString('{% include "nope.html" %}')).code, 'E_TEMPLATE_NOT_FOUND');
  });
});

describe('template names that escape the folders are refused', () => {
  const BAD_NAMES = ['../x', '../../etc/passwd', '/etc/passwd', 'a\\b', '..\\x', 'x\0y', 'C:/x', 'c:x', 'file:///etc/passwd', 'a/../../x', './../x', 'a//b', '...', 'a/./b', ''];
  const t = templates({ sources: { 'ok.html': 'ok' } });

  for (const name of BAD_NAMES) {
    test(`render(${JSON.stringify(name)}) → E_TEMPLATE_NAME_INVALID`, () => {
      const err = thrown(() => t.render(name));
      assert.ok(err instanceof TemplateNotFoundError);
      assert.equal(err.code, 'E_TEMPLATE_NAME_INVALID');
      assert.match(err.message, /^Invalid template name /);
    });
  }

  test('a leading ./ is the same name', () => {
    assert.equal(t.render('./ok.html').toString(), 'ok');
  });

  const TAGS: readonly (readonly [string, (name: string) => string])[] = [
    ['include', (n) => `{% include ${JSON.stringify(n)} %}`],
    ['include ignore missing', (n) => `{% include ${JSON.stringify(n)} ignore missing %}`],
    ['extends', (n) => `{% extends ${JSON.stringify(n)} %}`],
    ['import', (n) => `{% import ${JSON.stringify(n)} as m %}`],
    ['from-import', (n) => `{% from ${JSON.stringify(n)} import m %}`],
  ];
  for (const [tag, make] of TAGS) {
    test(`{% ${tag} %} with a traversal name → E_TEMPLATE_NAME_INVALID`, () => {
      for (const name of ['../x', '/etc/passwd', 'a\\b', 'x\0y', 'C:/x']) {
        const e = templates({ sources: { 'page.html': make(name) } });
        const err = thrown(() => e.render('page.html'));
        assert.equal(err.code, 'E_TEMPLATE_NAME_INVALID', `${tag} ${JSON.stringify(name)}: ${err.code} ${err.message}`);
      }
    });
  }
});
