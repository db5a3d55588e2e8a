/** Markdown to sanitized HTML, and the plain-text excerpt of the lists. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { isSafeHtml } from 'rampart';
import { markdownExcerpt, renderMarkdown } from '../markdown.js';

describe('renderMarkdown', () => {
  test('returns markup (SafeHtml) the templates print as is', () => {
    const html = renderMarkdown('Hello *world*');
    assert.equal(isSafeHtml(html), true);
    assert.equal(html.toString(), '<p>Hello <em>world</em></p>\n');
  });

  test('a top-level heading becomes an <h2>: the page <h1> is the title', () => {
    assert.equal(renderMarkdown('# One\n\n## Two').toString(), '<h2>One</h2>\n<h2>Two</h2>\n');
  });

  test('links keep http(s) and mailto hrefs and get rel; other schemes lose the href', () => {
    assert.equal(
      renderMarkdown('[a](https://a.example) [b](mailto:b@example.com) [c](javascript:alert(1)) [d](//evil.example) [e](vbscript:x)').toString(),
      '<p><a href="https://a.example" rel="nofollow noopener noreferrer">a</a> <a href="mailto:b@example.com" rel="nofollow noopener noreferrer">b</a> ' +
        '<a rel="nofollow noopener noreferrer">c</a> <a rel="nofollow noopener noreferrer">d</a> <a rel="nofollow noopener noreferrer">e</a></p>\n',
    );
  });

  test('removes script and style elements with their content, and every attribute not allowed', () => {
    assert.equal(renderMarkdown('<div onclick="x()">a<script>b()</script><style>p{}</style>c</div>').toString(), 'ac');
    assert.equal(renderMarkdown('<table border="1" onmouseover="x()"><tr><td align="left" style="color:red">1</td></tr></table>').toString(), '<table><tr><td align="left">1</td></tr></table>');
  });

  test('images are removed: a post\'s image is its upload, never a URL in the text', () => {
    assert.equal(renderMarkdown('![tracker](https://tracker.example/p.gif)').toString(), '<p></p>\n');
  });
});

describe('markdownExcerpt', () => {
  test('is the text of the rendered Markdown, whitespace collapsed', () => {
    assert.equal(markdownExcerpt('## Title\n\nSome **bold** words and a [link](https://x.example).'), 'Title Some bold words and a link.');
  });

  test('is plain text: markup in the source comes out as its text, for the template to escape', () => {
    assert.equal(markdownExcerpt('a < b & `<i>c</i>` "d"<script>alert(1)</script>'), 'a < b & <i>c</i> "d"');
  });

  test('is cut at a word boundary with an ellipsis', () => {
    assert.equal(markdownExcerpt('one two three four', 12), 'one two…');
    assert.equal(markdownExcerpt('short', 12), 'short');
  });
});
