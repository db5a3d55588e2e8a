import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type * as A from './ast.js';
import { TemplateSyntaxError } from './errors.js';
import { MAX_NESTING_DEPTH, parseExpression, parseTemplate } from './parser.js';
import { assertLinear } from '../../tests/helpers/linear.ts';

// -- helpers ----------------------------------------------------------------------------------

/** Deep copy without `line`/`col`, for structure-only comparisons. */
function shape(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(shape);
  if (value === null || typeof value !== 'object') return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) if (k !== 'line' && k !== 'col') out[k] = shape(v);
  return out;
}

/** The expression's structure. */
const ex = (src: string): unknown => shape(parseExpression(src));
/** The template body's structure. */
const tpl = (src: string): unknown => shape(parseTemplate('t.html', src).body);

// Expression builders (structure only).
const lit = (value: string | number | boolean | null) => ({ kind: 'literal', value });
const nm = (name: string) => ({ kind: 'name', name });
const bin = (op: string, left: unknown, right: unknown) => ({ kind: 'binary', op, left, right });
const un = (op: string, operand: unknown) => ({ kind: 'unary', op, operand });
const cmp = (first: unknown, ...rest: [string, unknown][]) => ({ kind: 'compare', first, rest });
const flt = (value: unknown, name: string, args: unknown[] = [], kwargs: { name: string; value: unknown }[] = []) => ({ kind: 'filter', value, name, args, kwargs });
const tst = (value: unknown, name: string, args: unknown[] = [], negated = false) => ({ kind: 'test', value, name, args, negated });
const attr = (object: unknown, a: string) => ({ kind: 'getattr', object, attr: a });
const item = (object: unknown, key: unknown) => ({ kind: 'getitem', object, key });
const slc = (object: unknown, start: unknown, stop: unknown) => ({ kind: 'slice', object, start, stop });
const call = (callee: unknown, args: unknown[] = [], kwargs: { name: string; value: unknown }[] = []) => ({ kind: 'call', callee, args, kwargs });
const list = (...items: unknown[]) => ({ kind: 'list', items });
const dict = (...entries: [string, unknown][]) => ({ kind: 'dict', entries: entries.map(([key, value]) => ({ key, value })) });
const cond = (then: unknown, test: unknown, otherwise: unknown = null) => ({ kind: 'conditional', test, then, otherwise });
// Node builders (structure only).
const text = (value: string, raw = false) => ({ kind: 'text', value, raw });
const out = (expr: unknown) => ({ kind: 'output', expr });

/** Asserts a TemplateSyntaxError with this code, place and first message line. */
function syntaxError(source: string, line: number, col: number, message: string, parse: () => unknown = () => parseTemplate('t.html', source)): void {
  assert.throws(parse, (err: unknown) => {
    assert.ok(err instanceof TemplateSyntaxError, `not a TemplateSyntaxError: ${String(err)}`);
    assert.equal(err.code, 'E_TEMPLATE_SYNTAX');
    assert.equal(err.template, 't.html');
    assert.deepEqual([err.line, err.col], [line, col]);
    assert.equal(err.message.split('\n')[0], `${message} (t.html, line ${line}, column ${col})`);
    return true;
  });
}

/**
 * A tiny renderer for the whitespace tests: text, `{{ name }}`, `{% if name %}` and
 * `{% for x in name %}`. Enough to show the exact text a template produces.
 */
function render(source: string, ctx: Record<string, unknown> = {}): string {
  const value = (e: A.Expr, scope: Record<string, unknown>): unknown => {
    if (e.kind === 'literal') return e.value;
    if (e.kind === 'name') return scope[e.name];
    throw new Error(`render(): unsupported ${e.kind}`);
  };
  const run = (nodes: readonly A.Node[], scope: Record<string, unknown>): string => {
    let s = '';
    for (const n of nodes) {
      if (n.kind === 'text') s += n.value;
      else if (n.kind === 'output') s += String(value(n.expr, scope));
      else if (n.kind === 'if') {
        const b = n.branches.find((br) => Boolean(value(br.test, scope)));
        s += run(b?.body ?? n.otherwise ?? [], scope);
      } else if (n.kind === 'for') {
        const xs = value(n.iter, scope) as unknown[];
        for (const x of xs) s += run(n.body, { ...scope, [n.targets[0]!]: x });
        if (xs.length === 0 && n.otherwise) s += run(n.otherwise, scope);
      } else throw new Error(`render(): unsupported ${n.kind}`);
    }
    return s;
  };
  return run(parseTemplate('t.html', source).body, ctx);
}

// -- expressions --------------------------------------------------------------------------------

describe('parser: literals', () => {
  it('parses strings, numbers, booleans and none in every spelling', () => {
    assert.deepEqual(ex('"a\\"b"'), lit('a"b'));
    assert.deepEqual(ex("'x\\u0041'"), lit('xA'));
    assert.deepEqual(ex('42'), lit(42));
    assert.deepEqual(ex('4.25'), lit(4.25));
    assert.deepEqual(ex('1_000'), lit(1000));
    for (const t of ['true', 'True']) assert.deepEqual(ex(t), lit(true));
    for (const f of ['false', 'False']) assert.deepEqual(ex(f), lit(false));
    for (const n of ['none', 'None', 'null']) assert.deepEqual(ex(n), lit(null));
  });

  it('parses lists, with a trailing comma', () => {
    assert.deepEqual(ex('[]'), list());
    assert.deepEqual(ex('[1, "a", [x],]'), list(lit(1), lit('a'), list(nm('x'))));
  });

  it('parses tuples as lists; a parenthesized single value is that value', () => {
    assert.deepEqual(ex('()'), list());
    assert.deepEqual(ex('(1,)'), list(lit(1)));
    assert.deepEqual(ex('(a, b)'), list(nm('a'), nm('b')));
    assert.deepEqual(ex('(a)'), nm('a'));
  });

  it('parses dicts with string and bare-name keys', () => {
    assert.deepEqual(ex('{}'), dict());
    assert.deepEqual(ex(`{'a': 1, b: x, "c": [2],}`), dict(['a', lit(1)], ['b', nm('x')], ['c', list(lit(2))]));
  });

  it('parses nested dicts inside an output tag', () => {
    assert.deepEqual(tpl('{{ {"a": {"b": 1}} }}'), [out(dict(['a', dict(['b', lit(1)])]))]);
  });
});

describe('parser: postfix', () => {
  it('parses attribute, item and numeric-dot lookups', () => {
    assert.deepEqual(ex('a.b["c"].d'), attr(item(attr(nm('a'), 'b'), lit('c')), 'd'));
    assert.deepEqual(ex('items.0'), item(nm('items'), lit(0)));
    assert.deepEqual(ex('loop.index'), attr(nm('loop'), 'index'));
  });

  it('parses slices with either side optional', () => {
    assert.deepEqual(ex('s[1:2]'), slc(nm('s'), lit(1), lit(2)));
    assert.deepEqual(ex('s[:2]'), slc(nm('s'), null, lit(2)));
    assert.deepEqual(ex('s[1:]'), slc(nm('s'), lit(1), null));
    assert.deepEqual(ex('s[:]'), slc(nm('s'), null, null));
  });

  it('parses calls with positional and keyword arguments', () => {
    assert.deepEqual(ex('f()'), call(nm('f')));
    assert.deepEqual(ex('f(1, x=2, y="a",)'), call(nm('f'), [lit(1)], [{ name: 'x', value: lit(2) }, { name: 'y', value: lit('a') }]));
    assert.deepEqual(ex('a.b(c)(d)'), call(call(attr(nm('a'), 'b'), [nm('c')]), [nm('d')]));
  });

  it('parses super() and caller() as ordinary calls of names', () => {
    assert.deepEqual(ex('super()'), call(nm('super')));
    assert.deepEqual(ex('caller(x)'), call(nm('caller'), [nm('x')]));
  });
});

describe('parser: filters and tests', () => {
  it('parses filter chains with arguments', () => {
    assert.deepEqual(ex('name|default("anon")|upper'), flt(flt(nm('name'), 'default', [lit('anon')]), 'upper'));
    assert.deepEqual(ex('x|truncate(10, end="…")'), flt(nm('x'), 'truncate', [lit(10)], [{ name: 'end', value: lit('…') }]));
  });

  it('allows lookups and calls after a filter', () => {
    assert.deepEqual(ex('x|first.name'), attr(flt(nm('x'), 'first'), 'name'));
  });

  it('binds filters tighter than arithmetic: a + b|upper filters b', () => {
    assert.deepEqual(ex('a + b|upper'), bin('+', nm('a'), flt(nm('b'), 'upper')));
    assert.deepEqual(ex('2 ** x|abs'), bin('**', lit(2), flt(nm('x'), 'abs')));
    assert.deepEqual(ex('x|abs ** 2'), bin('**', flt(nm('x'), 'abs'), lit(2)));
  });

  it('applies a filter after a sign: -x|abs is abs(-x)', () => {
    assert.deepEqual(ex('-x|abs'), flt(un('-', nm('x')), 'abs'));
  });

  it('parses tests: bare, negated, with arguments, with a bare argument', () => {
    assert.deepEqual(ex('x is defined'), tst(nm('x'), 'defined'));
    assert.deepEqual(ex('x is not none'), tst(nm('x'), 'none', [], true));
    assert.deepEqual(ex('x is divisibleby(3)'), tst(nm('x'), 'divisibleby', [lit(3)]));
    assert.deepEqual(ex('x is divisibleby 3'), tst(nm('x'), 'divisibleby', [lit(3)]));
    assert.deepEqual(ex('x is sameas y.z'), tst(nm('x'), 'sameas', [attr(nm('y'), 'z')]));
    assert.deepEqual(ex('x is in [1, 2]'), tst(nm('x'), 'in', [list(lit(1), lit(2))]));
  });

  it('puts tests at comparison level: they take the whole arithmetic on their left', () => {
    assert.deepEqual(ex('a + b is odd'), tst(bin('+', nm('a'), nm('b')), 'odd'));
    assert.deepEqual(ex('x|length is even'), tst(flt(nm('x'), 'length'), 'even'));
    assert.deepEqual(ex('not x is defined'), un('not', tst(nm('x'), 'defined')));
    assert.deepEqual(ex('x is odd and y is even'), bin('and', tst(nm('x'), 'odd'), tst(nm('y'), 'even')));
  });

  it('does not take and/or/else/if as a bare test argument', () => {
    assert.deepEqual(ex('a if x is defined else b'), cond(nm('a'), tst(nm('x'), 'defined'), nm('b')));
    assert.deepEqual(ex('x is defined or y'), bin('or', tst(nm('x'), 'defined'), nm('y')));
  });
});

describe('parser: operators and precedence', () => {
  it('parses every binary operator', () => {
    for (const op of ['+', '-', '*', '/', '//', '%', '**', '~']) assert.deepEqual(ex(`a ${op} b`), bin(op, nm('a'), nm('b')));
    assert.deepEqual(ex('a and b'), bin('and', nm('a'), nm('b')));
    assert.deepEqual(ex('a or b'), bin('or', nm('a'), nm('b')));
  });

  it('parses every comparison, in and not in', () => {
    for (const op of ['==', '!=', '<', '<=', '>', '>=']) assert.deepEqual(ex(`a ${op} b`), cmp(nm('a'), [op, nm('b')]));
    assert.deepEqual(ex('a in b'), cmp(nm('a'), ['in', nm('b')]));
    assert.deepEqual(ex('a not in b'), cmp(nm('a'), ['not in', nm('b')]));
  });

  it('parses unary operators', () => {
    assert.deepEqual(ex('not a'), un('not', nm('a')));
    assert.deepEqual(ex('-a'), un('-', nm('a')));
    assert.deepEqual(ex('+a'), un('+', nm('a')));
    assert.deepEqual(ex('- -a'), un('-', un('-', nm('a'))));
    assert.deepEqual(ex('not not a'), un('not', un('not', nm('a'))));
  });

  it('chains comparisons into one node', () => {
    assert.deepEqual(ex('a < b <= c'), cmp(nm('a'), ['<', nm('b')], ['<=', nm('c')]));
    assert.deepEqual(ex('1 < x == y not in z'), cmp(lit(1), ['<', nm('x')], ['==', nm('y')], ['not in', nm('z')]));
  });

  it('is left-associative for + - * / // % ~ and or', () => {
    assert.deepEqual(ex('a - b - c'), bin('-', bin('-', nm('a'), nm('b')), nm('c')));
    assert.deepEqual(ex('a / b * c'), bin('*', bin('/', nm('a'), nm('b')), nm('c')));
    assert.deepEqual(ex('a ~ b ~ c'), bin('~', bin('~', nm('a'), nm('b')), nm('c')));
    assert.deepEqual(ex('a or b or c'), bin('or', bin('or', nm('a'), nm('b')), nm('c')));
  });

  it('is right-associative for **', () => {
    assert.deepEqual(ex('a ** b ** c'), bin('**', nm('a'), bin('**', nm('b'), nm('c'))));
  });

  it('binds ** tighter than a sign on its left, like Python: -2**2 is -(2**2)', () => {
    assert.deepEqual(ex('-2**2'), un('-', bin('**', lit(2), lit(2))));
    assert.deepEqual(ex('2**-1'), bin('**', lit(2), un('-', lit(1))));
  });

  it('orders the levels: or < and < not < comparison < ~ < + - < * / // % < sign', () => {
    assert.deepEqual(ex('a or b and c'), bin('or', nm('a'), bin('and', nm('b'), nm('c'))));
    assert.deepEqual(ex('not a and b'), bin('and', un('not', nm('a')), nm('b')));
    assert.deepEqual(ex('not a == b'), un('not', cmp(nm('a'), ['==', nm('b')])));
    assert.deepEqual(ex('a ~ b == c'), cmp(bin('~', nm('a'), nm('b')), ['==', nm('c')]));
    assert.deepEqual(ex('a ~ b + c'), bin('~', nm('a'), bin('+', nm('b'), nm('c'))));
    assert.deepEqual(ex('a + b * c'), bin('+', nm('a'), bin('*', nm('b'), nm('c'))));
    assert.deepEqual(ex('a * -b'), bin('*', nm('a'), un('-', nm('b'))));
    assert.deepEqual(ex('-a * b'), bin('*', un('-', nm('a')), nm('b')));
    assert.deepEqual(ex('a * b ** c'), bin('*', nm('a'), bin('**', nm('b'), nm('c'))));
    assert.deepEqual(ex('a // b % c'), bin('%', bin('//', nm('a'), nm('b')), nm('c')));
    assert.deepEqual(ex('-a.b'), un('-', attr(nm('a'), 'b')));
  });

  it('lets parentheses override precedence', () => {
    assert.deepEqual(ex('(a + b) * c'), bin('*', bin('+', nm('a'), nm('b')), nm('c')));
    assert.deepEqual(ex('(-2)**2'), bin('**', un('-', lit(2)), lit(2)));
    assert.deepEqual(ex('(a or b) and c'), bin('and', bin('or', nm('a'), nm('b')), nm('c')));
  });

  it('parses the conditional at the lowest level, else optional and nestable', () => {
    assert.deepEqual(ex('a if b else c'), cond(nm('a'), nm('b'), nm('c')));
    assert.deepEqual(ex('a if b'), cond(nm('a'), nm('b')));
    assert.deepEqual(ex('a or b if c or d else e'), cond(bin('or', nm('a'), nm('b')), bin('or', nm('c'), nm('d')), nm('e')));
    assert.deepEqual(ex('a if b else c if d else e'), cond(nm('a'), nm('b'), cond(nm('c'), nm('d'), nm('e'))));
  });
});

describe('parser: expression positions', () => {
  it('gives every node the line and column of its first character', () => {
    assert.deepEqual(parseExpression('a.b + f(1)'), {
      kind: 'binary', op: '+', line: 1, col: 1,
      left: { kind: 'getattr', attr: 'b', line: 1, col: 1, object: { kind: 'name', name: 'a', line: 1, col: 1 } },
      right: { kind: 'call', line: 1, col: 7, callee: { kind: 'name', name: 'f', line: 1, col: 7 }, args: [{ kind: 'literal', value: 1, line: 1, col: 9 }], kwargs: [] },
    });
  });

  it('starts a node at its opening parenthesis', () => {
    const e = parseExpression('(a + b) * c') as A.BinaryExpr;
    assert.deepEqual([e.line, e.col], [1, 1]);
    assert.deepEqual([e.left.line, e.left.col], [1, 2]);
    const f = parseExpression(' (x)|upper') as A.FilterExpr;
    assert.deepEqual([f.line, f.col, f.value.col], [1, 2, 3]);
  });

  it('positions unary operators at the operator', () => {
    const e = parseExpression('x * -y') as A.BinaryExpr;
    assert.deepEqual([e.right.line, e.right.col], [1, 5]);
  });

  it('tracks lines inside multi-line tags', () => {
    const ast = parseTemplate('t', '<p>\n{{ a\n  ~ b|upper }}</p>');
    assert.deepEqual(ast.body[1], {
      kind: 'output', line: 2, col: 1,
      expr: {
        kind: 'binary', op: '~', line: 2, col: 4,
        left: { kind: 'name', name: 'a', line: 2, col: 4 },
        right: { kind: 'filter', name: 'upper', args: [], kwargs: [], line: 3, col: 5, value: { kind: 'name', name: 'b', line: 3, col: 5 } },
      },
    });
  });
});

// -- statements -------------------------------------------------------------------------------

describe('parser: text, outputs, comments, raw', () => {
  it('parses text and outputs', () => {
    assert.deepEqual(parseTemplate('t', 'Hi {{ name }}!'), {
      name: 't',
      body: [
        { kind: 'text', value: 'Hi ', raw: false, line: 1, col: 1 },
        { kind: 'output', expr: { kind: 'name', name: 'name', line: 1, col: 7 }, line: 1, col: 4 },
        { kind: 'text', value: '!', raw: false, line: 1, col: 14 },
      ],
    });
  });

  it('parses an empty template', () => {
    assert.deepEqual(parseTemplate('t', ''), { name: 't', body: [] });
  });

  it('drops comments and merges the text around them into one node', () => {
    assert.deepEqual(parseTemplate('t', 'a{# one #}b{# two #}c').body, [{ kind: 'text', value: 'abc', raw: false, line: 1, col: 1 }]);
  });

  it('emits raw content as a raw text node, not merged with plain text', () => {
    assert.deepEqual(parseTemplate('t', 'a{% raw %}{{ x }}{% endraw %}b').body, [
      { kind: 'text', value: 'a', raw: false, line: 1, col: 1 },
      { kind: 'text', value: '{{ x }}', raw: true, line: 1, col: 11 },
      { kind: 'text', value: 'b', raw: false, line: 1, col: 30 },
    ]);
  });

  it('merges adjacent raw blocks', () => {
    assert.deepEqual(tpl('{% raw %}{{a}}{% endraw %}{% raw %}{{b}}{% endraw %}'), [text('{{a}}{{b}}', true)]);
  });
});

describe('parser: if', () => {
  it('parses if/elif/else', () => {
    assert.deepEqual(tpl('{% if a %}A{% elif b %}B{% elif c %}C{% else %}D{% endif %}'), [
      { kind: 'if', branches: [{ test: nm('a'), body: [text('A')] }, { test: nm('b'), body: [text('B')] }, { test: nm('c'), body: [text('C')] }], otherwise: [text('D')] },
    ]);
  });

  it('parses a bare if with otherwise null', () => {
    assert.deepEqual(tpl('{% if a %}A{% endif %}'), [{ kind: 'if', branches: [{ test: nm('a'), body: [text('A')] }], otherwise: null }]);
  });

  it('positions statements at their {% and nested nodes on their own lines', () => {
    assert.deepEqual(parseTemplate('t', 'x\n  {% if a %}\n  {{ b }}\n{% endif %}').body[1], {
      kind: 'if', line: 2, col: 3, otherwise: null,
      branches: [{
        test: { kind: 'name', name: 'a', line: 2, col: 9 },
        body: [
          { kind: 'text', value: '  ', raw: false, line: 3, col: 1 },
          { kind: 'output', expr: { kind: 'name', name: 'b', line: 3, col: 6 }, line: 3, col: 3 },
          { kind: 'text', value: '\n', raw: false, line: 3, col: 10 },
        ],
      }],
    });
  });
});

describe('parser: for', () => {
  it('parses one target', () => {
    assert.deepEqual(tpl('{% for x in xs %}{{ x }}{% endfor %}'), [{ kind: 'for', targets: ['x'], iter: nm('xs'), filter: null, body: [out(nm('x'))], otherwise: null }]);
  });

  it('parses two targets, a filter, an if filter and else', () => {
    assert.deepEqual(tpl('{% for k, v in d|items if v %}{{ k }}{% else %}none{% endfor %}'), [
      { kind: 'for', targets: ['k', 'v'], iter: flt(nm('d'), 'items'), filter: nm('v'), body: [out(nm('k'))], otherwise: [text('none')] },
    ]);
  });

  it('takes a conditional in the loop filter', () => {
    assert.deepEqual(tpl('{% for x in xs if a if b else c %}{% endfor %}'), [
      { kind: 'for', targets: ['x'], iter: nm('xs'), filter: cond(nm('a'), nm('b'), nm('c')), body: [], otherwise: null },
    ]);
  });

  it('sees loop as an ordinary name', () => {
    assert.deepEqual(tpl('{% for x in xs %}{{ loop.index }}{% endfor %}'), [
      { kind: 'for', targets: ['x'], iter: nm('xs'), filter: null, body: [out(attr(nm('loop'), 'index'))], otherwise: null },
    ]);
  });
});

describe('parser: set and with', () => {
  it('parses set with one and several targets', () => {
    assert.deepEqual(tpl('{% set x = 1 %}{% set a, b = pair %}'), [
      { kind: 'set', targets: ['x'], value: lit(1) },
      { kind: 'set', targets: ['a', 'b'], value: nm('pair') },
    ]);
  });

  it('parses a bare tuple on the right of set as a list', () => {
    assert.deepEqual(tpl('{% set a, b = 1, 2 %}'), [{ kind: 'set', targets: ['a', 'b'], value: list(lit(1), lit(2)) }]);
  });

  it('parses block set', () => {
    assert.deepEqual(tpl('{% set nav %}<a>{{ x }}</a>{% endset %}'), [{ kind: 'setblock', target: 'nav', body: [text('<a>'), out(nm('x')), text('</a>')] }]);
  });

  it('parses with, with and without assignments', () => {
    assert.deepEqual(tpl('{% with a = 1, b = x.y %}{{ a }}{% endwith %}{% with %}{% endwith %}'), [
      { kind: 'with', assignments: [{ name: 'a', value: lit(1) }, { name: 'b', value: attr(nm('x'), 'y') }], body: [out(nm('a'))] },
      { kind: 'with', assignments: [], body: [] },
    ]);
  });
});

describe('parser: inheritance and includes', () => {
  it('parses extends and blocks, with an optional matching name on endblock', () => {
    assert.deepEqual(tpl('{% extends "base.html" %}{% block title %}T{% endblock %}{% block body %}{{ super() }}{% endblock body %}'), [
      { kind: 'extends', template: 'base.html' },
      { kind: 'block', name: 'title', body: [text('T')] },
      { kind: 'block', name: 'body', body: [out(call(nm('super')))] },
    ]);
  });

  it('allows whitespace and comments before extends', () => {
    assert.deepEqual(tpl('{# child #}\n  \n{% extends "base.html" %}'), [text('  \n'), { kind: 'extends', template: 'base.html' }]);
  });

  it('parses nested blocks', () => {
    assert.deepEqual(tpl('{% block a %}{% block b %}x{% endblock %}{% endblock %}'), [
      { kind: 'block', name: 'a', body: [{ kind: 'block', name: 'b', body: [text('x')] }] },
    ]);
  });

  it('parses include in all its forms', () => {
    assert.deepEqual(tpl('{% include "a.html" %}{% include "b.html" ignore missing %}{% include "c.html" without context %}{% include "d.html" ignore missing with context %}'), [
      { kind: 'include', template: 'a.html', withContext: true, ignoreMissing: false },
      { kind: 'include', template: 'b.html', withContext: true, ignoreMissing: true },
      { kind: 'include', template: 'c.html', withContext: false, ignoreMissing: false },
      { kind: 'include', template: 'd.html', withContext: true, ignoreMissing: true },
    ]);
  });
});

describe('parser: macros, call, import', () => {
  it('parses macros with parameters and defaults', () => {
    assert.deepEqual(tpl('{% macro input(name, type="text", size=20) %}<input name="{{ name }}">{% endmacro %}{% macro none_() %}{% endmacro %}'), [
      {
        kind: 'macro', name: 'input',
        params: [{ name: 'name', default: null }, { name: 'type', default: lit('text') }, { name: 'size', default: lit(20) }],
        body: [text('<input name="'), out(nm('name')), text('">')],
      },
      { kind: 'macro', name: 'none_', params: [], body: [] },
    ]);
  });

  it('parses call blocks, with and without caller parameters', () => {
    assert.deepEqual(tpl('{% call render(x, title="T") %}body{% endcall %}{% call(item, i=0) list(items) %}{{ item }}{% endcall %}'), [
      { kind: 'callblock', call: call(nm('render'), [nm('x')], [{ name: 'title', value: lit('T') }]), params: [], body: [text('body')] },
      { kind: 'callblock', call: call(nm('list'), [nm('items')]), params: [{ name: 'item', default: null }, { name: 'i', default: lit(0) }], body: [out(nm('item'))] },
    ]);
  });

  it('parses import and from-import', () => {
    assert.deepEqual(tpl('{% import "forms.html" as forms %}{% from "forms.html" import input, textarea as ta %}'), [
      { kind: 'import', template: 'forms.html', alias: 'forms' },
      { kind: 'fromimport', template: 'forms.html', names: [{ name: 'input', alias: 'input' }, { name: 'textarea', alias: 'ta' }] },
    ]);
  });

  it('positions every statement at its {%', () => {
    const body = parseTemplate('t', '{% import "f" as f %}\n  {% set x = 1 %}\n{% include "i" %}').body;
    assert.deepEqual(body.map((n) => [n.kind, n.line, n.col]), [['import', 1, 1], ['set', 2, 3], ['include', 3, 1]]);
  });
});

// -- whitespace: exact output -------------------------------------------------------------------

describe('parser: whitespace control, exact output', () => {
  it('a loop on its own lines leaves no blank lines or stray indentation (trim + lstrip)', () => {
    const src = '<ul>\n  {% for x in xs %}\n  <li>{{ x }}</li>\n  {% endfor %}\n</ul>\n';
    assert.equal(render(src, { xs: ['a', 'b'] }), '<ul>\n  <li>a</li>\n  <li>b</li>\n</ul>\n');
  });

  it('an if on its own lines disappears whether true or false', () => {
    const src = '<p>\n    {% if show %}\n    shown\n    {% endif %}\n</p>';
    assert.equal(render(src, { show: true }), '<p>\n    shown\n</p>');
    assert.equal(render(src, { show: false }), '<p>\n</p>');
  });

  it('inline tags keep the surrounding text as written', () => {
    assert.equal(render('<b>{% if a %} yes {% else %} no {% endif %}</b>', { a: false }), '<b> no </b>');
  });

  it('only one newline is trimmed after a tag', () => {
    assert.equal(render('{% if a %}\n\nx{% endif %}', { a: true }), '\nx');
  });

  it('outputs keep their newline', () => {
    assert.equal(render('{{ a }}\n{{ b }}\n', { a: 1, b: 2 }), '1\n2\n');
  });

  it('- markers strip all whitespace, newlines included', () => {
    assert.equal(render('<a>\n  {%- if a -%}\n  x\n  {%- endif -%}\n</a>', { a: true }), '<a>x</a>');
    assert.equal(render('<a>  {{- v -}}  </a>', { v: 'v' }), '<a>v</a>');
    assert.equal(render('a  {#- c -#}\n\n  b'), 'ab');
  });

  it('- on one side only strips that side', () => {
    assert.equal(render('a  {{- v }}  b', { v: 'V' }), 'aV  b');
    assert.equal(render('a  {{ v -}}  b', { v: 'V' }), 'a  Vb');
  });

  it('a comment line leaves nothing behind', () => {
    assert.equal(render('a\n  {# note #}\nb'), 'a\nb');
  });

  it('+ markers keep indentation and the newline', () => {
    assert.equal(render('a\n  {%+ if x +%}\nb{% endif %}', { x: true }), 'a\n  \nb');
  });

  it('raw content on its own lines loses only the tag lines', () => {
    assert.equal(render('<pre>\n  {% raw %}\n  {{ x }}\n  {% endraw %}\n</pre>'), '<pre>\n  {{ x }}\n</pre>');
  });

  it('CRLF line endings are trimmed the same way', () => {
    assert.equal(render('<ul>\r\n  {% for x in xs %}\r\n  <li>{{ x }}</li>\r\n  {% endfor %}\r\n</ul>', { xs: [1] }), '<ul>\r\n  <li>1</li>\r\n</ul>');
  });

  it('for/else on their own lines', () => {
    const src = '{% for x in xs %}\n{{ x }}\n{% else %}\nempty\n{% endfor %}\n';
    assert.equal(render(src, { xs: [] }), 'empty\n');
    assert.equal(render(src, { xs: [1, 2] }), '1\n2\n');
  });
});

// -- errors ---------------------------------------------------------------------------------------

describe('parser: syntax errors', () => {
  it('unknown tag, naming it and the known tags', () => {
    syntaxError('a\n{% csrf_token %}', 2, 4, 'unknown tag {% csrf_token %}; known tags are: block, call, extends, for, from, if, import, include, macro, raw, set, with');
  });

  it('unclosed if, pointing at the opening tag', () => {
    syntaxError('<p>\n  {% if a %}\n  x\n', 2, 3, 'unclosed {% if %} opened here; close it with {% endif %}');
  });

  it('unclosed for, even after its else', () => {
    syntaxError('{% for x in xs %}{% else %}', 1, 1, 'unclosed {% for %} opened here; close it with {% endfor %}');
  });

  it('unclosed block, macro, set, with and call', () => {
    syntaxError('{% block a %}', 1, 1, 'unclosed {% block %} opened here; close it with {% endblock %}');
    syntaxError('{% macro m() %}', 1, 1, 'unclosed {% macro %} opened here; close it with {% endmacro %}');
    syntaxError('{% set x %}', 1, 1, 'unclosed {% set %} opened here; close it with {% endset %}');
    syntaxError('{% with %}', 1, 1, 'unclosed {% with %} opened here; close it with {% endwith %}');
    syntaxError('{% call m() %}', 1, 1, 'unclosed {% call %} opened here; close it with {% endcall %}');
  });

  it('stray endif', () => {
    syntaxError('a {% endif %}', 1, 6, 'unexpected {% endif %}: there is no open {% if %} to close');
  });

  it('stray else and endraw', () => {
    syntaxError('{% else %}', 1, 4, 'unexpected {% else %}: there is no open {% if %} or {% for %} to continue');
    syntaxError('{% endraw %}', 1, 4, 'unexpected {% endraw %}: there is no open {% raw %} to close');
  });

  it('mismatched end tag inside another block', () => {
    syntaxError('{% for x in xs %}\n{% if x %}\n{% endfor %}', 3, 4, 'unexpected {% endfor %}; expected {% elif %}, {% else %} or {% endif %} for the {% if %} opened at line 2, column 1');
  });

  it('elif after else', () => {
    syntaxError('{% if a %}{% else %}{% elif b %}{% endif %}', 1, 24, 'unexpected {% elif %}; expected {% endif %} for the {% if %} opened at line 1, column 1');
  });

  it('endblock naming another block', () => {
    syntaxError('{% block a %}\n{% endblock b %}', 2, 13, '{% endblock b %} does not match {% block a %} opened at line 1, column 1');
  });

  it('block defined twice', () => {
    syntaxError('{% block a %}{% endblock %}\n{% block a %}{% endblock %}', 2, 10, "block 'a' is defined twice; the first is at line 1, column 10");
  });

  it('extends after content', () => {
    syntaxError('hello\n{% extends "base.html" %}', 2, 4, '{% extends %} must be the first tag of the template, before any text, output or other tag');
  });

  it('extends inside a block', () => {
    syntaxError('{% if a %}{% extends "b.html" %}{% endif %}', 1, 14, '{% extends %} must be the first tag of the template, before any text, output or other tag');
  });

  it('a second extends', () => {
    syntaxError('{% extends "a.html" %}\n{% extends "b.html" %}', 2, 4, 'a template can extend only one parent; {% extends %} already appears at line 1, column 1');
  });

  it('extends with a variable name', () => {
    syntaxError('{% extends layout %}', 1, 12, '{% extends %} takes a template name as a string literal, such as {% extends "page.html" %}; found \'layout\'');
  });

  it('include with an unknown option', () => {
    syntaxError('{% include "a.html" with foo %}', 1, 26, "expected 'context' after 'with' in {% include %}, found 'foo'");
  });

  it('for without in', () => {
    syntaxError('{% for x of xs %}{% endfor %}', 1, 10, "expected 'in' after the loop variables, as in {% for item in items %}, found 'of'");
  });

  it('assignment to a reserved word', () => {
    syntaxError('{% set true = 1 %}', 1, 8, "'true' is a reserved word and cannot be used as a variable name");
  });

  it('set with neither = nor a block', () => {
    syntaxError('{% set x 1 %}', 1, 10, "expected '=' or '%}' after {% set x, found '1'");
  });

  it('block set with two names', () => {
    syntaxError('{% set a, b %}{% endset %}', 1, 8, 'block {% set %}…{% endset %} assigns to exactly one name');
  });

  it('macro parameters: missing parenthesis, duplicate, default order', () => {
    syntaxError('{% macro m %}{% endmacro %}', 1, 12, "expected '(' after the macro name, as in {% macro m(a, b=1) %}; found '%}'");
    syntaxError('{% macro m(a, a) %}{% endmacro %}', 1, 15, "parameter 'a' is declared twice");
    syntaxError('{% macro m(a=1, b) %}{% endmacro %}', 1, 17, "parameter 'b' needs a default value because an earlier parameter has one");
  });

  it('call block without a call', () => {
    syntaxError('{% call render %}{% endcall %}', 1, 9, '{% call %} expects a macro call, as in {% call render(item) %}');
  });

  it('extra tokens after an end tag', () => {
    syntaxError('{% if a %}{% endif a %}', 1, 20, "expected '%}' to end {% endif %}, found 'a'");
  });

  it('empty tag and empty output', () => {
    syntaxError('{% %}', 1, 4, "expected a tag name after '{%', found '%}'");
    syntaxError('{{ }}', 1, 4, "expected an expression, found '}}'");
  });

  it('unbalanced parenthesis, pointing at the tag end', () => {
    syntaxError('{{ f(a, b }}', 1, 11, "expected ')' to close the argument list opened at line 1, column 5, found '}}'");
    syntaxError('{{ (a + b }}', 1, 11, "expected ')' to close the '(' at line 1, column 4, found '}}'");
  });

  it('dangling operator', () => {
    syntaxError('<p>{{ a + }}</p>', 1, 11, "expected an expression, found '}}'");
  });

  it('extra tokens in an output', () => {
    syntaxError('{{ a b }}', 1, 6, "expected '}}' to end the output, found 'b'");
  });

  it('keyword as a value', () => {
    syntaxError('{{ a and or }}', 1, 10, "expected an expression, found 'or'");
  });

  it('missing filter or test name', () => {
    syntaxError('{{ a| }}', 1, 7, "expected a filter name after '|', found '}}'");
    syntaxError('{{ a is 3 }}', 1, 9, "expected a test name after 'is', as in 'x is defined'; found '3'");
  });

  it('bad call arguments', () => {
    syntaxError('{{ f(a=1, b) }}', 1, 11, 'a positional argument cannot follow keyword arguments');
    syntaxError('{{ f(a=1, a=2) }}', 1, 11, "keyword argument 'a' is given twice");
  });

  it('bad dict keys', () => {
    syntaxError('{{ {1: 2} }}', 1, 5, "dict keys must be strings or names, found '1'");
    syntaxError('{{ {"a": 1, a: 2} }}', 1, 13, "duplicate dict key 'a'");
  });

  it('slice with a step', () => {
    syntaxError('{{ s[1:2:3] }}', 1, 9, 'slice steps (a[x:y:step]) are not supported; use the slice or reverse filters');
  });

  it('raw with arguments', () => {
    syntaxError('{% raw x %}', 1, 8, '{% raw %} takes no arguments; write {% raw %}…{% endraw %}');
  });

  it('lexer errors surface through parseTemplate with the same location', () => {
    syntaxError('ok\n{{ "abc }}', 2, 4, 'unterminated string literal');
  });

  it('reports the first error in source order', () => {
    syntaxError('{% endif %}{{ "unterminated', 1, 4, 'unexpected {% endif %}: there is no open {% if %} to close');
  });

  it('shows the line and a caret in the message', () => {
    assert.throws(() => parseTemplate('page.html', '<h1>\n  {{ user.name | }}\n</h1>'), {
      message: "expected a filter name after '|', found '}}' (page.html, line 2, column 18)\n    {{ user.name | }}\n                   ^",
    });
  });

  it('treats Object.prototype names as ordinary names and unknown tags', () => {
    assert.deepEqual(ex('constructor.toString'), attr(nm('constructor'), 'toString'));
    assert.deepEqual(ex('{__proto__: 1}'), dict(['__proto__', lit(1)]));
    syntaxError('{% toString %}', 1, 4, 'unknown tag {% toString %}; known tags are: block, call, extends, for, from, if, import, include, macro, raw, set, with');
    syntaxError('{% __proto__ %}', 1, 4, 'unknown tag {% __proto__ %}; known tags are: block, call, extends, for, from, if, import, include, macro, raw, set, with');
  });

  it('parseExpression reports trailing tokens', () => {
    syntaxError('', 1, 3, "unexpected ')' after the expression", () => parseExpression('a )', 't.html'));
  });
});

describe('parser: limits', () => {
  const depth = MAX_NESTING_DEPTH;

  it(`accepts ${depth} nested parentheses and refuses one more`, () => {
    assert.deepEqual(ex('('.repeat(depth) + 'x' + ')'.repeat(depth)), nm('x'));
    syntaxError('', 1, depth + 1, `expression is nested more than ${depth} levels deep`, () => parseExpression('('.repeat(depth + 1) + 'x' + ')'.repeat(depth + 1), 't.html'));
  });

  it('refuses deep nesting of lists, signs, not and ** without overflowing the stack', () => {
    for (const src of ['['.repeat(100_000), '-'.repeat(100_000) + '1', 'not '.repeat(100_000) + 'a', '2' + '**2'.repeat(100_000), 'f' + '('.repeat(100_000)]) {
      assert.throws(() => parseExpression(src), (err: unknown) => err instanceof TemplateSyntaxError && err.message.startsWith(`expression is nested more than ${depth} levels deep`));
    }
  });

  it('refuses a flat chain that would build a tree deeper than the limit', () => {
    assert.doesNotThrow(() => parseExpression('a' + ' + a'.repeat(depth - 1)));
    syntaxError('', 1, 4 * depth + 1, `expression is nested more than ${depth} levels deep; split it with {% set %}`, () => parseExpression('a' + ' + a'.repeat(depth), 't.html'));
    assert.throws(() => parseExpression('a' + '.b'.repeat(100_000)), TemplateSyntaxError);
  });

  it(`accepts ${depth} nested blocks and refuses one more`, () => {
    assert.doesNotThrow(() => parseTemplate('t', '{% if a %}'.repeat(depth) + '{% endif %}'.repeat(depth)));
    syntaxError('{% if a %}'.repeat(depth + 1), 1, 10 * depth + 1, `blocks are nested more than ${depth} levels deep`);
  });

  it('parses a large flat template in linear time', () => {
    const src = '<li>{{ row.id }}: {{ row.message|upper }}</li>{% if row.a %}x{% endif %}\n'.repeat(20_000);
    assert.equal(parseTemplate('t', src).body.length, 20_000 * 6);
    assertLinear('flat template', (n) => '<li>{{ row.id }}: {{ row.message|upper }}</li>{% if row.a %}x{% endif %}\n'.repeat(n), (s) => parseTemplate('t', s), 20_000);
  });

  it('parses big literals in linear time', () => {
    const list = (n: number, f: (i: number) => string): string => Array.from({ length: n }, (_, i) => f(i)).join(', ');
    assertLinear('dict literal', (n) => '{' + list(n, (i) => `k${i}: ${i}`) + '}', (s) => parseExpression(s), 50_000);
    assertLinear('call arguments', (n) => 'f(' + list(n, (i) => `k${i}=${i}`) + ')', (s) => parseExpression(s), 50_000);
    assertLinear('macro parameters', (n) => '{% macro m(' + list(n, (i) => `p${i}=1`) + ') %}{% endmacro %}', (s) => parseTemplate('t', s), 50_000);
  });
});
