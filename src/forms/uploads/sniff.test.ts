import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { looksLikeSvg, sniffContentType, TextCheck } from './sniff.js';

const bytes = (s: string): Buffer => Buffer.from(s, 'utf8');

describe('TextCheck', () => {
  test('accepts UTF-8 text split anywhere, even inside a character', () => {
    const all = bytes('naïve 東京 ✓ 1 < 2\n');
    for (let cut = 0; cut <= all.length; cut++) {
      const check = new TextCheck();
      check.push(all.subarray(0, cut));
      check.push(all.subarray(cut));
      assert.equal(check.end(), true, `cut at ${cut}`);
    }
  });

  test('finds a tag split between two chunks', () => {
    const check = new TextCheck();
    assert.equal(check.push(bytes('hello <')), true);
    assert.equal(check.push(bytes('b>')), false);
  });

  test('refuses comments, doctypes, closing tags and processing instructions', () => {
    for (const s of ['<!-- x -->', '<!DOCTYPE html>', '</p>', '<?php', '<a href=x>']) {
      const check = new TextCheck();
      assert.equal(check.push(bytes(s)), false, s);
    }
  });

  test('refuses control characters other than tab, newlines and form feed', () => {
    for (const c of ['\u0000', '\u0007', '\u001b', '\u007f']) assert.equal(new TextCheck().push(bytes(`a${c}b`)), false, JSON.stringify(c));
    assert.equal(new TextCheck().push(bytes('a\tb\nc\rd\fe\u000bf')), true);
  });

  test('refuses a truncated sequence at the end and invalid bytes anywhere', () => {
    const truncated = new TextCheck();
    assert.equal(truncated.push(Buffer.from([0x61, 0xe6, 0x9d])), true);
    assert.equal(truncated.end(), false);
    assert.equal(new TextCheck().push(Buffer.from([0xc0, 0xaf])), false);
    assert.equal(new TextCheck().push(Buffer.from([0xed, 0xa0, 0x80])), false);
  });

  test('stays refused once refused', () => {
    const check = new TextCheck();
    check.push(bytes('<b>'));
    assert.equal(check.push(bytes('fine')), false);
    assert.equal(check.end(), false);
  });
});

describe('looksLikeSvg', () => {
  test('recognises SVG roots behind declarations, comments and doctypes', () => {
    for (const s of ['<svg/>', ' <svg >', '<?xml version="1.0"?><!-- c --><svg>', '<!DOCTYPE svg><svg>', '<!DOCTYPE svg [<!ENTITY a "b">]><svg>', '<s:svg>']) {
      assert.equal(looksLikeSvg(bytes(s)), true, s);
    }
  });

  test('does not take other documents for SVG', () => {
    for (const s of ['<svgx>', '<html><body>', 'plain svg text', '<?xml version="1.0"?><note/>', '']) assert.equal(looksLikeSvg(bytes(s)), false, s);
  });

  test('an unterminated comment is not an SVG (and not a hang)', () => {
    assert.equal(looksLikeSvg(bytes('<!-- ' + '-'.repeat(5000))), false);
  });
});

describe('sniffContentType', () => {
  test('a text head is provisional: its checker continues with the rest of the file', async () => {
    const sniffed = await sniffContentType(bytes('first part '), false);
    assert.equal(sniffed.type, 'text/plain');
    assert.ok(sniffed.text !== null);
    assert.equal(sniffed.text.push(bytes('<script>')), false);
  });

  test('an XML declaration with an SVG root is SVG, not application/xml', async () => {
    assert.equal((await sniffContentType(bytes('<?xml version="1.0" ?><svg xmlns="http://www.w3.org/2000/svg"/>'), true)).type, 'image/svg+xml');
  });
});
