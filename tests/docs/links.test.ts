// The guide's table of contents lists every page, and the links of the introductory pages lead
// somewhere: to a file that exists and, for `page.md#section`, to a heading of that page.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { ROOT } from '../cli/support.ts';

const DOCS = join(ROOT, 'docs');
/** The pages whose every link is checked here (the other pages belong to their capabilities). */
const CHECKED = ['index.md', 'getting-started.md', 'tutorial.md', 'coming-from-django.md', 'coming-from-flask.md'];

/** The text outside fenced blocks and inline code, where Markdown links live. */
function prose(markdown: string): string {
  return markdown.replace(/^(`{3,}|~{3,})[^\n]*\n[\s\S]*?^\1[ \t]*$/gm, '').replace(/`[^`\n]*`/g, '');
}

/** The link targets of a page: `[text](target)`, titles and angle brackets left out. */
function links(markdown: string): string[] {
  return [...prose(markdown).matchAll(/\]\(([^)\s]+)(?:\s+"[^"]*")?\)/g)].map((m) => m[1]!);
}

/** GitHub's anchor for a heading: lower case, punctuation dropped, spaces as hyphens. */
function slug(heading: string): string {
  return heading
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\s_-]/gu, '')
    .replace(/\s/g, '-');
}

/** Every anchor a page has, numbered as GitHub numbers repeated headings (`-1`, `-2`). */
function anchors(markdown: string): Set<string> {
  const seen = new Map<string, number>();
  const out = new Set<string>();
  for (const m of prose(markdown).matchAll(/^#{1,6}\s+(.+?)\s*#*\s*$/gm)) {
    const base = slug(m[1]!.replace(/`/g, ''));
    const n = seen.get(base) ?? 0;
    seen.set(base, n + 1);
    out.add(n === 0 ? base : `${base}-${n}`);
  }
  return out;
}

function read(path: string): string {
  return readFileSync(path, 'utf8');
}

describe('docs/index.md', () => {
  const index = read(join(DOCS, 'index.md'));
  const listed = links(index).filter((l) => !/^[a-z]+:/.test(l));

  test('lists every page of docs/ once', () => {
    const pages = readdirSync(DOCS).filter((f) => f.endsWith('.md') && f !== 'index.md').sort();
    assert.deepEqual([...listed].sort(), pages);
  });

  test('has one line per page', () => {
    for (const page of listed) {
      assert.equal(index.split('\n').filter((line) => line.includes(`](${page})`)).length, 1, page);
    }
  });
});

describe('links of the introductory pages', () => {
  for (const page of CHECKED) {
    test(`every relative link of ${page} leads to a file and a heading`, () => {
      const from = join(DOCS, page);
      const broken: string[] = [];
      for (const target of links(read(from))) {
        if (/^[a-z]+:/.test(target)) continue; // https:, mailto:
        const [path, anchor] = target.split('#') as [string, string | undefined];
        const file = path === '' ? from : join(dirname(from), path);
        if (!existsSync(file)) {
          broken.push(`${target}: no file ${relative(ROOT, file)}`);
          continue;
        }
        if (anchor !== undefined && file.endsWith('.md') && !anchors(read(file)).has(anchor)) {
          broken.push(`${target}: no heading with the anchor #${anchor} in ${relative(ROOT, file)}`);
        }
      }
      assert.deepEqual(broken, []);
    });
  }
});

describe('slug', () => {
  test("writes anchors as GitHub does", () => {
    assert.equal(slug('9. Test it'), '9-test-it');
    assert.equal(slug('req.user, login and logout'), 'requser-login-and-logout');
    assert.equal(slug('Serving: dev, start, serve'), 'serving-dev-start-serve');
    assert.equal(slug("manage.py and the rampart command"), 'managepy-and-the-rampart-command');
  });
});
