/**
 * Hostile post bodies, titles and comments. Markdown allows raw HTML, so a post's body goes
 * through the sanitizer's allowlist; titles and comments are plain text, escaped by the template
 * engine. The pages are parsed (parse5) to check what a browser would build from them.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { attr, elements, find, parsePage, textOf, type Element } from './html.js';
import { apiToken, blogEnv, HTML, publish, SAME_ORIGIN, signUp, submit, type BlogEnv } from './support.js';
import type { TestClient } from 'rampart/testing';

let env: BlogEnv;
let client: TestClient;
before(async () => {
  env = await blogEnv();
  client = env.client();
  await signUp(client, 'mallory');
});
after(() => env.done());

const ALLOWED_TAGS = new Set(['p', 'br', 'hr', 'h2', 'h3', 'h4', 'h5', 'h6', 'strong', 'em', 'del', 'code', 'pre', 'blockquote', 'ul', 'ol', 'li', 'a', 'table', 'thead', 'tbody', 'tr', 'th', 'td']);
const ALLOWED_ATTRIBUTES: Readonly<Record<string, readonly string[]>> = { a: ['href', 'title', 'rel'], ol: ['start'], th: ['align'], td: ['align'] };

/** The post's rendered body, parsed. */
async function bodyOf(id: number): Promise<{ body: Element; html: string; page: string }> {
  const res = await client.get(`/posts/${id}`, { headers: HTML });
  assert.equal(res.status, 200);
  const doc = parsePage(res.text);
  const body = find(doc, (e) => e.tagName === 'div' && attr(e, 'class') === 'body', 'post body');
  const start = res.text.indexOf('<div class="body">') + '<div class="body">'.length;
  return { body, html: res.text.slice(start, res.text.indexOf('</div>', start)), page: res.text };
}

/** Every element and attribute in the body is on the allowlist, and every link is http(s) or mailto. */
function assertClean(body: Element): void {
  for (const e of elements(body).slice(1)) {
    assert.ok(ALLOWED_TAGS.has(e.tagName), `<${e.tagName}> survived`);
    for (const a of e.attrs) assert.ok((ALLOWED_ATTRIBUTES[e.tagName] ?? []).includes(a.name), `<${e.tagName} ${a.name}> survived`);
    const href = attr(e, 'href');
    if (href !== undefined) assert.match(href, /^(https?:|mailto:)/);
    if (e.tagName === 'a') assert.equal(attr(e, 'rel'), 'nofollow noopener noreferrer');
  }
}

const BODIES: readonly (readonly [string, string, string])[] = [
  ['a script element', 'Before<script>alert(1)</script>after', '<p>Beforeafter</p>\n'],
  ['an image with onerror', 'Look <img src=x onerror=alert(1)> here', '<p>Look  here</p>\n'],
  ['a Markdown javascript: link', '[click me](javascript:alert(1))', '<p><a rel="nofollow noopener noreferrer">click me</a></p>\n'],
  ['an HTML javascript: link in mixed case', '<a href="JaVaScRiPt:alert(1)">x</a>', '<p><a rel="nofollow noopener noreferrer">x</a></p>\n'],
  ['a javascript: link hidden by entities', '<a href="&#106;avascript:alert(1)">x</a>', '<p><a rel="nofollow noopener noreferrer">x</a></p>\n'],
  ['a data: link', '[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)', '<p><a rel="nofollow noopener noreferrer">x</a></p>\n'],
  ['an event handler and a style', '<p onclick="alert(1)" style="background:url(x)" class="big">text</p>', '<p>text</p>'],
  ['an iframe, an object and an svg', '<iframe src="https://evil.example"></iframe><object data="x"></object><svg onload="alert(1)"><script>alert(2)</script></svg>ok', 'ok'],
  ['a form and a style element', '<form action="https://evil.example"><input name="p"><button>Go</button></form><style>body{display:none}</style>', 'Go'],
  ['a link that keeps its href', '<a href="https://example.com/a?b=1&c=2" onclick="steal()" target="_blank" rel="opener">fine</a>', '<p><a href="https://example.com/a?b=1&amp;c=2" rel="nofollow noopener noreferrer">fine</a></p>\n'],
];

describe('post bodies: Markdown is rendered, then cleaned by the allowlist', () => {
  for (const [name, source, expected] of BODIES) {
    test(`removes ${name}`, async () => {
      const id = await publish(client, { title: name, body: source });
      const { body, html } = await bodyOf(id);
      assert.equal(html, expected);
      assertClean(body);
    });
  }

  test('keeps what Markdown is for: headings, emphasis, lists, code, quotes, tables', async () => {
    const source = '## Title\n\n*em* **strong** ~~gone~~ `code`\n\n1. one\n2. two\n\n> quote\n\n```\n<b>shown as text</b>\n```\n\n| a | b |\n|---|--:|\n| 1 | 2 |\n\n---\n';
    const id = await publish(client, { title: 'All of Markdown', body: source });
    const { body, html } = await bodyOf(id);
    assertClean(body);
    assert.equal(
      html,
      '<h2>Title</h2>\n<p><em>em</em> <strong>strong</strong> <del>gone</del> <code>code</code></p>\n<ol>\n<li>one</li>\n<li>two</li>\n</ol>\n' +
        '<blockquote>\n<p>quote</p>\n</blockquote>\n<pre><code>&lt;b&gt;shown as text&lt;/b&gt;\n</code></pre>\n' +
        '<table>\n<thead>\n<tr>\n<th>a</th>\n<th align="right">b</th>\n</tr>\n</thead>\n<tbody><tr>\n<td>1</td>\n<td align="right">2</td>\n</tr>\n</tbody></table>\n<hr />\n',
    );
  });

  test('the JSON API serves the same cleaned HTML next to the source', async () => {
    const id = await publish(client, { title: 'API copy', body: 'Hi<script>alert(1)</script> [x](javascript:alert(1))' });
    const res = await client.get(`/api/posts/${id}`);
    const post = res.json<{ body: string; html: string }>();
    assert.equal(post.body, 'Hi<script>alert(1)</script> [x](javascript:alert(1))');
    assert.equal(post.html, '<p>Hi <a rel="nofollow noopener noreferrer">x</a></p>\n');
    assert.equal(res.header('content-type'), 'application/json; charset=utf-8');
  });

  test('the page allows no inline script: its CSP has no unsafe-inline and no nonce is needed', async () => {
    const id = await publish(client, { title: 'CSP', body: 'text' });
    const res = await client.get(`/posts/${id}`, { headers: HTML });
    assert.equal(res.header('content-security-policy'), "default-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'");
  });
});

describe('titles and comments are text', () => {
  const attack = '"><script>alert(1)</script><img src=x onerror=alert(2)>';
  const escaped = '&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;&lt;img src=x onerror=alert(2)&gt;';

  test('a title is escaped in the heading, the <title>, the home page and the edit form', async () => {
    const id = await publish(client, { title: attack, body: 'x' });
    const res = await client.get(`/posts/${id}`, { headers: HTML });
    const doc = parsePage(res.text);
    assert.equal(textOf(find(doc, (e) => e.tagName === 'h1')), attack);
    assert.equal(textOf(find(doc, (e) => e.tagName === 'title')), `${attack} · Rampart Blog`);
    assert.equal(elements(doc).filter((e) => e.tagName === 'script' || e.tagName === 'img').length, 0);
    assert.ok(res.text.includes(`<h1>${escaped}</h1>`));
    const home = await client.get('/', { headers: HTML });
    assert.ok(home.text.includes(`<h2><a href="/posts/${id}">${escaped}</a></h2>`));
    const edit = await client.get(`/posts/${id}/edit`, { headers: HTML });
    assert.ok(edit.text.includes(`value="${escaped}"`));
    assert.equal(attr(find(parsePage(edit.text), (e) => attr(e, 'id') === 'id_title'), 'value'), attack);
  });

  test('a comment keeps its line breaks and nothing else', async () => {
    const id = await publish(client, { title: 'Comments', body: 'x' });
    const res = await submit(client, `/posts/${id}`, { body: `${attack}\nsecond line` }, `/posts/${id}/comments`);
    assert.equal(res.status, 303);
    const page = await client.get(`/posts/${id}`, { headers: HTML });
    const comment = find(parsePage(page.text), (e) => e.tagName === 'article' && attr(e, 'class') === 'comment');
    assert.deepEqual(elements(comment).map((e) => e.tagName), ['article', 'p', 'time', 'p', 'br']);
    assert.ok(page.text.includes(`<p>${escaped}<br>second line</p>`));
  });

  test('a post created through the API is escaped the same way', async () => {
    const token = await apiToken(client);
    const res = await client.post('/api/posts', { headers: { ...SAME_ORIGIN, 'x-csrf-token': token }, json: { title: attack, body: attack } });
    assert.equal(res.status, 201);
    const id = res.json<{ id: number }>().id;
    const { body } = await bodyOf(id);
    assertClean(body);
    // The Markdown source starts with `">`, then an HTML block the sanitizer removes entirely.
    assert.equal(textOf(body), '">\n');
  });
});
