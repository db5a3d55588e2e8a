/**
 * Upload errors. Refusals of a request are `UploadError`s (an `HttpError`, so the app answers
 * with their status and message); misconfiguration is a `ConfigError` thrown where the options
 * are given, never per request.
 *
 * @module
 */
import { HttpError } from '../../http/errors.js';

/** Stable codes of upload refusals, for clients and tests. */
export const UPLOAD_ERRORS = Object.freeze({
  mediaType: 'E_UPLOAD_MEDIA_TYPE',
  malformed: 'E_UPLOAD_MALFORMED',
  bodyTooLarge: 'E_UPLOAD_BODY_TOO_LARGE',
  fileTooLarge: 'E_UPLOAD_FILE_TOO_LARGE',
  tooManyFiles: 'E_UPLOAD_TOO_MANY_FILES',
  tooManyParts: 'E_UPLOAD_TOO_MANY_PARTS',
  tooManyFields: 'E_UPLOAD_TOO_MANY_FIELDS',
  fieldTooLarge: 'E_UPLOAD_FIELD_TOO_LARGE',
  fieldNameTooLong: 'E_UPLOAD_FIELD_NAME_TOO_LONG',
  fieldUnexpected: 'E_UPLOAD_FIELD_UNEXPECTED',
  typeRefused: 'E_UPLOAD_TYPE_REFUSED',
  notFound: 'E_UPLOAD_NOT_FOUND',
});

/** Codes of configuration errors (thrown as `ConfigError`). */
export const UPLOAD_CONFIG_ERRORS = Object.freeze({
  options: 'E_UPLOAD_OPTIONS_INVALID',
  dirInStatic: 'E_UPLOAD_DIR_IN_STATIC',
  bodyRead: 'E_UPLOAD_BODY_READ',
});

/** What the JSON error body carries in `details`: the field and the limit involved, when known. */
export interface UploadErrorDetails {
  readonly field?: string;
  readonly limit?: number;
}

/**
 * A refused upload. Any file already stored for the request has been deleted when this is thrown.
 * The response closes the connection, so the rest of a large body is not read.
 *
 * @example
 * try { await parseMultipart(req, options) } catch (err) {
 *   if (err instanceof UploadError && err.code === 'E_UPLOAD_FILE_TOO_LARGE') { ... }
 * }
 */
export class UploadError extends HttpError {
  /** The form field involved, when the refusal concerns one. */
  readonly field: string | undefined;

  constructor(status: 400 | 413 | 415 | 404, code: string, message: string, details: UploadErrorDetails = {}) {
    const hasDetails = details.field !== undefined || details.limit !== undefined;
    super(status, message, {
      code,
      headers: status === 404 ? {} : { connection: 'close' },
      details: hasDetails ? details : undefined,
    });
    this.field = details.field;
  }
}

const MAX_SHOWN_NAME = 64;

/**
 * A field name as it may appear in a message: the client chose it, so it is cut short and its
 * control characters are replaced (messages go to logs and error pages).
 */
export function shownName(name: string): string {
  const clean = name.replace(/[\p{Cc}\p{Cf}\p{Zl}\p{Zp}]/gu, '?');
  const chars = Array.from(clean);
  return chars.length > MAX_SHOWN_NAME ? chars.slice(0, MAX_SHOWN_NAME).join('') + '…' : clean;
}
