/**
 * Several processes on one SQLite file, as `rampart start --workers N` runs them on the embedded
 * default: read-then-write transactions queue on the busy timeout (`BEGIN IMMEDIATE`) instead of
 * failing with "database is locked", and no increment is lost.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { connect, field, model, sql } from '../../src/db/index.ts';
import { freshDatabase } from '../helpers/databases.ts';

const run = promisify(execFile);
const WORKER = join(fileURLToPath(new URL('.', import.meta.url)), 'fixtures-processes', 'increment.ts');
const PROCESSES = 3;
const EACH = 150;
const Counter = model('proc_counter', { n: field.integer() });

test(`${PROCESSES} processes x ${EACH} read-then-write transactions on one SQLite file: none fails, none is lost`, async () => {
  const t = await freshDatabase('sqlite');
  try {
    const db = await connect({ url: t.url, models: [Counter] });
    await sql`create table proc_counter (id integer primary key, n integer not null)`.execute(db.kysely);
    await db.query(Counter).create({ n: 0 });
    await db.close();

    const results = await Promise.all(
      Array.from({ length: PROCESSES }, async () => {
        const { stdout } = await run(process.execPath, ['--import', 'tsx', WORKER, t.url, String(EACH), 'immediate'], { timeout: 60_000 });
        return JSON.parse(stdout.trim().split('\n').pop()!) as { failed: number; messages: string[] };
      }),
    );
    assert.deepEqual(results, Array.from({ length: PROCESSES }, () => ({ failed: 0, messages: [] })));

    const check = await connect({ url: t.url, models: [Counter] });
    assert.equal((await check.query(Counter).get(1))!.n, PROCESSES * EACH);
    await check.close();
  } finally {
    await t.drop();
  }
});
