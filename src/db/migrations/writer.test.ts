// The writer puts values from prompts and options into TypeScript source: whatever the text,
// loading the file must give back exactly the value, never run part of it as code.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { test } from 'node:test';
import type { Operation } from './types.js';
import { migrationSource } from './writer.js';

const HOSTILE = [
  "it's",
  'back\\slash',
  "'; process.exit(1); //",
  '`${process.exit(1)}`',
  '*/ process.exit(1) /*',
  'line\nbreak\r\n\ttab',
  '\u2028\u2029',
  '</script>',
  '\u0000nul',
  'émoji 😀 𝔘',
];

test('strings from answers come back unchanged from the written file', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'rampart-writer-'));
  try {
    const ops: Operation[] = HOSTILE.map((value, i) => ({ op: 'addColumn', table: 't', column: { name: `c${i}`, type: 'text' }, default: value }));
    ops.push({ op: 'addColumn', table: 't', column: { name: 'j', type: 'json' }, default: { "k'": ['a\\', 1.5, true, null, { 'x-y': 'z' }] } });
    const file = join(dir, 'm.ts');
    writeFileSync(file, migrationSource(ops));
    const mod = (await import(pathToFileURL(file).href)) as { default: { operations: Operation[] } };
    const loaded = (mod.default as unknown as { default?: { operations: Operation[] } }).default ?? mod.default;
    assert.deepEqual(loaded.operations, ops);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('short operations stay on one line, long ones are split', () => {
  const source = migrationSource([
    { op: 'renameColumn', table: 'blog_post', from: 'title', to: 'headline' },
    { op: 'createTable', table: 'blog_tag', columns: [{ name: 'id', type: 'id' }, { name: 'name', type: 'varchar', length: 50, unique: true }, { name: 'slug', type: 'varchar', length: 50 }] },
  ]);
  assert.equal(
    source,
    [
      "import type { Migration } from 'rampart/db';",
      '',
      '// Written by makeMigrations. Review it before applying; see docs/migrations.md for the operations.',
      'export default {',
      '  operations: [',
      "    { op: 'renameColumn', table: 'blog_post', from: 'title', to: 'headline' },",
      '    {',
      "      op: 'createTable',",
      "      table: 'blog_tag',",
      '      columns: [',
      "        { name: 'id', type: 'id' },",
      "        { name: 'name', type: 'varchar', length: 50, unique: true },",
      "        { name: 'slug', type: 'varchar', length: 50 },",
      '      ],',
      '    },',
      '  ],',
      '} satisfies Migration;',
      '',
    ].join('\n'),
  );
});
