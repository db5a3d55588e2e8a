/**
 * The blog's tables: posts (Markdown text, one optional image, tags), tags and comments. The
 * accounts and sessions tables come from the batteries and are listed in `MODELS` with ours, so one
 * `makeMigrations()` call covers the whole database.
 *
 * @module
 */
import { authModels, User } from 'rampart/auth';
import { field, model, type Row } from 'rampart/db';
import { SessionEntry } from 'rampart/sessions';

/** Longest post title, in characters. */
export const MAX_TITLE_LENGTH = 200;
/** Longest post body, in characters: Markdown is rendered on every view, so it is bounded. */
export const MAX_BODY_LENGTH = 50_000;
/** Longest comment, in characters. */
export const MAX_COMMENT_LENGTH = 2_000;

export const Tag = model(
  'blog_tag',
  {
    name: field.slug({ maxLength: 50, unique: true }),
  },
  { ordering: ['name'], verboseName: 'tag' },
);

export const Post = model(
  'blog_post',
  {
    title: field.string({ maxLength: MAX_TITLE_LENGTH }),
    body: field.text({
      blank: false,
      maxLength: MAX_BODY_LENGTH,
      helpText: 'Markdown. HTML in it is cleaned: scripts, styles, event handlers and images are removed.',
    }),
    // The storage key of the uploaded image (random, chosen by the storage), never a file name.
    image: field.string({ maxLength: 64, nullable: true, editable: false }),
    author: field.foreignKey(() => User, { onDelete: 'cascade', relatedName: 'posts' }),
    tags: field.manyToMany(() => Tag),
    created: field.datetime({ autoNowAdd: true }),
    updated: field.datetime({ autoNow: true }),
  },
  { ordering: ['-created', '-id'], verboseName: 'post' },
);

export const Comment = model(
  'blog_comment',
  {
    post: field.foreignKey(() => Post, { onDelete: 'cascade', relatedName: 'comments' }),
    author: field.foreignKey(() => User, { onDelete: 'cascade' }),
    body: field.text({ blank: false, maxLength: MAX_COMMENT_LENGTH, label: 'Comment' }),
    created: field.datetime({ autoNowAdd: true }),
  },
  { ordering: ['created', 'id'], verboseName: 'comment' },
);

/** The blog's own models: their permissions (`blog.change_post`…) are created at start. */
export const BLOG_MODELS = [Tag, Post, Comment] as const;

/** Every table of the database, for `connect()` and `makeMigrations()`. */
export const MODELS = [...authModels, SessionEntry, ...BLOG_MODELS] as const;

export type PostRow = Row<typeof Post>;
export type CommentRow = Row<typeof Comment>;
