/**
 * `createsuperuser` and `changepassword`: accounts of `rampart/auth` from the command line, with
 * hidden password prompts and the password validators applied.
 *
 * @module
 */
import { createSuperuser, normalizeUsername, setPassword, User, validatePassword, type AuthUser } from '../../auth/index.js';
import type { Database } from '../../db/database.js';
import { IntegrityError } from '../../db/errors.js';
import { stringOption, type Command, type CommandContext } from '../command.js';
import { databaseUrl, withDatabase } from '../database-errors.js';
import { CliError, EXIT_CODES } from '../errors.js';
import type { LoadedApp } from '../project.js';
import { canPrompt, confirm, password, question } from '../prompt.js';

/** Environment variables `createsuperuser --noinput` reads. */
export const SUPERUSER_ENV = Object.freeze({
  username: 'RAMPART_SUPERUSER_USERNAME',
  email: 'RAMPART_SUPERUSER_EMAIL',
  password: 'RAMPART_SUPERUSER_PASSWORD',
});

/** Password attempts before giving up, so a script stuck on a prompt ends. */
const MAX_ATTEMPTS = 3;

function userDatabase(loaded: LoadedApp): Database {
  const db = loaded.db;
  if (db === null || !db.models.some((m) => m.table === User.table)) {
    throw new CliError('E_CLI_NO_USER_MODEL', "This command needs the app's `db` export with the accounts models of rampart/auth (User) among its models.", {
      hint: "In the app module: export const db = await connect({ models: [...authModels, ...yourModels] }) (authModels from 'rampart/auth'), then run rampart makemigrations and rampart migrate.",
    });
  }
  return db;
}

function interactive(ctx: CommandContext): boolean {
  return ctx.values['noinput'] !== true && canPrompt(ctx.stdin);
}

/** Asks for a new password twice until both match and the validators pass (or the user accepts a weak one). */
async function askPassword(ctx: CommandContext, user: { username: string; email: string }): Promise<string> {
  for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
    const first = await password(ctx.stdin, ctx.io, 'Password: ');
    const second = await password(ctx.stdin, ctx.io, 'Password (again): ');
    if (first !== second) {
      ctx.io.err("The two passwords don't match.");
      continue;
    }
    if (first === '') {
      ctx.io.err('The password cannot be empty.');
      continue;
    }
    const problems = validatePassword(first, user);
    if (problems.length === 0) return first;
    for (const p of problems) ctx.io.err(`  - ${p}`);
    if (await confirm(ctx.stdin, ctx.io, 'Use this password anyway? [y/N] ')) return first;
  }
  throw new CliError('E_CLI_PASSWORD_REFUSED', `No acceptable password after ${MAX_ATTEMPTS} attempts; nothing was changed.`);
}

function refused(problems: readonly string[]): CliError {
  return new CliError('E_CLI_PASSWORD_REFUSED', `The password was refused by the password validators:\n${problems.map((p) => `  - ${p}`).join('\n')}`, {
    hint: `Choose a longer, less common password in ${SUPERUSER_ENV.password}.`,
  });
}

export const createsuperuserCommand: Command = {
  name: 'createsuperuser',
  summary: 'create a superuser account (asks, or reads RAMPART_SUPERUSER_* with --noinput)',
  description: `With --noinput (or without a terminal) the account comes from --username/--email or ${SUPERUSER_ENV.username}, ${SUPERUSER_ENV.email} and ${SUPERUSER_ENV.password}; the password validators apply either way.`,
  options: {
    username: { type: 'string', value: 'NAME', help: `the username (default: ${SUPERUSER_ENV.username}, or asked)` },
    email: { type: 'string', value: 'EMAIL', help: `the email address (default: ${SUPERUSER_ENV.email}, or asked)` },
    noinput: { type: 'boolean', help: 'never ask; read the environment' },
  },
  async run(ctx) {
    const { loaded } = await ctx.app();
    const db = userDatabase(loaded);
    const env = (name: string): string | undefined => {
      const v = process.env[name];
      return v === undefined || v === '' ? undefined : v;
    };
    let username = stringOption(ctx.values, 'username') ?? env(SUPERUSER_ENV.username);
    let email = stringOption(ctx.values, 'email') ?? env(SUPERUSER_ENV.email);
    let secret: string;
    if (interactive(ctx)) {
      while (username === undefined || username.trim() === '') username = (await question(ctx.stdin, ctx.io, 'Username: ')).trim();
      email ??= (await question(ctx.stdin, ctx.io, 'Email address (optional): ')).trim();
      const taken = await withDatabase(databaseUrl(), () => db.query(User).filter({ username: normalizeUsername(username!) }).exists());
      if (taken) throw new CliError('E_CLI_USER_EXISTS', `The username '${username}' is already taken; nothing was created.`, { hint: 'Choose another username, or use `rampart changepassword`.' });
      secret = await askPassword(ctx, { username, email });
    } else {
      const pw = env(SUPERUSER_ENV.password);
      const missing = [username === undefined ? SUPERUSER_ENV.username : '', pw === undefined ? SUPERUSER_ENV.password : ''].filter((x) => x !== '');
      if (missing.length > 0) {
        throw new CliError('E_CLI_NOINPUT', `createsuperuser cannot ask (${ctx.values['noinput'] === true ? '--noinput' : 'no terminal'}) and ${missing.join(' and ')} ${missing.length === 1 ? 'is' : 'are'} not set.`, {
          hint: `Set ${SUPERUSER_ENV.username} and ${SUPERUSER_ENV.password} (and optionally ${SUPERUSER_ENV.email}), or run it in a terminal.`,
        });
      }
      secret = pw!;
      const problems = validatePassword(secret, { username: username!, email: email ?? '' });
      if (problems.length > 0) throw refused(problems);
    }
    let user: AuthUser;
    try {
      user = await withDatabase(databaseUrl(), () => createSuperuser(db, { username: username!, email: email ?? '', password: secret }));
    } catch (err) {
      if (err instanceof IntegrityError && err.code === 'E_DB_UNIQUE') {
        throw new CliError('E_CLI_USER_EXISTS', `The username '${username}' is already taken; nothing was created.`, { hint: 'Choose another username, or use `rampart changepassword`.' });
      }
      throw err;
    }
    ctx.io.out(`Superuser '${user.username}' created.`);
    return EXIT_CODES.ok;
  },
};

export const changepasswordCommand: Command = {
  name: 'changepassword',
  summary: "change a user's password (asks for it twice, hidden)",
  args: '<username>',
  positionals: [1, 1],
  description: "The user's sessions end: they are bound to the password.",
  async run(ctx) {
    const { loaded } = await ctx.app();
    const db = userDatabase(loaded);
    const username = ctx.positionals[0]!;
    const user = await withDatabase(databaseUrl(), () => db.query(User).filter({ username: normalizeUsername(username) }).first());
    if (user === undefined) throw new CliError('E_CLI_USER_NOT_FOUND', `There is no user '${username}'.`, { hint: 'Check the spelling; usernames are case-sensitive.' });
    if (!canPrompt(ctx.stdin)) {
      throw new CliError('E_CLI_NOINPUT', 'changepassword asks for the password in a terminal, and standard input is not one.', {
        hint: 'Run it in a terminal (over ssh: ssh -t), or set the password in code with setPassword() from rampart/auth.',
      });
    }
    ctx.io.out(`Changing the password of '${user.username}'.`);
    const secret = await askPassword(ctx, { username: user.username, email: user.email });
    await setPassword(db, user, secret);
    ctx.io.out(`Password of '${user.username}' changed; the user's sessions have ended.`);
    return EXIT_CODES.ok;
  },
};
