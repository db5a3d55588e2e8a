// What is measured: the frameworks (targets) and the endpoints, with the exact responses the
// harness checks before measuring.

export interface Endpoint {
  readonly id: string;
  /** Route pattern, for reports. */
  readonly route: string;
  /** Path actually requested. */
  readonly path: string;
  readonly body: string;
  /** Expected media type; a `; charset=...` parameter is allowed. */
  readonly mediaType: string;
}

export const ENDPOINTS: readonly Endpoint[] = [
  { id: 'plaintext', route: '/plaintext', path: '/plaintext', body: 'Hello, World!', mediaType: 'text/plain' },
  { id: 'json', route: '/json', path: '/json', body: '{"message":"Hello, World!"}', mediaType: 'application/json' },
  {
    id: 'params',
    route: '/users/:id/posts/:post',
    path: '/users/42/posts/7',
    body: '{"user":"42","post":"7"}',
    mediaType: 'application/json',
  },
];

export interface Target {
  readonly id: string;
  readonly label: string;
  /** Server script under bench/servers/. */
  readonly script: string;
  readonly args: readonly string[];
  /** Host checking is expected on: a request with a foreign Host header must not get a 200. */
  readonly checksHost: boolean;
}

export const TARGETS: readonly Target[] = [
  { id: 'node-http', label: 'node:http', script: 'node-http.ts', args: [], checksHost: false },
  { id: 'fastify', label: 'Fastify', script: 'fastify.ts', args: [], checksHost: false },
  { id: 'express', label: 'Express', script: 'express.ts', args: [], checksHost: false },
  { id: 'hono', label: 'Hono', script: 'hono.ts', args: [], checksHost: false },
  { id: 'rampart', label: 'Rampart (secure)', script: 'rampart.ts', args: [], checksHost: true },
  { id: 'rampart-insecure', label: 'Rampart (defaults off)', script: 'rampart.ts', args: ['--insecure'], checksHost: false },
];

/** The targets the ratios are taken against. */
export const BASELINE_ID = 'fastify';
export const CEILING_ID = 'node-http';
