/**
 * The template lexer: turns template source into tokens, on demand, for the parser.
 *
 * Text between tags becomes `text` tokens (after whitespace control), `{% raw %}` content becomes
 * one `raw` token, comments disappear, and the inside of `{{ }}` and `{% %}` becomes expression
 * tokens framed by `var_begin`/`var_end` and `block_begin`/`block_end`.
 *
 * Whitespace control, decided once for every template (the usual Jinja setup for HTML):
 * - `{%-`, `{{-`, `{#-` remove all whitespace (spaces, tabs, newlines) before the tag, and `-%}`,
 *   `-}}`, `-#}` all whitespace after it.
 * - trim_blocks is ON: the first newline (`\n` or `\r\n`) right after a `{% %}` or `{# #}` tag is
 *   removed, so a line holding only a tag leaves no blank line. `+%}` / `+#}` keep that newline.
 * - lstrip_blocks is ON: spaces and tabs between the start of a line and a `{% %}` or `{# #}` tag
 *   are removed when nothing else precedes the tag on that line. `{%+` / `{#+` keep them.
 * - `{{ }}` never trims by itself: only its `-` markers do.
 * - `{% raw %}` and `{% endraw %}` are ordinary block tags for these rules, so they apply at the
 *   edges of the raw content too.
 * "Whitespace" is ASCII whitespace only (space, tab, CR, LF, FF, VT); a no-break space is content.
 * As in Jinja, `{{-1}}` is a strip marker followed by `1`: write `{{ -1 }}` for minus one.
 *
 * Lines and columns are 1-based; a column counts UTF-16 code units (a tab is one column).
 *
 * @module
 */
import { TemplateSyntaxError } from './errors.js';

/** Largest template source accepted, in UTF-8 bytes. */
export const MAX_TEMPLATE_BYTES = 5 * 1024 * 1024; // 5 MiB

export type TokenType =
  | 'text' // template text (value: the text after whitespace control)
  | 'raw' // content of {% raw %}…{% endraw %}
  | 'var_begin' // {{
  | 'var_end' // }}
  | 'block_begin' // {%
  | 'block_end' // %}
  | 'name' // identifiers and keywords (and, or, not, in, is, if, else, true, none…)
  | 'string' // value: the decoded string
  | 'int' // value: the source digits, underscores removed
  | 'float'
  | 'op' // value: the operator or bracket
  | 'eof';

export interface Token {
  readonly type: TokenType;
  readonly value: string;
  readonly line: number;
  readonly col: number;
}

const SYNTAX = 'E_TEMPLATE_SYNTAX';
const TWO_CHAR_OPS = new Set(['**', '//', '==', '!=', '<=', '>=']);
const ONE_CHAR_OPS = new Set(['+', '-', '*', '/', '%', '~', '<', '>', '=', '.', ',', ':', '|', '(', ')', '[', ']', '{', '}']);
const CLOSER: Record<string, string> = { ')': '(', ']': '[', '}': '{' };
const SIMPLE_ESCAPES: Record<string, string> = { n: '\n', t: '\t', r: '\r', '\\': '\\', '"': '"', "'": "'" };
const RAW_OPEN = /\{%([-+]?)[ \t\r\n\f\v]*raw[ \t\r\n\f\v]*([-+]?)%\}/y;
const RAW_CLOSE = /\{%([-+]?)[ \t\r\n\f\v]*endraw[ \t\r\n\f\v]*([-+]?)%\}/g;

function isSpace(c: string | undefined): boolean {
  return c === ' ' || c === '\t' || c === '\n' || c === '\r' || c === '\f' || c === '\v';
}
function isDigit(c: string | undefined): boolean {
  return c !== undefined && c >= '0' && c <= '9';
}
function isNameStart(c: string | undefined): boolean {
  return c !== undefined && ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c === '_');
}
function isNameChar(c: string | undefined): boolean {
  return isNameStart(c) || isDigit(c);
}
function isHex(c: string | undefined): boolean {
  return c !== undefined && /^[0-9a-fA-F]$/.test(c);
}

/** How the text after a tag starts: as is, without its first newline, or without any leading whitespace. */
type Lead = 'keep' | 'trim-newline' | 'strip';

/** Produces tokens one at a time; the parser pulls them, so the first error in source order wins. */
export class Lexer {
  readonly #name: string;
  readonly #src: string;
  readonly #lineStarts: number[] = [0];
  #pos = 0;
  #lead: Lead = 'keep';
  #queue: Token[] = [];
  #head = 0;
  #done = false;
  readonly #expressionOnly: boolean;

  /** With `expressionOnly`, the whole source is lexed as the inside of one tag (for `parseExpression`). */
  constructor(name: string, source: string, expressionOnly = false) {
    this.#name = name;
    this.#src = source;
    this.#expressionOnly = expressionOnly;
    if (source.length > MAX_TEMPLATE_BYTES || (source.length * 3 > MAX_TEMPLATE_BYTES && Buffer.byteLength(source, 'utf8') > MAX_TEMPLATE_BYTES)) {
      throw new TemplateSyntaxError(SYNTAX, `template is larger than ${MAX_TEMPLATE_BYTES} bytes (5 MiB); split it with {% include %} or {% extends %}`, { template: name, line: 1, col: 1 });
    }
    for (let i = source.indexOf('\n'); i !== -1; i = source.indexOf('\n', i + 1)) this.#lineStarts.push(i + 1);
  }

  /** The next token (`eof` forever once the source is used up). */
  next(): Token {
    while (this.#head >= this.#queue.length) {
      this.#queue.length = 0;
      this.#head = 0;
      if (this.#done) return this.#token('eof', '', this.#src.length);
      if (this.#expressionOnly) this.#scanTag(0, 0, 'expr');
      else this.#scanData();
    }
    return this.#queue[this.#head++]!;
  }

  // -- data mode ------------------------------------------------------------------------------

  /** Scans text up to the next tag, then the tag; queues at least one token or sets #done. */
  #scanData(): void {
    const src = this.#src;
    let tagStart = -1;
    for (let i = src.indexOf('{', this.#pos); i !== -1; i = src.indexOf('{', i + 1)) {
      const c = src[i + 1];
      if (c === '{' || c === '%' || c === '#') {
        tagStart = i;
        break;
      }
    }
    if (tagStart === -1) {
      this.#emitText(this.#pos, src.length, false, false, 'text');
      this.#pos = src.length;
      this.#done = true;
      return;
    }
    const kind = src[tagStart + 1]!;
    const mod = src[tagStart + 2];
    const stripBefore = mod === '-';
    const keepBefore = mod === '+' && kind !== '{';
    const lstrip = kind !== '{' && !stripBefore && !keepBefore;
    const textStart = this.#pos;

    if (kind === '%') {
      RAW_OPEN.lastIndex = tagStart;
      const m = RAW_OPEN.exec(src);
      if (m !== null) {
        this.#emitText(textStart, tagStart, stripBefore, lstrip, 'text');
        this.#scanRaw(tagStart, RAW_OPEN.lastIndex, m[2]!);
        return;
      }
    }
    this.#emitText(textStart, tagStart, stripBefore, lstrip, 'text');
    const bodyStart = tagStart + 2 + (stripBefore || keepBefore ? 1 : 0);
    if (kind === '#') this.#scanComment(tagStart, bodyStart);
    else this.#scanTag(tagStart, bodyStart, kind === '{' ? 'var' : 'block');
  }

  /**
   * Queues the text `[start, end)` after applying the pending lead rule, then `-` stripping before
   * the next tag (`stripEnd`) or lstrip_blocks (`lstrip`).
   */
  #emitText(start: number, end: number, stripEnd: boolean, lstrip: boolean, type: 'text' | 'raw'): void {
    const src = this.#src;
    const lead = this.#lead;
    this.#lead = 'keep';
    if (lead === 'strip') {
      while (start < end && isSpace(src[start])) start++;
    } else if (lead === 'trim-newline') {
      if (src[start] === '\n') start++;
      else if (src[start] === '\r' && src[start + 1] === '\n') start += 2;
    }
    if (stripEnd) {
      while (end > start && isSpace(src[end - 1])) end--;
    } else if (lstrip) {
      // lstrip_blocks: only when the tag is the first thing on its line.
      let k = end;
      while (k > start && (src[k - 1] === ' ' || src[k - 1] === '\t')) k--;
      if (k === 0 || src[k - 1] === '\n') end = k;
    }
    if (end > start) this.#queue.push(this.#token(type, src.slice(start, end), start));
  }

  #leadAfter(endMod: string | undefined, blockLike: boolean): Lead {
    if (endMod === '-') return 'strip';
    if (endMod === '+' || !blockLike) return 'keep';
    return 'trim-newline';
  }

  #scanComment(tagStart: number, bodyStart: number): void {
    const close = this.#src.indexOf('#}', bodyStart);
    if (close === -1) throw this.#error(`unclosed comment: '{#' opened here has no closing '#}'`, tagStart);
    const endMod = close > bodyStart ? this.#src[close - 1] : undefined;
    this.#pos = close + 2;
    this.#lead = this.#leadAfter(endMod === '-' || endMod === '+' ? endMod : undefined, true);
  }

  #scanRaw(tagStart: number, contentStart: number, openEndMod: string): void {
    RAW_CLOSE.lastIndex = contentStart;
    const m = RAW_CLOSE.exec(this.#src);
    if (m === null) throw this.#error('unclosed {% raw %} opened here; close it with {% endraw %}', tagStart);
    this.#lead = this.#leadAfter(openEndMod, true);
    const closeMod = m[1]!;
    this.#emitText(contentStart, m.index, closeMod === '-', closeMod === '', 'raw');
    this.#pos = RAW_CLOSE.lastIndex;
    this.#lead = this.#leadAfter(m[2], true);
  }

  // -- tag mode -------------------------------------------------------------------------------

  /** Queues `{{`/`{%`, the expression tokens, and `}}`/`%}`. */
  #scanTag(tagStart: number, bodyStart: number, kind: 'var' | 'block' | 'expr'): void {
    const src = this.#src;
    const q = this.#queue;
    if (kind !== 'expr') q.push(this.#token(kind === 'var' ? 'var_begin' : 'block_begin', kind === 'var' ? '{{' : '{%', tagStart));
    const brackets: string[] = [];
    let p = bodyStart;
    let prevDot = false;
    for (;;) {
      while (isSpace(src[p])) p++;
      if (p >= src.length && kind === 'expr') {
        this.#pos = p;
        this.#done = true;
        return;
      }
      if (p >= src.length) {
        const open = kind === 'var' ? "'{{'" : "'{%'";
        throw this.#error(`unclosed tag: ${open} opened here has no closing ${kind === 'var' ? "'}}'" : "'%}'"}`, tagStart);
      }
      const c = src[p]!;
      const c2 = src[p + 1];
      const inBrace = brackets[brackets.length - 1] === '{';
      // Tag ends. `-`/`+` before the closer are whitespace control, not operators.
      if (kind === 'block') {
        const mod = c === '-' || c === '+' ? c : '';
        if (src.startsWith('%}', p + mod.length)) {
          q.push(this.#token('block_end', '%}', p));
          this.#pos = p + mod.length + 2;
          this.#lead = this.#leadAfter(mod, true);
          return;
        }
        if (!inBrace && src.startsWith('}}', p + (c === '-' ? 1 : 0))) {
          throw this.#error(`expected '%}' to close the '{%' at ${this.#where(tagStart)}, found '}}'`, p);
        }
      } else if (kind === 'var') {
        if (!inBrace && src.startsWith('}}', p + (c === '-' ? 1 : 0))) {
          q.push(this.#token('var_end', '}}', p));
          this.#pos = p + (c === '-' ? 3 : 2);
          this.#lead = this.#leadAfter(c === '-' ? '-' : undefined, false);
          return;
        }
        if (src.startsWith('%}', p + (c === '-' ? 1 : 0))) {
          throw this.#error(`expected '}}' to close the '{{' at ${this.#where(tagStart)}, found '%}'`, p);
        }
      }
      if (isNameStart(c)) {
        const s = p;
        while (isNameChar(src[p])) p++;
        q.push(this.#token('name', src.slice(s, p), s));
        prevDot = false;
      } else if (isDigit(c)) {
        p = this.#scanNumber(p, prevDot);
        prevDot = false;
      } else if (c === '"' || c === "'") {
        p = this.#scanString(p);
        prevDot = false;
      } else {
        const two = c + (c2 ?? '');
        const op = TWO_CHAR_OPS.has(two) ? two : ONE_CHAR_OPS.has(c) ? c : null;
        if (op === null) {
          const shown = c === '!' ? "'!' (write 'not x' or 'a != b')" : `character ${JSON.stringify(c)}`;
          throw this.#error(`unexpected ${shown} in a tag`, p);
        }
        if (op === '(' || op === '[' || op === '{') brackets.push(op);
        else if (Object.hasOwn(CLOSER, op) && brackets[brackets.length - 1] === CLOSER[op]) brackets.pop();
        q.push(this.#token('op', op, p));
        p += op.length;
        prevDot = op === '.';
      }
    }
  }

  /** Integers and floats (`1_000`, `4.2`, `1e-3`); right after `.` only digits, so `x.0.1` is two lookups. */
  #scanNumber(start: number, afterDot: boolean): number {
    const src = this.#src;
    let p = this.#digits(start);
    let isFloat = false;
    if (!afterDot && src[p] === '.' && isDigit(src[p + 1])) {
      p = this.#digits(p + 1);
      isFloat = true;
    }
    if (!afterDot && (src[p] === 'e' || src[p] === 'E')) {
      let e = p + 1;
      if (src[e] === '+' || src[e] === '-') e++;
      if (isDigit(src[e])) {
        p = this.#digits(e);
        isFloat = true;
      }
    }
    if (isNameChar(src[p])) throw this.#error(`invalid number literal '${src.slice(start, p + 1)}'`, start);
    this.#queue.push(this.#token(isFloat ? 'float' : 'int', src.slice(start, p).replaceAll('_', ''), start));
    return p;
  }

  #digits(p: number): number {
    const src = this.#src;
    while (isDigit(src[p]) || (src[p] === '_' && isDigit(src[p - 1]) && isDigit(src[p + 1]))) p++;
    return p;
  }

  #scanString(start: number): number {
    const src = this.#src;
    const quote = src[start];
    let out = '';
    let p = start + 1;
    let chunk = p;
    for (;;) {
      const c = src[p];
      if (c === undefined) throw this.#error('unterminated string literal', start);
      if (c === quote) break;
      if (c !== '\\') {
        p++;
        continue;
      }
      out += src.slice(chunk, p);
      const e = src[p + 1];
      if (e !== undefined && Object.hasOwn(SIMPLE_ESCAPES, e)) {
        out += SIMPLE_ESCAPES[e];
        p += 2;
      } else if (e === 'u' && isHex(src[p + 2]) && isHex(src[p + 3]) && isHex(src[p + 4]) && isHex(src[p + 5])) {
        out += String.fromCharCode(parseInt(src.slice(p + 2, p + 6), 16));
        p += 6;
      } else if (e === 'u') {
        throw this.#error('invalid \\u escape: write exactly four hex digits, as in \\u00e9', p);
      } else {
        const shown = e === undefined ? '' : e;
        throw this.#error(`unknown escape sequence '\\${shown}' in a string; known: \\n \\t \\r \\\\ \\" \\' \\uXXXX`, p);
      }
      chunk = p;
    }
    out += src.slice(chunk, p);
    this.#queue.push(this.#token('string', out, start));
    return p + 1;
  }

  // -- positions and errors -------------------------------------------------------------------

  #token(type: TokenType, value: string, offset: number): Token {
    const line = this.#lineOf(offset);
    return { type, value, line, col: offset - this.#lineStarts[line - 1]! + 1 };
  }

  #lineOf(offset: number): number {
    const starts = this.#lineStarts;
    let lo = 0;
    let hi = starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (starts[mid]! <= offset) lo = mid;
      else hi = mid - 1;
    }
    return lo + 1;
  }

  #where(offset: number): string {
    const t = this.#token('eof', '', offset);
    return `line ${t.line}, column ${t.col}`;
  }

  #error(message: string, offset: number): TemplateSyntaxError {
    const t = this.#token('eof', '', offset);
    return new TemplateSyntaxError(SYNTAX, message, { template: this.#name, line: t.line, col: t.col }, this.#src);
  }
}

/** All tokens of a template, ending with `eof` (for tests and tools; the parser pulls lazily). */
export function tokenize(name: string, source: string): Token[] {
  const lexer = new Lexer(name, source);
  const out: Token[] = [];
  for (;;) {
    const t = lexer.next();
    out.push(t);
    if (t.type === 'eof') return out;
  }
}
