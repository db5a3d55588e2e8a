/**
 * Rampart: a small, direct core with every security default on.
 *
 * @example
 * import { rampart } from 'rampart'
 * const app = rampart()
 * app.get('/', () => 'Hello, World!')
 * await app.listen()
 *
 * @module
 */
export { App, rampart } from './app.js';
export { RampartError, ConfigError } from './errors.js';
export { resolveSettings, loadEnvFile, secretKeyWeakness, SETTINGS_DEFAULTS, DEV_ALLOWED_HOSTS } from './settings.js';
export type { Settings, ResolvedSettings, Environment } from './settings.js';

export { Context } from './http/context.js';
export type { ContextVariables, RouteInfo, FormParser } from './http/context.js';
export type { StandardSchema, StandardSchemaIssue, StandardSchemaResult, StandardSchemaOutput } from './http/standard-schema.js';
export {
  HttpError,
  RouteError,
  STATUS_TEXT,
  badRequest,
  unauthorized,
  forbidden,
  notFound,
  conflict,
  gone,
  payloadTooLarge,
  unsupportedMediaType,
  unprocessable,
  tooManyRequests,
  internalError,
} from './http/errors.js';
export type { HttpErrorOptions } from './http/errors.js';
export { HttpResponse, json, text, stream, redirect } from './http/response.js';
export type { ResponseBody, ResponseInit, RedirectStatus } from './http/response.js';
export { html, escapeHtml, trustedHtml, isSafeHtml, SafeHtml, toHtml } from './http/html.js';
export type { HtmlRenderable } from './http/html.js';
export { CookieError, COOKIE_DEFAULTS } from './http/cookies.js';
export type { CookieOptions } from './http/cookies.js';
export { CSP_DEFAULTS, SECURE_HEADERS_DEFAULTS } from './http/secure-headers.js';
export type { SecureHeadersOptions, CspDirectives } from './http/secure-headers.js';
export { MiddlewareError } from './http/compose.js';
export { BODY_ERRORS } from './http/body.js';
export type { ListenOptions, RunningServer } from './http/server.js';
export type { TemplateEngine, RenderHooks } from './http/template-engine.js';

export { RouteGroup, group, METHODS } from './routing/group.js';
export type { Handler, Middleware, Next, ErrorHandler, RouteOptions } from './routing/group.js';
export type { RouteParams, ConverterName } from './routing/pattern.js';
export { UrlBuildError } from './routing/url-for.js';
