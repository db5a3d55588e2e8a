/**
 * Shared setup of the data-layer suites: the test models, and a database per target with their
 * tables created through the public migration API (makeMigrations + migrate).
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { connect, field, makeMigrations, migrate, model, QueryError, type AnyModel, type Database } from '../../src/db/index.ts';
import { freshDatabase, type TargetName } from '../helpers/databases.ts';

export const Author = model('lib_author', {
  name: field.string({ maxLength: 100 }),
  email: field.email({ unique: true }),
  active: field.boolean({ default: true }),
});

export const Tag = model('lib_tag', {
  name: field.string({ maxLength: 50, unique: true }),
});

export const Book = model(
  'lib_book',
  {
    title: field.string({ maxLength: 200 }),
    slug: field.slug({ unique: true }),
    summary: field.text({ blank: true, default: '' }),
    pages: field.integer({ min: 1, nullable: true }),
    big: field.bigint({ default: 0n }),
    rating: field.float({ default: 0 }),
    price: field.decimal({ maxDigits: 8, decimalPlaces: 2, default: '0.00' }),
    published: field.date({ nullable: true }),
    created: field.datetime({ autoNowAdd: true }),
    updated: field.datetime({ autoNow: true }),
    meta: field.jsonOf<{ tags?: string[] }>()({ nullable: true }),
    ref: field.uuid({ nullable: true }),
    site: field.url({ nullable: true }),
    status: field.choices(['draft', 'live', 'gone'], { default: 'draft' }),
    author: field.foreignKey(() => Author, { onDelete: 'cascade', relatedName: 'books' }),
    editor: field.foreignKey(() => Author, { onDelete: 'setNull', nullable: true, relatedName: 'edited' }),
    tags: field.manyToMany(() => Tag),
  },
  { ordering: ['title'] },
);

export const Review = model('lib_review', {
  book: field.foreignKey(() => Book, { onDelete: 'protect' }),
  stars: field.integer({ min: 1, max: 5 }),
});

export const MODELS = [Author, Tag, Book, Review] as const;

export interface Setup {
  db: Database<typeof MODELS>;
  done(): Promise<void>;
}

/** A fresh database on a target with the test models' tables. */
export async function setup(target: TargetName, models: readonly AnyModel[] = MODELS): Promise<Setup> {
  const t = await freshDatabase(target);
  const dir = mkdtempSync(join(tmpdir(), 'rampart-mig-'));
  await makeMigrations({ models, dir, name: 'initial' });
  await migrate({ url: t.url, dir });
  const db = await connect({ url: t.url, models: MODELS });
  return {
    db,
    async done() {
      await db.close();
      await t.drop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** The number of rows of a table, by raw SQL. */
export async function countRows(db: Database<typeof MODELS>, table: string): Promise<number> {
  const r = await sql<{ n: number | string }>`select count(*) as n from ${sql.table(table)}`.execute(db.kysely);
  return Number(r.rows[0]!.n);
}

/** An `assert.throws`/`rejects` check: a QueryError with this code and this message (or pattern). */
export function queryError(code: string, message: string | RegExp): (err: unknown) => boolean {
  return (err) => {
    assert.ok(err instanceof QueryError, `expected a QueryError, got ${String(err)}`);
    assert.equal(err.code, code);
    if (typeof message === 'string') assert.equal(err.message, message);
    else assert.match(err.message, message);
    return true;
  };
}
