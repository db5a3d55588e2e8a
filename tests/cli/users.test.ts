/**
 * createsuperuser and changepassword: from the environment with --noinput, and in a terminal with
 * the password never echoed; the password validators apply both ways.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { passwordHashers } from 'rampart/auth';
import { CONFIG, converse, fixtureProject, killAll, rampartRun, removeProjects, type Project } from './support.ts';

after(() => {
  killAll();
  removeProjects();
});

const APP = `import { rampart } from 'rampart';
import { authModels } from 'rampart/auth';
import { connect } from 'rampart/db';
export const db = await connect({ models: [...authModels] });
export const app = rampart();
app.onClose(() => db.close());
`;

const GOOD_PASSWORD = 'plum-orbit-lantern-93';

interface UserRow {
  username: string;
  email: string;
  password: string;
  is_superuser: number;
  is_staff: number;
  is_active: number;
}

function users(p: Project): UserRow[] {
  const db = new Database(join(p.dir, 'db.sqlite3'), { readonly: true });
  try {
    return db.prepare('select username, email, password, is_superuser, is_staff, is_active from auth_user order by id').all() as UserRow[];
  } finally {
    db.close();
  }
}

let project: Project;

before(async () => {
  project = fixtureProject({ 'rampart.config.ts': CONFIG, 'src/app.ts': APP });
  const made = await rampartRun(['makemigrations'], { cwd: project.dir });
  assert.equal(made.code, 0, made.stderr);
  const migrated = await rampartRun(['migrate'], { cwd: project.dir });
  assert.equal(migrated.code, 0, migrated.stderr);
});

describe('rampart createsuperuser --noinput', () => {
  test('creates an active staff superuser from RAMPART_SUPERUSER_*, with a hashed password', async () => {
    const r = await rampartRun(['createsuperuser', '--noinput'], {
      cwd: project.dir,
      env: { RAMPART_SUPERUSER_USERNAME: 'ada', RAMPART_SUPERUSER_EMAIL: 'ada@example.com', RAMPART_SUPERUSER_PASSWORD: GOOD_PASSWORD },
    });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, "Superuser 'ada' created.\n");
    const row = users(project).find((u) => u.username === 'ada')!;
    assert.equal(row.email, 'ada@example.com');
    assert.deepEqual([row.is_superuser, row.is_staff, row.is_active], [1, 1, 1]);
    assert.ok(!row.password.includes(GOOD_PASSWORD));
    assert.equal((await passwordHashers().verify(GOOD_PASSWORD, row.password)).valid, true);
  });

  test('a taken username exits 1 and changes nothing', async () => {
    const before = users(project).length;
    const r = await rampartRun(['createsuperuser', '--noinput', '--username', 'ada'], { cwd: project.dir, env: { RAMPART_SUPERUSER_PASSWORD: 'another-good-phrase-77' } });
    assert.equal(r.code, 1);
    assert.match(r.stderr, /^rampart: The username 'ada' is already taken; nothing was created\. \[E_CLI_USER_EXISTS\]$/m);
    assert.equal(users(project).length, before);
  });

  test('a password the validators refuse exits 1 with their messages, and no user is created', async () => {
    const r = await rampartRun(['createsuperuser', '--noinput'], { cwd: project.dir, env: { RAMPART_SUPERUSER_USERNAME: 'weak', RAMPART_SUPERUSER_PASSWORD: 'password' } });
    assert.equal(r.code, 1);
    assert.match(r.stderr, /^rampart: The password was refused by the password validators:\n {2}- /m);
    assert.match(r.stderr, /\[E_CLI_PASSWORD_REFUSED\]/);
    assert.equal(users(project).some((u) => u.username === 'weak'), false);
  });

  test('without the password variable it stops with E_CLI_NOINPUT naming it', async () => {
    const r = await rampartRun(['createsuperuser', '--noinput', '--username', 'bob'], { cwd: project.dir });
    assert.equal(r.code, 1);
    assert.match(r.stderr, /^rampart: createsuperuser cannot ask \(--noinput\) and RAMPART_SUPERUSER_PASSWORD is not set\. \[E_CLI_NOINPUT\]$/m);
  });

  test('an invalid username is refused by the model', async () => {
    const r = await rampartRun(['createsuperuser', '--noinput', '--username', 'bad name'], { cwd: project.dir, env: { RAMPART_SUPERUSER_PASSWORD: GOOD_PASSWORD } });
    assert.equal(r.code, 1);
    assert.match(r.stderr, /Enter a valid username\..*\[E_DB_VALIDATION\]/);
  });
});

describe('rampart createsuperuser and changepassword in a terminal', () => {
  test('asks username, email and the password twice without echoing it', async () => {
    const r = await converse(project.dir, 'createsuperuser', [
      [/Username: $/, 'grace'],
      [/Email address \(optional\): $/, 'grace@example.com'],
      [/Password: $/, GOOD_PASSWORD],
      [/Password \(again\): $/, GOOD_PASSWORD],
    ]);
    assert.equal(r.code, 0, r.output);
    assert.match(r.output, /Superuser 'grace' created\./);
    assert.match(r.output, /grace@example\.com/, 'the email is echoed as typed');
    assert.ok(!r.output.includes(GOOD_PASSWORD), 'the password is not echoed');
    const row = users(project).find((u) => u.username === 'grace')!;
    assert.equal((await passwordHashers().verify(GOOD_PASSWORD, row.password)).valid, true);
  });

  test('changepassword sets a new password; mismatched entries are asked again', async () => {
    const next = 'quartz-meadow-violin-41';
    const r = await converse(project.dir, 'changepassword grace', [
      [/Password: $/, next],
      [/Password \(again\): $/, 'something-else'],
      [/don't match\.\r?\nPassword: $/, next],
      [/Password \(again\): $/, next],
    ]);
    assert.equal(r.code, 0, r.output);
    assert.match(r.output, /Password of 'grace' changed; the user's sessions have ended\./);
    assert.ok(!r.output.includes(next) && !r.output.includes('something-else'), 'no password is echoed');
    const row = users(project).find((u) => u.username === 'grace')!;
    assert.equal((await passwordHashers().verify(next, row.password)).valid, true);
    assert.equal((await passwordHashers().verify(GOOD_PASSWORD, row.password)).valid, false);
  });

  test('changepassword without a terminal stops; an unknown user exits 1', async () => {
    const noTty = await rampartRun(['changepassword', 'grace'], { cwd: project.dir });
    assert.equal(noTty.code, 1);
    assert.match(noTty.stderr, /\[E_CLI_NOINPUT\]/);
    const unknown = await rampartRun(['changepassword', 'nobody'], { cwd: project.dir });
    assert.equal(unknown.code, 1);
    assert.match(unknown.stderr, /^rampart: There is no user 'nobody'\. \[E_CLI_USER_NOT_FOUND\]$/m);
  });

  test('an app without the accounts models says what to add', async () => {
    const p = fixtureProject({ 'rampart.config.ts': CONFIG, 'src/app.ts': `import { rampart } from 'rampart';\nexport const app = rampart();\n` });
    const r = await rampartRun(['createsuperuser', '--noinput'], { cwd: p.dir });
    assert.equal(r.code, 1);
    assert.match(r.stderr, /\[E_CLI_NO_USER_MODEL\]/);
  });
});
