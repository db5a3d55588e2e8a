/**
 * Starts the blog: `npm start` at the repository root, or `npx tsx examples/blog/server.ts`.
 *
 * 1. reads the configuration (DATABASE_URL, REDIS_URL, SECRET_KEY, BLOG_DATA_DIR, PORT…) and builds
 *    the app, which refuses a production start without SECRET_KEY, ALLOWED_HOSTS or EMAIL_URL
 *    before anything is written;
 * 2. applies the migrations in migrations/;
 * 3. creates the permissions of the blog's models, and the demo data on first run;
 * 4. serves on http://127.0.0.1:8000 until SIGTERM or Ctrl-C.
 *
 * @module
 */
import { Redis } from 'ioredis';
import { loadEnvFile } from 'rampart';
import { syncPermissions } from 'rampart/auth';
import { connect, migrate } from 'rampart/db';
import { LocalStorage } from 'rampart/forms';
import { RedisStore } from 'rampart/sessions';
import { createBlog } from './app.js';
import { blogConfig, MIGRATIONS_DIR, STATIC_DIR } from './config.js';
import { BLOG_MODELS, MODELS } from './models.js';
import { seed } from './seed.js';

// A .env file in the working directory fills unset variables in development, as rampart() does;
// read it first so DATABASE_URL and REDIS_URL in it count too.
if (process.env.NODE_ENV !== 'production') loadEnvFile('.env');
const config = blogConfig();

const db = await connect({ url: config.databaseUrl, models: MODELS });
const uploads = new LocalStorage(config.uploadsDir, { staticRoots: [STATIC_DIR] });
// Half-written uploads of a process that died mid-request, older than a day.
await uploads.removeStale();
// With REDIS_URL, sessions and login-throttle counters live in Redis, shared by every process;
// without it, sessions are in the database and counters in this process.
const redis = config.redisUrl === undefined ? undefined : new Redis(config.redisUrl);
const app = createBlog({
  db,
  uploads,
  ...(redis === undefined ? {} : { sessionStore: new RedisStore({ client: redis }), throttle: { redis } }),
  ...(config.secretKey === undefined ? {} : { settings: { secretKey: config.secretKey } }),
});
app.onClose(() => db.close());
if (redis !== undefined) app.onClose(() => redis.quit());

const { error, results } = await migrate({ kysely: db.kysely, dialect: db.dialect, dir: MIGRATIONS_DIR });
for (const r of results) if (r.status === 'success') console.log(`Applied migration ${r.name}`);
if (error !== undefined) {
  console.error(error.message);
  await app.close();
  process.exit(1);
}
await syncPermissions(db, BLOG_MODELS);

const seeded = await seed(db, uploads);
if (seeded !== null) {
  console.log(`Demo data created. Log in as "${seeded.username}" with the password: ${seeded.password}`);
  console.log('(It is shown only this once; delete the data folder to start over.)');
}

await app.listen();
