/**
 * References from a stylesheet to other static files (`url(...)`, `@import "..."`), rewritten to
 * the hashed names `collectstatic` gives those files, so a changed image or font gets a new URL and
 * the stylesheet that uses it gets a new hash too (Django's ManifestStaticFilesStorage does the same).
 *
 * @module
 */
import { posix } from 'node:path';

// url(x), url('x'), url("x"): the quoted forms may hold ')' and spaces.
const URL_REF = /url\(\s*(?:"([^"\n]*)"|'([^'\n]*)'|([^'"()\s]+))\s*\)/gi;
const IMPORT_REF = /@import\s+(?:"([^"\n]*)"|'([^'\n]*)')/gi;
// A scheme (data:, https:, about:), a protocol-relative or root-relative URL, or a fragment.
const NOT_RELATIVE = /^(?:[a-z][a-z0-9+.-]*:|\/|#)/i;

/**
 * The static path a stylesheet at `cssPath` refers to with `ref`, without query or fragment, or
 * null when `ref` is not a relative path inside the static folder.
 *
 * @example referencedPath('css/app.css', '../img/logo.png?v=2#x') // 'img/logo.png'
 */
export function referencedPath(cssPath: string, ref: string): string | null {
  const trimmed = ref.trim();
  if (trimmed === '' || NOT_RELATIVE.test(trimmed)) return null;
  const bare = trimmed.replace(/[?#].*$/s, '');
  if (bare === '') return null;
  const joined = posix.normalize(posix.join(posix.dirname(cssPath), bare));
  return joined.startsWith('../') || joined === '..' || joined.startsWith('/') ? null : joined;
}

/**
 * `css` with every reference to a static file that `hashedOf` knows replaced by its hashed name,
 * written relative to the stylesheet as before; query strings, fragments, quotes and every other
 * byte are kept.
 *
 * @example
 * rewriteCssReferences('a { background: url("../img/x.png") }', 'css/app.css', (p) => (p === 'img/x.png' ? 'img/x.1a2b3c4d.png' : undefined))
 * // 'a { background: url("../img/x.1a2b3c4d.png") }'
 */
export function rewriteCssReferences(css: string, cssPath: string, hashedOf: (path: string) => string | undefined): string {
  const replace = (whole: string, ref: string): string => {
    const target = referencedPath(cssPath, ref);
    const hashed = target === null ? undefined : hashedOf(target);
    if (hashed === undefined) return whole;
    const trimmed = ref.trim();
    const suffix = trimmed.slice(trimmed.replace(/[?#].*$/s, '').length);
    let relative = posix.relative(posix.dirname(cssPath), hashed);
    // Keep a leading './' the author wrote; it means the same either way.
    if (trimmed.startsWith('./') && !relative.startsWith('.')) relative = `./${relative}`;
    return whole.replace(ref, relative + suffix);
  };
  return css
    .replace(URL_REF, (whole: string, dq?: string, sq?: string, bare?: string) => replace(whole, dq ?? sq ?? bare ?? ''))
    .replace(IMPORT_REF, (whole: string, dq?: string, sq?: string) => replace(whole, dq ?? sq ?? ''));
}

/**
 * The static paths a stylesheet refers to, in order, each once.
 *
 * @example cssReferences('@import "b.css"; a { background: url(../img/x.png) }', 'css/a.css') // ['css/b.css', 'img/x.png']
 */
export function cssReferences(css: string, cssPath: string): string[] {
  const found = new Set<string>();
  rewriteCssReferences(css, cssPath, (target) => {
    found.add(target);
    return undefined;
  });
  return [...found];
}
