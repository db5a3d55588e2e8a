import type { Migration } from 'rampart/db';

export default {
  operations: [
    { op: 'addColumn', table: 'sql_post', column: { name: 'slug', type: 'varchar', length: 50 }, default: "it's" },
    { op: 'alterColumn', table: 'sql_post', column: 'title', to: { type: 'varchar', length: 300 } },
    { op: 'renameColumn', table: 'sql_author', from: 'email', to: 'mail' },
    { op: 'addIndex', table: 'sql_post', index: { name: 'sql_post_slug_uniq', columns: ['slug'], unique: true } },
    { op: 'runCode', description: 'fill slugs', forward: async () => {}, backward: async () => {} },
  ],
} satisfies Migration;
