/**
 * Every built-in filter, at least once, through a template (so the escaping of what it returns is
 * part of the expectation). The unit tests beside filters.ts cover the edge cases of each; this
 * file checks they are wired into the engine with the documented names and keyword arguments.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { trustedHtml } from 'rampart';
import { BUILTIN_FILTERS } from '../../src/templates/filters.ts';
import { render, renderError } from './helpers.ts';

const users = [
  { name: 'bob', age: 30, admin: true },
  { name: 'Ann', age: 25, admin: false },
  { name: 'cy', age: 30, admin: true },
];

/** [filter names covered, template, data, exact output] */
const CASES: readonly (readonly [readonly string[], string, Record<string, unknown>, string])[] = [
  [['escape', 'e'], '{{ "<a href=\'x\'>"|escape }} {{ "&"|e }}', {}, '&lt;a href=&#39;x&#39;&gt; &amp;'],
  [['upper', 'lower'], '{{ "abc"|upper }} {{ "ÀBC"|lower }}', {}, 'ABC àbc'],
  [['title', 'capitalize'], '{{ "ada lovelace-byron"|title }} {{ "hELLO world"|capitalize }}', {}, 'Ada Lovelace-Byron Hello world'],
  [['length', 'count'], '{{ xs|length }} {{ "h😀"|length }} {{ d|count }}', { xs: [1, 2, 3], d: { a: 1 } }, '3 2 1'],
  [['default', 'd'], '{{ missing|default("anon") }} {{ ""|default("x") }}|{{ ""|default("y", true) }} {{ 0|d("z", boolean=true) }} {{ none|d("n") }}', {}, 'anon |y z '],
  [['join'], '{{ xs|join(", ") }} {{ users|join("/", attribute="name") }} {{ ["<a>", "b"]|join("<br>") }}', { xs: [1, 2], users }, '1, 2 bob/Ann/cy &lt;a&gt;&lt;br&gt;b'],
  [['first', 'last'], '{{ xs|first }} {{ xs|last }} {{ "héllo"|first }} {{ "héllo"|last }}', { xs: [3, 1, 2] }, '3 2 h o'],
  [['sort'], '{{ xs|sort|join }} {{ xs|sort(reverse=true)|join }} {{ ["b", "A", "c"]|sort|join }} {{ ["b", "A", "c"]|sort(case_sensitive=true)|join }} {{ users|sort(attribute="age,name")|join(",", attribute="name") }}', { xs: [3, 1, 2], users }, '123 321 Abc Abc Ann,bob,cy'],
  [['reverse'], '{{ xs|reverse|join }} {{ "abc"|reverse }}', { xs: [1, 2, 3] }, '321 cba'],
  [['slice'], '{% for col in range(1, 8)|slice(3) %}[{{ col|join }}]{% endfor %} {% for col in [1, 2, 3, 4]|slice(3, fill_with=0) %}[{{ col|join }}]{% endfor %}', {}, '[123][45][67] [12][30][40]'],
  [['batch'], '{% for row in range(1, 6)|batch(2) %}[{{ row|join }}]{% endfor %} {% for row in range(1, 6)|batch(2, "x") %}[{{ row|join }}]{% endfor %}', {}, '[12][34][5] [12][34][5x]'],
  [['truncate'], '{{ "Hello wonderful world"|truncate(12) }}|{{ "Hello world"|truncate(8, true) }}|{{ "Hello world"|truncate(7, end="…") }}|{{ "short"|truncate(10) }}', {}, 'Hello...|Hello...|Hello…|short'],
  [['wordcount'], '{{ "one two,  three\nfour"|wordcount }} {{ ""|wordcount }}', {}, '4 0'],
  [['replace'], '{{ "aaa"|replace("a", "b") }} {{ "aaa"|replace("a", "b", 2) }} {{ "x<y"|replace("<", "&") }}', {}, 'bbb bba x&amp;y'],
  [['trim'], '[{{ "  hi \n"|trim }}] [{{ "xxhixx"|trim("x") }}]', {}, '[hi] [hi]'],
  [['urlencode'], '{{ "a b&c/d?é"|urlencode }} {{ d|urlencode }} <a href="/s?{{ d|urlencode }}">s</a>', { d: { q: 'a b', n: [1, 2] } }, 'a%20b%26c%2Fd%3F%C3%A9 q=a%20b&amp;n=1&amp;n=2 <a href="/s?q%3Da%2520b%26n%3D1%26n%3D2">s</a>'],
  [['date'], '{{ t|date }} | {{ t|date("%d %B %Y, %H:%M:%S") }} | {{ t|date("%a %b %d %I%p %j %y %Z %z %%") }} | {{ t|date("%H:%M %Z", "Europe/Paris") }} | {{ t|date(format="%A", timezone="Asia/Tokyo") }} | {{ d|date("%Y-%m-%d") }} | {{ 0|date }}', { t: '2024-03-05T14:07:09Z', d: new Date(Date.UTC(1999, 11, 31, 23, 59)) }, '2024-03-05 | 05 March 2024, 14:07:09 | Tue Mar 05 02PM 065 24 UTC +0000 % | 15:07 GMT+1 | Tuesday | 1999-12-31 | 1970-01-01'],
  [['json', 'tojson'], '{{ d|json }} {{ "</script>"|tojson }} {{ xs|json(indent=1) }}', { d: { b: 2, a: [1, null] }, xs: [1] }, '{&quot;b&quot;:2,&quot;a&quot;:[1,null]} &quot;&lt;/script&gt;&quot; [\n 1\n]'],
  [['round'], '{{ 2.5|round }} {{ -2.5|round }} {{ 3.14159|round(2) }} {{ 1.005|round(2) }} {{ 3.21|round(1, "ceil") }} {{ 3.29|round(1, method="floor") }}', {}, '3 -3 3.14 1.01 3.3 3.2'],
  [['abs'], '{{ -3|abs }} {{ n|abs }} {{ 2|abs }}', { n: -1.5 }, '3 1.5 2'],
  [['int'], '{{ "42"|int }} {{ "4.7"|int }} {{ "-3"|int }} {{ "x"|int }} {{ "x"|int(7) }} {{ "ff"|int(base=16) }} {{ "0b101"|int(0, 2) }} {{ 3.9|int }}', {}, '42 4 -3 0 7 255 5 3'],
  [['float'], '{{ "3.5"|float }} {{ "1e3"|float }} {{ "q"|float }} {{ "q"|float(-1) }} {{ 2|float }}', {}, '3.5 1000 0 -1 2'],
  [['pluralize'], '{{ 1|pluralize }}|{{ 2|pluralize }}|{{ 0|pluralize }}|{{ 1|pluralize("es") }}|{{ 2|pluralize("es") }}|{{ 1|pluralize("y,ies") }}|{{ 3|pluralize("y,ies") }}|{{ xs|pluralize }}', { xs: [1] }, '|s|s||es|y|ies|'],
  [['linebreaks'], '{{ t|linebreaks }}', { t: 'a\nb\n\nc<d>\r\n' }, '<p>a<br>b</p>\n\n<p>c&lt;d&gt;<br></p>'],
  [['linebreaksbr'], '{{ t|linebreaksbr }}', { t: 'a\nb<\r\nc' }, 'a<br>b&lt;<br>c'],
  [['striptags'], '{{ t|striptags }}', { t: '<p>Hello <b>world</b></p>  <!-- c -->&amp; &lt;script&gt;' }, 'Hello world &amp; &lt;script&gt;'],
  [['wordwrap'], '{{ "a bb ccc dddd"|wordwrap(5) }}|{{ "abcdefgh"|wordwrap(3) }}|{{ "a b c"|wordwrap(1, wrapstring="/") }}', {}, 'a bb\nccc\ndddd|abc\ndef\ngh|a/b/c'],
  [['center'], '[{{ "hi"|center(6) }}] [{{ "abc"|center(2) }}]', {}, '[  hi  ] [abc]'],
  [['indent'], '{{ "a\nb\n\nc"|indent(2) }}|{{ "a\nb"|indent(">", first=true) }}', {}, 'a\n  b\n\n  c|&gt;a\n&gt;b'],
  [['list'], '{{ "abc"|list|join("-") }} {{ d|list|join }}', { d: { x: 1, y: 2 } }, 'a-b-c xy'],
  [['string'], '{{ 12|string }} {{ xs|string }} {{ none|string }}|{{ true|string }}', { xs: [1, 'a'] }, '12 [1,&quot;a&quot;] |true'],
  [['items'], '{% for k, v in d|items %}{{ k }}={{ v }};{% endfor %}', { d: { b: 2, a: 1 } }, 'b=2;a=1;'],
  [['dictsort'], '{% for k, v in d|dictsort %}{{ k }}{{ v }} {% endfor %}|{% for k, v in d|dictsort(by="value", reverse=true) %}{{ k }}{% endfor %}', { d: { b: 1, a: 3, C: 2 } }, 'a3 b1 C2 |aCb'],
  [['unique'], '{{ [1, 2, 1, 3, 2]|unique|join }} {{ ["a", "A", "b"]|unique|join }} {{ users|unique(attribute="age")|join(",", attribute="name") }}', { users }, '123 ab bob,Ann'],
  [['min', 'max'], '{{ xs|min }} {{ xs|max }} {{ ["b", "A", "c"]|min }} {{ users|max(attribute="age")|attr("name") }}', { xs: [3, 1, 2], users }, '1 3 A bob'],
  [['sum'], '{{ xs|sum }} {{ users|sum(attribute="age") }} {{ xs|sum(start=10) }}', { xs: [1, 2, 3], users }, '6 85 16'],
  [['map'], '{{ users|map(attribute="name")|join(",") }} {{ users|map(attribute="email", default="-")|join }}', { users }, 'bob,Ann,cy ---'],
  [['select', 'reject'], '{{ range(1, 7)|select("odd")|join }} {{ range(1, 7)|reject("odd")|join }} {{ range(1, 10)|select("divisibleby", 3)|join }} {{ [0, 1, "", "a", none]|select|join(",") }}', {}, '135 246 369 1,a'],
  [['selectattr', 'rejectattr'], '{{ users|selectattr("admin")|map(attribute="name")|join }} {{ users|rejectattr("admin")|map(attribute="name")|join }} {{ users|selectattr("age", "gt", 26)|map(attribute="name")|join }}', { users }, 'bobcy Ann bobcy'],
  [['groupby'], '{% for g in users|groupby("age") %}{{ g.grouper }}:{{ g.list|map(attribute="name")|join(",") }};{% endfor %}', { users }, '25:Ann;30:bob,cy;'],
  [['attr'], '{{ u|attr("name") }} {{ u|attr("nope")|default("-") }}', { u: users[0] }, 'bob -'],
  [['filesizeformat'], '{{ 1|filesizeformat }} {{ 300|filesizeformat }} {{ 1536|filesizeformat }} {{ 1536|filesizeformat(true) }} {{ 3000000|filesizeformat }}', {}, '1 Byte 300 Bytes 1.5 kB 1.5 KiB 3.0 MB'],
  [['format'], '{{ "%s is %d, %.2f%%"|format("Ada", 36, 1.5) }} {{ "%05d|%-4s|%x"|format(42, "ab", 255) }} {{ "%(n)s!"|format(d) }}', { d: { n: '<N>' } }, 'Ada is 36, 1.50% 00042|ab  |ff &lt;N&gt;!'],
  [['sanitize'], '{{ t|sanitize }}', { t: '<p onclick="x()">Hi <b>there</b><script>alert(1)</script><a href="javascript:alert(1)">j</a><a href="https://e.com">e</a></p>' }, '<p>Hi <b>there</b><a rel="nofollow noopener noreferrer">j</a><a rel="nofollow noopener noreferrer" href="https://e.com">e</a></p>'],
];

describe('every built-in filter through a template', () => {
  for (const [names, source, data, expected] of CASES) {
    test(names.join(', '), () => {
      assert.equal(render(source, data), expected);
    });
  }

  test('the cases above cover every built-in filter', () => {
    const covered = new Set(CASES.flatMap(([names]) => names));
    const missing = Object.keys(BUILTIN_FILTERS).filter((name) => !covered.has(name));
    assert.deepEqual(missing, []);
  });
});

describe('filters and escaping', () => {
  test('text filters return plain text, which is escaped for where it lands', () => {
    assert.equal(render('<a title="{{ t|upper }}" href="{{ u|lower }}">{{ t|title }}</a>', { t: '"<x>', u: 'JAVASCRIPT:alert(1)' }), '<a title="&quot;&lt;X&gt;" href="about:invalid#rampart-blocked">&quot;&lt;X&gt;</a>');
  });

  test('join keeps SafeHtml parts and escapes the others', () => {
    assert.equal(render('{{ xs|join(", ") }}', { xs: [trustedHtml('<b>a</b>'), '<i>'] }), '<b>a</b>, &lt;i&gt;');
  });

  test('replace with a SafeHtml replacement highlights in escaped text', () => {
    assert.equal(render('{{ t|replace("x", m) }}', { t: '<x>', m: trustedHtml('<mark>x</mark>') }), '&lt;<mark>x</mark>&gt;');
  });

  test('json in <script> is not needed: the value itself is emitted as JSON', () => {
    assert.equal(render('<script>var d = {{ d }};</script>', { d: { a: '</script>' } }), '<script>var d = {"a":"\\u003c/script\\u003e"};</script>');
  });
});

describe('filter errors carry the location', () => {
  test('a wrong argument type', () => {
    const err = renderError('<p>\n  {{ "abc"|truncate("x") }}\n</p>');
    assert.equal(err.code, 'E_TEMPLATE_RUNTIME');
    assert.equal(err.template, 'page.html');
    assert.deepEqual([err.line, err.col], [2, 3]);
    assert.match(err.message, /^truncate: length must be a non-negative integer, got "x" \(page\.html, line 2, column 3\)\n {4}\{\{ "abc"\|truncate\("x"\) \}\}\n {4}\^$/);
  });

  test('a wrong value type', () => {
    const err = renderError('{% for x in xs %}\n{{ xs|sum }}\n{% endfor %}', { xs: [1, 'a'] });
    assert.equal(err.code, 'E_TEMPLATE_RUNTIME');
    assert.deepEqual([err.line, err.col], [2, 1]);
    assert.match(err.message, /^sum: item 1 must be a number, got "a"/);
  });

  test('an invalid date', () => {
    const err = renderError('{{ d|date }}', { d: 'yesterday' });
    assert.equal(err.code, 'E_TEMPLATE_RUNTIME');
    assert.match(err.message, /date: "yesterday" is not an ISO 8601 date/);
  });
});
