/**
 * Request body reading with limits. Bodies are read only when a handler asks (`req.json()`,
 * `req.form()`, `req.text()`, `req.bytes()`), once, and never past `maxBodyBytes`.
 *
 * @module
 */
import type { IncomingMessage } from 'node:http';
import { HttpError } from './errors.js';
import { JsonDepthError, JsonForbiddenKeyError, JsonSyntaxError, parseJsonBody } from './json-body.js';
import { isFormContentType, isJsonContentType } from './media-type.js';

export interface BodyLimits {
  readonly maxBodyBytes: number;
  readonly maxJsonDepth: number;
  readonly maxFormFields: number;
}

/** Error codes of body failures, stable for clients and tests. */
export const BODY_ERRORS = Object.freeze({
  tooLarge: 'E_BODY_TOO_LARGE',
  encoding: 'E_BODY_ENCODING_UNSUPPORTED',
  mediaType: 'E_BODY_MEDIA_TYPE',
  aborted: 'E_BODY_ABORTED',
  utf8: 'E_BODY_INVALID_UTF8',
  tooManyFields: 'E_BODY_TOO_MANY_FIELDS',
});

function tooLarge(limit: number): HttpError {
  return new HttpError(413, `Request body is larger than ${limit} bytes.`, {
    code: BODY_ERRORS.tooLarge,
    headers: { connection: 'close' },
  });
}

/**
 * Reads the whole body into one Buffer, refusing compressed bodies (a small gzip can expand to
 * gigabytes) and anything over the limit, first by Content-Length and then by counting bytes.
 */
export function readBody(raw: IncomingMessage, limit: number): Promise<Buffer> {
  const encoding = raw.headers['content-encoding'];
  if (encoding !== undefined && encoding.trim().toLowerCase() !== 'identity') {
    return Promise.reject(
      new HttpError(415, 'Compressed request bodies are not accepted; send the body without Content-Encoding.', {
        code: BODY_ERRORS.encoding,
        headers: { connection: 'close' },
      }),
    );
  }
  const declared = raw.headers['content-length'];
  if (declared !== undefined && Number(declared) > limit) return Promise.reject(tooLarge(limit));
  if (raw.readableEnded) return Promise.resolve(Buffer.alloc(0));
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let done = false;
    const cleanup = (): void => {
      done = true;
      raw.off('data', onData);
      raw.off('end', onEnd);
      raw.off('error', onError);
      raw.off('aborted', onAborted);
    };
    const onData = (chunk: Buffer): void => {
      size += chunk.length;
      if (size > limit) {
        cleanup();
        // Stop buffering; the 413 carries Connection: close, so the rest of the upload is dropped
        // with the socket instead of being read.
        raw.pause();
        reject(tooLarge(limit));
        return;
      }
      chunks.push(chunk);
    };
    const onEnd = (): void => {
      if (done) return;
      cleanup();
      resolve(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, size));
    };
    const onError = (err: Error): void => {
      if (done) return;
      cleanup();
      reject(new HttpError(400, 'The request body could not be read.', { code: BODY_ERRORS.aborted, cause: err }));
    };
    const onAborted = (): void => onError(new Error('aborted'));
    raw.on('data', onData);
    raw.on('end', onEnd);
    raw.on('error', onError);
    raw.on('aborted', onAborted);
  });
}

const decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false });

/** Decodes UTF-8 strictly: invalid bytes are a 400, not silent U+FFFD. */
export function decodeUtf8(bytes: Uint8Array): string {
  try {
    return decoder.decode(bytes);
  } catch {
    throw new HttpError(400, 'The request body is not valid UTF-8.', { code: BODY_ERRORS.utf8 });
  }
}

/** Parses a JSON body after checking the media type. */
export function parseJson(contentType: string | undefined, bytes: Uint8Array, limits: BodyLimits): unknown {
  if (!isJsonContentType(contentType)) {
    throw new HttpError(415, 'Expected Content-Type: application/json (optionally with charset=utf-8).', {
      code: BODY_ERRORS.mediaType,
    });
  }
  const text = decodeUtf8(bytes);
  try {
    return parseJsonBody(text, { maxDepth: limits.maxJsonDepth });
  } catch (err) {
    if (err instanceof JsonSyntaxError || err instanceof JsonDepthError || err instanceof JsonForbiddenKeyError) {
      throw new HttpError(400, err.message, { code: err.code, cause: err });
    }
    throw err;
  }
}

/**
 * Parses an urlencoded form, counting fields first so a body with 100,000 fields costs one linear
 * scan and never builds a 100,000-entry structure.
 */
export function parseForm(contentType: string | undefined, bytes: Uint8Array, limits: BodyLimits): URLSearchParams {
  if (!isFormContentType(contentType)) {
    throw new HttpError(415, 'Expected Content-Type: application/x-www-form-urlencoded.', { code: BODY_ERRORS.mediaType });
  }
  const text = decodeUtf8(bytes);
  let fields = text.length === 0 ? 0 : 1;
  for (let i = text.indexOf('&'); i !== -1; i = text.indexOf('&', i + 1)) {
    if (++fields > limits.maxFormFields) {
      throw new HttpError(413, `The form has more than ${limits.maxFormFields} fields.`, { code: BODY_ERRORS.tooManyFields });
    }
  }
  return new URLSearchParams(text);
}
