/**
 * Writes a response to the socket: security headers (precomputed), the nonce when the page used
 * one, queued cookies, then the body. Plain strings and JSON take a short path with a single
 * `writeHead` call and no intermediate response object.
 *
 * @module
 */
import type { ServerResponse } from 'node:http';
import { pipeline, Readable } from 'node:stream';
import type { Context } from './context.js';
import { HttpResponse, isPlainJson, JSON_TYPE, TEXT_TYPE, toResponse } from './response.js';
import type { HeaderSet } from './secure-headers.js';

/** Flat `[name, value, ...]`; a repeated header is one name with an array value. */
type HeaderList = (string | string[])[];

function baseHeaders(req: Context<unknown>, set: HeaderSet, closing: boolean): HeaderList {
  const out: HeaderList = set.plain.slice();
  if (req.nonce !== null && set.cspIndex !== -1) out[set.cspIndex] = set.cspWithNonce!(req.nonce);
  if (closing) out.push('connection', 'close');
  return out;
}

function writeSimple(req: Context<unknown>, res: ServerResponse, set: HeaderSet, type: string, body: string, closing: boolean): void {
  if (req.nonce === null && req.setCookies === null && !closing) {
    const head = type === TEXT_TYPE ? set.textHead : set.jsonHead;
    head[head.length - 1] = String(Buffer.byteLength(body));
    res.writeHead(200, head);
    res.end(body);
    return;
  }
  const out = baseHeaders(req, set, closing);
  if (req.setCookies !== null) out.push('set-cookie', req.setCookies);
  out.push('content-type', type, 'content-length', String(Buffer.byteLength(body)));
  res.writeHead(200, out as string[]);
  res.end(body);
}

/** Sends any handler result. Returns false when the value could not be turned into a response. */
export function sendValue(req: Context<unknown>, res: ServerResponse, set: HeaderSet, value: unknown, closing: boolean): void {
  if (typeof value === 'string') return writeSimple(req, res, set, TEXT_TYPE, value, closing);
  if (typeof value === 'object' && value !== null && isPlainJson(value)) {
    return writeSimple(req, res, set, JSON_TYPE, JSON.stringify(value), closing);
  }
  sendResponse(req, res, set, toResponse(value), closing);
}

const NO_BODY_STATUS = new Set([204, 304]);

function isHtml(type: string | readonly string[] | undefined): boolean {
  return typeof type === 'string' && type.startsWith('text/html');
}

/** Sends an `HttpResponse`; its own headers win over the security defaults of the same name. */
export function sendResponse(req: Context<unknown>, res: ServerResponse, set: HeaderSet, r: HttpResponse, closing: boolean): void {
  const base = baseHeaders(req, set, closing);
  const own = r.headers;
  const out: HeaderList = [];
  for (let i = 0; i < base.length; i += 2) {
    const name = base[i] as string;
    if (own[name] !== undefined) continue;
    out.push(name, base[i + 1]!);
  }
  const extra = set.documentOnly;
  if (extra.length > 0 && isHtml(own['content-type'])) {
    for (let i = 0; i < extra.length; i += 2) if (own[extra[i]!] === undefined) out.push(extra[i]!, extra[i + 1]!);
  }
  for (const name of Object.keys(own)) {
    if (name === 'set-cookie') continue;
    const v = own[name]!;
    out.push(name, typeof v === 'string' ? v : [...v]);
  }
  const ownCookies = own['set-cookie'];
  const cookies = [...(req.setCookies ?? []), ...(ownCookies === undefined ? [] : typeof ownCookies === 'string' ? [ownCookies] : ownCookies)];
  if (cookies.length > 0) out.push('set-cookie', cookies);
  const body = r.body;
  const noBody = NO_BODY_STATUS.has(r.status) || (r.status >= 100 && r.status < 200);
  if (body instanceof Readable) {
    res.writeHead(r.status, out as string[]);
    if (req.method === 'HEAD' || noBody) {
      body.destroy();
      res.end();
      return;
    }
    pipeline(body, res, (err) => {
      if (err) {
        req.log.warn({ err: { message: err.message } }, 'response stream failed');
        res.destroy();
      }
    });
    return;
  }
  if (noBody) {
    res.writeHead(r.status, out as string[]);
    res.end();
    return;
  }
  const payload = body ?? '';
  out.push('content-length', String(typeof payload === 'string' ? Buffer.byteLength(payload) : payload.byteLength));
  res.writeHead(r.status, out as string[]);
  res.end(payload);
}
