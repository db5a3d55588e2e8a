/**
 * The blog's forms. Title and body reuse the model's fields, so a form and the table share one set
 * of rules and messages; tags, the image and the "remove image" box exist only in forms.
 *
 * @module
 */
import { form, formField, type Storage } from 'rampart/forms';
import { Comment, Post } from './models.js';

/** Raster images only: SVG can carry scripts, so it is not accepted (and would never be shown inline). */
export const IMAGE_TYPES = ['image/png', 'image/jpeg', 'image/gif', 'image/webp'] as const;
/** Largest image, in bytes. */
export const MAX_IMAGE_BYTES = 5 * 1024 * 1024;
/** Most tags on one post. */
export const MAX_TAGS = 5;

const TAG_RE = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;

/**
 * The tag names in a comma-separated list: trimmed, lower-cased, without duplicates.
 *
 * @example parseTags(' News, rampart,news ') // ['news', 'rampart']
 */
export function parseTags(value: string): string[] {
  const names = value.split(',').map((t) => t.trim().toLowerCase()).filter((t) => t !== '');
  return [...new Set(names)];
}

/** A problem with a tag list, or null. */
function tagsProblem(value: string): string | null {
  const names = parseTags(value);
  if (names.length > MAX_TAGS) return `At most ${MAX_TAGS} tags.`;
  const bad = names.find((t) => !TAG_RE.test(t) || t.length > 50);
  return bad === undefined ? null : `"${bad}" is not a tag: use letters, digits and hyphens (e.g. "release-notes").`;
}

const tagsField = formField.string({
  maxLength: 300,
  blank: true,
  default: '',
  helpText: 'Comma-separated, e.g. news, release-notes.',
  validators: [tagsProblem],
});

/** The fields of a post shared by the page form and the JSON API. */
const postFields = {
  title: Post.fields.title,
  body: Post.fields.body,
  tags: tagsField,
};

/**
 * The post form of the pages: the fields, an optional image, and a box to remove the current one.
 * The form stores the upload itself (type sniffed from the bytes, size limited) and deletes it
 * again when the form is invalid.
 *
 * @example const bound = await postForm(uploads).bind(req)
 */
export function postForm(storage: Storage) {
  return form(
    {
      ...postFields,
      image: formField.file({
        accept: IMAGE_TYPES,
        maxFileBytes: MAX_IMAGE_BYTES,
        required: false,
        helpText: 'PNG, JPEG, GIF or WebP, at most 5 MB.',
      }),
      remove_image: formField.checkbox({ label: 'Remove the current image' }),
    },
    { storage },
  );
}

/** The same post fields for the JSON API (no file: JSON carries none). */
export const PostApiForm = form(postFields);

export const CommentForm = form({ body: Comment.fields.body }, { idPrefix: 'comment_' });
