/**
 * Receiving one file part: count its bytes against the field's limit, sniff its type from the
 * first bytes, check the type against the field's allowlist, and stream it to storage, checking
 * plain text to its last byte. Any refusal is thrown before or while the bytes stream, so the
 * storage removes what it wrote.
 *
 * @module
 */
import { Readable } from 'node:stream';
import type { Storage } from './storage/storage.js';
import { fileTooLarge, notPlainText, typeRefused } from './multipart-refusals.js';
import { UPLOAD_ERRORS, UploadError } from './uploads/errors.js';
import { sanitizeFilename } from './uploads/filename.js';
import type { ResolvedFileField } from './uploads/limits.js';
import { SNIFF_BYTES, TEXT_TYPE, sniffContentType, type TextCheck } from './uploads/sniff.js';
import { UploadedFile } from './uploads/uploaded-file.js';

/** A file part as the parser hands it over. */
export interface FilePart {
  readonly field: string;
  readonly stream: Readable;
  /** The name from the part header, not yet sanitized. */
  readonly filename: string | undefined;
  readonly declaredType: string;
}

/** Reads a part to its end; true when it had no bytes. */
export function isEmpty(stream: Readable): Promise<boolean> {
  return new Promise((resolve) => {
    let empty = true;
    stream.on('data', () => (empty = false));
    stream.once('end', () => resolve(empty));
    // Destroyed by a refusal elsewhere: the answer no longer matters.
    stream.once('close', () => resolve(empty));
  });
}

/**
 * Stores one file part, or throws the `UploadError` that refuses it. Resolves to null for the
 * part of a file input left empty.
 *
 * @example const file = await receiveFile(part, spec, storage)
 */
export async function receiveFile(part: FilePart, spec: ResolvedFileField, storage: Storage, drainOnRefusal = false): Promise<UploadedFile | null> {
  const chunks = part.stream[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
  try {
    return await store(part, spec, storage, chunks);
  } catch (err) {
    // Skipping the file: read (and drop) the rest of its bytes so the parser reaches the parts
    // after it. The body's own size limit still counts them.
    if (drainOnRefusal && isFileRefusal(err)) while ((await chunks.next()).done !== true);
    throw err;
  }
}

/** Whether an error refuses one file (and not the request as a whole). */
export function isFileRefusal(err: unknown): err is UploadError {
  return err instanceof UploadError && err.field !== undefined && FILE_REFUSALS.has(err.code);
}

const FILE_REFUSALS: ReadonlySet<string> = new Set([UPLOAD_ERRORS.typeRefused, UPLOAD_ERRORS.fileTooLarge, UPLOAD_ERRORS.tooManyFiles]);

async function store(part: FilePart, spec: ResolvedFileField, storage: Storage, chunks: AsyncIterator<Buffer>): Promise<UploadedFile | null> {
  const { field } = part;
  let size = 0;
  // The error that refused the file while it streamed; the storage may wrap or replace the error
  // it sees, so this one is what the client gets.
  let refusal: UploadError | null = null;

  const next = async (): Promise<Buffer | null> => {
    const r = await chunks.next();
    if (r.done === true) return null;
    size += r.value.length;
    if (size > spec.maxFileBytes) throw (refusal = fileTooLarge(field, spec.maxFileBytes));
    return r.value;
  };

  const headChunks: Buffer[] = [];
  let headSize = 0;
  let complete = false;
  while (headSize < SNIFF_BYTES) {
    const chunk = await next();
    if (chunk === null) {
      complete = true;
      break;
    }
    headChunks.push(chunk);
    headSize += chunk.length;
  }
  const head = Buffer.concat(headChunks, headSize);
  // A file input left empty: no name and no bytes. Nothing to store.
  if (complete && headSize === 0 && (part.filename === undefined || part.filename === '')) return null;
  // The type is decided on exactly the first SNIFF_BYTES, whatever the chunking of the body, so
  // the same file gets the same answer over any connection.
  const sniffed = await sniffContentType(head.subarray(0, SNIFF_BYTES), complete && headSize <= SNIFF_BYTES);
  if (!spec.accept.has(sniffed.type)) throw typeRefused(field, sniffed.type, spec.accept);
  const text: TextCheck | null = sniffed.type === TEXT_TYPE ? sniffed.text : null;

  async function* body(): AsyncGenerator<Buffer> {
    if (text !== null && headSize > SNIFF_BYTES && !text.push(head.subarray(SNIFF_BYTES))) throw (refusal = notPlainText(field));
    if (head.length > 0) yield head;
    if (!complete) {
      for (let chunk = await next(); chunk !== null; chunk = await next()) {
        if (text !== null && !text.push(chunk)) throw (refusal = notPlainText(field));
        yield chunk;
      }
    }
    if (text !== null && !text.end()) throw (refusal = notPlainText(field));
  }

  try {
    const info = await storage.save(Readable.from(body(), { objectMode: false }), {
      filename: sanitizeFilename(part.filename),
      contentType: sniffed.type,
    });
    return new UploadedFile(storage, field, info, part.declaredType);
  } catch (err) {
    throw refusal ?? err;
  }
}
