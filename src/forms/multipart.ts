/**
 * Multipart (`multipart/form-data`) bodies, parsed as a stream with busboy: fields are collected
 * in memory under small limits, files go straight to storage after their type is sniffed.
 *
 * Any refusal (a limit, a malformed body, a type not accepted, the client gone) stops reading,
 * deletes every file already stored for the request, then rejects with an `UploadError`, so a
 * refused request leaves nothing on disk.
 *
 * @module
 */
import busboy from 'busboy';
import type { IncomingMessage } from 'node:http';
import type { Readable } from 'node:stream';
import { RampartError } from '../errors.js';
import type { Context } from '../http/context.js';
import { parseMediaType } from '../http/media-type.js';
import { isEmpty, isFileRefusal, receiveFile } from './multipart-file.js';
import { MultipartForm } from './multipart-form.js';
import * as refuse from './multipart-refusals.js';
import { UPLOAD_CONFIG_ERRORS, type UploadError } from './uploads/errors.js';
import { resolveUploadOptions, type MultipartOptions, type ResolvedUploadOptions } from './uploads/limits.js';
import type { UploadedFile } from './uploads/uploaded-file.js';

// RFC 2046 section 5.1.1: 1 to 70 characters from bchars, not ending in a space.
const BOUNDARY = /^[0-9A-Za-z'()+_,\-./:=? ]{0,69}[0-9A-Za-z'()+_,\-./:=?]$/;

function ignore(): void {}

// Every request whose body a parse has started: a second parse would wait forever for data.
const started = new WeakSet<IncomingMessage>();

/**
 * Reads a `multipart/form-data` request: fields into a `URLSearchParams`, files into storage
 * after their content is sniffed and checked against the field's `accept` list.
 *
 * Refusals are `UploadError`s (an `HttpError`): 413 for sizes and counts of files and parts, 400
 * for malformed bodies, too many fields and too long field names, 415 for a type not accepted.
 * Limits come from `UPLOAD_DEFAULTS`, overridden by `options`.
 *
 * @throws UploadError when the request is refused; nothing of it remains in storage.
 * @throws ConfigError `E_UPLOAD_OPTIONS_INVALID` when the options are wrong.
 * @see docs/uploads.md
 *
 * @example
 * const storage = new LocalStorage('var/uploads')
 * app.post('/avatar', async (req) => {
 *   const form = await parseMultipart(req, { storage, files: { avatar: { accept: ['image/png', 'image/jpeg'] } } })
 *   const avatar = form.file('avatar')
 *   return { key: avatar?.key, name: form.fields.get('name') }
 * })
 */
export async function parseMultipart(req: Context<unknown>, options: MultipartOptions): Promise<MultipartForm> {
  const o = resolveUploadOptions(options);
  const raw = req.raw;
  const encoding = raw.headers['content-encoding'];
  if (encoding !== undefined && encoding.trim().toLowerCase() !== 'identity') throw refuse.compressed();
  const type = raw.headers['content-type'];
  const media = type === undefined ? null : parseMediaType(type);
  if (media === null || media.essence !== 'multipart/form-data') throw refuse.notMultipart();
  const boundary = media.parameters.get('boundary');
  if (boundary === undefined || !BOUNDARY.test(boundary)) throw refuse.malformed('the Content-Type has no valid boundary');
  const declared = raw.headers['content-length'];
  if (declared !== undefined && Number(declared) > o.maxBodyBytes) throw refuse.bodyTooLarge(o.maxBodyBytes);
  // A peek that gives the bytes back with unshift() (the CSRF check reading its token field) is
  // fine; a body read to its end by someone else is not.
  if (started.has(raw) || (raw.readableEnded && raw.readableDidRead)) {
    throw new RampartError(UPLOAD_CONFIG_ERRORS.bodyRead, 'The request body was already read, so it cannot be parsed as multipart.', {
      hint: 'Call parseMultipart(req, ...) once per request, and not after req.bytes(), req.text(), req.json() or req.form().',
    });
  }
  started.add(raw);
  return new MultipartReader(raw, o).read();
}

/** One parse: feeds the body to busboy, applies the limits, tracks stored files for cleanup. */
class MultipartReader {
  readonly #raw: IncomingMessage;
  readonly #o: ResolvedUploadOptions;
  readonly #parser: busboy.Busboy;
  readonly #fields = new URLSearchParams();
  readonly #slots: (UploadedFile | null)[] = [];
  readonly #stored: UploadedFile[] = [];
  readonly #pending = new Set<Promise<void>>();
  readonly #filesPerField = new Map<string, number>();
  /** Skipped files' refusals with their part's position, so they are listed in body order. */
  readonly #refused: { at: number; err: UploadError }[] = [];
  #fieldCount = 0;
  #fileCount = 0;
  #received = 0;
  #ended = false;
  #failure: Error | null = null;
  #resolve: (form: MultipartForm) => void = () => undefined;
  #reject: (err: Error) => void = () => undefined;

  constructor(raw: IncomingMessage, o: ResolvedUploadOptions) {
    this.#raw = raw;
    this.#o = o;
    this.#parser = busboy({
      headers: raw.headers,
      // Names are sanitized by Rampart (sanitizeFilename), from the full name the client sent.
      preservePath: true,
      // Browsers send UTF-8 file names in the plain filename parameter.
      defParamCharset: 'utf8',
      limits: {
        // busboy reports a size limit when a value *reaches* it; one byte more lets a value of
        // exactly the limit through, and the per-field check in receiveFile does the rest.
        fileSize: o.largestFileBytes + 1,
        fieldSize: o.maxFieldBytes + 1,
        files: o.maxFiles,
        fields: o.maxFields,
        // Our own count sees named parts as they start; busboy's catches parts without a name.
        parts: o.maxParts + 1,
      },
    });
  }

  read(): Promise<MultipartForm> {
    return new Promise((resolve, reject) => {
      this.#resolve = resolve;
      this.#reject = reject;
      const p = this.#parser;
      p.on('field', (name: string, value: string, info: busboy.FieldInfo) => this.#onField(name, value, info.valueTruncated));
      p.on('file', (name: string, stream: Readable, info: busboy.FileInfo) => this.#onFile(name, stream, info));
      const o = this.#o;
      p.on('fieldsLimit', () => this.#fail(this.#overParts(1) ? refuse.tooManyParts(o.maxParts) : refuse.tooManyFields(o.maxFields)));
      p.on('filesLimit', () => this.#fail(this.#overParts(1) ? refuse.tooManyParts(o.maxParts) : refuse.tooManyFiles(o.maxFiles)));
      p.on('partsLimit', () => this.#fail(refuse.tooManyParts(o.maxParts)));
      p.on('error', (err: Error) => this.#fail(refuse.malformedFrom(err)));
      p.on('finish', () => void this.#finish());
      const raw = this.#raw;
      raw.on('data', this.#onData);
      raw.on('end', this.#onEnd);
      raw.on('error', this.#onAborted);
      raw.on('aborted', this.#onAborted);
      raw.on('close', this.#onClose);
      // A stream paused by an earlier reader (a 'readable' listener) stays paused with 'data' alone.
      raw.resume();
      if (raw.readableEnded) this.#onEnd();
    });
  }

  readonly #onData = (chunk: Buffer): void => {
    this.#received += chunk.length;
    if (this.#received > this.#o.maxBodyBytes) return this.#fail(refuse.bodyTooLarge(this.#o.maxBodyBytes));
    if (!this.#parser.write(chunk)) {
      this.#raw.pause();
      this.#parser.once('drain', () => {
        if (this.#failure === null) this.#raw.resume();
      });
    }
  };

  readonly #onEnd = (): void => {
    if (this.#ended || this.#failure !== null) return;
    this.#ended = true;
    this.#parser.end();
  };

  readonly #onAborted = (): void => {
    this.#fail(refuse.aborted());
  };

  readonly #onClose = (): void => {
    if (!this.#ended) this.#onAborted();
  };

  #overParts(extra: number): boolean {
    return this.#fieldCount + this.#fileCount + extra > this.#o.maxParts;
  }

  /** The refusal for a part's name, or null when the name is fine. */
  #badName(name: unknown): UploadError | null {
    if (typeof name !== 'string') return refuse.malformed('a part has no name');
    const limit = this.#o.maxFieldNameBytes;
    return Buffer.byteLength(name) > limit ? refuse.fieldNameTooLong(name, limit) : null;
  }

  #onField(name: string, value: string, truncated: boolean): void {
    if (this.#failure !== null) return;
    this.#fieldCount++;
    if (this.#overParts(0)) return this.#fail(refuse.tooManyParts(this.#o.maxParts));
    const bad = this.#badName(name);
    if (bad !== null) return this.#fail(bad);
    if (truncated) return this.#fail(refuse.fieldTooLarge(name, this.#o.maxFieldBytes));
    this.#fields.append(name, value);
  }

  #onFile(name: string, stream: Readable, info: busboy.FileInfo): void {
    // A refusal destroys the parser, which destroys the file being read with an error; the
    // refusal is already on its way to the client, so that error needs no other handling.
    stream.on('error', ignore);
    if (this.#failure !== null) return void stream.resume();
    this.#fileCount++;
    const refusal = this.#overParts(0) ? refuse.tooManyParts(this.#o.maxParts) : this.#badName(name);
    if (refusal !== null) return this.#fail(refusal);
    const spec = this.#o.files.get(name);
    // A file input left empty still sends a part (filename="", no bytes). Such a part in a field
    // that takes no files is ignored, but only once it proves empty.
    const unnamed = info.filename === undefined || info.filename === '';
    if (spec === undefined && unnamed) {
      return this.#track(isEmpty(stream).then((empty) => (empty ? undefined : this.#fail(refuse.unexpectedFile(name)))));
    }
    if (spec === undefined) return this.#fail(refuse.unexpectedFile(name));
    const count = (this.#filesPerField.get(name) ?? 0) + 1;
    this.#filesPerField.set(name, count);
    const collect = this.#o.fileRefusals === 'collect';
    if (count > spec.maxFiles) {
      const refusal = refuse.tooManyFilesInField(name, spec.maxFiles);
      if (!collect) return this.#fail(refusal);
      this.#refused.push({ at: this.#fileCount, err: refusal });
      return void stream.resume();
    }
    const slot = this.#slots.push(null) - 1;
    const at = this.#fileCount;
    const part = { field: name, stream, filename: info.filename, declaredType: info.mimeType };
    this.#track(
      receiveFile(part, spec, this.#o.storage, collect).then(
        (file) => {
          if (file === null) return;
          this.#stored.push(file);
          this.#slots[slot] = file;
        },
        (err: unknown) => {
          if (!collect || !isFileRefusal(err)) throw err;
          this.#refused.push({ at, err });
        },
      ),
    );
  }

  /** Runs work tied to the request: its failure fails the request, and cleanup waits for it. */
  #track(work: Promise<void>): void {
    const tracked = work.catch((err: unknown) => this.#fail(err instanceof Error ? err : new Error(String(err))));
    this.#pending.add(tracked);
    void tracked.finally(() => this.#pending.delete(tracked));
  }

  async #finish(): Promise<void> {
    while (this.#pending.size > 0) await Promise.allSettled([...this.#pending]);
    if (this.#failure !== null) return;
    this.#detach();
    this.#resolve(new MultipartForm(this.#fields, this.#slots.filter((f): f is UploadedFile => f !== null), this.#refused.sort((a, b) => a.at - b.at).map((r) => r.err)));
  }

  #fail(err: Error): void {
    if (this.#failure !== null) return;
    this.#failure = err;
    this.#detach();
    // Stop reading: the refusal carries Connection: close, so the rest of the body goes with the
    // socket instead of being read. destroy() also ends the file being streamed, with an error,
    // so its storage removes what it wrote.
    this.#raw.pause();
    this.#parser.destroy();
    void this.#cleanUp(err);
  }

  async #cleanUp(err: Error): Promise<void> {
    while (this.#pending.size > 0) await Promise.allSettled([...this.#pending]);
    await Promise.allSettled(this.#stored.map((f) => f.delete()));
    this.#reject(err);
  }

  #detach(): void {
    const raw = this.#raw;
    raw.off('data', this.#onData);
    raw.off('end', this.#onEnd);
    raw.off('error', this.#onAborted);
    raw.off('aborted', this.#onAborted);
    raw.off('close', this.#onClose);
  }
}
