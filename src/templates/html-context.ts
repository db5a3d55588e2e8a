/**
 * Compile-time HTML context tracking: which context each `{{ }}` of a template sits in, and which
 * runtime escaper from `escape.ts` makes a value safe there ({@link chooseEscaper}), or why none can.
 *
 * The compiler feeds the literal text of a template to an {@link HtmlContextTracker} chunk by chunk,
 * asks {@link chooseEscaper} at each output and calls {@link HtmlContextTracker.afterOutput} after it.
 * The tracker is a character-at-a-time state machine with no lookahead, so an output may sit between
 * any two characters and the context is still exact.
 *
 * What is tracked (the design follows Go's html/template, written from scratch):
 * - the HTML5 tokenizer states that decide where text, tags, attributes, comments and raw text end,
 *   including the script-data escape states (`<!--` then `<script>` inside a script, where
 *   `</script>` no longer closes it), RAWTEXT elements (`xmp`, `iframe`, `noembed`, `noframes`,
 *   `plaintext`), SVG/MathML foreign content (where `<script>`/`<style>` are not raw text and
 *   `<![CDATA[` opens a CDATA section) and its HTML integration points (`foreignObject`, `desc`,
 *   `title`; `mi`, `mo`, `mn`, `ms`, `mtext`). Inside `<svg>`/`<math>` the open elements are kept
 *   on a stack, so end tags and the HTML tags that leave foreign content are followed exactly; an
 *   end tag there that does not close the innermost open element makes every later output refused,
 *   because the parser's recovery depends on elements outside the SVG;
 * - JavaScript in `<script>` and in `on*` attributes: strings, template literals with nested `${}`,
 *   comments (`//`, `/* *\/`, and the HTML-like `<!--` and `-->`, anywhere on a line, as Go does) and
 *   regular-expression literals, told apart from division by the token before the `/` (Go's
 *   heuristic). Tracking regexps matters: without it `/"/` would be taken for the start of a string,
 *   and a JSON value emitted where the tracker believes "code" but the browser is inside a string
 *   would close that string. A `.` right after an operand is a member access or a decimal point,
 *   so what follows is an operand too (`x.in / 2`, `{{ n }}./"/` divide).
 * - An output at the start of an unquoted attribute value: escape.ts writes an empty value there as
 *   `""`, which ends the value, so text the template goes on with reads differently when the
 *   output is empty (`<p title={{ x }}onclick='...'>`). The tracker follows both readings and
 *   refuses outputs until they agree again (see {@link EmptyStart}).
 * - CSS in `<style>` and `style` attributes: strings and comments.
 * - In `on*` and `style` attribute values, character references are decoded before the JS/CSS
 *   tracking, as the browser does (`onclick="f(&#39;{{x}}&#39;)"` is code, not a string). Numeric
 *   references and every named reference that stands for an ASCII character are decoded; another
 *   named reference (`&hellip;`) in JS code makes the rest of that attribute refuse outputs. In other
 *   attributes the text is tracked as written (`&quot;` is not decoded): only the emptiness of a URL
 *   so far depends on it, and a wrong answer there picks the stricter URL-part escaper.
 *
 * Every approximation errs towards refusing an output, never towards a weaker escaper. Known
 * limits:
 * - `a-->b` (`a-- > b`) is taken for an HTML-like comment, so outputs after it on that line are
 *   refused; a regexp right after `)` (`if (x) /re/.test(y)`) or a division right after `}` is
 *   misread, as in Go; so is a property named like a keyword after whitespace or `?.` (`a. in / 2`,
 *   `a?.in / 2` are divisions).
 * - Two trackers are equal (and an `{% if %}` may merge them) when they read everything that
 *   follows alike; how an operand ended is not compared (`1`, `"two"`, `f(x)` and an output are
 *   all "after an operand"), nor the name of an attribute once read (its kind is).
 * - The `content` attribute of `<meta http-equiv=refresh>` is a normal attribute, and a CSS string
 *   inside `url("...")` is escaped as a string, not checked as a URL (browsers no longer run script
 *   from CSS). URL attributes accept any http(s) URL, so an output in `<script src>` or `<base href>`
 *   still decides where code comes from: the escaping cannot judge that.
 * - A SafeHtml value is trusted to be balanced markup: the tracker assumes text after it.
 * - Outputs in `method` or `nonce` attributes are not static: a form whose method is an output gets
 *   no CSRF field (it fails the CSRF check, safely), a script whose nonce is an output no nonce.
 *
 * @module
 */

export type HtmlState =
  | 'text'
  | 'rcdata'
  | 'script'
  | 'style'
  | 'comment'
  | 'tagName'
  | 'tag'
  | 'attrName'
  | 'afterAttrName'
  | 'beforeValue'
  | 'attrValue'
  | 'endTag';
export type AttrKind = 'normal' | 'url' | 'srcset' | 'js' | 'css' | 'html';
export type Delim = 'double' | 'single' | 'unquoted';

/** Where an output would land. Frozen; a new object after every change. */
export interface HtmlContext {
  readonly state: HtmlState;
  /** Lower-case current element name ('' in text, and right after `<` or `</`). */
  readonly element: string;
  /** Kind of the current attribute; meaningful in attrValue/beforeValue. */
  readonly attr: AttrKind;
  /** Lower-case name of the current attribute ('' outside attributes). */
  readonly attrName: string;
  /** Quoting of the current attribute value (in attrValue). */
  readonly delim: Delim | null;
  /** url/srcset values: 'start' while the value so far is empty or whitespace (for srcset: or a new candidate starts). */
  readonly urlPart: 'start' | 'rest' | null;
  /** In a script body or js attribute: inside a string or template literal. */
  readonly jsString: '"' | "'" | '`' | null;
  /** In a style body or css attribute: inside a string. */
  readonly cssString: '"' | "'" | null;
  /** Inside a JS comment (script body, js attribute) or a CSS comment (style body, css attribute). */
  readonly comment: 'js' | 'css' | null;
  /** Inside a JS regular-expression literal. */
  readonly jsRegex: boolean;
  /**
   * Why no output is safe here although the state alone would allow one (right after `</scr` in a
   * script, after `&` in an event handler...), else null.
   */
  readonly hazard: string | null;
}

export type Insertion = { readonly offset: number; readonly kind: 'nonce' | 'csrf' };

export type EscaperName =
  | 'html'
  | 'rcdata'
  | 'attr'
  | 'attrUnquoted'
  | 'attrUnquotedRest'
  | 'url'
  | 'urlUnquoted'
  | 'urlUnquotedRest'
  | 'urlPart'
  | 'urlPartUnquoted'
  | 'jsValue'
  | 'jsString'
  | 'jsStringAttr'
  | 'jsStringAttrUnquoted'
  | 'cssString'
  | 'cssStringAttr'
  | 'cssStringAttrUnquoted';

// ---------------------------------------------------------------------------------------------
// Attribute kinds

const URL_ATTRS: ReadonlySet<string> = new Set([
  'href', 'src', 'action', 'formaction', 'poster', 'cite', 'background', 'longdesc', 'manifest',
  'ping', 'codebase', 'classid', 'archive', 'usemap', 'icon', 'profile', 'dynsrc', 'lowsrc',
  'xlink:href',
]);
// SVG animation can set any attribute, href included: `<animate attributeName=href values=...>`.
const ANIMATION_ELEMENTS: ReadonlySet<string> = new Set(['animate', 'set']);
const ANIMATION_VALUE_ATTRS: ReadonlySet<string> = new Set(['to', 'from', 'values', 'by']);

function attrKindOf(element: string, name: string): AttrKind {
  if (name.startsWith('on')) return 'js';
  if (name === 'style') return 'css';
  if (name === 'srcdoc') return 'html';
  if (name === 'srcset' || name === 'imagesrcset') return 'srcset';
  if (URL_ATTRS.has(name)) return 'url';
  if (name === 'data' && element === 'object') return 'url';
  if (ANIMATION_ELEMENTS.has(element) && ANIMATION_VALUE_ATTRS.has(name)) return 'url';
  return 'normal';
}

// Start tags that pop the parser out of SVG/MathML back to HTML (HTML spec, "parsing main inforeign").
const FOREIGN_BREAKOUT: ReadonlySet<string> = new Set([
  'b', 'big', 'blockquote', 'body', 'br', 'center', 'code', 'dd', 'div', 'dl', 'dt', 'em', 'embed',
  'h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'head', 'hr', 'i', 'img', 'li', 'listing', 'menu', 'meta',
  'nobr', 'ol', 'p', 'pre', 'ruby', 's', 'small', 'span', 'strong', 'strike', 'sub', 'sup', 'table',
  'tt', 'u', 'ul', 'var',
]);
const RAWTEXT_ELEMENTS: ReadonlySet<string> = new Set(['xmp', 'iframe', 'noembed', 'noframes']);
// Elements of SVG and MathML whose children are parsed as HTML. (`annotation-xml` is one only with an
// HTML `encoding`; it is taken as foreign, where a script is refused rather than read as raw text.)
const INTEGRATION_POINTS: Readonly<Record<string, ReadonlySet<string>>> = {
  svg: new Set(['foreignobject', 'desc', 'title']),
  math: new Set(['mi', 'mo', 'mn', 'ms', 'mtext']),
};

const VOID_ELEMENTS: ReadonlySet<string> = new Set([
  'area', 'base', 'br', 'col', 'embed', 'hr', 'img', 'input', 'link', 'meta', 'param', 'source',
  'track', 'wbr', 'keygen', 'frame', 'image',
]);

// Entries of the open-element stack kept inside SVG/MathML: 'svg:g', 'math:mi', 'html:div'.
function entryNs(entry: string): string {
  return entry.slice(0, entry.indexOf(':'));
}
function entryName(entry: string): string {
  return entry.slice(entry.indexOf(':') + 1);
}
function isForeignEntry(entry: string | undefined): boolean {
  return entry !== undefined && entryNs(entry) !== 'html';
}
/** The namespace new child elements get ('svg' or 'math'), or null where children are HTML. */
function childNamespace(stack: readonly string[]): 'svg' | 'math' | null {
  const top = stack[stack.length - 1];
  if (top === undefined) return null;
  const ns = entryNs(top);
  if (ns === 'html' || INTEGRATION_POINTS[ns]?.has(entryName(top))) return null;
  return ns === 'svg' ? 'svg' : 'math';
}

// Named character references that decode to text containing an ASCII character (the complete list
// from the HTML standard); every other named reference decodes to non-ASCII text only.
const ASCII_ENTITIES: Readonly<Record<string, string>> = {
  'AMP;': '&', 'DiacriticalGrave;': '`', 'GT;': '>', 'Hat;': '^', 'LT;': '<', 'NewLine;': '\n',
  'QUOT;': '"', 'Tab;': '\t', 'UnderBar;': '_', 'VerticalLine;': '|', 'amp;': '&', 'apos;': "'",
  'ast;': '*', 'bne;': '=\u20e5', 'bsol;': '\\', 'colon;': ':', 'comma;': ',', 'commat;': '@',
  'dollar;': '$', 'equals;': '=', 'excl;': '!', 'fjlig;': 'fj', 'grave;': '`', 'gt;': '>',
  'lbrace;': '{', 'lbrack;': '[', 'lcub;': '{', 'lowbar;': '_', 'lpar;': '(', 'lsqb;': '[',
  'lt;': '<', 'midast;': '*', 'num;': '#', 'nvgt;': '>\u20d2', 'nvlt;': '<\u20d2', 'percnt;': '%',
  'period;': '.', 'plus;': '+', 'quest;': '?', 'quot;': '"', 'rbrace;': '}', 'rbrack;': ']',
  'rcub;': '}', 'rpar;': ')', 'rsqb;': ']', 'semi;': ';', 'sol;': '/', 'verbar;': '|', 'vert;': '|',
};
// The same, written without the semicolon (the legacy forms the standard still decodes).
const ASCII_LEGACY_ENTITIES: Readonly<Record<string, string>> = {
  AMP: '&', amp: '&', GT: '>', gt: '>', LT: '<', lt: '<', QUOT: '"', quot: '"',
};

// ---------------------------------------------------------------------------------------------
// Character classes

function isHtmlSpace(c: string): boolean {
  return c === ' ' || c === '\n' || c === '\t' || c === '\f' || c === '\r';
}
function isAsciiAlpha(c: string): boolean {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}
function isDigit(c: string): boolean {
  return c >= '0' && c <= '9';
}
function isAsciiAlnum(c: string): boolean {
  return isAsciiAlpha(c) || isDigit(c);
}
function isHexDigit(c: string): boolean {
  return isDigit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}
// The HTML spec lower-cases ASCII only: `<ſcript>` is not a script, so neither is it here.
function lowerAscii(c: string): string {
  return c >= 'A' && c <= 'Z' ? String.fromCharCode(c.charCodeAt(0) + 32) : c;
}
function isJsLineTerminator(c: string): boolean {
  return c === '\n' || c === '\r' || c === '\u2028' || c === '\u2029';
}
function isJsSpace(c: string): boolean {
  if (c === ' ' || c === '\t' || c === '\n' || c === '\r' || c === '\v' || c === '\f') return true;
  const code = c.charCodeAt(0);
  if (code < 0xa0) return false;
  return (
    code === 0xa0 || code === 0xfeff || code === 0x1680 || (code >= 0x2000 && code <= 0x200a) ||
    code === 0x2028 || code === 0x2029 || code === 0x202f || code === 0x205f || code === 0x3000
  );
}
function isJsIdentPart(c: string): boolean {
  return isAsciiAlnum(c) || c === '_' || c === '$' || c === '\\' || (c.charCodeAt(0) >= 0x80 && !isJsSpace(c));
}

// ---------------------------------------------------------------------------------------------
// JavaScript lexer (just enough to know strings, comments and regexps)

type JsMode = 'code' | 'dq' | 'sq' | 'tpl' | 'regex' | 'regexClass' | 'lineComment' | 'blockComment';

interface JsState {
  mode: JsMode;
  /** A backslash escape is pending (in a string, template or regexp). */
  esc: boolean;
  /** A `/` was seen in code and the next character decides comment, regexp or division. */
  slash: boolean;
  /** The pending `/` starts a regexp unless it turns out to open a comment. */
  slashRegex: boolean;
  /** In a block comment, the previous character was `*`. */
  star: boolean;
  /** In a template literal, the previous character was `$`. */
  dollar: boolean;
  /** Would a `/` here start a regexp ('regexp') or be a division ('div')? */
  ctx: 'regexp' | 'div';
  /**
   * The token in progress, as far as it matters for `/`: a prefix of a keyword of REGEXP_KEYWORDS
   * (the identifier may still become one), '#' for a name that cannot, '.' right after a `.` that
   * follows an operand (a member access or a decimal point), '' at a token boundary. Digits at a
   * boundary keep it '' (see `jsCode`): after `1`, as after any complete value, `/` divides.
   */
  word: string;
  /** Run of adjacent `+` or `-`: the sign and its parity (1 odd, 2 even). */
  prev: '' | '+' | '-';
  run: 1 | 2;
  /** Longest suffix of the code so far that is a prefix of `<!--` or `-->`. */
  htmlCmt: string;
  /** Depth of `{` nesting, and the depth at which each open `${` of a template literal resumes. */
  depth: number;
  tpl: number[];
}

// Keywords after which `/` starts a regular expression (Go's list, plus await and yield).
const REGEXP_KEYWORDS: ReadonlySet<string> = new Set([
  'await', 'break', 'case', 'continue', 'delete', 'do', 'else', 'finally', 'in', 'instanceof',
  'return', 'throw', 'try', 'typeof', 'void', 'yield',
]);
const REGEXP_KEYWORD_PREFIXES: ReadonlySet<string> = new Set(
  [...REGEXP_KEYWORDS].flatMap((k) => Array.from({ length: k.length }, (_, i) => k.slice(0, i + 1))),
);
// Punctuators after which an expression (so a regexp) starts.
const REGEXP_PRECEDERS = new Set([',', '<', '>', '=', '*', '%', '&', '|', '^', '?', '!', '~', '(', '[', ':', ';', '{']);

function freshJs(): JsState {
  return {
    mode: 'code', esc: false, slash: false, slashRegex: false, star: false, dollar: false,
    ctx: 'regexp', word: '', prev: '', run: 1, htmlCmt: '', depth: 0, tpl: [],
  };
}

function jsEndToken(s: JsState): void {
  s.word = '';
  s.prev = '';
  s.run = 1;
}

/** Enters a string, template or regexp: `ctx` is irrelevant until it ends, so make it canonical. */
function jsEnterLiteral(s: JsState, mode: JsMode): void {
  s.mode = mode;
  s.ctx = 'regexp';
  s.htmlCmt = '';
  jsEndToken(s);
}

/** After a complete value (string, template, regexp, or an output in code): `/` divides. */
function jsAfterValue(s: JsState): void {
  s.mode = 'code';
  s.ctx = 'div';
  s.htmlCmt = '';
  jsEndToken(s);
}

function nextHtmlCmt(prev: string, c: string): string {
  const s = prev + c;
  for (let k = Math.min(s.length, 4); k > 0; k--) {
    const suffix = s.slice(s.length - k);
    if ('<!--'.startsWith(suffix) || '-->'.startsWith(suffix)) return suffix;
  }
  return '';
}

function jsStep(s: JsState, c: string): void {
  switch (s.mode) {
    case 'code': {
      if (s.slash) {
        const regex = s.slashRegex;
        s.slash = false;
        s.slashRegex = false;
        if (c === '/') {
          s.mode = 'lineComment';
          return;
        }
        if (c === '*') {
          s.mode = 'blockComment';
          s.star = false;
          return;
        }
        if (regex) {
          jsEnterLiteral(s, 'regex');
          jsStep(s, c);
          return;
        }
        s.ctx = 'regexp'; // a division: an operand follows
      }
      jsCode(s, c);
      return;
    }
    case 'dq':
    case 'sq':
      if (s.esc) s.esc = false;
      else if (c === '\\') s.esc = true;
      else if (c === (s.mode === 'dq' ? '"' : "'")) jsAfterValue(s);
      // An unterminated string is a syntax error: nothing of the script runs.
      else if (c === '\n' || c === '\r') jsAfterValue(s);
      return;
    case 'tpl':
      if (s.esc) {
        s.esc = false;
        return;
      }
      if (s.dollar) {
        s.dollar = false;
        if (c === '{') {
          s.tpl.push(s.depth);
          jsEnterLiteral(s, 'code'); // an expression starts
          return;
        }
      }
      if (c === '\\') s.esc = true;
      else if (c === '`') jsAfterValue(s);
      else if (c === '$') s.dollar = true;
      return;
    case 'regex':
    case 'regexClass':
      if (s.esc) s.esc = false;
      else if (c === '\\') s.esc = true;
      else if (s.mode === 'regex' && c === '[') s.mode = 'regexClass';
      else if (s.mode === 'regexClass' && c === ']') s.mode = 'regex';
      else if (s.mode === 'regex' && c === '/') jsAfterValue(s);
      else if (isJsLineTerminator(c)) jsAfterValue(s); // unterminated: a syntax error
      return;
    case 'lineComment':
      if (isJsLineTerminator(c)) {
        s.mode = 'code';
        s.htmlCmt = '';
      }
      return;
    case 'blockComment':
      if (s.star && c === '/') {
        s.mode = 'code';
        s.star = false;
        s.htmlCmt = '';
      } else {
        s.star = c === '*';
      }
      return;
  }
}

function jsCode(s: JsState, c: string): void {
  const htmlCmt = nextHtmlCmt(s.htmlCmt, c);
  if (htmlCmt === '<!--' || htmlCmt === '-->') {
    // Annex B HTML-like comments run to the end of the line.
    s.mode = 'lineComment';
    s.htmlCmt = '';
    jsEndToken(s);
    return;
  }
  s.htmlCmt = htmlCmt;
  if (isJsSpace(c)) {
    jsEndToken(s);
    return;
  }
  switch (c) {
    case '"':
      jsEnterLiteral(s, 'dq');
      return;
    case "'":
      jsEnterLiteral(s, 'sq');
      return;
    case '`':
      jsEnterLiteral(s, 'tpl');
      return;
    case '/':
      s.slash = true;
      s.slashRegex = s.ctx === 'regexp';
      jsEndToken(s);
      return;
    case '{':
      // Depth only matters relative to an open `${`, so it is not counted outside one.
      if (s.tpl.length > 0) s.depth++;
      s.ctx = 'regexp';
      jsEndToken(s);
      return;
    case '}': {
      const resume = s.tpl[s.tpl.length - 1];
      if (resume !== undefined && resume === s.depth) {
        s.tpl.pop();
        if (s.tpl.length === 0) s.depth = 0;
        jsEnterLiteral(s, 'tpl');
        return;
      }
      if (s.depth > 0) s.depth--;
      // `}` usually ends a block, after which a regexp can start (Go's choice).
      s.ctx = 'regexp';
      jsEndToken(s);
      return;
    }
    case ')':
    case ']':
      s.ctx = 'div';
      jsEndToken(s);
      return;
    case '+':
    case '-': {
      // `a++ / b` divides, `a + /re/` does not: count adjacent signs, as Go does.
      const run: 1 | 2 = s.prev === c && s.run === 1 ? 2 : 1;
      s.word = '';
      s.prev = c;
      s.run = run;
      s.ctx = run === 1 ? 'regexp' : 'div';
      return;
    }
    case '.':
      if (s.ctx === 'div') {
        // After an operand a `.` is a member access (`a.b`, `"s".length`, `f().x`, `{{ v }}.x`) or a
        // decimal point (`1.5`, `1./2`): what follows at once is a property name or digits, and
        // either way an operand, so `/` still divides. (A spread `...` or a number `.5` only comes
        // where an expression starts, where ctx is 'regexp'.)
        s.word = '.';
        s.prev = '';
        s.run = 1;
        return;
      }
      s.ctx = 'regexp';
      jsEndToken(s);
      return;
  }
  if (isJsIdentPart(c)) {
    if (s.word === '.') {
      // A property name (`x.in / 2` divides: `in` is no keyword there), or the digits of a decimal.
      s.word = isDigit(c) ? '' : '#';
    } else if (s.word === '' && isDigit(c)) {
      // Digits at a token boundary: a number, which stays a boundary ('' with ctx 'div'), exactly
      // the state after a string or any other complete value, so `{% if %}1{% else %}"two"{%
      // endif %}` ends in one context. (A number with letters, `1e3`, `0x1f`, ends as a name does,
      // '#'.) The two differ only on an identifier character right after the digits, where a new
      // word starts that may become a keyword. JavaScript forbids an identifier right after a
      // number (`1in`, `3x` are syntax errors: nothing of the script runs). The letters that do
      // continue a numeric literal (`0x1f`, `1e5`, `1n`, `0b1`, `0o7`, `1_0`) never complete a
      // keyword of REGEXP_KEYWORDS: after the digits a valid literal goes on with x, o, b, e, n, _
      // or hex digits only, and every keyword that starts with one of them has a letter outside
      // that set (await, break, case, continue, delete, do, else, finally), so the word they form
      // reads as an operand, as it should.
    } else {
      const word = s.word === '#' ? '#' : s.word + c;
      s.word = REGEXP_KEYWORD_PREFIXES.has(word) ? word : '#';
    }
    s.prev = '';
    s.run = 1;
    s.ctx = REGEXP_KEYWORDS.has(s.word) ? 'regexp' : 'div';
    return;
  }
  s.ctx = REGEXP_PRECEDERS.has(c) ? 'regexp' : 'div';
  jsEndToken(s);
}

function jsAfterOutput(s: JsState): void {
  if (s.mode === 'code') {
    s.slash = false;
    jsAfterValue(s);
  } else {
    s.esc = false;
    s.dollar = false;
  }
}

// ---------------------------------------------------------------------------------------------
// CSS lexer (strings and comments)

type CssMode = 'code' | 'dq' | 'sq' | 'comment';

interface CssState {
  mode: CssMode;
  esc: boolean;
  slash: boolean;
  star: boolean;
}

function freshCss(): CssState {
  return { mode: 'code', esc: false, slash: false, star: false };
}

function cssStep(s: CssState, c: string): void {
  switch (s.mode) {
    case 'code':
      if (s.slash) {
        s.slash = false;
        if (c === '*') {
          s.mode = 'comment';
          s.star = false;
          return;
        }
      }
      if (s.esc) s.esc = false; // `\"` in code is an escaped quote, not a string
      else if (c === '\\') s.esc = true;
      else if (c === '"') s.mode = 'dq';
      else if (c === "'") s.mode = 'sq';
      else if (c === '/') s.slash = true;
      return;
    case 'dq':
    case 'sq':
      if (s.esc) s.esc = false;
      else if (c === '\\') s.esc = true;
      else if (c === (s.mode === 'dq' ? '"' : "'")) s.mode = 'code';
      else if (c === '\n' || c === '\r' || c === '\f') s.mode = 'code'; // a bad-string token ends here
      return;
    case 'comment':
      if (s.star && c === '/') {
        s.mode = 'code';
        s.star = false;
      } else {
        s.star = c === '*';
      }
      return;
  }
}

// ---------------------------------------------------------------------------------------------
// The tracker

type Mode =
  | 'text'
  | 'tagOpen'
  | 'endTagOpen'
  | 'markupDecl'
  | 'cdataStart'
  | 'cdata'
  | 'commentStartDash'
  | 'comment'
  | 'bogusComment'
  | 'tagName'
  | 'beforeAttrName'
  | 'attrName'
  | 'afterAttrName'
  | 'beforeValue'
  | 'attrValue'
  | 'selfClosing'
  | 'raw';
type CommentPhase = 'start' | 'startDash' | 'body' | 'endDash' | 'end' | 'endBang';
type RawKind = 'script' | 'style' | 'rcdata' | 'rawtext' | 'plaintext';
type LtPhase = '' | 'lt' | 'ltBang' | 'ltBangDash' | 'endName' | 'startName';
type EntPhase = '' | 'amp' | 'named' | 'hash' | 'hexStart' | 'dec' | 'hex';

interface State {
  mode: Mode;
  commentPhase: CommentPhase;
  /** The tag being read is an end tag. */
  endTag: boolean;
  /** Lower-case name of the tag being read. */
  tag: string;
  attrName: string;
  attrKind: AttrKind;
  delim: Delim | null;
  /** The start tag being read has a `nonce` attribute. */
  hasNonce: boolean;
  /** The `<font>` start tag being read has color, face or size (which ends foreign content). */
  fontBreaks: boolean;
  /** Characters of `[CDATA[` matched after `<!` (foreign content only), and `]` seen in a CDATA section. */
  cdata: number;
  /** The first `method` attribute of the start tag: '' none yet, 'post', or 'other'. */
  method: '' | 'post' | 'other';
  /** Lower-cased value of the `method` attribute being read (capped), null when not reading one. */
  methodBuf: string | null;
  /** url attribute: the value so far is empty or whitespace. */
  urlStart: boolean;
  srcset: 'start' | 'url' | 'desc';
  srcsetComma: boolean;
  /** An unquoted value began with an output and nothing followed it yet. */
  unquotedAfterOutput: boolean;
  /** Character reference being read in a js/css attribute value. */
  ent: EntPhase;
  entBuf: string;
  /** Sticky refusal for the rest of the attribute value. */
  attrHazard: string | null;
  raw: RawKind | null;
  rawName: string;
  lt: LtPhase;
  ltBuf: string;
  /** Script-data escape level: 0 none, 1 after `<!--`, 2 after `<!--` then `<script>`. */
  esc: 0 | 1 | 2;
  dashes: number;
  /**
   * Open elements from the outermost `<svg>`/`<math>` in, innermost last, as 'svg:g', 'math:mi',
   * 'html:div' (HTML elements inside integration points). Empty outside SVG and MathML.
   */
  ns: string[];
  /** Set for good once the tracker cannot follow the parser any more: why every output is refused. */
  lost: string | null;
  js: JsState;
  css: CssState;
}

function freshState(): State {
  return {
    mode: 'text', commentPhase: 'start', endTag: false, tag: '', attrName: '', attrKind: 'normal',
    delim: null, hasNonce: false, fontBreaks: false, cdata: 0, method: '', methodBuf: null,
    urlStart: true, srcset: 'start', srcsetComma: false, unquotedAfterOutput: false, ent: '', entBuf: '',
    attrHazard: null, raw: null, rawName: '', lt: '', ltBuf: '', esc: 0, dashes: 0, ns: [], lost: null,
    js: freshJs(), css: freshCss(),
  };
}

function cloneState(s: State): State {
  return { ...s, ns: [...s.ns], js: { ...s.js, tpl: [...s.js.tpl] }, css: { ...s.css } };
}

/**
 * What of a state decides how later text is read, which escaper an output gets and what is
 * inserted: all of it, but the name of the current attribute once it is read. While the name is
 * being read it matters (`<a hr` may become `href`); afterwards what counts is its kind, and the
 * `method`/`nonce` flags set from it, which are compared; the name itself only goes into messages.
 * Everything else is kept canonical by the transitions themselves (each literal, comment, tag and
 * value starts from fresh sub-states), so comparing it whole compares only what matters.
 */
function stateKey(s: State): string {
  return JSON.stringify(s.mode === 'attrName' ? s : { ...s, attrName: '' });
}

/**
 * The page as the browser reads it if the output that started an unquoted attribute value was
 * empty: escape.ts writes an empty value there as `""`, so the value ends at once, and text that
 * the template goes on with (`<p class={{ c }}-x>`) becomes a new attribute name, or a quoted
 * value, or a self-closing slash. The tracker follows both readings, refusing every output while
 * they differ, until they agree again (usually at the next space or at the end of the tag).
 */
interface EmptyStart {
  state: State;
  /** The attribute and element whose value started with the output, for messages. */
  readonly attr: string;
  readonly element: string;
}

function cloneEmptyStart(alt: EmptyStart | null): EmptyStart | null {
  return alt === null ? null : { state: cloneState(alt.state), attr: alt.attr, element: alt.element };
}

function sameInsertions(a: readonly Insertion[], b: readonly Insertion[]): boolean {
  return a.length === b.length && a.every((x, i) => x.offset === b[i]!.offset && x.kind === b[i]!.kind);
}

const MAX_NAME = 64;

/**
 * Follows the HTML context through the literal text of a template. See the module comment for what
 * is tracked; every state that matters for later characters is kept across {@link feed} calls.
 */
export class HtmlContextTracker {
  #s: State;
  /** The second reading of the page after an empty output at the start of an unquoted value. */
  #alt: EmptyStart | null = null;
  #cached: HtmlContext | null = null;
  #out: Insertion[] = [];

  constructor() {
    this.#s = freshState();
  }

  get context(): HtmlContext {
    return (this.#cached ??= computeContext(this.#s, this.#alt));
  }

  /** Consumes literal template text; returns insertion points in THIS chunk (offsets into `text`). */
  feed(text: string): Insertion[] {
    this.#cached = null;
    const out: Insertion[] = [];
    for (let i = 0; i < text.length; i++) {
      if (this.#alt === null) {
        this.#out = out;
        this.#step(text[i]!, i);
      } else {
        this.#stepBoth(text[i]!, i, out);
      }
    }
    this.#out = [];
    return out;
  }

  /** One character in both readings (see {@link EmptyStart}); drops the second once they agree. */
  #stepBoth(c: string, offset: number, out: Insertion[]): void {
    const alt = this.#alt!;
    const mainInserts: Insertion[] = [];
    this.#out = mainInserts;
    this.#step(c, offset);
    const main = this.#s;
    const altInserts: Insertion[] = [];
    this.#s = alt.state;
    this.#out = altInserts;
    this.#step(c, offset);
    alt.state = this.#s;
    this.#s = main;
    out.push(...mainInserts);
    if (!sameInsertions(mainInserts, altInserts)) {
      // The nonce or CSRF field would go elsewhere, or nowhere, in the other reading.
      main.lost ??= `after the unquoted value of attribute '${alt.attr}' of <${alt.element}>, which starts with an output and goes on with text: if the output is empty the browser reads that text as attributes of its own, and then the tag gets a different CSP nonce or CSRF field; Rampart refuses every later output; quote the value`;
      this.#alt = null;
    } else if (alt.state.lost !== null) {
      // The empty reading went where the tracker cannot follow (malformed SVG): neither can we.
      main.lost ??= `after the unquoted value of attribute '${alt.attr}' of <${alt.element}>, which starts with an output and goes on with text, read as if the output were empty: ${alt.state.lost}`;
      this.#alt = null;
    } else if (main.lost !== null || (main.mode === alt.state.mode && stateKey(main) === stateKey(alt.state))) {
      this.#alt = null;
    }
  }

  /** Runs `text` through `state` (no insertions can occur in the texts it is used for). */
  #run(state: State, text: string): State {
    const saved = this.#s;
    const savedOut = this.#out;
    this.#s = state;
    this.#out = [];
    for (let i = 0; i < text.length; i++) this.#step(text[i]!, i);
    const end = this.#s;
    this.#s = saved;
    this.#out = savedOut;
    return end;
  }

  /** Records that an escaped output was emitted at the current point. */
  afterOutput(): void {
    this.#cached = null;
    const s = this.#s;
    if (this.#alt !== null) {
      // chooseEscaper refuses every output while the two readings differ: this is a caller's bug.
      s.lost ??= 'after an output placed where Rampart refused one: Rampart no longer knows the context';
      this.#alt = null;
      return;
    }
    switch (s.mode) {
      case 'raw':
        s.lt = '';
        s.ltBuf = '';
        s.dashes = 0;
        if (s.raw === 'script') jsAfterOutput(s.js);
        else if (s.raw === 'style') s.css.esc = false;
        return;
      case 'beforeValue': {
        // An empty output is written `""` here, which ends the value at once: follow that reading
        // too, until it agrees with the main one (the next space or `>` usually settles it).
        const empty = this.#run(cloneState(s), '""');
        this.#startValue('unquoted');
        this.#valueAfterOutput();
        s.unquotedAfterOutput = true;
        this.#alt = { state: empty, attr: s.attrName, element: s.tag };
        return;
      }
      case 'attrValue':
        this.#valueAfterOutput();
        return;
      default:
        return;
    }
  }

  clone(): HtmlContextTracker {
    const copy = new HtmlContextTracker();
    copy.#s = cloneState(this.#s);
    copy.#alt = cloneEmptyStart(this.#alt);
    return copy;
  }

  /** Makes this tracker continue from the state of `other` (e.g. the end of an `{% if %}` branch). */
  copyFrom(other: HtmlContextTracker): void {
    this.#s = cloneState(other.#s);
    this.#alt = cloneEmptyStart(other.#alt);
    this.#cached = null;
  }

  /**
   * True when both trackers would treat any further text and outputs identically: same reading of
   * the HTML, attribute, JavaScript and CSS state, same pending tag flags (nonce, method), same
   * SVG/MathML stack. Details that change nothing later are not compared: the name of an attribute
   * once read (its kind is compared), and how a JavaScript operand ended (`1`, `"two"`, `f(x)` and
   * an output are all "after an operand"; see `jsCode` for why a number is one too).
   */
  equals(other: HtmlContextTracker): boolean {
    return stateKey(this.#s) === stateKey(other.#s) && keyOf(this.#alt) === keyOf(other.#alt);
  }

  /** Human description for errors: "inside an HTML comment", "in the name of attribute 'x'", ... */
  describe(): string {
    return describeState(this.#s, this.context);
  }

  /**
   * Descriptions of this tracker and of `other` that differ whenever `!this.equals(other)`: each
   * is {@link describe} plus, where that is the same for both, the details that tell them apart
   * ("after an operand" / "where an expression may start", "within <svg>", "right after '<!-'"...).
   * For messages about two contexts that should be the same: `{% if %}` branches, loop bodies,
   * blocks.
   */
  describeDifference(other: HtmlContextTracker): readonly [string, string] {
    const a = this.describe();
    const b = other.describe();
    if (a !== b || this.equals(other)) return [a, b];
    // The first detail that differs, the facets being ordered from the broadest to the finest.
    const fa = facetsOf(this.#s, this.#alt);
    const fb = facetsOf(other.#s, other.#alt);
    let da = a;
    let db = b;
    for (const [id, text] of fa) {
      const otherText = fb.get(id);
      if (otherText === undefined || otherText === text) continue;
      da += `, ${text}`;
      db += `, ${otherText}`;
      break;
    }
    if (da === db) {
      // Not expected (the facets cover every field that is compared), but never print twice the same.
      da += ` [${stateKey(this.#s)}${keyOf(this.#alt)}]`;
      db += ` [${stateKey(other.#s)}${keyOf(other.#alt)}]`;
    }
    return [da, db];
  }

  // -------------------------------------------------------------------------------------------

  #step(c: string, offset: number): void {
    // A few transitions hand the character to the next state ("reconsume" in the HTML spec).
    for (;;) {
      const s = this.#s; // re-read: emitting a tag replaces the state object
      switch (s.mode) {
        case 'text':
          if (c === '<') s.mode = 'tagOpen';
          return;
        case 'tagOpen':
          if (isAsciiAlpha(c)) {
            this.#startTag(false, c);
            return;
          }
          if (c === '/') s.mode = 'endTagOpen';
          else if (c === '!') s.mode = 'markupDecl';
          else if (c === '?') s.mode = 'bogusComment';
          else {
            s.mode = 'text';
            continue;
          }
          return;
        case 'endTagOpen':
          if (isAsciiAlpha(c)) this.#startTag(true, c);
          else if (c === '>') s.mode = 'text';
          else s.mode = 'bogusComment';
          return;
        case 'markupDecl':
          if (c === '-') {
            s.mode = 'commentStartDash';
            return;
          }
          if (c === '[' && isForeignEntry(s.ns[s.ns.length - 1])) {
            s.mode = 'cdataStart';
            s.cdata = 1;
            return;
          }
          s.mode = 'bogusComment'; // also <!DOCTYPE ...>: it ends at the first `>` as well
          continue;
        case 'cdataStart':
          if (c === '[CDATA['[s.cdata]) {
            s.cdata++;
            if (s.cdata === 7) {
              s.mode = 'cdata';
              s.cdata = 0;
              // The standard opens a CDATA section in any SVG/MathML element, parse5 (and so possibly a
              // browser) not in an integration point, whose content is HTML: no way to follow both.
              const top = s.ns[s.ns.length - 1]!;
              if (childNamespace(s.ns) === null) {
                s.lost ??= `after '<![CDATA[' directly inside <${entryName(top)}> of SVG or MathML, which HTML parsers read differently: Rampart refuses every later output; put the CDATA section in a <script> or <style>`;
              }
            }
            return;
          }
          s.cdata = 0;
          s.mode = 'bogusComment';
          continue;
        case 'cdata':
          if (c === '>' && s.cdata === 2) this.#toText(); // ]]>
          else s.cdata = c === ']' ? Math.min(s.cdata + 1, 2) : 0;
          return;
        case 'commentStartDash':
          if (c === '-') {
            s.mode = 'comment';
            s.commentPhase = 'start';
            return;
          }
          s.mode = 'bogusComment';
          continue;
        case 'bogusComment':
          if (c === '>') this.#toText();
          return;
        case 'comment':
          this.#commentStep(c);
          return;
        case 'tagName':
          if (isHtmlSpace(c)) s.mode = 'beforeAttrName';
          else if (c === '/') s.mode = 'selfClosing';
          else if (c === '>') this.#emitTag(offset, false);
          else if (s.tag.length < MAX_NAME) s.tag += lowerAscii(c);
          return;
        case 'beforeAttrName':
          if (isHtmlSpace(c)) return;
          if (c === '/') s.mode = 'selfClosing';
          else if (c === '>') this.#emitTag(offset, false);
          else {
            s.mode = 'attrName';
            s.attrName = '';
            if (c === '=') s.attrName = '=';
            else continue;
          }
          return;
        case 'attrName':
          if (isHtmlSpace(c)) {
            this.#endAttrName();
            s.mode = 'afterAttrName';
            return;
          }
          if (c === '/' || c === '>') {
            this.#endAttrName();
            s.mode = 'afterAttrName';
            continue;
          }
          if (c === '=') {
            this.#endAttrName();
            s.mode = 'beforeValue';
            return;
          }
          if (s.attrName.length < MAX_NAME) s.attrName += lowerAscii(c);
          return;
        case 'afterAttrName':
          if (isHtmlSpace(c)) return;
          if (c === '=') {
            s.mode = 'beforeValue';
            return;
          }
          this.#endAttr();
          if (c === '/') s.mode = 'selfClosing';
          else if (c === '>') this.#emitTag(offset, false);
          else {
            s.mode = 'attrName';
            s.attrName = '';
            continue;
          }
          return;
        case 'beforeValue':
          if (isHtmlSpace(c)) return;
          if (c === '"') this.#startValue('double');
          else if (c === "'") this.#startValue('single');
          else if (c === '>') {
            this.#endAttr();
            this.#emitTag(offset, false);
          } else {
            this.#startValue('unquoted');
            continue;
          }
          return;
        case 'attrValue':
          s.unquotedAfterOutput = false;
          if (s.delim === 'unquoted') {
            if (isHtmlSpace(c)) {
              this.#endValue();
              s.mode = 'beforeAttrName';
              return;
            }
            if (c === '>') {
              this.#endValue();
              this.#emitTag(offset, false);
              return;
            }
          } else if (c === (s.delim === 'double' ? '"' : "'")) {
            this.#endValue();
            s.mode = 'beforeAttrName'; // "after attribute value (quoted)" behaves the same
            return;
          }
          this.#valueChar(c);
          return;
        case 'selfClosing':
          if (c === '>') {
            this.#emitTag(offset, true);
            return;
          }
          s.mode = 'beforeAttrName';
          continue;
        case 'raw':
          if (this.#rawStep(c)) continue;
          return;
      }
    }
  }

  #commentStep(c: string): void {
    const s = this.#s;
    switch (s.commentPhase) {
      case 'start':
        if (c === '-') s.commentPhase = 'startDash';
        else if (c === '>') this.#toText(); // <!-->
        else s.commentPhase = 'body';
        return;
      case 'startDash':
        if (c === '-') s.commentPhase = 'end';
        else if (c === '>') this.#toText(); // <!--->
        else s.commentPhase = 'body';
        return;
      case 'body':
        if (c === '-') s.commentPhase = 'endDash';
        return;
      case 'endDash':
        s.commentPhase = c === '-' ? 'end' : 'body';
        return;
      case 'end':
        if (c === '>') this.#toText();
        else if (c === '!') s.commentPhase = 'endBang';
        else if (c !== '-') s.commentPhase = 'body';
        return;
      case 'endBang':
        if (c === '>') this.#toText(); // --!>
        else s.commentPhase = c === '-' ? 'endDash' : 'body';
        return;
    }
  }

  /** Back to a clean text state, so that branches ending after different markup compare equal. */
  #toText(): State {
    const fresh = freshState();
    fresh.ns = [...this.#s.ns];
    fresh.lost = this.#s.lost;
    this.#s = fresh;
    return fresh;
  }

  #startTag(endTag: boolean, c: string): void {
    const s = this.#s;
    s.mode = 'tagName';
    s.endTag = endTag;
    s.tag = lowerAscii(c);
    s.attrName = '';
    s.attrKind = 'normal';
    s.hasNonce = false;
    s.method = '';
    s.methodBuf = null;
  }

  #endAttrName(): void {
    const s = this.#s;
    s.attrKind = attrKindOf(s.tag, s.attrName);
    if (s.endTag) return;
    if (s.attrName === 'nonce' && (s.tag === 'script' || s.tag === 'style')) s.hasNonce = true;
    if (s.tag === 'font' && (s.attrName === 'color' || s.attrName === 'face' || s.attrName === 'size')) s.fontBreaks = true;
    // Browsers keep the first of duplicated attributes.
    if (s.attrName === 'method' && s.tag === 'form' && s.method === '') s.methodBuf = '';
  }

  /** The current attribute is complete (with or without a value). */
  #endAttr(): void {
    const s = this.#s;
    if (s.methodBuf !== null) {
      s.method = s.methodBuf === 'post' ? 'post' : 'other';
      s.methodBuf = null;
    }
    s.attrName = '';
    s.attrKind = 'normal';
  }

  #startValue(delim: Delim): void {
    const s = this.#s;
    s.mode = 'attrValue';
    s.delim = delim;
    this.#resetValue();
  }

  #resetValue(): void {
    const s = this.#s;
    s.urlStart = true;
    s.srcset = 'start';
    s.srcsetComma = false;
    s.unquotedAfterOutput = false;
    s.ent = '';
    s.entBuf = '';
    s.attrHazard = null;
    s.js = freshJs();
    s.css = freshCss();
  }

  #endValue(): void {
    const s = this.#s;
    this.#endAttr();
    s.delim = null;
    this.#resetValue();
  }

  #valueChar(c: string): void {
    const s = this.#s;
    if (s.methodBuf !== null && s.methodBuf.length < 5) s.methodBuf += lowerAscii(c);
    switch (s.attrKind) {
      case 'url':
        // The URL parser strips leading C0 controls and spaces.
        if (c.charCodeAt(0) > 0x20) s.urlStart = false;
        return;
      case 'srcset':
        this.#srcsetChar(c);
        return;
      case 'js':
      case 'css':
        this.#entityChar(c);
        return;
      default:
        return;
    }
  }

  // The srcset parser: skip spaces and commas, a URL runs to whitespace (a trailing comma ends the
  // candidate), then descriptors run to a comma.
  #srcsetChar(c: string): void {
    const s = this.#s;
    const space = isHtmlSpace(c);
    switch (s.srcset) {
      case 'start':
        if (!space && c !== ',') {
          s.srcset = 'url';
          s.srcsetComma = false;
        }
        return;
      case 'url':
        if (space) {
          s.srcset = s.srcsetComma ? 'start' : 'desc';
          s.srcsetComma = false;
        } else {
          s.srcsetComma = c === ',';
        }
        return;
      case 'desc':
        if (c === ',') s.srcset = 'start';
        return;
    }
  }

  /** Decodes character references in js/css attribute values, as the browser does before running them. */
  #entityChar(c: string): void {
    const s = this.#s;
    for (;;) {
      switch (s.ent) {
        case '':
          if (c === '&') {
            s.ent = 'amp';
            s.entBuf = '';
          } else {
            this.#decoded(c);
          }
          return;
        case 'amp':
          if (c === '#') {
            s.ent = 'hash';
            return;
          }
          if (isAsciiAlnum(c)) {
            s.ent = 'named';
            s.entBuf = c;
            return;
          }
          s.ent = '';
          this.#decoded('&');
          continue;
        case 'named': {
          if (isAsciiAlnum(c) && s.entBuf.length < 40) {
            s.entBuf += c;
            return;
          }
          const name = s.entBuf;
          s.ent = '';
          s.entBuf = '';
          if (c === ';') {
            const ascii = ASCII_ENTITIES[name + ';'];
            if (ascii !== undefined) this.#decoded(ascii);
            else this.#unknownEntity(name);
            return;
          }
          // Without `;`, only the legacy names decode, and not before `=` or an alphanumeric.
          const legacy = c !== '=' && !isAsciiAlnum(c) ? ASCII_LEGACY_ENTITIES[name] : undefined;
          this.#decoded(legacy ?? '&' + name);
          continue;
        }
        case 'hash':
          if (c === 'x' || c === 'X') {
            s.ent = 'hexStart';
            s.entBuf = c;
            return;
          }
          if (isDigit(c)) {
            s.ent = 'dec';
            s.entBuf = c;
            return;
          }
          s.ent = '';
          this.#decoded('&#');
          continue;
        case 'hexStart':
          if (isHexDigit(c)) {
            s.ent = 'hex';
            s.entBuf = c;
            return;
          }
          this.#decoded('&#' + s.entBuf);
          s.ent = '';
          s.entBuf = '';
          continue;
        case 'dec':
        case 'hex': {
          if (s.ent === 'dec' ? isDigit(c) : isHexDigit(c)) {
            if (s.entBuf.length < 10) s.entBuf += c;
            return;
          }
          const code = parseInt(s.entBuf, s.ent === 'dec' ? 10 : 16);
          s.ent = '';
          s.entBuf = '';
          const valid = code > 0 && code <= 0x10ffff && !(code >= 0xd800 && code <= 0xdfff);
          this.#decoded(valid ? String.fromCodePoint(code) : '\ufffd');
          if (c === ';') return;
          continue;
        }
      }
    }
  }

  #unknownEntity(name: string): void {
    const s = this.#s;
    // It decodes to non-ASCII text (an identifier character in JS) or, if it is no reference at
    // all, stays `&name;`, which JS would read as operators. Only JS code can tell them apart.
    if (s.attrKind === 'js' && s.js.mode === 'code' && s.attrHazard === null) {
      s.attrHazard = `after the character reference '&${name};' in the JavaScript code of attribute '${s.attrName}': Rampart does not decode that reference, so it cannot tell what the code does next`;
    }
    this.#decoded('\u00b7');
  }

  #decoded(text: string): void {
    const s = this.#s;
    for (const ch of text) {
      if (s.attrKind === 'js') jsStep(s.js, ch);
      else cssStep(s.css, ch);
    }
  }

  #valueAfterOutput(): void {
    const s = this.#s;
    if (s.methodBuf !== null) s.methodBuf = '\u0000'; // not statically "post"
    switch (s.attrKind) {
      case 'url':
        s.urlStart = false;
        return;
      case 'srcset':
        if (s.srcset === 'start') s.srcset = 'url';
        s.srcsetComma = false;
        return;
      case 'js':
        jsAfterOutput(s.js);
        return;
      case 'css':
        s.css.esc = false;
        return;
      default:
        return;
    }
  }

  #emitTag(offset: number, selfClosing: boolean): void {
    const s = this.#s;
    const name = s.tag;
    const endTag = s.endTag;
    const insertNonce = !endTag && (name === 'script' || name === 'style') && !s.hasNonce;
    const insertCsrf = !endTag && name === 'form' && s.method === 'post';
    const breaksOut = FOREIGN_BREAKOUT.has(name) || (name === 'font' && s.fontBreaks);
    const fresh = this.#toText();
    if (insertNonce) this.#out.push({ offset, kind: 'nonce' });
    if (insertCsrf) this.#out.push({ offset: offset + 1, kind: 'csrf' });
    const ns = fresh.ns;

    if (endTag) {
      if (ns.length > 0) this.#foreignEndTag(name);
      return;
    }
    let childNs = childNamespace(ns);
    if (childNs !== null && breaksOut) {
      // An HTML element in SVG/MathML closes the foreign elements up to an integration point.
      while (childNamespace(ns) !== null) ns.pop();
      childNs = null;
    }
    if (childNs !== null) {
      // A foreign element: no raw text (an SVG <script> is read as markup), self-closing honoured.
      const top = ns[ns.length - 1]!;
      const entry = name === 'svg' && top === 'math:annotation-xml' ? 'svg:svg' : `${childNs}:${name}`;
      if (!selfClosing) ns.push(entry);
      return;
    }
    if (name === 'svg' || name === 'math') {
      if (!selfClosing) ns.push(`${name}:${name}`);
      return;
    }
    if (ns.length > 0 && !VOID_ELEMENTS.has(name)) ns.push(`html:${name}`);
    let raw: RawKind | null = null;
    if (name === 'script') raw = 'script';
    else if (name === 'style') raw = 'style';
    else if (name === 'title' || name === 'textarea') raw = 'rcdata';
    else if (RAWTEXT_ELEMENTS.has(name)) raw = 'rawtext';
    else if (name === 'plaintext') raw = 'plaintext';
    if (raw === null) return;
    fresh.mode = 'raw';
    fresh.raw = raw;
    fresh.rawName = name;
  }

  /** An end tag inside SVG/MathML (or an HTML integration point in it). */
  #foreignEndTag(name: string): void {
    const s = this.#s;
    const ns = s.ns;
    const top = ns[ns.length - 1]!;
    if (isForeignEntry(top)) {
      if (name === 'p' || name === 'br') {
        // Like the HTML start tags, `</p>` and `</br>` leave foreign content.
        while (childNamespace(ns) !== null) ns.pop();
        if (name === 'p' && ns[ns.length - 1] === 'html:p') ns.pop();
        return;
      }
      // The parser closes the nearest foreign element of that name...
      for (let i = ns.length - 1; i >= 0 && isForeignEntry(ns[i]); i--) {
        if (entryName(ns[i]!) === name) {
          ns.length = i;
          return;
        }
      }
    } else {
      if (VOID_ELEMENTS.has(name)) return;
      if (entryName(top) === name) {
        ns.pop();
        return;
      }
    }
    // ...else its recovery depends on elements around the SVG that are not tracked.
    s.lost ??= `after '</${name}>', which does not close the innermost open element inside <svg> or <math>: Rampart cannot tell how the parser recovers, so it refuses every later output; close the elements in order`;
  }

  /** One character of raw text (script, style, RCDATA, RAWTEXT). Returns true to reconsume it. */
  #rawStep(c: string): boolean {
    const s = this.#s;
    switch (s.lt) {
      case 'lt':
        if (c === '/') {
          s.lt = 'endName';
          s.ltBuf = '';
          this.#rawContent(c);
          return false;
        }
        if (s.raw === 'script' && s.esc === 0 && c === '!') {
          s.lt = 'ltBang';
          this.#rawContent(c);
          return false;
        }
        if (s.raw === 'script' && s.esc === 1 && isAsciiAlpha(c)) {
          s.lt = 'startName';
          s.ltBuf = lowerAscii(c);
          this.#rawContent(c);
          return false;
        }
        s.lt = '';
        break;
      case 'ltBang':
        s.lt = '';
        if (c === '-') {
          s.lt = 'ltBangDash';
          this.#rawContent(c);
          return false;
        }
        break;
      case 'ltBangDash':
        s.lt = '';
        if (c === '-') {
          s.esc = 1; // <!-- : script data escaped (dash dash)
          s.dashes = 2;
          this.#rawContent(c);
          return false;
        }
        break;
      case 'endName':
        if (isAsciiAlpha(c)) {
          if (s.ltBuf.length <= s.rawName.length) s.ltBuf += lowerAscii(c);
          this.#rawContent(c);
          return false;
        }
        if ((isHtmlSpace(c) || c === '/' || c === '>') && s.ltBuf === s.rawName) {
          s.lt = '';
          s.ltBuf = '';
          if (s.raw === 'script' && s.esc === 2) {
            s.esc = 1; // </script> inside <!-- <script> only leaves the double-escaped state
            s.dashes = 0;
            break;
          }
          // The end tag: read it like any tag (attributes and all) from its name on.
          const name = s.rawName;
          const fresh = this.#toText();
          fresh.mode = 'tagName';
          fresh.endTag = true;
          fresh.tag = name;
          this.#s = fresh;
          return true;
        }
        s.lt = '';
        s.ltBuf = '';
        break;
      case 'startName':
        if (isAsciiAlpha(c)) {
          if (s.ltBuf.length <= 6) s.ltBuf += lowerAscii(c);
          this.#rawContent(c);
          return false;
        }
        if ((isHtmlSpace(c) || c === '/' || c === '>') && s.ltBuf === 'script') s.esc = 2;
        s.lt = '';
        s.ltBuf = '';
        break;
      case '':
        break;
    }
    if (s.raw === 'plaintext') return false;
    if (c === '<') {
      s.lt = 'lt';
      s.dashes = 0;
    } else if (s.raw === 'script' && s.esc > 0) {
      if (c === '-') s.dashes = Math.min(s.dashes + 1, 2);
      else {
        if (c === '>' && s.dashes === 2) s.esc = 0; // -->
        s.dashes = 0;
      }
    }
    this.#rawContent(c);
    return false;
  }

  #rawContent(c: string): void {
    const s = this.#s;
    if (s.raw === 'script') jsStep(s.js, c);
    else if (s.raw === 'style') cssStep(s.css, c);
  }
}

// ---------------------------------------------------------------------------------------------
// Context view

function keyOf(alt: EmptyStart | null): string {
  return alt === null ? '' : stateKey(alt.state);
}

function computeContext(s: State, alt: EmptyStart | null): HtmlContext {
  let state: HtmlState;
  let element = s.tag;
  const inTag = (st: HtmlState): HtmlState => (s.endTag ? 'endTag' : st);
  switch (s.mode) {
    case 'text': {
      // Text inside an SVG <script>/<style> is script or CSS, not HTML text (so no include goes there).
      const code = foreignCode(s);
      state = code === 'script' ? 'script' : code === 'style' ? 'style' : 'text';
      element = code ?? '';
      break;
    }
    case 'tagOpen':
      state = 'tagName';
      element = '';
      break;
    case 'endTagOpen':
      state = 'endTag';
      element = '';
      break;
    case 'markupDecl':
    case 'cdataStart':
    case 'cdata':
    case 'commentStartDash':
    case 'comment':
    case 'bogusComment':
      state = 'comment';
      element = '';
      break;
    case 'tagName':
      state = inTag('tagName');
      break;
    case 'beforeAttrName':
    case 'selfClosing':
      state = inTag('tag');
      break;
    case 'attrName':
      state = inTag('attrName');
      break;
    case 'afterAttrName':
      state = inTag('afterAttrName');
      break;
    case 'beforeValue':
      state = inTag('beforeValue');
      break;
    case 'attrValue':
      state = inTag('attrValue');
      break;
    case 'raw':
      state = s.raw === 'script' ? 'script' : s.raw === 'style' ? 'style' : 'rcdata';
      element = s.rawName;
      break;
  }
  const inValue = state === 'attrValue' || state === 'beforeValue';
  const jsActive = s.mode === 'raw' && s.raw === 'script' ? true : inValue && s.attrKind === 'js';
  const cssActive = s.mode === 'raw' && s.raw === 'style' ? true : inValue && s.attrKind === 'css';
  const js = s.js;
  let urlPart: 'start' | 'rest' | null = null;
  if (inValue && s.attrKind === 'url') urlPart = s.urlStart ? 'start' : 'rest';
  else if (inValue && s.attrKind === 'srcset') urlPart = s.srcset === 'start' ? 'start' : 'rest';
  let comment: 'js' | 'css' | null = null;
  if (jsActive && (js.mode === 'lineComment' || js.mode === 'blockComment')) comment = 'js';
  if (cssActive && s.css.mode === 'comment') comment = 'css';
  const context: HtmlContext = {
    state,
    element,
    attr: s.attrKind,
    attrName: s.attrName,
    delim: state === 'attrValue' ? s.delim : null,
    urlPart,
    jsString: jsActive ? (js.mode === 'dq' ? '"' : js.mode === 'sq' ? "'" : js.mode === 'tpl' ? '`' : null) : null,
    cssString: cssActive ? (s.css.mode === 'dq' ? '"' : s.css.mode === 'sq' ? "'" : null) : null,
    comment,
    jsRegex:
      jsActive && (js.mode === 'regex' || js.mode === 'regexClass' || (js.mode === 'code' && js.slash && js.slashRegex)),
    hazard: hazardOf(s, state, alt),
  };
  return Object.freeze(context);
}

/** The innermost SVG/MathML `script` or `style` element open around the current point, if any. */
function foreignCode(s: State): 'script' | 'style' | null {
  for (let i = s.ns.length - 1; i >= 0; i--) {
    const entry = s.ns[i]!;
    if (!isForeignEntry(entry)) continue;
    const name = entryName(entry);
    if (name === 'script' || name === 'style') return name;
  }
  return null;
}

function hazardOf(s: State, state: HtmlState, alt: EmptyStart | null): string | null {
  if (s.lost !== null) return s.lost;
  if (alt !== null) {
    if (s.unquotedAfterOutput) {
      return `right after another output at the start of the unquoted value of attribute '${alt.attr}': quote the value`;
    }
    return `after the unquoted value of attribute '${alt.attr}' of <${alt.element}>, which starts with an output and goes on with text: an empty output is written "" there, which ends the value, so the browser would read that text as a new attribute; no output is safe until both readings agree again (usually at the next space or the end of the tag); quote the value: ${alt.attr}="{{ value }}..."`;
  }
  if (s.mode === 'cdata') {
    return 'inside a CDATA section of SVG or MathML: its text is taken literally, so no escaping is safe';
  }
  const code = s.mode === 'text' ? foreignCode(s) : null;
  if (code !== null) {
    return `in the text of an SVG <${code}>: it is ${code === 'script' ? 'JavaScript' : 'CSS'} after the parser decodes character references, so no escaping is safe`;
  }
  if (s.mode === 'raw') {
    const name = s.rawName;
    if (s.lt === 'endName' && name.startsWith(s.ltBuf)) {
      return `right after '</${s.ltBuf}' inside <${name}>: it could complete the end tag and close the element`;
    }
    if (s.lt === 'ltBang' || s.lt === 'ltBangDash') {
      return `right after '<!${s.lt === 'ltBangDash' ? '-' : ''}' inside <script>: it could open '<!--', which changes where the script ends`;
    }
    if (s.lt === 'startName') {
      return `right after '<${s.ltBuf}' inside a '<!--' section of <script>: it could change where the script ends`;
    }
    if (s.lt === 'lt') {
      const inJsString = s.raw === 'script' && (s.js.mode === 'dq' || s.js.mode === 'sq' || s.js.mode === 'tpl');
      if (s.raw === 'rcdata' || s.raw === 'rawtext' || inJsString || (s.raw === 'script' && s.esc > 0)) {
        return `right after '<' inside <${name}>: it could start an end tag that closes the element`;
      }
    }
    return null;
  }
  if (state === 'attrValue' || state === 'beforeValue') {
    if (s.attrKind === 'js' || s.attrKind === 'css') {
      if (s.attrHazard !== null) return s.attrHazard;
      if (s.ent !== '') {
        return `right after '${pendingReference(s)}' in attribute '${s.attrName}': it could complete a character reference, which the browser decodes before running the ${s.attrKind === 'js' ? 'script' : 'style'}`;
      }
    }
  }
  return null;
}

function pendingReference(s: State): string {
  switch (s.ent) {
    case 'named':
      return '&' + s.entBuf;
    case 'hash':
      return '&#';
    case 'hexStart':
      return '&#' + s.entBuf;
    case 'dec':
      return '&#' + s.entBuf;
    case 'hex':
      return '&#x' + s.entBuf;
    default:
      return '&';
  }
}

function where(ctx: HtmlContext): string {
  return ctx.element === '' ? '' : ` of <${ctx.element}>`;
}

function describeContext(ctx: HtmlContext): string {
  const attr = `attribute '${ctx.attrName}'${where(ctx)}`;
  let text: string;
  switch (ctx.state) {
    case 'text':
      text = 'in HTML text';
      break;
    case 'rcdata':
      text = `in the text of <${ctx.element}>`;
      break;
    case 'script':
      text = `inside <${ctx.element}>${describeJs(ctx)}`;
      break;
    case 'style':
      text = `inside <${ctx.element}>${describeCss(ctx)}`;
      break;
    case 'comment':
      text = ctx.hazard?.startsWith('inside a CDATA') ? 'inside a CDATA section' : 'inside an HTML comment';
      break;
    case 'tagName':
      text = ctx.element === '' ? "right after '<', where a tag name would start" : `in the tag name <${ctx.element}>`;
      break;
    case 'tag':
      text = `inside the <${ctx.element}> tag, where an attribute name would start`;
      break;
    case 'attrName':
      text = `in the name of attribute '${ctx.attrName}'${where(ctx)}`;
      break;
    case 'afterAttrName':
      text = `after the name of ${attr}, where another attribute name could start`;
      break;
    case 'beforeValue':
      text = `at the start of the unquoted value of ${attr}`;
      break;
    case 'attrValue': {
      const quoting = ctx.delim === 'double' ? 'double-quoted' : ctx.delim === 'single' ? 'single-quoted' : 'unquoted';
      text = `in the ${quoting} value of ${attr}`;
      if (ctx.attr === 'js') text += describeJs(ctx);
      else if (ctx.attr === 'css') text += describeCss(ctx);
      break;
    }
    case 'endTag':
      text = ctx.element === '' ? "right after '</'" : `inside the </${ctx.element}> end tag`;
      break;
  }
  return text;
}

function describeJs(ctx: HtmlContext): string {
  if (ctx.comment === 'js') return ', in a JavaScript comment';
  if (ctx.jsRegex) return ', in a JavaScript regular expression';
  if (ctx.jsString === '`') return ', in a JavaScript template literal';
  if (ctx.jsString !== null) return `, in a JavaScript ${ctx.jsString}-quoted string`;
  return ', in JavaScript code';
}

function describeCss(ctx: HtmlContext): string {
  if (ctx.comment === 'css') return ', in a CSS comment';
  if (ctx.cssString !== null) return `, in a CSS ${ctx.cssString}-quoted string`;
  return ', in CSS outside a string';
}

function jsActiveIn(s: State, state: HtmlState): boolean {
  if (s.mode === 'raw') return s.raw === 'script';
  return (state === 'attrValue' || state === 'beforeValue') && s.attrKind === 'js';
}
function cssActiveIn(s: State, state: HtmlState): boolean {
  if (s.mode === 'raw') return s.raw === 'style';
  return (state === 'attrValue' || state === 'beforeValue') && s.attrKind === 'css';
}

function stackText(ns: readonly string[]): string {
  return ns.map((e) => `<${entryName(e)}>`).join('');
}

/**
 * {@link describeContext} plus two things the context object leaves out but that decide how later
 * text is read: in JavaScript code, whether an operand just ended (a `/` divides) or an expression
 * may start (a `/` starts a regexp); and the open SVG/MathML elements.
 */
function describeState(s: State, ctx: HtmlContext): string {
  let text = describeContext(ctx);
  if (ctx.state === 'text' && s.mode === 'text') {
    const ns = childNamespace(s.ns);
    if (ns !== null) text = ns === 'svg' ? 'in SVG text' : 'in MathML text';
  }
  if (jsActiveIn(s, ctx.state) && s.js.mode === 'code' && !s.js.slash && s.js.ctx === 'div') text += ', after an operand';
  if (s.ns.length > 0) text += `, within ${stackText(s.ns)}`;
  return text;
}

const COMMENT_PHASES: Readonly<Record<CommentPhase, string>> = {
  start: "right after '<!--'",
  startDash: "right after '<!---'",
  body: 'in the text of the comment',
  endDash: "right after '-'",
  end: "right after '--'",
  endBang: "right after '--!'",
};

function jsTokenText(js: JsState): string {
  if (js.slash) return js.slashRegex ? "right after a '/' that starts a comment or a regular expression" : "right after a '/' that starts a comment or divides";
  if (js.word === '.') return "right after a '.' that follows an operand";
  if (js.word === '#') return 'in the middle of a name';
  if (js.word !== '') return `in the middle of the word '${js.word}'`;
  return 'between tokens';
}

/**
 * Every detail of a state that {@link stateKey} compares, as text, by facet: what
 * `describeDifference` adds when two descriptions would otherwise be the same.
 */
function facetsOf(s: State, alt: EmptyStart | null): Map<string, string> {
  const f = new Map<string, string>();
  f.set('lost', s.lost === null ? 'where Rampart follows the page' : `where Rampart refuses every output (${s.lost})`);
  f.set('alt', alt === null ? 'with one reading of the page' : `after the unquoted value of attribute '${alt.attr}' that starts with an output and goes on with text`);
  f.set('ns', s.ns.length === 0 ? 'outside SVG and MathML' : `within ${stackText(s.ns)}`);
  f.set('mode', s.mode === 'selfClosing' ? "right after '/'" : `in tokenizer state ${s.mode}`);
  switch (s.mode) {
    case 'comment':
      f.set('comment', COMMENT_PHASES[s.commentPhase]);
      break;
    case 'cdataStart':
      f.set('cdata', `right after '<!${'[CDATA['.slice(0, s.cdata)}'`);
      break;
    case 'cdata':
      f.set('cdata', s.cdata === 0 ? 'in the text of the CDATA section' : `right after '${']'.repeat(s.cdata)}'`);
      break;
    case 'raw':
      f.set('lt', s.lt === '' ? 'not after a start of a tag' : s.lt === 'lt' ? "right after '<'" : s.lt === 'ltBang' ? "right after '<!'" : s.lt === 'ltBangDash' ? "right after '<!-'" : `right after '<${s.lt === 'endName' ? '/' : ''}${s.ltBuf}'`);
      if (s.raw === 'script') {
        f.set('esc', s.esc === 0 ? "outside '<!--' sections" : s.esc === 1 ? "inside a '<!--' section" : "inside '<!-- <script>', where '</script>' does not end the script");
        f.set('dashes', s.dashes === 0 ? "not after '-'" : `right after '${'-'.repeat(s.dashes)}'`);
      }
      break;
    default:
      break;
  }
  const inTag = s.mode === 'tagName' || s.mode === 'beforeAttrName' || s.mode === 'attrName' || s.mode === 'afterAttrName' || s.mode === 'beforeValue' || s.mode === 'attrValue' || s.mode === 'selfClosing';
  if (inTag) {
    f.set('endTag', s.endTag ? 'in an end tag' : 'in a start tag');
    f.set('nonce', s.hasNonce ? 'with a nonce attribute' : 'without a nonce attribute');
    f.set('method', s.method === 'post' ? 'with method post' : s.method === 'other' ? 'with a method other than post' : s.methodBuf !== null ? 'while reading its method' : 'with no method yet');
    if (s.methodBuf !== null) f.set('methodBuf', `with the method read so far '${s.methodBuf.replaceAll('\u0000', '{{ }}')}'`);
    f.set('font', s.fontBreaks ? 'with a color, face or size attribute' : 'without color, face or size attributes');
    f.set('attrKind', `in an attribute of kind ${s.attrKind}`);
  }
  if (s.mode === 'attrValue' || s.mode === 'beforeValue') {
    f.set('delim', s.delim === null ? 'before the value' : `in a ${s.delim} value`);
    if (s.attrKind === 'url') f.set('url', s.urlStart ? 'at the start of the URL' : 'after the start of the URL');
    if (s.attrKind === 'srcset') {
      f.set('srcset', s.srcset === 'start' ? 'where a srcset candidate starts' : s.srcset === 'url' ? 'in the URL of a srcset candidate' : 'in the descriptors of a srcset candidate');
      f.set('srcsetComma', s.srcsetComma ? "right after ','" : "not after ','");
    }
    if (s.attrKind === 'js' || s.attrKind === 'css') {
      f.set('ent', s.ent === '' ? 'not in a character reference' : `right after '${pendingReference(s)}'`);
      f.set('attrHazard', s.attrHazard === null ? 'where outputs may go' : `where outputs are refused (${s.attrHazard})`);
    }
    f.set('unquotedAfterOutput', s.unquotedAfterOutput ? 'right after an output' : 'not right after an output');
  }
  const state: HtmlState = s.mode === 'attrValue' ? 'attrValue' : s.mode === 'beforeValue' ? 'beforeValue' : 'text';
  if (jsActiveIn(s, state)) {
    const js = s.js;
    f.set('jsMode', `in JavaScript ${js.mode}`);
    f.set('jsCtx', js.ctx === 'div' ? 'after an operand' : 'where an expression may start');
    f.set('jsToken', jsTokenText(js));
    f.set('jsPrev', js.prev === '' ? "not after '+' or '-'" : `right after '${js.prev.repeat(js.run)}'`);
    f.set('jsHtmlCmt', js.htmlCmt === '' ? "not after a start of '<!--' or '-->'" : `right after '${js.htmlCmt}'`);
    f.set('jsEsc', js.esc ? 'right after a backslash' : 'not after a backslash');
    f.set('jsDollar', js.dollar ? "right after '$'" : "not after '$'");
    f.set('jsStar', js.star ? "right after '*'" : "not after '*'");
    f.set('jsTpl', js.tpl.length === 0 ? 'outside ${…} of template literals' : `inside ${js.tpl.length} \${…} of template literals, ${js.depth} braces deep`);
  }
  if (cssActiveIn(s, state)) {
    f.set('cssMode', `in CSS ${s.css.mode}`);
    f.set('cssEsc', s.css.esc ? 'right after a backslash' : 'not after a backslash');
    f.set('cssSlash', s.css.slash ? "right after '/'" : "not after '/'");
    f.set('cssStar', s.css.star ? "right after '*'" : "not after '*'");
  }
  if (s.mode === 'attrName') f.set('attrName', `in attribute name '${s.attrName}'`);
  if (s.mode !== 'text') f.set('tag', `in <${s.tag}>`);
  return f;
}

// ---------------------------------------------------------------------------------------------
// Choosing the escaper

function refuse(reason: string): { refused: string } {
  return { refused: reason };
}

/**
 * The runtime escaper for an output in `ctx`, or the reason no escaping can make one safe there
 * (the compiler turns it into an error naming the template, line and column).
 */
export function chooseEscaper(ctx: HtmlContext): { escaper: EscaperName } | { refused: string } {
  // A hazard reads "<where>: <why>", e.g. "right after '</scr' inside <script>: it could ...".
  if (ctx.hazard !== null) return refuse(ctx.hazard);
  const unquoted = ctx.state === 'beforeValue' || ctx.delim === 'unquoted';
  // Only an output that starts an unquoted value may write an empty value as `""` (else
  // `title= id=x` would make `id=x` the value); further in, the value already has a character, so
  // an empty output must add nothing (`class=a{{ x }}` stays `class=a`).
  const startsValue = ctx.state === 'beforeValue';
  const attribute = `attribute '${ctx.attrName}'${where(ctx)}`;
  switch (ctx.state) {
    case 'text':
      return { escaper: 'html' };
    case 'rcdata':
      return { escaper: 'rcdata' };
    case 'script':
      if (ctx.comment !== null) {
        return refuse(`outputs are not allowed inside a JavaScript comment in <${ctx.element}>; move it out of the comment`);
      }
      if (ctx.jsRegex) {
        return refuse(`a JavaScript regular expression literal in <${ctx.element}> cannot be escaped safely; build it from a string: new RegExp({{ value }})`);
      }
      return { escaper: ctx.jsString === null ? 'jsValue' : 'jsString' };
    case 'style':
      if (ctx.comment !== null) {
        return refuse(`outputs are not allowed inside a CSS comment in <${ctx.element}>; move it out of the comment`);
      }
      if (ctx.cssString === null) {
        return refuse(`an output in <${ctx.element}> must be inside a quoted CSS string, e.g. content: "{{ value }}"`);
      }
      return { escaper: 'cssString' };
    case 'comment':
      return refuse('nothing can be escaped safely inside an HTML comment; move the output out of the comment, or use a {# template comment #}');
    case 'tagName':
      return refuse(
        ctx.element === ''
          ? "right after '<' the output would be a tag name, which cannot be escaped safely"
          : `a tag name (<${ctx.element}>) cannot be escaped safely`,
      );
    case 'tag':
      return refuse(`inside the <${ctx.element}> tag the output would be an attribute name, which cannot be escaped safely; put it in an attribute value: name="{{ value }}"`);
    case 'attrName':
      return refuse(`an attribute name ('${ctx.attrName}'${where(ctx)}) cannot be escaped safely`);
    case 'afterAttrName':
      return refuse(`after ${attribute} the output would start another attribute name; write ${ctx.attrName}="{{ value }}"`);
    case 'endTag':
      return refuse(
        ctx.element === ''
          ? "right after '</' nothing can be escaped safely"
          : `nothing can be escaped safely inside the </${ctx.element}> end tag`,
      );
    case 'beforeValue':
    case 'attrValue':
      switch (ctx.attr) {
        case 'normal':
          return { escaper: startsValue ? 'attrUnquoted' : unquoted ? 'attrUnquotedRest' : 'attr' };
        case 'url':
        case 'srcset':
          // A URL starts after leading spaces and controls (`href=\x01{{ u }}`), and a srcset
          // candidate after a comma (`srcset=,{{ u }}`): in an unquoted value not at its start.
          if (ctx.urlPart === 'start') return { escaper: startsValue ? 'urlUnquoted' : unquoted ? 'urlUnquotedRest' : 'url' };
          return { escaper: unquoted ? 'urlPartUnquoted' : 'urlPart' };
        case 'js':
          if (ctx.comment !== null) return refuse(`outputs are not allowed inside a JavaScript comment (${attribute})`);
          if (ctx.jsRegex) return refuse(`a JavaScript regular expression literal (${attribute}) cannot be escaped safely`);
          if (ctx.jsString === null) {
            return refuse(`an event-handler attribute output must be inside a quoted JS string (${attribute}): write ${ctx.attrName}="f('{{ value }}')"`);
          }
          return { escaper: unquoted ? 'jsStringAttrUnquoted' : 'jsStringAttr' };
        case 'css':
          if (ctx.comment !== null) return refuse(`outputs are not allowed inside a CSS comment (${attribute})`);
          if (ctx.cssString === null) {
            return refuse(`a style attribute output must be inside a quoted CSS string (${attribute}): write style="font-family: '{{ value }}'"`);
          }
          return { escaper: unquoted ? 'cssStringAttrUnquoted' : 'cssStringAttr' };
        case 'html':
          return refuse(`the value of ${attribute} is an HTML document, which cannot be escaped safely as an attribute; render that document with its own template`);
      }
  }
}
