// Hono 4 on the official node:http adapter (@hono/node-server).
import { serve } from '@hono/node-server';
import { Hono } from 'hono';
import {
  HOST,
  JSON_BODY,
  PLAINTEXT_BODY,
  announceReady,
  closeOnSigterm,
  closeServer,
  exitWhenOrphaned,
  portFromEnv,
} from './common.js';

const app = new Hono();

app.get('/plaintext', (c) => c.text(PLAINTEXT_BODY));
app.get('/json', (c) => c.json(JSON_BODY));
app.get('/users/:id/posts/:post', (c) => c.json({ user: c.req.param('id'), post: c.req.param('post') }));

const server = serve({ fetch: app.fetch, port: portFromEnv(), hostname: HOST }, (info) =>
  announceReady(info.port),
);
closeOnSigterm(() => closeServer(server));
exitWhenOrphaned();
