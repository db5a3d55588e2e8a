/**
 * `rampart/templates`: a Jinja/Django-style template engine that escapes every output for the
 * HTML context it sits in, adds the CSP nonce to inline scripts and styles, and the CSRF field to
 * POST forms.
 *
 * @module
 */
export { Templates, templates } from './engine.js';
export type { TemplatesOptions, FilterFn, TestFn } from './engine.js';
export type { FilterDef } from './filters.js';
export { FileSystemLoader, MemoryLoader, normalizeTemplateName } from './loader.js';
export type { TemplateLoader, TemplateSource } from './loader.js';
export {
  TemplateError,
  TemplateSyntaxError,
  TemplateContextError,
  TemplateUndefinedError,
  TemplateNotFoundError,
  TemplateCycleError,
  TemplateRuntimeError,
} from './errors.js';
export { CSRF_FIELD_NAME } from './runtime.js';
export type { RenderHooks, TemplateEngine } from '../http/template-engine.js';
