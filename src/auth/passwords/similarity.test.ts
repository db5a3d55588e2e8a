import { test } from 'node:test';
import assert from 'node:assert/strict';
import { similarityRatio } from './similarity.js';

test('equal strings are 1, disjoint ones 0, two empty strings 1', () => {
  assert.equal(similarityRatio('abc', 'abc'), 1);
  assert.equal(similarityRatio('abc', 'xyz'), 0);
  assert.equal(similarityRatio('', ''), 1);
  assert.equal(similarityRatio('abc', ''), 0);
});

test('is 2·LCS / total length, like SequenceMatcher on simple cases', () => {
  assert.equal(similarityRatio('adalovelace1', 'adalovelace'), 22 / 23);
  assert.equal(similarityRatio('abcd', 'bcde'), 6 / 8);
  assert.equal(similarityRatio('kingking', 'king'), 8 / 12);
});

test('counts code points, not UTF-16 units', () => {
  assert.equal(similarityRatio('🔑a', '🔑b'), 2 / 4);
});

test('answers 0 without comparing when the lengths cannot reach the threshold', () => {
  assert.equal(similarityRatio('aaaaaaaaaaaaaaaaaaaa', 'a', 0.7), 0);
  assert.equal(similarityRatio('aa', 'a', 0.7), 0); // at most 2/3
  assert.equal(similarityRatio('aaa', 'aa', 0.7), 4 / 5);
});
