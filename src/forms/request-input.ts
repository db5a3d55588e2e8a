/**
 * Reading what a form needs from a request: the query string of a GET, or an urlencoded,
 * multipart or JSON body. Only the names the form declares are ever read from it.
 *
 * @module
 */
import type { Readable } from 'node:stream';
import type { FieldErrors } from '../db/validation.js';
import { BODY_ERRORS } from '../http/body.js';
import type { Context } from '../http/context.js';
import { HttpError } from '../http/errors.js';
import { isFormContentType, isJsonContentType, parseMediaType } from '../http/media-type.js';
import { displayValues, type RawField } from './coerce.js';
import type { FieldSpec } from './field-spec.js';
import { messageFor } from './form-errors.js';
import type { FormInput } from './form-validation.js';
import { parseMultipart } from './multipart.js';
import type { MultipartForm } from './multipart-form.js';
import type { Storage, StoredFileInfo } from './storage/storage.js';
import { UPLOAD_ERRORS, type UploadError } from './uploads/errors.js';
import type { FileFieldOptions, UploadLimits } from './uploads/limits.js';
import type { UploadedFile } from './uploads/uploaded-file.js';

/** A submission ready to validate, with what to show again and the errors found while reading it. */
export interface ReadInput {
  readonly input: FormInput;
  /** The text to show again in a field. */
  display(name: string): string[];
  /** Errors found before validation: a JSON body that is not an object, a refused file. */
  readonly errors: FieldErrors;
  /** The multipart body's files, to delete when the form turns out invalid. */
  readonly multipart: MultipartForm | null;
}

/** How a form reads multipart bodies. */
export interface UploadSettings {
  readonly storage: Storage | undefined;
  readonly limits: Partial<UploadLimits>;
}

/** A submission from strings: a query string, an urlencoded body, or a multipart body's fields. */
export function paramsInput(params: URLSearchParams, multipart: MultipartForm | null = null, errors: FieldErrors = {}): ReadInput {
  const raw = (name: string): RawField => ({ source: 'text', values: params.getAll(name) });
  return {
    input: { raw, files: (name) => multipart?.filesOf(name) ?? ([] as UploadedFile[]) },
    display: (name) => params.getAll(name),
    errors,
    multipart,
  };
}

/** A submission from a JSON value; anything but an object is a form error. */
export function objectInput(value: unknown): ReadInput {
  const isObject = typeof value === 'object' && value !== null && !Array.isArray(value);
  const obj = (isObject ? value : {}) as Readonly<Record<string, unknown>>;
  // hasOwn: a declared name is never looked up on the prototype chain.
  const raw = (name: string): RawField => ({ source: 'json', present: Object.hasOwn(obj, name), value: Object.hasOwn(obj, name) ? obj[name] : undefined });
  return {
    input: { raw, files: () => [] },
    display: (name) => displayValues(raw(name)),
    errors: isObject ? {} : { __all__: ['Expected a JSON object of field values.'] },
    multipart: null,
  };
}

// Given to parseMultipart when the form has no file field: it is never written to, because a
// file in a field that takes none is refused before any storage sees it.
const NO_STORAGE: Storage = {
  save: (_stream: Readable): Promise<StoredFileInfo> => Promise.reject(new Error('This form stores no files.')),
  open: async () => null,
  stat: async () => null,
  delete: async () => false,
};

function size(bytes: number): string {
  if (bytes >= 1024 * 1024) return `${(bytes / (1024 * 1024)).toFixed(1).replace(/\.0$/, '')} MB`;
  if (bytes >= 1024) return `${(bytes / 1024).toFixed(1).replace(/\.0$/, '')} KB`;
  return `${bytes} bytes`;
}

/** The field message for an upload refusal that concerns one field, or null for the others. */
function uploadMessage(err: UploadError, spec: FieldSpec): string | null {
  const file = spec.file!;
  switch (err.code) {
    case UPLOAD_ERRORS.typeRefused:
      return messageFor(spec.messages, 'fileType', `This type of file is not accepted. Upload one of: ${file.accept.join(', ')}.`);
    case UPLOAD_ERRORS.fileTooLarge:
      return messageFor(spec.messages, 'fileSize', `The file is too large: the limit is ${size(file.maxFileBytes)}.`);
    case UPLOAD_ERRORS.tooManyFiles:
      return messageFor(spec.messages, 'maxFiles', `Upload at most ${file.maxFiles} file${file.maxFiles === 1 ? '' : 's'}.`);
    default:
      return null;
  }
}

async function readMultipart(req: Context<unknown>, specs: readonly FieldSpec[], uploads: UploadSettings): Promise<ReadInput> {
  const files: Record<string, FileFieldOptions> = {};
  for (const s of specs) if (s.file !== null) files[s.name] = { accept: s.file.accept, maxFileBytes: s.file.maxFileBytes, maxFiles: s.file.maxFiles };
  // A refused file is an error of its field, so the page can say so next to the input, and the
  // parser skips it and reads on, so the other fields come back as they were sent. Refusals of
  // the request as a whole (size, parts, malformed) stand.
  const form = await parseMultipart(req, { ...uploads.limits, storage: uploads.storage ?? NO_STORAGE, files, fileRefusals: 'collect' });
  const errors: Record<string, string[]> = {};
  for (const err of form.refused) {
    const spec = specs.find((s) => s.name === err.field && s.file !== null);
    const message = spec === undefined ? null : uploadMessage(err, spec);
    if (spec === undefined || message === null) {
      await form.deleteFiles();
      throw err;
    }
    const list = (errors[spec.name] ??= []);
    if (!list.includes(message)) list.push(message);
  }
  return paramsInput(form.fields, form, errors);
}

/**
 * Reads a request for a form: the query string of a GET or HEAD, else the body by its type. A
 * body of another type is a 415; a POST with no body and no type is an empty submission.
 */
export async function readRequest(req: Context<unknown>, specs: readonly FieldSpec[], uploads: UploadSettings): Promise<ReadInput> {
  if (req.method === 'GET' || req.method === 'HEAD') return paramsInput(req.query);
  const type = req.headers['content-type'];
  if (type === undefined) {
    if ((await req.bytes()).length === 0) return paramsInput(new URLSearchParams());
  } else if (parseMediaType(type)?.essence === 'multipart/form-data') {
    return readMultipart(req, specs, uploads);
  } else if (isFormContentType(type)) {
    return paramsInput(await req.form());
  } else if (isJsonContentType(type)) {
    return objectInput(await req.json());
  }
  throw new HttpError(415, 'Expected a form (application/x-www-form-urlencoded or multipart/form-data) or JSON (application/json).', {
    code: BODY_ERRORS.mediaType,
  });
}
