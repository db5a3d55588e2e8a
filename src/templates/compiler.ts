/**
 * Compiles a template syntax tree to a JavaScript module: one function for the template's top
 * level and one per block, with every `{{ }}` escaped for the HTML context it sits in.
 *
 * The compiler walks the template with an HTML context tracker. Literal text moves the tracker;
 * at each output it asks which escaper fits, or refuses with a compile error naming the line and
 * column. Branches of an `if` must leave the HTML in the same context, and a loop body must end
 * where it began, so the context of every output is known statically. The tracker also reports
 * where a `<script>`/`<style>` start tag closes (the CSP nonce goes there) and where a POST
 * `<form>` start tag ends (the CSRF field goes there).
 *
 * @module
 */
import { editDistance } from '../edit-distance.js';
import type * as A from './ast.js';
import { TemplateContextError, TemplateSyntaxError } from './errors.js';
import { chooseEscaper, HtmlContextTracker, type Insertion } from './html-context.js';
import { isBlockedAttr } from './runtime.js';

/** What the compiler needs to know about the environment. */
export interface CompileEnv {
  readonly filters: ReadonlySet<string>;
  /** Positional parameter names of each filter, to map keyword arguments. */
  filterParams(name: string): readonly string[] | undefined;
  /** Most arguments a filter takes after the value, when the compiler must check it (built-ins). */
  filterMaxArgs?(name: string): number | undefined;
  readonly tests: ReadonlySet<string>;
  /** HTML contexts at the blocks of a parent template (compiling it if needed), or null if unknown. */
  parentBlockContexts(parent: string, child: string): ReadonlyMap<string, HtmlContextTracker> | null;
}

export interface CompileOutput {
  /** JavaScript source of a function `(env) => ({ top, blocks })`. */
  readonly code: string;
  readonly parent: string | null;
  readonly positions: readonly (readonly [number, number])[];
  /** Tracker state at the start of each block (for child templates that override them). */
  readonly blockContexts: ReadonlyMap<string, HtmlContextTracker>;
  /** Whether the template ends in plain HTML text, as an included template must. */
  readonly endsInText: boolean;
}

const q = (s: string): string => JSON.stringify(s);

interface Scope {
  readonly vars: Map<string, string>;
  readonly parent: Scope | null;
  readonly fn: FnCtx;
}

class FnCtx {
  readonly decls = new Set<string>();
  temps = 0;
  constructor(readonly kind: 'top' | 'block' | 'macro', readonly blockName: string | null) {}
  temp(): string {
    const t = `t${this.temps++}`;
    this.decls.add(t);
    return t;
  }
}

/** Compiles one template. Throws TemplateSyntaxError / TemplateContextError with locations. */
export function compileTemplate(ast: A.TemplateAst, source: string, env: CompileEnv): CompileOutput {
  return new Compiler(ast, source, env).compile();
}

class Compiler {
  readonly #ast: A.TemplateAst;
  readonly #source: string;
  readonly #env: CompileEnv;
  readonly #positions: (readonly [number, number])[] = [];
  readonly #blockFns: string[] = [];
  readonly #blockNames = new Map<string, number>();
  readonly #blockContexts = new Map<string, HtmlContextTracker>();
  #ids = 0;
  #parentContexts: ReadonlyMap<string, HtmlContextTracker> | null = null;

  constructor(ast: A.TemplateAst, source: string, env: CompileEnv) {
    this.#ast = ast;
    this.#source = source;
    this.#env = env;
  }

  compile(): CompileOutput {
    const body = this.#ast.body;
    const ext = body.find((n): n is A.ExtendsNode => n.kind === 'extends');
    const parent = ext?.template ?? null;
    let topCode: string;
    let endsInText = true;
    if (parent !== null) {
      this.#parentContexts = this.#env.parentBlockContexts(parent, this.#ast.name);
      if (this.#parentContexts === null) {
        // Caught here, so precompile() at a production start finds it, not the first visitor.
        throw new TemplateSyntaxError('E_TEMPLATE_NOT_FOUND', `Template '${parent}' was not found (named by {% extends %})`, { template: this.#ast.name, line: ext!.line, col: ext!.col }, this.#source);
      }
      if (this.#parentContexts !== null) for (const [k, v] of this.#parentContexts) this.#blockContexts.set(k, v.clone());
      topCode = this.#childTop(body);
    } else {
      const fn = new FnCtx('top', null);
      const scope: Scope = { vars: new Map(), parent: null, fn };
      const tracker = new HtmlContextTracker();
      const code = this.#nodes(body, scope, tracker);
      endsInText = tracker.equals(new HtmlContextTracker());
      topCode = this.#fnText('top', '(ctx, rs)', fn, code);
    }
    const blocks = [...this.#blockNames].map(([name, i]) => `${q(name)}: b${i}`).join(', ');
    const code =
      `const E = env.E, F = env.F, T = env.T, R = env.R;\n` +
      `const t = { name: ${q(this.#ast.name)}, source: env.source, positions: env.positions };\n` +
      this.#blockFns.join('\n') +
      `\n${topCode}\nreturn { top, blocks: { ${blocks} } };`;
    return { code, parent, positions: this.#positions, blockContexts: this.#blockContexts, endsInText };
  }

  /** A child template's top level: only blocks and definitions; its output is ignored. */
  #childTop(body: readonly A.Node[]): string {
    const fn = new FnCtx('top', null);
    const scope: Scope = { vars: new Map(), parent: null, fn };
    let code = '';
    for (const node of body) {
      switch (node.kind) {
        case 'extends':
          break;
        case 'text':
          if (node.value.trim() !== '') {
            throw this.#syntax(node, 'Text outside {% block %} in a template that uses {% extends %} would never be shown', 'Move it into a block of the parent template.');
          }
          break;
        case 'block':
          this.#defineBlock(node, this.#blockContexts.get(node.name)?.clone() ?? new HtmlContextTracker());
          break;
        case 'set':
        case 'macro':
        case 'import':
        case 'fromimport':
          code += this.#node(node, scope, new HtmlContextTracker());
          break;
        default:
          throw this.#syntax(node, `{% ${node.kind} %} at the top level of a template that uses {% extends %} would never be shown`, 'Only block, set, macro and import may appear outside blocks in a child template.');
      }
    }
    return this.#fnText('top', '(ctx, rs)', fn, code);
  }

  #fnText(name: string, params: string, fn: FnCtx, body: string): string {
    const decls = fn.decls.size > 0 ? `let ${[...fn.decls].join(', ')};\n` : '';
    return `function ${name}${params} {\nlet out = '', p = 0;\n${decls}try {\n${body}} catch (e) { throw R.wrapError(e, t, p); }\nreturn out;\n}`;
  }

  #pos(n: A.Position): number {
    this.#positions.push([n.line, n.col]);
    return this.#positions.length - 1;
  }

  #syntax(n: A.Position, message: string, hint?: string): TemplateSyntaxError {
    return new TemplateSyntaxError('E_TEMPLATE_SYNTAX', message, { template: this.#ast.name, line: n.line, col: n.col }, this.#source, hint === undefined ? undefined : { hint });
  }

  #contextError(n: A.Position, message: string, hint?: string): TemplateContextError {
    return new TemplateContextError('E_TEMPLATE_CONTEXT', message, { template: this.#ast.name, line: n.line, col: n.col }, this.#source, hint === undefined ? undefined : { hint });
  }

  #requireText(n: A.Position, tracker: HtmlContextTracker, what: string): void {
    // Includes and caller bodies were compiled for plain HTML text: inside <svg>/<math> the same
    // markup parses differently (entities decode in <script>), so they need exactly that context.
    if (what !== 'block' && !tracker.equals(new HtmlContextTracker())) {
      throw this.#contextError(n, `${what} can only be used in plain HTML text, not ${tracker.describe()}`, 'Place it between HTML elements, outside <svg>/<math>, tags, attributes and comments.');
    }
    const state = tracker.context.state;
    // A hazard is a place the state alone would allow but where nothing is safe (e.g. after the
    // tracker gave up on malformed SVG): refuse there too.
    if (tracker.context.hazard !== null || (state !== 'text' && !(what === 'block' && (state === 'rcdata' || state === 'script' || state === 'style')))) {
      throw this.#contextError(n, `${what} cannot be used ${tracker.describe()}`, 'Place it between HTML elements, not inside a tag, attribute or comment.');
    }
  }

  // -------------------------------------------------------------------------------------------
  // Statements
  // -------------------------------------------------------------------------------------------

  #nodes(nodes: readonly A.Node[], scope: Scope, tracker: HtmlContextTracker): string {
    let code = '';
    for (const n of nodes) code += this.#node(n, scope, tracker);
    return code;
  }

  #node(n: A.Node, scope: Scope, tracker: HtmlContextTracker): string {
    switch (n.kind) {
      case 'text':
        return this.#text(n.value, tracker);
      case 'output':
        return this.#output(n, scope, tracker);
      case 'if':
        return this.#if(n, scope, tracker);
      case 'for':
        return this.#for(n, scope, tracker);
      case 'set':
        return this.#set(n, scope);
      case 'setblock':
        return this.#setBlock(n, scope);
      case 'with':
        return this.#with(n, scope, tracker);
      case 'block':
        return this.#blockCall(n, tracker);
      case 'extends':
        throw this.#syntax(n, '{% extends %} must be the first tag of the template');
      case 'include':
        return this.#include(n, scope, tracker);
      case 'macro':
        return this.#macro(n, scope);
      case 'callblock':
        return this.#callBlock(n, scope, tracker);
      case 'import':
        return `p = ${this.#pos(n)};\n${this.#assign(n.alias, `rs.importTemplate(${q(n.template)}, t.name)`, scope)}`;
      case 'fromimport': {
        const mod = scope.fn.temp();
        let code = `p = ${this.#pos(n)};\n${mod} = rs.importTemplate(${q(n.template)}, t.name);\n`;
        for (const { name, alias } of n.names) {
          if (isBlockedAttr(name)) throw this.#syntax(n, `'${name}' cannot be imported`);
          code += `if (!(${q(name)} in ${mod})) throw new TypeError(${q(`${n.template} does not define '${name}'`)});\n`;
          code += this.#assign(alias, `${mod}[${q(name)}]`, scope);
        }
        return code;
      }
    }
  }

  #text(value: string, tracker: HtmlContextTracker): string {
    if (value === '') return '';
    const inserts: Insertion[] = tracker.feed(value);
    if (inserts.length === 0) return `out += ${q(value)};\n`;
    let code = '';
    let last = 0;
    for (const ins of inserts) {
      if (ins.offset > last) code += `out += ${q(value.slice(last, ins.offset))};\n`;
      code += ins.kind === 'nonce' ? 'out += rs.nonceAttr();\n' : 'out += rs.csrfField();\n';
      last = ins.offset;
    }
    if (last < value.length) code += `out += ${q(value.slice(last))};\n`;
    return code;
  }

  #output(n: A.OutputNode, scope: Scope, tracker: HtmlContextTracker): string {
    let choice = chooseEscaper(tracker.context);
    if ('refused' in choice) throw this.#contextError(n, `An output cannot be placed ${tracker.describe()}: ${choice.refused}`);
    // SafeHtml (macro output, captured blocks, trustedHtml) was built for plain HTML text; inside
    // <svg>/<math> it would parse differently, so there it is escaped like any string.
    if (choice.escaper === 'html' && !tracker.equals(new HtmlContextTracker())) choice = { escaper: 'rcdata' };
    tracker.afterOutput();
    const pos = this.#pos(n);
    const v = scope.fn.temp();
    const expr = this.#expr(n.expr, scope);
    const what = q(exprText(n.expr));
    return `p = ${pos};\nout += E.${choice.escaper}((${v} = ${expr}) === undefined ? R.undef(rs, t, ${pos}, ${what}) : ${v});\n`;
  }

  #if(n: A.IfNode, scope: Scope, tracker: HtmlContextTracker): string {
    const start = tracker.clone();
    let end: HtmlContextTracker | null = null;
    let code = '';
    const merge = (branchEnd: HtmlContextTracker, at: A.Position): void => {
      if (end === null) end = branchEnd;
      else if (!end.equals(branchEnd)) {
        throw this.#contextError(at, `The branches of this {% if %} leave the HTML in different contexts (${end.describe()} vs ${branchEnd.describe()})`, 'Close every tag and attribute you open inside a branch before the branch ends.');
      }
    };
    n.branches.forEach((b, i) => {
      const tr = start.clone();
      const body = this.#nodes(b.body, scope, tr);
      merge(tr, n);
      code += `${i === 0 ? '' : 'else '}if (R.truthy(${this.#expr(b.test, scope)})) {\n${body}}\n`;
    });
    const tr = start.clone();
    if (n.otherwise !== null) {
      const body = this.#nodes(n.otherwise, scope, tr);
      code += `else {\n${body}}\n`;
    }
    merge(tr, n);
    tracker.copyFrom(end!);
    return `p = ${this.#pos(n)};\n${code}`;
  }

  #for(n: A.ForNode, scope: Scope, tracker: HtmlContextTracker): string {
    const fn = scope.fn;
    const id = this.#ids++;
    const list = `it${id}`;
    const idx = `i${id}`;
    fn.decls.add(list);
    let code = `p = ${this.#pos(n)};\n${list} = R.iter(${this.#expr(n.iter, scope)});\n`;
    const inner: Scope = { vars: new Map(), parent: scope, fn };
    const targets = n.targets.map((name) => this.#declare(name, inner));
    const bind = (value: string): string =>
      targets.length === 1 ? `${targets[0]} = ${value};\n` : targets.map((tgt, i) => `${tgt} = R.item(${value}, ${i});\n`).join('');
    if (n.filter !== null) {
      const kept = `f${id}`;
      const x = `x${id}`;
      fn.decls.add(kept);
      code += `${kept} = [];\nfor (const ${x} of ${list}) {\n${bind(x)}if (R.truthy(${this.#expr(n.filter, inner)})) ${kept}.push(${x});\n}\n${list} = ${kept};\n`;
    }
    let loopVar: string | null = null;
    if (usesName(n.body, 'loop')) {
      loopVar = `lp${id}`;
      inner.vars.set('loop', loopVar);
      fn.decls.add(loopVar);
    }
    const start = tracker.clone();
    const body = this.#nodes(n.body, inner, tracker);
    if (!tracker.equals(start)) {
      throw this.#contextError(n, `The body of this {% for %} ends ${tracker.describe()} but starts ${start.describe()}`, 'Close every tag and attribute you open inside the loop before {% endfor %}.');
    }
    code += loopVar === null ? '' : `${loopVar} = new R.LoopInfo(${list}.length);\n`;
    code += `for (let ${idx} = 0; ${idx} < ${list}.length; ${idx}++) {\n${loopVar === null ? '' : `${loopVar}.index0 = ${idx};\n`}${bind(`${list}[${idx}]`)}${body}}\n`;
    if (n.otherwise !== null) {
      const tr = start.clone();
      const other = this.#nodes(n.otherwise, scope, tr);
      if (!tr.equals(start)) throw this.#contextError(n, 'The {% else %} of this {% for %} must end in the HTML context it starts in');
      code += `if (${list}.length === 0) {\n${other}}\n`;
    }
    return code;
  }

  /** Declares a new local in `scope` and returns its JS name. */
  #declare(name: string, scope: Scope): string {
    const ident = `v${this.#ids++}_${name.replace(/[^A-Za-z0-9_]/g, '_')}`;
    scope.vars.set(name, ident);
    scope.fn.decls.add(ident);
    return ident;
  }

  /** `name = value`: template level writes the context (visible to blocks and imports), inner scopes a local. */
  #assign(name: string, value: string, scope: Scope): string {
    if (isBlockedAttr(name)) throw new TypeError(`'${name}' cannot be assigned`);
    if (scope.parent === null && scope.fn.kind === 'top') {
      scope.vars.delete(name);
      return `ctx[${q(name)}] = ${value};\n`;
    }
    const existing = scope.vars.get(name);
    return `${existing ?? this.#declare(name, scope)} = ${value};\n`;
  }

  #set(n: A.SetNode, scope: Scope): string {
    const value = this.#expr(n.value, scope);
    if (n.targets.length === 1) return `p = ${this.#pos(n)};\n${this.#assign(n.targets[0]!, value, scope)}`;
    const tmp = scope.fn.temp();
    let code = `p = ${this.#pos(n)};\n${tmp} = ${value};\n`;
    n.targets.forEach((name, i) => (code += this.#assign(name, `R.item(${tmp}, ${i})`, scope)));
    return code;
  }

  #setBlock(n: A.SetBlockNode, scope: Scope): string {
    const saved = scope.fn.temp();
    const tr = new HtmlContextTracker();
    const body = this.#nodes(n.body, scope, tr);
    if (!tr.equals(new HtmlContextTracker())) throw this.#contextError(n, `The body of {% set ${n.target} %} must end in plain HTML text, not ${tr.describe()}`);
    return `${saved} = out; out = '';\n${body}${this.#assign(n.target, 'R.safe(out)', scope)}out = ${saved};\n`;
  }

  #with(n: A.WithNode, scope: Scope, tracker: HtmlContextTracker): string {
    const inner: Scope = { vars: new Map(), parent: scope, fn: scope.fn };
    let code = `p = ${this.#pos(n)};\n`;
    const values = n.assignments.map((a) => this.#expr(a.value, scope));
    n.assignments.forEach((a, i) => (code += `${this.#declare(a.name, inner)} = ${values[i]};\n`));
    return code + this.#nodes(n.body, inner, tracker);
  }

  #blockCall(n: A.BlockNode, tracker: HtmlContextTracker): string {
    this.#requireText(n, tracker, 'block');
    if (this.#blockNames.has(n.name)) throw this.#syntax(n, `Block '${n.name}' is defined twice in this template`);
    const start = tracker.clone();
    this.#blockContexts.set(n.name, start.clone());
    const i = this.#defineBlock(n, start.clone());
    // The block may be overridden, so after it the HTML context is the one it started in.
    return `p = ${this.#pos(n)};\nout += rs.block(${q(n.name)}, ctx, 0, b${i});\n`;
  }

  /** Compiles a block body into its own function, starting in `tracker`'s context. */
  #defineBlock(n: A.BlockNode, tracker: HtmlContextTracker): number {
    if (this.#blockNames.has(n.name)) throw this.#syntax(n, `Block '${n.name}' is defined twice in this template`);
    const i = this.#blockNames.size;
    this.#blockNames.set(n.name, i);
    const fn = new FnCtx('block', n.name);
    const scope: Scope = { vars: new Map(), parent: null, fn };
    const start = tracker.clone();
    const body = this.#nodes(n.body, scope, tracker);
    if (!tracker.equals(start)) {
      throw this.#contextError(n, `Block '${n.name}' ends ${tracker.describe()} but starts ${start.describe()}`, 'Close every tag and attribute you open inside the block.');
    }
    this.#blockFns.push(this.#fnText(`b${i}`, '(ctx, rs, level)', fn, body));
    return i;
  }

  #include(n: A.IncludeNode, scope: Scope, tracker: HtmlContextTracker): string {
    this.#requireText(n, tracker, 'include');
    const ctx = n.withContext ? this.#scopeContext(scope) : 'rs.newContext()';
    return `p = ${this.#pos(n)};\nout += rs.include(${q(n.template)}, ${ctx}, t.name, ${n.ignoreMissing});\n`;
  }

  /** The context object an include sees: the template context plus the locals in scope. */
  #scopeContext(scope: Scope): string {
    const entries: string[] = [];
    const seen = new Set<string>();
    for (let s: Scope | null = scope; s !== null; s = s.parent) {
      for (const [name, ident] of s.vars) {
        if (seen.has(name)) continue;
        seen.add(name);
        entries.push(`${q(name)}: ${ident}`);
      }
    }
    return entries.length === 0 ? 'ctx' : `Object.assign(Object.create(ctx), { ${entries.join(', ')} })`;
  }

  #macro(n: A.MacroNode, scope: Scope): string {
    return `p = ${this.#pos(n)};\n${this.#assign(n.name, this.#macroFn(n.name, n.params, n.body, scope, n), scope)}`;
  }

  #macroFn(name: string, params: A.MacroNode['params'], bodyNodes: readonly A.Node[], scope: Scope, at: A.Position): string {
    const fn = new FnCtx('macro', scope.fn.blockName);
    const inner: Scope = { vars: new Map(), parent: scope, fn };
    let prologue = '';
    params.forEach((prm, i) => {
      const ident = this.#declare(prm.name, inner);
      const dflt = prm.default === null ? 'undefined' : this.#expr(prm.default, scope);
      prologue += `${ident} = R.arg(args, kw, ${i}, ${q(prm.name)});\nif (${ident} === undefined) ${ident} = ${dflt};\n`;
    });
    if (!inner.vars.has('caller')) {
      const c = this.#declare('caller', inner);
      prologue += `${c} = kw.caller;\n`;
    }
    const tr = new HtmlContextTracker();
    const body = this.#nodes(bodyNodes, inner, tr);
    if (!tr.equals(new HtmlContextTracker())) throw this.#contextError(at, `The body of macro '${name}' must end in plain HTML text, not ${tr.describe()}`);
    const text = this.#fnText('m', '(args, kw)', fn, prologue + body);
    return `rs.macro(${q(name)}, (${text}))`;
  }

  #callBlock(n: A.CallBlockNode, scope: Scope, tracker: HtmlContextTracker): string {
    this.#requireText(n, tracker, 'call');
    const caller = this.#macroFn('caller', n.params, n.body, scope, n);
    const call = n.call;
    const args = `[${call.args.map((a) => this.#expr(a, scope)).join(', ')}]`;
    const kw = `{ ${[...call.kwargs.map((k) => `${q(k.name)}: ${this.#expr(k.value, scope)}`), `caller: ${caller}`].join(', ')} }`;
    const pos = this.#pos(n);
    return `p = ${pos};\nout += E.html(R.call(${this.#expr(call.callee, scope)}, ${args}, ${kw}, ${q(exprText(call.callee))}));\n`;
  }

  // -------------------------------------------------------------------------------------------
  // Expressions
  // -------------------------------------------------------------------------------------------

  #lookup(name: string, scope: Scope): string | null {
    for (let s: Scope | null = scope; s !== null; s = s.parent) {
      const ident = s.vars.get(name);
      if (ident !== undefined) return ident;
    }
    return null;
  }

  #expr(e: A.Expr, scope: Scope): string {
    switch (e.kind) {
      case 'literal':
        return e.value === null ? 'null' : JSON.stringify(e.value);
      case 'list':
        return `[${e.items.map((x) => this.#expr(x, scope)).join(', ')}]`;
      case 'dict':
        for (const entry of e.entries) if (isBlockedAttr(entry.key)) throw this.#syntax(e, `'${entry.key}' cannot be a dict key`);
        return `{ ${e.entries.map((x) => `${q(x.key)}: ${this.#expr(x.value, scope)}`).join(', ')} }`;
      case 'name': {
        const local = this.#lookup(e.name, scope);
        if (local !== null) return local;
        if (isBlockedAttr(e.name)) throw this.#syntax(e, `'${e.name}' is not a valid variable name`);
        return `ctx[${q(e.name)}]`;
      }
      case 'getattr':
        if (isBlockedAttr(e.attr)) throw this.#syntax(e, `Attribute '${e.attr}' cannot be read in a template`, 'Names starting with __, constructor and prototype lead to JavaScript internals.');
        return `R.attr(${this.#expr(e.object, scope)}, ${q(e.attr)})`;
      case 'getitem':
        return `R.item(${this.#expr(e.object, scope)}, ${this.#expr(e.key, scope)})`;
      case 'slice':
        return `R.slice(${this.#expr(e.object, scope)}, ${e.start === null ? 'null' : this.#expr(e.start, scope)}, ${e.stop === null ? 'null' : this.#expr(e.stop, scope)})`;
      case 'call':
        return this.#call(e, scope);
      case 'filter':
        return this.#filter(e, scope);
      case 'test': {
        if (!this.#env.tests.has(e.name)) throw this.#syntax(e, `Unknown test '${e.name}'${suggest(e.name, this.#env.tests)}`);
        const args = [this.#expr(e.value, scope), ...e.args.map((a) => this.#expr(a, scope))].join(', ');
        return `${e.negated ? '!' : ''}T[${q(e.name)}](${args})`;
      }
      case 'unary': {
        const v = this.#expr(e.operand, scope);
        return e.op === 'not' ? `!R.truthy(${v})` : `(${e.op}(${v}))`;
      }
      case 'binary':
        return this.#binary(e, scope);
      case 'compare':
        return this.#compare(e, scope);
      case 'conditional':
        return `(R.truthy(${this.#expr(e.test, scope)}) ? ${this.#expr(e.then, scope)} : ${e.otherwise === null ? 'undefined' : this.#expr(e.otherwise, scope)})`;
    }
  }

  #binary(e: A.BinaryExpr, scope: Scope): string {
    const a = this.#expr(e.left, scope);
    const b = this.#expr(e.right, scope);
    switch (e.op) {
      case '+':
        return `R.add(${a}, ${b})`;
      case '-':
      case '*':
      case '/':
      case '%':
      case '**':
        return `(${a} ${e.op} ${b})`;
      case '//':
        return `Math.floor(${a} / ${b})`;
      case '~':
        return `(R.str(${a}) + R.str(${b}))`;
      case 'and': {
        const tmp = scope.fn.temp();
        return `(R.truthy(${tmp} = ${a}) ? ${b} : ${tmp})`;
      }
      case 'or': {
        const tmp = scope.fn.temp();
        return `(R.truthy(${tmp} = ${a}) ? ${tmp} : ${b})`;
      }
    }
  }

  #compare(e: A.CompareExpr, scope: Scope): string {
    let left = this.#expr(e.first, scope);
    const parts: string[] = [];
    for (let i = 0; i < e.rest.length; i++) {
      const [op, rightExpr] = e.rest[i]!;
      let right = this.#expr(rightExpr, scope);
      if (i < e.rest.length - 1) {
        const tmp = scope.fn.temp();
        right = `(${tmp} = ${right})`;
        parts.push(compareOp(op, left, right));
        left = tmp;
      } else parts.push(compareOp(op, left, right));
    }
    return parts.length === 1 ? parts[0]! : `(${parts.join(' && ')})`;
  }

  #call(e: A.CallExpr, scope: Scope): string {
    const args = `[${e.args.map((a) => this.#expr(a, scope)).join(', ')}]`;
    const kw = e.kwargs.length === 0 ? 'null' : `{ ${e.kwargs.map((k) => `${q(k.name)}: ${this.#expr(k.value, scope)}`).join(', ')} }`;
    const callee = e.callee;
    const what = q(exprText(callee));
    if (callee.kind === 'name' && callee.name === 'super' && this.#lookup('super', scope) === null) {
      const block = scope.fn.blockName;
      if (block === null || scope.fn.kind !== 'block') throw this.#syntax(e, 'super() can only be called inside a {% block %}');
      return `R.safe(rs.block(${q(block)}, ctx, level + 1, null))`;
    }
    if (callee.kind === 'getattr') {
      if (isBlockedAttr(callee.attr)) throw this.#syntax(callee, `Attribute '${callee.attr}' cannot be read in a template`);
      return `R.callMethod(${this.#expr(callee.object, scope)}, ${q(callee.attr)}, ${args}, ${kw}, ${what})`;
    }
    return `R.call(${this.#expr(callee, scope)}, ${args}, ${kw}, ${what})`;
  }

  #filter(e: A.FilterExpr, scope: Scope): string {
    if (e.name === 'safe') {
      throw this.#syntax(e, "The |safe filter is not available: a plain string is always escaped", 'Use |sanitize for user-supplied rich text, or mark trusted markup in code with trustedHtml() and pass the SafeHtml value.');
    }
    if (!this.#env.filters.has(e.name)) throw this.#syntax(e, `Unknown filter '${e.name}'${suggest(e.name, this.#env.filters)}`);
    const args = e.args.map((a) => this.#expr(a, scope));
    if (e.kwargs.length > 0) {
      const params = this.#env.filterParams(e.name) ?? [];
      for (const k of e.kwargs) {
        const i = params.indexOf(k.name);
        if (i === -1) throw this.#syntax(e, `Filter '${e.name}' has no parameter '${k.name}'${params.length > 0 ? ` (it takes: ${params.join(', ')})` : ''}`);
        if (i < args.length && args[i] !== 'undefined') throw this.#syntax(e, `Filter '${e.name}' got '${k.name}' twice`);
        while (args.length < i) args.push('undefined');
        args[i] = this.#expr(k.value, scope);
      }
    }
    const max = this.#env.filterMaxArgs?.(e.name);
    if (max !== undefined && args.length > max) {
      throw this.#syntax(e, `Filter '${e.name}' takes at most ${max} argument${max === 1 ? '' : 's'}, got ${args.length}`);
    }
    return `F[${q(e.name)}](${[this.#expr(e.value, scope), ...args].join(', ')})`;
  }
}

function compareOp(op: A.CompareOp, a: string, b: string): string {
  switch (op) {
    case '==':
      return `R.eq(${a}, ${b})`;
    case '!=':
      return `!R.eq(${a}, ${b})`;
    case 'in':
      return `R.contains(${b}, ${a})`;
    case 'not in':
      return `!R.contains(${b}, ${a})`;
    default:
      return `(${a} ${op} ${b})`;
  }
}

/** Whether the name `name` is read anywhere below `value` (an over-approximation: it only adds work). */
function usesName(value: unknown, name: string): boolean {
  if (Array.isArray(value)) return value.some((v) => usesName(v, name));
  if (value === null || typeof value !== 'object') return false;
  const node = value as { kind?: unknown; name?: unknown };
  if (node.kind === 'name' && node.name === name) return true;
  return Object.values(value).some((v) => usesName(v, name));
}

/** Short source-like text of an expression, for error messages. */
export function exprText(e: A.Expr): string {
  switch (e.kind) {
    case 'literal':
      return JSON.stringify(e.value);
    case 'name':
      return e.name;
    case 'getattr':
      return `${exprText(e.object)}.${e.attr}`;
    case 'getitem':
      return `${exprText(e.object)}[${exprText(e.key)}]`;
    case 'call':
      return `${exprText(e.callee)}(…)`;
    case 'filter':
      return `${exprText(e.value)}|${e.name}`;
    default:
      return 'expression';
  }
}

function suggest(name: string, known: ReadonlySet<string>): string {
  let best: string | null = null;
  let bestD = 3;
  for (const k of known) {
    const d = editDistance(name, k, 2);
    if (d < bestD) {
      bestD = d;
      best = k;
    }
  }
  return best === null ? '' : ` (did you mean '${best}'?)`;
}
