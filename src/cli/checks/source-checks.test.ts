import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { callArguments, isSourceFile, stripComments } from './source-checks.js';

describe('source scan helpers', () => {
  test('stripComments blanks comments, keeps line numbers and URLs in strings', () => {
    const text = "a(); // trustedHtml('x')\n/* trustedHtml(\n */ b('https://x.test/y');\n";
    const out = stripComments(text);
    assert.equal(out.split('\n').length, text.split('\n').length);
    assert.ok(!out.includes('trustedHtml'));
    assert.ok(out.includes("b('https://x.test/y')"));
  });

  test('callArguments returns the balanced arguments of each call', () => {
    const calls = callArguments("sessions({ store, csrf: { fieldName: 'x' } }); other(); sessions(opts)", /\bsessions/);
    assert.deepEqual(calls.map((c) => c.args), ["{ store, csrf: { fieldName: 'x' } }", 'opts']);
  });

  test('isSourceFile takes code, not tests or declarations', () => {
    assert.deepEqual(['app.ts', 'view.tsx', 'a.mjs', 'app.test.ts', 'b.spec.js', 'types.d.ts', 'style.css'].filter(isSourceFile), ['app.ts', 'view.tsx', 'a.mjs']);
  });
});
