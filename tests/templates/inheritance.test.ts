/**
 * Inheritance and recursion: extends chains with super() at every level, blocks in RCDATA and
 * <script> (the child's outputs escaped for the parent's context), nested blocks, and the cycles
 * and runaway recursion that must end in an error, quickly, never a hang.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { templates, TemplateCycleError } from 'rampart/templates';
import { thrown } from './helpers.ts';

const BASE =
  '<!doctype html><html><head><title>{% block title %}Site{% endblock %}</title>' +
  '<script>var page = {% block page %}"base";{% endblock %}</script></head>' +
  '<body>{% block body %}<main>{% block content %}base content{% endblock %}</main>' +
  '<footer>{% block footer %}(c){% endblock %}</footer>{% endblock %}</body></html>';

const sources = {
  'base.html': BASE,
  'section.html':
    '{% extends "base.html" %}{% block title %}Section - {{ super() }}{% endblock %}' +
    '{% block content %}<section>{{ super() }}|{% block inner %}section inner{% endblock %}</section>{% endblock %}',
  'page.html':
    '{% extends "section.html" %}{% set who = "<page>" %}' +
    '{% block title %}{{ heading }} - {{ super() }}{% endblock %}' +
    '{% block page %}{{ heading }};{% endblock %}' +
    '{% block inner %}{{ who }} [{{ super() }}]{% endblock %}',
  'only-footer.html': '{% extends "base.html" %}{% block footer %}{{ super() }} 2024{% endblock %}',
  'replace-body.html': '{% extends "base.html" %}{% block body %}<p>{{ heading }}</p>{% endblock %}',
};

const t = templates({ sources, strict: true, reload: false });

describe('extends', () => {
  test('3 levels with super() at each level, a block inside <title> and a nested block', () => {
    assert.equal(
      t.render('page.html', { heading: '</title><script>x</script>' }).toString(),
      '<!doctype html><html><head><title>&lt;/title&gt;&lt;script&gt;x&lt;/script&gt; - Section - Site</title>' +
        '<script>var page = "\\u003c/title\\u003e\\u003cscript\\u003ex\\u003c/script\\u003e";</script></head>' +
        '<body><main><section>base content|&lt;page&gt; [section inner]</section></main><footer>(c)</footer></body></html>',
    );
  });

  test('the middle level renders alone too', () => {
    assert.equal(
      t.render('section.html').toString(),
      '<!doctype html><html><head><title>Section - Site</title><script>var page = "base";</script></head>' +
        '<body><main><section>base content|section inner</section></main><footer>(c)</footer></body></html>',
    );
  });

  test('a child that overrides one block gets the parent for the others', () => {
    assert.equal(
      t.render('only-footer.html').toString(),
      '<!doctype html><html><head><title>Site</title><script>var page = "base";</script></head>' +
        '<body><main>base content</main><footer>(c) 2024</footer></body></html>',
    );
  });

  test('overriding an outer block drops the nested blocks it contained', () => {
    assert.equal(
      t.render('replace-body.html', { heading: '<h>' }).toString(),
      '<!doctype html><html><head><title>Site</title><script>var page = "base";</script></head><body><p>&lt;h&gt;</p></body></html>',
    );
  });

  test("a child's block is escaped for the parent's context (RCDATA, script, attribute-free text)", () => {
    const e = templates({
      sources: {
        'p.html': '<title>{% block t %}{% endblock %}</title><textarea>{% block a %}{% endblock %}</textarea><script>let v = {% block s %}null;{% endblock %}</script><style>p{font-family:"{% block c %}{% endblock %}"}</style>',
        'c.html': '{% extends "p.html" %}{% block t %}{{ v }}{% endblock %}{% block a %}{{ v }}{% endblock %}{% block s %}{{ v }};{% endblock %}{% block c %}{{ v }}{% endblock %}',
      },
    });
    assert.equal(
      e.render('c.html', { v: '</style></script></textarea></title><b>' }).toString(),
      '<title>&lt;/style&gt;&lt;/script&gt;&lt;/textarea&gt;&lt;/title&gt;&lt;b&gt;</title>' +
        '<textarea>&lt;/style&gt;&lt;/script&gt;&lt;/textarea&gt;&lt;/title&gt;&lt;b&gt;</textarea>' +
        '<script>let v = "\\u003c/style\\u003e\\u003c/script\\u003e\\u003c/textarea\\u003e\\u003c/title\\u003e\\u003cb\\u003e";</script>' +
        '<style>p{font-family:"\\3c \\2f style\\3e \\3c \\2f script\\3e \\3c \\2f textarea\\3e \\3c \\2f title\\3e \\3c b\\3e "}</style>',
    );
  });

  test("a child's block that would be refused in the parent's context is refused", () => {
    const e = templates({ sources: { 'p.html': '<style>{% block c %}{% endblock %}</style>', 'c.html': '{% extends "p.html" %}{% block c %}p { color: {{ v }} }{% endblock %}' } });
    const err = thrown(() => e.render('c.html', { v: 'red' }));
    assert.equal(err.code, 'E_TEMPLATE_CONTEXT');
    assert.equal(err.template, 'c.html');
    assert.deepEqual([err.line, err.col], [1, 47]);
  });

  test('a top-level set of the child is visible in its blocks and the parent', () => {
    const e = templates({ sources: { 'p.html': '<h1>{{ title }}</h1>{% block b %}{% endblock %}', 'c.html': '{% extends "p.html" %}{% set title = "T" %}{% block b %}<p>{{ title }}</p>{% endblock %}' } });
    assert.equal(e.render('c.html').toString(), '<h1>T</h1><p>T</p>');
  });

  test('child text outside blocks is refused with its location', () => {
    const e = templates({ sources: { 'base.html': BASE, 'c.html': '{% extends "base.html" %}\n{% block title %}x{% endblock %}\n  hello\n' } });
    const err = thrown(() => e.render('c.html'));
    assert.equal(err.code, 'E_TEMPLATE_SYNTAX');
    assert.equal(err.template, 'c.html');
    assert.equal(err.line, 3);
    assert.match(err.message, /^Text outside \{% block %\} in a template that uses \{% extends %\} would never be shown/);
  });

  test('whitespace between blocks of a child is allowed', () => {
    const e = templates({ sources: { 'base.html': '<p>{% block a %}{% endblock %}</p>', 'c.html': '{% extends "base.html" %}\n\n  {% block a %}A{% endblock %}\n\n' } });
    assert.equal(e.render('c.html').toString(), '<p>A</p>');
  });

  test('extends must come first', () => {
    const e = templates({ sources: { 'base.html': 'b', 'c.html': 'x{% extends "base.html" %}' } });
    const err = thrown(() => e.render('c.html'));
    assert.equal(err.code, 'E_TEMPLATE_SYNTAX');
    assert.deepEqual([err.line, err.col], [1, 5]);
  });

  test('super() outside a block is refused', () => {
    const e = templates({ sources: { 'c.html': '{{ super() }}' } });
    assert.equal(thrown(() => e.render('c.html')).code, 'E_TEMPLATE_SYNTAX');
  });

  test('a block defined twice is refused', () => {
    const e = templates({ sources: { 'c.html': '{% block a %}{% endblock %}{% block a %}{% endblock %}' } });
    assert.equal(thrown(() => e.render('c.html')).code, 'E_TEMPLATE_SYNTAX');
  });

  test('an include inside a block renders its own blocks, not the outer child overrides', () => {
    const e = templates({
      sources: {
        'base.html': '<main>{% block content %}{% endblock %}</main>',
        'widget.html': '<aside>{% block content %}widget{% endblock %}</aside>',
        'c.html': '{% extends "base.html" %}{% block content %}child {% include "widget.html" %}{% endblock %}',
      },
    });
    assert.equal(e.render('c.html').toString(), '<main>child <aside>widget</aside></main>');
  });
});

describe('cycles and runaway recursion end in an error, quickly', () => {
  const cyc = templates({
    sources: {
      'a.html': '{% extends "b.html" %}',
      'b.html': '{% extends "a.html" %}',
      'x.html': '{% extends "y.html" %}{% block b %}{% endblock %}',
      'y.html': '{% extends "z.html" %}',
      'z.html': '{% extends "x.html" %}',
      'me.html': '{% extends "me.html" %}',
      'self.html': 'x{% include "self.html" %}',
      'i1.html': '<p>{% include "i2.html" %}</p>',
      'i2.html': '<p>{% include "i1.html" %}</p>',
      'imp1.html': '{% import "imp2.html" as m %}',
      'imp2.html': '{% import "imp1.html" as m %}',
      'macro.html': '{% macro r(n) %}{{ n }}{{ r(n + 1) }}{% endmacro %}{{ r(0) }}',
      'macro-ok.html': '{% macro r(n) %}{{ n }}{% if n > 0 %},{{ r(n - 1) }}{% endif %}{% endmacro %}{{ r(50) }}',
      'macro-pair.html': '{% macro a() %}{{ b() }}{% endmacro %}{% macro b() %}{{ a() }}{% endmacro %}{{ a() }}',
      'include-ok.html': '{% if n > 0 %}{{ n }}{% with n = n - 1 %}{% include "include-ok.html" %}{% endwith %}{% endif %}',
    },
    strict: true,
    reload: false,
  });

  function timed(name: string, data: Record<string, unknown> = {}): { err: ReturnType<typeof thrown>; ms: number } {
    const start = performance.now();
    const err = thrown(() => cyc.render(name, data));
    return { err, ms: performance.now() - start };
  }

  test('extends cycle a → b → a: E_TEMPLATE_CYCLE naming the chain', () => {
    const { err, ms } = timed('a.html');
    assert.ok(err instanceof TemplateCycleError);
    assert.equal(err.code, 'E_TEMPLATE_CYCLE');
    assert.match(err.message, /^Template inheritance loops: a\.html → b\.html → a\.html/);
    assert.ok(ms < 1000, `${ms} ms`);
    // And again from the other end, with the first render's state cached.
    assert.match(thrown(() => cyc.render('b.html')).message, /b\.html → a\.html → b\.html/);
  });

  test('a longer extends cycle names every template in it', () => {
    const { err } = timed('x.html');
    assert.equal(err.code, 'E_TEMPLATE_CYCLE');
    assert.match(err.message, /x\.html → y\.html → z\.html → x\.html/);
  });

  test('a template that extends itself', () => {
    const { err } = timed('me.html');
    assert.equal(err.code, 'E_TEMPLATE_CYCLE');
    assert.match(err.message, /me\.html → me\.html/);
  });

  test('self-include: E_TEMPLATE_RECURSION, bounded and fast', () => {
    const { err, ms } = timed('self.html');
    assert.ok(err instanceof TemplateCycleError);
    assert.equal(err.code, 'E_TEMPLATE_RECURSION');
    assert.match(err.message, /^Templates nest deeper than 100 levels/);
    assert.match(err.message, /self\.html → self\.html/);
    assert.ok(ms < 1000, `${ms} ms`);
  });

  test('include cycle i1 → i2 → i1: E_TEMPLATE_RECURSION', () => {
    const { err, ms } = timed('i1.html');
    assert.equal(err.code, 'E_TEMPLATE_RECURSION');
    assert.match(err.message, /i1\.html → i2\.html|i2\.html → i1\.html/);
    assert.ok(ms < 1000, `${ms} ms`);
  });

  test('import cycle ends in an error', () => {
    const { err, ms } = timed('imp1.html');
    assert.ok(err.code === 'E_TEMPLATE_RECURSION' || err.code === 'E_TEMPLATE_CYCLE', err.code);
    assert.ok(ms < 1000, `${ms} ms`);
  });

  test('a macro that calls itself without end is bounded', () => {
    const { err, ms } = timed('macro.html');
    assert.equal(err.code, 'E_TEMPLATE_RECURSION');
    assert.match(err.message, /macro r → macro r/);
    assert.ok(ms < 1000, `${ms} ms`);
  });

  test('two macros calling each other are bounded', () => {
    assert.equal(timed('macro-pair.html').err.code, 'E_TEMPLATE_RECURSION');
  });

  test('the engine still renders after a recursion error (the depth is reset)', () => {
    timed('self.html');
    assert.equal(cyc.render('macro-ok.html').toString(), Array.from({ length: 51 }, (_, i) => 50 - i).join(','));
  });

  test('recursion with a base case within the bound renders', () => {
    assert.equal(cyc.render('include-ok.html', { n: 3 }).toString(), '321');
  });

  test('a cycle is also reported through renderString', () => {
    assert.equal(thrown(() => cyc.renderString('{% extends "a.html" %}')).code, 'E_TEMPLATE_CYCLE');
  });
});
