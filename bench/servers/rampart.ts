// Rampart. By default every security default is on (request logging off, as for the others);
// `--insecure` (or env RAMPART_INSECURE=1) builds the reference variant with the defaults off,
// which shows what the secure defaults cost.
import { randomBytes } from 'node:crypto';
import { rampart } from '../../src/index.js';
import { HOST, JSON_BODY, PLAINTEXT_BODY, announceReady, exitWhenOrphaned, portFromEnv } from './common.js';

const insecure = process.argv.includes('--insecure') || process.env.RAMPART_INSECURE === '1';

const app = rampart({
  env: 'production',
  // A fresh 64-character key per start: production refuses to start without a strong one, and a
  // benchmark has no reason to keep one anywhere.
  secretKey: randomBytes(48).toString('base64url'),
  // Production refuses allowedHosts: ['*'] (E_CONFIG_ALLOWED_HOSTS), so the host check stays on
  // in both variants. With '*' it would still run: the matcher parses the Host header and caches
  // accepted values, so a keep-alive client costs one Map lookup either way.
  allowedHosts: ['127.0.0.1', 'localhost'],
  logRequests: false,
  ...(insecure ? { headers: false } : {}),
});

app.get('/plaintext', () => PLAINTEXT_BODY);
app.get('/json', () => JSON_BODY);
app.get('/users/:id/posts/:post', (req) => ({ user: req.params.id, post: req.params.post }));

// listen() installs Rampart's own SIGTERM handler (graceful shutdown, exit 0): the harness relies
// on it rather than adding one here, so the benchmark also checks that it works.
const running = await app.listen({ port: portFromEnv(), host: HOST });
announceReady(running.port);
exitWhenOrphaned(() => process.kill(process.pid, 'SIGTERM'));
