// Correctness checks run before anything is measured: a framework that answers faster with the
// wrong body, status or content type must not show up in the table.
import { request } from 'node:http';
import type { Endpoint, Target } from './targets.js';

export interface HttpResponse {
  readonly status: number;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  /** Header lines as sent (name, value, name, value, ...). */
  readonly rawHeaders: readonly string[];
  readonly body: string;
}

/** One GET on a fresh connection, bounded by `timeoutMs`. */
export function get(port: number, path: string, headers: Record<string, string> = {}, timeoutMs = 5000): Promise<HttpResponse> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, method: 'GET', headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('error', reject);
      res.on('end', () =>
        resolve({
          status: res.statusCode ?? 0,
          headers: res.headers,
          rawHeaders: res.rawHeaders,
          body: Buffer.concat(chunks).toString('utf8'),
        }),
      );
    });
    req.setTimeout(timeoutMs, () => req.destroy(new Error(`GET ${path}: no response within ${timeoutMs} ms`)));
    req.on('error', reject);
    req.end();
  });
}

export interface EndpointCheck {
  readonly target: string;
  readonly endpoint: string;
  readonly contentType: string;
  /** Response header names, in the order sent. */
  readonly headerNames: readonly string[];
  /** Size of the status line and headers on the wire, approximately (HTTP/1.1). */
  readonly headerBytes: number;
}

/** Throws, with every problem found, unless the response is exactly the expected one. */
export async function verifyEndpoint(target: Target, endpoint: Endpoint, port: number): Promise<EndpointCheck> {
  const res = await get(port, endpoint.path);
  const problems: string[] = [];
  if (res.status !== 200) problems.push(`status ${res.status}, expected 200`);
  if (res.body !== endpoint.body) problems.push(`body ${JSON.stringify(res.body)}, expected ${JSON.stringify(endpoint.body)}`);
  const contentType = String(res.headers['content-type'] ?? '');
  const mediaType = contentType.split(';')[0]!.trim().toLowerCase();
  if (mediaType !== endpoint.mediaType) {
    problems.push(`content-type ${JSON.stringify(contentType)}, expected ${endpoint.mediaType}`);
  }
  if (problems.length > 0) {
    throw new Error(`${target.id} GET ${endpoint.path}: ${problems.join('; ')}`);
  }

  const names: string[] = [];
  let headerBytes = 'HTTP/1.1 200 OK\r\n'.length + 2;
  for (let i = 0; i < res.rawHeaders.length; i += 2) {
    const name = res.rawHeaders[i]!;
    names.push(name.toLowerCase());
    headerBytes += name.length + 2 + Buffer.byteLength(res.rawHeaders[i + 1]!) + 2;
  }
  return { target: target.id, endpoint: endpoint.id, contentType, headerNames: names, headerBytes };
}

/**
 * For targets that are meant to check the Host header: a request naming a host outside the
 * allowed list must not succeed. Returns a warning, or null when the check holds.
 */
export async function probeHostCheck(target: Target, endpoint: Endpoint, port: number): Promise<string | null> {
  const res = await get(port, endpoint.path, { host: 'attacker.example' });
  return res.status === 200
    ? `${target.id}: GET ${endpoint.path} with Host: attacker.example got 200; is host checking on?`
    : null;
}
