// Baseline: plain node:http with hand-written routing. This is the ceiling every framework is
// compared against, so it does only what the others must also do: match the route, decode the
// path parameters and serialize the JSON body on every request.
import { createServer, type ServerResponse } from 'node:http';
import {
  HOST,
  JSON_BODY,
  PLAINTEXT_BODY,
  announceReady,
  closeOnSigterm,
  closeServer,
  exitWhenOrphaned,
  portFromEnv,
  portOf,
} from './common.js';

function send(res: ServerResponse, status: number, contentType: string, body: string): void {
  res.writeHead(status, {
    'content-type': contentType,
    'content-length': Buffer.byteLength(body),
  });
  res.end(body);
}

function sendJson(res: ServerResponse, value: unknown): void {
  send(res, 200, 'application/json; charset=utf-8', JSON.stringify(value));
}

function param(raw: string): string {
  return raw.includes('%') ? decodeURIComponent(raw) : raw;
}

const server = createServer((req, res) => {
  const url = req.url ?? '/';
  const queryAt = url.indexOf('?');
  const path = queryAt === -1 ? url : url.slice(0, queryAt);

  if (req.method === 'GET') {
    if (path === '/plaintext') return send(res, 200, 'text/plain; charset=utf-8', PLAINTEXT_BODY);
    if (path === '/json') return sendJson(res, JSON_BODY);

    // /users/:id/posts/:post  ->  ['', 'users', id, 'posts', post]
    const parts = path.split('/');
    if (
      parts.length === 5 &&
      parts[1] === 'users' &&
      parts[3] === 'posts' &&
      parts[2] !== '' &&
      parts[4] !== ''
    ) {
      try {
        return sendJson(res, { user: param(parts[2]!), post: param(parts[4]!) });
      } catch {
        return send(res, 400, 'text/plain; charset=utf-8', 'Bad Request');
      }
    }
  }
  send(res, 404, 'text/plain; charset=utf-8', 'Not Found');
});

server.listen(portFromEnv(), HOST, () => announceReady(portOf(server)));
closeOnSigterm(() => closeServer(server));
exitWhenOrphaned();
