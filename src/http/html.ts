/**
 * The one way to build HTML in code: the `html` tagged template escapes every interpolated value
 * unless it is a {@link SafeHtml} produced by `html` itself or by the explicit {@link trustedHtml}.
 *
 * @module
 */

// Only this module holds the token, so `new SafeHtml(...)` from anywhere else fails at runtime too,
// not just at type level: the only ways to mint SafeHtml are `html` and the greppable `trustedHtml`.
const CONSTRUCT: unique symbol = Symbol('SafeHtml.construct');

// Assigned in SafeHtml's static block: the brand check and the read use the private field directly, so
// neither a forged object nor a patched `toString` can make markup pass as safe. Kept off the class so
// they are not part of the public surface.
let hasSafeHtmlBrand: (value: object) => boolean;
let readSafeHtml: (value: SafeHtml) => string;
let mintSafeHtml: (markup: string) => SafeHtml;

/**
 * Markup that is safe to send as-is: produced by {@link html} (with every value escaped) or by
 * {@link trustedHtml}. Immutable; `toString()` returns the markup. It cannot be constructed directly,
 * and an object that merely looks like it (`{ __html }`, a forged `toString`) is not one.
 *
 * @example
 * const page: SafeHtml = html`<p>${userName}</p>`;
 * response.end(page.toString());
 */
export class SafeHtml {
  readonly #html: string;

  static {
    hasSafeHtmlBrand = (value) => #html in value;
    readSafeHtml = (value) => value.#html;
    mintSafeHtml = (markup) => new SafeHtml(CONSTRUCT, markup);
  }

  // Private for TypeScript callers; the token check covers JavaScript callers and subclasses.
  private constructor(token: typeof CONSTRUCT, markup: string) {
    if (token !== CONSTRUCT) {
      throw new TypeError('SafeHtml cannot be constructed directly: use html`...` or trustedHtml()');
    }
    this.#html = markup;
    Object.freeze(this);
  }

  /**
   * The markup.
   *
   * @example
   * html`<b>${'a&b'}</b>`.toString(); // '<b>a&amp;b</b>'
   */
  toString(): string {
    return this.#html;
  }
}

// Freezing the prototype stops anyone from swapping `toString` on every SafeHtml at once.
Object.freeze(SafeHtml.prototype);
Object.freeze(SafeHtml);

/**
 * True only for real {@link SafeHtml} instances (checked through a private field, so plain objects,
 * objects with a forged `toString`, or objects whose prototype was set to `SafeHtml.prototype` are not).
 *
 * @example
 * isSafeHtml(html`<br>`);          // true
 * isSafeHtml({ __html: '<br>' });  // false
 */
export function isSafeHtml(value: unknown): value is SafeHtml {
  return typeof value === 'object' && value !== null && hasSafeHtmlBrand(value);
}

/**
 * Escapes `&`, `<`, `>`, `"` and `'` as `&amp;`, `&lt;`, `&gt;`, `&quot;` and `&#39;`, which makes the
 * value inert in element text and in quoted attribute values (not in unquoted attributes, URLs,
 * `<script>` or `<style>`). Returns the same string when nothing needs escaping.
 *
 * @example
 * escapeHtml('<a href="x">Tom & Jerry\'s</a>');
 * // '&lt;a href=&quot;x&quot;&gt;Tom &amp; Jerry&#39;s&lt;/a&gt;'
 */
const NEEDS_ESCAPE = /[&<>"']/;

export function escapeHtml(value: string): string {
  // Fast path: most interpolated text has nothing to escape. A single-class regex test is linear
  // and faster than a charCodeAt loop in V8 (and stays fast when some other library has made
  // String.prototype megamorphic).
  if (!NEEDS_ESCAPE.test(value)) return value;
  const length = value.length;
  let i = 0;
  for (; i < length; i++) {
    const code = value.charCodeAt(i);
    if (code === 0x26 || code === 0x3c || code === 0x3e || code === 0x22 || code === 0x27) break;
  }
  if (i === length) return value;

  let out = value.slice(0, i);
  let last = i;
  for (; i < length; i++) {
    let replacement: string;
    switch (value.charCodeAt(i)) {
      case 0x26:
        replacement = '&amp;';
        break;
      case 0x3c:
        replacement = '&lt;';
        break;
      case 0x3e:
        replacement = '&gt;';
        break;
      case 0x22:
        replacement = '&quot;';
        break;
      case 0x27:
        replacement = '&#39;';
        break;
      default:
        continue;
    }
    if (last !== i) out += value.slice(last, i);
    out += replacement;
    last = i + 1;
  }
  if (last !== length) out += value.slice(last);
  return out;
}

/**
 * The method by which an object renders itself as markup: `{{ form }}` in a template's element
 * text and `${form}` in {@link html}. It must return a real {@link SafeHtml}, so markup still comes
 * only from `html` or {@link trustedHtml}; any other result is escaped as text. A symbol, not a
 * property name, so data (JSON, database rows) can never carry one.
 *
 * @example
 * class Badge { constructor(readonly name: string) {} [toHtml]() { return html`<b class="badge">${this.name}</b>`; } }
 * html`<p>${new Badge('<admin>')}</p>`; // <p><b class="badge">&lt;admin&gt;</b></p>
 */
export const toHtml: unique symbol = Symbol('rampart.toHtml');

/** An object that renders itself as markup through {@link toHtml}. */
export interface HtmlRenderable {
  [toHtml](): SafeHtml;
}

/**
 * The markup of an object that renders itself, or undefined for other values. A result that is
 * not a real SafeHtml is escaped.
 */
export function renderedHtml(value: object): string | undefined {
  const render = (value as Partial<HtmlRenderable>)[toHtml];
  if (typeof render !== 'function') return undefined;
  const out: unknown = render.call(value);
  return typeof out === 'object' && out !== null && hasSafeHtmlBrand(out) ? readSafeHtml(out as SafeHtml) : escapeHtml(String(out));
}

function renderValue(value: unknown, inProgress: Set<unknown[]> | undefined): string {
  if (typeof value === 'string') return escapeHtml(value);
  if (value === null || value === undefined || typeof value === 'boolean') return '';
  if (typeof value === 'number' || typeof value === 'bigint') return escapeHtml(String(value));
  if (typeof value === 'object') {
    if (hasSafeHtmlBrand(value)) return readSafeHtml(value as SafeHtml);
    if (Array.isArray(value)) {
      // Nested arrays are rendered recursively; a cycle would otherwise recurse until the stack overflows.
      const seen = inProgress ?? new Set<unknown[]>();
      if (seen.has(value)) throw new TypeError('html: cannot render an array that contains itself');
      seen.add(value);
      let out = '';
      for (let i = 0; i < value.length; i++) out += renderValue(value[i], seen);
      seen.delete(value);
      return out;
    }
    const own = renderedHtml(value);
    if (own !== undefined) return own;
  }
  // Objects, functions, symbols, Dates...: whatever their own string form is, it is escaped, so a
  // forged `toString` returning markup stays text.
  return escapeHtml(String(value));
}

/**
 * Builds HTML from a template literal. The literal parts are trusted markup written by the developer;
 * every `${value}` is rendered by these rules:
 * - a {@link SafeHtml} (from `html` or {@link trustedHtml}) is inserted as is, so nesting is not double-escaped;
 * - strings, numbers and bigints are escaped with {@link escapeHtml};
 * - `true`, `false`, `null` and `undefined` render nothing, so `${cond && html`...`}` works
 *   (but `0` renders "0", so write `${count > 0 && ...}`);
 * - arrays render each element by these same rules, concatenated (for lists);
 * - an object with a {@link toHtml} method (a bound form) renders the SafeHtml it returns;
 * - anything else (plain objects, functions, symbols, Dates...) renders as `String(value)`, escaped.
 *   An object cannot pass as SafeHtml: the brand is a private field, not a property or `toString`.
 *
 * Limitation: escaping is the same in every position. That is safe for element text and for
 * attribute values inside quotes, and nothing else. It does NOT make values safe in unquoted
 * attributes (`<a title=${x}>`), in URL attributes (`href="${url}"` still allows `javascript:`),
 * in event-handler attributes, or inside `<script>` / `<style>`. Nothing is refused at runtime;
 * context-aware escaping is the template engine's job.
 *
 * @example
 * const items = ['<b>', 'Tom & Jerry'];
 * html`<ul>${items.map((item) => html`<li>${item}</li>`)}</ul>`;
 * // <ul><li>&lt;b&gt;</li><li>Tom &amp; Jerry</li></ul>
 */
export function html(strings: TemplateStringsArray, ...values: unknown[]): SafeHtml {
  // Calling `html([markup])` as a plain function would trust `markup`; only a real template object,
  // which carries `raw`, is accepted, so that mistake fails loudly instead of opening an XSS hole.
  if (!Array.isArray(strings) || !Array.isArray((strings as { raw?: unknown }).raw)) {
    throw new TypeError('html must be used as a tagged template: html`<p>${value}</p>`');
  }
  let out = strings[0] ?? strings.raw[0] ?? '';
  for (let i = 0; i < values.length; i++) {
    out += renderValue(values[i], undefined);
    // A cooked part is undefined only after an invalid escape sequence; the raw text is what was written.
    out += strings[i + 1] ?? strings.raw[i + 1] ?? '';
  }
  return mintSafeHtml(out);
}

/**
 * ESCAPE HATCH — marks `markup` as safe WITHOUT ESCAPING ANYTHING. Every call is a place where an
 * XSS can enter, which is why it has one loud, greppable name: review each use. Only pass markup the
 * developer vouches for (a constant, the output of a trusted renderer or sanitizer), never request
 * data, database content, or anything a user could have influenced.
 *
 * @example
 * const icon = trustedHtml('<svg viewBox="0 0 16 16"><path d="M0 0h16v16H0z"/></svg>'); // a constant
 * html`<button>${icon} Save</button>`;
 */
export function trustedHtml(markup: string): SafeHtml {
  if (typeof markup !== 'string') throw new TypeError('trustedHtml expects a string of markup');
  return mintSafeHtml(markup);
}
