import { test } from 'node:test';
import assert from 'node:assert/strict';
import { html, isSafeHtml, SafeHtml, trustedHtml } from '../http/html.js';
import { BUILTIN_FILTERS, getAttr } from './filters.js';
import { Undefined } from './undefined.js';
import { assertLinear } from '../../tests/helpers/linear.ts';

function f(name: string, value: unknown, ...args: unknown[]): unknown {
  const def = BUILTIN_FILTERS[name];
  if (def === undefined) throw new Error(`no filter ${name}`);
  return def.fn(value, ...args);
}

function fails(name: string, value: unknown, args: unknown[], message: string): void {
  assert.throws(() => f(name, value, ...args), (err: unknown) => {
    assert.ok(err instanceof TypeError, `expected a TypeError, got ${String(err)}`);
    assert.equal(err.message, message);
    return true;
  });
}

function safe(v: unknown): string {
  assert.ok(isSafeHtml(v), `expected SafeHtml, got ${typeof v}: ${String(v)}`);
  return v.toString();
}

function plain(v: unknown): string {
  assert.equal(typeof v, 'string', `expected a plain string, got ${String(v)}`);
  return v as string;
}

const U = new Undefined('missing');

// ---------------------------------------------------------------------------------------------
// The table
// ---------------------------------------------------------------------------------------------

test('the table has every filter of the brief, aliases share definitions, and no safe', () => {
  const expected = [
    'escape', 'e', 'upper', 'lower', 'title', 'capitalize', 'length', 'count', 'default', 'd', 'join', 'first', 'last',
    'sort', 'reverse', 'slice', 'batch', 'truncate', 'wordcount', 'replace', 'trim', 'urlencode', 'date', 'json', 'tojson',
    'round', 'abs', 'int', 'float', 'pluralize', 'linebreaks', 'linebreaksbr', 'striptags', 'wordwrap', 'center', 'indent',
    'list', 'string', 'items', 'dictsort', 'unique', 'min', 'max', 'sum', 'map', 'select', 'reject', 'selectattr',
    'rejectattr', 'groupby', 'attr', 'filesizeformat', 'format', 'sanitize',
  ];
  for (const name of expected) assert.equal(typeof BUILTIN_FILTERS[name]?.fn, 'function', name);
  assert.deepEqual(Object.keys(BUILTIN_FILTERS).sort(), [...expected].sort());
  assert.equal(BUILTIN_FILTERS.safe, undefined);
  assert.equal(BUILTIN_FILTERS.e, BUILTIN_FILTERS.escape);
  assert.equal(BUILTIN_FILTERS.d, BUILTIN_FILTERS.default);
  assert.equal(BUILTIN_FILTERS.count, BUILTIN_FILTERS.length);
  assert.equal(BUILTIN_FILTERS.tojson, BUILTIN_FILTERS.json);
  assert.ok(Object.isFrozen(BUILTIN_FILTERS));
  assert.equal(Object.getPrototypeOf(BUILTIN_FILTERS), null);
  assert.equal(BUILTIN_FILTERS['constructor'], undefined);
  assert.equal(BUILTIN_FILTERS['toString'], undefined);
});

test('params name the positional arguments for keyword mapping', () => {
  assert.deepEqual(BUILTIN_FILTERS.truncate!.params, ['length', 'killwords', 'end', 'leeway']);
  assert.deepEqual(BUILTIN_FILTERS.default!.params, ['default_value', 'boolean']);
  assert.deepEqual(BUILTIN_FILTERS.sort!.params, ['reverse', 'case_sensitive', 'attribute']);
  assert.deepEqual(BUILTIN_FILTERS.join!.params, ['d', 'attribute']);
  assert.deepEqual(BUILTIN_FILTERS.round!.params, ['precision', 'method']);
  assert.deepEqual(BUILTIN_FILTERS.date!.params, ['format', 'timezone']);
  assert.deepEqual(BUILTIN_FILTERS.upper!.params, []);
  assert.equal(BUILTIN_FILTERS.format!.variadic, true);
  assert.equal(BUILTIN_FILTERS.select!.variadic, true);
  assert.equal(BUILTIN_FILTERS.upper!.variadic, false);
});

test('too many arguments are refused with the count', () => {
  fails('upper', 'a', [1], 'upper: takes at most 0 arguments, got 1');
  fails('center', 'a', [1, 2], 'center: takes at most 1 argument, got 2');
  fails('truncate', 'a', [1, 2, 3, 4, 5], 'truncate: takes at most 4 arguments, got 5');
});

test('an Undefined value or argument acts as undefined', () => {
  assert.equal(f('default', U, 'x'), 'x');
  assert.equal(f('length', U), 0);
  assert.equal(f('upper', U), '');
  assert.equal(f('join', U), '');
  assert.deepEqual(f('list', U), []);
  assert.equal(f('json', U), 'null');
  assert.equal(f('truncate', 'abcdef', U), 'abcdef'); // default length 255
  assert.equal((f('center', 'a', U) as string).length, 80);
});

// ---------------------------------------------------------------------------------------------
// getAttr
// ---------------------------------------------------------------------------------------------

test('getAttr reads own properties, Map keys and list indexes', () => {
  assert.equal(getAttr({ a: 1 }, 'a'), 1);
  assert.equal(getAttr({ a: 1 }, 'b'), undefined);
  assert.equal(getAttr(new Map([['a', 2]]), 'a'), 2);
  assert.equal(getAttr(new Map([[1, 'one']]), 1), 'one');
  assert.equal(getAttr(new Map([['toString', 3]]), 'toString'), 3);
  assert.equal(getAttr(new Map(), 'size'), undefined);
  assert.equal(getAttr(['a', 'b', 'c'], 0), 'a');
  assert.equal(getAttr(['a', 'b', 'c'], '1'), 'b');
  assert.equal(getAttr(['a', 'b', 'c'], -1), 'c');
  assert.equal(getAttr(['a', 'b', 'c'], '-3'), 'a');
  assert.equal(getAttr(['a', 'b', 'c'], 3), undefined);
  assert.equal(getAttr(['a', 'b', 'c'], -4), undefined);
  assert.equal(getAttr(['a', 'b', 'c'], 'length'), 3);
  assert.equal(getAttr('abc', 1), 'b');
  assert.equal(getAttr('abc', 'length'), 3);
  assert.equal(getAttr('abc', 'toUpperCase'), undefined);
  assert.equal(getAttr(Object.assign(Object.create(null) as object, { x: 5 }), 'x'), 5);
});

test('getAttr returns undefined for missing bases and non-objects', () => {
  assert.equal(getAttr(null, 'a'), undefined);
  assert.equal(getAttr(undefined, 'a'), undefined);
  assert.equal(getAttr(U, 'a'), undefined);
  assert.equal(getAttr(5, 'toFixed'), undefined);
  assert.equal(getAttr(true, 'valueOf'), undefined);
  assert.equal(getAttr(() => 1, 'name'), undefined);
  assert.equal(getAttr(() => 1, 'call'), undefined);
});

test('getAttr never reaches prototypes or built-in methods', () => {
  for (const name of ['__proto__', 'constructor', 'prototype']) {
    for (const obj of [{}, [], new Map(), 'x', null, { [name]: 1 }]) {
      assert.throws(() => getAttr(obj, name), { name: 'TypeError', message: `"${name}" cannot be read from a template value` });
    }
  }
  for (const name of ['toString', 'valueOf', 'hasOwnProperty', '__defineGetter__', '__lookupGetter__', 'isPrototypeOf']) {
    assert.equal(getAttr({}, name), undefined, name);
  }
  assert.equal(getAttr([], 'map'), undefined);
  assert.equal(getAttr([], 'push'), undefined);
  assert.equal(getAttr(new Date(0), 'getTime'), undefined);
  assert.equal(getAttr(html`x`, 'toString'), undefined);
});

test('getAttr reads getters of application classes but not their methods', () => {
  class User {
    first = 'Ada';
    last = 'Lovelace';
    get full(): string {
      return `${this.first} ${this.last}`;
    }
    shout(): string {
      return 'no';
    }
  }
  class Admin extends User {
    get role(): string {
      return 'admin';
    }
  }
  const u = new Admin();
  assert.equal(getAttr(u, 'first'), 'Ada');
  assert.equal(getAttr(u, 'full'), 'Ada Lovelace');
  assert.equal(getAttr(u, 'role'), 'admin');
  assert.equal(getAttr(u, 'shout'), undefined);
  assert.equal(getAttr({ fn: () => 7 }, 'fn') instanceof Function, true); // own data, even a function
  assert.equal(getAttr(new Map([[1, 2]]), 'size'), undefined); // Map.prototype getter is not data
});

// ---------------------------------------------------------------------------------------------
// escape and text case
// ---------------------------------------------------------------------------------------------

test('escape returns SafeHtml of the escaped text and keeps SafeHtml as is', () => {
  assert.equal(safe(f('escape', '<script>alert("x")</script> & \'')), '&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;');
  assert.equal(safe(f('e', '<b>')), '&lt;b&gt;');
  const s = html`<b>${'x'}</b>`;
  assert.equal(f('escape', s), s);
  assert.equal(safe(f('escape', 42)), '42');
  assert.equal(safe(f('escape', null)), '');
  assert.equal(safe(f('escape', undefined)), '');
  fails('escape', [1], [], 'escape: the value must be a string or a number, got list');
  fails('escape', { a: 1 }, [], 'escape: the value must be a string or a number, got object');
});

test('upper, lower, capitalize and title', () => {
  assert.equal(f('upper', 'héllo straße'), 'HÉLLO STRASSE');
  assert.equal(f('lower', 'ÀB C'), 'àb c');
  assert.equal(f('upper', 12), '12');
  assert.equal(f('upper', true), 'TRUE');
  assert.equal(f('capitalize', 'hELLO wORLD'), 'Hello world');
  assert.equal(f('capitalize', ''), '');
  assert.equal(f('capitalize', '𝒶bc'), '𝒶bc');
  assert.equal(f('title', "hello wORLD it's a-b (c) [d] <e> {f}"), "Hello World It's A-B (C) [D] <E> {F}");
  assert.equal(f('title', '  two  spaces\tand\ttabs'), '  Two  Spaces\tAnd\tTabs');
  fails('upper', [], [], 'upper: the value must be a string or a number, got list');
  fails('title', new Map(), [], 'title: the value must be a string or a number, got Map');
});

test('string filters on SafeHtml work on the markup and return a plain string', () => {
  const s = html`<b>${'x'}</b>`;
  assert.equal(plain(f('upper', s)), '<B>X</B>');
  assert.equal(plain(f('lower', trustedHtml('<I>'))), '<i>');
  assert.equal(plain(f('truncate', trustedHtml('<b>hello</b> world'), 8, true, '')), '<b>hello');
  assert.equal(plain(f('replace', trustedHtml('<a title="x">'), 'title', 'onclick')), '<a onclick="x">');
  assert.equal(plain(f('format', trustedHtml('<a href="%s">'), 'javascript:alert(1)')), '<a href="javascript:alert(1)">');
});

// ---------------------------------------------------------------------------------------------
// length, default
// ---------------------------------------------------------------------------------------------

test('length of strings, lists, Maps, Sets and objects', () => {
  assert.equal(f('length', 'héllo'), 5);
  assert.equal(f('length', '😀😀'), 2); // code points, as in Python
  assert.equal(f('length', [1, 2, 3]), 3);
  assert.equal(f('length', new Map([[1, 2]])), 1);
  assert.equal(f('length', new Set([1, 2, 2])), 2);
  assert.equal(f('length', { a: 1, b: 2 }), 2);
  assert.equal(f('length', trustedHtml('<b>')), 3);
  assert.equal(f('length', undefined), 0);
  assert.equal(f('length', null), 0);
  assert.equal(f('count', 'ab'), 2);
  fails('length', 5, [], 'length: the value must be a string, list, Map, Set or object, got 5');
  fails('length', new Date(0), [], 'length: the value must be a string, list, Map, Set or object, got Date');
});

test('default replaces undefined only, or any falsy value with boolean=true', () => {
  assert.equal(f('default', undefined, 'anon'), 'anon');
  assert.equal(f('default', undefined), '');
  assert.equal(f('d', undefined, 'x'), 'x');
  assert.equal(f('default', 'bob', 'anon'), 'bob');
  assert.equal(f('default', null, 'anon'), null);
  assert.equal(f('default', '', 'anon'), '');
  assert.equal(f('default', 0, 'anon'), 0);
  for (const falsy of ['', 0, null, false, [], {}, new Map(), NaN, trustedHtml('')]) {
    assert.equal(f('default', falsy, 'anon', true), 'anon', String(falsy));
  }
  for (const truthy of ['x', 1, true, [0], { a: 0 }, trustedHtml('x')]) {
    assert.equal(f('default', truthy, 'anon', true), truthy);
  }
  const obj = { a: 1 };
  assert.equal(f('default', undefined, obj), obj);
  fails('default', undefined, ['x', 'yes'], 'default: boolean must be true or false, got "yes"');
});

// ---------------------------------------------------------------------------------------------
// join, first, last, list
// ---------------------------------------------------------------------------------------------

test('join with a separator and an attribute', () => {
  assert.equal(f('join', ['a', 'b', 'c']), 'abc');
  assert.equal(f('join', ['a', 'b', 'c'], ', '), 'a, b, c');
  assert.equal(f('join', [1, 2.5, true, null, undefined], '|'), '1|2.5|true||');
  assert.equal(f('join', [{ n: 'x' }, { n: 'y' }], '-', 'n'), 'x-y');
  assert.equal(f('join', [{ u: { n: 'x' } }, { u: { n: 'y' } }], '-', 'u.n'), 'x-y');
  assert.equal(f('join', 'abc', '.'), 'a.b.c');
  assert.equal(f('join', new Set(['x', 'y']), '+'), 'x+y');
  assert.equal(plain(f('join', ['<a>', '<b>'], '&')), '<a>&<b>');
  fails('join', [[1]], [], 'join: item 0 must be a string or a number, got list');
  fails('join', ['a'], [1], 'join: the separator must be a string, got 1');
  fails('join', 5, [], 'join: the value must be a list or another iterable, got 5');
  fails('join', [{}], ['', 'constructor'], 'join: attribute "constructor" reads "constructor", which templates cannot read');
  fails('join', [{}], ['', 'a.__proto__'], 'join: attribute "a.__proto__" reads "__proto__", which templates cannot read');
  fails('join', [{}], ['', 'a..b'], 'join: attribute "a..b" has an empty segment');
});

test('join escapes plain items when any part is SafeHtml, and returns SafeHtml', () => {
  assert.equal(safe(f('join', [html`<b>${'a'}</b>`, '<i>x</i>'], ', ')), '<b>a</b>, &lt;i&gt;x&lt;/i&gt;');
  assert.equal(safe(f('join', ['<x>', '<y>'], trustedHtml('<br>'))), '&lt;x&gt;<br>&lt;y&gt;');
  assert.equal(safe(f('join', [trustedHtml('<hr>')], '<&>')), '<hr>');
  assert.equal(safe(f('join', [trustedHtml('<hr>'), 'a'], '<&>')), '<hr>&lt;&amp;&gt;a');
});

test('first and last', () => {
  assert.equal(f('first', [1, 2, 3]), 1);
  assert.equal(f('last', [1, 2, 3]), 3);
  assert.equal(f('first', 'héllo'), 'h');
  assert.equal(f('last', 'ab😀'), '😀');
  assert.equal(f('first', '😀b'), '😀');
  assert.equal(f('first', []), undefined);
  assert.equal(f('last', ''), undefined);
  assert.equal(f('first', undefined), undefined);
  assert.equal(f('first', new Set([7, 8])), 7);
  assert.equal(f('last', new Map([['k1', 1], ['k2', 2]])), 'k2');
  const s = trustedHtml('<b>');
  assert.equal(f('first', [s]), s);
  fails('first', 3, [], 'first: the value must be a list or another iterable, got 3');
});

test('list copies and converts iterables', () => {
  const input = [1, 2];
  const out = f('list', input) as unknown[];
  assert.deepEqual(out, [1, 2]);
  assert.notEqual(out, input);
  assert.deepEqual(f('list', 'a😀'), ['a', '😀']);
  assert.deepEqual(f('list', new Set([1, 2])), [1, 2]);
  assert.deepEqual(f('list', new Map([['a', 1]])), ['a']);
  assert.deepEqual(f('list', { x: 1, y: 2 }), ['x', 'y']);
  assert.deepEqual(f('list', null), []);
  function* gen(): Generator<number> {
    yield 1;
    yield 2;
  }
  assert.deepEqual(f('list', gen()), [1, 2]);
  fails('list', 12, [], 'list: the value must be a list or another iterable, got 12');
  fails('list', trustedHtml('x'), [], 'list: the value must be a list or another iterable, got SafeHtml');
});

// ---------------------------------------------------------------------------------------------
// sort, reverse, dictsort, unique, min, max, sum
// ---------------------------------------------------------------------------------------------

test('sort is case-insensitive by default and never mutates', () => {
  const input = ['b', 'C', 'a', 'B'];
  const copy = [...input];
  assert.deepEqual(f('sort', input), ['a', 'b', 'B', 'C']);
  assert.deepEqual(input, copy);
  assert.deepEqual(f('sort', input, false, true), ['B', 'C', 'a', 'b']);
  assert.deepEqual(f('sort', input, true), ['C', 'b', 'B', 'a']);
  assert.deepEqual(f('sort', [3, 1, 10, 2]), [1, 2, 3, 10]);
  assert.deepEqual(f('sort', [3, 1, 2], true), [3, 2, 1]);
  assert.deepEqual(f('sort', 'cab'), ['a', 'b', 'c']);
  assert.deepEqual((f('sort', [new Date(2), new Date(1)]) as Date[]).map((d) => d.getTime()), [1, 2]);
});

test('sort by attribute, dotted paths and several attributes', () => {
  const people = [
    { name: 'bob', age: 30, a: { b: 2 } },
    { name: 'Ann', age: 25, a: { b: 3 } },
    { name: 'cy', age: 30, a: { b: 1 } },
  ];
  const frozen = JSON.stringify(people);
  assert.deepEqual((f('sort', people, false, false, 'age') as typeof people).map((p) => p.name), ['Ann', 'bob', 'cy']);
  assert.deepEqual((f('sort', people, false, false, 'a.b') as typeof people).map((p) => p.name), ['cy', 'bob', 'Ann']);
  assert.deepEqual((f('sort', people, true, false, 'age, name') as typeof people).map((p) => p.name), ['cy', 'bob', 'Ann']);
  assert.deepEqual((f('sort', people, false, false, 'name') as typeof people).map((p) => p.name), ['Ann', 'bob', 'cy']);
  assert.deepEqual((f('sort', people, false, true, 'name') as typeof people).map((p) => p.name), ['Ann', 'bob', 'cy']);
  assert.deepEqual(f('sort', [[2, 'b'], [1, 'a']], false, false, 0), [[1, 'a'], [2, 'b']]);
  assert.equal(JSON.stringify(people), frozen);
});

test('sort puts missing values last, keeps equal items in order, refuses mixed types', () => {
  const rows = [{ k: 2, id: 'a' }, { id: 'b' }, { k: 1, id: 'c' }, { k: null, id: 'd' }, { k: 1, id: 'e' }];
  assert.deepEqual((f('sort', rows, false, false, 'k') as { id: string }[]).map((r) => r.id), ['c', 'e', 'a', 'b', 'd']);
  assert.deepEqual((f('sort', rows, true, false, 'k') as { id: string }[]).map((r) => r.id), ['b', 'd', 'a', 'c', 'e']);
  fails('sort', [1, 'a'], [], 'sort: cannot compare string with number');
  fails('sort', [{}, {}], [], 'sort: cannot compare object with object');
  fails('sort', [1], ['yes'], 'sort: reverse must be true or false, got "yes"');
  fails('sort', [1], [false, 1], 'sort: case_sensitive must be true or false, got 1');
  fails('sort', [{}], [false, false, 'constructor.name'], 'sort: attribute "constructor.name" reads "constructor", which templates cannot read');
  fails('sort', [{}], [false, false, ''], 'sort: attribute must be a non-empty string, got ""');
  fails('sort', [{}], [false, false, true], 'sort: attribute must be a non-empty string, got true');
});

test('reverse copies lists and reverses strings by code point', () => {
  const input = [1, 2, 3];
  assert.deepEqual(f('reverse', input), [3, 2, 1]);
  assert.deepEqual(input, [1, 2, 3]);
  assert.equal(f('reverse', 'ab😀'), '😀ba');
  assert.deepEqual(f('reverse', new Set([1, 2])), [2, 1]);
  assert.equal(plain(f('reverse', trustedHtml('<b>'))), '>b<');
  fails('reverse', 1, [], 'reverse: the value must be a list or another iterable, got 1');
});

test('items lists [key, value] pairs in insertion order', () => {
  assert.deepEqual(f('items', { b: 1, a: 2 }), [['b', 1], ['a', 2]]);
  assert.deepEqual(f('items', new Map<unknown, unknown>([[2, 'x'], ['a', 'y']])), [[2, 'x'], ['a', 'y']]);
  assert.deepEqual(f('items', undefined), []);
  fails('items', [1], [], 'items: the value must be a Map or an object, got list');
  class K {
    a = 1;
  }
  fails('items', new K(), [], 'items: the value must be a Map or an object, got K');
});

test('dictsort by key or value, case and direction', () => {
  const d = { b: 1, A: 3, c: 2 };
  assert.deepEqual(f('dictsort', d), [['A', 3], ['b', 1], ['c', 2]]);
  assert.deepEqual(f('dictsort', d, true), [['A', 3], ['b', 1], ['c', 2]]);
  assert.deepEqual(f('dictsort', { b: 1, a: 2, C: 0 }, true), [['C', 0], ['a', 2], ['b', 1]]);
  assert.deepEqual(f('dictsort', d, false, 'value'), [['b', 1], ['c', 2], ['A', 3]]);
  assert.deepEqual(f('dictsort', d, false, 'key', true), [['c', 2], ['b', 1], ['A', 3]]);
  assert.deepEqual(f('dictsort', new Map([['y', 1], ['x', 2]])), [['x', 2], ['y', 1]]);
  fails('dictsort', d, [false, 'name'], 'dictsort: by must be "key" or "value", got "name"');
});

test('unique keeps first occurrences, case-insensitively by default', () => {
  assert.deepEqual(f('unique', ['a', 'A', 'b', 'a']), ['a', 'b']);
  assert.deepEqual(f('unique', ['a', 'A', 'b', 'a'], true), ['a', 'A', 'b']);
  assert.deepEqual(f('unique', [1, '1', 1, 2]), [1, '1', 2]);
  assert.deepEqual(f('unique', [{ c: 'x', i: 1 }, { c: 'X', i: 2 }, { c: 'y', i: 3 }], false, 'c'), [{ c: 'x', i: 1 }, { c: 'y', i: 3 }]);
});

test('min and max', () => {
  assert.equal(f('min', [3, 1, 2]), 1);
  assert.equal(f('max', [3, 1, 2]), 3);
  assert.equal(f('min', ['b', 'A', 'c']), 'A');
  assert.equal(f('max', ['b', 'A', 'c', 'C']), 'c');
  assert.equal(f('max', ['b', 'C'], true), 'b');
  assert.deepEqual(f('max', [{ n: 1 }, { n: 5 }, { n: 3 }], false, 'n'), { n: 5 });
  assert.equal(f('min', []), undefined);
  fails('min', [1, 'a'], [], 'min: cannot compare string with number');
});

test('sum of numbers, attributes and a start', () => {
  assert.equal(f('sum', [1, 2, 3.5]), 6.5);
  assert.equal(f('sum', []), 0);
  assert.equal(f('sum', [{ p: 2 }, { p: 3 }], 'p'), 5);
  assert.equal(f('sum', [1, 2], undefined, 10), 13);
  fails('sum', [1, '2'], [], 'sum: item 1 must be a number, got "2"');
  fails('sum', [{}], ['p'], 'sum: item 0 must be a number, got undefined');
  fails('sum', [1], [undefined, '1'], 'sum: start must be a number, got "1"');
});

// ---------------------------------------------------------------------------------------------
// map, select, reject, selectattr, rejectattr, groupby, attr
// ---------------------------------------------------------------------------------------------

test('map takes attributes, with a default', () => {
  const users = [{ name: 'a', u: { id: 1 } }, { name: 'b' }];
  assert.deepEqual(f('map', users, undefined, 'name'), ['a', 'b']);
  assert.deepEqual(f('map', users, undefined, 'u.id'), [1, undefined]);
  assert.deepEqual(f('map', users, undefined, 'u.id', 0), [1, 0]);
  assert.deepEqual(f('map', [[1, 2], [3, 4]], undefined, 1), [2, 4]);
  fails('map', users, ['upper'], 'map: only the attribute form is supported, as map(attribute="name"); got a positional "upper"');
  fails('map', users, [], 'map: attribute must be given, as map(attribute="name")');
  fails('map', users, [undefined, 'prototype'], 'map: attribute "prototype" reads "prototype", which templates cannot read');
});

test('select and reject with a test, its arguments, or truthiness', () => {
  const nums = [1, 2, 3, 4, 5, 6];
  assert.deepEqual(f('select', nums, 'odd'), [1, 3, 5]);
  assert.deepEqual(f('reject', nums, 'odd'), [2, 4, 6]);
  assert.deepEqual(f('select', nums, 'divisibleby', 3), [3, 6]);
  assert.deepEqual(f('select', nums, '>', 4), [5, 6]);
  assert.deepEqual(f('select', [0, 1, '', 'a', null, [], [0]]), [1, 'a', [0]]);
  assert.deepEqual(f('reject', [0, 1, '', 'a']), [0, '']);
  assert.deepEqual(f('select', ['a', 1, null], 'string'), ['a']);
  assert.deepEqual(f('select', nums, (x: unknown) => x === 2), [2]);
  fails('select', nums, ['prime'], 'select: unknown test "prime"');
  fails('select', nums, [3], 'select: the test must be a test name, got 3');
  fails('select', ['a'], ['even'], 'even: the value must be a number, got "a"');
});

test('selectattr and rejectattr', () => {
  const users = [
    { name: 'a', active: true, age: 20, email: 'a@x' },
    { name: 'b', active: false, age: 30 },
    { name: 'c', active: true, age: 40, email: null },
  ];
  const names = (v: unknown): string[] => (v as { name: string }[]).map((u) => u.name);
  assert.deepEqual(names(f('selectattr', users, 'active')), ['a', 'c']);
  assert.deepEqual(names(f('rejectattr', users, 'active')), ['b']);
  assert.deepEqual(names(f('selectattr', users, 'email', 'defined')), ['a', 'c']);
  assert.deepEqual(names(f('selectattr', users, 'email', 'none')), ['c']);
  assert.deepEqual(names(f('selectattr', users, 'age', 'gt', 25)), ['b', 'c']);
  assert.deepEqual(names(f('rejectattr', users, 'age', '>=', 30)), ['a']);
  fails('selectattr', users, [], 'selectattr: attribute must be given');
  fails('selectattr', users, ['__proto__'], 'selectattr: attribute "__proto__" reads "__proto__", which templates cannot read');
});

test('groupby sorts and groups, case-insensitively by default', () => {
  const rows = [
    { city: 'Paris', n: 1 },
    { city: 'berlin', n: 2 },
    { city: 'paris', n: 3 },
    { city: 'Berlin', n: 4 },
    { n: 5 },
  ];
  const input = JSON.stringify(rows);
  const groups = f('groupby', rows, 'city') as { grouper: unknown; list: { n: number }[] }[];
  assert.deepEqual(
    groups.map((g) => [g.grouper, g.list.map((r) => r.n)]),
    [['berlin', [2, 4]], ['Paris', [1, 3]], [undefined, [5]]],
  );
  const cs = f('groupby', rows, 'city', 'none', true) as { grouper: unknown; list: { n: number }[] }[];
  assert.deepEqual(cs.map((g) => [g.grouper, g.list.map((r) => r.n)]), [['Berlin', [4]], ['Paris', [1]], ['berlin', [2]], ['none', [5]], ['paris', [3]]]);
  assert.deepEqual(
    (f('groupby', [{ a: { b: 1 } }, { a: { b: 1 } }], 'a.b') as { grouper: unknown; list: unknown[] }[]).map((g) => [g.grouper, g.list.length]),
    [[1, 2]],
  );
  assert.equal(JSON.stringify(rows), input);
  fails('groupby', rows, [], 'groupby: attribute must be given');
});

test('attr reads one attribute with the template rules', () => {
  assert.equal(f('attr', { a: 1 }, 'a'), 1);
  assert.equal(f('attr', new Map([['a', 2]]), 'a'), 2);
  assert.equal(f('attr', {}, 'toString'), undefined);
  assert.equal(f('attr', [5, 6], 1), 6);
  fails('attr', {}, ['constructor'], 'attr: "constructor" cannot be read from a template value');
  fails('attr', {}, ['__proto__'], 'attr: "__proto__" cannot be read from a template value');
  fails('attr', {}, [null], 'attr: name must be a string, got none');
});

// ---------------------------------------------------------------------------------------------
// slice, batch
// ---------------------------------------------------------------------------------------------

test('slice splits into columns like Jinja', () => {
  const seq = [1, 2, 3, 4, 5, 6, 7];
  assert.deepEqual(f('slice', seq, 3), [[1, 2, 3], [4, 5], [6, 7]]);
  assert.deepEqual(f('slice', seq, 3, 0), [[1, 2, 3], [4, 5, 0], [6, 7, 0]]);
  assert.deepEqual(f('slice', [1, 2, 3, 4], 2), [[1, 2], [3, 4]]);
  assert.deepEqual(f('slice', [1, 2], 4), [[1], [2], [], []]);
  assert.deepEqual(f('slice', [], 2), [[], []]);
  assert.deepEqual(seq, [1, 2, 3, 4, 5, 6, 7]);
  fails('slice', seq, [0], 'slice: slices must be an integer between 1 and 10000, got 0');
  fails('slice', seq, [1e9], 'slice: slices must be an integer between 1 and 10000, got 1000000000');
  fails('slice', seq, [], 'slice: slices must be given');
});

test('batch groups into rows, padding the last one', () => {
  assert.deepEqual(f('batch', [1, 2, 3, 4, 5], 2), [[1, 2], [3, 4], [5]]);
  assert.deepEqual(f('batch', [1, 2, 3, 4, 5], 2, '-'), [[1, 2], [3, 4], [5, '-']]);
  assert.deepEqual(f('batch', [], 3), []);
  fails('batch', [1], [0], 'batch: linecount must be a positive integer, got 0');
  fails('batch', [1], [], 'batch: linecount must be given');
});

// ---------------------------------------------------------------------------------------------
// truncate, wordcount, replace, trim, wordwrap, center, indent
// ---------------------------------------------------------------------------------------------

test('truncate at a word boundary, killing words, with end and leeway', () => {
  const s = 'The quick brown fox jumps';
  assert.equal(f('truncate', s, 255), s);
  assert.equal(f('truncate', s, 25), s);
  assert.equal(f('truncate', s, 12), 'The...');
  assert.equal(f('truncate', s, 13), 'The quick...');
  assert.equal(f('truncate', s, 12, true), 'The quick...');
  assert.equal(f('truncate', s, 10, true, '!'), 'The quick!');
  assert.equal(f('truncate', s, 10, false, ''), 'The quick');
  assert.equal(f('truncate', s, 20, false, '...', 5), s);
  assert.equal(f('truncate', s, 20, false, '...', 4), 'The quick brown...');
  assert.equal(f('truncate', 'Supercalifragilistic', 10), 'Superca...');
  assert.equal(f('truncate', '😀😀😀😀😀😀', 5, true), '😀😀...');
  assert.equal(f('truncate', null), '');
  assert.equal(f('truncate', 12345678, 5, true, ''), '12345');
});

test('truncate lists, and its argument errors', () => {
  const list = [1, 2, 3, 4, 5];
  const out = f('truncate', list, 3) as unknown[];
  assert.deepEqual(out, [1, 2, 3]);
  assert.deepEqual(list, [1, 2, 3, 4, 5]);
  const same = f('truncate', list, 5) as unknown[];
  assert.deepEqual(same, list);
  assert.notEqual(same, list);
  fails('truncate', 'abc', ['x'], 'truncate: length must be a non-negative integer, got "x"');
  fails('truncate', 'abc', [-1], 'truncate: length must be a non-negative integer, got -1');
  fails('truncate', 'abc', [1.5], 'truncate: length must be a non-negative integer, got 1.5');
  fails('truncate', 'abc', [2, 'no'], 'truncate: killwords must be true or false, got "no"');
  fails('truncate', 'abc', [2, false, 5], 'truncate: end must be a string, got 5');
  fails('truncate', 'abc', [2, false, '...', -1], 'truncate: leeway must be a non-negative integer, got -1');
  fails('truncate', 'abcdef', [2], 'truncate: length must be at least the length of end (3), got 2');
  fails('truncate', { a: 1 }, [], 'truncate: the value must be a string or a number, got object');
});

test('wordcount counts words in any script', () => {
  assert.equal(f('wordcount', 'Hello, world! It is 2024.'), 5);
  assert.equal(f('wordcount', 'naïve café déjà-vu'), 4);
  assert.equal(f('wordcount', 'snake_case word'), 2);
  assert.equal(f('wordcount', ''), 0);
  assert.equal(f('wordcount', '  ...  '), 0);
  assert.equal(f('wordcount', undefined), 0);
});

test('replace all, a count, and an empty old', () => {
  assert.equal(f('replace', 'aaa', 'a', 'b'), 'bbb');
  assert.equal(f('replace', 'aaa', 'a', 'b', 2), 'bba');
  assert.equal(f('replace', 'aaa', 'a', 'b', 0), 'aaa');
  assert.equal(f('replace', 'Hello World', 'Hello', 'Goodbye'), 'Goodbye World');
  assert.equal(f('replace', 'ab', '', '-'), '-a-b-');
  assert.equal(f('replace', 'ab', '', '-', 2), '-a-b');
  assert.equal(f('replace', 'a.b.c', '.', ''), 'abc');
  assert.equal(f('replace', 'x1x', 1, 2), 'x2x');
  assert.equal(f('replace', 'aa', 'a', '$&'), '$&$&'); // no replacement patterns
  fails('replace', 'a', ['a'], 'replace: old and new must both be given');
  fails('replace', 'a', ['a', 'b', -1], 'replace: count must be a non-negative integer, got -1');
  fails('replace', 'a', [['a'], 'b'], 'replace: old must be a string or a number, got list');
});

test('replace with SafeHtml new escapes the text and returns SafeHtml', () => {
  const out = f('replace', '<i>cat</i> & cat', 'cat', trustedHtml('<mark>cat</mark>'));
  assert.equal(safe(out), '&lt;i&gt;<mark>cat</mark>&lt;/i&gt; &amp; <mark>cat</mark>');
  assert.equal(safe(f('replace', 'a<b', '<', trustedHtml('<wbr>'))), 'a<wbr>b');
});

test('trim whitespace or given characters', () => {
  assert.equal(f('trim', '  \n hi \t'), 'hi');
  assert.equal(f('trim', 'xxhixyx', 'xy'), 'hi');
  assert.equal(f('trim', '--', '-'), '');
  assert.equal(safe(f('trim', trustedHtml('  <b>x</b>\n'))), '<b>x</b>');
  assert.equal(plain(f('trim', trustedHtml('<b>'), '<>')), 'b');
  fails('trim', 'x', [1], 'trim: chars must be a string, got 1');
});

test('wordwrap wraps each line greedily', () => {
  assert.equal(f('wordwrap', 'The quick brown fox jumps over the lazy dog', 10), 'The quick\nbrown fox\njumps over\nthe lazy\ndog');
  assert.equal(f('wordwrap', 'aaaaaaaaaaaa bb', 5), 'aaaaa\naaaaa\naa bb');
  assert.equal(f('wordwrap', 'aaaaaaaaaaaa bb', 5, false), 'aaaaaaaaaaaa\nbb');
  assert.equal(f('wordwrap', 'one two\n\nthree four', 7, true, '<br>'), 'one two<br><br>three<br>four');
  assert.equal(f('wordwrap', 'short'), 'short');
  fails('wordwrap', 'x', [0], 'wordwrap: width must be a positive integer, got 0');
  fails('wordwrap', 'x', [5, true, 1], 'wordwrap: wrapstring must be a string, got 1');
});

test('center pads like Python str.center', () => {
  assert.equal(f('center', 'abc', 6), ' abc  ');
  assert.equal(f('center', 'ab', 5), '  ab ');
  assert.equal(f('center', 'abc', 7), '  abc  ');
  assert.equal(f('center', 'abcdef', 3), 'abcdef');
  assert.equal((f('center', 'x') as string).length, 80);
  assert.equal(safe(f('center', trustedHtml('<b>'), 5)), ' <b> ');
  fails('center', 'x', [-1], 'center: width must be an integer between 0 and 10000, got -1');
  fails('center', 'x', [1e8], 'center: width must be an integer between 0 and 10000, got 100000000');
});

test('indent lines after the first, optionally the first and blank lines', () => {
  assert.equal(f('indent', 'a\nb\n\nc'), 'a\n    b\n\n    c');
  assert.equal(f('indent', 'a\nb', 2, true), '  a\n  b');
  assert.equal(f('indent', 'a\n\nb', 2, false, true), 'a\n  \n  b');
  assert.equal(f('indent', 'a\r\nb', '> '), 'a\n> b');
  assert.equal(f('indent', 'a\nb\n', 2), 'a\n  b\n');
  assert.equal(safe(f('indent', trustedHtml('<p>\n</p>'), 2)), '<p>\n  </p>');
  assert.equal(safe(f('indent', trustedHtml('<p>\n</p>'), '<b>')), '<p>\n&lt;b&gt;</p>');
  fails('indent', 'x', [-2], 'indent: width must be an integer between 0 and 10000, got -2');
  fails('indent', 'x', [2, 'yes'], 'indent: first must be true or false, got "yes"');
});

// ---------------------------------------------------------------------------------------------
// urlencode
// ---------------------------------------------------------------------------------------------

test('urlencode strings with %20 for spaces and every reserved character', () => {
  assert.equal(f('urlencode', 'a b&c=d/e?f#g'), 'a%20b%26c%3Dd%2Fe%3Ff%23g');
  assert.equal(f('urlencode', "it's (x)*!"), 'it%27s%20%28x%29%2A%21');
  assert.equal(f('urlencode', 'é😀'), '%C3%A9%F0%9F%98%80');
  assert.equal(f('urlencode', '\uD800x'), '%EF%BF%BDx');
  assert.equal(f('urlencode', 42), '42');
  assert.equal(f('urlencode', 'javascript:alert(1)'), 'javascript%3Aalert%281%29');
});

test('urlencode mappings and pairs as a query string', () => {
  assert.equal(f('urlencode', { q: 'a b', page: 2, skip: null, tag: ['x', 'y&z'] }), 'q=a%20b&page=2&tag=x&tag=y%26z');
  assert.equal(f('urlencode', new Map([['k', 'v'], ['é', '1']])), 'k=v&%C3%A9=1');
  assert.equal(f('urlencode', [['a', 1], ['a', 2]]), 'a=1&a=2');
  assert.equal(f('urlencode', {}), '');
  fails('urlencode', ['a'], [], 'urlencode: a list must hold [key, value] pairs, got "a"');
  fails('urlencode', { a: { b: 1 } }, [], 'urlencode: the value of "a" must be a string or a number, got object');
});

// ---------------------------------------------------------------------------------------------
// date
// ---------------------------------------------------------------------------------------------

test('date formats every strftime code in UTC', () => {
  const d = '2024-03-05T14:07:09Z';
  assert.equal(f('date', d, '%Y-%m-%d %H:%M:%S'), '2024-03-05 14:07:09');
  assert.equal(f('date', d, '%b %B %a %A'), 'Mar March Tue Tuesday');
  assert.equal(f('date', d, '%y %j %p %I %Z %z %%'), '24 065 PM 02 UTC +0000 %');
  assert.equal(f('date', '2024-12-31T00:30:00Z', '%j %I %p'), '366 12 AM');
  assert.equal(f('date', '2024-01-01T12:00:00Z', '%I %p'), '12 PM');
  assert.equal(f('date', d), '2024-03-05');
});

test('date accepts Dates, ISO strings (UTC without an offset) and epoch milliseconds', () => {
  assert.equal(f('date', new Date(Date.UTC(2020, 1, 29, 23, 59, 58)), '%Y-%m-%d %H:%M:%S'), '2020-02-29 23:59:58');
  assert.equal(f('date', 0, '%Y-%m-%d %H:%M:%S'), '1970-01-01 00:00:00');
  assert.equal(f('date', 1709647629000, '%Y-%m-%dT%H:%M:%S'), '2024-03-05T14:07:09');
  assert.equal(f('date', '2024-03-05', '%Y-%m-%d %H:%M'), '2024-03-05 00:00');
  assert.equal(f('date', '2024-03-05T14:07', '%H:%M:%S'), '14:07:00');
  assert.equal(f('date', '2024-03-05 14:07:09.123456', '%S'), '09');
  assert.equal(f('date', '2024-03-05T14:07:09+02:00', '%H:%M'), '12:07');
  assert.equal(f('date', '2024-03-05T14:07:09-0130', '%H:%M'), '15:37');
  assert.equal(f('date', null, '%Y'), '');
  assert.equal(f('date', undefined), '');
});

test('date in an IANA timezone, with daylight saving', () => {
  assert.equal(f('date', '2024-01-15T12:00:00Z', '%Y-%m-%d %H:%M %z', 'Europe/Paris'), '2024-01-15 13:00 +0100');
  assert.equal(f('date', '2024-07-15T12:00:00Z', '%H:%M %z', 'Europe/Paris'), '14:00 +0200');
  assert.equal(f('date', '2024-01-15T03:00:00Z', '%Y-%m-%d %a %H:%M %z %Z', 'America/New_York'), '2024-01-14 Sun 22:00 -0500 EST');
  assert.equal(f('date', '2024-01-15T12:00:00Z', '%H:%M %z', 'Asia/Kolkata'), '17:30 +0530');
  assert.equal(f('date', '2024-03-05T00:30:00Z', '%j %I %p', 'Asia/Tokyo'), '065 09 AM');
  assert.equal(f('date', '2024-01-15T12:00:00Z', '%H %Z', 'UTC'), '12 UTC');
});

test('date errors name the problem', () => {
  fails('date', 'yesterday', [], 'date: "yesterday" is not an ISO 8601 date');
  fails('date', '2024-02-30', [], 'date: "2024-02-30" is not an ISO 8601 date');
  fails('date', '2024-03-05T25:00', [], 'date: "2024-03-05T25:00" is not an ISO 8601 date');
  fails('date', 'Tue Mar 05 2024', [], 'date: "Tue Mar 05 2024" is not an ISO 8601 date');
  fails('date', new Date(NaN), [], 'date: the value is an invalid Date');
  fails('date', Infinity, [], 'date: Infinity is not a valid timestamp in milliseconds');
  fails('date', 1e20, [], 'date: 100000000000000000000 is not a valid timestamp in milliseconds');
  fails('date', [], [], 'date: the value must be a Date, an ISO 8601 string or a timestamp in milliseconds, got list');
  fails('date', 0, ['%Q'], 'date: unknown format code "%Q"');
  fails('date', 0, ['100%'], 'date: the format ends with a lone "%" (write %% for a percent sign)');
  fails('date', 0, [5], 'date: format must be a string, got 5');
  fails('date', 0, ['%Y', 'Mars/Olympus'], 'date: unknown timezone "Mars/Olympus" (use an IANA name such as "Europe/Paris")');
});

// ---------------------------------------------------------------------------------------------
// json, string
// ---------------------------------------------------------------------------------------------

test('json returns a plain JSON string, the escaper decides about HTML', () => {
  assert.equal(plain(f('json', { a: [1, 'x'], b: null })), '{"a":[1,"x"],"b":null}');
  assert.equal(f('tojson', '</script><script>'), '"</script><script>"');
  assert.equal(f('json', undefined), 'null');
  assert.equal(f('json', U), 'null');
  assert.equal(f('json', () => 1), 'null');
  assert.equal(f('json', [U, undefined]), '[null,null]');
  assert.equal(f('json', { u: U }), '{"u":null}');
  assert.equal(f('json', new Map<string, unknown>([['k', new Set([1, 2])]])), '{"k":[1,2]}');
  assert.equal(f('json', new Map([['__proto__', 1]])), '{"__proto__":1}');
  assert.equal(f('json', new Date(0)), '"1970-01-01T00:00:00.000Z"');
  assert.equal(f('json', trustedHtml('<b>')), '"<b>"');
  assert.equal(f('json', { a: 1 }, 2), '{\n  "a": 1\n}');
  assert.equal(f('json', '\u2028'), '"\u2028"');
  const cyclic: Record<string, unknown> = {};
  cyclic.self = cyclic;
  fails('json', cyclic, [], 'json: cannot serialize a value that contains itself');
  fails('json', 1n, [], 'json: cannot serialize a bigint (convert it to a string or number first)');
  fails('json', 1, [-1], 'json: indent must be an integer between 0 and 10, got -1');
});

test('string converts scalars, keeps SafeHtml, writes containers as JSON', () => {
  assert.equal(f('string', 5), '5');
  assert.equal(f('string', null), '');
  assert.equal(f('string', false), 'false');
  assert.equal(f('string', [1, 'a']), '[1,"a"]');
  assert.equal(f('string', { a: 1 }), '{"a":1}');
  assert.equal(f('string', new Date(0)), '1970-01-01T00:00:00.000Z');
  const s = trustedHtml('<b>');
  assert.equal(f('string', s), s);
  fails('string', () => 1, [], 'string: cannot turn a function into a string');
});

// ---------------------------------------------------------------------------------------------
// numbers
// ---------------------------------------------------------------------------------------------

test('round common (halves away from zero), ceil and floor', () => {
  assert.equal(f('round', 2.5), 3);
  assert.equal(f('round', -2.5), -3);
  assert.equal(f('round', 2.4), 2);
  assert.equal(f('round', 1.005, 2), 1.01);
  assert.equal(f('round', 42.55, 1), 42.6);
  assert.equal(f('round', 1.2345, 2, 'ceil'), 1.24);
  assert.equal(f('round', 1.2355, 2, 'floor'), 1.23);
  assert.equal(f('round', -1.2345, 2, 'floor'), -1.24);
  assert.equal(f('round', -0.4), 0);
  assert.ok(Object.is(f('round', -0.4), 0));
  assert.equal(f('round', 1e-7, 2), 0);
  assert.equal(f('round', 123456789.123, 1), 123456789.1);
  assert.equal(f('round', Infinity), Infinity);
  fails('round', '2.5', [], 'round: the value must be a number, got "2.5"');
  fails('round', 1, [-1], 'round: precision must be an integer between 0 and 20, got -1');
  fails('round', 1, [0, 'up'], 'round: method must be "common", "ceil" or "floor", got "up"');
});

test('abs', () => {
  assert.equal(f('abs', -3.5), 3.5);
  assert.equal(f('abs', 2), 2);
  assert.equal(f('abs', -5n), 5n);
  fails('abs', '-1', [], 'abs: the value must be a number, got "-1"');
});

test('int parses, truncates and falls back to a default', () => {
  assert.equal(f('int', '42'), 42);
  assert.equal(f('int', ' -7 '), -7);
  assert.equal(f('int', '3.99'), 3);
  assert.equal(f('int', '-3.99'), -3);
  assert.equal(f('int', '1e3'), 1000);
  assert.equal(f('int', 4.7), 4);
  assert.equal(f('int', -0.5), 0);
  assert.ok(Object.is(f('int', -0.5), 0));
  assert.equal(f('int', true), 1);
  assert.equal(f('int', 'abc'), 0);
  assert.equal(f('int', 'abc', -1), -1);
  assert.equal(f('int', null, 5), 5);
  assert.equal(f('int', NaN, 5), 5);
  assert.equal(f('int', [], 9), 9);
  assert.equal(f('int', '0x1A', 0, 16), 26);
  assert.equal(f('int', 'ff', 0, 16), 255);
  assert.equal(f('int', '101', 0, 2), 5);
  assert.equal(f('int', '12', 0, 2), 0);
  assert.equal(f('int', '1.5', 0, 16), 0);
  fails('int', '1', [0, 1], 'int: base must be an integer between 2 and 36, got 1');
});

test('float parses numbers and falls back to a default', () => {
  assert.equal(f('float', '3.25'), 3.25);
  assert.equal(f('float', '.5'), 0.5);
  assert.equal(f('float', '-1e-2'), -0.01);
  assert.equal(f('float', 2), 2);
  assert.equal(f('float', 'x'), 0);
  assert.equal(f('float', 'x', 1.5), 1.5);
  assert.equal(f('float', '1.2.3'), 0);
  assert.equal(f('float', undefined, 7), 7);
  assert.equal(f('float', false), 0);
});

test('pluralize by count, Django style', () => {
  assert.equal(f('pluralize', 1), '');
  assert.equal(f('pluralize', 0), 's');
  assert.equal(f('pluralize', 2), 's');
  assert.equal(f('pluralize', 1.5), 's');
  assert.equal(f('pluralize', '1'), '');
  assert.equal(f('pluralize', [1]), '');
  assert.equal(f('pluralize', [1, 2]), 's');
  assert.equal(f('pluralize', new Set()), 's');
  assert.equal(f('pluralize', 2, 'es'), 'es');
  assert.equal(f('pluralize', 1, 'y,ies'), 'y');
  assert.equal(f('pluralize', 3, 'y,ies'), 'ies');
  assert.equal(f('pluralize', undefined), 's');
  fails('pluralize', 2, ['a,b,c'], 'pluralize: suffix must be "plural" or "singular,plural", got "a,b,c"');
  fails('pluralize', 'many', [], 'pluralize: the value must be a number or a list, got "many"');
  fails('pluralize', 1, [2], 'pluralize: suffix must be a string, got 2');
});

test('filesizeformat in decimal and binary units', () => {
  assert.equal(f('filesizeformat', 0), '0 Bytes');
  assert.equal(f('filesizeformat', 1), '1 Byte');
  assert.equal(f('filesizeformat', 999), '999 Bytes');
  assert.equal(f('filesizeformat', 1000), '1.0 kB');
  assert.equal(f('filesizeformat', 1500000), '1.5 MB');
  assert.equal(f('filesizeformat', 3.2e9), '3.2 GB');
  assert.equal(f('filesizeformat', 1024, true), '1.0 KiB');
  assert.equal(f('filesizeformat', 1048576, true), '1.0 MiB');
  assert.equal(f('filesizeformat', 1023, true), '1023 Bytes');
  assert.equal(f('filesizeformat', '2048'), '2.0 kB');
  assert.equal(f('filesizeformat', 1e30), '1000000.0 YB');
  fails('filesizeformat', 'big', [], 'filesizeformat: the value must be a number, got "big"');
});

test('format is printf-style', () => {
  assert.equal(f('format', '%s is %d years', 'Ann', 30.9), 'Ann is 30 years');
  assert.equal(f('format', '%.2f%%', 12.345), '12.35%');
  assert.equal(f('format', '%f', 1.5), '1.500000');
  assert.equal(f('format', '[%5s|%-5s|%05d|%+d|% d]', 'ab', 'cd', 42, 3, 4), '[   ab|cd   |00042|+3| 4]');
  assert.equal(f('format', '%x %X %i', 255, 255, -7), 'ff FF -7');
  assert.equal(f('format', '%05.1f', -2.25), '-02.3');
  assert.equal(f('format', '%.3s', 'abcdef'), 'abc');
  assert.equal(f('format', '%s %s', [1], null), '[1] ');
  assert.equal(f('format', '%(name)s is %(age)d', { name: 'Bo', age: 7 }), 'Bo is 7');
  assert.equal(f('format', 'no codes'), 'no codes');
  fails('format', '%s %s', ['a'], 'format: not enough arguments for the format string');
  fails('format', '%s', ['a', 'b'], 'format: not all arguments converted during string formatting');
  fails('format', '%d', ['x'], 'format: %d needs a number, got "x"');
  fails('format', '%q', [1], 'format: unsupported conversion "%q"');
  fails('format', 'x %', [], 'format: incomplete format "%"');
  fails('format', '%(a)s', ['x'], 'format: %(name)s needs exactly one mapping argument');
  fails('format', '%(a)s', [{}], 'format: no value named "a"');
  fails('format', '%(constructor)s', [{}], 'format: "constructor" cannot be read from a template value');
  fails('format', '%99999s', ['x'], 'format: width must be at most 10000, got 99999');
});

// ---------------------------------------------------------------------------------------------
// linebreaks, linebreaksbr, striptags
// ---------------------------------------------------------------------------------------------

test('linebreaks makes paragraphs and <br>, escaping plain text', () => {
  assert.equal(safe(f('linebreaks', 'one\ntwo\n\nthree')), '<p>one<br>two</p>\n\n<p>three</p>');
  assert.equal(safe(f('linebreaks', 'a\r\n\r\n\r\nb\rc')), '<p>a</p>\n\n<p>b<br>c</p>');
  assert.equal(safe(f('linebreaks', '\n\nx\n\n')), '<p>x</p>');
  assert.equal(safe(f('linebreaks', '')), '');
  assert.equal(safe(f('linebreaks', 'x & y')), '<p>x &amp; y</p>');
  assert.equal(safe(f('linebreaks', trustedHtml('<b>x</b>\ny'))), '<p><b>x</b><br>y</p>');
});

test('linebreaks and linebreaksbr neutralize XSS payloads', () => {
  assert.equal(
    safe(f('linebreaks', '<img src=x onerror=alert(1)>\n<script>alert(1)</script>')),
    '<p>&lt;img src=x onerror=alert(1)&gt;<br>&lt;script&gt;alert(1)&lt;/script&gt;</p>',
  );
  assert.equal(safe(f('linebreaks', '"><svg onload=alert(1)>')), '<p>&quot;&gt;&lt;svg onload=alert(1)&gt;</p>');
  assert.equal(safe(f('linebreaksbr', '<a href="javascript:alert(1)">x</a>\ny')), '&lt;a href=&quot;javascript:alert(1)&quot;&gt;x&lt;/a&gt;<br>y');
  assert.equal(safe(f('linebreaksbr', "a\r\nb\n\nc'")), 'a<br>b<br><br>c&#39;');
});

test('striptags removes tags and comments, collapses whitespace, decodes entities', () => {
  assert.equal(plain(f('striptags', '<p>Hello  <b>big</b>\n world</p>')), 'Hello big world');
  assert.equal(f('striptags', 'a<!-- <b>hidden</b> -->b'), 'a b');
  assert.equal(f('striptags', 'x &amp; y &lt;script&gt; &#39;q&#x27; &copy; &nbsp;z &bogus;'), "x & y <script> 'q' © \u00a0z &bogus;");
  assert.equal(f('striptags', '<script>alert(1)</script>'), 'alert(1)');
  assert.equal(f('striptags', 'a < b and c > d'), 'a d');
  assert.equal(f('striptags', 'a <<< b'), 'a <<< b');
  assert.equal(f('striptags', '&#0;&#xD800;&#1114112;'), '\uFFFD\uFFFD\uFFFD');
  assert.equal(plain(f('striptags', trustedHtml('<i>x</i>'))), 'x');
});

test('striptags stays linear on many unclosed angle brackets', () => {
  const out = f('striptags', '<'.repeat(200_000)) as string;
  assert.equal(out.length, 200_000);
  assertLinear('striptags', (n) => '<'.repeat(n), (s) => f('striptags', s), 200_000, { times: 3 });
});

// ---------------------------------------------------------------------------------------------
// sanitize
// ---------------------------------------------------------------------------------------------

test('sanitize keeps the allowlist and returns SafeHtml', () => {
  const input =
    '<h1>T</h1><h6>t</h6><p>a<br>b <b>c</b> <i>d</i> <em>e</em> <strong>f</strong></p><ul><li>1</li></ul><ol><li>2</li></ol><blockquote>q</blockquote><pre><code>x &lt; y</code></pre>';
  assert.equal(safe(f('sanitize', input)), input.replace('<br>', '<br />'));
  assert.ok(f('sanitize', 'x') instanceof SafeHtml);
  assert.equal(safe(f('sanitize', null)), '');
  assert.equal(safe(f('sanitize', 'a < b & c')), 'a &lt; b &amp; c');
});

test('sanitize removes script, event handlers, style and class', () => {
  assert.equal(safe(f('sanitize', '<img src=x onerror=alert(1)>')), '');
  assert.equal(safe(f('sanitize', '<script>alert(1)</script>ok')), 'ok');
  assert.equal(safe(f('sanitize', '<p onclick="alert(1)" class="big" style="color:red" id="x">hi</p>')), '<p>hi</p>');
  assert.equal(safe(f('sanitize', '<style>body{display:none}</style><b>x</b>')), '<b>x</b>');
  assert.equal(safe(f('sanitize', '<svg><script>alert(1)</script></svg>x')), 'x');
  assert.equal(safe(f('sanitize', '<iframe src="https://evil"></iframe>x')), 'x');
  assert.equal(safe(f('sanitize', '<form action="/x"><input name=a></form>y')), 'y');
  assert.equal(safe(f('sanitize', '<!-- <script>x</script> -->z')), 'z');
  assert.equal(safe(f('sanitize', '<b>x</b"><img src=x onerror=alert(1)>')), '<b>x</b>');
  assert.equal(safe(f('sanitize', '<p>unclosed <b>bold')), '<p>unclosed <b>bold</b></p>');
  assert.equal(safe(f('sanitize', trustedHtml('<i onmouseover="x">t</i>'))), '<i>t</i>');
});

test('sanitize keeps only http, https and mailto links, and adds rel', () => {
  const rel = 'rel="nofollow noopener noreferrer"';
  assert.equal(safe(f('sanitize', '<a href="https://example.com/?a=1&b=2">x</a>')), `<a ${rel} href="https://example.com/?a=1&amp;b=2">x</a>`);
  assert.equal(safe(f('sanitize', '<a href="http://e.com" rel="opener" target="_blank" title="t">x</a>')), `<a ${rel} href="http://e.com">x</a>`);
  assert.equal(safe(f('sanitize', '<a href="mailto:a@b.c">m</a>')), `<a ${rel} href="mailto:a@b.c">m</a>`);
  for (const href of [
    'javascript:alert(1)',
    'JaVaScRiPt:alert(1)',
    '&#106;avascript:alert(1)',
    'java\tscript:alert(1)',
    ' javascript:alert(1)',
    'data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==',
    'vbscript:msgbox(1)',
    '//evil.example/x',
    '/relative/path',
    'ftp://files.example',
  ]) {
    assert.equal(safe(f('sanitize', `<a href="${href}">x</a>`)), `<a ${rel}>x</a>`, href);
  }
});

// ---------------------------------------------------------------------------------------------
// immutability across the board
// ---------------------------------------------------------------------------------------------

test('no filter mutates its input', () => {
  const make = (): unknown[] => [
    { name: 'b', n: 2, tags: ['x'] },
    { name: 'a', n: 1, tags: ['y'] },
    { name: 'c', n: 3, tags: [] },
  ];
  const names: [string, ...unknown[]][] = [
    ['sort', false, false, 'name'],
    ['reverse'],
    ['unique', false, 'name'],
    ['map', undefined, 'name'],
    ['selectattr', 'n', 'odd'],
    ['rejectattr', 'n', 'odd'],
    ['groupby', 'n'],
    ['slice', 2, 'fill'],
    ['batch', 2, 'fill'],
    ['list'],
    ['truncate', 1],
    ['first'],
    ['last'],
    ['min', false, 'n'],
    ['max', false, 'n'],
    ['sum', 'n'],
    ['length'],
    ['json'],
  ];
  for (const [name, ...args] of names) {
    const input = Object.freeze(make().map((x) => Object.freeze(x)));
    const before = JSON.stringify(input);
    f(name, input, ...args); // frozen: a mutation would throw in strict mode
    assert.equal(JSON.stringify(input), before, name);
  }
  const dict = Object.freeze({ b: 1, a: 2 });
  f('dictsort', dict);
  f('items', dict);
  assert.deepEqual(Object.keys(dict), ['b', 'a']);
});
