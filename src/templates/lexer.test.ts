import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { TemplateSyntaxError } from './errors.js';
import { MAX_TEMPLATE_BYTES, tokenize, type Token } from './lexer.js';
import { assertLinear } from '../../tests/helpers/linear.ts';

/** Tokens as `type:value` strings, without eof: the compact form most tests compare. */
function kinds(source: string): string[] {
  return tokenize('t.html', source)
    .filter((t) => t.type !== 'eof')
    .map((t) => `${t.type}:${t.value}`);
}

/** Only the text and raw tokens' values. */
function texts(source: string): string[] {
  return tokenize('t.html', source)
    .filter((t) => t.type === 'text' || t.type === 'raw')
    .map((t) => t.value);
}

function lexError(source: string, line: number, col: number, message: string): void {
  assert.throws(
    () => tokenize('t.html', source),
    (err: unknown) => {
      assert.ok(err instanceof TemplateSyntaxError);
      assert.equal(err.code, 'E_TEMPLATE_SYNTAX');
      assert.equal(err.line, line);
      assert.equal(err.col, col);
      assert.equal(err.message.split('\n')[0], `${message} (t.html, line ${line}, column ${col})`);
      return true;
    },
  );
}

describe('lexer: tokens', () => {
  it('splits text, outputs and tags', () => {
    assert.deepEqual(kinds('Hi {{ name }}!{% if x %}y{% endif %}'), [
      'text:Hi ', 'var_begin:{{', 'name:name', 'var_end:}}', 'text:!',
      'block_begin:{%', 'name:if', 'name:x', 'block_end:%}', 'text:y',
      'block_begin:{%', 'name:endif', 'block_end:%}',
    ]);
  });

  it('lexes every operator, longest first', () => {
    assert.deepEqual(kinds('{{ a ** b // c == d != e <= f >= g < h > i + - * / % ~ = . , : | ( ) [ ] }}').filter((k) => k.startsWith('op:')), [
      'op:**', 'op://', 'op:==', 'op:!=', 'op:<=', 'op:>=', 'op:<', 'op:>', 'op:+', 'op:-', 'op:*', 'op:/', 'op:%', 'op:~',
      'op:=', 'op:.', 'op:,', 'op::', 'op:|', 'op:(', 'op:)', 'op:[', 'op:]',
    ]);
  });

  it('lexes numbers: ints, floats, exponents and underscores', () => {
    assert.deepEqual(kinds('{{ 42 4.5 1e3 2.5E-2 1_000 }}').slice(1, -1), ['int:42', 'float:4.5', 'float:1e3', 'float:2.5E-2', 'int:1000']);
  });

  it('lexes digits after a dot as an int, so x.0.1 is two lookups', () => {
    assert.deepEqual(kinds('{{ x.0.1 }}').slice(1, -1), ['name:x', 'op:.', 'int:0', 'op:.', 'int:1']);
  });

  it('decodes string escapes in both quote styles', () => {
    const [, s1, s2] = tokenize('t', String.raw`{{ "a\n\t\\\"\'b" 'c\u00e9\'' }}`);
    assert.deepEqual(s1, { type: 'string', value: 'a\n\t\\"\'b', line: 1, col: 4 });
    assert.equal(s2?.value, "cé'");
  });

  it('keeps }} and %} inside strings', () => {
    assert.deepEqual(kinds('{{ "}}" ~ \'%}\' }}'), ['var_begin:{{', 'string:}}', 'op:~', 'string:%}', 'var_end:}}']);
  });

  it('reads a dict closing brace next to the tag end', () => {
    assert.deepEqual(kinds('{{ {"a": {"b": 1}}}}'), [
      'var_begin:{{', 'op:{', 'string:a', 'op::', 'op:{', 'string:b', 'op::', 'int:1', 'op:}', 'op:}', 'var_end:}}',
    ]);
  });

  it('allows tags across lines', () => {
    assert.deepEqual(kinds('{{\n  a\n  + b\n}}'), ['var_begin:{{', 'name:a', 'op:+', 'name:b', 'var_end:}}']);
  });

  it('leaves a lone brace in text alone', () => {
    assert.deepEqual(kinds('a { b } c'), ['text:a { b } c']);
  });

  it('drops comments, even ones holding tags', () => {
    assert.deepEqual(texts('a{# {{ x }} {% if %} #}b'), ['a', 'b']);
  });
});

describe('lexer: positions', () => {
  it('gives every token the 1-based line and column of its first character', () => {
    const toks: Token[] = tokenize('t', 'ab\n  {{ x.y }}\n{% if z %}');
    assert.deepEqual(
      toks.map((t) => [t.type, t.value, t.line, t.col]),
      [
        ['text', 'ab\n  ', 1, 1],
        ['var_begin', '{{', 2, 3],
        ['name', 'x', 2, 6],
        ['op', '.', 2, 7],
        ['name', 'y', 2, 8],
        ['var_end', '}}', 2, 10],
        ['text', '\n', 2, 12],
        ['block_begin', '{%', 3, 1],
        ['name', 'if', 3, 4],
        ['name', 'z', 3, 7],
        ['block_end', '%}', 3, 9],
        ['eof', '', 3, 11],
      ],
    );
  });

  it('positions text after trimming at its first kept character', () => {
    const toks = tokenize('t', '{% if x -%}\n\n   hello');
    assert.deepEqual(toks.at(-2), { type: 'text', value: 'hello', line: 3, col: 4 });
  });
});

describe('lexer: whitespace control', () => {
  it('{%- and -%} strip all whitespace, newlines included', () => {
    assert.deepEqual(texts('a \n\t {%- if x -%} \n\n b'), ['a', 'b']);
  });

  it('{{- and -}} strip whitespace around outputs', () => {
    assert.deepEqual(texts('a \n {{- x -}} \n b'), ['a', 'b']);
  });

  it('{#- and -#} strip whitespace around comments', () => {
    assert.deepEqual(texts('a \n {#- note -#} \n b'), ['a', 'b']);
  });

  it('trim_blocks: drops the single newline after a block tag', () => {
    assert.deepEqual(texts('{% if x %}\n\nb'), ['\nb']);
  });

  it('trim_blocks: drops \\r\\n as one newline', () => {
    assert.deepEqual(texts('{% if x %}\r\nb'), ['b']);
  });

  it('trim_blocks: drops the newline after a comment', () => {
    assert.deepEqual(texts('a\n{# c #}\nb'), ['a\n', 'b']);
  });

  it('does not trim after an output', () => {
    assert.deepEqual(texts('{{ x }}\nb'), ['\nb']);
  });

  it('lstrip_blocks: removes indentation before a tag alone on its line', () => {
    assert.deepEqual(texts('<ul>\n    {% if x %}\n'), ['<ul>\n']);
  });

  it('lstrip_blocks: keeps indentation when text precedes the tag on its line', () => {
    assert.deepEqual(texts('<li>  {% if x %}'), ['<li>  ']);
  });

  it('lstrip_blocks: strips at the very start of the template', () => {
    assert.deepEqual(texts('   {% if x %}a'), ['a']);
  });

  it('lstrip_blocks: does not apply to outputs', () => {
    assert.deepEqual(texts('a\n   {{ x }}'), ['a\n   ']);
  });

  it('{%+ keeps the indentation and +%} keeps the newline', () => {
    assert.deepEqual(texts('a\n  {%+ if x +%}\nb'), ['a\n  ', '\nb']);
  });

  it('treats {{-1}} as a strip marker, not a negative number', () => {
    assert.deepEqual(kinds('a {{-1}}'), ['text:a', 'var_begin:{{', 'int:1', 'var_end:}}']);
  });
});

describe('lexer: raw', () => {
  it('emits raw content verbatim, tags included', () => {
    assert.deepEqual(kinds('a{% raw %}{{ x }}{% if %}{# c #}{% endraw %}b'), ['text:a', 'raw:{{ x }}{% if %}{# c #}', 'text:b']);
  });

  it('applies trim and lstrip at the edges of raw content', () => {
    assert.deepEqual(kinds('<pre>\n  {% raw %}\n  {{ x }}\n  {% endraw %}\n</pre>'), ['text:<pre>\n', 'raw:  {{ x }}\n', 'text:</pre>']);
  });

  it('honours - markers on raw and endraw', () => {
    assert.deepEqual(kinds('a {%- raw -%}  x  {%- endraw -%} b'), ['text:a', 'raw:x', 'text:b']);
  });

  it('emits nothing for empty raw', () => {
    assert.deepEqual(kinds('{% raw %}{% endraw %}'), []);
  });
});

describe('lexer: errors', () => {
  it('reports an unclosed output at its opening', () => {
    lexError('ab\n  {{ x', 2, 3, "unclosed tag: '{{' opened here has no closing '}}'");
  });

  it('reports an unclosed statement at its opening', () => {
    lexError('{% if x', 1, 1, "unclosed tag: '{%' opened here has no closing '%}'");
  });

  it('reports an unclosed comment', () => {
    lexError('a {# b', 1, 3, "unclosed comment: '{#' opened here has no closing '#}'");
  });

  it('reports an unclosed raw block', () => {
    lexError('{% raw %}abc', 1, 1, 'unclosed {% raw %} opened here; close it with {% endraw %}');
  });

  it('reports an unterminated string at its quote', () => {
    lexError('{{ "abc }}', 1, 4, 'unterminated string literal');
  });

  it('reports an unknown escape', () => {
    lexError('{{ "a\\qb" }}', 1, 6, "unknown escape sequence '\\q' in a string; known: \\n \\t \\r \\\\ \\\" \\' \\uXXXX");
  });

  it('reports a short \\u escape', () => {
    lexError('{{ "\\u12" }}', 1, 5, 'invalid \\u escape: write exactly four hex digits, as in \\u00e9');
  });

  it('reports an unexpected character', () => {
    lexError('{{ a $ b }}', 1, 6, 'unexpected character "$" in a tag');
  });

  it('suggests not/!= for a lone !', () => {
    lexError('{{ !a }}', 1, 4, "unexpected '!' (write 'not x' or 'a != b') in a tag");
  });

  it('reports a malformed number', () => {
    lexError('{{ 12abc }}', 1, 4, "invalid number literal '12a'");
  });

  it('reports %} closing an output', () => {
    lexError('{{ x %}', 1, 6, "expected '}}' to close the '{{' at line 1, column 1, found '%}'");
  });

  it('reports }} closing a statement', () => {
    lexError('\n{% if x }}', 2, 9, "expected '%}' to close the '{%' at line 2, column 1, found '}}'");
  });

  it('refuses a template over 5 MiB without a source excerpt', () => {
    assert.throws(() => tokenize('big.html', 'a'.repeat(MAX_TEMPLATE_BYTES + 1)), (err: unknown) => {
      assert.ok(err instanceof TemplateSyntaxError);
      assert.equal(err.code, 'E_TEMPLATE_SYNTAX');
      assert.equal(err.message, 'template is larger than 5242880 bytes (5 MiB); split it with {% include %} or {% extends %} (big.html, line 1, column 1)');
      return true;
    });
  });

  it('counts bytes, not characters, against the limit', () => {
    assert.throws(() => tokenize('big.html', 'é'.repeat(MAX_TEMPLATE_BYTES / 2 + 1)), TemplateSyntaxError);
    assert.doesNotThrow(() => tokenize('ok.html', 'é'.repeat(MAX_TEMPLATE_BYTES / 2)));
  });
});

describe('lexer: linear time', () => {
  // Inputs that make backtracking lexers quadratic.
  const cases: [string, (n: number) => string, number][] = [
    ['many lone braces', (n) => '{ '.repeat(n), 500_000],
    ['many tag openers in raw', (n) => '{% raw %}' + '{%  '.repeat(n) + '{% endraw %}', 300_000],
    ['a long comment', (n) => '{#' + '#'.repeat(n) + '#}', 1_000_000],
    ['many small tags', (n) => '{{ a }}'.repeat(n), 100_000],
    ['a long string with escapes', (n) => '{{ "' + '\\n'.repeat(n) + '" }}', 500_000],
  ];
  for (const [label, make, n] of cases) {
    it(`lexes ${label} in linear time`, () => {
      assertLinear(label, make, (s) => tokenize('t', s), n, { times: 3 });
    });
  }
});
