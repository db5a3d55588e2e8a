/**
 * Content types of static files, from a small built-in table of the types the web uses. Responses
 * carry `X-Content-Type-Options: nosniff`, so the browser trusts this type and never guesses: a
 * wrong type breaks a script or a stylesheet rather than running something as what it is not.
 *
 * @module
 */

/** The type of a file whose extension the table does not know: downloaded, never rendered. */
export const UNKNOWN_TYPE = 'application/octet-stream';

const UTF8 = '; charset=utf-8';

/** Extension (lower case, without the dot) → Content-Type. Text types say their charset. */
export const CONTENT_TYPES: Readonly<Record<string, string>> = Object.freeze({
  // documents and code
  html: 'text/html' + UTF8,
  htm: 'text/html' + UTF8,
  css: 'text/css' + UTF8,
  js: 'text/javascript' + UTF8,
  mjs: 'text/javascript' + UTF8,
  cjs: 'text/javascript' + UTF8,
  json: 'application/json' + UTF8,
  map: 'application/json' + UTF8,
  webmanifest: 'application/manifest+json' + UTF8,
  xml: 'application/xml' + UTF8,
  txt: 'text/plain' + UTF8,
  md: 'text/markdown' + UTF8,
  csv: 'text/csv' + UTF8,
  ics: 'text/calendar' + UTF8,
  wasm: 'application/wasm',
  pdf: 'application/pdf',
  // images
  png: 'image/png',
  jpg: 'image/jpeg',
  jpeg: 'image/jpeg',
  gif: 'image/gif',
  webp: 'image/webp',
  avif: 'image/avif',
  svg: 'image/svg+xml' + UTF8,
  ico: 'image/vnd.microsoft.icon',
  bmp: 'image/bmp',
  // fonts
  woff: 'font/woff',
  woff2: 'font/woff2',
  ttf: 'font/ttf',
  otf: 'font/otf',
  // audio and video
  mp3: 'audio/mpeg',
  m4a: 'audio/mp4',
  ogg: 'audio/ogg',
  oga: 'audio/ogg',
  wav: 'audio/wav',
  flac: 'audio/flac',
  mp4: 'video/mp4',
  m4v: 'video/mp4',
  webm: 'video/webm',
  ogv: 'video/ogg',
  vtt: 'text/vtt' + UTF8,
  // archives
  zip: 'application/zip',
  gz: 'application/gzip',
  br: 'application/x-brotli',
  tar: 'application/x-tar',
});

/**
 * The Content-Type for a file name, by its last extension (case-insensitive);
 * `application/octet-stream` when the extension is unknown or missing.
 *
 * @example
 * contentTypeFor('css/app.3f2a9c1b.css') // 'text/css; charset=utf-8'
 * contentTypeFor('LICENSE')               // 'application/octet-stream'
 */
export function contentTypeFor(name: string): string {
  const slash = name.lastIndexOf('/');
  const dot = name.lastIndexOf('.');
  if (dot <= slash + 1) return UNKNOWN_TYPE; // no extension, or a name that is only '.ext'
  const ext = name.slice(dot + 1).toLowerCase();
  return Object.hasOwn(CONTENT_TYPES, ext) ? CONTENT_TYPES[ext]! : UNKNOWN_TYPE;
}

/** Whether compressing a file of this type is worth it (text formats; images and fonts are compressed already). */
export function isCompressible(type: string): boolean {
  return (
    type.startsWith('text/') ||
    type.startsWith('application/json') ||
    type.startsWith('application/manifest+json') ||
    type.startsWith('application/xml') ||
    type.startsWith('image/svg+xml') ||
    type === 'application/wasm' ||
    type === 'image/vnd.microsoft.icon' ||
    type === 'image/bmp' ||
    type === 'font/ttf' ||
    type === 'font/otf'
  );
}
