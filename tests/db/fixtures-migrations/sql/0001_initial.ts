import type { Migration } from 'rampart/db';

export default {
  operations: [
    {
      op: 'createTable',
      table: 'sql_author',
      columns: [
        { name: 'id', type: 'id' },
        { name: 'name', type: 'varchar', length: 50 },
        { name: 'email', type: 'varchar', length: 100, unique: true },
      ],
    },
    {
      op: 'createTable',
      table: 'sql_post',
      columns: [
        { name: 'id', type: 'id' },
        { name: 'title', type: 'varchar', length: 200 },
        { name: 'author_id', type: 'bigint', references: { table: 'sql_author', onDelete: 'protect' } },
        { name: 'published', type: 'boolean' },
        { name: 'created', type: 'datetime' },
        { name: 'price', type: 'decimal', precision: 8, scale: 2 },
        { name: 'meta', type: 'json', nullable: true },
      ],
      indexes: [{ name: 'sql_post_author_id_idx', columns: ['author_id'] }],
    },
  ],
} satisfies Migration;
