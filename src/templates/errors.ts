/**
 * Template errors. Each names the template, the 1-based line and column, and shows the line with
 * a caret under the column, so the message alone is enough to find the problem.
 *
 * @module
 */
import { RampartError } from '../errors.js';

export interface TemplateLocation {
  readonly template: string;
  readonly line: number;
  readonly col: number;
}

/** Formats `message` with the location and the offending source line. */
export function formatTemplateMessage(message: string, loc: TemplateLocation, source?: string): string {
  let text = `${message} (${loc.template}, line ${loc.line}, column ${loc.col})`;
  if (source !== undefined) {
    const lineText = source.split('\n')[loc.line - 1];
    if (lineText !== undefined) {
      const shown = lineText.length > 200 ? lineText.slice(0, 200) + '…' : lineText;
      text += `\n  ${shown}\n  ${' '.repeat(Math.max(0, Math.min(loc.col - 1, 200)))}^`;
    }
  }
  return text;
}

/** Base of template errors: carries the location. */
export class TemplateError extends RampartError {
  readonly template: string;
  readonly line: number;
  readonly col: number;

  constructor(code: string, message: string, loc: TemplateLocation, source?: string, options?: { hint?: string; cause?: unknown }) {
    super(code, formatTemplateMessage(message, loc, source), options);
    this.template = loc.template;
    this.line = loc.line;
    this.col = loc.col;
  }
}

/** The template text is not valid template syntax (`E_TEMPLATE_SYNTAX`). */
export class TemplateSyntaxError extends TemplateError {}

/**
 * An output sits where no escaping is safe (tag or attribute name, comment, outside a string in
 * an event handler or style), or branches end in different HTML contexts (`E_TEMPLATE_CONTEXT`).
 */
export class TemplateContextError extends TemplateError {}

/** A variable or attribute is undefined in strict mode (`E_TEMPLATE_UNDEFINED`). */
export class TemplateUndefinedError extends TemplateError {}

/** A template name is unknown, or escapes the template folders (`E_TEMPLATE_NOT_FOUND`, `E_TEMPLATE_NAME_INVALID`). */
export class TemplateNotFoundError extends RampartError {}

/** `extends`/`include`/`import` form a cycle, or recursion is too deep (`E_TEMPLATE_CYCLE`, `E_TEMPLATE_RECURSION`). */
export class TemplateCycleError extends TemplateError {}

/** A runtime failure inside a template: a filter given the wrong type, a call of a non-function (`E_TEMPLATE_RUNTIME`). */
export class TemplateRuntimeError extends TemplateError {}
