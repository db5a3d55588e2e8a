// Checks every engine's output before anything is measured: a benchmark of wrong pages measures
// nothing. The engines differ in whitespace and in which entity they write for a quote (`&quot;`,
// `&#34;`, `&#x22;`), and Handlebars also escapes `=` and the backtick; `normalize` removes those
// differences and nothing else, so what is left must be the same page.
import { ITEM_COUNT, PAGE_DATA, fortunesReference } from './data.js';
import type { ScenarioId } from './engines.js';

/** Canonical entities for quotes, `=` and backtick as text, whitespace collapsed and dropped around tags. */
export function normalize(html: string): string {
  return html
    .replace(/&(?:#34|#x22|quot);/gi, '&quot;')
    .replace(/&(?:#39|#x27|apos);/gi, '&#39;')
    .replace(/&(?:#61|#x3D|equals);/gi, '=')
    .replace(/&(?:#96|#x60|grave);/gi, '`')
    .replace(/\s+/g, ' ')
    .replace(/\s*(<|>)\s*/g, '$1')
    .trim();
}

/** Where two strings first differ, with some context of each. */
function firstDifference(a: string, b: string): string {
  let i = 0;
  while (i < a.length && i < b.length && a[i] === b[i]) i++;
  const from = Math.max(0, i - 60);
  return `at character ${i}:\n    got:      …${a.slice(from, i + 60)}…\n    expected: …${b.slice(from, i + 60)}…`;
}

const escapeText = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');

/** Problems with one engine's page for a scenario (empty: correct). */
export function checkPage(scenario: ScenarioId, html: string): string[] {
  const problems: string[] = [];
  if (/<script/i.test(html)) problems.push('a <script> tag from the data came out unescaped');
  if (scenario === 'fortunes') {
    const got = normalize(html);
    const want = normalize(fortunesReference());
    if (got !== want) problems.push(`the page differs from the reference ${firstDifference(got, want)}`);
    return problems;
  }
  const page = normalize(html);
  const rows = page.match(/<tr id="item-\d+"/g)?.length ?? 0;
  if (rows !== ITEM_COUNT) problems.push(`${rows} item rows instead of ${ITEM_COUNT}`);
  const expected = [
    // The three layout levels and the three includes.
    '<!DOCTYPE html><html lang="en">',
    `<title>${escapeText(PAGE_DATA.section.title)} · ${escapeText(PAGE_DATA.site.name)}</title>`,
    '<div class="layout"><aside class="sidebar"><h2>Categories</h2>',
    '<nav class="top"><a class="brand" href="/">Rampart Shop</a>',
    '<footer><p>&copy; 2024 Rampart Shop.<a href="mailto:team@example.com">Contact us</a></p></footer></body></html>',
    // Escaped data in text, attributes and URLs, and every filter.
    '<h1>HARDWARE &amp; TOOLS</h1><p class="summary">200 items</p>',
    'Signed in as Ada &lt;Admin&gt; Lovelace',
    '<a href="/search?q=tea%20%26%20%22biscuits%22" data-query="tea%20%26%20%22biscuits%22">Search for tea &amp; &quot;biscuits&quot;</a>',
    '<a href="/offers?sort=price&amp;dir=asc" title="Offers &amp; deals">Offers &amp; deals</a>',
    '<tr id="item-10" data-sku="WDG-0010-X"><td><a href="/items/widget-10" title="Tom &amp; Jerry&#39;s &quot;Deluxe&quot; &lt;10&gt;">Tom &amp; Jerry&#39;s &quot;Deluxe&quot; &lt;10&gt;</a></td>',
    '<td><a href="/items/widget-25" title="&lt;script&gt;alert(&quot;item 25&quot;)&lt;/script&gt;">&lt;script&gt;alert(&quot;item 25&quot;)&lt;/script&gt;</a></td>',
    '<td>Hardware</td><td>Includes &lt;three&gt; spare parts,...</td><td>new, sale, eco-friendly</td><td>274.12</td><td>2024-10-27</td><td>n/a</td><td>WDG 0200 X</td>',
    '<td>Back in stock on day 3</td>',
  ];
  for (const e of expected) if (!page.includes(e)) problems.push(`the page lacks ${JSON.stringify(e)}`);
  return problems;
}

/** Problems with a peer's page compared with the first engine's (the pages must be equivalent). */
export function comparePages(html: string, reference: string, referenceEngine: string): string[] {
  const a = normalize(html);
  const b = normalize(reference);
  return a === b ? [] : [`the page is not equivalent to ${referenceEngine}'s ${firstDifference(a, b)}`];
}
