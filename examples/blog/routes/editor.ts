/**
 * Writing: new post, edit, delete, and comments. Every route here is behind `requireLogin()`: an
 * anonymous browser is sent to the login page and comes back after it. Editing and deleting
 * also need to be the post's author or to hold `blog.change_post`.
 *
 * @module
 */
import { forbidden, group, type RouteGroup } from 'rampart';
import { requireLogin } from 'rampart/auth';
import type { Blog } from '../app.js';
import { CommentForm, postForm } from '../forms.js';
import { Comment, Post } from '../models.js';
import { deletePost, findPost, mayChange, setTags } from '../posts.js';
import { postPage } from './posts.js';
import { renderPage, signedInUser } from './shared.js';

const NOT_YOURS = 'Only the author of this post, or an editor, can change it.';

/**
 * Registers the writing routes under /posts (names `posts.new`, `posts.edit`…).
 *
 * @example editorRoutes(site, { db, uploads })
 */
export function editorRoutes(app: RouteGroup, blog: Blog): void {
  const { db, uploads } = blog;
  const PostForm = postForm(uploads);
  const editor = group().use(requireLogin());

  editor.get('/new', { name: 'new' }, (req) => {
    return renderPage(req, 'posts/form.html', { form: PostForm.unbound(), post: null, action: req.urlFor('posts.new') });
  });

  editor.post('/new', async (req) => {
    const user = await signedInUser(req);
    const bound = await PostForm.bind(req); // stores the image, or deletes it again if the form is invalid
    if (!bound.valid) {
      return renderPage(req, 'posts/form.html', { form: bound, post: null, action: req.urlFor('posts.new') }, { status: 422 });
    }
    const { title, body, tags, image } = bound.data;
    try {
      const post = await db.transaction(async () => {
        const created = await db.query(Post).create({ title, body, author_id: user.id, image: image?.key ?? null });
        await setTags(db, created.id, tags);
        return created;
      });
      // 303: the browser follows with a GET, so a reload does not post the form again.
      return req.redirect(req.urlFor('post', { id: post.id }), 303);
    } catch (err) {
      await image?.delete(); // the row that would have named it does not exist
      throw err;
    }
  });

  editor.get('/:id<int>/edit', { name: 'edit' }, async (req) => {
    const post = await findPost(db, req.params.id);
    if (!(await mayChange(await req.user, post))) throw forbidden(NOT_YOURS);
    const tags = post.tags.map((t) => t.name).join(', ');
    const form = PostForm.unbound({ title: post.title, body: post.body, tags });
    return renderPage(req, 'posts/form.html', { form, post, action: req.urlFor('posts.edit', { id: post.id }) });
  });

  editor.post('/:id<int>/edit', async (req) => {
    const post = await findPost(db, req.params.id);
    // Checked before the body is read: a refused request stores no upload.
    if (!(await mayChange(await req.user, post))) throw forbidden(NOT_YOURS);
    const bound = await PostForm.bind(req);
    if (!bound.valid) {
      return renderPage(req, 'posts/form.html', { form: bound, post, action: req.urlFor('posts.edit', { id: post.id }) }, { status: 422 });
    }
    const { title, body, tags, image, remove_image } = bound.data;
    const imageKey = image !== null ? image.key : remove_image ? null : post.image;
    try {
      await db.transaction(async () => {
        await db.query(Post).filter({ id: post.id }).update({ title, body, image: imageKey });
        await setTags(db, post.id, tags);
      });
    } catch (err) {
      await image?.delete(); // the post still names its old image
      throw err;
    }
    if (post.image !== null && post.image !== imageKey) await uploads.delete(post.image);
    return req.redirect(req.urlFor('post', { id: post.id }), 303);
  });

  // Deleting is a POST from a confirmation page: a link or an image on another site cannot do it.
  editor.get('/:id<int>/delete', { name: 'delete' }, async (req) => {
    const post = await findPost(db, req.params.id);
    if (!(await mayChange(await req.user, post))) throw forbidden(NOT_YOURS);
    return renderPage(req, 'posts/delete.html', { post });
  });

  editor.post('/:id<int>/delete', async (req) => {
    const post = await findPost(db, req.params.id);
    if (!(await mayChange(await req.user, post))) throw forbidden(NOT_YOURS);
    await deletePost(db, uploads, post);
    return req.redirect(req.urlFor('home'), 303);
  });

  editor.post('/:id<int>/comments', { name: 'comment' }, async (req) => {
    const user = await signedInUser(req);
    const post = await db.query(Post).getOr404(req.params.id);
    const bound = await CommentForm.bind(req);
    if (!bound.valid) return postPage(req, blog, post.id, bound, 422);
    const comment = await db.query(Comment).create({ post_id: post.id, author_id: user.id, body: bound.data.body });
    return req.redirect(`${req.urlFor('post', { id: post.id })}#comment-${comment.id}`, 303);
  });

  app.mount('/posts', editor, { name: 'posts' });
}
