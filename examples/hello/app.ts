/**
 * The hello example: a tiny notes app built only on the public API.
 *
 * It shows typed route params, a route group under `/api` with its own middleware, JSON, an HTML
 * page with a form that is validated on the server, error pages and named routes. Notes live in
 * memory and disappear when the process stops.
 *
 * Run it with `npm start` and open http://127.0.0.1:8000.
 *
 * @module
 */
import { rampart, group, html, notFound, HttpResponse, type Context, type SafeHtml } from 'rampart';

export interface Note {
  readonly id: number;
  readonly text: string;
}

/** Longest note accepted, in characters. */
export const MAX_NOTE_LENGTH = 200;
/** Notes kept in memory; the oldest is dropped past this, so a busy form cannot exhaust memory. */
const MAX_NOTES = 100;

const notes: Note[] = [
  { id: 1, text: 'Every value in an html`` template is escaped.' },
  { id: 2, text: 'A plain string is sent as text/plain, never as HTML.' },
];
let lastId = notes.length;

function findNote(id: number): Note {
  const note = notes.find((n) => n.id === id);
  if (note === undefined) throw notFound(`There is no note ${id}.`);
  return note;
}

export const app = rampart();

// ---------------------------------------------------------------------------------------------
// HTML pages

/** The page frame. The inline style carries this response's CSP nonce, or the browser blocks it. */
function layout(req: Context<unknown>, title: string, body: SafeHtml): SafeHtml {
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>${title} · Rampart</title>
<style nonce="${req.cspNonce}">
  body { font: 16px/1.5 system-ui, sans-serif; max-width: 40rem; margin: 2rem auto; padding: 0 1rem; }
  .error { color: #b00020; }
</style>
</head>
<body>
${body}
</body>
</html>`;
}

interface FormState {
  readonly value?: string;
  readonly error?: string;
}

function homePage(req: Context<unknown>, form: FormState = {}): SafeHtml {
  const items = notes.map((n) => html`<li><a href="${req.urlFor('note', { id: n.id })}">${n.text}</a></li>`);
  return layout(
    req,
    'Notes',
    html`<h1>Notes</h1>
<ul>${items}</ul>
<form method="post" action="${req.urlFor('addNote')}">
  <label for="text">New note</label>
  ${form.error !== undefined && html`<p class="error" id="text-error">${form.error}</p>`}
  <textarea id="text" name="text" maxlength="${MAX_NOTE_LENGTH}" required>${form.value ?? ''}</textarea>
  <button type="submit">Add</button>
</form>
<p>The same notes as JSON: <a href="${req.urlFor('api.notes')}">${req.urlFor('api.notes')}</a></p>`,
  );
}

app.get('/', { name: 'home' }, (req) => homePage(req));

app.get('/notes/:id<int>', { name: 'note' }, (req) => {
  // `req.params.id` is a number: `/notes/abc` and `/notes/-1` never reach this handler (404).
  const note = findNote(req.params.id);
  return layout(req, `Note ${note.id}`, html`<h1>Note ${note.id}</h1>
<p>${note.text}</p>
<p><a href="${req.urlFor('home')}">All notes</a></p>`);
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
    // Re-render the form with what the visitor typed (escaped like every other value) and the error.
    const page = homePage(req, { value, error });
    return new HttpResponse(page.toString(), { status: 422, headers: { 'content-type': 'text/html; charset=utf-8' } });
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
