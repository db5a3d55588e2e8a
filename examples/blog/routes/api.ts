/**
 * The JSON API. Reading is open to anyone. Writing uses the browser's session cookie, so it is
 * checked for CSRF like a form: a script on one of our pages gets a token from `/api/csrf` (or the
 * page) and sends it in the `X-CSRF-Token` header; a request without it is a 403.
 *
 * @module
 */
import { forbidden, group, json, type Context, type RouteGroup } from 'rampart';
import { PAGE_SIZE, type Blog } from '../app.js';
import { PostApiForm } from '../forms.js';
import { renderMarkdown } from '../markdown.js';
import { Post } from '../models.js';
import { deletePost, findPost, mayChange, setTags, type FullPost } from '../posts.js';
import { signedInUser } from './shared.js';

type ListedPost = Pick<FullPost, 'id' | 'title' | 'body' | 'image' | 'created' | 'updated' | 'author' | 'tags'>;

/** A post as JSON. Written field by field: a row is never sent as it is (the author row holds a password hash). */
function postJson(req: Context<unknown>, post: ListedPost) {
  return {
    id: post.id,
    title: post.title,
    body: post.body,
    html: renderMarkdown(post.body).toString(),
    author: post.author?.username ?? null,
    tags: post.tags.map((t) => t.name),
    image: post.image === null ? null : req.urlFor('post_image', { id: post.id }),
    created: post.created.toISOString(),
    updated: post.updated.toISOString(),
    url: req.urlFor('api.post', { id: post.id }),
    page: req.urlFor('post', { id: post.id }),
  };
}

/**
 * The API routes, to mount under /api.
 *
 * @example app.mount('/api', apiRoutes({ db, uploads }), { name: 'api' })
 */
export function apiRoutes(blog: Blog): RouteGroup {
  const { db, uploads } = blog;
  const api = group();

  api.get('/posts', { name: 'posts' }, async (req) => {
    const page = await db.query(Post).selectRelated('author').prefetch('tags').paginate({ size: PAGE_SIZE, after: req.query.get('after') });
    return {
      posts: page.items.map((p) => postJson(req, p)),
      next: page.next === null ? null : req.urlFor('api.posts', {}, { after: page.next }),
    };
  });

  api.get('/posts/:id<int>', { name: 'post' }, async (req) => postJson(req, await findPost(db, req.params.id)));

  // { "title": "…", "body": "Markdown…", "tags": "news, rampart" } → 201 with the post.
  api.post('/posts', async (req) => {
    const user = await signedInUser(req); // 401 for an anonymous client
    const data = await req.form(PostApiForm); // 422 with every message in details.fields
    const id = await db.transaction(async () => {
      const post = await db.query(Post).create({ title: data.title, body: data.body, author_id: user.id });
      await setTags(db, post.id, data.tags);
      return post.id;
    });
    const body = postJson(req, await findPost(db, id));
    return json(body, { status: 201, headers: { location: body.url } });
  });

  api.delete('/posts/:id<int>', async (req) => {
    const user = await signedInUser(req);
    const post = await findPost(db, req.params.id);
    if (!(await mayChange(user, post))) throw forbidden('Only the author of this post, or an editor, can delete it.');
    await deletePost(db, uploads, post);
    return { deleted: post.id };
  });

  // The CSRF token for scripts. Only pages of this origin can read the answer (no CORS).
  api.get('/csrf', { name: 'csrf' }, (req) => ({ csrfToken: req.csrfToken() }));

  return api;
}
