import { test } from 'node:test';
import assert from 'node:assert/strict';
import { field } from '../db/fields.js';
import { coerce, displayValues, type RawField } from './coerce.js';
import { fieldSpec } from './field-spec.js';
import { formField } from './form-fields.js';

const text = (...values: string[]): RawField => ({ source: 'text', values });
const json = (value: unknown): RawField => ({ source: 'json', present: true, value });
const absent: RawField = { source: 'json', present: false, value: undefined };

test('text is read by kind; unreadable text passes through unchanged for the rules to refuse', () => {
  const spec = (f: Parameters<typeof fieldSpec>[1]) => fieldSpec('x', f, undefined);
  assert.deepEqual(coerce(spec(field.integer()), text(' 42 '), 'UTC'), { kind: 'value', value: 42 });
  assert.deepEqual(coerce(spec(field.integer()), text('4.2'), 'UTC'), { kind: 'value', value: '4.2' });
  assert.deepEqual(coerce(spec(field.float()), text('-1.5e3'), 'UTC'), { kind: 'value', value: -1500 });
  assert.deepEqual(coerce(spec(field.bigint()), text('-9007199254740993'), 'UTC'), { kind: 'value', value: -9007199254740993n });
  assert.deepEqual(coerce(spec(field.decimal({ maxDigits: 5, decimalPlaces: 2 })), text('1.50'), 'UTC'), { kind: 'value', value: '1.50' });
  assert.deepEqual(coerce(spec(field.datetime()), text('2024-05-01T10:30'), 'UTC'), { kind: 'value', value: new Date('2024-05-01T10:30:00Z') });
  assert.deepEqual(coerce(spec(field.datetime()), text('soon'), 'UTC'), { kind: 'value', value: 'soon' });
  assert.deepEqual(coerce(spec(field.json()), text('{"a":[1]}'), 'UTC'), { kind: 'value', value: { a: [1] } });
  assert.deepEqual(coerce(spec(field.json()), text('{"__proto__":{}}'), 'UTC'), { kind: 'error', rule: 'invalid', message: 'Enter valid JSON.' });
});

test('empty, absent and repeated values', () => {
  const s = fieldSpec('x', field.string(), undefined);
  assert.deepEqual(coerce(s, text(), 'UTC'), { kind: 'empty', absent: true });
  assert.deepEqual(coerce(s, text('  '), 'UTC'), { kind: 'empty', absent: false });
  assert.deepEqual(coerce(s, text('a', 'b'), 'UTC'), { kind: 'error', rule: 'single', message: 'Enter a single value.' });
  assert.deepEqual(coerce(s, absent, 'UTC'), { kind: 'empty', absent: true });
  assert.deepEqual(coerce(s, json(null), 'UTC'), { kind: 'empty', absent: false });
  assert.deepEqual(coerce(s, json(['a']), 'UTC'), { kind: 'error', rule: 'single', message: 'Enter a single value.' });
  const pw = fieldSpec('p', formField.password(), undefined);
  assert.deepEqual(coerce(pw, text('  spaced  '), 'UTC'), { kind: 'value', value: '  spaced  ' });
});

test('checkboxes and multiple choices', () => {
  const box = fieldSpec('b', formField.checkbox(), undefined);
  assert.deepEqual(coerce(box, text('on'), 'UTC'), { kind: 'value', value: true });
  assert.deepEqual(coerce(box, text('Off'), 'UTC'), { kind: 'value', value: false });
  const multi = fieldSpec('m', formField.multipleChoice(['a', 'b']), { invalid: 'A list, please.' });
  assert.deepEqual(coerce(multi, text('a', '', 'b'), 'UTC'), { kind: 'value', value: ['a', 'b'] });
  assert.deepEqual(coerce(multi, text(''), 'UTC'), { kind: 'empty', absent: false });
  assert.deepEqual(coerce(multi, json('a'), 'UTC'), { kind: 'error', rule: 'invalid', message: 'A list, please.' });
  assert.deepEqual(coerce(multi, json([1]), 'UTC'), { kind: 'error', rule: 'invalid', message: 'A list, please.' });
});

test('JSON values are not converted, except what JSON cannot carry', () => {
  assert.deepEqual(coerce(fieldSpec('x', field.integer(), undefined), json('5'), 'UTC'), { kind: 'value', value: '5' });
  assert.deepEqual(coerce(fieldSpec('x', field.bigint(), undefined), json(5), 'UTC'), { kind: 'value', value: 5n });
  assert.deepEqual(coerce(fieldSpec('x', field.decimal({ maxDigits: 4, decimalPlaces: 2 }), undefined), json(1.5), 'UTC'), { kind: 'value', value: '1.5' });
  assert.deepEqual(coerce(fieldSpec('x', field.datetime(), undefined), json('2024-05-01T10:30:00Z'), 'UTC'), { kind: 'value', value: new Date('2024-05-01T10:30:00Z') });
});

test('display values turn JSON back into text, dropping objects', () => {
  assert.deepEqual(displayValues(json(5)), ['5']);
  assert.deepEqual(displayValues(json({ $ne: 1 })), []);
  assert.deepEqual(displayValues(json(['a', { b: 1 }, 2])), ['a', '2']);
  assert.deepEqual(displayValues(text('a', 'b')), ['a', 'b']);
});
