/**
 * `MultipartForm`: what `parseMultipart()` returns.
 *
 * @module
 */
import type { UploadError } from './uploads/errors.js';
import type { UploadedFile } from './uploads/uploaded-file.js';

/**
 * The fields and accepted files of a multipart request.
 *
 * @example
 * const form = await parseMultipart(req, { storage, files: { photos: { accept: ['image/jpeg'], maxFiles: 5 } } })
 * const title = form.fields.get('title')
 * for (const photo of form.filesOf('photos')) console.log(photo.filename, photo.size)
 */
export class MultipartForm {
  /** Non-file fields; repeated names are kept (`fields.getAll('tag')`). No prototype to pollute. */
  readonly fields: URLSearchParams;
  /** Accepted files, in the order they were sent. */
  readonly files: readonly UploadedFile[];
  /** Files skipped under `fileRefusals: 'collect'`, each refusal naming its field; else empty. */
  readonly refused: readonly UploadError[];

  constructor(fields: URLSearchParams, files: readonly UploadedFile[], refused: readonly UploadError[] = []) {
    this.fields = fields;
    this.files = Object.freeze([...files]);
    this.refused = Object.freeze([...refused]);
  }

  /** The first file of a field, or undefined. @example const avatar = form.file('avatar') */
  file(field: string): UploadedFile | undefined {
    return this.files.find((f) => f.field === field);
  }

  /** Every file of a field. @example form.filesOf('photos').length */
  filesOf(field: string): UploadedFile[] {
    return this.files.filter((f) => f.field === field);
  }

  /**
   * Deletes every stored file of this form: call it when the handler rejects the form for another
   * reason (a field fails validation) and keeps none of the files.
   *
   * @example if (!form.fields.get('title')) { await form.deleteFiles(); throw badRequest('title is required') }
   */
  async deleteFiles(): Promise<void> {
    await Promise.all(this.files.map((f) => f.delete()));
  }
}
