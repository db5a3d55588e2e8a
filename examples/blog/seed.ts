/**
 * Demo data, written once: on a database without users. Two users (`demo`, whose password is
 * returned so the server can print it, and `ada`, who cannot log in), three posts in Markdown
 * (one with an image), tags, a comment, and an `editors` group holding `blog.change_post`.
 *
 * @module
 */
import { randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { createUser, Group, permissionIds, User } from 'rampart/auth';
import type { Storage } from 'rampart/forms';
import type { BlogDatabase } from './app.js';
import { Comment, Post } from './models.js';
import { setTags } from './posts.js';

const SEED_IMAGE = fileURLToPath(new URL('./seed/rampart.png', import.meta.url));

const WELCOME = `This is a small multi-user blog built only on Rampart's public API. Everything here
is on by default: sessions and CSRF tokens, a Content-Security-Policy with a nonce, escaping by
context in every template.

Things to try:

- **Sign up**, write a post in Markdown and give it an image.
- Turn on **two-factor authentication** from your name in the top bar.
- **Search** for \`"><script>alert(1)</script>\`: the query is shown three times, and never runs.
- Read the posts as JSON at [/api/posts](/api/posts).
`;

const MARKDOWN = `Posts are written in [Markdown](https://commonmark.org) and shown after an allowlist
sanitizer has cleaned the HTML, because Markdown lets authors write raw HTML too.

## What stays

*Emphasis*, **strong**, \`code\`, lists, quotes, tables and links to http(s) or mailto:

> A link to [example.com](https://example.com) gets \`rel="nofollow noopener noreferrer"\`.

## What goes

Scripts, styles, event handlers, frames, images and \`javascript:\` links. This post's source
contains <script>alert('a script')</script> a script element, an
<img src="x" onerror="alert('an image')"> image with an error handler and a
[link](javascript:alert(1)); none of them survive.

\`\`\`html
<p onclick="alert(1)">Code blocks show HTML as text.</p>
\`\`\`
`;

const NOTES = `Comments are plain text: line breaks are kept, and everything else is escaped.

Only the author of a post, or someone with the \`blog.change_post\` permission (the \`editors\`
group has it), can edit or delete it.
`;

/** What `seed()` did. */
export interface SeedResult {
  readonly username: string;
  /** The demo user's password: random, shown once. */
  readonly password: string;
}

/**
 * Writes the demo data if the database has no user yet; returns the demo login, or null when
 * there was nothing to do.
 *
 * @example
 * const seeded = await seed(db, uploads)
 * if (seeded) console.log(`Log in as ${seeded.username} / ${seeded.password}`)
 */
export async function seed(db: BlogDatabase, uploads: Storage): Promise<SeedResult | null> {
  if (await db.query(User).exists()) return null;
  const password = randomBytes(12).toString('base64url');
  const image = await uploads.save(createReadStream(SEED_IMAGE), { filename: 'rampart.png', contentType: 'image/png' });
  try {
    await db.transaction(async () => {
      const demo = await createUser(db, { username: 'demo', email: 'demo@example.com', password, first_name: 'Demo' });
      // No password: an author of demo content nobody can log in as.
      const ada = await createUser(db, { username: 'ada', email: 'ada@example.com', first_name: 'Ada' });

      const editors = await db.query(Group).create({ name: 'editors' });
      await db.related(Group, editors.id, 'permissions').add(...(await permissionIds(db, 'blog.change_post')));

      const notes = await db.query(Post).create({ title: 'Who may change a post', body: NOTES, author_id: ada.id });
      await setTags(db, notes.id, 'permissions');
      const markdown = await db.query(Post).create({ title: 'Markdown, safely', body: MARKDOWN, author_id: demo.id });
      await setTags(db, markdown.id, 'markdown, security');
      const welcome = await db.query(Post).create({ title: 'Welcome to the Rampart blog', body: WELCOME, author_id: demo.id, image: image.key });
      await setTags(db, welcome.id, 'rampart, welcome');

      await db.query(Comment).create({ post_id: welcome.id, author_id: ada.id, body: 'Nice to see you here.\nTry writing a post with an image.' });
    });
  } catch (err) {
    await uploads.delete(image.key);
    throw err;
  }
  return { username: 'demo', password };
}
