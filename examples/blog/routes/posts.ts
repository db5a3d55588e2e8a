/**
 * Reading the blog: the home page (newest first, cursor pagination), a post with its image and
 * comments, the posts of a tag.
 *
 * @module
 */
import { notFound, type Context, type HttpResponse, type RouteGroup } from 'rampart';
import { joinTable, MAX_IN_VALUES, sql } from 'rampart/db';
import { serveUpload, type BoundForm } from 'rampart/forms';
import { PAGE_SIZE, type Blog } from '../app.js';
import { CommentForm } from '../forms.js';
import { Comment, Post, Tag } from '../models.js';
import { findPost, mayChange } from '../posts.js';
import { renderPage } from './shared.js';

/** Most comments shown under a post. */
const MAX_COMMENTS = 500;

/**
 * A post's page. The comment route renders it again with its bound form and a 422 when a comment
 * is invalid.
 *
 * @example return postPage(req, blog, req.params.id)
 */
export async function postPage(
  req: Context<unknown>,
  { db }: Blog,
  id: number,
  commentForm: BoundForm<typeof CommentForm.fields> = CommentForm.unbound(),
  status = 200,
): Promise<HttpResponse> {
  const post = await findPost(db, id);
  const comments = await db.query(Comment).filter({ post_id: post.id }).selectRelated('author').limit(MAX_COMMENTS).all();
  const mayEdit = await mayChange(await req.user, post);
  return renderPage(req, 'posts/detail.html', { post, comments, comment_form: commentForm, may_change: mayEdit }, { status });
}

/**
 * Registers the reading pages.
 *
 * @example postRoutes(site, { db, uploads })
 */
export function postRoutes(app: RouteGroup, blog: Blog): void {
  const { db } = blog;

  app.get('/', { name: 'home' }, async (req) => {
    // `after` comes from the query string: a forged or stale cursor is a 400, never bad SQL.
    const page = await db.query(Post).selectRelated('author').prefetch('tags').paginate({ size: PAGE_SIZE, after: req.query.get('after') });
    return renderPage(req, 'posts/list.html', { posts: page.items, next: page.next });
  });

  app.get('/posts/:id<int>', { name: 'post' }, (req) => postPage(req, blog, req.params.id));

  app.get('/tags/:name<slug>', { name: 'tag' }, async (req) => {
    const tag = await db.query(Tag).filter({ name: req.params.name }).first();
    if (tag === undefined) throw notFound(`There is no tag ${req.params.name}.`);
    // The join table of Post.tags is not a model, so this one query is written with the `sql`
    // tag: every ${value} is a bound parameter, and the names come from the model, not the request.
    const { table, from, to } = joinTable(Post, 'tags');
    // The newest MAX_IN_VALUES posts of the tag at most: the `id__in` lookup below takes no more.
    const links = await sql<{ id: number | string }>`select ${sql.ref(from)} as id from ${sql.table(table)} where ${sql.ref(to)} = ${tag.id} order by ${sql.ref(from)} desc limit ${MAX_IN_VALUES}`.execute(db.kysely);
    const ids = links.rows.map((r) => Number(r.id));
    const page = await db.query(Post).filter({ id__in: ids }).selectRelated('author').prefetch('tags').paginate({ size: PAGE_SIZE, after: req.query.get('after') });
    return renderPage(req, 'posts/list.html', { posts: page.items, next: page.next, tag: tag.name });
  });
}

/**
 * Registers `/posts/:id/image`. It needs no session, so the app registers it outside the pages'
 * group: loading an image costs no session read.
 *
 * @example postImageRoute(app, { db, uploads })
 */
export function postImageRoute(app: RouteGroup, { db, uploads }: Blog): void {
  // The image is served through a route, never from the static folder: inline only for raster
  // types sniffed at upload, with nosniff and a sandbox CSP (serveUpload's defaults).
  app.get('/posts/:id<int>/image', { name: 'post_image' }, async (req) => {
    const post = await db.query(Post).getOr404(req.params.id);
    if (post.image === null) throw notFound('This post has no image.');
    return serveUpload(uploads, post.image, { inline: true });
  });
}
