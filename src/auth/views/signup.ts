/**
 * Signup: off unless `authRoutes({ signup: true })`. Creates an active, non-staff user with a
 * password that passed the validators, and logs them in.
 *
 * @module
 */
import { sql } from 'kysely';
import type { RouteGroup } from '../../routing/group.js';
import { IntegrityError } from '../../db/index.js';
import { login } from '../middleware.js';
import { User, usernameProblem } from '../models.js';
import { validatePassword } from '../passwords/index.js';
import { createUser, normalizeUsername } from '../users.js';
import { field, page, viewUrls, type Errors, type ViewConfig } from './shared.js';

const REQUIRED = 'This field is required.';
const TAKEN = 'A user with that username already exists.';
const EMAIL_SHAPE = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

export function signupViews(routes: RouteGroup, cfg: ViewConfig): void {
  routes.get('/signup', { name: 'signup' }, (req) => page(req, 'signup', viewUrls(req, 'signup'), { username: '', email: '' }));

  routes.post('/signup', async (req) => {
    const urls = viewUrls(req, 'signup');
    const form = await req.form();
    const username = normalizeUsername(field(form, 'username').trim());
    const email = field(form, 'email').trim();
    const p1 = field(form, 'password1');
    const p2 = field(form, 'password2');
    const errors: Errors = {};
    if (username === '') errors['username'] = [REQUIRED];
    else if (username.length > 150) errors['username'] = ['Ensure this value has at most 150 characters.'];
    else {
      const problem = usernameProblem(username);
      if (problem !== null) errors['username'] = [problem];
      else {
        // Case-insensitively, so "Ada" cannot sign up next to "ada" and pass for them.
        const taken = await sql<{ n: number | string }>`select count(*) as n from ${sql.table(User.table)} where lower(${sql.ref('username')}) = ${username.toLowerCase()}`.execute(cfg.db.kysely);
        if (Number(taken.rows[0]?.n ?? 0) > 0) errors['username'] = [TAKEN];
      }
    }
    if (email === '') errors['email'] = [REQUIRED];
    else if (email.length > 254 || !EMAIL_SHAPE.test(email)) errors['email'] = ['Enter a valid email address.'];
    if (p1 === '') errors['password1'] = [REQUIRED];
    if (p2 === '') errors['password2'] = [REQUIRED];
    else if (p1 !== p2) errors['password2'] = ['The two password fields didn’t match.'];
    else {
      const problems = validatePassword(p1, { username, email }, cfg.validators);
      if (problems.length > 0) errors['password2'] = problems;
    }
    const data = { username, email };
    if (Object.keys(errors).length > 0) return page(req, 'signup', urls, { ...data, errors }, 422);
    let user;
    try {
      user = await createUser(cfg.db, { username, email, password: p1 }, { hashers: cfg.hashers });
    } catch (err) {
      // Two signups for one name at once: the unique constraint decides.
      if (err instanceof IntegrityError && err.code === 'E_DB_UNIQUE') return page(req, 'signup', urls, { ...data, errors: { username: [TAKEN] } }, 422);
      throw err;
    }
    await login(req, user);
    return req.redirect(cfg.loginRedirectUrl, 303);
  });
}
