/**
 * What compiled templates call at render time: attribute lookup without prototype access,
 * Python-like truthiness and operators, iteration, macros, includes, blocks and the per-render
 * hooks (CSP nonce, CSRF field, url_for).
 *
 * @module
 */
import { escapeHtml, isSafeHtml, trustedHtml, type SafeHtml } from '../http/html.js';
import type { RenderHooks } from '../http/template-engine.js';
import { valuesEqual } from './tests.js';
import { TemplateNotFoundError } from './errors.js';
import { TemplateContextError } from './errors.js';
import { TemplateCycleError, TemplateError, TemplateRuntimeError, TemplateUndefinedError } from './errors.js';

/** Names no template may read from an object: they lead to prototypes and constructors. */
export const BLOCKED_ATTRS: ReadonlySet<string> = new Set(['__proto__', 'constructor', 'prototype']);

export function isBlockedAttr(name: string): boolean {
  return BLOCKED_ATTRS.has(name) || name.startsWith('__');
}

/** Maximum nesting of includes, blocks and macro calls in one render (recursion bound). */
export const MAX_RENDER_DEPTH = 100;

export type { RenderHooks };

/** Name of the hidden form field that carries the CSRF token. */
export const CSRF_FIELD_NAME = 'csrf_token';

export type BlockFn = (ctx: Record<string, unknown>, rs: RenderState, level: number) => string;

/** A compiled template, as the engine links it. */
export interface CompiledTemplate {
  readonly name: string;
  readonly parent: string | null;
  /** Runs the template: its output, or (for a child template) the side effects of its top level. */
  readonly top: (ctx: Record<string, unknown>, rs: RenderState) => string;
  readonly blocks: Readonly<Record<string, BlockFn>>;
  readonly positions: readonly (readonly [number, number])[];
  readonly source: string;
  /** False when the template ends inside a tag, attribute, script or foreign element. */
  readonly endsInText: boolean;
}

/** What the runtime needs from the engine. */
export interface EngineLink {
  /** Compiles (or takes from cache) a template by name. */
  get(name: string, from: string): CompiledTemplate | null;
  readonly strict: boolean;
  warnUndefined(template: string, line: number, col: number, what: string): void;
  readonly globals: Readonly<Record<string, unknown>>;
}

interface MacroFn {
  (args: readonly unknown[], kwargs: Readonly<Record<string, unknown>>): SafeHtml;
  readonly rampartMacro: true;
}

function isMacro(fn: unknown): fn is MacroFn {
  return typeof fn === 'function' && (fn as Partial<MacroFn>).rampartMacro === true;
}

/** State of one render: created by the engine per call of `render()`. */
export class RenderState {
  readonly engine: EngineLink;
  readonly hooks: RenderHooks;
  /** Request-bound globals of this render (url_for, csrf_token, request), copied into each context. */
  readonly hookGlobals: Readonly<Record<string, unknown>>;
  /** Block overrides by name: most-derived template first. */
  readonly blocks = new Map<string, BlockFn[]>();
  depth = 0;
  readonly #stack: string[] = [];

  constructor(engine: EngineLink, hooks: RenderHooks, hookGlobals: Readonly<Record<string, unknown>>) {
    this.engine = engine;
    this.hooks = hooks;
    this.hookGlobals = hookGlobals;
  }

  /**
   * A fresh template context: the engine globals as prototype (always the same object, so V8
   * keeps one shape for every render's context), the request globals, then `data`.
   */
  newContext(data?: Readonly<Record<string, unknown>>): Record<string, unknown> {
    const ctx = Object.create(this.engine.globals) as Record<string, unknown>;
    const hooks = this.hookGlobals;
    for (const k in hooks) ctx[k] = hooks[k];
    if (data !== undefined) for (const k of Object.keys(data)) ctx[k] = data[k];
    return ctx;
  }

  /** Renders a template by name with a context, following `extends` (used for render and include). */
  renderTemplate(name: string, ctx: Record<string, unknown>, from: string): string {
    const chain: CompiledTemplate[] = [];
    let t = this.#load(name, from);
    const seen = new Set<string>();
    for (;;) {
      if (seen.has(t.name)) {
        throw new TemplateCycleError('E_TEMPLATE_CYCLE', `Template inheritance loops: ${[...seen, t.name].join(' → ')}`, {
          template: t.name,
          line: 1,
          col: 1,
        });
      }
      seen.add(t.name);
      chain.push(t);
      if (t.parent === null) break;
      t = this.#load(t.parent, t.name);
    }
    if (chain.length === 1 && this.blocks.size === 0) return this.#enter(name, () => chain[0]!.top(ctx, this));
    // Blocks of this chain replace any registered by an outer render (an include inside a block
    // must render its own blocks, not the outer child's overrides of the same name).
    const saved = new Map(this.blocks);
    this.blocks.clear();
    for (const c of chain) {
      for (const [blockName, fn] of Object.entries(c.blocks)) {
        let list = this.blocks.get(blockName);
        if (list === undefined) this.blocks.set(blockName, (list = []));
        list.push(fn);
      }
    }
    try {
      return this.#enter(name, () => {
        for (let i = 0; i < chain.length - 1; i++) chain[i]!.top(ctx, this);
        return chain[chain.length - 1]!.top(ctx, this);
      });
    } finally {
      this.blocks.clear();
      for (const [k, v] of saved) this.blocks.set(k, v);
    }
  }

  #load(name: string, from: string): CompiledTemplate {
    const t = this.engine.get(name, from);
    if (t === null && from === name) throw new TemplateNotFoundError('E_TEMPLATE_NOT_FOUND', `Template '${name}' was not found`);
    if (t === null) {
      throw new TemplateRuntimeError('E_TEMPLATE_NOT_FOUND', `Template '${name}' was not found`, { template: from, line: 1, col: 1 });
    }
    return t;
  }

  #enter(name: string, run: () => string): string {
    if (++this.depth > MAX_RENDER_DEPTH) this.#tooDeep(name);
    this.#stack.push(name);
    try {
      return run();
    } finally {
      this.#stack.pop();
      this.depth--;
    }
  }

  /** Renders block `name` at inheritance `level` (0 = most derived); `super()` asks level + 1. */
  block(name: string, ctx: Record<string, unknown>, level: number, own: BlockFn): string {
    const list = this.blocks.get(name);
    const fn = list === undefined ? (level === 0 ? own : undefined) : list[level];
    if (fn === undefined) return '';
    const label = `block ${name}`;
    if (++this.depth > MAX_RENDER_DEPTH) this.#tooDeep(label);
    this.#stack.push(label);
    try {
      return fn(ctx, this, level);
    } finally {
      this.#stack.pop();
      this.depth--;
    }
  }

  #tooDeep(name: string): never {
    this.depth = 0;
    throw new TemplateCycleError('E_TEMPLATE_RECURSION', `Templates nest deeper than ${MAX_RENDER_DEPTH} levels (an include or macro calls itself without end?): ${this.#stack.slice(-5).join(' → ')} → ${name}`, {
      template: name,
      line: 1,
      col: 1,
    });
  }

  include(name: string, ctx: Record<string, unknown>, from: string, ignoreMissing: boolean): string {
    const t = this.engine.get(name, from);
    if (ignoreMissing && t === null) return '';
    if (t !== null && !t.endsInText && t.parent === null) {
      // The including template was compiled assuming the HTML after the include is plain text.
      throw new TemplateContextError('E_TEMPLATE_CONTEXT', `Template '${name}' cannot be included: it does not end in plain HTML text (an unclosed tag, attribute, <script>, <style> or <svg>)`, { template: from, line: 1, col: 1 });
    }
    return this.renderTemplate(name, ctx, from);
  }

  /** Runs a template for its exports (macros and top-level variables), without output. */
  importTemplate(name: string, from: string): Record<string, unknown> {
    const t = this.#load(name, from);
    const ctx = this.newContext();
    this.#enter(name, () => t.top(ctx, this));
    const exports = Object.create(null) as Record<string, unknown>;
    for (const k of Object.keys(ctx)) exports[k] = ctx[k];
    return exports;
  }

  /** Wraps a compiled macro body so calls are counted against the depth bound. */
  macro(name: string, body: (args: readonly unknown[], kwargs: Readonly<Record<string, unknown>>) => string): MacroFn {
    const label = `macro ${name}`;
    const fn = ((args: readonly unknown[], kwargs: Readonly<Record<string, unknown>>) => {
      if (++this.depth > MAX_RENDER_DEPTH) this.#tooDeep(label);
      this.#stack.push(label);
      try {
        return trustedHtml(body(args, kwargs));
      } finally {
        this.#stack.pop();
        this.depth--;
      }
    }) as MacroFn;
    Object.defineProperty(fn, 'rampartMacro', { value: true });
    Object.defineProperty(fn, 'name', { value: name });
    return fn;
  }

  /** ` nonce="…"` for an inline script/style start tag, or '' when rendered without a request. */
  nonceAttr(): string {
    const nonce = this.hooks.nonce?.();
    return nonce === undefined ? '' : ` nonce="${escapeHtml(nonce)}"`;
  }

  /** The hidden CSRF input after a POST form's start tag, or '' without a token. */
  csrfField(): string {
    const token = this.hooks.csrfToken?.() ?? null;
    return token === null ? '' : `<input type="hidden" name="${CSRF_FIELD_NAME}" value="${escapeHtml(token)}">`;
  }
}

// ---------------------------------------------------------------------------------------------
// Value helpers used by generated code (module functions: no `this`, cheap to call).
// ---------------------------------------------------------------------------------------------

/**
 * Prototypes whose members templates never see: JavaScript's own methods (`toString`,
 * `constructor`, `valueOf`…) are not data, and calling them from a template is how sandboxes
 * leak. Members of application classes (getters, methods) are still readable.
 */
const BUILTIN_PROTOTYPES: ReadonlySet<unknown> = new Set([
  Object.prototype, Array.prototype, String.prototype, Number.prototype, Boolean.prototype, BigInt.prototype,
  Symbol.prototype, Function.prototype, Date.prototype, RegExp.prototype, Error.prototype, Map.prototype,
  Set.prototype, WeakMap.prototype, WeakSet.prototype, Promise.prototype, ArrayBuffer.prototype,
  Object.getPrototypeOf(Uint8Array.prototype), Uint8Array.prototype,
]);

function readMember(obj: object, name: string): unknown {
  const value = (obj as Record<string, unknown>)[name];
  // Data is returned at once. What built-in prototypes hold besides methods is harmless data
  // (a Set's size, an Error's message); only functions need to prove they are not built-ins.
  if (typeof value !== 'function') return value;
  if (Object.prototype.hasOwnProperty.call(obj, name)) return value;
  for (let proto = Object.getPrototypeOf(obj) as object | null; proto !== null && !BUILTIN_PROTOTYPES.has(proto); proto = Object.getPrototypeOf(proto) as object | null) {
    if (Object.prototype.hasOwnProperty.call(proto, name)) return (obj as Record<string, unknown>)[name];
  }
  return undefined;
}

/** `obj.name` for a static name already checked at compile time. */
export function attr(obj: unknown, name: string): unknown {
  if (obj === null || obj === undefined) return undefined;
  if (typeof obj === 'object') return obj instanceof Map ? obj.get(name) : readMember(obj, name);
  if (typeof obj === 'string') return name === 'length' ? obj.length : undefined;
  if (typeof obj === 'function') return readMember(obj, name);
  return undefined;
}

/** `obj[key]` for a key computed at render time. */
export function item(obj: unknown, key: unknown): unknown {
  if (obj === null || obj === undefined) return undefined;
  if (obj instanceof Map) return obj.get(key);
  if (typeof key === 'number') {
    if (Array.isArray(obj) || typeof obj === 'string') return obj[key < 0 ? obj.length + key : key];
  }
  const k = String(key);
  if (isBlockedAttr(k)) return undefined;
  return attr(obj, k);
}

export function slice(obj: unknown, start: unknown, stop: unknown): unknown {
  if (typeof obj === 'string' || Array.isArray(obj)) {
    return obj.slice(start === undefined || start === null ? 0 : Number(start), stop === undefined || stop === null ? undefined : Number(stop));
  }
  return undefined;
}

/** Python truthiness: empty sequences and mappings are false. */
export function truthy(v: unknown): boolean {
  if (v === null || v === undefined || v === false || v === 0 || v === '') return false;
  if (v === true || typeof v === 'number' || typeof v === 'string') return v === v; // NaN is false
  if (Array.isArray(v)) return v.length > 0;
  if (v instanceof Map || v instanceof Set) return v.size > 0;
  if (isSafeHtml(v)) return v.toString() !== '';
  if (typeof v === 'object' && Object.getPrototypeOf(v) === Object.prototype) {
    for (const _ in v) return true;
    return false;
  }
  return true;
}

export function str(v: unknown): string {
  if (v === null || v === undefined) return '';
  return typeof v === 'string' ? v : String(v);
}

/** `+`: numbers add, strings and lists concatenate. */
export function add(a: unknown, b: unknown): unknown {
  if (Array.isArray(a) && Array.isArray(b)) return [...a, ...b];
  if (typeof a === 'number' && typeof b === 'number') return a + b;
  if (typeof a === 'string' && typeof b === 'string') return a + b;
  if (typeof a === 'bigint' && typeof b === 'bigint') return a + b;
  throw new TypeError(`cannot add ${typeName(a)} and ${typeName(b)} (use ~ to join as text)`);
}

export function typeName(v: unknown): string {
  if (v === null) return 'none';
  if (v === undefined) return 'undefined';
  if (Array.isArray(v)) return 'list';
  return typeof v;
}

/** `==`: Python-style value equality (lists and mappings compare by content), as `is eq` does. */
export function eq(a: unknown, b: unknown): boolean {
  return a === b || valuesEqual(a, b);
}

export function contains(container: unknown, value: unknown): boolean {
  if (typeof container === 'string') return container.includes(str(value));
  if (Array.isArray(container)) return container.some((x) => eq(x, value));
  if (container instanceof Map || container instanceof Set) return container.has(value);
  if (container !== null && typeof container === 'object') return Object.prototype.hasOwnProperty.call(container, str(value));
  return false;
}

/**
 * Turns any iterable value into an array for `for`: like Python dicts, plain objects and Maps
 * iterate their keys (`for k, v in m|items` gives pairs).
 */
export function iter(v: unknown): readonly unknown[] {
  if (Array.isArray(v)) return v;
  if (v === null || v === undefined || v === false) return [];
  if (typeof v === 'string') return Array.from(v);
  if (v instanceof Map) return Array.from(v.keys());
  if (typeof v === 'object' && Symbol.iterator in v) return Array.from(v as Iterable<unknown>);
  if (typeof v === 'object') return Object.keys(v);
  throw new TypeError(`cannot loop over a ${typeName(v)}`);
}

/** Calls a macro or a plain function with positional and keyword arguments. */
export function call(fn: unknown, args: readonly unknown[], kwargs: Readonly<Record<string, unknown>> | null, what: string): unknown {
  if (isMacro(fn)) return fn(args, kwargs ?? {});
  if (typeof fn !== 'function') throw new TypeError(`${what} is not callable (it is ${typeName(fn)})`);
  return kwargs === null ? (fn as (...a: unknown[]) => unknown)(...args) : (fn as (...a: unknown[]) => unknown)(...args, kwargs);
}

/** `obj.name(args)`: a method call, with the same attribute rules as `attr`. */
export function callMethod(obj: unknown, name: string, args: readonly unknown[], kwargs: Readonly<Record<string, unknown>> | null, what: string): unknown {
  const fn = attr(obj, name);
  if (isMacro(fn)) return fn(args, kwargs ?? {});
  if (typeof fn !== 'function') throw new TypeError(`${what} is not callable (it is ${typeName(fn)})`);
  const all = kwargs === null ? args : [...args, kwargs];
  return (fn as (...a: unknown[]) => unknown).apply(obj, all as unknown[]);
}

/** A macro's argument by position or keyword, or its default. */
export function arg(args: readonly unknown[], kwargs: Readonly<Record<string, unknown>>, index: number, name: string): unknown {
  if (index < args.length) return args[index];
  return Object.prototype.hasOwnProperty.call(kwargs, name) ? kwargs[name] : undefined;
}

/** Captured block output (`{% set x %}…{% endset %}`, caller bodies). */
export function safe(markup: string): SafeHtml {
  return trustedHtml(markup);
}

/** The loop object of `{% for %}` (`loop.index`, `loop.first`, …). */
export class LoopInfo {
  index0 = 0;
  readonly length: number;
  constructor(length: number) {
    this.length = length;
  }
  get index(): number {
    return this.index0 + 1;
  }
  get first(): boolean {
    return this.index0 === 0;
  }
  get last(): boolean {
    return this.index0 === this.length - 1;
  }
  get revindex(): number {
    return this.length - this.index0;
  }
  get revindex0(): number {
    return this.length - this.index0 - 1;
  }
  cycle(...values: unknown[]): unknown {
    return values.length === 0 ? undefined : values[this.index0 % values.length];
  }
}

/** Wraps a non-template error thrown while rendering with the template location. */
export function wrapError(err: unknown, t: { name: string; source: string; positions: readonly (readonly [number, number])[] }, pos: number): unknown {
  if (err instanceof TemplateError || err instanceof TemplateNotFoundError) return err;
  const [line, col] = t.positions[pos] ?? [1, 1];
  const message = err instanceof Error ? err.message : String(err);
  return new TemplateRuntimeError('E_TEMPLATE_RUNTIME', message, { template: t.name, line, col }, t.source, { cause: err });
}

/** An undefined value reached an output: an error in strict mode, '' with a warning otherwise. */
export function undef(rs: RenderState, t: { name: string; source: string; positions: readonly (readonly [number, number])[] }, pos: number, what: string): string {
  const [line, col] = t.positions[pos] ?? [1, 1];
  if (rs.engine.strict) {
    throw new TemplateUndefinedError('E_TEMPLATE_UNDEFINED', `'${what}' is undefined`, { template: t.name, line, col }, t.source, {
      hint: "Pass it in the render context, or write {{ x|default('') }} / {% if x is defined %} where it may be missing.",
    });
  }
  rs.engine.warnUndefined(t.name, line, col, what);
  return '';
}

