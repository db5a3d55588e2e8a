/**
 * Raw HTTP/1.1 over a TCP socket to 127.0.0.1, for tests that must send what `fetch` and the
 * in-process test client cannot: a forged Host, an unnormalised path (`/a/../b`), a 100 KiB header,
 * headers trickled one byte at a time, a body larger than the limit.
 *
 * Every connection has a hard timeout: a test never hangs on a server that does not answer, it
 * gets `timedOut: true` and a destroyed socket instead.
 *
 * @module
 */
import { connect, type Socket } from 'node:net';

/** A response as read off the wire. */
export interface RawResponse {
  /** Status code of the first response, or null when no complete status line and headers arrived. */
  readonly status: number | null;
  readonly statusText: string;
  /** Lower-case names; repeated headers joined with ', '. */
  readonly headers: Readonly<Record<string, string>>;
  /** The body (chunked transfer-coding removed). */
  readonly body: Buffer;
  readonly text: string;
  /** Everything the server sent. */
  readonly raw: Buffer;
  /** The server ended or reset the connection before the timeout. */
  readonly closed: boolean;
  /** The hard timeout fired before the response was complete (or before close, with waitForClose). */
  readonly timedOut: boolean;
  /** Socket error code (ECONNRESET, EPIPE, ECONNREFUSED...) if one happened. */
  readonly error: string | undefined;
  /** Milliseconds from connect() to resolution. */
  readonly elapsedMs: number;
  /** Request bytes this client wrote to the socket. */
  readonly bytesWritten: number;
  /** Parses the body as JSON. */
  json<T = unknown>(): T;
}

export interface RawOptions {
  /** Hard limit for the whole exchange. @default 5000 */
  timeoutMs?: number;
  /** Resolve only when the server closes the connection (not as soon as the response is complete). */
  waitForClose?: boolean;
}

interface Parsed {
  status: number;
  statusText: string;
  headers: Record<string, string>;
  body: Buffer;
  complete: boolean;
}

/** Parses one response from the start of `buf`; null while the head is incomplete. */
function parseResponse(buf: Buffer, closed: boolean): Parsed | null {
  const end = buf.indexOf('\r\n\r\n');
  if (end === -1) return null;
  const head = buf.subarray(0, end).toString('latin1').split('\r\n');
  const statusLine = head[0] ?? '';
  const m = /^HTTP\/1\.[01] (\d{3}) ?(.*)$/.exec(statusLine);
  if (m === null) return null;
  const headers: Record<string, string> = {};
  for (const line of head.slice(1)) {
    const i = line.indexOf(':');
    if (i === -1) continue;
    const name = line.slice(0, i).trim().toLowerCase();
    const value = line.slice(i + 1).trim();
    headers[name] = headers[name] === undefined ? value : `${headers[name]}, ${value}`;
  }
  const status = Number(m[1]);
  const rest = buf.subarray(end + 4);
  const noBody = status === 204 || status === 304 || (status >= 100 && status < 200);
  if (noBody) return { status, statusText: m[2] ?? '', headers, body: Buffer.alloc(0), complete: true };
  const te = headers['transfer-encoding'];
  if (te !== undefined && te.toLowerCase().includes('chunked')) {
    const chunks: Buffer[] = [];
    let pos = 0;
    for (;;) {
      const lineEnd = rest.indexOf('\r\n', pos);
      if (lineEnd === -1) break;
      const size = parseInt(rest.subarray(pos, lineEnd).toString('latin1'), 16);
      if (!Number.isFinite(size)) break;
      if (size === 0) return { status, statusText: m[2] ?? '', headers, body: Buffer.concat(chunks), complete: true };
      if (rest.length < lineEnd + 2 + size + 2) break;
      chunks.push(rest.subarray(lineEnd + 2, lineEnd + 2 + size));
      pos = lineEnd + 2 + size + 2;
    }
    return { status, statusText: m[2] ?? '', headers, body: Buffer.concat(chunks), complete: closed };
  }
  const cl = headers['content-length'];
  if (cl !== undefined) {
    const n = Number(cl);
    return { status, statusText: m[2] ?? '', headers, body: rest.subarray(0, n), complete: rest.length >= n };
  }
  return { status, statusText: m[2] ?? '', headers, body: rest, complete: closed };
}

/**
 * An open raw connection: write to it at your own pace, and await `response` (resolves when the
 * first response is complete, or on close / timeout).
 */
export interface RawConnection {
  readonly socket: Socket;
  /** Writes and waits until the socket accepted the data (drain), so large uploads respect backpressure. Returns false if the socket is gone. */
  write(data: string | Buffer): Promise<boolean>;
  /** True once the server closed (or reset) the connection. */
  readonly isClosed: boolean;
  /** True once a complete response (or at least its status line and headers) has been received. */
  readonly hasResponseHead: boolean;
  /** Resolves with the response; never rejects. */
  readonly response: Promise<RawResponse>;
  /** Ends the exchange now (destroys the socket) and resolves `response` with what arrived. */
  destroy(): void;
}

/** Opens a TCP connection to 127.0.0.1:port. */
export function openRaw(port: number, options: RawOptions = {}): Promise<RawConnection> {
  const timeoutMs = options.timeoutMs ?? 5000;
  const waitForClose = options.waitForClose ?? false;
  const started = performance.now();
  return new Promise((resolveOpen, rejectOpen) => {
    const socket = connect({ port, host: '127.0.0.1' });
    const received: Buffer[] = [];
    let size = 0;
    let closed = false;
    let timedOut = false;
    let error: string | undefined;
    let settled = false;
    let opened = false;
    let written = 0;
    let headSeen = false;
    let resolveResponse!: (r: RawResponse) => void;
    const response = new Promise<RawResponse>((r) => (resolveResponse = r));

    const finish = (): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      const raw = Buffer.concat(received, size);
      const parsed = parseResponse(raw, true);
      const body = parsed?.body ?? Buffer.alloc(0);
      resolveResponse({
        status: parsed?.status ?? null,
        statusText: parsed?.statusText ?? '',
        headers: parsed?.headers ?? {},
        body,
        text: body.toString('utf8'),
        raw,
        closed,
        timedOut,
        error,
        elapsedMs: performance.now() - started,
        bytesWritten: written,
        json: <T>() => JSON.parse(body.toString('utf8')) as T,
      });
      if (!closed) socket.destroy();
    };

    const timer = setTimeout(() => {
      timedOut = true;
      finish();
      socket.destroy();
    }, timeoutMs);

    socket.on('data', (chunk: Buffer) => {
      received.push(chunk);
      size += chunk.length;
      const parsed = parseResponse(Buffer.concat(received, size), false);
      if (parsed !== null) headSeen = true;
      if (parsed?.complete === true && !waitForClose) finish();
    });
    socket.on('error', (err: NodeJS.ErrnoException) => {
      error ??= err.code ?? err.message;
      if (!opened) {
        clearTimeout(timer);
        settled = true;
        rejectOpen(err);
      }
    });
    socket.on('close', () => {
      closed = true;
      finish();
    });
    socket.on('end', () => {
      // The server half-closed; we have nothing more to say either.
      socket.end();
    });
    socket.once('connect', () => {
      opened = true;
      resolveOpen({
        socket,
        write(data) {
          if (socket.destroyed || !socket.writable) return Promise.resolve(false);
          const buf = typeof data === 'string' ? Buffer.from(data, 'latin1') : data;
          return new Promise<boolean>((resolve) => {
            const ok = socket.write(buf, (err) => {
              if (err === null || err === undefined) written += buf.length;
              if (ok) resolve(!err);
            });
            if (!ok) {
              const onDrain = (): void => {
                socket.off('close', onClose);
                resolve(true);
              };
              const onClose = (): void => {
                socket.off('drain', onDrain);
                resolve(false);
              };
              socket.once('drain', onDrain);
              socket.once('close', onClose);
            }
          });
        },
        get isClosed() {
          return closed;
        },
        get hasResponseHead() {
          return headSeen;
        },
        response,
        destroy() {
          finish();
          socket.destroy();
        },
      });
    });
  });
}

/** Sends `data` as is on a new connection and resolves with the response. Never rejects once connected. */
export async function sendRaw(port: number, data: string | Buffer, options: RawOptions = {}): Promise<RawResponse> {
  const conn = await openRaw(port, options);
  void conn.write(data);
  return conn.response;
}

export interface RawRequest {
  method?: string;
  /** Sent exactly as given, no normalisation or encoding. */
  path: string;
  /** Host header; `null` sends none. @default `127.0.0.1:<port>` */
  host?: string | null;
  /** Extra header lines, in order. */
  headers?: ReadonlyArray<readonly [string, string]>;
  body?: string | Buffer;
  /** @default 'close' */
  connection?: string;
}

/** Serialises a request: request line, Host, the headers, Content-Length when there is a body. */
export function buildRequest(port: number, req: RawRequest): Buffer {
  const lines = [`${req.method ?? 'GET'} ${req.path} HTTP/1.1`];
  if (req.host !== null) lines.push(`Host: ${req.host ?? `127.0.0.1:${port}`}`);
  for (const [k, v] of req.headers ?? []) lines.push(`${k}: ${v}`);
  const body = req.body === undefined ? undefined : typeof req.body === 'string' ? Buffer.from(req.body, 'utf8') : req.body;
  const hasLength = (req.headers ?? []).some(([k]) => k.toLowerCase() === 'content-length' || k.toLowerCase() === 'transfer-encoding');
  if (body !== undefined && !hasLength) lines.push(`Content-Length: ${body.length}`);
  lines.push(`Connection: ${req.connection ?? 'close'}`);
  const head = Buffer.from(lines.join('\r\n') + '\r\n\r\n', 'latin1');
  return body === undefined ? head : Buffer.concat([head, body]);
}

/** Builds and sends one request on a new connection. */
export function rawRequest(port: number, req: RawRequest, options: RawOptions = {}): Promise<RawResponse> {
  return sendRaw(port, buildRequest(port, req), options);
}

/** `GET path` on a new connection; what tests use to check the server still serves. */
export function rawGet(port: number, path: string, options: RawOptions = {}): Promise<RawResponse> {
  return rawRequest(port, { path }, options);
}

/** The port of a URL such as `http://127.0.0.1:41234`. */
export function portOf(url: string): number {
  return Number(new URL(url).port);
}
