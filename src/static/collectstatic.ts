/**
 * `collectstatic()`: gathers the static files of the app and of its batteries into one folder,
 * each under its own name and under a content-hashed name, writes the manifest that maps one to
 * the other, and precompresses text files.
 *
 * @module
 */
import { createHash, randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream, type Dirent } from 'node:fs';
import { copyFile, mkdir, readdir, readFile, realpath, rename, rm, stat, writeFile } from 'node:fs/promises';
import { basename, dirname, join, resolve, sep } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { constants as zlib, createBrotliCompress, createGzip } from 'node:zlib';
import { CODINGS, type Coding } from './accept-encoding.js';
import { contentTypeFor, isCompressible } from './content-type.js';
import { cssReferences, rewriteCssReferences } from './css-references.js';
import { StaticError } from './errors.js';
import type { StaticManifest } from './manifest.js';
import { safeSegments } from './safe-path.js';
import { STATIC_DEFAULTS } from './serve-static.js';

/** One folder of static files and where its files go in the output. */
export interface StaticSource {
  /** The folder, relative to the working directory. */
  dir: string;
  /** Folder inside the output its files go to, e.g. `'admin'`. @default '' (the top) */
  prefix?: string;
}

/** Options of `collectstatic()`. */
export interface CollectStaticOptions {
  /** Folders to collect, in order of precedence: for a path several provide, the first wins. */
  sources: readonly StaticSource[];
  /** The output folder (created if needed); serve it with `serveStatic({ dir: out, manifest: true })`. */
  out: string;
  /**
   * Write `.br` and `.gz` files next to text files (CSS, JS, SVG, JSON…) when that makes them
   * at least 5% smaller. A source's own `.br`/`.gz` files are copied as they are.
   * @default true
   */
  compress?: boolean;
}

/** What `collectstatic()` did. */
export interface CollectStaticResult {
  /** Absolute path of the output folder. */
  readonly out: string;
  /** Absolute path of the manifest it wrote. */
  readonly manifestPath: string;
  /** Original path → hashed path, as written to the manifest. */
  readonly manifest: StaticManifest;
  /** Paths more than one source provides; the first source's file was used. */
  readonly overridden: readonly string[];
}

const HASH_LENGTH = 8;
/** A compressed variant must save at least this share of the bytes to be worth a second file. */
const MIN_SAVING = 0.05;

interface Collected {
  readonly source: string;
  readonly variants: Map<string, string>; // suffix → absolute source path
}

/**
 * The hashed form of a relative path: the hash goes before the last extension.
 *
 * @example
 * hashedName('css/app.min.css', '3f2a9c1b') // 'css/app.min.3f2a9c1b.css'
 * hashedName('LICENSE', '3f2a9c1b')         // 'LICENSE.3f2a9c1b'
 */
export function hashedName(path: string, hash: string): string {
  const slash = path.lastIndexOf('/');
  const dot = path.lastIndexOf('.');
  if (dot <= slash + 1) return `${path}.${hash}`;
  return `${path.slice(0, dot)}.${hash}${path.slice(dot)}`;
}

function fail(code: string, message: string, hint: string): never {
  throw new StaticError(code, `collectstatic(): ${message}.`, { hint });
}

function normalizePrefix(prefix: string | undefined): string {
  const p = (prefix ?? '').replace(/^\/+|\/+$/g, '');
  if (p !== '' && safeSegments(p, false, STATIC_DEFAULTS.maxPathLength) === null) {
    fail('E_STATIC_OPTIONS_INVALID', `the prefix '${prefix}' is not a plain relative folder name`, "Use a name such as 'admin' or 'vendor/chart'.");
  }
  return p;
}

/** The real path of `path`, or of its nearest existing ancestor followed by the rest. */
async function realOrResolved(path: string): Promise<string> {
  try {
    return await realpath(path);
  } catch {
    const parent = dirname(path);
    return parent === path ? path : join(await realOrResolved(parent), basename(path));
  }
}

function inside(child: string, parent: string): boolean {
  return child === parent || child.startsWith(parent.endsWith(sep) ? parent : parent + sep);
}

/**
 * Every regular file under `root` as a relative `/` path, sorted. Dot-named files and folders are
 * skipped (never publish `.env` or `.git`), as are symlinks that lead outside the folder and
 * symlinked folders (a link cycle must not make the walk endless).
 */
async function listFiles(root: string): Promise<string[]> {
  const out: string[] = [];
  const stack = [''];
  while (stack.length > 0) {
    const rel = stack.pop()!;
    const entries: Dirent[] = await readdir(join(root, rel), { withFileTypes: true });
    for (const e of entries) {
      if (e.name.startsWith('.')) continue;
      const childRel = rel === '' ? e.name : `${rel}/${e.name}`;
      if (e.isDirectory()) stack.push(childRel);
      else if (e.isFile()) out.push(childRel);
      else if (e.isSymbolicLink()) {
        try {
          const real = await realpath(join(root, childRel));
          if (inside(real, root) && real !== root && (await stat(real)).isFile()) out.push(childRel);
        } catch {
          // a dangling link is not a file
        }
      }
    }
  }
  return out.sort();
}

async function sha256(path: string): Promise<string> {
  const hash = createHash('sha256');
  await pipeline(createReadStream(path), hash);
  return hash.digest('hex').slice(0, HASH_LENGTH);
}

function tempNameFor(dest: string): string {
  return `${dest}.${randomBytes(6).toString('hex')}.tmp`;
}

/**
 * The hashed name of every file, and the rewritten text of the stylesheets whose references to
 * other collected files changed. A stylesheet is hashed after what it refers to (its text holds
 * their hashed names); a reference cycle between stylesheets keeps the unhashed name.
 */
async function hashAll(files: ReadonlyMap<string, Collected>): Promise<{ manifest: Record<string, string>; rewritten: Map<string, string> }> {
  const manifest = Object.create(null) as Record<string, string>;
  const rewritten = new Map<string, string>();
  const visiting = new Set<string>();
  const texts = new Map<string, string>();
  for (const [rel, entry] of files) if (rel.endsWith('.css')) texts.set(rel, await readFile(entry.source, 'utf8'));
  const hashOf = async (rel: string): Promise<string | undefined> => {
    if (manifest[rel] !== undefined) return manifest[rel];
    const entry = files.get(rel);
    if (entry === undefined || visiting.has(rel)) return undefined;
    const text = texts.get(rel);
    if (text === undefined) return (manifest[rel] = hashedName(rel, await sha256(entry.source)));
    visiting.add(rel);
    // Hash what the stylesheet refers to first, then rewrite with the results.
    const known = new Map<string, string>();
    for (const target of cssReferences(text, rel)) {
      const h = await hashOf(target);
      if (h !== undefined) known.set(target, h);
    }
    const out = rewriteCssReferences(text, rel, (target) => known.get(target));
    visiting.delete(rel);
    if (out === text) return (manifest[rel] = hashedName(rel, await sha256(entry.source)));
    rewritten.set(rel, out);
    return (manifest[rel] = hashedName(rel, createHash('sha256').update(out).digest('hex').slice(0, HASH_LENGTH)));
  };
  for (const rel of [...files.keys()].sort()) await hashOf(rel);
  return { manifest, rewritten };
}

/** Writes `dest` through a temporary file and a rename, so a running server never reads half a file. */
async function replaceFile(dest: string, write: (tmp: string) => Promise<void>): Promise<void> {
  await mkdir(dirname(dest), { recursive: true });
  const tmp = tempNameFor(dest);
  try {
    await write(tmp);
    await rename(tmp, dest);
  } catch (err) {
    await rm(tmp, { force: true });
    throw err;
  }
}

function place(src: string, dest: string): Promise<void> {
  return replaceFile(dest, (tmp) => copyFile(src, tmp));
}

function writeThrough(dest: string, text: string): Promise<void> {
  return replaceFile(dest, (tmp) => writeFile(tmp, text));
}

/** Compresses `src` into `dest` if the result is small enough to be worth it; returns whether it did. */
async function compressInto(src: string, dest: string, coding: Coding, size: number): Promise<boolean> {
  const tmp = tempNameFor(dest);
  const compressor =
    coding.name === 'br'
      ? createBrotliCompress({ params: { [zlib.BROTLI_PARAM_QUALITY]: zlib.BROTLI_MAX_QUALITY, [zlib.BROTLI_PARAM_MODE]: zlib.BROTLI_MODE_TEXT, [zlib.BROTLI_PARAM_SIZE_HINT]: size } })
      : createGzip({ level: zlib.Z_BEST_COMPRESSION });
  try {
    await pipeline(createReadStream(src), compressor, createWriteStream(tmp));
    if ((await stat(tmp)).size > size * (1 - MIN_SAVING)) {
      await rm(tmp, { force: true });
      return false;
    }
    await rename(tmp, dest);
    return true;
  } catch (err) {
    await rm(tmp, { force: true });
    throw err;
  }
}

/**
 * Collects static files into `out`: each file under its own path and under a content-hashed
 * one (`css/app.css` and `css/app.3f2a9c1b.css`), `.br`/`.gz` variants of text files, and
 * `manifest.json` (original → hashed). Files already in `out` that no source provides are left
 * alone, so pages cached by clients keep working through a deploy.
 *
 * @example
 * await collectstatic({ sources: [{ dir: 'static' }, { dir: adminStaticDir, prefix: 'admin' }], out: 'staticfiles' })
 * // staticfiles/css/app.css, staticfiles/css/app.3f2a9c1b.css(.br|.gz), staticfiles/manifest.json
 * @see docs/static.md
 */
export async function collectstatic(options: CollectStaticOptions): Promise<CollectStaticResult> {
  if (!Array.isArray(options.sources) || options.sources.length === 0) {
    fail('E_STATIC_COLLECT_SOURCE_MISSING', 'no sources were given', "Pass at least one: collectstatic({ sources: [{ dir: 'static' }], out: 'staticfiles' }).");
  }
  if (typeof options.out !== 'string' || options.out === '') fail('E_STATIC_OPTIONS_INVALID', '`out` must name a folder', "Pass out: 'staticfiles'.");
  const compress = options.compress ?? true;
  const outAbs = resolve(options.out);
  const outReal = await realOrResolved(outAbs);
  const manifestName = STATIC_DEFAULTS.manifestName;

  const files = new Map<string, Collected>();
  const overridden: string[] = [];
  for (const source of options.sources) {
    const prefix = normalizePrefix(source.prefix);
    let root: string;
    try {
      root = await realpath(resolve(source.dir));
      if (!(await stat(root)).isDirectory()) throw new Error('not a directory');
    } catch {
      fail('E_STATIC_COLLECT_SOURCE_MISSING', `the source folder '${source.dir}' (${resolve(source.dir)}) does not exist or is not a folder`, 'Check the path; it is relative to the working directory.');
    }
    if (inside(outReal, root) || inside(root, outReal)) {
      fail('E_STATIC_COLLECT_OVERLAP', `the output folder ${outReal} and the source ${root} contain one another`, "Collect into a separate folder, e.g. out: 'staticfiles' next to 'static'.");
    }
    const list = await listFiles(root);
    const present = new Set(list);
    const mine = new Map<string, Collected>();
    for (const rel of list) {
      const coding = CODINGS.find((c) => rel.endsWith(c.suffix) && present.has(rel.slice(0, -c.suffix.length)));
      if (coding !== undefined) continue; // attached to its file below
      const variants = new Map<string, string>();
      for (const c of CODINGS) if (present.has(rel + c.suffix)) variants.set(c.suffix, join(root, rel + c.suffix));
      mine.set(prefix === '' ? rel : `${prefix}/${rel}`, { source: join(root, rel), variants });
    }
    for (const [rel, entry] of mine) {
      if (rel === manifestName) {
        fail('E_STATIC_COLLECT_CONFLICT', `the source '${source.dir}' has a file named ${manifestName} at the top, where the manifest goes`, `Rename that file or move it into a folder; a web app manifest is usually named 'site.webmanifest'.`);
      }
      if (files.has(rel)) overridden.push(rel);
      else files.set(rel, entry);
    }
  }

  const { manifest, rewritten } = await hashAll(files);
  for (const rel of [...files.keys()].sort()) {
    const entry = files.get(rel)!;
    const hashed = manifest[rel]!;
    const dest = join(outAbs, ...rel.split('/'));
    const hashedDest = join(outAbs, ...hashed.split('/'));
    // Originals first: a variant is served only when it is at least as new as its file.
    await place(entry.source, dest);
    const css = rewritten.get(rel);
    if (css === undefined) await place(entry.source, hashedDest);
    else await writeThrough(hashedDest, css);
    const size = (await stat(entry.source)).size;
    for (const coding of CODINGS) {
      const own = entry.variants.get(coding.suffix);
      let written = false;
      if (own !== undefined) {
        await place(own, dest + coding.suffix);
        written = true;
      } else if (compress && isCompressible(contentTypeFor(rel))) {
        written = await compressInto(entry.source, dest + coding.suffix, coding, size);
      }
      if (css !== undefined) {
        // The hashed stylesheet differs from the original: its own variants, or none.
        const fresh = compress && (await compressInto(hashedDest, hashedDest + coding.suffix, coding, Buffer.byteLength(css)));
        if (!fresh) await rm(hashedDest + coding.suffix, { force: true });
        if (!written) await rm(dest + coding.suffix, { force: true });
      } else if (written) await place(dest + coding.suffix, hashedDest + coding.suffix);
      else {
        // A variant left by an earlier run would describe older content: remove it.
        await rm(dest + coding.suffix, { force: true });
        await rm(hashedDest + coding.suffix, { force: true });
      }
    }
  }

  const manifestPath = join(outAbs, manifestName);
  const tmp = tempNameFor(manifestPath);
  await mkdir(outAbs, { recursive: true });
  await writeFile(tmp, JSON.stringify(manifest, null, 2) + '\n');
  await rename(tmp, manifestPath);
  return { out: outAbs, manifestPath, manifest: Object.freeze(manifest), overridden: Object.freeze(overridden) };
}
