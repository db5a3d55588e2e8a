/**
 * The template engine: loads templates by name, compiles them once (again on change in
 * development), and renders them with the request's hooks.
 *
 * @module
 */
import { readdirSync, statSync } from 'node:fs';
import { join, relative, resolve, sep } from 'node:path';
import type { SafeHtml } from '../http/html.js';
import { trustedHtml } from '../http/html.js';
import type { RenderHooks, TemplateEngine } from '../http/template-engine.js';
import { parseTemplate } from './parser.js';
import { compileTemplate, type CompileEnv } from './compiler.js';
import { ESCAPERS } from './escape.js';
import { TemplateCycleError, TemplateNotFoundError } from './errors.js';
import { BUILTIN_FILTERS, type FilterDef } from './filters.js';
import type { HtmlContextTracker } from './html-context.js';
import { FileSystemLoader, MemoryLoader, type TemplateLoader, type TemplateSource } from './loader.js';
import * as R from './runtime.js';
import { BUILTIN_TESTS } from './tests.js';

export type FilterFn = (value: unknown, ...args: unknown[]) => unknown;
export type TestFn = (value: unknown, ...args: unknown[]) => boolean;

/** Options of `templates()`. */
export interface TemplatesOptions {
  /** Folders searched in order. @default ['templates'] (relative to the working directory) */
  folders?: readonly string[];
  /** Templates held in memory by name, instead of folders (tests, embedded apps). */
  sources?: Readonly<Record<string, string>>;
  /** A custom loader; wins over `folders` and `sources`. */
  loader?: TemplateLoader;
  /** Extra filters: a function, or `{ fn, params }` to accept keyword arguments. */
  filters?: Readonly<Record<string, FilterFn | FilterDef>>;
  /** Extra tests for `{% if x is name %}`. */
  tests?: Readonly<Record<string, TestFn>>;
  /** Extra global variables and functions. */
  globals?: Readonly<Record<string, unknown>>;
  /**
   * Undefined variables: an error naming the template, line and column (`true`), or an empty
   * string and a logged warning (`false`). Strict outside production, so mistakes surface while
   * developing but a missing optional value never takes a production page down.
   * @default NODE_ENV !== 'production'
   */
  strict?: boolean;
  /** Recompile a template when its file changes. @default NODE_ENV is development (or unset) */
  reload?: boolean;
  /**
   * What the `static()` global builds URLs with: a prefix, or a function given the checked
   * relative path (such as `staticUrls()` from `rampart/static`, which returns hashed names).
   * @default '/static/'
   */
  staticUrl?: string | ((path: string) => string);
  /** Receives warnings (undefined variables when not strict). @default console.warn, once per place */
  onWarning?: (message: string) => void;
}

interface Entry {
  readonly compiled: R.CompiledTemplate;
  readonly blockContexts: ReadonlyMap<string, HtmlContextTracker>;
  readonly source: TemplateSource;
}

function staticPath(prefix: string | ((path: string) => string), path: unknown): string {
  const p = String(path);
  const parts = p.split('/');
  if (p === '' || p.startsWith('/') || parts.some((s) => s === '..' || s === '.' || s === '' || s.includes('\\'))) {
    throw new TypeError(`static(): '${p}' is not a relative path inside the static folder`);
  }
  if (typeof prefix === 'function') return prefix(p);
  return prefix + parts.map(encodeURIComponent).join('/');
}

function range(a: unknown, b?: unknown, step?: unknown): number[] {
  const [start, stop] = b === undefined ? [0, Number(a)] : [Number(a), Number(b)];
  const s = step === undefined ? 1 : Number(step);
  if (!Number.isFinite(start) || !Number.isFinite(stop) || !Number.isFinite(s) || s === 0) throw new TypeError('range(): arguments must be finite numbers and step not 0');
  const n = Math.max(0, Math.ceil((stop - start) / s));
  if (n > 100_000) throw new TypeError(`range(): ${n} items is more than the 100000 a template may make`);
  return Array.from({ length: n }, (_, i) => start + i * s);
}

/**
 * The default template engine.
 *
 * @example
 * const t = templates({ sources: { 'hi.html': '<p>Hello {{ name }}</p>' } })
 * t.render('hi.html', { name: '<b>Ada</b>' }).toString() // '<p>Hello &lt;b&gt;Ada&lt;/b&gt;</p>'
 */
export class Templates implements TemplateEngine {
  readonly strict: boolean;
  readonly globals: Readonly<Record<string, unknown>>;
  readonly #loader: TemplateLoader;
  readonly #folders: readonly string[];
  /** Names precompile() compiles when templates do not come from the folders. */
  readonly #knownNames: readonly string[] | null;
  readonly #reload: boolean;
  readonly #cache = new Map<string, Entry>();
  readonly #compiling: string[] = [];
  readonly #filters: Record<string, FilterFn>;
  readonly #filterParams: Record<string, readonly string[] | undefined>;
  readonly #tests: Record<string, TestFn>;
  readonly #warned = new Set<string>();
  #onWarning: (message: string) => void;
  readonly #ownWarningSink: boolean;
  readonly #compileEnv: CompileEnv;
  readonly #link: R.EngineLink;

  constructor(options: TemplatesOptions = {}) {
    const production = process.env['NODE_ENV'] === 'production';
    this.strict = options.strict ?? !production;
    this.#reload = options.reload ?? (process.env['NODE_ENV'] === undefined || process.env['NODE_ENV'] === 'development');
    this.#folders = (options.folders ?? ['templates']).map((f) => resolve(f));
    this.#loader = options.loader ?? (options.sources !== undefined ? new MemoryLoader(options.sources) : new FileSystemLoader(this.#folders));
    this.#knownNames = options.loader !== undefined ? [] : options.sources !== undefined ? Object.keys(options.sources) : null;
    this.#onWarning = options.onWarning ?? ((m) => console.warn(m));
    this.#ownWarningSink = options.onWarning !== undefined;
    const filters: Record<string, FilterFn> = Object.create(null) as Record<string, FilterFn>;
    const params: Record<string, readonly string[] | undefined> = Object.create(null) as Record<string, readonly string[] | undefined>;
    const maxArgs: Record<string, number> = Object.create(null) as Record<string, number>;
    for (const [name, def] of Object.entries({ ...BUILTIN_FILTERS, ...(options.filters ?? {}) })) {
      if (name === 'safe') throw new TypeError("A filter named 'safe' cannot be registered: plain strings are always escaped in Rampart templates.");
      filters[name] = typeof def === 'function' ? def : (def.raw ?? def.fn);
      params[name] = typeof def === 'function' ? undefined : def.params;
      if (typeof def !== 'function' && def.raw !== undefined && def.variadic !== true) maxArgs[name] = def.params?.length ?? 0;
    }
    this.#filters = filters;
    this.#filterParams = params;
    this.#tests = Object.assign(Object.create(null) as Record<string, TestFn>, BUILTIN_TESTS, options.tests ?? {});
    const staticUrl = options.staticUrl ?? '/static/';
    // Not frozen: render data and top-level {% set %} shadow a global of the same name by
    // assignment on an object that inherits from this one, which a frozen prototype forbids.
    this.globals = Object.assign(Object.create(null) as Record<string, unknown>, {
      range,
      dict: (kw?: Record<string, unknown>) => ({ ...(kw ?? {}) }),
      static: (path: unknown) => staticPath(staticUrl, path),
      // Rendered without a request there is no token; a request's render replaces this.
      csrf_token: () => '',
      ...(options.globals ?? {}),
    });
    const self = this;
    this.#compileEnv = {
      filters: new Set(Object.keys(filters)),
      filterParams: (name) => params[name],
      filterMaxArgs: (name) => maxArgs[name],
      tests: new Set(Object.keys(this.#tests)),
      parentBlockContexts: (parent, child) => {
        if (this.#compiling.includes(parent)) {
          throw new TemplateCycleError('E_TEMPLATE_CYCLE', `Template inheritance loops: ${[...this.#compiling, parent].join(' → ')}`, { template: child, line: 1, col: 1 });
        }
        return this.#entry(parent)?.blockContexts ?? null;
      },
    };
    this.#link = {
      get: (name) => this.#entry(name)?.compiled ?? null,
      get strict() {
        return self.strict;
      },
      warnUndefined: (template, line, col, what) => {
        const key = `${template}:${line}:${col}`;
        if (this.#warned.has(key)) return;
        this.#warned.add(key);
        this.#onWarning(`Template ${template}, line ${line}, column ${col}: '${what}' is undefined; rendered as an empty string`);
      },
      globals: this.globals,
    };
  }

  /**
   * Renders a template by name. Values are escaped for the HTML context they land in; with
   * hooks from a request, inline scripts get the CSP nonce and POST forms the CSRF field.
   *
   * @example templates().render('home.html', { user }).toString()
   */
  render(name: string, data: Readonly<Record<string, unknown>> = {}, hooks: RenderHooks = {}): SafeHtml {
    const rs = this.#state(hooks);
    const ctx = rs.newContext(data);
    return trustedHtml(rs.renderTemplate(name, ctx, name));
  }

  /**
   * Compiles and renders template source given as a string (not cached). `extends`/`include`
   * inside it load by name as usual.
   *
   * @example templates().renderString('<p>{{ n }}</p>', { n: 1 })
   */
  renderString(source: string, data: Readonly<Record<string, unknown>> = {}, hooks: RenderHooks = {}, name = '<string>'): SafeHtml {
    const entry = this.#compileSource({ name, source, path: null, mtimeMs: 0 });
    const rs = this.#state(hooks);
    const ctx = rs.newContext(data);
    if (entry.compiled.parent === null) return trustedHtml(entry.compiled.top(ctx, rs));
    const saved = this.#cache.get(name);
    this.#cache.set(name, entry);
    try {
      return trustedHtml(rs.renderTemplate(name, ctx, name));
    } finally {
      if (saved === undefined) this.#cache.delete(name);
      else this.#cache.set(name, saved);
    }
  }

  /** Sends warnings to the app's logger (called by the app), unless `onWarning` was given. */
  useWarningSink(warn: (message: string) => void): void {
    if (!this.#ownWarningSink) this.#onWarning = warn;
  }

  /** Compiles a template (and its parents) now; throws its syntax or context errors. */
  compile(name: string): void {
    if (this.#entry(name) === null) throw new TemplateNotFoundError('E_TEMPLATE_NOT_FOUND', `Template '${name}' was not found in ${this.#folders.join(', ')}`);
  }

  /** Compiles every template in the folders, so a broken template stops startup. Returns their names. */
  precompile(): string[] {
    if (this.#knownNames !== null) {
      for (const n of this.#knownNames) this.compile(n);
      return [...this.#knownNames];
    }
    const names: string[] = [];
    for (const folder of this.#folders) {
      let stack: string[];
      try {
        stack = statSync(folder).isDirectory() ? [folder] : [];
      } catch {
        continue;
      }
      while (stack.length > 0) {
        const dir = stack.pop()!;
        for (const e of readdirSync(dir, { withFileTypes: true })) {
          const full = join(dir, e.name);
          if (e.isDirectory()) stack.push(full);
          else if (e.isFile()) names.push(relative(folder, full).split(sep).join('/'));
        }
      }
    }
    for (const n of names) this.compile(n);
    return names;
  }

  #state(hooks: RenderHooks): R.RenderState {
    const globals: Record<string, unknown> = {};
    if (hooks.urlFor !== undefined) globals['url_for'] = hooks.urlFor;
    if (hooks.csrfToken !== undefined) {
      const token = hooks.csrfToken;
      globals['csrf_token'] = () => token() ?? '';
    }
    if (hooks.request !== undefined) globals['request'] = hooks.request;
    return new R.RenderState(this.#link, hooks, globals);
  }


  #entry(name: string): Entry | null {
    let entry = this.#cache.get(name);
    if (entry !== undefined && this.#reload && this.#loader.isStale(entry.source)) {
      // A changed file may be a parent whose block contexts others were compiled against.
      this.#cache.clear();
      entry = undefined;
    }
    if (entry !== undefined) return entry;
    const source = this.#loader.load(name);
    if (source === null) return null;
    entry = this.#compileSource(source);
    this.#cache.set(name, entry);
    return entry;
  }

  #compileSource(source: TemplateSource): Entry {
    this.#compiling.push(source.name);
    try {
      const ast = parseTemplate(source.name, source.source);
      const out = compileTemplate(ast, source.source, this.#compileEnv);
      const factory = new Function('env', out.code) as (env: unknown) => Pick<R.CompiledTemplate, 'top' | 'blocks'>;
      const made = factory({ E: ESCAPERS, F: this.#filters, T: this.#tests, R, source: source.source, positions: out.positions });
      const compiled: R.CompiledTemplate = { name: source.name, parent: out.parent, top: made.top, blocks: made.blocks, positions: out.positions, source: source.source, endsInText: out.endsInText };
      return { compiled, blockContexts: out.blockContexts, source };
    } finally {
      this.#compiling.pop();
    }
  }
}

/**
 * Creates the default template engine.
 *
 * @example
 * const app = rampart({ templates: templates({ folders: ['templates'] }) })
 */
export function templates(options?: TemplatesOptions): Templates {
  return new Templates(options);
}
