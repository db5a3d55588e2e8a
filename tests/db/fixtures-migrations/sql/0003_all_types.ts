import type { Migration } from 'rampart/db';

// One column of every type, to check each dialect's SQL type.
export default {
  operations: [
    {
      op: 'createTable',
      table: 'sql_types',
      columns: [
        { name: 'id', type: 'id' },
        { name: 'v', type: 'varchar', length: 10 },
        { name: 't', type: 'text' },
        { name: 'i', type: 'integer' },
        { name: 'b', type: 'bigint' },
        { name: 'f', type: 'double' },
        { name: 'd', type: 'decimal', precision: 10, scale: 3 },
        { name: 'yes', type: 'boolean' },
        { name: 'day', type: 'date' },
        { name: 'at', type: 'datetime' },
        { name: 'j', type: 'json' },
        { name: 'u', type: 'uuid', nullable: true },
      ],
    },
  ],
} satisfies Migration;
