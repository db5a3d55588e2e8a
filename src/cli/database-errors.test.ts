import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { connectionFailure, databaseUrl, explainDatabaseError, maskPasswords } from './database-errors.js';
import { CliError } from './errors.js';

describe('database errors', () => {
  test('maskPasswords hides the password of every URL in a text', () => {
    assert.equal(maskPasswords('at postgres://app:hunter2@db:5432/x and mysql://root:p%40ss@h/y'), 'at postgres://app:***@db:5432/x and mysql://root:***@h/y');
    assert.equal(maskPasswords('sqlite:./db.sqlite3'), 'sqlite:./db.sqlite3');
  });

  test('connectionFailure finds the code in causes and aggregated errors', () => {
    assert.equal(connectionFailure(Object.assign(new Error('x'), { code: '28P01' })), '28P01');
    assert.equal(connectionFailure(new Error('wrapped', { cause: Object.assign(new Error('y'), { code: 'ENOTFOUND' }) })), 'ENOTFOUND');
    assert.equal(connectionFailure(new AggregateError([Object.assign(new Error('a'), { code: 'ECONNREFUSED' })], '')), 'ECONNREFUSED');
    assert.equal(connectionFailure(Object.assign(new Error('duplicate'), { code: '23505' })), null);
  });

  test('explainDatabaseError masks the URL and keeps other errors as they are', () => {
    const err = explainDatabaseError(Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED' }), 'postgres://u:secret@127.0.0.1:1/db');
    assert.ok(err instanceof CliError);
    assert.equal(err.code, 'E_CLI_DATABASE_UNREACHABLE');
    assert.equal(err.message, 'Cannot reach the database at postgres://u:***@127.0.0.1:1/db (ECONNREFUSED): connect ECONNREFUSED 127.0.0.1:1');
    const other = new Error('syntax error');
    assert.equal(explainDatabaseError(other, 'sqlite::memory:'), other);
  });

  test('databaseUrl is DATABASE_URL, else the embedded SQLite file', () => {
    assert.equal(databaseUrl({}), 'sqlite:./db.sqlite3');
    assert.equal(databaseUrl({ DATABASE_URL: '' }), 'sqlite:./db.sqlite3');
    assert.equal(databaseUrl({ DATABASE_URL: 'postgres://h/db' }), 'postgres://h/db');
  });
});
