/**
 * Reads the CSRF field of a multipart/form-data body without taking the body away from the handler.
 *
 * The template engine puts the hidden field right after the `<form>` start tag, and browsers send
 * fields in document order, so the token is in the first part. The check reads only the start of
 * the body (at most `maxBytes`), stops at the token or at the first file part, and gives the bytes
 * back to the request stream with `unshift()`, so an upload parser later reads the whole body from
 * its first byte. A general multipart parser (busboy) cannot stop early and give bytes back, hence
 * this small scanner that understands only what it must: delimiters, part headers, field values.
 *
 * @module
 */
import type { Readable } from 'node:stream';

const CRLF_CRLF = Buffer.from('\r\n\r\n');
const MAX_PART_HEADER_BYTES = 8 * 1024;

type Phase = 'preamble' | 'delimiter' | 'headers' | 'body';

/** Incremental scan of a multipart prefix for one text field; linear in the bytes pushed. */
export class MultipartFieldScanner {
  readonly #buf: Buffer;
  readonly #delimiter: Buffer; // '--' + boundary
  readonly #bodyEnd: Buffer; // '\r\n--' + boundary
  readonly #field: string;
  #len = 0;
  #phase: Phase = 'preamble';
  #mark = 0; // start of the current element (delimiter end, headers start, body start)
  #from = 0; // where the next search starts
  #name: string | null = null;
  #isFile = false;

  constructor(boundary: string, field: string, maxBytes: number) {
    this.#buf = Buffer.allocUnsafe(maxBytes);
    this.#delimiter = Buffer.from(`--${boundary}`, 'latin1');
    this.#bodyEnd = Buffer.from(`\r\n--${boundary}`, 'latin1');
    this.#field = field;
  }

  /**
   * Adds bytes. Returns undefined while more are needed, the field's value when found, or null when
   * the field cannot come any more (a file part first, the closing delimiter, malformed input, or
   * `maxBytes` read).
   */
  push(chunk: Uint8Array): string | null | undefined {
    const room = this.#buf.length - this.#len;
    const n = Math.min(room, chunk.length);
    this.#buf.set(n === chunk.length ? chunk : chunk.subarray(0, n), this.#len);
    this.#len += n;
    const out = this.#scan();
    if (out !== undefined) return out;
    return this.#len === this.#buf.length ? null : undefined;
  }

  #scan(): string | null | undefined {
    const buf = this.#buf.subarray(0, this.#len);
    for (;;) {
      if (this.#phase === 'preamble') {
        // The first delimiter starts the body or follows a CRLF that ends the preamble.
        let at = buf.indexOf(this.#delimiter, this.#from);
        while (at > 0 && !(buf[at - 1] === 10 && buf[at - 2] === 13)) at = buf.indexOf(this.#delimiter, at + 1);
        if (at === -1) {
          this.#from = Math.max(0, this.#len - this.#delimiter.length - 2);
          return undefined;
        }
        this.#mark = at + this.#delimiter.length;
        this.#phase = 'delimiter';
      } else if (this.#phase === 'delimiter') {
        let i = this.#mark;
        if (buf.length < i + 2) return undefined;
        if (buf[i] === 45 && buf[i + 1] === 45) return null; // '--': the closing delimiter
        while (i < buf.length && (buf[i] === 32 || buf[i] === 9)) i++; // transport padding
        if (buf.length < i + 2) return undefined;
        if (buf[i] !== 13 || buf[i + 1] !== 10) return null;
        this.#mark = i + 2;
        this.#from = this.#mark;
        this.#phase = 'headers';
      } else if (this.#phase === 'headers') {
        // A part without headers has its blank line right away.
        const end = buf.length >= this.#mark + 2 && buf[this.#mark] === 13 && buf[this.#mark + 1] === 10 ? this.#mark - 2 : buf.indexOf(CRLF_CRLF, this.#from);
        if (end === -1) {
          if (this.#len - this.#mark > MAX_PART_HEADER_BYTES) return null;
          this.#from = Math.max(this.#mark, this.#len - 3);
          return undefined;
        }
        this.#readHeaders(end > this.#mark ? buf.toString('latin1', this.#mark, end) : '');
        // Files come after the token in every form the engine renders; a file first means no token.
        if (this.#isFile) return null;
        this.#mark = end + 4;
        this.#from = this.#mark;
        this.#phase = 'body';
      } else {
        const end = buf.indexOf(this.#bodyEnd, this.#from);
        if (end === -1) {
          this.#from = Math.max(this.#mark, this.#len - this.#bodyEnd.length + 1);
          return undefined;
        }
        if (this.#name === this.#field) return buf.toString('utf8', this.#mark, end);
        this.#mark = end + this.#bodyEnd.length;
        this.#phase = 'delimiter';
      }
    }
  }

  #readHeaders(block: string): void {
    this.#name = null;
    this.#isFile = false;
    for (const line of block.split('\r\n')) {
      const colon = line.indexOf(':');
      if (colon === -1 || line.slice(0, colon).trim().toLowerCase() !== 'content-disposition') continue;
      const params = dispositionParams(line.slice(colon + 1));
      this.#name = params.get('name') ?? null;
      this.#isFile = params.has('filename') || params.has('filename*');
    }
  }
}

/** Parameters of a Content-Disposition value (`form-data; name="a"; filename="b"`). */
function dispositionParams(value: string): Map<string, string> {
  const out = new Map<string, string>();
  let i = value.indexOf(';');
  while (i !== -1 && i < value.length) {
    i++;
    while (value[i] === ' ' || value[i] === '\t') i++;
    const eq = value.indexOf('=', i);
    if (eq === -1) break;
    const key = value.slice(i, eq).trim().toLowerCase();
    let j = eq + 1;
    let v = '';
    if (value[j] === '"') {
      j++;
      while (j < value.length && value[j] !== '"') {
        if (value[j] === '\\' && j + 1 < value.length) j++;
        v += value[j];
        j++;
      }
      j = value.indexOf(';', j);
    } else {
      const semi = value.indexOf(';', j);
      v = value.slice(j, semi === -1 ? undefined : semi).trim();
      j = semi;
    }
    if (!out.has(key)) out.set(key, v);
    i = j;
  }
  return out;
}

/**
 * Reads the start of a request stream through the scanner, then puts what it read back at the
 * front of the stream. Resolves to the field value, or null.
 *
 * The bytes go back synchronously, inside the same 'readable' callback that found the answer: at
 * that moment the stream has not emitted 'end' (the scanner always decides before the last byte is
 * consumed by anyone else), so `unshift()` is allowed and a later reader sees the whole body.
 */
export function peekStreamField(stream: Readable, scanner: MultipartFieldScanner): Promise<string | null> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let settled = false;
    const finish = (value: string | null, giveBack: boolean): void => {
      if (settled) return;
      settled = true;
      stream.off('readable', onReadable);
      stream.off('end', onEnd);
      stream.off('error', onError);
      stream.off('aborted', onError);
      if (giveBack && chunks.length > 0) stream.unshift(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks));
      resolve(value);
    };
    const onReadable = (): void => {
      let chunk: Buffer | null;
      while (!settled && (chunk = stream.read() as Buffer | null) !== null) {
        chunks.push(chunk);
        const out = scanner.push(chunk);
        if (out !== undefined) finish(out, true);
      }
    };
    // The body ended before the scanner decided: it was truncated, and the request is refused.
    const onEnd = (): void => finish(null, false);
    const onError = (): void => finish(null, false);
    stream.on('readable', onReadable);
    stream.on('end', onEnd);
    stream.on('error', onError);
    stream.on('aborted', onError);
  });
}

/** Scans a whole body already in memory (when another reader consumed the stream first). */
export function scanBufferedField(body: Uint8Array, boundary: string, field: string, maxBytes: number): string | null {
  const scanner = new MultipartFieldScanner(boundary, field, Math.min(maxBytes, Math.max(body.length, 1)));
  return scanner.push(body) ?? null;
}
