/**
 * Upload limits and options: the secure defaults in one place, and the validation of what a
 * caller passes, so a typo fails loudly at the call instead of silently weakening a limit.
 *
 * @module
 */
import { ConfigError } from '../../errors.js';
import type { Storage } from '../storage/storage.js';
import { UPLOAD_CONFIG_ERRORS } from './errors.js';

/** The limits of one multipart request. Every field is a positive integer. */
export interface UploadLimits {
  /** Whole request body, by Content-Length and by counting. Over it: 413. @default 52428800 (50 MiB) */
  readonly maxBodyBytes: number;
  /** One file; a field may lower or raise it (`files.avatar.maxFileBytes`). Over it: 413. @default 10485760 (10 MiB) */
  readonly maxFileBytes: number;
  /** Files in the request, all fields together. Over it: 413. @default 10 */
  readonly maxFiles: number;
  /** Non-file fields. Over it: 400. @default 1000 */
  readonly maxFields: number;
  /** One non-file field value, in bytes. Over it: 413. @default 65536 (64 KiB) */
  readonly maxFieldBytes: number;
  /** One field name (file or not), in UTF-8 bytes. Over it: 400. @default 100 */
  readonly maxFieldNameBytes: number;
  /** Parts of the body (fields, files, and parts without a name). Over it: 413. @default 1000 */
  readonly maxParts: number;
}

/**
 * The default limits. Each names the attack it bounds. `maxBodyBytes` is larger than the core's
 * `MAX_BODY_BYTES` because files stream to storage instead of memory; only field values are held
 * in memory, and they are bounded by `maxFields` × `maxFieldBytes` and by `maxBodyBytes`.
 */
export const UPLOAD_DEFAULTS: UploadLimits = Object.freeze({
  maxBodyBytes: 50 * 1024 * 1024, // 50 MiB: disk and bandwidth exhaustion by one request
  maxFileBytes: 10 * 1024 * 1024, // 10 MiB: disk exhaustion by one huge file
  maxFiles: 10, // disk, inode and file-handle exhaustion by many files in one request
  maxFields: 1000, // CPU and hash flooding by many fields (Django's DATA_UPLOAD_MAX_NUMBER_FIELDS)
  maxFieldBytes: 64 * 1024, // 64 KiB: memory exhaustion, field values are held in memory
  maxFieldNameBytes: 100, // memory waste by long names; no real form needs longer ones
  maxParts: 1000, // parser CPU burned on a flood of tiny parts (10,000 empty parts in 1 MiB)
});

/** Options of one file field. */
export interface FileFieldOptions {
  /**
   * Content types accepted, as sniffed from the bytes (the type the client declares is ignored).
   * `image/svg+xml` and `text/plain` are accepted only when named here; `application/octet-stream`
   * accepts content that no detector recognises (stored and served as a download).
   *
   * @example accept: ['image/png', 'image/jpeg']
   */
  readonly accept: readonly string[];
  /** Overrides `maxFileBytes` for this field. */
  readonly maxFileBytes?: number;
  /** Files this field may carry (an `<input type="file" multiple>`). @default 1 */
  readonly maxFiles?: number;
}

/** Options of `parseMultipart()`: where files go, which fields take files, and limit overrides. */
export interface MultipartOptions extends Partial<UploadLimits> {
  /** Where accepted files are written, e.g. `new LocalStorage('var/uploads')`. */
  readonly storage: Storage;
  /**
   * The fields that may carry files, by name. A file in any other field is refused (400), so a
   * form cannot be used to store files nobody expected.
   * @default {} (no file accepted)
   */
  readonly files?: Readonly<Record<string, FileFieldOptions>>;
  /**
   * What a refused file does (a type not accepted, over its field's size, one too many in its
   * field): `'throw'` refuses the whole request; `'collect'` skips that file, reads on, and lists
   * the refusal in `form.refused`, so the other fields are not lost (forms use this). Refusals of
   * the request as a whole (body size, parts, a malformed body) always throw.
   * @default 'throw'
   */
  readonly fileRefusals?: 'throw' | 'collect';
}

/** A file field's options with the defaults applied. */
export interface ResolvedFileField {
  readonly accept: ReadonlySet<string>;
  readonly maxFileBytes: number;
  readonly maxFiles: number;
}

/** Options after validation. */
export interface ResolvedUploadOptions extends UploadLimits {
  readonly storage: Storage;
  readonly files: ReadonlyMap<string, ResolvedFileField>;
  /** The largest file limit of any field: what the parser enforces before the per-field check. */
  readonly largestFileBytes: number;
  readonly fileRefusals: 'throw' | 'collect';
}

const LIMIT_NAMES = Object.keys(UPLOAD_DEFAULTS) as (keyof UploadLimits)[];
const MEDIA_TYPE = /^[a-z0-9][a-z0-9!#$&^_.+-]*\/[a-z0-9][a-z0-9!#$&^_.+-]*$/;

function invalid(message: string): ConfigError {
  return new ConfigError(UPLOAD_CONFIG_ERRORS.options, message, {
    hint: 'See docs/uploads.md#options for the accepted options and their defaults.',
  });
}

function positiveInt(value: unknown, name: string): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 1) {
    throw invalid(`Upload option ${name} must be a positive integer, got ${String(value)}.`);
  }
  return value;
}

function isStorage(value: unknown): value is Storage {
  if (typeof value !== 'object' || value === null) return false;
  const s = value as Record<string, unknown>;
  return typeof s['save'] === 'function' && typeof s['open'] === 'function' && typeof s['stat'] === 'function' && typeof s['delete'] === 'function';
}

/**
 * Applies the defaults and checks every option.
 *
 * @throws ConfigError `E_UPLOAD_OPTIONS_INVALID` naming the bad option.
 */
export function resolveUploadOptions(options: MultipartOptions): ResolvedUploadOptions {
  if (typeof options !== 'object' || options === null) throw invalid('parseMultipart() needs an options object with a storage.');
  if (!isStorage(options.storage)) {
    throw invalid('Upload option storage must implement save, open, stat and delete, e.g. new LocalStorage(\'var/uploads\').');
  }
  const limits = {} as Record<keyof UploadLimits, number>;
  for (const name of LIMIT_NAMES) {
    const given = options[name];
    limits[name] = given === undefined ? UPLOAD_DEFAULTS[name] : positiveInt(given, name);
  }
  const files = new Map<string, ResolvedFileField>();
  let largest = limits.maxFileBytes;
  const declared = options.files ?? {};
  if (typeof declared !== 'object' || declared === null) throw invalid('Upload option files must be an object of field names.');
  for (const field of Object.keys(declared)) {
    const spec = declared[field];
    if (typeof spec !== 'object' || spec === null) throw invalid(`files.${field} must be an object such as { accept: ['image/png'] }.`);
    if (!Array.isArray(spec.accept) || spec.accept.length === 0) {
      throw invalid(`files.${field}.accept must list at least one content type, such as ['image/png'].`);
    }
    const accept = new Set<string>();
    for (const type of spec.accept) {
      if (typeof type !== 'string' || !MEDIA_TYPE.test(type)) {
        throw invalid(`files.${field}.accept has ${JSON.stringify(type)}, which is not a lower-case type/subtype such as 'image/png' (wildcards are not accepted).`);
      }
      accept.add(type);
    }
    const maxFileBytes = spec.maxFileBytes === undefined ? limits.maxFileBytes : positiveInt(spec.maxFileBytes, `files.${field}.maxFileBytes`);
    const maxFiles = spec.maxFiles === undefined ? 1 : positiveInt(spec.maxFiles, `files.${field}.maxFiles`);
    if (maxFileBytes > largest) largest = maxFileBytes;
    files.set(field, { accept, maxFileBytes, maxFiles });
  }
  const fileRefusals = options.fileRefusals ?? 'throw';
  if (fileRefusals !== 'throw' && fileRefusals !== 'collect') throw invalid(`Upload option fileRefusals must be 'throw' or 'collect', got ${String(fileRefusals)}.`);
  return { ...limits, storage: options.storage, files, largestFileBytes: largest, fileRefusals };
}
