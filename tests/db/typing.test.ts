/**
 * Types inferred from models: `npx tsc` (run by `npm test`) fails if a @ts-expect-error line below
 * stops being an error — a typo in a table or column name, a wrong value type, a missing required
 * value. The test also runs the valid calls against an in-memory SQLite database.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { connect, field, model, sql, type Insert, type Row } from 'rampart/db';

const Owner = model('typ_owner', { name: field.string({ maxLength: 50 }) });
const Pet = model('typ_pet', {
  name: field.string({ maxLength: 50 }),
  born: field.date({ nullable: true }),
  weight: field.decimal({ maxDigits: 5, decimalPlaces: 2, default: '0.00' }),
  kind: field.choices(['cat', 'dog']),
  owner: field.foreignKey(() => Owner, { onDelete: 'cascade' }),
  seen: field.datetime({ autoNowAdd: true }),
});

type PetRow = Row<typeof Pet>;
type PetInsert = Insert<typeof Pet>;

const row: PetRow = { id: 1, name: 'Rex', born: null, weight: '1.00', kind: 'dog', owner_id: 1, seen: new Date() };
const minimal: PetInsert = { name: 'Tom', kind: 'cat', owner_id: 1 };

// @ts-expect-error kind is required on insert
const noKind: PetInsert = { name: 'Tom', owner_id: 1 };
// @ts-expect-error 'bird' is not a choice
const badKind: PetInsert = { name: 'Tom', kind: 'bird', owner_id: 1 };
// @ts-expect-error a foreign key is set as owner_id, not owner
const fkName: PetInsert = { name: 'Tom', kind: 'cat', owner: 1 };
// @ts-expect-error decimals are exact strings, not numbers
const decimalNumber: PetInsert = { name: 'Tom', kind: 'cat', owner_id: 1, weight: 1.5 };

test('types follow the models, and the valid calls run', async () => {
  const db = await connect({ url: 'sqlite::memory:', models: [Owner, Pet] });
  await sql`create table typ_owner (id integer primary key autoincrement, name varchar(50) not null)`.execute(db.kysely);
  await sql`create table typ_pet (id integer primary key autoincrement, name varchar(50) not null, born text, weight text not null, kind varchar(3) not null, owner_id bigint not null references typ_owner(id) on delete cascade, seen text not null)`.execute(db.kysely);
  const o = await db.query(Owner).create({ name: 'Ann' });
  const p = await db.query(Pet).create({ ...minimal, owner_id: o.id });
  const name: string = p.name;
  const born: string | null = p.born;
  const seen: Date = p.seen;
  assert.equal(name, 'Tom');
  assert.equal(born, null);
  assert.ok(seen instanceof Date);

  await db.query(Pet).filter({ name__icontains: 'to', kind: 'cat' }).all();
  // @ts-expect-error no field 'nmae'
  assert.throws(() => db.query(Pet).filter({ nmae: 'x' }));
  // @ts-expect-error text lookups exist only on text fields
  assert.throws(() => db.query(Pet).filter({ owner_id__contains: '1' }));
  // Keys through a relation are typed by the related model.
  assert.equal((await db.query(Pet).filter({ owner__name__icontains: 'an' }).all()).length, 1);
  // @ts-expect-error no field 'nmae' on the owner
  assert.throws(() => db.query(Pet).filter({ owner__nmae: 'x' }));
  // @ts-expect-error a text lookup on the owner's id
  assert.throws(() => db.query(Pet).filter({ owner__id__icontains: '1' }));
  const stats = await db.query(Pet).aggregate({ n: { count: '*' }, heaviest: { max: 'weight' }, owners: { countDistinct: 'owner_id' } });
  const heaviest: string | null = stats.heaviest;
  assert.deepEqual({ ...stats, heaviest }, { n: 1, heaviest: '0.00', owners: 1 });
  // @ts-expect-error a sum needs a number field
  await assert.rejects(db.query(Pet).aggregate({ n: { sum: 'name' } }));
  // @ts-expect-error no field 'nmae' to order by
  assert.throws(() => db.query(Pet).orderBy('-nmae'));

  const rows = await db.kysely.selectFrom('typ_pet').select(['id', 'name']).where('kind', '=', 'cat').execute();
  assert.equal(rows.length, 1);
  // @ts-expect-error no table 'typ_pets'
  await assert.rejects(db.kysely.selectFrom('typ_pets').selectAll().execute());
  // @ts-expect-error no column 'nmae'
  await assert.rejects(db.kysely.selectFrom('typ_pet').select(['nmae']).execute());

  const withOwner = await db.query(Pet).selectRelated('owner').all();
  const ownerName: string | undefined = withOwner[0]!.owner?.name;
  assert.equal(ownerName, 'Ann');
  void [row, noKind, badKind, fkName, decimalNumber];
  await db.close();
});

// A `column` option renames the column in the database; the model API keeps the field's name.
const Badge = model('typ_badge', {
  label: field.string({ maxLength: 20, column: 'badge_label' }),
  holder: field.foreignKey(() => Owner, { onDelete: 'cascade', column: 'holder_ref' }),
  worn: field.boolean({ default: false, column: 'is_worn' }),
});

test('renamed columns: the model API uses field names, the Kysely types use column names', async () => {
  const db = await connect({ url: 'sqlite::memory:', models: [Owner, Badge] });
  await sql`create table typ_owner (id integer primary key autoincrement, name varchar(50) not null)`.execute(db.kysely);
  await sql`create table typ_badge (id integer primary key autoincrement, badge_label varchar(20) not null, holder_ref bigint not null references typ_owner(id) on delete cascade, is_worn boolean not null default 0)`.execute(db.kysely);
  const o = await db.query(Owner).create({ name: 'Ann' });
  const b = await db.query(Badge).create({ label: 'gold', holder_id: o.id });
  const label: string = b.label;
  assert.equal(label, 'gold');
  assert.equal(b.worn, false);

  // The optional-on-insert column (a default) may be left out under its column name too.
  await db.kysely.insertInto('typ_badge').values({ badge_label: 'silver', holder_ref: o.id }).execute();
  const raw = await db.kysely.selectFrom('typ_badge').select(['badge_label', 'holder_ref']).orderBy('id').execute();
  assert.deepEqual(raw.map((r) => r.badge_label), ['gold', 'silver']);
  // @ts-expect-error the column is badge_label; label is only the field's name
  await assert.rejects(db.kysely.selectFrom('typ_badge').select(['label']).execute(), /no such column: "?label/);
  // @ts-expect-error the foreign key's column is holder_ref, not holder_id
  await assert.rejects(db.kysely.selectFrom('typ_badge').select(['holder_id']).execute(), /no such column: "?holder_id/);
  assert.deepEqual((await db.query(Badge).filter({ label: 'silver' }).all()).map((r) => r.holder_id), [o.id]);
  await db.close();
});
