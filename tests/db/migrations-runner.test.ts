/**
 * The migration runner on SQLite, PostgreSQL and MariaDB: a failing migration (a unique constraint
 * over duplicate data, a data migration that throws) leaves the database at the last good
 * migration with a clear message; two concurrent runs apply each migration exactly once; targets,
 * irreversible migrations and the lock timeout.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { createKysely, field, makeMigrations, MigrationFailedError, migrate, model, sql } from 'rampart/db';
import { databaseTargets } from '../helpers/databases.ts';
import { columnNames, openDb, recorded, removeDirs, tempDir, writeMigration, type Db } from './fixtures-migrations/helpers.ts';

const Item = model('run_item', { code: field.string({ maxLength: 20 }) });

const dirs: string[] = [];
after(() => removeDirs(dirs));

async function initial(): Promise<string> {
  const dir = tempDir();
  dirs.push(dir);
  await makeMigrations({ models: [Item], dir });
  return dir;
}

async function count(db: Db): Promise<number> {
  const r = await sql<{ n: number | string }>`select count(*) as n from run_item`.execute(db.kysely);
  return Number(r.rows[0]!.n);
}

for (const target of databaseTargets()) {
  describe(`migration runner on ${target.name}`, { skip: target.skip }, () => {
    let db: Db;
    before(async () => {
      db = await openDb(target.name);
    });
    after(async () => {
      await db?.done();
    });

    async function reset(): Promise<void> {
      for (const t of ['run_item', 'rampart_migrations']) await sql`drop table if exists ${sql.table(t)}`.execute(db.kysely);
    }

    const stays = (migration: string, index: number, operation: string, done: number, several = false): RegExp => {
      const head = `^Applying migration ${migration} failed at operation ${index} \\(${operation.replace(/[().]/g, '\\$&')}\\): .+\\. `;
      const tail =
        target.name === 'mysql'
          ? `MySQL cannot roll back schema changes; the ${done} operation\\(s\\) of ${migration} that ran before it were reversed, so the database stays at 0001_initial${several ? ` \\(operation ${index} runs several statements: check that none of them was applied\\)` : ''}\\.$`
          : 'The migration was rolled back: the database stays at 0001_initial\\.$';
      return new RegExp(head + tail, 's');
    };

    test('a unique constraint over duplicate data fails; the database stays at the last good migration', async () => {
      await reset();
      const dir = await initial();
      assert.equal((await migrate({ url: db.url, dir })).error, undefined);
      await db.kysely.insertInto('run_item').values([{ code: 'same' }, { code: 'same' }]).execute();
      writeMigration(
        dir,
        '0002_unique_code.ts',
        `export default { operations: [
          { op: 'addColumn', table: 'run_item', column: { name: 'note', type: 'text', nullable: true } },
          { op: 'alterColumn', table: 'run_item', column: 'code', to: { type: 'varchar', length: 20, unique: true } },
        ] };\n`,
      );
      const run = await migrate({ url: db.url, dir });
      assert.ok(run.error instanceof MigrationFailedError);
      assert.equal(run.error.code, 'E_MIGRATION_FAILED');
      assert.equal(run.error.migration, '0002_unique_code');
      assert.equal(run.error.operationIndex, 2);
      assert.equal(run.error.operation, 'Alter column run_item.code (varchar(20), not null, unique)');
      assert.match(run.error.message, stays('0002_unique_code', 2, 'Alter column run_item.code (varchar(20), not null, unique)', 1, true));
      assert.deepEqual(run.results, [{ name: '0002_unique_code', direction: 'up', status: 'error' }]);
      assert.deepEqual(await columnNames(db.kysely, 'run_item'), ['code', 'id']);
      assert.deepEqual(await recorded(db.kysely), ['0001_initial']);
      assert.equal(await count(db), 2);

      // Once the data is fixed, the same migration applies.
      await db.kysely.deleteFrom('run_item').execute();
      await db.kysely.insertInto('run_item').values([{ code: 'a' }, { code: 'b' }]).execute();
      const again = await migrate({ url: db.url, dir });
      assert.equal(again.error, undefined);
      assert.deepEqual(await recorded(db.kysely), ['0001_initial', '0002_unique_code']);
      await assert.rejects(db.kysely.insertInto('run_item').values({ code: 'a' }).execute());
    });

    test('a data migration that throws leaves no row and no column behind', async () => {
      await reset();
      const dir = await initial();
      assert.equal((await migrate({ url: db.url, dir })).error, undefined);
      await db.kysely.insertInto('run_item').values({ code: 'kept' }).execute();
      writeMigration(
        dir,
        '0002_data.ts',
        `export default { operations: [
          { op: 'addColumn', table: 'run_item', column: { name: 'note', type: 'text', nullable: true } },
          {
            op: 'runCode',
            description: 'insert then fail',
            forward: async ({ db }) => {
              await db.insertInto('run_item').values({ code: 'ghost' }).execute();
              throw new Error('boom');
            },
          },
        ] };\n`,
      );
      const run = await migrate({ url: db.url, dir });
      assert.ok(run.error instanceof MigrationFailedError);
      assert.match(run.error.message, stays('0002_data', 2, 'Run code: insert then fail', 1));
      assert.match(run.error.message, /failed at operation 2 \(Run code: insert then fail\): boom\. /);
      assert.deepEqual(await columnNames(db.kysely, 'run_item'), ['code', 'id']);
      assert.deepEqual((await db.kysely.selectFrom('run_item').select('code').execute()).map((r) => r.code), ['kept']);
      assert.deepEqual(await recorded(db.kysely), ['0001_initial']);
    });

    test('a migration without a way back is refused before anything is unapplied', async () => {
      await reset();
      const dir = await initial();
      writeMigration(
        dir,
        '0002_fill.ts',
        `export default { operations: [
          { op: 'addColumn', table: 'run_item', column: { name: 'note', type: 'text', nullable: true } },
          { op: 'runCode', description: 'fill notes', forward: async ({ db }) => { await db.updateTable('run_item').set({ note: 'n' }).execute(); } },
        ] };\n`,
      );
      writeMigration(dir, '0003_more.ts', `export default { operations: [{ op: 'addColumn', table: 'run_item', column: { name: 'extra', type: 'integer', nullable: true } }] };\n`);
      assert.equal((await migrate({ url: db.url, dir })).error, undefined);
      const run = await migrate({ url: db.url, dir, target: '0001' });
      assert.equal(run.error?.message, 'Migration 0002_fill cannot be unapplied: operation 2 (Run code: fill notes has no backward function). Nothing was unapplied.');
      assert.equal((run.error as { code?: string }).code, 'E_MIGRATION_IRREVERSIBLE');
      assert.deepEqual(
        run.results.map((r) => `${r.direction} ${r.name} ${r.status}`),
        ['down 0003_more notExecuted', 'down 0002_fill notExecuted'],
      );
      assert.deepEqual(await recorded(db.kysely), ['0001_initial', '0002_fill', '0003_more']);
      // A later target that does not cross it works.
      const partial = await migrate({ url: db.url, dir, target: '0002_fill' });
      assert.equal(partial.error, undefined);
      assert.deepEqual(await columnNames(db.kysely, 'run_item'), ['code', 'id', 'note']);
    });

    test('a data migration with a backward function is undone by it', async () => {
      await reset();
      const dir = await initial();
      writeMigration(
        dir,
        '0002_seed.ts',
        `export default { operations: [{
          op: 'runCode',
          forward: async ({ db }) => { await db.insertInto('run_item').values({ code: 'seed' }).execute(); },
          backward: async ({ db }) => { await db.deleteFrom('run_item').where('code', '=', 'seed').execute(); },
        }] };\n`,
      );
      assert.equal((await migrate({ url: db.url, dir })).error, undefined);
      assert.equal(await count(db), 1);
      assert.equal((await migrate({ url: db.url, dir, target: '0001_initial' })).error, undefined);
      assert.equal(await count(db), 0);
    });

    test('an unknown target is refused and nothing runs', async () => {
      await reset();
      const dir = await initial();
      const run = await migrate({ url: db.url, dir, target: '0009_nope' });
      assert.equal((run.error as { code?: string }).code, 'E_MIGRATION_UNKNOWN');
      assert.equal(run.error?.message, "migrate: no migration is named '0009_nope'.");
      assert.deepEqual(run.results, []);
    });

    test('two concurrent runs apply each migration exactly once', async () => {
      await reset();
      const dir = await initial();
      const V2 = model('run_item', { code: field.string({ maxLength: 20 }), note: field.text({ nullable: true }) });
      const V3 = model('run_item', { code: field.string({ maxLength: 40 }), note: field.text({ nullable: true }) }, { indexes: [['note']] });
      await makeMigrations({ models: [V2], dir });
      await makeMigrations({ models: [V3], dir });
      const a = await createKysely(db.url);
      const b = await createKysely(db.url);
      try {
        const [ra, rb] = await Promise.all([migrate({ kysely: a.kysely, dialect: a.dialect, dir }), migrate({ kysely: b.kysely, dialect: b.dialect, dir })]);
        assert.equal(ra.error, undefined);
        assert.equal(rb.error, undefined);
        const applied = [...ra.results, ...rb.results].map((r) => `${r.direction} ${r.name} ${r.status}`).sort();
        assert.deepEqual(applied, ['up 0001_initial success', 'up 0002_add_run_item_note success', 'up 0003_alter_run_item_code_and_more success']);
        assert.deepEqual(await recorded(db.kysely), ['0001_initial', '0002_add_run_item_note', '0003_alter_run_item_code_and_more']);
      } finally {
        await a.kysely.destroy();
        await b.kysely.destroy();
      }
    });

    test('a run that cannot get the lock in time fails without migrating', async () => {
      await reset();
      const dir = await initial();
      const holder = await createKysely(db.url, { poolSize: 1 });
      try {
        await holder.kysely.connection().execute(async (conn) => {
          if (target.name === 'postgres') await sql`select pg_advisory_lock(${BigInt('0x72616d70617274').toString()}::bigint)`.execute(conn);
          else if (target.name === 'mysql') {
            const name = (await sql<{ db: string }>`select database() as db`.execute(conn)).rows[0]!.db;
            await sql`select get_lock(${`rampart_migrate:${name}`}, 1)`.execute(conn);
          } else await sql`begin exclusive`.execute(conn);
          const run = await migrate({ url: db.url, dir, lockTimeoutSeconds: 1 });
          assert.equal((run.error as { code?: string }).code, 'E_MIGRATION_LOCK_TIMEOUT');
          assert.equal(run.error?.message, `Another process held the migration lock for more than 1 s (${target.name}); nothing was migrated.`);
          assert.deepEqual(run.results, []);
          if (target.name === 'sqlite') await sql`commit`.execute(conn);
        });
      } finally {
        await holder.kysely.destroy();
      }
      assert.equal((await migrate({ url: db.url, dir })).error, undefined);
    });
  });
}

describe('migrate options', () => {
  test('a missing folder is reported, not thrown', async () => {
    const run = await migrate({ url: 'sqlite::memory:', dir: '/nonexistent/rampart-migrations' });
    assert.equal((run.error as { code?: string }).code, 'E_MIGRATION_DIR_MISSING');
    assert.equal(run.error?.message, 'The migrations folder /nonexistent/rampart-migrations does not exist.');
  });

  test('a lock timeout that is not a whole positive number of seconds is refused', async () => {
    const dir = await initial();
    for (const lockTimeoutSeconds of [0, -1, 1.5, Number.POSITIVE_INFINITY]) {
      const run = await migrate({ url: 'sqlite::memory:', dir, lockTimeoutSeconds });
      assert.equal((run.error as { code?: string }).code, 'E_MIGRATION_OPTIONS');
    }
  });

  test('neither url nor kysely is refused', async () => {
    const run = await migrate({ dir: '.' } as unknown as Parameters<typeof migrate>[0]);
    assert.equal((run.error as { code?: string }).code, 'E_MIGRATION_OPTIONS');
  });
});
