/**
 * Markdown to HTML for posts: `marked` turns the author's text into HTML, `sanitize-html` keeps
 * only an allowlist of tags and attributes, and only then is the result marked as markup.
 *
 * @module
 */
import { Marked } from 'marked';
import sanitizeHtml from 'sanitize-html';
import { trustedHtml, type SafeHtml } from 'rampart';

const markdown = new Marked({ gfm: true, breaks: false });

/**
 * The last results of a pure function of a post's text. Parsing and sanitizing is most of the CPU
 * a list page costs (bench/RESULTS.md, "Example application"), and the same few posts are shown
 * again and again. Bounded in entries and in the length of what it keeps, so hostile long texts
 * cannot grow it.
 */
class RecentResults<T> {
  readonly #results = new Map<string, T>();
  constructor(
    private readonly maxEntries: number,
    private readonly maxSourceLength: number,
  ) {}

  get(source: string, compute: (source: string) => T): T {
    const hit = this.#results.get(source);
    if (hit !== undefined) return hit;
    const value = compute(source);
    if (source.length <= this.maxSourceLength) {
      if (this.#results.size >= this.maxEntries) this.#results.delete(this.#results.keys().next().value!);
      this.#results.set(source, value);
    }
    return value;
  }
}

// At most 200 x 20,000 characters of source, about 8 MB, each.
const renderedPosts = new RecentResults<SafeHtml>(200, 20_000);
const excerpts = new RecentResults<string>(200, 20_000);

/**
 * What may survive in a post. Markdown allows raw HTML, so the sanitizer, not the Markdown
 * parser, decides what reaches the page: no script, style, iframe, form or image (a post's one
 * image is its upload), no event handler or class or style attribute, and links only to http(s)
 * and mailto (never `javascript:` or `data:`).
 */
export const POST_HTML_ALLOWLIST: sanitizeHtml.IOptions = Object.freeze({
  allowedTags: ['p', 'br', 'hr', 'h2', 'h3', 'h4', 'h5', 'h6', 'strong', 'em', 'del', 'code', 'pre', 'blockquote', 'ul', 'ol', 'li', 'a', 'table', 'thead', 'tbody', 'tr', 'th', 'td'],
  allowedAttributes: { a: ['href', 'title', 'rel'], ol: ['start'], th: ['align'], td: ['align'] },
  allowedSchemes: ['http', 'https', 'mailto'],
  allowedSchemesAppliedToAttributes: ['href'],
  allowProtocolRelative: false,
  // Removed elements take their content with them where the content is code, not text.
  nonTextTags: ['script', 'style', 'textarea', 'option', 'noscript', 'iframe', 'object', 'embed', 'svg', 'math'],
  disallowedTagsMode: 'discard',
  transformTags: {
    // The page's <h1> is the post's title: a `# heading` in the text becomes the next level.
    h1: 'h2',
    // Links written by authors are not endorsed by the site, and must not get a handle on this window.
    a: sanitizeHtml.simpleTransform('a', { rel: 'nofollow noopener noreferrer' }),
  },
});

/**
 * A post's Markdown as sanitized HTML, ready to print in a template (`{{ post.body|markdown }}`).
 *
 * @example renderMarkdown('Hello *world*<script>alert(1)</script>') // <p>Hello <em>world</em></p>
 */
export function renderMarkdown(source: string): SafeHtml {
  return renderedPosts.get(source, renderMarkdownNow);
}

function renderMarkdownNow(source: string): SafeHtml {
  const raw = markdown.parse(source, { async: false });
  const clean = sanitizeHtml(raw, POST_HTML_ALLOWLIST);
  // trustedHtml() is safe here, and only here, because `clean` is the sanitizer's output: every
  // tag and attribute in it is on the allowlist above, URLs have an allowed scheme, and text was
  // re-escaped by the sanitizer's serializer. The author's text never reaches trustedHtml() before
  // that step.
  return trustedHtml(clean);
}

// What sanitize-html leaves escaped in text once every tag is removed.
const TEXT_ENTITIES: Readonly<Record<string, string>> = { '&amp;': '&', '&lt;': '<', '&gt;': '>', '&quot;': '"' };

/**
 * The start of a post as plain text, for lists: the rendered Markdown with every tag removed,
 * whitespace collapsed, cut at a word boundary. A plain string, so the template escapes it.
 *
 * @example markdownExcerpt('## Hi\n\nSome **bold** text.', 240) // 'Hi Some bold text.'
 */
export function markdownExcerpt(source: string, maxLength = 240): string {
  return maxLength === 240 ? excerpts.get(source, excerptNow) : excerptNow(source, maxLength);
}

function excerptNow(source: string, maxLength = 240): string {
  const html = markdown.parse(source, { async: false });
  const escaped = sanitizeHtml(html, { allowedTags: [], allowedAttributes: {}, nonTextTags: POST_HTML_ALLOWLIST.nonTextTags ?? [] });
  const text = escaped.replace(/&(amp|lt|gt|quot);/g, (e) => TEXT_ENTITIES[e] ?? e).replace(/\s+/g, ' ').trim();
  if ([...text].length <= maxLength) return text;
  const cut = [...text].slice(0, maxLength).join('');
  const space = cut.lastIndexOf(' ');
  return `${(space > maxLength / 2 ? cut.slice(0, space) : cut).trimEnd()}…`;
}
