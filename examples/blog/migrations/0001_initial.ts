import type { Migration } from 'rampart/db';

// Written by makeMigrations. Review it before applying; see docs/migrations.md for the operations.
export default {
  operations: [
    {
      op: 'createTable',
      table: 'auth_group',
      columns: [{ name: 'id', type: 'id' }, { name: 'name', type: 'varchar', length: 150, unique: true }],
    },
    {
      op: 'createTable',
      table: 'auth_permission',
      columns: [
        { name: 'id', type: 'id' },
        { name: 'name', type: 'varchar', length: 255 },
        { name: 'app_label', type: 'varchar', length: 100 },
        { name: 'codename', type: 'varchar', length: 100 },
      ],
      indexes: [{ name: 'auth_permission_app_label_codename_uniq', columns: ['app_label', 'codename'], unique: true }],
    },
    {
      op: 'createTable',
      table: 'auth_group_permissions',
      columns: [
        { name: 'id', type: 'id' },
        { name: 'auth_group_id', type: 'bigint', references: { table: 'auth_group', onDelete: 'cascade' } },
        {
          name: 'auth_permission_id',
          type: 'bigint',
          references: { table: 'auth_permission', onDelete: 'cascade' },
        },
      ],
      indexes: [
        {
          name: 'auth_group_permissions_auth_group_id_auth_permission_id_uniq',
          columns: ['auth_group_id', 'auth_permission_id'],
          unique: true,
        },
        { name: 'auth_group_permissions_auth_permission_id_idx', columns: ['auth_permission_id'] },
      ],
    },
    {
      op: 'createTable',
      table: 'auth_user',
      columns: [
        { name: 'id', type: 'id' },
        { name: 'username', type: 'varchar', length: 150, unique: true },
        { name: 'first_name', type: 'varchar', length: 150 },
        { name: 'last_name', type: 'varchar', length: 150 },
        { name: 'email', type: 'varchar', length: 254 },
        { name: 'password', type: 'varchar', length: 255 },
        { name: 'is_active', type: 'boolean' },
        { name: 'is_staff', type: 'boolean' },
        { name: 'is_superuser', type: 'boolean' },
        { name: 'last_login', type: 'datetime', nullable: true },
        { name: 'date_joined', type: 'datetime' },
        { name: 'totp_secret', type: 'text', nullable: true },
        { name: 'totp_enabled', type: 'boolean' },
        { name: 'totp_last_step', type: 'integer', nullable: true },
        { name: 'totp_recovery_codes', type: 'text' },
      ],
      indexes: [{ name: 'auth_user_email_idx', columns: ['email'] }],
    },
    {
      op: 'createTable',
      table: 'auth_user_groups',
      columns: [
        { name: 'id', type: 'id' },
        { name: 'auth_user_id', type: 'bigint', references: { table: 'auth_user', onDelete: 'cascade' } },
        { name: 'auth_group_id', type: 'bigint', references: { table: 'auth_group', onDelete: 'cascade' } },
      ],
      indexes: [
        { name: 'auth_user_groups_auth_group_id_idx', columns: ['auth_group_id'] },
        {
          name: 'auth_user_groups_auth_user_id_auth_group_id_uniq',
          columns: ['auth_user_id', 'auth_group_id'],
          unique: true,
        },
      ],
    },
    {
      op: 'createTable',
      table: 'auth_user_user_permissions',
      columns: [
        { name: 'id', type: 'id' },
        { name: 'auth_user_id', type: 'bigint', references: { table: 'auth_user', onDelete: 'cascade' } },
        {
          name: 'auth_permission_id',
          type: 'bigint',
          references: { table: 'auth_permission', onDelete: 'cascade' },
        },
      ],
      indexes: [
        { name: 'auth_user_user_permissions_auth_permission_id_idx', columns: ['auth_permission_id'] },
        {
          name: 'auth_user_user_permissions_auth_user_id_auth_permission_id_uniq',
          columns: ['auth_user_id', 'auth_permission_id'],
          unique: true,
        },
      ],
    },
    {
      op: 'createTable',
      table: 'blog_post',
      columns: [
        { name: 'id', type: 'id' },
        { name: 'title', type: 'varchar', length: 200 },
        { name: 'body', type: 'text' },
        { name: 'image', type: 'varchar', length: 64, nullable: true },
        { name: 'author_id', type: 'bigint', references: { table: 'auth_user', onDelete: 'cascade' } },
        { name: 'created', type: 'datetime' },
        { name: 'updated', type: 'datetime' },
      ],
      indexes: [{ name: 'blog_post_author_id_idx', columns: ['author_id'] }],
    },
    {
      op: 'createTable',
      table: 'blog_comment',
      columns: [
        { name: 'id', type: 'id' },
        { name: 'post_id', type: 'bigint', references: { table: 'blog_post', onDelete: 'cascade' } },
        { name: 'author_id', type: 'bigint', references: { table: 'auth_user', onDelete: 'cascade' } },
        { name: 'body', type: 'text' },
        { name: 'created', type: 'datetime' },
      ],
      indexes: [
        { name: 'blog_comment_author_id_idx', columns: ['author_id'] },
        { name: 'blog_comment_post_id_idx', columns: ['post_id'] },
      ],
    },
    {
      op: 'createTable',
      table: 'blog_tag',
      columns: [{ name: 'id', type: 'id' }, { name: 'name', type: 'varchar', length: 50, unique: true }],
    },
    {
      op: 'createTable',
      table: 'blog_post_tags',
      columns: [
        { name: 'id', type: 'id' },
        { name: 'blog_post_id', type: 'bigint', references: { table: 'blog_post', onDelete: 'cascade' } },
        { name: 'blog_tag_id', type: 'bigint', references: { table: 'blog_tag', onDelete: 'cascade' } },
      ],
      indexes: [
        {
          name: 'blog_post_tags_blog_post_id_blog_tag_id_uniq',
          columns: ['blog_post_id', 'blog_tag_id'],
          unique: true,
        },
        { name: 'blog_post_tags_blog_tag_id_idx', columns: ['blog_tag_id'] },
      ],
    },
    {
      op: 'createTable',
      table: 'rampart_session',
      columns: [
        { name: 'id', type: 'id' },
        { name: 'key', type: 'varchar', length: 64, unique: true },
        { name: 'user_id', type: 'varchar', length: 64, nullable: true },
        { name: 'data', type: 'json' },
        { name: 'created_at', type: 'bigint' },
        { name: 'last_seen_at', type: 'bigint' },
        { name: 'expires_at', type: 'bigint' },
      ],
      indexes: [
        { name: 'rampart_session_expires_at_idx', columns: ['expires_at'] },
        { name: 'rampart_session_user_id_idx', columns: ['user_id'] },
      ],
    },
  ],
} satisfies Migration;
