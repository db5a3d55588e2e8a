/**
 * The storage interface uploads are written to. `LocalStorage` is the built-in implementation; a
 * cloud bucket fits the same four methods.
 *
 * @module
 */
import type { Readable } from 'node:stream';

/** What is known about a file when it is saved. */
export interface StoredFileMeta {
  /** The sanitized client file name: metadata only, never part of a path. */
  readonly filename: string;
  /** The content type sniffed from the bytes. */
  readonly contentType: string;
}

/** A stored file as `stat()` describes it. */
export interface StoredFileInfo extends StoredFileMeta {
  readonly key: string;
  /** Size in bytes. */
  readonly size: number;
}

/**
 * Where uploads go. Keys are chosen by the storage, never by the client, and are opaque strings
 * of letters, digits, `-` and `_` (so a key can never be a path).
 *
 * @example
 * class BucketStorage implements Storage {
 *   async save(stream, meta) { const key = newKey(); await bucket.put(key, stream, meta); return this.stat(key) }
 *   ...
 * }
 */
export interface Storage {
  /**
   * Writes the stream under a new random key and records `meta` with it. When the stream errors
   * (a limit hit, a type refused, the client gone), nothing may remain stored and the promise
   * rejects with that error.
   */
  save(stream: Readable, meta: StoredFileMeta): Promise<StoredFileInfo>;
  /** The file's bytes, or null when no file has this key (or the key is malformed). */
  open(key: string): Promise<Readable | null>;
  /** The file's size and metadata, or null when no file has this key (or the key is malformed). */
  stat(key: string): Promise<StoredFileInfo | null>;
  /** Removes the file; false when there was none. */
  delete(key: string): Promise<boolean>;
}

const KEY = /^[A-Za-z0-9_-]{1,128}$/;

/**
 * True when a string can be a storage key at all: 1 to 128 letters, digits, `-` or `_`. Anything
 * with a dot, slash, backslash, NUL or percent sign is refused before any storage sees it.
 *
 * @example isStorageKey('../etc/passwd') // false
 */
export function isStorageKey(key: unknown): key is string {
  return typeof key === 'string' && KEY.test(key);
}
