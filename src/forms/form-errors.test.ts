import { test } from 'node:test';
import assert from 'node:assert/strict';
import { field } from '../db/fields.js';
import { validateValue } from '../db/validation.js';
import { messageFor, ruleOf } from './form-errors.js';

test('every message the model rules produce maps to its rule', () => {
  const cases: [string[], string][] = [
    [validateValue(field.string(), undefined), 'required'],
    [validateValue(field.string(), null), 'required'],
    [validateValue(field.string(), ''), 'required'],
    [validateValue(field.string({ maxLength: 2 }), 'abc'), 'maxLength'],
    [validateValue(field.string({ minLength: 5 }), 'abc'), 'minLength'],
    [validateValue(field.integer({ min: 5 }), 1), 'min'],
    [validateValue(field.integer({ max: 5 }), 9), 'max'],
    [validateValue(field.decimal({ maxDigits: 4, decimalPlaces: 1, min: '1' }), '0.5'), 'min'],
    [validateValue(field.choices(['a']), 'b'), 'choice'],
    [validateValue(field.integer(), 'x'), 'invalid'],
    [validateValue(field.integer(), 2 ** 40), 'invalid'],
    [validateValue(field.email(), 'nope'), 'invalid'],
    [validateValue(field.string(), 'a\0b'), 'invalid'],
    [validateValue(field.date(), '2023-02-29'), 'invalid'],
  ];
  for (const [messages, rule] of cases) {
    assert.equal(messages.length, 1, messages.join(' | '));
    assert.equal(ruleOf(messages[0]!), rule, messages[0]);
  }
});

test('a field message wins over the built-in one, an empty one does not', () => {
  assert.equal(messageFor({ required: 'Needed.' }, 'required', 'This field is required.'), 'Needed.');
  assert.equal(messageFor({ required: '' }, 'required', 'This field is required.'), 'This field is required.');
  assert.equal(messageFor({}, 'min', 'Too small.'), 'Too small.');
});
