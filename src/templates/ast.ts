/**
 * The template syntax tree: what the parser produces and the compiler consumes.
 *
 * Every node carries the 1-based `line` and `col` of its first character in the template source,
 * so errors can name the exact place.
 *
 * @module
 */

export interface Position {
  readonly line: number;
  readonly col: number;
}

// ---------------------------------------------------------------------------------------------
// Expressions
// ---------------------------------------------------------------------------------------------

export type Expr =
  | LiteralExpr
  | ListExpr
  | DictExpr
  | NameExpr
  | GetAttrExpr
  | GetItemExpr
  | SliceExpr
  | CallExpr
  | FilterExpr
  | TestExpr
  | UnaryExpr
  | BinaryExpr
  | CompareExpr
  | ConditionalExpr;

/** `"text"`, `'text'`, `42`, `4.2`, `true`/`false` (also `True`/`False`), `none`/`None`/`null`. */
export interface LiteralExpr extends Position {
  readonly kind: 'literal';
  readonly value: string | number | boolean | null;
}

/** `[a, b]` (and tuples `(a, b)`, which are lists here). */
export interface ListExpr extends Position {
  readonly kind: 'list';
  readonly items: readonly Expr[];
}

/** `{"k": v, k2: v2}`: keys are string literals or bare names (taken as strings). */
export interface DictExpr extends Position {
  readonly kind: 'dict';
  readonly entries: readonly { readonly key: string; readonly value: Expr }[];
}

/** A variable: `user`. `loop`, `caller`, `super` and `varargs`-like names are ordinary names here. */
export interface NameExpr extends Position {
  readonly kind: 'name';
  readonly name: string;
}

/** `obj.attr` */
export interface GetAttrExpr extends Position {
  readonly kind: 'getattr';
  readonly object: Expr;
  readonly attr: string;
}

/** `obj[key]` */
export interface GetItemExpr extends Position {
  readonly kind: 'getitem';
  readonly object: Expr;
  readonly key: Expr;
}

/** `obj[start:stop]` (either side optional; no step). */
export interface SliceExpr extends Position {
  readonly kind: 'slice';
  readonly object: Expr;
  readonly start: Expr | null;
  readonly stop: Expr | null;
}

/** `callee(a, b, key=value)` */
export interface CallExpr extends Position {
  readonly kind: 'call';
  readonly callee: Expr;
  readonly args: readonly Expr[];
  readonly kwargs: readonly { readonly name: string; readonly value: Expr }[];
}

/** `value|name` or `value|name(a, b, key=value)` */
export interface FilterExpr extends Position {
  readonly kind: 'filter';
  readonly value: Expr;
  readonly name: string;
  readonly args: readonly Expr[];
  readonly kwargs: readonly { readonly name: string; readonly value: Expr }[];
}

/** `value is name`, `value is name(arg)`, `value is not name`; also `value is name arg` (one bare argument, Jinja style). */
export interface TestExpr extends Position {
  readonly kind: 'test';
  readonly value: Expr;
  readonly name: string;
  readonly args: readonly Expr[];
  readonly negated: boolean;
}

/** `not x`, `-x`, `+x` */
export interface UnaryExpr extends Position {
  readonly kind: 'unary';
  readonly op: 'not' | '-' | '+';
  readonly operand: Expr;
}

/**
 * Arithmetic, concatenation and logic. `~` concatenates as strings; `//` is floor division;
 * `and`/`or` short-circuit and return an operand, as in Python.
 */
export interface BinaryExpr extends Position {
  readonly kind: 'binary';
  readonly op: '+' | '-' | '*' | '/' | '//' | '%' | '**' | '~' | 'and' | 'or';
  readonly left: Expr;
  readonly right: Expr;
}

/**
 * A comparison chain: `a < b <= c` is `{ first: a, rest: [['<', b], ['<=', c]] }`.
 * `in` and `not in` are comparisons too.
 */
export interface CompareExpr extends Position {
  readonly kind: 'compare';
  readonly first: Expr;
  readonly rest: readonly (readonly [CompareOp, Expr])[];
}

export type CompareOp = '==' | '!=' | '<' | '<=' | '>' | '>=' | 'in' | 'not in';

/** `a if cond else b` (`else b` optional: undefined when absent). */
export interface ConditionalExpr extends Position {
  readonly kind: 'conditional';
  readonly test: Expr;
  readonly then: Expr;
  readonly otherwise: Expr | null;
}

// ---------------------------------------------------------------------------------------------
// Statements
// ---------------------------------------------------------------------------------------------

export type Node =
  | TextNode
  | OutputNode
  | IfNode
  | ForNode
  | SetNode
  | SetBlockNode
  | WithNode
  | BlockNode
  | ExtendsNode
  | IncludeNode
  | MacroNode
  | CallBlockNode
  | ImportNode
  | FromImportNode;

/**
 * Literal template text (HTML), after whitespace control. `{% raw %}` content is a TextNode too,
 * with `raw: true` (the compiler must still track HTML context through it).
 */
export interface TextNode extends Position {
  readonly kind: 'text';
  readonly value: string;
  readonly raw: boolean;
}

/** `{{ expr }}` */
export interface OutputNode extends Position {
  readonly kind: 'output';
  readonly expr: Expr;
}

/** `{% if %}…{% elif %}…{% else %}…{% endif %}` */
export interface IfNode extends Position {
  readonly kind: 'if';
  readonly branches: readonly { readonly test: Expr; readonly body: readonly Node[] }[];
  readonly otherwise: readonly Node[] | null;
}

/**
 * `{% for a in xs %}`, `{% for k, v in mapping|items %}`, optional `if cond` filter
 * (`{% for x in xs if x.visible %}`), and `{% else %}` for an empty sequence.
 */
export interface ForNode extends Position {
  readonly kind: 'for';
  readonly targets: readonly string[];
  readonly iter: Expr;
  readonly filter: Expr | null;
  readonly body: readonly Node[];
  readonly otherwise: readonly Node[] | null;
}

/** `{% set x = expr %}` or `{% set a, b = expr %}` */
export interface SetNode extends Position {
  readonly kind: 'set';
  readonly targets: readonly string[];
  readonly value: Expr;
}

/** `{% set x %}…{% endset %}`: captures rendered output (SafeHtml) into a variable. */
export interface SetBlockNode extends Position {
  readonly kind: 'setblock';
  readonly target: string;
  readonly body: readonly Node[];
}

/** `{% with a = 1, b = x %}…{% endwith %}` (also `{% with %}` with no assignments). */
export interface WithNode extends Position {
  readonly kind: 'with';
  readonly assignments: readonly { readonly name: string; readonly value: Expr }[];
  readonly body: readonly Node[];
}

/** `{% block name %}…{% endblock %}` (optionally `{% endblock name %}`, checked to match). */
export interface BlockNode extends Position {
  readonly kind: 'block';
  readonly name: string;
  readonly body: readonly Node[];
}

/** `{% extends "base.html" %}`: the name must be a string literal, so inheritance is known at compile time. */
export interface ExtendsNode extends Position {
  readonly kind: 'extends';
  readonly template: string;
}

/**
 * `{% include "x.html" %}`, `{% include "x.html" without context %}`, `{% include "x.html" with context %}`
 * (default: with context), `{% include "x.html" ignore missing %}`. The name is a string literal.
 */
export interface IncludeNode extends Position {
  readonly kind: 'include';
  readonly template: string;
  readonly withContext: boolean;
  readonly ignoreMissing: boolean;
}

/** `{% macro name(a, b=1) %}…{% endmacro %}` */
export interface MacroNode extends Position {
  readonly kind: 'macro';
  readonly name: string;
  readonly params: readonly { readonly name: string; readonly default: Expr | null }[];
  readonly body: readonly Node[];
}

/** `{% call macro(args) %}…{% endcall %}` or `{% call(x) macro(args) %}`: the body is `caller(x)` inside the macro. */
export interface CallBlockNode extends Position {
  readonly kind: 'callblock';
  readonly call: CallExpr;
  readonly params: readonly { readonly name: string; readonly default: Expr | null }[];
  readonly body: readonly Node[];
}

/** `{% import "forms.html" as forms %}` */
export interface ImportNode extends Position {
  readonly kind: 'import';
  readonly template: string;
  readonly alias: string;
}

/** `{% from "forms.html" import input, textarea as ta %}` */
export interface FromImportNode extends Position {
  readonly kind: 'fromimport';
  readonly template: string;
  readonly names: readonly { readonly name: string; readonly alias: string }[];
}

/** A parsed template. */
export interface TemplateAst {
  readonly name: string;
  readonly body: readonly Node[];
}
