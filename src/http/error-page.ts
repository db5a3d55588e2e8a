/**
 * Error responses. In production they say what status happened and, for client errors, the
 * message the code chose to expose, nothing else. In development, a loopback client also gets the
 * stack and the request (with credentials masked).
 *
 * @module
 */
import type { Context } from './context.js';
import { HttpError, STATUS_TEXT } from './errors.js';
import { escapeHtml } from './html.js';
import { HTML_TYPE, HttpResponse, JSON_TYPE } from './response.js';

const MASKED_HEADERS = new Set(['authorization', 'cookie', 'proxy-authorization']);

function wantsHtml(accept: string | undefined): boolean {
  return accept !== undefined && accept.indexOf('text/html') !== -1;
}

/** Builds the response for an error; `showDetails` is true only for debug mode and loopback clients. */
export function errorResponse(req: Context<unknown>, err: unknown, showDetails: boolean): HttpResponse {
  const http = err instanceof HttpError ? err : null;
  const status = http?.status ?? 500;
  const title = `${status} ${STATUS_TEXT[status] ?? 'Error'}`;
  const message = http !== null && http.expose ? http.message : (STATUS_TEXT[status] ?? 'Error');
  const code = http !== null && http.expose ? http.code : undefined;
  const headers: Record<string, string> = { ...(http?.headers ?? {}) };
  let body: string;
  if (wantsHtml(req.headers.accept)) {
    headers['content-type'] = HTML_TYPE;
    body =
      `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(title)}</title></head>` +
      `<body><h1>${escapeHtml(title)}</h1><p>${escapeHtml(message)}</p>` +
      (showDetails && status >= 500 ? debugHtml(req, err) : '') +
      `</body></html>`;
  } else {
    headers['content-type'] = JSON_TYPE;
    const payload: Record<string, unknown> = { status, message };
    if (code !== undefined) payload['code'] = code;
    if (http !== null && http.expose && http.details !== undefined) payload['details'] = http.details;
    if (showDetails && status >= 500 && err instanceof Error) {
      payload['debug'] = { name: err.name, message: err.message, stack: err.stack?.split('\n') };
    }
    body = JSON.stringify({ error: payload });
  }
  return new HttpResponse(body, { status, headers });
}

function debugHtml(req: Context<unknown>, err: unknown): string {
  const e = err instanceof Error ? err : new Error(String(err));
  const rows = Object.entries(req.headers)
    .map(([k, v]) => `<tr><th>${escapeHtml(k)}</th><td>${escapeHtml(MASKED_HEADERS.has(k) ? '********' : String(v))}</td></tr>`)
    .join('');
  return (
    `<h2>${escapeHtml(e.name)}: ${escapeHtml(e.message)}</h2>` +
    `<pre>${escapeHtml(e.stack ?? '')}</pre>` +
    `<h2>Request</h2><p>${escapeHtml(req.method)} ${escapeHtml(req.url)} (id ${escapeHtml(req.id)})</p>` +
    `<table>${rows}</table>` +
    `<p>This page is shown because the app runs in development mode and you are on this machine. ` +
    `In production the visitor sees only the status.</p>`
  );
}
