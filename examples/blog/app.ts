/**
 * The blog application: a function that builds the app from what it needs (a database, a place
 * for uploads, a mailer, a session store), so the server and the tests build the same app with
 * different resources. Routes live in routes/*.ts, one module per part of the site.
 *
 * @module
 */
import { group, rampart, type App, type Settings } from 'rampart';
import { AUTH_TEMPLATES, auth, authRoutes, type LoginThrottleOptions } from 'rampart/auth';
import type { Database } from 'rampart/db';
import type { Storage } from 'rampart/forms';
import { mailerFromEnv, type Mailer } from 'rampart/mail';
import { DatabaseStore, sessions, type SessionStore } from 'rampart/sessions';
import { serveStatic } from 'rampart/static';
import { templates } from 'rampart/templates';
import { STATIC_DIR, TEMPLATES_DIR } from './config.js';
import { markdownExcerpt, renderMarkdown } from './markdown.js';
import type { MODELS } from './models.js';
import { apiRoutes } from './routes/api.js';
import { editorRoutes } from './routes/editor.js';
import { postImageRoute, postRoutes } from './routes/posts.js';
import { searchRoutes } from './routes/search.js';

export type BlogDatabase = Database<typeof MODELS>;

/** What the routes share. */
export interface Blog {
  readonly db: BlogDatabase;
  /** Where post images are stored (outside the static folder). */
  readonly uploads: Storage;
}

export interface BlogOptions extends Blog {
  /** Sends password-reset mail. @default mailerFromEnv(): the console in development */
  readonly mailer?: Mailer;
  /** Where sessions live. @default a DatabaseStore on `db` */
  readonly sessionStore?: SessionStore;
  /** Login throttling, e.g. `{ redis }` to share the counters between processes. @default in memory */
  readonly throttle?: LoginThrottleOptions;
  /** App settings; everything not given comes from the environment (SECRET_KEY, ALLOWED_HOSTS…). */
  readonly settings?: Settings;
}

/** Posts per page on the home page and in the API. */
export const PAGE_SIZE = 10;

/**
 * Builds the blog.
 *
 * @example
 * const db = await connect({ url: 'sqlite:var/blog.sqlite3', models: MODELS })
 * const app = createBlog({ db, uploads: new LocalStorage('var/uploads') })
 * await app.listen()
 */
export function createBlog(options: BlogOptions): App {
  const { db, uploads } = options;
  const app = rampart({
    ...options.settings,
    templates: templates({
      // Our templates first: templates/auth/base.html replaces the accounts pages' layout.
      folders: [TEMPLATES_DIR, AUTH_TEMPLATES],
      globals: { site_name: 'Rampart Blog' },
      filters: {
        markdown: (value) => renderMarkdown(String(value ?? '')),
        excerpt: (value) => markdownExcerpt(String(value ?? '')),
      },
    }),
  });

  const blog: Blog = { db, uploads };

  // The stylesheet and the post images need no session: they are registered on the app itself,
  // outside the group below, so loading them costs no session read.
  app.get('/static/*path', serveStatic({ dir: STATIC_DIR }));
  postImageRoute(app, blog);

  // Pages, the API and the accounts: sessions (with the CSRF check of every POST, PUT, PATCH and
  // DELETE), then auth(), since req.user lives in the session.
  const site = group().use(sessions({ store: options.sessionStore ?? new DatabaseStore(db) }), auth({ db }));
  postRoutes(site, blog);
  editorRoutes(site, blog);
  searchRoutes(site, blog);
  site.mount('/api', apiRoutes(blog), { name: 'api' });
  site.mount(
    '/accounts',
    authRoutes({
      db,
      mailer: options.mailer ?? mailerFromEnv(),
      signup: true,
      ...(options.throttle === undefined ? {} : { throttle: options.throttle }),
    }),
    { name: 'accounts' },
  );
  app.mount('', site);
  return app;
}
