/**
 * Serving stored uploads back, from a route the app guards itself.
 *
 * @module
 */
import { parseMediaType } from '../../http/media-type.js';
import { HttpResponse } from '../../http/response.js';
import { isStorageKey, type Storage } from '../storage/storage.js';
import { UPLOAD_ERRORS, UploadError } from './errors.js';
import { contentDisposition } from './filename.js';
import { TEXT_TYPE, UNKNOWN_TYPE } from './sniff.js';

/** Options of `serveUpload()`. */
export interface ServeUploadOptions {
  /** The download name, instead of the stored one (sanitized either way). */
  readonly filename?: string;
  /**
   * Show the file in the browser instead of downloading it. Honoured only for the raster image
   * types of `INLINE_UPLOAD_TYPES`; every other type is always an attachment.
   * @default false
   */
  readonly inline?: boolean;
  /** Cache-Control. @default 'private, no-cache' */
  readonly cacheControl?: string;
}

/**
 * Types that may be shown inline: raster images, which a browser never runs as a document. SVG
 * (script), HTML and everything else are always downloads.
 */
export const INLINE_UPLOAD_TYPES: readonly string[] = Object.freeze(['image/png', 'image/jpeg', 'image/gif', 'image/webp']);

/** Headers of every served upload, each with the threat it stops. */
export const SERVE_UPLOAD_DEFAULTS = Object.freeze({
  // Uploads are usually behind a login: shared caches and proxies must not keep a copy.
  cacheControl: 'private, no-cache',
  // Even if a browser were made to render the file as a page, it runs with no script, no forms,
  // no same-origin access (stored XSS through an uploaded HTML, SVG or PDF).
  contentSecurityPolicy: 'sandbox',
  // The browser uses our Content-Type and never guesses HTML from the bytes.
  contentTypeOptions: 'nosniff',
});

function notFound(): UploadError {
  return new UploadError(404, UPLOAD_ERRORS.notFound, 'No such upload.');
}

function headerType(stored: string): string {
  const media = parseMediaType(stored);
  if (media === null) return UNKNOWN_TYPE;
  return media.essence === TEXT_TYPE ? 'text/plain; charset=utf-8' : media.essence;
}

/**
 * Answers with a stored upload, streamed, as a download (`Content-Disposition: attachment` with
 * the RFC 6266 `filename*`), under `nosniff` and `Content-Security-Policy: sandbox`. A key that
 * cannot be a storage key (a dot, a slash, `%`…) is a 404 without asking the storage; an unknown
 * key is a 404 too. Guard the route yourself: anyone who can reach it and knows a key gets the file.
 *
 * @throws UploadError 404 `E_UPLOAD_NOT_FOUND`.
 * @see docs/uploads.md#serving-uploads
 *
 * @example
 * app.get('/files/:key', async (req) => {
 *   await requireOwner(req, req.params.key)
 *   return serveUpload(storage, String(req.params.key))
 * })
 */
export async function serveUpload(storage: Storage, key: string, options: ServeUploadOptions = {}): Promise<HttpResponse> {
  if (!isStorageKey(key)) throw notFound();
  const info = await storage.stat(key);
  if (info === null) throw notFound();
  const body = await storage.open(key);
  if (body === null) throw notFound();
  const type = headerType(info.contentType);
  const inline = options.inline === true && INLINE_UPLOAD_TYPES.includes(type);
  return new HttpResponse(body, {
    status: 200,
    headers: {
      'content-type': type,
      'content-length': String(info.size),
      'content-disposition': contentDisposition(inline ? 'inline' : 'attachment', options.filename ?? info.filename),
      'x-content-type-options': SERVE_UPLOAD_DEFAULTS.contentTypeOptions,
      'content-security-policy': SERVE_UPLOAD_DEFAULTS.contentSecurityPolicy,
      'cache-control': options.cacheControl ?? SERVE_UPLOAD_DEFAULTS.cacheControl,
    },
  });
}
