/**
 * makemigrations, migrate, showmigrations and sqlmigrate through the command: files written,
 * questions answered by options, in a terminal, or refused without one; the database reached
 * through DATABASE_URL, and an unreachable one reported with its password masked.
 */
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { databaseTargets, freshDatabase } from '../helpers/databases.ts';
import { CONFIG, converse, fixtureProject, killAll, rampartRun, removeProjects, type Project } from './support.ts';

after(() => {
  killAll();
  removeProjects();
});

const APP = `import { rampart } from 'rampart';
export { models } from './models.js';
export const app = rampart();
`;

function models(fields: string): string {
  return `import { field, model } from 'rampart/db';\nexport const Post = model('blog_post', { ${fields} });\nexport const models = [Post];\n`;
}

function blog(fields = 'title: field.string({ maxLength: 100 })'): Project {
  return fixtureProject({ 'rampart.config.ts': CONFIG, 'src/app.ts': APP, 'src/models.ts': models(fields) });
}

const migrationFiles = (p: Project): string[] => (existsSync(join(p.dir, 'migrations')) ? readdirSync(join(p.dir, 'migrations')).sort() : []);

describe('rampart makemigrations', () => {
  test('writes the first migration and lists its operations; a second run finds no changes', async () => {
    const p = blog();
    const r = await rampartRun(['makemigrations'], { cwd: p.dir });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, 'Wrote migrations/0001_initial.ts:\n  - Create table blog_post\n');
    assert.deepEqual(migrationFiles(p), ['0001_initial.ts']);
    assert.match(readFileSync(join(p.dir, 'migrations/0001_initial.ts'), 'utf8'), /op: 'createTable',\n\s+table: 'blog_post'/);
    const again = await rampartRun(['makemigrations'], { cwd: p.dir });
    assert.equal(again.code, 0);
    assert.equal(again.stdout, 'No changes detected\n');
  });

  test('--check writes nothing and exits 1 when a migration is missing, 0 when none is', async () => {
    const p = blog();
    const r = await rampartRun(['makemigrations', '--check'], { cwd: p.dir });
    assert.equal(r.code, 1);
    assert.equal(r.stdout, 'The models have changes without a migration; makemigrations would write migrations/0001_initial.ts:\n  - Create table blog_post\n');
    assert.deepEqual(migrationFiles(p), []);
    await rampartRun(['makemigrations', '--name', 'blog'], { cwd: p.dir });
    assert.deepEqual(migrationFiles(p), ['0001_blog.ts']);
    const ok = await rampartRun(['makemigrations', '--check'], { cwd: p.dir });
    assert.equal(ok.code, 0);
  });

  test('a possible rename without a terminal stops with E_CLI_NOINPUT and the options that answer it', async () => {
    const p = blog();
    await rampartRun(['makemigrations'], { cwd: p.dir });
    p.write('src/models.ts', models('headline: field.string({ maxLength: 100 })'));
    const r = await rampartRun(['makemigrations'], { cwd: p.dir });
    assert.equal(r.code, 1);
    assert.match(r.stderr, /^rampart: makemigrations needs an answer and cannot ask \(no terminal, or --noinput\): .*blog_post.*title.*headline.*\[E_CLI_NOINPUT\]$/m);
    assert.match(r.stderr, /hint: Answer on the command line with --rename blog_post\.title=headline if it was renamed, or --not-renamed blog_post\.title if it was dropped/);
    assert.deepEqual(migrationFiles(p), ['0001_initial.ts']);

    const renamed = await rampartRun(['makemigrations', '--rename', 'blog_post.title=headline'], { cwd: p.dir });
    assert.equal(renamed.code, 0, renamed.stderr);
    assert.match(renamed.stdout, /^Wrote migrations\/0002_\w+\.ts:\n {2}- Rename column blog_post\.title to headline\n$/);
  });

  test('--not-renamed answers "dropped": the column is removed and the new one added', async () => {
    const p = blog();
    await rampartRun(['makemigrations'], { cwd: p.dir });
    p.write('src/models.ts', models('headline: field.string({ maxLength: 100, default: "" })'));
    const r = await rampartRun(['makemigrations', '--not-renamed', 'blog_post.title'], { cwd: p.dir });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /Add column blog_post\.headline/);
    assert.match(r.stdout, /Remove column blog_post\.title/);
  });

  test('a NOT NULL column without a default: --default gives the value for existing rows', async () => {
    const p = blog();
    await rampartRun(['makemigrations'], { cwd: p.dir });
    p.write('src/models.ts', models('title: field.string({ maxLength: 100 }), slug: field.string({ maxLength: 50 })'));
    const stopped = await rampartRun(['makemigrations', '--noinput'], { cwd: p.dir });
    assert.equal(stopped.code, 1);
    assert.match(stopped.stderr, /hint: Answer on the command line with --default blog_post\.slug=<value>/);
    const r = await rampartRun(['makemigrations', '--default', 'blog_post.slug=untitled'], { cwd: p.dir });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /Add column blog_post\.slug/);
    const file = migrationFiles(p).find((f) => f.startsWith('0002_'))!;
    assert.match(readFileSync(join(p.dir, 'migrations', file), 'utf8'), /'untitled'/);
  });

  test('in a terminal it asks, and the answer decides', async () => {
    const p = blog();
    await rampartRun(['makemigrations'], { cwd: p.dir });
    p.write('src/models.ts', models('headline: field.string({ maxLength: 100 })'));
    const r = await converse(p.dir, 'makemigrations', [[/title.*headline.*\[y\/N\] $/s, 'y']]);
    assert.equal(r.code, 0, r.output);
    assert.match(r.output, /Rename column blog_post\.title to headline/);
  });

  test('a project without models says how to declare them', async () => {
    const p = fixtureProject({ 'rampart.config.ts': CONFIG, 'src/app.ts': `import { rampart } from 'rampart';\nexport const app = rampart();\n` });
    const r = await rampartRun(['makemigrations'], { cwd: p.dir });
    assert.equal(r.code, 1);
    assert.match(r.stderr, /^rampart: No models found: src\/app\.ts exports neither `models` nor `db`\. \[E_CLI_MODELS_NOT_FOUND\]$/m);
  });
});

describe('rampart migrate, showmigrations, sqlmigrate (SQLite)', () => {
  test('migrate applies, showmigrations lists, migrate zero unapplies', async () => {
    const p = blog();
    await rampartRun(['makemigrations'], { cwd: p.dir });
    const before = await rampartRun(['showmigrations'], { cwd: p.dir });
    assert.equal(before.code, 0, before.stderr);
    assert.equal(before.stdout, '[ ] 0001_initial\n');
    const up = await rampartRun(['migrate'], { cwd: p.dir });
    assert.equal(up.code, 0, up.stderr);
    assert.equal(up.stdout, 'Apply 0001_initial... OK\n');
    assert.ok(existsSync(join(p.dir, 'db.sqlite3')), 'the default database is ./db.sqlite3 in the project');
    const shown = await rampartRun(['showmigrations'], { cwd: p.dir });
    assert.match(shown.stdout, /^\[X\] 0001_initial {2}\d{4}-\d\d-\d\dT[\d:.]+Z\n$/);
    const none = await rampartRun(['migrate'], { cwd: p.dir });
    assert.equal(none.stdout, 'No migrations to apply (sqlite:./db.sqlite3).\n');
    const down = await rampartRun(['migrate', 'zero'], { cwd: p.dir });
    assert.equal(down.code, 0, down.stderr);
    assert.equal(down.stdout, 'Unapply 0001_initial... OK\n');
  });

  test('an unknown target exits 1 with the names that exist', async () => {
    const p = blog();
    await rampartRun(['makemigrations'], { cwd: p.dir });
    const r = await rampartRun(['migrate', '0009_nope'], { cwd: p.dir });
    assert.equal(r.code, 1);
    assert.match(r.stderr, /^rampart: migrate: no migration is named '0009_nope'\. \[E_MIGRATION_UNKNOWN\]$/m);
    assert.match(r.stderr, /hint: Use one of: zero, 0001_initial\./);
  });

  test('sqlmigrate prints the SQL for a dialect without a database; --backwards the reverse', async () => {
    const p = blog();
    await rampartRun(['makemigrations'], { cwd: p.dir });
    const pg = await rampartRun(['sqlmigrate', '0001', '--dialect', 'postgres'], { cwd: p.dir, env: { DATABASE_URL: 'postgres://nobody:pw@127.0.0.1:1/none' } });
    assert.equal(pg.code, 0, pg.stderr);
    assert.equal(pg.stdout, 'begin;\ncreate table "blog_post" ("id" bigint generated by default as identity primary key, "title" varchar(100) not null);\ncommit;\n');
    const back = await rampartRun(['sqlmigrate', '0001_initial', '--backwards'], { cwd: p.dir });
    assert.equal(back.code, 0, back.stderr);
    assert.match(back.stdout, /^begin;\ndrop table "blog_post";\ncommit;\n$/);
    const bad = await rampartRun(['sqlmigrate', '0001', '--dialect', 'oracle'], { cwd: p.dir });
    assert.equal(bad.code, 2);
  });

  test('an unreachable database: exit 1, E_CLI_DATABASE_UNREACHABLE, password masked', async () => {
    const p = blog();
    await rampartRun(['makemigrations'], { cwd: p.dir });
    const url = 'postgres://app:s3cret-pw@127.0.0.1:1/blog';
    for (const command of ['migrate', 'showmigrations']) {
      const r = await rampartRun([command], { cwd: p.dir, env: { DATABASE_URL: url } });
      assert.equal(r.code, 1, command);
      assert.match(r.stderr, /^rampart: Cannot reach the database at postgres:\/\/app:\*\*\*@127\.0\.0\.1:1\/blog \(ECONNREFUSED\): .*\[E_CLI_DATABASE_UNREACHABLE\]$/m, command);
      assert.ok(!(r.stdout + r.stderr).includes('s3cret-pw'), `${command} leaks the password`);
    }
  });
});

describe('rampart migrate on a database server', () => {
  for (const target of databaseTargets().filter((t) => t.name !== 'sqlite')) {
    test(`migrate and showmigrations on ${target.name}`, { skip: target.skip }, async () => {
      const db = await freshDatabase(target.name);
      try {
        const p = blog();
        await rampartRun(['makemigrations'], { cwd: p.dir });
        const up = await rampartRun(['migrate'], { cwd: p.dir, env: { DATABASE_URL: db.url } });
        assert.equal(up.code, 0, up.stderr);
        assert.equal(up.stdout, 'Apply 0001_initial... OK\n');
        const shown = await rampartRun(['showmigrations'], { cwd: p.dir, env: { DATABASE_URL: db.url } });
        assert.match(shown.stdout, /^\[X\] 0001_initial /);
        const sql = await rampartRun(['sqlmigrate', '0001'], { cwd: p.dir, env: { DATABASE_URL: db.url } });
        assert.match(sql.stdout, target.name === 'postgres' ? /"blog_post"/ : /`blog_post`/);
      } finally {
        await db.drop();
      }
    });
  }
});
