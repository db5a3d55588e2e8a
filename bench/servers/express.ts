// Express 5 with its defaults (so it still sends ETag and X-Powered-By, as an app would unless
// told otherwise).
import { createServer } from 'node:http';
import express from 'express';
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

const app = express();

// res.send() of a string defaults to text/html, so the type is set explicitly.
app.get('/plaintext', (_req, res) => {
  res.type('text/plain').send(PLAINTEXT_BODY);
});
app.get('/json', (_req, res) => {
  res.json(JSON_BODY);
});
app.get('/users/:id/posts/:post', (req, res) => {
  res.json({ user: req.params.id, post: req.params.post });
});

// The same thing app.listen() does, but with the server in hand before it is listening.
const server = createServer(app);
server.listen(portFromEnv(), HOST, () => announceReady(portOf(server)));
closeOnSigterm(() => closeServer(server));
exitWhenOrphaned();
