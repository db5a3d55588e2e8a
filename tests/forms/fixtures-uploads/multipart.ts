/**
 * Helpers for upload tests: multipart bodies built byte by byte (so tests control every header),
 * small real files of each type, an app with upload routes, and upload-folder assertions.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { rampart, type App, type Settings } from 'rampart';
import { LocalStorage, parseMultipart, serveUpload, type MultipartOptions, type Storage } from 'rampart/forms';

export const BOUNDARY = '----RampartTestBoundary7MA4YWxkTrZu0gW';

export type Part =
  | { readonly name: string; readonly value: string | Buffer }
  | { readonly name: string; readonly filename: string; readonly type?: string; readonly data: string | Buffer }
  /** A part written exactly as given (headers and body), for malformed input. */
  | { readonly raw: string | Buffer };

/** A multipart/form-data body. */
export function multipart(parts: readonly Part[], boundary = BOUNDARY): { body: Buffer; headers: Record<string, string> } {
  const chunks: Buffer[] = [];
  for (const part of parts) {
    chunks.push(Buffer.from(`--${boundary}\r\n`));
    if ('raw' in part) {
      chunks.push(Buffer.from(part.raw));
    } else if ('filename' in part) {
      chunks.push(
        Buffer.from(
          `Content-Disposition: form-data; name="${part.name}"; filename="${part.filename}"\r\n` +
            `Content-Type: ${part.type ?? 'application/octet-stream'}\r\n\r\n`,
        ),
      );
      chunks.push(Buffer.from(part.data));
    } else {
      chunks.push(Buffer.from(`Content-Disposition: form-data; name="${part.name}"\r\n\r\n`));
      chunks.push(Buffer.from(part.value));
    }
    chunks.push(Buffer.from('\r\n'));
  }
  chunks.push(Buffer.from(`--${boundary}--\r\n`));
  return { body: Buffer.concat(chunks), headers: { 'content-type': `multipart/form-data; boundary=${boundary}` } };
}

/** A real 1×1 PNG. */
export const PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==',
  'base64',
);
/** A real 1×1 GIF. */
export const GIF = Buffer.from('R0lGODlhAQABAIAAAP///wAAACH5BAEAAAAALAAAAAABAAEAAAICRAEAOw==', 'base64');
/** The head of a JPEG (SOI, APP0/JFIF) followed by filler: enough for the sniffer. */
export const JPEG = Buffer.concat([
  Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10, 0x4a, 0x46, 0x49, 0x46, 0x00, 0x01, 0x01, 0x00, 0x00, 0x01, 0x00, 0x01, 0x00, 0x00]),
  Buffer.alloc(64, 0),
  Buffer.from([0xff, 0xd9]),
]);
/** A WebP header (RIFF … WEBPVP8 ) followed by filler. */
export const WEBP = Buffer.concat([Buffer.from('RIFF'), Buffer.from([0x24, 0, 0, 0]), Buffer.from('WEBPVP8 '), Buffer.alloc(28, 0)]);

/** A PNG of exactly `size` bytes: a real PNG padded after its IEND chunk. */
export function pngOfSize(size: number): Buffer {
  assert.ok(size >= PNG.length);
  return Buffer.concat([PNG, Buffer.alloc(size - PNG.length, 0x20)]);
}

export const HTML_PAGE = '<!doctype html><html><body><h1 id="pwn">owned</h1><script>document.title = "pwned"</script></body></html>';
export const SVG_WITH_SCRIPT =
  '<?xml version="1.0" encoding="UTF-8"?>\n<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><script>alert(1)</script><rect width="10" height="10"/></svg>';

/** A fresh temporary root with an `uploads` folder inside (created on first save). */
export function tempUploads(): { root: string; dir: string; storage: LocalStorage; cleanup: () => void } {
  const root = mkdtempSync(join(tmpdir(), 'rampart-uploads-'));
  const dir = join(root, 'uploads');
  return { root, dir, storage: new LocalStorage(dir), cleanup: () => rmSync(root, { recursive: true, force: true }) };
}

/** Entries of the upload folder (none when it was never created). */
export function entries(dir: string): string[] {
  try {
    return readdirSync(dir).sort();
  } catch {
    return [];
  }
}

/** Asserts the upload folder holds nothing: what a refused request must leave behind. */
export function assertEmpty(dir: string): void {
  assert.deepEqual(entries(dir), []);
}

/** Asserts the folder holds exactly these keys, each as its bytes plus its `.json` metadata. */
export function assertStored(dir: string, keys: readonly string[]): void {
  assert.deepEqual(entries(dir), keys.flatMap((k) => [k, `${k}.json`]).sort());
}

/** The JSON error body Rampart sends for an `UploadError`. */
export function uploadError(status: number, message: string, code: string, details?: { field?: string; limit?: number }): unknown {
  return { error: { status, message, code, ...(details === undefined ? {} : { details }) } };
}

/**
 * An app with `POST /upload` (parseMultipart with the given options; answers the fields and
 * files as JSON) and `GET /files/:key` (serveUpload).
 */
export function uploadApp(storage: Storage, options: Omit<MultipartOptions, 'storage'> = {}, settings: Settings = {}): App {
  const app = rampart({ env: 'test', envFile: false, logLevel: 'silent', ...settings });
  app.post('/upload', async (req) => {
    const form = await parseMultipart(req, { storage, ...options });
    const fields: Record<string, string[]> = Object.create(null) as Record<string, string[]>;
    for (const key of new Set(form.fields.keys())) fields[key] = form.fields.getAll(key);
    return {
      fields,
      files: form.files.map((f) => ({ field: f.field, filename: f.filename, size: f.size, contentType: f.contentType, declaredType: f.declaredType, key: f.key })),
      ...(form.refused.length === 0 ? {} : { refused: form.refused.map((e) => ({ status: e.status, code: e.code, message: e.message })) }),
    };
  });
  app.get('/files/:key', (req) => serveUpload(storage, String(req.params.key)));
  app.get('/inline/:key', (req) => serveUpload(storage, String(req.params.key), { inline: true }));
  return app;
}

/** The JSON an `uploadApp` answers on success. */
export interface UploadResult {
  fields: Record<string, string[]>;
  files: { field: string; filename: string; size: number; contentType: string; declaredType: string; key: string }[];
  /** Only under `fileRefusals: 'collect'` when a file was skipped. */
  refused?: { status: number; code: string; message: string }[];
}
