/**
 * `serveStatic()`: the route handler that serves a folder of static files, in development and in
 * production, with validators and 304s, precompressed variants, single byte ranges, and the
 * long-lived caching that content-hashed names allow.
 *
 * @module
 */
import { realpathSync, statSync } from 'node:fs';
import { join, parse, resolve } from 'node:path';
import { Readable } from 'node:stream';
import type { Context } from '../http/context.js';
import { HttpError, notFound } from '../http/errors.js';
import { HttpResponse } from '../http/response.js';
import { acceptedCodings, type Coding } from './accept-encoding.js';
import { notModified, parseRange, validators } from './conditional.js';
import { contentTypeFor, isCompressible } from './content-type.js';
import { StaticError } from './errors.js';
import { loadManifest, checkManifest, type StaticManifest } from './manifest.js';
import { openInside, safeSegments, type OpenedFile } from './safe-path.js';

/**
 * The secure defaults of static files, each with the threat or failure it stops.
 */
export const STATIC_DEFAULTS = Object.freeze({
  /** Files without a hashed name are revalidated on every use (`no-cache`): after a deploy, a
   * browser never keeps running yesterday's script against today's HTML. The ETag makes the
   * revalidation a body-less 304. */
  maxAgeSeconds: 0,
  /** Hashed names change whenever their content does, so they may be cached for a year and
   * never revalidated (`immutable`). */
  immutableMaxAgeSeconds: 31_536_000,
  /** `.br`/`.gz` siblings are served to clients that accept them. */
  precompressed: true,
  /** Single byte ranges (206/416) for media seeking and resumed downloads. */
  ranges: true,
  /** Names starting with a dot are 404: `.env`, `.git/config`, `.htpasswd` copied into the
   * folder by mistake must never be downloadable. */
  dotfiles: false,
  /** Longer decoded paths are 404 without touching the disk (filesystem work on attacker-sized
   * input). */
  maxPathLength: 1024,
  /** Name of the manifest `collectstatic()` writes at the top of its output folder. */
  manifestName: 'manifest.json',
});

/** Options of `serveStatic()`. */
export interface ServeStaticOptions {
  /** The folder to serve, relative to the working directory. It must exist when the app starts. */
  dir: string;
  /**
   * The manifest of `collectstatic()`: `true` for `<dir>/manifest.json`, a file path, or the
   * object. Files named by its hashed paths get `Cache-Control: public, max-age=31536000, immutable`.
   * @default undefined (no file is treated as hashed)
   */
  manifest?: boolean | string | StaticManifest;
  /** Cache lifetime of the other files; `0` sends `Cache-Control: no-cache`. @default 0 */
  maxAgeSeconds?: number;
  /** Serve `file.br` / `file.gz` when present, newer than the file and accepted. @default true */
  precompressed?: boolean;
  /** Answer single `Range: bytes=…` requests with 206 (416 when out of bounds). @default true */
  ranges?: boolean;
  /** Serve names that start with a dot. @default false */
  dotfiles?: boolean;
}

/** The handler `serveStatic()` returns; register it on a route ending in a `*wildcard`. */
export type StaticHandler = (req: Context<unknown>) => Promise<HttpResponse>;

const ALLOW = 'GET, HEAD';

function invalid(message: string): never {
  throw new StaticError('E_STATIC_OPTIONS_INVALID', `serveStatic(): ${message}.`, {
    hint: "Example: app.get('/static/*path', serveStatic({ dir: 'static', maxAgeSeconds: 0 }))",
  });
}

function rootOf(dir: unknown): string {
  if (typeof dir !== 'string' || dir === '') invalid('`dir` must name a folder');
  let root: string;
  try {
    root = realpathSync(resolve(dir));
    if (!statSync(root).isDirectory()) throw new Error('not a directory');
  } catch (err) {
    throw new StaticError('E_STATIC_DIR_MISSING', `serveStatic(): the folder '${dir}' (${resolve(dir)}) does not exist or is not a folder.`, {
      hint: 'Create it, or pass the right `dir`. Paths are relative to the working directory.',
      cause: err,
    });
  }
  if (parse(root).root === root) invalid(`'${dir}' is the root of the filesystem; serve a folder made for static files`);
  return root;
}

function hashedSet(manifest: ServeStaticOptions['manifest'], root: string): ReadonlySet<string> {
  if (manifest === undefined || manifest === false) return new Set();
  const m =
    manifest === true ? loadManifest(join(root, STATIC_DEFAULTS.manifestName)) : typeof manifest === 'string' ? loadManifest(manifest) : checkManifest(manifest, 'given to serveStatic()');
  return new Set(Object.values(m));
}

/**
 * Serves the files of a folder under a route that ends in a wildcard. Every path that does not
 * name a regular file inside the folder is a 404: `..` in any encoding, absolute paths, dotfiles,
 * directories, and symlinks that lead outside. Responses keep the app's security headers.
 *
 * @example
 * app.get('/static/*path', serveStatic({ dir: 'static' }))
 * // production, after collectstatic():
 * app.get('/static/*path', serveStatic({ dir: 'staticfiles', manifest: true }))
 * @see docs/static.md
 */
export function serveStatic(options: ServeStaticOptions): StaticHandler {
  const root = rootOf(options.dir);
  const maxAge = options.maxAgeSeconds ?? STATIC_DEFAULTS.maxAgeSeconds;
  if (!Number.isSafeInteger(maxAge) || maxAge < 0) invalid('`maxAgeSeconds` must be a whole number of seconds, 0 or more');
  const dotfiles = options.dotfiles ?? STATIC_DEFAULTS.dotfiles;
  const precompressed = options.precompressed ?? STATIC_DEFAULTS.precompressed;
  const ranges = options.ranges ?? STATIC_DEFAULTS.ranges;
  const hashed = hashedSet(options.manifest, root);
  const plainCache = maxAge === 0 ? 'no-cache' : `public, max-age=${maxAge}`;
  const immutableCache = `public, max-age=${STATIC_DEFAULTS.immutableMaxAgeSeconds}, immutable`;
  const wildcards = new Map<string, string | null>();

  function requestedPath(req: Context<unknown>): string {
    const pattern = req.route?.pattern ?? '';
    let name = wildcards.get(pattern);
    if (name === undefined) {
      const last = pattern.slice(pattern.lastIndexOf('/') + 1);
      name = last.startsWith('*') ? last.slice(1) : null;
      wildcards.set(pattern, name);
    }
    if (name === null) {
      throw new StaticError('E_STATIC_ROUTE_NO_WILDCARD', `serveStatic() is registered on '${pattern}', which does not end in a *wildcard.`, {
        hint: "Register it like app.get('/static/*path', serveStatic({ dir: 'static' })).",
      });
    }
    const value = (req.params as Record<string, unknown>)[name];
    return typeof value === 'string' ? value : '';
  }

  async function pickVariant(req: Context<unknown>, segments: readonly string[], file: OpenedFile): Promise<{ file: OpenedFile; coding: Coding | null }> {
    const accepted = acceptedCodings(req.headers['accept-encoding']);
    const last = segments.length - 1;
    for (const coding of accepted) {
      const name = segments.slice(0, last).concat(segments[last]! + coding.suffix);
      const variant = await openInside(root, name, dotfiles);
      if (variant === null) continue;
      // A variant older than its file is left over from a previous version: never serve it.
      if (variant.stats.mtimeMs >= file.stats.mtimeMs) {
        await file.handle.close();
        return { file: variant, coding };
      }
      await variant.handle.close();
    }
    return { file, coding: null };
  }

  return async function serveStatic(req: Context<unknown>): Promise<HttpResponse> {
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      throw new HttpError(405, `${req.method} is not allowed here; allowed: ${ALLOW}.`, { code: 'E_HTTP_METHOD_NOT_ALLOWED', headers: { allow: ALLOW } });
    }
    const wanted = requestedPath(req);
    const segments = safeSegments(wanted, dotfiles, STATIC_DEFAULTS.maxPathLength);
    if (segments === null) throw notFound();
    const original = await openInside(root, segments, dotfiles);
    if (original === null) throw notFound();
    let file = original;
    let coding: Coding | null = null;
    try {
      const type = contentTypeFor(segments[segments.length - 1]!);
      if (precompressed) ({ file, coding } = await pickVariant(req, segments, original));
      const { size, mtimeMs } = file.stats;
      const v = validators(size, mtimeMs, coding?.name ?? null);
      const headers: Record<string, string> = {
        etag: v.etag,
        'last-modified': v.lastModified,
        'cache-control': hashed.has(segments.join('/')) ? immutableCache : plainCache,
      };
      if (precompressed && (coding !== null || isCompressible(type))) headers['vary'] = 'accept-encoding';
      if (notModified(header(req, 'if-none-match'), header(req, 'if-modified-since'), v)) {
        await file.handle.close();
        return new HttpResponse(null, { status: 304, headers });
      }
      headers['content-type'] = type;
      if (coding !== null) headers['content-encoding'] = coding.name;
      if (ranges) headers['accept-ranges'] = 'bytes';
      const range = ranges ? parseRange(header(req, 'range'), header(req, 'if-range'), size, v) : null;
      if (range === 'unsatisfiable') {
        await file.handle.close();
        headers['content-range'] = `bytes */${size}`;
        delete headers['content-type'];
        return new HttpResponse(null, { status: 416, headers });
      }
      const start = range?.start ?? 0;
      const end = range?.end ?? size - 1;
      headers['content-length'] = String(end - start + 1);
      if (range !== null) headers['content-range'] = `bytes ${start}-${end}/${size}`;
      const status = range === null ? 200 : 206;
      if (req.method === 'HEAD' || size === 0) {
        await file.handle.close();
        return new HttpResponse(Readable.from([]), { status, headers });
      }
      // Streamed from the descriptor that was checked; the stream closes it at the end, on error,
      // and when the client goes away (the response pipeline destroys it).
      return new HttpResponse(file.handle.createReadStream({ start, end }), { status, headers });
    } catch (err) {
      await file.handle.close().catch(() => undefined);
      if (file !== original) await original.handle.close().catch(() => undefined);
      throw err;
    }
  };
}

function header(req: Context<unknown>, name: string): string | undefined {
  const value = req.headers[name];
  return typeof value === 'string' ? value : undefined;
}
