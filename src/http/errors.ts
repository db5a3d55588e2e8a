/**
 * HTTP errors: thrown from handlers and middleware, turned into responses by the app.
 *
 * @module
 */
import { RampartError } from '../errors.js';

/** Reason phrases for the statuses Rampart produces itself. */
export const STATUS_TEXT: Readonly<Record<number, string>> = Object.freeze({
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  406: 'Not Acceptable',
  408: 'Request Timeout',
  409: 'Conflict',
  410: 'Gone',
  413: 'Content Too Large',
  415: 'Unsupported Media Type',
  422: 'Unprocessable Content',
  429: 'Too Many Requests',
  431: 'Request Header Fields Too Large',
  500: 'Internal Server Error',
  501: 'Not Implemented',
  503: 'Service Unavailable',
});

export interface HttpErrorOptions {
  /** Stable code, `E_HTTP_<STATUS NAME>` by default. */
  code?: string;
  /**
   * Whether the message may be shown to the client. Defaults to true below 500 and false from
   * 500 up, so an internal detail never reaches a visitor by accident.
   */
  expose?: boolean;
  /** Extra response headers, e.g. `Allow` for a 405 or `Retry-After` for a 429. */
  headers?: Readonly<Record<string, string>>;
  /** Extra JSON-serialisable details sent in JSON error bodies (e.g. field errors). */
  details?: unknown;
  cause?: unknown;
}

/**
 * An error that maps to an HTTP status. Throw it (or one of the helpers such as `notFound()`)
 * from a handler or middleware.
 *
 * @example
 * app.get('/admin', () => { throw new HttpError(403, 'Staff only') })
 */
export class HttpError extends RampartError {
  readonly status: number;
  readonly expose: boolean;
  readonly headers: Readonly<Record<string, string>>;
  readonly details: unknown;

  constructor(status: number, message?: string, options: HttpErrorOptions = {}) {
    const text = STATUS_TEXT[status] ?? 'Error';
    super(options.code ?? defaultCode(status), message ?? text, { cause: options.cause });
    this.status = status;
    this.expose = options.expose ?? status < 500;
    this.headers = options.headers ?? {};
    this.details = options.details;
  }
}

function defaultCode(status: number): string {
  const text = STATUS_TEXT[status];
  return text === undefined ? `E_HTTP_${status}` : `E_HTTP_${text.toUpperCase().replace(/ /g, '_')}`;
}

type Helper = (message?: string, options?: HttpErrorOptions) => HttpError;
const helper =
  (status: number): Helper =>
  (message, options) =>
    new HttpError(status, message, options);

/** `400 Bad Request`. @example throw badRequest('page must be a number') */
export const badRequest: Helper = helper(400);
/** `401 Unauthorized`. @example throw unauthorized() */
export const unauthorized: Helper = helper(401);
/** `403 Forbidden`. @example throw forbidden('Staff only') */
export const forbidden: Helper = helper(403);
/** `404 Not Found`. @example throw notFound(`no post ${id}`) */
export const notFound: Helper = helper(404);
/** `409 Conflict`. @example throw conflict('username taken') */
export const conflict: Helper = helper(409);
/** `410 Gone`. @example throw gone() */
export const gone: Helper = helper(410);
/** `413 Content Too Large`. @example throw payloadTooLarge() */
export const payloadTooLarge: Helper = helper(413);
/** `415 Unsupported Media Type`. @example throw unsupportedMediaType() */
export const unsupportedMediaType: Helper = helper(415);
/** `422 Unprocessable Content`. @example throw unprocessable('invalid', { details: errors }) */
export const unprocessable: Helper = helper(422);
/** `429 Too Many Requests`. @example throw tooManyRequests('slow down', { headers: { 'retry-after': '60' } }) */
export const tooManyRequests: Helper = helper(429);
/** `500 Internal Server Error`; the message is never shown to the client. @example throw internalError() */
export const internalError: Helper = helper(500);

/** Thrown by `app.get(...)` and friends when a route definition is invalid; at startup, never per request. */
export class RouteError extends RampartError {}
