/**
 * The app: pages rendered from templates, sessions in the database (with CSRF protection on every
 * form), and static files. `rampart.config.ts` points the `rampart` command here.
 */
import { rampart } from 'rampart';
import { connect } from 'rampart/db';
import { DatabaseStore, SessionEntry, sessions } from 'rampart/sessions';
import { serveStatic, staticUrls } from 'rampart/static';
import { templates } from 'rampart/templates';
import { MAX_NOTE_LENGTH, Note } from './models.js';

const production = process.env.NODE_ENV === 'production';

/** Every model of the app: `rampart makemigrations` compares them with the migrations. */
export const models = [Note, SessionEntry] as const;

/** The database: DATABASE_URL, else the SQLite file ./db.sqlite3. */
export const db = await connect({ models });

export const app = rampart({
  templates: templates({
    folders: ['templates'],
    globals: { max_note_length: MAX_NOTE_LENGTH },
    // In production, `rampart collectstatic` has written hashed names that browsers cache for a year.
    staticUrl: staticUrls({ manifest: production ? 'staticfiles/manifest.json' : undefined }),
  }),
});
app.onClose(() => db.close());

// Sessions, and with them CSRF protection for every POST: the templates add the token to forms.
app.use(sessions({ store: new DatabaseStore(db) }));

app.get('/static/*path', serveStatic(production ? { dir: 'staticfiles', manifest: true } : { dir: 'static' }));

app.get('/', { name: 'home' }, async (req) => {
  const notes = await db.query(Note).limit(50).all();
  return req.render('home.html', { notes, value: '', error: null });
});

app.post('/notes', { name: 'addNote' }, async (req) => {
  const form = await req.form();
  const text = (form.get('text') ?? '').trim();
  let error: string | null = null;
  if (text === '') error = 'Write something first.';
  else if ([...text].length > MAX_NOTE_LENGTH) error = `A note has at most ${MAX_NOTE_LENGTH} characters.`;
  if (error !== null) {
    const notes = await db.query(Note).limit(50).all();
    return req.render('home.html', { notes, value: text, error }, { status: 422 });
  }
  await db.query(Note).create({ text });
  // 303: the browser follows with a GET, so reloading the page does not post the form again.
  return req.redirect(req.urlFor('home'), 303);
});
