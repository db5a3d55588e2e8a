/**
 * The hello example: a tiny notes app built only on the public API.
 *
 * It shows typed route params, a route group under `/api` with its own middleware, JSON, HTML
 * pages rendered from templates (a layout with blocks, a list, a form that is validated on the
 * server and shown again with a 422), error pages and named routes. Notes live in memory and
 * disappear when the process stops.
 *
 * Run it with `npm start` and open http://127.0.0.1:8000.
 *
 * @module
 */
import { fileURLToPath } from 'node:url';
import { rampart, group, notFound, type Context, type HttpResponse } from 'rampart';
import { templates } from 'rampart/templates';

export interface Note {
  readonly id: number;
  readonly text: string;
}

/** Longest note accepted, in characters. */
export const MAX_NOTE_LENGTH = 200;
/** Notes kept in memory; the oldest is dropped past this, so a busy form cannot exhaust memory. */
const MAX_NOTES = 100;

const notes: Note[] = [
  { id: 1, text: 'Every value in a template is escaped for where it lands.' },
  { id: 2, text: 'A plain string is sent as text/plain, never as HTML.' },
];
let lastId = notes.length;

function findNote(id: number): Note {
  const note = notes.find((n) => n.id === id);
  if (note === undefined) throw notFound(`There is no note ${id}.`);
  return note;
}

// ---------------------------------------------------------------------------------------------
// Templates: examples/hello/templates, found from this file rather than from the working
// directory, so `npm start` works from the repository root.

const engine = templates({
  folders: [fileURLToPath(new URL('./templates', import.meta.url))],
  globals: { max_note_length: MAX_NOTE_LENGTH },
  tests: {
    // `{% if text is link %}`: the note is a single absolute URL (`scheme://…`, no spaces).
    link: (value) => typeof value === 'string' && /^[a-z][a-z0-9+.-]*:\/\/\S+$/i.test(value),
  },
});

export const app = rampart({ templates: engine });

// ---------------------------------------------------------------------------------------------
// HTML pages

interface FormState {
  readonly value?: string;
  readonly error?: string;
}

/** The list of notes with the form; with an error, the form is shown again with a 422. */
function notesPage(req: Context<unknown>, form: FormState = {}): HttpResponse {
  const data = { notes, value: form.value ?? '', error: form.error ?? null };
  return req.render('notes.html', data, { status: form.error === undefined ? 200 : 422 });
}

app.get('/', { name: 'home' }, (req) => notesPage(req));

app.get('/notes/:id<int>', { name: 'note' }, (req) => {
  // `req.params.id` is a number: `/notes/abc` and `/notes/-1` never reach this handler (404).
  return req.render('note.html', { note: findNote(req.params.id) });
});

app.post('/notes', { name: 'addNote' }, async (req) => {
  const form = await req.form(); // 415 unless urlencoded, 413 past the body or field limits
  const value = form.get('text') ?? '';
  const text = value.trim();
  const length = [...text].length;
  let error: string | undefined;
  if (text === '') error = 'Write something first.';
  else if (length > MAX_NOTE_LENGTH) error = `A note has at most ${MAX_NOTE_LENGTH} characters; this one has ${length}.`;
  if (error !== undefined) {
    // Show the form again with what the visitor typed (escaped like every other value) and the error.
    return notesPage(req, { value, error });
  }
  const note = { id: ++lastId, text };
  notes.push(note);
  if (notes.length > MAX_NOTES) notes.shift();
  // 303 See Other: the browser follows with a GET, so a reload does not post the form again.
  return req.redirect(req.urlFor('note', { id: note.id }), 303);
});

// ---------------------------------------------------------------------------------------------
// Errors: both become error pages (HTML for browsers, JSON otherwise) with no stack trace for
// visitors. In development a client on this machine also sees the stack of the 500.

app.get('/missing', () => {
  throw notFound('This page was never written.');
});

app.get('/boom', () => {
  throw new Error('Something broke inside the handler.');
});

// ---------------------------------------------------------------------------------------------
// JSON API: a group with its own middleware, mounted under /api. Its route names get the `api.`
// prefix from the mount.

const api = group();

api.use(async (_req, next) => {
  const res = await next();
  res.header('x-api-version', '1');
  res.header('cache-control', 'no-store');
  return res;
});

api.get('/notes', { name: 'notes' }, (req) => notes.map((n) => ({ ...n, url: req.urlFor('api.note', { id: n.id }) })));

api.get('/notes/:id<int>', { name: 'note' }, (req) => findNote(req.params.id));

app.mount('/api', api, { name: 'api' });
