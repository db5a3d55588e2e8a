/**
 * The search page prints the query three times: in the heading (element text), in the search
 * box's value (a quoted attribute) and in the "search again" link (a URL component). Hostile
 * queries must come back as the same text in each place, with no element or attribute added.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { createUser } from 'rampart/auth';
import { Post } from '../models.js';
import { attr, find, parsePage, skeleton, textOf, elements } from './html.js';
import { blogEnv, HTML, type BlogEnv } from './support.js';

let env: BlogEnv;
before(async () => {
  env = await blogEnv();
  const author = await createUser(env.db, { username: 'writer', password: null });
  await env.db.query(Post).create({ title: 'Plain words', body: 'Nothing special in here.', author_id: author.id });
});
after(() => env.done());

/** Percent-encoding of one URL component as the template engine writes it (RFC 3986: also ' ( ) ! *). */
function component(value: string): string {
  return encodeURIComponent(value).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

async function searchPage(q: string) {
  const res = await env.client().get('/search', { query: { q }, headers: HTML });
  assert.equal(res.status, 200);
  assert.equal(res.header('content-type'), 'text/html; charset=utf-8');
  return { res, doc: parsePage(res.text) };
}

const PAYLOADS = [
  '"><script>alert(1)</script>',
  'javascript:alert(1)',
  `it's a "quote"`,
  "' onfocus='alert(1)' autofocus x='",
  '</h1><img src=x onerror=alert(1)>',
  'a&b <i>x</i> #frag ?x=1&y=2/../..',
  '{{ 7*7 }} {% raw %}',
];

describe('search: the query is escaped in every place it is shown', () => {
  for (const q of PAYLOADS) {
    test(`shows ${JSON.stringify(q)} as text in the title, heading, box and link`, async () => {
      const baseline = await searchPage('harmless');
      const { res, doc } = await searchPage(q);

      // Nothing injected: the page has the same elements and attributes as for a harmless query.
      assert.equal(skeleton(doc), skeleton(baseline.doc));
      assert.equal(elements(doc).filter((e) => e.tagName === 'script').length, 0);
      for (const e of elements(doc)) for (const a of e.attrs) assert.ok(!a.name.startsWith('on'), `${e.tagName} has ${a.name}`);

      assert.equal(textOf(find(doc, (e) => e.tagName === 'title')), `Search: ${q} · Rampart Blog`);
      assert.equal(textOf(find(doc, (e) => e.tagName === 'h1')), `Results for “${q}”`);
      const box = find(doc, (e) => e.tagName === 'input' && attr(e, 'id') === 'q');
      assert.equal(attr(box, 'value'), q);
      assert.deepEqual(box.attrs.map((a) => a.name), ['id', 'type', 'name', 'value', 'maxlength']);
      const again = find(doc, (e) => e.tagName === 'a' && attr(e, 'class') === 'again');
      assert.equal(attr(again, 'href'), `/search?q=${component(q)}`);
      assert.equal(new URL(attr(again, 'href')!, 'http://localhost').searchParams.get('q'), q);
      assert.equal(textOf(again), `Search again for “${q}”`);
      assert.ok(!res.text.includes('<script'));
    });
  }

  test('the exact markup for a script payload', async () => {
    const { res } = await searchPage('"><script>alert(1)</script>');
    const escaped = '&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;';
    assert.ok(res.text.includes(`<h1>Results for “${escaped}”</h1>`));
    assert.ok(res.text.includes(`<input id="q" type="search" name="q" value="${escaped}" maxlength="100">`));
    assert.ok(res.text.includes(`<a class="again" href="/search?q=%22%3E%3Cscript%3Ealert%281%29%3C%2Fscript%3E">Search again for “${escaped}”</a>`));
  });

  test('a javascript: query stays a query: the link is a path on this site', async () => {
    const { res } = await searchPage('javascript:alert(1)');
    assert.ok(res.text.includes('<a class="again" href="/search?q=javascript%3Aalert%281%29">'));
    assert.ok(!/href="\s*javascript:/i.test(res.text));
  });

  test('an empty query shows the form only; a long one is cut to 100 characters', async () => {
    const { doc } = await searchPage('   ');
    assert.equal(textOf(find(doc, (e) => e.tagName === 'h1')), 'Search');
    assert.equal(attr(find(doc, (e) => attr(e, 'id') === 'q'), 'value'), '');
    assert.equal(elements(doc).filter((e) => attr(e, 'class') === 'again').length, 0);
    const long = await searchPage('é'.repeat(150));
    assert.equal(attr(find(long.doc, (e) => attr(e, 'id') === 'q'), 'value'), 'é'.repeat(100));
  });

  test('% and _ match themselves, not any text', async () => {
    const found = await searchPage('plain');
    assert.equal(textOf(find(found.doc, (e) => e.tagName === 'h2')), 'Plain words');
    for (const q of ['%', '_', 'pl%s', 'Plain_words']) {
      const { res } = await searchPage(q);
      assert.ok(res.text.includes('<p>No post matches.</p>'), q);
    }
  });
});
