/**
 * Search: `/search?q=…` finds posts whose title or text contains the words, in any letter case.
 * The query is shown back three times (the heading, the search box, a "search again" link): the
 * template engine escapes each for its place, so none of them can become markup.
 *
 * @module
 */
import type { RouteGroup } from 'rampart';
import type { Blog, BlogDatabase } from '../app.js';
import { Post } from '../models.js';
import { renderPage } from './shared.js';

/** Longest query searched, in characters; the rest is ignored. */
export const MAX_QUERY_LENGTH = 100;
/** Most results shown. */
export const MAX_RESULTS = 50;

/**
 * Posts whose title or body contains `q`, newest first. `icontains` escapes `%` and `_`, so they
 * match themselves and a query cannot turn into a pattern that scans differently.
 *
 * @example await searchPosts(db, 'markdown')
 */
export async function searchPosts(db: BlogDatabase, q: string) {
  return db
    .query(Post)
    .filterAny([{ title__icontains: q }, { body__icontains: q }])
    .selectRelated('author')
    .prefetch('tags')
    .orderBy('-created', '-id')
    .limit(MAX_RESULTS)
    .all();
}

/**
 * Registers `/search`.
 *
 * @example searchRoutes(site, { db, uploads })
 */
export function searchRoutes(app: RouteGroup, { db }: Blog): void {
  app.get('/search', { name: 'search' }, async (req) => {
    const q = [...(req.query.get('q') ?? '').trim()].slice(0, MAX_QUERY_LENGTH).join('');
    const posts = q === '' ? [] : await searchPosts(db, q);
    return renderPage(req, 'search.html', { q, posts, max_query_length: MAX_QUERY_LENGTH });
  });
}
