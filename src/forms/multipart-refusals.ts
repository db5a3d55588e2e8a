/**
 * Every refusal a multipart request can get, in one place: status, code, and a message that names
 * the limit and the field, so the same condition always reads the same way.
 *
 * @module
 */
import { BODY_ERRORS } from '../http/body.js';
import { UPLOAD_ERRORS, UploadError, shownName } from './uploads/errors.js';

const BUSBOY_REASONS: Readonly<Record<string, string>> = {
  'Unexpected end of form': 'it ends before the closing boundary',
  'Unexpected end of file': 'it ends inside a file',
  'Malformed part header': 'a part header is malformed',
};

export function malformed(reason: string): UploadError {
  return new UploadError(400, UPLOAD_ERRORS.malformed, `The multipart body is malformed: ${reason}.`);
}

/** The refusal for an error busboy reports (its messages are not for clients). */
export function malformedFrom(err: Error): UploadError {
  return malformed(BUSBOY_REASONS[err.message] ?? 'it cannot be parsed');
}

export function notMultipart(): UploadError {
  return new UploadError(415, UPLOAD_ERRORS.mediaType, 'Expected Content-Type: multipart/form-data (a form with enctype="multipart/form-data").');
}

export function compressed(): UploadError {
  // The same refusal as the core's body reader: a few kilobytes of gzip can expand to gigabytes.
  return new UploadError(415, BODY_ERRORS.encoding, 'Compressed request bodies are not accepted; send the body without Content-Encoding.');
}

export function aborted(): UploadError {
  return new UploadError(400, BODY_ERRORS.aborted, 'The request body could not be read.');
}

export function bodyTooLarge(limit: number): UploadError {
  return new UploadError(413, UPLOAD_ERRORS.bodyTooLarge, `The upload is larger than ${limit} bytes (maxBodyBytes).`, { limit });
}

export function tooManyParts(limit: number): UploadError {
  return new UploadError(413, UPLOAD_ERRORS.tooManyParts, `The form has more than ${limit} parts (maxParts).`, { limit });
}

export function tooManyFields(limit: number): UploadError {
  return new UploadError(400, UPLOAD_ERRORS.tooManyFields, `The form has more than ${limit} fields (maxFields).`, { limit });
}

export function tooManyFiles(limit: number): UploadError {
  return new UploadError(413, UPLOAD_ERRORS.tooManyFiles, `The upload has more than ${limit} files (maxFiles).`, { limit });
}

export function tooManyFilesInField(field: string, limit: number): UploadError {
  const name = shownName(field);
  const message = `Field '${name}' accepts at most ${limit} file${limit === 1 ? '' : 's'} (files.${name}.maxFiles).`;
  return new UploadError(413, UPLOAD_ERRORS.tooManyFiles, message, { field, limit });
}

export function fieldTooLarge(field: string, limit: number): UploadError {
  return new UploadError(413, UPLOAD_ERRORS.fieldTooLarge, `Field '${shownName(field)}' is larger than ${limit} bytes (maxFieldBytes).`, { field, limit });
}

export function fieldNameTooLong(field: string, limit: number): UploadError {
  return new UploadError(400, UPLOAD_ERRORS.fieldNameTooLong, `Field '${shownName(field)}' has a name longer than ${limit} bytes (maxFieldNameBytes).`, { limit });
}

export function unexpectedFile(field: string): UploadError {
  return new UploadError(400, UPLOAD_ERRORS.fieldUnexpected, `Field '${shownName(field)}' does not accept files.`, { field });
}

export function fileTooLarge(field: string, limit: number): UploadError {
  return new UploadError(413, UPLOAD_ERRORS.fileTooLarge, `The file in field '${shownName(field)}' is larger than ${limit} bytes (maxFileBytes).`, { field, limit });
}

export function typeRefused(field: string, type: string, accepted: Iterable<string>): UploadError {
  const list = [...accepted].join(', ');
  return new UploadError(415, UPLOAD_ERRORS.typeRefused, `The file in field '${shownName(field)}' is ${type}, which this field does not accept (accepted: ${list}).`, { field });
}

export function notPlainText(field: string): UploadError {
  const message = `The file in field '${shownName(field)}' is not plain text: it has invalid UTF-8, a control character or HTML markup.`;
  return new UploadError(415, UPLOAD_ERRORS.typeRefused, message, { field });
}
