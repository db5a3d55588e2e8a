/**
 * Helpers of the form tests: multipart bodies written byte by byte, tiny real images, a temporary
 * upload folder, and the shape of the 422 a form answers with.
 */
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LocalStorage } from 'rampart/forms';

const BOUNDARY = '----RampartFormsTestBoundary1f9Qx';

export type Part = { readonly name: string; readonly value: string } | { readonly name: string; readonly filename: string; readonly type?: string; readonly data: string | Buffer };

/** A multipart/form-data body and its Content-Type header. */
export function multipart(parts: readonly Part[]): { body: Buffer; headers: Record<string, string> } {
  const chunks: Buffer[] = [];
  for (const p of parts) {
    chunks.push(Buffer.from(`--${BOUNDARY}\r\n`));
    if ('filename' in p) {
      chunks.push(Buffer.from(`Content-Disposition: form-data; name="${p.name}"; filename="${p.filename}"\r\nContent-Type: ${p.type ?? 'application/octet-stream'}\r\n\r\n`));
      chunks.push(Buffer.from(p.data));
    } else {
      chunks.push(Buffer.from(`Content-Disposition: form-data; name="${p.name}"\r\n\r\n`), Buffer.from(p.value));
    }
    chunks.push(Buffer.from('\r\n'));
  }
  chunks.push(Buffer.from(`--${BOUNDARY}--\r\n`));
  return { body: Buffer.concat(chunks), headers: { 'content-type': `multipart/form-data; boundary=${BOUNDARY}` } };
}

/** A real 1×1 PNG. */
export const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==', 'base64');
/** A real 1×1 GIF. */
export const GIF = Buffer.from('R0lGODlhAQABAIAAAP///wAAACH5BAEAAAAALAAAAAABAAEAAAICRAEAOw==', 'base64');

/** A fresh upload folder and its storage; `files()` lists what is stored. */
export function tempStorage(): { storage: LocalStorage; files: () => string[]; cleanup: () => void } {
  const root = mkdtempSync(join(tmpdir(), 'rampart-forms-'));
  const dir = join(root, 'uploads');
  const files = (): string[] => {
    try {
      return readdirSync(dir).sort();
    } catch {
      return [];
    }
  };
  return { storage: new LocalStorage(dir), files, cleanup: () => rmSync(root, { recursive: true, force: true }) };
}

/** The JSON body of a 422 for an invalid form. */
export interface FormErrorBody {
  error: { status: number; message: string; code: string; details: { fields: Record<string, string[]> } };
}
