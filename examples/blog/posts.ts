/**
 * What the pages and the API both do with posts: load one with its author and tags, save the
 * tags, decide who may change a post, delete a post with its image.
 *
 * @module
 */
import { can, type AuthUser } from 'rampart/auth';
import { IntegrityError } from 'rampart/db';
import type { Storage } from 'rampart/forms';
import type { BlogDatabase } from './app.js';
import { parseTags } from './forms.js';
import { Post, Tag, type PostRow } from './models.js';

/**
 * One post with its author and tags, or a 404.
 *
 * @example const post = await findPost(db, req.params.id)
 */
export function findPost(db: BlogDatabase, id: number) {
  return db.query(Post).selectRelated('author').prefetch('tags').getOr404(id);
}

/** A post as the page and the API load it. */
export type FullPost = Awaited<ReturnType<typeof findPost>>;

/**
 * Whether `user` may edit or delete `post`: its author, or anyone with `blog.change_post` (a
 * superuser has every permission).
 *
 * @example if (!(await mayChange(await req.user, post))) throw forbidden()
 */
export async function mayChange(user: AuthUser | null, post: Pick<PostRow, 'author_id'>): Promise<boolean> {
  if (user === null) return false;
  return post.author_id === user.id || (await can(user, 'blog.change_post'));
}

/**
 * Links the post to exactly these tags (a comma-separated list), creating the tags that are new.
 *
 * @example await setTags(db, post.id, 'news, rampart')
 */
export async function setTags(db: BlogDatabase, postId: number, list: string): Promise<void> {
  const ids: number[] = [];
  for (const name of parseTags(list)) {
    let tag = await db.query(Tag).filter({ name }).first();
    if (tag === undefined) {
      try {
        tag = await db.query(Tag).create({ name });
      } catch (err) {
        // Another request created the same tag in between: use theirs.
        if (!(err instanceof IntegrityError)) throw err;
        tag = await db.query(Tag).filter({ name }).first();
        if (tag === undefined) throw err;
      }
    }
    ids.push(tag.id);
  }
  await db.related(Post, postId, 'tags').set(ids);
}

/**
 * Deletes a post (its comments and tag links go with it, by cascade), then its image.
 *
 * @example await deletePost(db, uploads, post)
 */
export async function deletePost(db: BlogDatabase, uploads: Storage, post: Pick<PostRow, 'id' | 'image'>): Promise<void> {
  await db.query(Post).filter({ id: post.id }).delete();
  if (post.image !== null) await uploads.delete(post.image);
}
