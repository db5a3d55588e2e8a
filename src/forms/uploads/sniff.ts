/**
 * Content sniffing: the type of an upload comes from its bytes, never from the client.
 *
 * Binary formats are recognised by `file-type` from the first bytes. It does not recognise text
 * formats, so two are handled here: SVG (an XML document whose root is `<svg>`, or that names the
 * SVG namespace: it can carry script, so it is accepted only where allow-listed by name), and
 * plain text (valid UTF-8 with no control characters and nothing that looks like HTML markup,
 * checked over the whole file while it streams, not just its head).
 *
 * @module
 */

/** Bytes read before deciding the type: file-type's own recommended sample size. */
export const SNIFF_BYTES = 4100;

export const SVG_TYPE = 'image/svg+xml';
export const TEXT_TYPE = 'text/plain';
export const UNKNOWN_TYPE = 'application/octet-stream';

// `<` then a letter, `!`, `/` or `?`: the start of a tag, comment, doctype or processing
// instruction. A plain "a < b" stays text.
const MARKUP = /<[A-Za-z!/?]/;
// Control characters other than tab, line feed, vertical tab, form feed and carriage return: NUL
// and friends mean binary data, ESC sequences can rewrite a terminal that prints the file.
const CONTROL = /[\u0000-\u0008\u000E-\u001F\u007F]/;

/**
 * Checks text incrementally: strict UTF-8 across chunk boundaries, no control characters, no
 * markup (also when `<` ends one chunk and the tag name starts the next).
 */
export class TextCheck {
  readonly #decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
  #last = '';
  #ok = true;

  /** False once any byte so far broke the rules. */
  get ok(): boolean {
    return this.#ok;
  }

  /** Checks the next bytes; returns `ok`. */
  push(bytes: Uint8Array): boolean {
    if (this.#ok) this.#check(() => this.#decoder.decode(bytes, { stream: true }));
    return this.#ok;
  }

  /** Checks that the bytes did not stop inside a UTF-8 sequence; returns `ok`. */
  end(): boolean {
    if (this.#ok) this.#check(() => this.#decoder.decode());
    return this.#ok;
  }

  #check(decode: () => string): void {
    let text: string;
    try {
      text = decode();
    } catch {
      this.#ok = false;
      return;
    }
    const window = this.#last + text;
    if (MARKUP.test(window) || CONTROL.test(text)) this.#ok = false;
    if (text.length > 0) this.#last = text.charAt(text.length - 1);
  }
}

function decodeHead(head: Uint8Array): string {
  if (head[0] === 0xff && head[1] === 0xfe) return new TextDecoder('utf-16le').decode(head.subarray(2));
  if (head[0] === 0xfe && head[1] === 0xff) return new TextDecoder('utf-16be').decode(head.subarray(2));
  return new TextDecoder('utf-8').decode(head);
}

/**
 * True when the head of a file is an SVG document: after an optional BOM, XML declaration,
 * comments and doctype, the root element is `svg` (any case, any namespace prefix), or the head
 * names the SVG namespace anywhere. Deliberately broad: a false positive only means the file is
 * treated as SVG, which is the stricter treatment.
 */
export function looksLikeSvg(head: Uint8Array): boolean {
  let s = decodeHead(head);
  if (s.charCodeAt(0) === 0xfeff) s = s.slice(1);
  if (!/^\s*</.test(s)) return false;
  if (s.includes('http://www.w3.org/2000/svg')) return true;
  for (let guard = 0; guard < 64; guard++) {
    s = s.trimStart();
    let end = -1;
    if (s.startsWith('<?')) end = skip(s, '?>');
    else if (s.startsWith('<!--')) end = skip(s, '-->');
    else if (/^<!doctype/i.test(s)) {
      const bracket = s.indexOf('[');
      const close = s.indexOf('>');
      end = bracket !== -1 && bracket < close ? skip(s, ']>') : close === -1 ? -1 : close + 1;
    } else break;
    if (end === -1) return false;
    s = s.slice(end);
  }
  return /^<(?:[A-Za-z_][\w.-]*:)?svg[\s/>]/i.test(s);
}

function skip(s: string, terminator: string): number {
  const i = s.indexOf(terminator);
  return i === -1 ? -1 : i + terminator.length;
}

type Detect = (head: Uint8Array) => Promise<{ mime: string } | undefined>;
let detector: Promise<Detect> | undefined;

// file-type is loaded on the first upload, so apps that import rampart/forms for forms alone
// never pay for it.
function loadDetector(): Promise<Detect> {
  return (detector ??= import('file-type').then((m) => (head: Uint8Array) => m.fileTypeFromBuffer(head)));
}

/** What the head of a file says it is. */
export interface Sniffed {
  /** The content type: a `file-type` result, `image/svg+xml`, `text/plain` or `application/octet-stream`. */
  readonly type: string;
  /**
   * For `text/plain`: the checker that has seen the head and must see the rest of the file; the
   * type holds only if it is still `ok` after `end()`.
   */
  readonly text: TextCheck | null;
}

/**
 * Sniffs the type from the first bytes of a file (`complete` when they are the whole file).
 *
 * @example
 * const { type } = await sniffContentType(await readFile('logo.png'), true) // 'image/png'
 */
export async function sniffContentType(head: Uint8Array, complete: boolean): Promise<Sniffed> {
  if (looksLikeSvg(head)) return { type: SVG_TYPE, text: null };
  const detected = await (await loadDetector())(head);
  if (detected !== undefined) return { type: detected.mime, text: null };
  const text = new TextCheck();
  text.push(head);
  if (complete) text.end();
  return text.ok ? { type: TEXT_TYPE, text } : { type: UNKNOWN_TYPE, text: null };
}
