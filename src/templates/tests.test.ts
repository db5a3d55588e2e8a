import { test } from 'node:test';
import assert from 'node:assert/strict';
import { html, trustedHtml } from '../http/html.js';
import { BUILTIN_TESTS, compareValues, describeValue, valuesEqual } from './tests.js';
import { Undefined, isUndefined } from './undefined.js';

function t(name: string, value: unknown, ...args: unknown[]): boolean {
  const fn = BUILTIN_TESTS[name];
  if (fn === undefined) throw new Error(`no test ${name}`);
  return fn(value, ...args);
}

function fails(name: string, value: unknown, args: unknown[], message: string): void {
  assert.throws(() => t(name, value, ...args), (err: unknown) => {
    assert.ok(err instanceof TypeError);
    assert.equal(err.message, message);
    return true;
  });
}

const U = new Undefined('x');

test('the table has every test and alias, without a prototype', () => {
  const expected = [
    'defined', 'undefined', 'none', 'boolean', 'true', 'false', 'number', 'integer', 'float', 'string', 'mapping',
    'iterable', 'sequence', 'callable', 'even', 'odd', 'divisibleby', 'eq', 'equalto', '==', 'ne', '!=', 'lt',
    'lessthan', '<', 'le', '<=', 'gt', 'greaterthan', '>', 'ge', '>=', 'in', 'sameas', 'lower', 'upper', 'escaped',
  ];
  assert.deepEqual(Object.keys(BUILTIN_TESTS).sort(), [...expected].sort());
  assert.equal(BUILTIN_TESTS['=='], BUILTIN_TESTS.eq);
  assert.equal(BUILTIN_TESTS.equalto, BUILTIN_TESTS.eq);
  assert.equal(BUILTIN_TESTS['<'], BUILTIN_TESTS.lt);
  assert.equal(BUILTIN_TESTS['constructor'], undefined);
  assert.ok(Object.isFrozen(BUILTIN_TESTS));
});

test('Undefined is a frozen sentinel that renders as nothing', () => {
  assert.equal(U.name, 'x');
  assert.ok(Object.isFrozen(U));
  assert.equal(String(U), '');
  assert.ok(isUndefined(U));
  assert.ok(!isUndefined(undefined));
  assert.ok(!isUndefined({ name: 'x' }));
});

test('defined and undefined', () => {
  assert.equal(t('defined', 0), true);
  assert.equal(t('defined', null), true);
  assert.equal(t('defined', ''), true);
  assert.equal(t('defined', undefined), false);
  assert.equal(t('defined', U), false);
  assert.equal(t('undefined', U), true);
  assert.equal(t('undefined', undefined), true);
  assert.equal(t('undefined', null), false);
});

test('none, boolean, true, false', () => {
  assert.equal(t('none', null), true);
  assert.equal(t('none', undefined), false);
  assert.equal(t('none', U), false);
  assert.equal(t('none', 0), false);
  assert.equal(t('boolean', false), true);
  assert.equal(t('boolean', 0), false);
  assert.equal(t('true', true), true);
  assert.equal(t('true', 1), false);
  assert.equal(t('false', false), true);
  assert.equal(t('false', 0), false);
  assert.equal(t('false', ''), false);
});

test('number, integer, float', () => {
  assert.equal(t('number', 1.5), true);
  assert.equal(t('number', NaN), true);
  assert.equal(t('number', 1n), true);
  assert.equal(t('number', '1'), false);
  assert.equal(t('number', true), false);
  assert.equal(t('integer', 3), true);
  assert.equal(t('integer', 3.0), true); // JavaScript cannot tell 3.0 from 3
  assert.equal(t('integer', 3n), true);
  assert.equal(t('integer', 3.5), false);
  assert.equal(t('integer', '3'), false);
  assert.equal(t('float', 3.5), true);
  assert.equal(t('float', 3), false);
  assert.equal(t('float', '3.5'), false);
});

test('string, mapping, iterable, sequence, callable', () => {
  assert.equal(t('string', 'x'), true);
  assert.equal(t('string', trustedHtml('<b>')), true);
  assert.equal(t('string', 1), false);
  assert.equal(t('mapping', {}), true);
  assert.equal(t('mapping', Object.create(null)), true);
  assert.equal(t('mapping', new Map()), true);
  assert.equal(t('mapping', []), false);
  assert.equal(t('mapping', new Date()), false);
  class K {}
  assert.equal(t('mapping', new K()), false);
  for (const v of ['', [], new Set(), new Map(), {}, (function* () {})()]) assert.equal(t('iterable', v), true, describeValue(v));
  for (const v of [1, null, undefined, U, true, new K(), trustedHtml('x')]) assert.equal(t('iterable', v), false, describeValue(v));
  for (const v of ['ab', [1], {}, new Map(), trustedHtml('x')]) assert.equal(t('sequence', v), true, describeValue(v));
  for (const v of [new Set(), 1, null, (function* () {})()]) assert.equal(t('sequence', v), false, describeValue(v));
  assert.equal(t('callable', () => 1), true);
  assert.equal(t('callable', class {}), true);
  assert.equal(t('callable', {}), false);
});

test('even, odd, divisibleby', () => {
  assert.equal(t('even', 4), true);
  assert.equal(t('even', -4), true);
  assert.equal(t('even', 0), true);
  assert.equal(t('even', 3), false);
  assert.equal(t('odd', 3), true);
  assert.equal(t('odd', -3), true);
  assert.equal(t('odd', 4), false);
  assert.equal(t('even', 2.5), false);
  assert.equal(t('odd', 2.5), false);
  assert.equal(t('even', 6n), true);
  assert.equal(t('odd', 7n), true);
  fails('even', '2', [], 'even: the value must be a number, got "2"');
  fails('odd', null, [], 'odd: the value must be a number, got none');
  assert.equal(t('divisibleby', 9, 3), true);
  assert.equal(t('divisibleby', 10, 3), false);
  assert.equal(t('divisibleby', 0, 5), true);
  assert.equal(t('divisibleby', 10n, 5n), true);
  fails('divisibleby', 9, [0], 'divisibleby: the divisor must not be 0');
  fails('divisibleby', 9, ['3'], 'divisibleby: the divisor must be a number, got "3"');
  fails('divisibleby', 'x', [3], 'divisibleby: the value must be a number, got "x"');
});

test('eq and ne compare by value like Python', () => {
  for (const name of ['eq', 'equalto', '==']) {
    assert.equal(t(name, 1, 1), true);
    assert.equal(t(name, 1, '1'), false);
    assert.equal(t(name, 'a', 'a'), true);
    assert.equal(t(name, [1, [2]], [1, [2]]), true);
    assert.equal(t(name, [1, 2], [2, 1]), false);
    assert.equal(t(name, { a: 1, b: [1] }, { b: [1], a: 1 }), true);
    assert.equal(t(name, { a: 1 }, { a: 1, b: 2 }), false);
    assert.equal(t(name, new Map([[1, 'a']]), new Map([[1, 'a']])), true);
    assert.equal(t(name, new Set([1]), new Set([1])), true);
    assert.equal(t(name, new Date(5), new Date(5)), true);
    assert.equal(t(name, trustedHtml('<b>'), '<b>'), true);
    assert.equal(t(name, null, undefined), false);
    assert.equal(t(name, U, undefined), true);
    assert.equal(t(name, 1, 1n), true);
    assert.equal(t(name, NaN, NaN), false);
  }
  assert.equal(t('ne', 1, 2), true);
  assert.equal(t('!=', [1], [1]), false);
  const a: unknown[] = [];
  a.push(a);
  const b: unknown[] = [];
  b.push(b);
  assert.throws(() => valuesEqual(a, b), { name: 'TypeError', message: 'cannot compare values nested this deeply (is the data self-referencing?)' });
});

test('lt, le, gt, ge on numbers, strings and Dates', () => {
  assert.equal(t('lt', 1, 2), true);
  assert.equal(t('<', 2, 2), false);
  assert.equal(t('lessthan', 'a', 'b'), true);
  assert.equal(t('le', 2, 2), true);
  assert.equal(t('<=', 3, 2), false);
  assert.equal(t('gt', 3, 2), true);
  assert.equal(t('>', 'b', 'a'), true);
  assert.equal(t('greaterthan', 1, 2), false);
  assert.equal(t('ge', 2, 2), true);
  assert.equal(t('>=', 1, 2), false);
  assert.equal(t('lt', new Date(1), new Date(2)), true);
  assert.equal(t('lt', 1n, 2), true);
  assert.equal(t('gt', 'B', 'a'), false); // code unit order, like Python
  fails('lt', 1, ['2'], 'lt: cannot compare number with string');
  fails('ge', null, [1], 'ge: cannot compare none with number');
  fails('gt', [1], [[0]], 'gt: cannot compare list with list');
  fails('le', U, [1], 'le: cannot compare undefined with number');
  assert.equal(compareValues('x', 'a', trustedHtml('b')), -1);
});

test('in: substrings, elements and keys', () => {
  assert.equal(t('in', 'ell', 'hello'), true);
  assert.equal(t('in', 'z', 'hello'), false);
  assert.equal(t('in', 2, [1, 2]), true);
  assert.equal(t('in', [2], [[2]]), true);
  assert.equal(t('in', 3, [1, 2]), false);
  assert.equal(t('in', 'a', { a: 1 }), true);
  assert.equal(t('in', 'toString', { a: 1 }), false);
  assert.equal(t('in', 'constructor', {}), false);
  assert.equal(t('in', 1, new Set([1])), true);
  assert.equal(t('in', 'k', new Map([['k', 0]])), true);
  fails('in', 1, ['123'], 'in: a string can only contain strings, got 1');
  fails('in', 1, [5], 'in: the container must be a string, list, Set, Map or object, got 5');
  fails('in', 1, [null], 'in: the container must be a string, list, Set, Map or object, got none');
});

test('sameas is identity', () => {
  const o = {};
  assert.equal(t('sameas', o, o), true);
  assert.equal(t('sameas', o, {}), false);
  assert.equal(t('sameas', null, null), true);
  assert.equal(t('sameas', 1, 1), true);
  assert.equal(t('sameas', U, undefined), true);
  assert.equal(t('sameas', null, undefined), false);
});

test('lower and upper need a cased character', () => {
  assert.equal(t('lower', 'abc 1'), true);
  assert.equal(t('lower', 'Abc'), false);
  assert.equal(t('lower', '123'), false);
  assert.equal(t('lower', ''), false);
  assert.equal(t('lower', 5), false);
  assert.equal(t('upper', 'ÉTÉ!'), true);
  assert.equal(t('upper', 'ÉtÉ'), false);
  assert.equal(t('upper', '!!'), false);
  assert.equal(t('upper', trustedHtml('<B>')), true);
});

test('escaped is true only for real SafeHtml', () => {
  assert.equal(t('escaped', html`<b>${'x'}</b>`), true);
  assert.equal(t('escaped', trustedHtml('x')), true);
  assert.equal(t('escaped', '<b>'), false);
  assert.equal(t('escaped', { toString: () => '<b>' }), false);
});

test('describeValue names values for messages', () => {
  assert.equal(describeValue('x'.repeat(50)), JSON.stringify('x'.repeat(40) + '…'));
  assert.equal(describeValue(undefined), 'undefined');
  assert.equal(describeValue(null), 'none');
  assert.equal(describeValue(1n), '1n');
  assert.equal(describeValue([]), 'list');
  assert.equal(describeValue(new Map()), 'Map');
  assert.equal(describeValue(Object.create(null)), 'object');
  assert.equal(describeValue(Symbol('s')), 'symbol');
  assert.equal(describeValue(trustedHtml('')), 'SafeHtml');
});
