/**
 * `UploadedFile`: one accepted file of a multipart request, already in storage.
 *
 * @module
 */
import type { Readable } from 'node:stream';
import { RampartError } from '../../errors.js';
import type { Storage, StoredFileInfo } from '../storage/storage.js';

/**
 * A file that passed every check and is stored. Keep `key` (for example in a database row) to
 * find it again; `filename` is the client's name, sanitized, for display only.
 *
 * @example
 * const avatar = form.file('avatar')
 * if (avatar) await db.insertInto('avatars').values({ key: avatar.key, name: avatar.filename }).execute()
 */
export class UploadedFile {
  /** The form field the file came in. */
  readonly field: string;
  /** The client's file name, sanitized: metadata only, never a path. */
  readonly filename: string;
  /** Size in bytes. */
  readonly size: number;
  /** The content type sniffed from the bytes (the declared one is in `declaredType`, untrusted). */
  readonly contentType: string;
  /** The content type the client declared; never trust it, shown for logs and debugging. */
  readonly declaredType: string;
  /** The storage key: random, chosen by the storage. */
  readonly key: string;
  readonly #storage: Storage;

  constructor(storage: Storage, field: string, info: StoredFileInfo, declaredType: string) {
    this.#storage = storage;
    this.field = field;
    this.filename = info.filename;
    this.size = info.size;
    this.contentType = info.contentType;
    this.declaredType = declaredType;
    this.key = info.key;
  }

  /** Streams the stored bytes. @example pipeline(await file.open(), createWriteStream('copy')) */
  async open(): Promise<Readable> {
    const stream = await this.#storage.open(this.key);
    if (stream === null) {
      throw new RampartError('E_UPLOAD_GONE', `The upload ${this.key} is no longer in storage: it was deleted after it was received.`);
    }
    return stream;
  }

  /** Reads the whole file into memory; for small files. @example const png = await file.bytes() */
  async bytes(): Promise<Buffer> {
    const chunks: Buffer[] = [];
    for await (const chunk of await this.open()) chunks.push(chunk as Buffer);
    return Buffer.concat(chunks);
  }

  /** Removes the file from storage. @example await file.delete() */
  delete(): Promise<boolean> {
    return this.#storage.delete(this.key);
  }
}
