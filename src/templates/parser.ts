/**
 * The template parser: tokens from the lexer in, the syntax tree of `ast.ts` out.
 *
 * Expression precedence, lowest first: `a if b else c`; `or`; `and`; `not`; comparisons
 * (`== != < <= > >= in`, `not in`, chained) and tests (`is [not] name`); `~`; `+ -`;
 * `* / // %`; unary `- +`; `**` (right-associative, so `-2**2` is `-(2**2)`); filters `|f`;
 * postfix `.attr`, `[key]`, `[a:b]`, calls. A sign belongs to its operand before a filter
 * applies (`-x|abs` is `abs(-x)`, as in Jinja), and a filter binds tighter than any binary
 * operator (`a + b|upper` filters `b`, `2 ** x|abs` is `2 ** abs(x)`).
 *
 * Recursion is bounded: more than {@link MAX_NESTING_DEPTH} levels of nested expressions or
 * blocks are a syntax error, never a stack overflow.
 *
 * @module
 */
import type * as A from './ast.js';
import { TemplateSyntaxError } from './errors.js';
import { Lexer, type Token } from './lexer.js';

/** Deepest nesting accepted, for expressions (brackets, operators) and for blocks alike. */
export const MAX_NESTING_DEPTH = 200;

const SYNTAX = 'E_TEMPLATE_SYNTAX';
const KNOWN_TAGS = ['block', 'call', 'extends', 'for', 'from', 'if', 'import', 'include', 'macro', 'raw', 'set', 'with'];
/** Tags that only continue or close another block; meeting one where it is not expected is an error. */
const CLOSING_TAGS: Record<string, string> = {
  elif: 'if', else: 'if', endif: 'if', endfor: 'for', endset: 'set', endwith: 'with', endblock: 'block',
  endmacro: 'macro', endcall: 'call', endraw: 'raw',
};
/** Names that mean something in expressions and can never be assigned or declared. */
const RESERVED = new Set(['and', 'or', 'not', 'in', 'is', 'if', 'else', 'true', 'false', 'True', 'False', 'none', 'None', 'null']);
const LITERAL_NAMES: Record<string, boolean | null> = { true: true, True: true, false: false, False: false, none: null, None: null, null: null };
const COMPARE_OPS = new Set(['==', '!=', '<', '<=', '>', '>=']);
/** Words that end a test rather than being its bare argument (`x is odd and y`). */
const NOT_BARE_ARG = new Set(['and', 'or', 'not', 'in', 'is', 'if', 'else']);

type Kwargs = { name: string; value: A.Expr }[];
type Params = { name: string; default: A.Expr | null }[];

/** An open block statement, for "unclosed" and "unexpected end tag" errors. */
interface OpenBlock {
  readonly tag: string;
  readonly at: Token;
  readonly ends: readonly string[];
}

function tagList(tags: readonly string[]): string {
  const shown = tags.map((t) => `{% ${t} %}`);
  return shown.length <= 1 ? shown.join('') : `${shown.slice(0, -1).join(', ')} or ${shown[shown.length - 1]}`;
}

function describe(t: Token): string {
  switch (t.type) {
    case 'eof':
      return 'the end of the template';
    case 'string':
      return `string ${JSON.stringify(t.value.length > 20 ? t.value.slice(0, 20) + '…' : t.value)}`;
    case 'text':
    case 'raw':
      return 'template text';
    default:
      return `'${t.value}'`;
  }
}

class Parser {
  readonly #name: string;
  readonly #source: string;
  readonly #lexer: Lexer;
  readonly #buf: Token[] = [];
  #last: Token;
  /** Where each expression's source text starts (differs from the node's position for `(a) + b`). */
  readonly #starts = new WeakMap<A.Expr, A.Position>();
  readonly #heights = new WeakMap<A.Expr, number>();
  #exprDepth = 0;
  #blockDepth = 0;
  #sawContent = false;
  #extendsAt: Token | null = null;
  readonly #blocks = new Map<string, Token>();

  constructor(name: string, source: string, expressionOnly = false) {
    this.#name = name;
    this.#source = source;
    this.#lexer = new Lexer(name, source, expressionOnly);
    this.#last = { type: 'eof', value: '', line: 1, col: 1 };
  }

  // -- token stream ---------------------------------------------------------------------------

  #peek(k = 0): Token {
    while (this.#buf.length <= k) this.#buf.push(this.#lexer.next());
    return this.#buf[k]!;
  }

  #next(): Token {
    const t = this.#peek();
    this.#buf.shift();
    this.#last = t;
    return t;
  }

  #isOp(value: string, k = 0): boolean {
    const t = this.#peek(k);
    return t.type === 'op' && t.value === value;
  }

  #isName(value: string, k = 0): boolean {
    const t = this.#peek(k);
    return t.type === 'name' && t.value === value;
  }

  #expectOp(value: string, context: string): Token {
    if (!this.#isOp(value)) throw this.#fail(`expected '${value}' ${context}, found ${describe(this.#peek())}`, this.#peek());
    return this.#next();
  }

  #expectWord(value: string, context: string): Token {
    if (!this.#isName(value)) throw this.#fail(`expected '${value}' ${context}, found ${describe(this.#peek())}`, this.#peek());
    return this.#next();
  }

  /** A name that may be assigned or declared (not a keyword or literal). */
  #expectIdent(what: string): string {
    const t = this.#peek();
    if (t.type !== 'name') throw this.#fail(`expected ${what}, found ${describe(t)}`, t);
    if (RESERVED.has(t.value)) throw this.#fail(`'${t.value}' is a reserved word and cannot be used as ${what}`, t);
    return this.#next().value;
  }

  #expectString(tag: string): string {
    const t = this.#peek();
    if (t.type !== 'string') {
      throw this.#fail(`{% ${tag} %} takes a template name as a string literal, such as {% ${tag} "page.html" %}; found ${describe(t)}`, t);
    }
    return this.#next().value;
  }

  #expectBlockEnd(tag: string): void {
    const t = this.#peek();
    if (t.type !== 'block_end') throw this.#fail(`expected '%}' to end {% ${tag} %}, found ${describe(t)}`, t);
    this.#next();
  }

  #fail(message: string, at: A.Position, hint?: string): TemplateSyntaxError {
    return new TemplateSyntaxError(SYNTAX, message, { template: this.#name, line: at.line, col: at.col }, this.#source, hint === undefined ? undefined : { hint });
  }

  // -- template structure ---------------------------------------------------------------------

  parseTemplate(): A.TemplateAst {
    const { nodes } = this.#parseBody(null);
    return { name: this.#name, body: nodes };
  }

  /**
   * Nodes up to one of `open.ends` (its `{%` and name consumed, the rest of that tag left for the
   * caller), or up to the end of the template when `open` is null.
   */
  #parseBody(open: OpenBlock | null): { nodes: A.Node[]; end: string } {
    const nodes: A.Node[] = [];
    for (;;) {
      const t = this.#peek();
      switch (t.type) {
        case 'eof':
          if (open !== null) {
            throw this.#fail(`unclosed {% ${open.tag} %} opened here; close it with ${tagList(open.ends.filter((e) => e.startsWith('end')))}`, open.at);
          }
          return { nodes, end: '' };
        case 'text':
        case 'raw': {
          this.#next();
          const raw = t.type === 'raw';
          if (raw || /[^ \t\n\r\f\v]/.test(t.value)) this.#sawContent = true;
          const prev = nodes[nodes.length - 1];
          if (prev !== undefined && prev.kind === 'text' && prev.raw === raw) {
            nodes[nodes.length - 1] = { ...prev, value: prev.value + t.value };
          } else {
            nodes.push({ kind: 'text', value: t.value, raw, line: t.line, col: t.col });
          }
          break;
        }
        case 'var_begin': {
          this.#next();
          this.#sawContent = true;
          const expr = this.#parseExpression(true);
          const end = this.#peek();
          if (end.type !== 'var_end') throw this.#fail(`expected '}}' to end the output, found ${describe(end)}`, end);
          this.#next();
          nodes.push({ kind: 'output', expr, line: t.line, col: t.col });
          break;
        }
        case 'block_begin': {
          const nameTok = this.#peek(1);
          if (nameTok.type !== 'name') throw this.#fail(`expected a tag name after '{%', found ${describe(nameTok)}`, nameTok);
          const tag = nameTok.value;
          if (open !== null && open.ends.includes(tag)) {
            this.#next();
            this.#next();
            return { nodes, end: tag };
          }
          if (Object.hasOwn(CLOSING_TAGS, tag)) throw this.#unexpectedEnd(nameTok, open);
          this.#next();
          this.#next();
          nodes.push(this.#parseStatement(t, nameTok, open !== null));
          break;
        }
        default:
          throw this.#fail(`unexpected ${describe(t)}`, t);
      }
    }
  }

  #unexpectedEnd(t: Token, open: OpenBlock | null): TemplateSyntaxError {
    if (open !== null) {
      return this.#fail(`unexpected {% ${t.value} %}; expected ${tagList(open.ends)} for the {% ${open.tag} %} opened at line ${open.at.line}, column ${open.at.col}`, t);
    }
    const owner = t.value === 'else' ? 'if %} or {% for' : CLOSING_TAGS[t.value]!;
    return this.#fail(`unexpected {% ${t.value} %}: there is no open {% ${owner} %} to ${t.value.startsWith('end') ? 'close' : 'continue'}`, t);
  }

  /** The body of a block statement, with the nesting bound. */
  #parseBlockBody(tag: string, at: Token, ends: readonly string[]): { nodes: A.Node[]; end: string } {
    if (++this.#blockDepth > MAX_NESTING_DEPTH) throw this.#fail(`blocks are nested more than ${MAX_NESTING_DEPTH} levels deep`, at);
    try {
      return this.#parseBody({ tag, at, ends });
    } finally {
      this.#blockDepth--;
    }
  }

  #parseStatement(at: Token, nameTok: Token, nested: boolean): A.Node {
    const tag = nameTok.value;
    if (tag !== 'extends') this.#sawContent = true;
    const pos = { line: at.line, col: at.col };
    switch (tag) {
      case 'if':
        return this.#parseIf(at, pos);
      case 'for':
        return this.#parseFor(at, pos);
      case 'set':
        return this.#parseSet(at, pos);
      case 'with':
        return this.#parseWith(at, pos);
      case 'block':
        return this.#parseBlock(at, pos);
      case 'extends':
        return this.#parseExtends(at, nameTok, pos, nested);
      case 'include':
        return this.#parseInclude(pos);
      case 'macro':
        return this.#parseMacro(at, pos);
      case 'call':
        return this.#parseCallBlock(at, pos);
      case 'import': {
        const template = this.#expectString('import');
        this.#expectWord('as', `after the template name in {% import %}, as in {% import "forms.html" as forms %}`);
        const alias = this.#expectIdent('the name to import as');
        this.#expectBlockEnd('import');
        return { kind: 'import', template, alias, ...pos };
      }
      case 'from':
        return this.#parseFromImport(pos);
      case 'raw':
        throw this.#fail(`{% raw %} takes no arguments; write {% raw %}…{% endraw %}`, this.#peek());
      default:
        throw this.#fail(`unknown tag {% ${tag} %}; known tags are: ${KNOWN_TAGS.join(', ')}`, nameTok);
    }
  }

  #parseIf(at: Token, pos: A.Position): A.IfNode {
    const branches: { test: A.Expr; body: A.Node[] }[] = [];
    let test = this.#parseExpression(true);
    for (;;) {
      this.#expectBlockEnd(branches.length === 0 ? 'if' : 'elif');
      const { nodes, end } = this.#parseBlockBody('if', at, ['elif', 'else', 'endif']);
      branches.push({ test, body: nodes });
      if (end === 'elif') {
        test = this.#parseExpression(true);
        continue;
      }
      let otherwise: A.Node[] | null = null;
      if (end === 'else') {
        this.#expectBlockEnd('else');
        otherwise = this.#parseBlockBody('if', at, ['endif']).nodes;
      }
      this.#expectBlockEnd('endif');
      return { kind: 'if', branches, otherwise, ...pos };
    }
  }

  #parseFor(at: Token, pos: A.Position): A.ForNode {
    const targets = this.#parseTargets('a loop variable');
    this.#expectWord('in', 'after the loop variables, as in {% for item in items %}');
    // No conditional here: `if` after the sequence is the loop filter.
    const iter = this.#parseExpression(false);
    let filter: A.Expr | null = null;
    if (this.#isName('if')) {
      this.#next();
      filter = this.#parseExpression(true);
    }
    this.#expectBlockEnd('for');
    const { nodes, end } = this.#parseBlockBody('for', at, ['else', 'endfor']);
    let otherwise: A.Node[] | null = null;
    if (end === 'else') {
      this.#expectBlockEnd('else');
      otherwise = this.#parseBlockBody('for', at, ['endfor']).nodes;
    }
    this.#expectBlockEnd('endfor');
    return { kind: 'for', targets, iter, filter, body: nodes, otherwise, ...pos };
  }

  #parseTargets(what: string): string[] {
    const targets = [this.#expectIdent(what)];
    while (this.#isOp(',')) {
      this.#next();
      targets.push(this.#expectIdent(what));
    }
    return targets;
  }

  #parseSet(at: Token, pos: A.Position): A.SetNode | A.SetBlockNode {
    const first = this.#peek();
    const targets = this.#parseTargets('a variable name');
    if (this.#isOp('=')) {
      this.#next();
      // `{% set a, b = 1, 2 %}`: a bare tuple is a list, as in Jinja.
      let value = this.#parseExpression(true);
      if (this.#isOp(',')) {
        const items = [value];
        while (this.#isOp(',') && this.#peek(1).type !== 'block_end') {
          this.#next();
          items.push(this.#parseExpression(true));
        }
        if (this.#isOp(',')) this.#next();
        value = this.#make({ kind: 'list', items, ...this.#startOf(value) }, items);
      }
      this.#expectBlockEnd('set');
      return { kind: 'set', targets, value, ...pos };
    }
    if (this.#peek().type !== 'block_end') {
      throw this.#fail(`expected '=' or '%}' after {% set ${targets.join(', ')}, found ${describe(this.#peek())}`, this.#peek());
    }
    if (targets.length > 1) throw this.#fail('block {% set %}…{% endset %} assigns to exactly one name', first);
    this.#next();
    const { nodes } = this.#parseBlockBody('set', at, ['endset']);
    this.#expectBlockEnd('endset');
    return { kind: 'setblock', target: targets[0]!, body: nodes, ...pos };
  }

  #parseWith(at: Token, pos: A.Position): A.WithNode {
    const assignments: { name: string; value: A.Expr }[] = [];
    if (this.#peek().type !== 'block_end') {
      for (;;) {
        const name = this.#expectIdent('a variable name');
        this.#expectOp('=', `after '${name}' in {% with %}, as in {% with ${name} = value %}`);
        assignments.push({ name, value: this.#parseExpression(true) });
        if (!this.#isOp(',')) break;
        this.#next();
      }
    }
    this.#expectBlockEnd('with');
    const { nodes } = this.#parseBlockBody('with', at, ['endwith']);
    this.#expectBlockEnd('endwith');
    return { kind: 'with', assignments, body: nodes, ...pos };
  }

  #parseBlock(at: Token, pos: A.Position): A.BlockNode {
    const nameTok = this.#peek();
    const name = this.#expectIdent('a block name');
    const previous = this.#blocks.get(name);
    if (previous !== undefined) {
      throw this.#fail(`block '${name}' is defined twice; the first is at line ${previous.line}, column ${previous.col}`, nameTok);
    }
    this.#blocks.set(name, nameTok);
    this.#expectBlockEnd('block');
    const { nodes } = this.#parseBlockBody('block', at, ['endblock']);
    const closing = this.#peek();
    if (closing.type === 'name') {
      if (closing.value !== name) {
        throw this.#fail(`{% endblock ${closing.value} %} does not match {% block ${name} %} opened at line ${at.line}, column ${at.col}`, closing);
      }
      this.#next();
    }
    this.#expectBlockEnd('endblock');
    return { kind: 'block', name, body: nodes, ...pos };
  }

  #parseExtends(at: Token, nameTok: Token, pos: A.Position, nested: boolean): A.ExtendsNode {
    if (this.#extendsAt !== null) {
      throw this.#fail(`a template can extend only one parent; {% extends %} already appears at line ${this.#extendsAt.line}, column ${this.#extendsAt.col}`, nameTok);
    }
    if (nested || this.#sawContent) {
      throw this.#fail('{% extends %} must be the first tag of the template, before any text, output or other tag', nameTok);
    }
    this.#extendsAt = at;
    const template = this.#expectString('extends');
    this.#expectBlockEnd('extends');
    return { kind: 'extends', template, ...pos };
  }

  #parseInclude(pos: A.Position): A.IncludeNode {
    const template = this.#expectString('include');
    let ignoreMissing = false;
    let withContext = true;
    if (this.#isName('ignore')) {
      this.#next();
      this.#expectWord('missing', "after 'ignore' in {% include %}");
      ignoreMissing = true;
    }
    if (this.#isName('with') || this.#isName('without')) {
      withContext = this.#next().value === 'with';
      this.#expectWord('context', `after '${withContext ? 'with' : 'without'}' in {% include %}`);
    }
    this.#expectBlockEnd('include');
    return { kind: 'include', template, withContext, ignoreMissing, ...pos };
  }

  #parseMacro(at: Token, pos: A.Position): A.MacroNode {
    const name = this.#expectIdent('a macro name');
    if (!this.#isOp('(')) throw this.#fail(`expected '(' after the macro name, as in {% macro ${name}(a, b=1) %}; found ${describe(this.#peek())}`, this.#peek());
    const params = this.#parseParams();
    this.#expectBlockEnd('macro');
    const { nodes } = this.#parseBlockBody('macro', at, ['endmacro']);
    this.#expectBlockEnd('endmacro');
    return { kind: 'macro', name, params, body: nodes, ...pos };
  }

  /** `(a, b=1)`: the `(` is the current token. */
  #parseParams(): Params {
    this.#next();
    const params: Params = [];
    const seen = new Set<string>();
    while (!this.#isOp(')')) {
      const t = this.#peek();
      const name = this.#expectIdent('a parameter name');
      if (seen.has(name)) throw this.#fail(`parameter '${name}' is declared twice`, t);
      seen.add(name);
      let def: A.Expr | null = null;
      if (this.#isOp('=')) {
        this.#next();
        def = this.#parseExpression(true);
      } else if (params.length > 0 && params[params.length - 1]!.default !== null) {
        throw this.#fail(`parameter '${name}' needs a default value because an earlier parameter has one`, t);
      }
      params.push({ name, default: def });
      if (!this.#isOp(',')) break;
      this.#next();
    }
    this.#expectOp(')', 'to close the parameter list');
    return params;
  }

  #parseCallBlock(at: Token, pos: A.Position): A.CallBlockNode {
    const params = this.#isOp('(') ? this.#parseParams() : [];
    const call = this.#parseExpression(true);
    if (call.kind !== 'call') throw this.#fail('{% call %} expects a macro call, as in {% call render(item) %}', this.#startOf(call));
    this.#expectBlockEnd('call');
    const { nodes } = this.#parseBlockBody('call', at, ['endcall']);
    this.#expectBlockEnd('endcall');
    return { kind: 'callblock', call, params, body: nodes, ...pos };
  }

  #parseFromImport(pos: A.Position): A.FromImportNode {
    const template = this.#expectString('from');
    this.#expectWord('import', `after the template name, as in {% from "forms.html" import input %}`);
    const names: { name: string; alias: string }[] = [];
    for (;;) {
      const name = this.#expectIdent('a name to import');
      let alias = name;
      if (this.#isName('as')) {
        this.#next();
        alias = this.#expectIdent('the name to import as');
      }
      names.push({ name, alias });
      if (!this.#isOp(',')) break;
      this.#next();
    }
    this.#expectBlockEnd('from');
    return { kind: 'fromimport', template, names, ...pos };
  }

  // -- expressions ----------------------------------------------------------------------------

  /** Builds a node, refusing trees deeper than the limit (long `a + b + …` chains nest without recursion). */
  #make<T extends A.Expr>(node: T, children: readonly (A.Expr | null)[], start?: A.Position): T {
    let height = 0;
    for (const c of children) if (c !== null) height = Math.max(height, this.#heights.get(c) ?? 1);
    if (height + 1 > MAX_NESTING_DEPTH) throw this.#fail(`expression is nested more than ${MAX_NESTING_DEPTH} levels deep; split it with {% set %}`, this.#last);
    this.#heights.set(node, height + 1);
    if (start !== undefined) this.#starts.set(node, start);
    return node;
  }

  #startOf(e: A.Expr): A.Position {
    const s = this.#starts.get(e);
    return s === undefined ? { line: e.line, col: e.col } : s;
  }

  /** One more level of nesting: each bracket, sign, `not`, `**` and `else` counts one. */
  #enter(at: Token): void {
    if (++this.#exprDepth > MAX_NESTING_DEPTH) throw this.#fail(`expression is nested more than ${MAX_NESTING_DEPTH} levels deep`, at);
  }

  /** The whole source as one expression. */
  parseExpressionOnly(): A.Expr {
    const e = this.#parseExpression(true);
    const t = this.#peek();
    if (t.type !== 'eof') throw this.#fail(`unexpected ${describe(t)} after the expression`, t);
    return e;
  }

  /** A full expression; `withConditional: false` stops before `if` (the `for` loop filter). */
  #parseExpression(withConditional: boolean): A.Expr {
    const then = this.#parseOr();
    if (!withConditional || !this.#isName('if')) return then;
    this.#next();
    const test = this.#parseOr();
    let otherwise: A.Expr | null = null;
    if (this.#isName('else')) {
      const t = this.#next();
      this.#enter(t);
      try {
        otherwise = this.#parseExpression(true);
      } finally {
        this.#exprDepth--;
      }
    }
    return this.#make({ kind: 'conditional', test, then, otherwise, ...this.#startOf(then) }, [test, then, otherwise]);
  }

  #binary(op: A.BinaryExpr['op'], left: A.Expr, right: A.Expr): A.BinaryExpr {
    return this.#make({ kind: 'binary', op, left, right, ...this.#startOf(left) }, [left, right]);
  }

  #parseOr(): A.Expr {
    let left = this.#parseAnd();
    while (this.#isName('or')) {
      this.#next();
      left = this.#binary('or', left, this.#parseAnd());
    }
    return left;
  }

  #parseAnd(): A.Expr {
    let left = this.#parseNot();
    while (this.#isName('and')) {
      this.#next();
      left = this.#binary('and', left, this.#parseNot());
    }
    return left;
  }

  #parseNot(): A.Expr {
    if (!this.#isName('not')) return this.#parseCompare();
    const t = this.#next();
    this.#enter(t);
    try {
      const operand = this.#parseNot();
      return this.#make({ kind: 'unary', op: 'not', operand, line: t.line, col: t.col }, [operand]);
    } finally {
      this.#exprDepth--;
    }
  }

  #parseCompare(): A.Expr {
    let expr = this.#parseConcat();
    let rest: [A.CompareOp, A.Expr][] = [];
    const close = (): void => {
      if (rest.length === 0) return;
      const items = [expr, ...rest.map((r) => r[1])];
      expr = this.#make({ kind: 'compare', first: expr, rest, ...this.#startOf(expr) }, items);
      rest = [];
    };
    for (;;) {
      const t = this.#peek();
      if (t.type === 'op' && COMPARE_OPS.has(t.value)) {
        this.#next();
        rest.push([t.value as A.CompareOp, this.#parseConcat()]);
      } else if (this.#isName('in')) {
        this.#next();
        rest.push(['in', this.#parseConcat()]);
      } else if (this.#isName('not') && this.#isName('in', 1)) {
        this.#next();
        this.#next();
        rest.push(['not in', this.#parseConcat()]);
      } else if (this.#isName('is')) {
        close();
        expr = this.#parseTest(expr);
      } else {
        close();
        return expr;
      }
    }
  }

  /** `value is [not] name`, `is name(args)`, `is name arg`: the `is` is the current token. */
  #parseTest(value: A.Expr): A.TestExpr {
    this.#next();
    let negated = false;
    if (this.#isName('not')) {
      this.#next();
      negated = true;
    }
    const nameTok = this.#peek();
    if (nameTok.type !== 'name') throw this.#fail(`expected a test name after 'is', as in 'x is defined'; found ${describe(nameTok)}`, nameTok);
    this.#next();
    let args: A.Expr[] = [];
    const t = this.#peek();
    if (t.type === 'op' && t.value === '(') {
      const call = this.#parseCallArgs();
      if (call.kwargs.length > 0) throw this.#fail(`test '${nameTok.value}' takes positional arguments only`, t);
      args = call.args;
    } else if (
      t.type === 'string' || t.type === 'int' || t.type === 'float' ||
      (t.type === 'name' && !NOT_BARE_ARG.has(t.value)) ||
      (t.type === 'op' && (t.value === '[' || t.value === '{'))
    ) {
      args = [this.#parsePostfix(this.#parsePrimary())];
    }
    return this.#make({ kind: 'test', value, name: nameTok.value, args, negated, ...this.#startOf(value) }, [value, ...args]);
  }

  #parseConcat(): A.Expr {
    let left = this.#parseAdditive();
    while (this.#isOp('~')) {
      this.#next();
      left = this.#binary('~', left, this.#parseAdditive());
    }
    return left;
  }

  #parseAdditive(): A.Expr {
    let left = this.#parseMultiplicative();
    while (this.#isOp('+') || this.#isOp('-')) {
      const op = this.#next().value as '+' | '-';
      left = this.#binary(op, left, this.#parseMultiplicative());
    }
    return left;
  }

  #parseMultiplicative(): A.Expr {
    let left = this.#parseUnary(true);
    for (;;) {
      const t = this.#peek();
      if (t.type !== 'op' || (t.value !== '*' && t.value !== '/' && t.value !== '//' && t.value !== '%')) return left;
      this.#next();
      left = this.#binary(t.value, left, this.#parseUnary(true));
    }
  }

  /**
   * `-x`, `+x`, or a power. Under a sign, filters wait until the sign is applied (`-x|abs` is
   * `abs(-x)`); the power still binds tighter than the sign (`-2**2` is `-(2**2)`).
   */
  #parseUnary(withFilters: boolean): A.Expr {
    const t = this.#peek();
    let node: A.Expr;
    if (t.type === 'op' && (t.value === '-' || t.value === '+')) {
      this.#next();
      this.#enter(t);
      try {
        const operand = this.#parseUnary(false);
        node = this.#make({ kind: 'unary', op: t.value, operand, line: t.line, col: t.col }, [operand]);
      } finally {
        this.#exprDepth--;
      }
    } else {
      node = this.#parsePower(withFilters);
    }
    return withFilters ? this.#parseFilters(node) : node;
  }

  #parsePower(withFilters: boolean): A.Expr {
    let base = this.#parsePostfix(this.#parsePrimary());
    if (withFilters) base = this.#parseFilters(base);
    if (!this.#isOp('**')) return base;
    const t = this.#next();
    this.#enter(t);
    try {
      return this.#binary('**', base, this.#parseUnary(true));
    } finally {
      this.#exprDepth--;
    }
  }

  /** `|name`, `|name(args)`, each possibly followed by postfix lookups and calls on the result. */
  #parseFilters(node: A.Expr): A.Expr {
    while (this.#isOp('|')) {
      this.#next();
      const nameTok = this.#peek();
      if (nameTok.type !== 'name') throw this.#fail(`expected a filter name after '|', found ${describe(nameTok)}`, nameTok);
      this.#next();
      let args: A.Expr[] = [];
      let kwargs: Kwargs = [];
      if (this.#isOp('(')) ({ args, kwargs } = this.#parseCallArgs());
      const s = this.#startOf(node);
      node = this.#make({ kind: 'filter', value: node, name: nameTok.value, args, kwargs, ...s }, [node, ...args, ...kwargs.map((k) => k.value)]);
      node = this.#parsePostfix(node);
    }
    return node;
  }

  #parsePostfix(node: A.Expr): A.Expr {
    for (;;) {
      const t = this.#peek();
      if (t.type !== 'op') return node;
      const s = this.#startOf(node);
      if (t.value === '.') {
        this.#next();
        const a = this.#peek();
        if (a.type === 'name') {
          this.#next();
          node = this.#make({ kind: 'getattr', object: node, attr: a.value, ...s }, [node]);
        } else if (a.type === 'int') {
          // `items.0` is `items[0]`, as in Jinja.
          this.#next();
          const key = this.#make({ kind: 'literal', value: Number(a.value), line: a.line, col: a.col }, []);
          node = this.#make({ kind: 'getitem', object: node, key, ...s }, [node]);
        } else {
          throw this.#fail(`expected an attribute name after '.', found ${describe(a)}`, a);
        }
      } else if (t.value === '[') {
        node = this.#parseSubscript(node, s);
      } else if (t.value === '(') {
        const { args, kwargs } = this.#parseCallArgs();
        node = this.#make({ kind: 'call', callee: node, args, kwargs, ...s }, [node, ...args, ...kwargs.map((k) => k.value)]);
      } else {
        return node;
      }
    }
  }

  #parseSubscript(object: A.Expr, s: A.Position): A.Expr {
    const open = this.#next();
    this.#enter(open);
    try {
      const start = this.#isOp(':') ? null : this.#parseExpression(true);
      if (start !== null && this.#isOp(']')) {
        this.#next();
        return this.#make({ kind: 'getitem', object, key: start, ...s }, [object, start]);
      }
      this.#expectOp(':', "or ']' in the subscript");
      const stop = this.#isOp(']') || this.#isOp(':') ? null : this.#parseExpression(true);
      if (this.#isOp(':')) throw this.#fail('slice steps (a[x:y:step]) are not supported; use the slice or reverse filters', this.#peek());
      this.#expectOp(']', 'to close the slice');
      return this.#make({ kind: 'slice', object, start, stop, ...s }, [object, start, stop]);
    } finally {
      this.#exprDepth--;
    }
  }

  /** `(a, b, key=value)`: the `(` is the current token. */
  #parseCallArgs(): { args: A.Expr[]; kwargs: Kwargs } {
    const open = this.#next();
    this.#enter(open);
    try {
      const args: A.Expr[] = [];
      const kwargs: Kwargs = [];
      const seen = new Set<string>();
      while (!this.#isOp(')')) {
        const t = this.#peek();
        if (t.type === 'name' && this.#isOp('=', 1)) {
          if (seen.has(t.value)) throw this.#fail(`keyword argument '${t.value}' is given twice`, t);
          seen.add(t.value);
          this.#next();
          this.#next();
          kwargs.push({ name: t.value, value: this.#parseExpression(true) });
        } else {
          if (kwargs.length > 0) throw this.#fail('a positional argument cannot follow keyword arguments', t);
          args.push(this.#parseExpression(true));
        }
        if (!this.#isOp(',')) break;
        this.#next();
      }
      this.#expectOp(')', `to close the argument list opened at line ${open.line}, column ${open.col}`);
      return { args, kwargs };
    } finally {
      this.#exprDepth--;
    }
  }

  #parsePrimary(): A.Expr {
    const t = this.#peek();
    switch (t.type) {
      case 'name': {
        if (Object.hasOwn(LITERAL_NAMES, t.value)) {
          this.#next();
          return this.#make({ kind: 'literal', value: LITERAL_NAMES[t.value]!, line: t.line, col: t.col }, []);
        }
        if (RESERVED.has(t.value)) break;
        this.#next();
        return this.#make({ kind: 'name', name: t.value, line: t.line, col: t.col }, []);
      }
      case 'string':
        this.#next();
        return this.#make({ kind: 'literal', value: t.value, line: t.line, col: t.col }, []);
      case 'int':
      case 'float':
        this.#next();
        return this.#make({ kind: 'literal', value: Number(t.value), line: t.line, col: t.col }, []);
      case 'op':
        if (t.value === '(') return this.#parseParens();
        if (t.value === '[') return this.#parseList();
        if (t.value === '{') return this.#parseDict();
        break;
      default:
        break;
    }
    throw this.#fail(`expected an expression, found ${describe(t)}`, t);
  }

  /** `(e)` is `e` (starting at the parenthesis); `()`, `(a,)` and `(a, b)` are lists. */
  #parseParens(): A.Expr {
    const open = this.#next();
    const pos = { line: open.line, col: open.col };
    this.#enter(open);
    try {
      if (this.#isOp(')')) {
        this.#next();
        return this.#make({ kind: 'list', items: [], ...pos }, []);
      }
      const first = this.#parseExpression(true);
      if (this.#isOp(')')) {
        this.#next();
        this.#starts.set(first, pos);
        return first;
      }
      const items = [first];
      while (this.#isOp(',')) {
        this.#next();
        if (this.#isOp(')')) break;
        items.push(this.#parseExpression(true));
      }
      this.#expectOp(')', `to close the '(' at line ${open.line}, column ${open.col}`);
      return this.#make({ kind: 'list', items, ...pos }, items);
    } finally {
      this.#exprDepth--;
    }
  }

  #parseList(): A.ListExpr {
    const open = this.#next();
    this.#enter(open);
    try {
      const items: A.Expr[] = [];
      while (!this.#isOp(']')) {
        items.push(this.#parseExpression(true));
        if (!this.#isOp(',')) break;
        this.#next();
      }
      this.#expectOp(']', `to close the list opened at line ${open.line}, column ${open.col}`);
      return this.#make({ kind: 'list', items, line: open.line, col: open.col }, items);
    } finally {
      this.#exprDepth--;
    }
  }

  #parseDict(): A.DictExpr {
    const open = this.#next();
    this.#enter(open);
    try {
      const entries: { key: string; value: A.Expr }[] = [];
      const seen = new Set<string>();
      while (!this.#isOp('}')) {
        const k = this.#peek();
        if (k.type !== 'string' && k.type !== 'name') {
          throw this.#fail(`dict keys must be strings or names, found ${describe(k)}`, k);
        }
        if (seen.has(k.value)) throw this.#fail(`duplicate dict key '${k.value}'`, k);
        seen.add(k.value);
        this.#next();
        this.#expectOp(':', 'after the dict key');
        entries.push({ key: k.value, value: this.#parseExpression(true) });
        if (!this.#isOp(',')) break;
        this.#next();
      }
      this.#expectOp('}', `to close the dict opened at line ${open.line}, column ${open.col}`);
      return this.#make({ kind: 'dict', entries, line: open.line, col: open.col }, entries.map((e) => e.value));
    } finally {
      this.#exprDepth--;
    }
  }
}

/**
 * Parses a template into its syntax tree.
 *
 * @throws TemplateSyntaxError (`E_TEMPLATE_SYNTAX`) naming the template, line and column.
 */
export function parseTemplate(name: string, source: string): A.TemplateAst {
  return new Parser(name, source).parseTemplate();
}

/** Parses one expression, as written between `{{` and `}}` (for tests and tools). */
export function parseExpression(source: string, name = '<expression>'): A.Expr {
  return new Parser(name, source, true).parseExpressionOnly();
}
