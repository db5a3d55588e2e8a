// Fastify 5, bare: default options with the logger off, no plugins, no response schemas.
import Fastify from 'fastify';
import {
  HOST,
  JSON_BODY,
  PLAINTEXT_BODY,
  announceReady,
  closeOnSigterm,
  exitWhenOrphaned,
  portFromEnv,
  portOf,
} from './common.js';

const app = Fastify({ logger: false });

// A string payload is sent as text/plain; charset=utf-8 by default.
app.get('/plaintext', (_req, reply) => {
  reply.send(PLAINTEXT_BODY);
});
app.get('/json', (_req, reply) => {
  reply.send(JSON_BODY);
});
app.get<{ Params: { id: string; post: string } }>('/users/:id/posts/:post', (req, reply) => {
  reply.send({ user: req.params.id, post: req.params.post });
});

await app.listen({ port: portFromEnv(), host: HOST });
announceReady(portOf(app.server));
// app.close() also closes idle keep-alive connections (forceCloseConnections defaults to 'idle').
closeOnSigterm(() => app.close());
exitWhenOrphaned();
