import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SafeHtml, escapeHtml, html, isSafeHtml, toHtml, trustedHtml } from './html.js';
import { assertLinear } from '../../tests/helpers/linear.ts';

test('escapeHtml escapes each special character', () => {
  assert.equal(escapeHtml('&'), '&amp;');
  assert.equal(escapeHtml('<'), '&lt;');
  assert.equal(escapeHtml('>'), '&gt;');
  assert.equal(escapeHtml('"'), '&quot;');
  assert.equal(escapeHtml("'"), '&#39;');
  assert.equal(escapeHtml('a&b<c>d"e\'f'), 'a&amp;b&lt;c&gt;d&quot;e&#39;f');
  assert.equal(escapeHtml('<<>>'), '&lt;&lt;&gt;&gt;');
  assert.equal(escapeHtml('&amp;'), '&amp;amp;');
  assert.equal(escapeHtml('é 😀 `=/'), 'é 😀 `=/');
});

test('escapeHtml fast path returns the identical string', () => {
  const plain = 'nothing to escape here, just text 123 — é';
  assert.equal(escapeHtml(plain), plain);
  assert.ok(Object.is(escapeHtml(plain), plain));
  assert.equal(escapeHtml(''), '');
});

test('escapeHtml is linear on large input', () => {
  assert.equal(escapeHtml('<&>"\''.repeat(200_000)).length, 200_000 * '&lt;&amp;&gt;&quot;&#39;'.length);
  assertLinear('escapeHtml', (n) => '<&>"\''.repeat(n), escapeHtml, 40_000);
});

test('html keeps the literal markup and escapes interpolated strings', () => {
  const out = html`<p class="x">${'Tom & Jerry <3'}</p>`;
  assert.ok(out instanceof SafeHtml);
  assert.equal(out.toString(), '<p class="x">Tom &amp; Jerry &lt;3</p>');
  assert.equal(`${out}`, '<p class="x">Tom &amp; Jerry &lt;3</p>');
  assert.equal(String(html``), '');
  assert.equal(String(html`${'a'}${'b'}`), 'ab');
});

test('XSS payloads come out inert', () => {
  assert.equal(
    String(html`<div>${'<script>alert(1)</script>'}</div>`),
    '<div>&lt;script&gt;alert(1)&lt;/script&gt;</div>',
  );
  assert.equal(
    String(html`<a title="${'" onmouseover="x'}">t</a>`),
    '<a title="&quot; onmouseover=&quot;x">t</a>',
  );
  assert.equal(
    String(html`<input value='${"' autofocus onfocus='x"}'>`),
    "<input value='&#39; autofocus onfocus=&#39;x'>",
  );
  assert.equal(String(html`${'<img src=x onerror=alert(1)>'}`), '&lt;img src=x onerror=alert(1)&gt;');
});

test('nesting html inside html is not double-escaped', () => {
  const inner = html`<b>${'a & b'}</b>`;
  const outer = html`<p>${inner} & ${'<i>'}</p>`;
  assert.equal(String(outer), '<p><b>a &amp; b</b> & &lt;i&gt;</p>');
  assert.equal(String(html`<div>${outer}</div>`), '<div><p><b>a &amp; b</b> & &lt;i&gt;</p></div>');
});

test('arrays render each element by the same rules', () => {
  const items = ['<one>', 'two & three'];
  assert.equal(
    String(html`<ul>${items.map((item) => html`<li>${item}</li>`)}</ul>`),
    '<ul><li>&lt;one&gt;</li><li>two &amp; three</li></ul>',
  );
  assert.equal(String(html`${['<a>', 1, null, false, html`<br>`, [2n, ['<x>']]]}`), '&lt;a&gt;1<br>2&lt;x&gt;');
  assert.equal(String(html`${[]}`), '');
  assert.equal(String(html`${[1, , 3]}`), '13');
});

test('a self-containing array fails loudly instead of overflowing the stack', () => {
  const cyclic: unknown[] = ['a'];
  cyclic.push(cyclic);
  assert.throws(() => html`${cyclic}`, TypeError);
  // The same array twice side by side is not a cycle.
  const shared = ['x'];
  assert.equal(String(html`${[shared, shared]}`), 'xx');
});

test('falsy and boolean values render nothing, numbers render', () => {
  const no = false;
  const yes = true;
  assert.equal(String(html`<p>${no && html`<b>hidden</b>`}</p>`), '<p></p>');
  assert.equal(String(html`<p>${yes && html`<b>shown</b>`}</p>`), '<p><b>shown</b></p>');
  assert.equal(String(html`${null}${undefined}${true}${false}`), '');
  assert.equal(String(html`${0}|${-1.5}|${10n}|${Number.NaN}`), '0|-1.5|10|NaN');
});

test('forged objects are escaped, never trusted', () => {
  const forgedToString = { toString: () => '<script>alert(1)</script>' };
  assert.equal(String(html`${forgedToString}`), '&lt;script&gt;alert(1)&lt;/script&gt;');
  assert.equal(String(html`${{ __html: '<script>' }}`), '[object Object]');

  const fakeInstance = Object.create(SafeHtml.prototype) as SafeHtml;
  assert.equal(isSafeHtml(fakeInstance), false);
  assert.throws(() => String(fakeInstance), TypeError);

  // defineProperty, because the frozen prototype makes plain assignment of toString throw.
  const realProtoForged = Object.defineProperty(Object.create(SafeHtml.prototype) as object, 'toString', {
    value: () => '<script>',
  });
  assert.equal(String(html`${realProtoForged}`), '&lt;script&gt;');

  assert.equal(isSafeHtml({ __html: '<script>' }), false);
  assert.equal(isSafeHtml(forgedToString), false);
  assert.equal(isSafeHtml('<b>'), false);
  assert.equal(isSafeHtml(null), false);
  assert.equal(isSafeHtml(html`<b>`), true);
  assert.equal(isSafeHtml(trustedHtml('<b>')), true);
});

test('other values render as their escaped String() form', () => {
  const date = new Date(0);
  assert.equal(String(html`${date}`), escapeHtml(String(date)));
  assert.equal(String(html`${Symbol('<s>')}`), 'Symbol(&lt;s&gt;)');
  function fn(): string {
    return '<x>';
  }
  assert.ok(String(html`${fn}`).includes('&lt;x&gt;'));
});

test('SafeHtml cannot be constructed, subclassed or mutated from outside', () => {
  const Ctor = SafeHtml as unknown as new (token: unknown, markup: string) => SafeHtml;
  assert.throws(() => new Ctor(Symbol('SafeHtml.construct'), '<script>'), TypeError);
  assert.throws(() => new Ctor(undefined, '<script>'), TypeError);
  class Evil extends (SafeHtml as unknown as new (token: unknown, markup: string) => object) {}
  assert.throws(() => new Evil(undefined, '<script>'), TypeError);

  const safe = html`<b>${'x'}</b>`;
  assert.ok(Object.isFrozen(safe));
  assert.ok(Object.isFrozen(SafeHtml.prototype));
  assert.throws(() => {
    (SafeHtml.prototype as { toString: () => string }).toString = () => '<script>';
  }, TypeError);
  assert.equal(String(safe), '<b>x</b>');
});

test('html refuses to be called as a plain function', () => {
  const call = html as unknown as (strings: unknown, ...values: unknown[]) => SafeHtml;
  assert.throws(() => call(['<b>' + '<script>' + '</b>']), TypeError);
  assert.throws(() => call('<script>'), TypeError);
});

test('trustedHtml inserts markup verbatim and only accepts strings', () => {
  const icon = trustedHtml('<svg><path d="M0 0"/></svg>');
  assert.equal(String(icon), '<svg><path d="M0 0"/></svg>');
  assert.equal(String(html`<i>${icon}</i>`), '<i><svg><path d="M0 0"/></svg></i>');
  assert.throws(() => trustedHtml({ toString: () => '<x>' } as unknown as string), TypeError);
});

test('an object with a toHtml method renders the SafeHtml it returns; anything else it returns is escaped', () => {
  class Badge {
    constructor(readonly name: string) {}
    [toHtml](): SafeHtml {
      return html`<b class="badge">${this.name}</b>`;
    }
  }
  assert.equal(String(html`<p>${new Badge('<admin>')}</p>`), '<p><b class="badge">&lt;admin&gt;</b></p>');
  assert.equal(String(html`${[new Badge('a'), new Badge('b')]}`), '<b class="badge">a</b><b class="badge">b</b>');
  // A method that returns a plain string (or a forged SafeHtml) does not get markup through.
  const liar = { [toHtml]: () => '<script>x()</script>' };
  assert.equal(String(html`${liar}`), '&lt;script&gt;x()&lt;/script&gt;');
  const forged = { [toHtml]: () => ({ toString: () => '<img src=x onerror=x()>' }) };
  assert.equal(String(html`${forged}`), '&lt;img src=x onerror=x()&gt;');
  // Data cannot carry the protocol: a string key or another symbol of the same description is not it.
  const fromJson = JSON.parse('{"toHtml": "<b>x</b>", "rampart.toHtml": "<b>x</b>"}') as unknown;
  assert.equal(String(html`${fromJson}`), '[object Object]');
  const lookalike = { [Symbol('rampart.toHtml')]: () => trustedHtml('<b>x</b>'), toString: () => 'plain' };
  assert.equal(String(html`${lookalike}`), 'plain');
  // A method that throws fails the render loudly.
  const broken = {
    [toHtml](): SafeHtml {
      throw new Error('cannot render');
    },
  };
  assert.throws(() => html`${broken}`, /cannot render/);
});
