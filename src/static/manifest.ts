/**
 * The manifest `collectstatic()` writes (original path → content-hashed path), and the URL
 * builder that reads it for the templates' `static()` global.
 *
 * @module
 */
import { readFileSync } from 'node:fs';
import { StaticError } from './errors.js';
import { safeSegments } from './safe-path.js';

/** Original path → hashed path, both relative with `/`: `{ 'css/app.css': 'css/app.3f2a9c1b.css' }`. */
export type StaticManifest = Readonly<Record<string, string>>;

/** Longest path a manifest entry or a `static()` argument may have. */
const MAX_PATH = 1024;

function isRelativePath(value: string): boolean {
  return safeSegments(value, true, MAX_PATH) !== null;
}

/**
 * Checks a manifest object and returns a frozen copy without a prototype (so a key such as
 * `__proto__` or `constructor` is only ever a file name).
 */
export function checkManifest(value: unknown, source: string): StaticManifest {
  const invalid = (why: string): never => {
    throw new StaticError('E_STATIC_MANIFEST_INVALID', `The static manifest ${source} is not valid: ${why}.`, {
      hint: 'Write it with collectstatic(); it is a JSON object of relative paths: {"css/app.css": "css/app.3f2a9c1b.css"}.',
    });
  };
  if (typeof value !== 'object' || value === null || Array.isArray(value)) invalid('it is not a JSON object');
  const out = Object.create(null) as Record<string, string>;
  for (const [key, hashed] of Object.entries(value as Record<string, unknown>)) {
    if (!isRelativePath(key)) invalid(`'${key.slice(0, 200)}' is not a relative path inside the static folder`);
    if (typeof hashed !== 'string' || !isRelativePath(hashed)) invalid(`the entry for '${key}' is not a relative path`);
    out[key] = hashed as string;
  }
  return Object.freeze(out);
}

/**
 * Reads and checks a manifest file.
 *
 * @example
 * const manifest = loadManifest('staticfiles/manifest.json')
 * manifest['css/app.css'] // 'css/app.3f2a9c1b.css'
 */
export function loadManifest(path: string): StaticManifest {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new StaticError('E_STATIC_MANIFEST_NOT_FOUND', `The static manifest ${path} cannot be read (${(err as NodeJS.ErrnoException).code ?? 'error'}).`, {
      hint: "Run collectstatic({ sources: [{ dir: 'static' }], out: 'staticfiles' }) when you build the app, and point `manifest` at the manifest.json it writes.",
      cause: err,
    });
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    throw new StaticError('E_STATIC_MANIFEST_INVALID', `The static manifest ${path} is not valid JSON: ${(err as Error).message}.`, {
      hint: 'Run collectstatic() again; it writes the manifest atomically.',
      cause: err,
    });
  }
  return checkManifest(parsed, path);
}

/** Options of `staticUrls()`. */
export interface StaticUrlsOptions {
  /** What the static route is mounted under; may be a CDN origin. @default '/static/' */
  prefix?: string;
  /** The manifest, as a file path or an object. Without one, URLs are the plain paths. */
  manifest?: string | StaticManifest;
  /**
   * With a `manifest`: a path missing from it (or a manifest file that cannot be read) is an
   * error naming it (`true`), or falls back to the plain path (`false`). Strict in production, so a typo in a
   * template fails loudly instead of serving an uncacheable or missing file.
   * @default NODE_ENV === 'production'
   */
  strict?: boolean;
}

/**
 * Builds the function that turns a static path into its URL: the hashed name from the manifest
 * when there is one, so the file can be cached forever. Give it to the templates as `staticUrl`.
 *
 * @example
 * const staticUrl = staticUrls({ manifest: 'staticfiles/manifest.json' })
 * staticUrl('css/app.css') // '/static/css/app.3f2a9c1b.css'
 * const app = rampart({ templates: templates({ staticUrl }) }) // {{ static('css/app.css') }}
 * @see docs/static.md
 */
export function staticUrls(options: StaticUrlsOptions = {}): (path: string) => string {
  const strict = options.strict ?? process.env['NODE_ENV'] === 'production';
  const rawPrefix = options.prefix ?? '/static/';
  const prefix = rawPrefix.endsWith('/') ? rawPrefix : rawPrefix + '/';
  let manifest: StaticManifest | null = null;
  let source = 'the manifest';
  if (typeof options.manifest === 'string') {
    source = options.manifest;
    try {
      manifest = loadManifest(options.manifest);
    } catch (err) {
      // Developing before the first collectstatic is normal; a broken manifest never is.
      if (strict || (err as StaticError).code !== 'E_STATIC_MANIFEST_NOT_FOUND') throw err;
    }
  } else if (options.manifest !== undefined) {
    manifest = checkManifest(options.manifest, 'given to staticUrls()');
  }
  return function staticUrl(path: string): string {
    if (typeof path !== 'string' || !isRelativePath(path)) {
      throw new StaticError('E_STATIC_PATH_INVALID', `staticUrl(): '${String(path).slice(0, 200)}' is not a relative path inside the static folder.`, {
        hint: "Write it like 'css/app.css': no leading '/', no '.', '..' or empty segments, no backslash.",
      });
    }
    let target = path;
    if (manifest !== null && Object.hasOwn(manifest, path)) target = manifest[path]!;
    else if (strict && manifest !== null) {
      throw new StaticError('E_STATIC_MANIFEST_ENTRY_MISSING', `staticUrl('${path}'): the file is not in ${source}.`, {
        hint: 'Check the path for a typo, or run collectstatic() again so the manifest lists the file.',
      });
    }
    return prefix + target.split('/').map(encodeURIComponent).join('/');
  };
}
