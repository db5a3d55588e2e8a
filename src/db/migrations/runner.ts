/**
 * `migrate()`: applies pending migrations in order, or unapplies down to a target, under the
 * migration lock, each migration in its own transaction where the database has transactional DDL.
 * It reports instead of throwing: `{ error?, results }`.
 *
 * @module
 */
import { sql } from 'kysely';
import type { DialectName } from '../connection.js';
import { MigrationError, MigrationFailedError, type MigrationDirection } from './errors.js';
import { loadMigrations, type LoadedMigration } from './files.js';
import { ensureHistory, readHistory, recordApplied, recordUnapplied } from './history.js';
import { acquireLock, beginExclusive } from './lock.js';
import { openDatabase, type DatabaseTarget } from './open.js';
import type { MigrationDatabase } from './types.js';

/** Bounded waits of the runner. */
export const MIGRATE_DEFAULTS = Object.freeze({
  /**
   * How long to wait for another process's migration lock. Bounded so a deployment stuck behind
   * a hung migration fails visibly instead of waiting forever.
   */
  lockTimeoutSeconds: 120,
});

/** Options of `migrate()`: where the database is, where the files are, and how far to go. */
export type MigrateOptions<DB = unknown> = DatabaseTarget<DB> & {
  /** The migrations folder. */
  readonly dir: string;
  /**
   * The migration to end at: its name (`'0001_initial'`) or number (`'0001'`); later applied
   * migrations are unapplied, newest first. `'zero'` unapplies all. All migrations by default.
   */
  readonly target?: string;
  /** @default 120 */
  readonly lockTimeoutSeconds?: number;
};

/** What happened to one migration. */
export interface MigrationResult {
  readonly name: string;
  readonly direction: MigrationDirection;
  readonly status: 'success' | 'error' | 'notExecuted';
}

/** What `migrate()` did; `error` is set when it stopped early. */
export interface MigrationResultSet {
  readonly error?: Error;
  readonly results: readonly MigrationResult[];
}

interface Step {
  readonly migration: LoadedMigration;
  readonly direction: MigrationDirection;
  readonly result: { -readonly [K in keyof MigrationResult]: MigrationResult[K] };
  /** Another process ran it first (SQLite); left out of the results. */
  skipped?: boolean;
}

/** An operation failed; carries its position so the caller can name it once it has cleaned up. */
class OperationFailure extends Error {
  readonly index: number;
  constructor(index: number, cause: unknown) {
    super('operation failed', { cause });
    this.index = index;
  }
}

function resolveTarget(migrations: readonly LoadedMigration[], target: string | undefined): number {
  if (target === undefined) return migrations.length - 1;
  if (target === 'zero') return -1;
  const i = migrations.findIndex((m) => m.name === target || (/^\d+$/.test(target) && m.number === Number(target)));
  if (i === -1) {
    throw new MigrationError('E_MIGRATION_UNKNOWN', `migrate: no migration is named '${target}'.`, {
      hint: `Use one of: zero, ${migrations.map((m) => m.name).join(', ') || '(no migrations yet)'}.`,
    });
  }
  return i;
}

/** Runs the operations of one migration; the failure carries the 1-based index of the failed one. */
async function runOperations(db: MigrationDatabase, dialect: DialectName, step: Step, done: number[]): Promise<void> {
  const m = step.migration;
  const order = step.direction === 'up' ? m.operations.map((_, i) => i) : m.operations.map((_, i) => i).reverse();
  for (const i of order) {
    const op = m.operations[i]!;
    try {
      // MySQL cannot roll back DDL, but a data migration on its own can be a transaction.
      const wrap = dialect === 'mysql' && op.data.op === 'runCode';
      if (wrap) await sql`begin`.execute(db);
      try {
        if (step.direction === 'up') await op.forward(db, dialect, m.states[i]!);
        else await op.backward(db, dialect, m.states[i]!);
        if (wrap) await sql`commit`.execute(db);
      } catch (err) {
        if (wrap) await sql`rollback`.execute(db);
        throw err;
      }
    } catch (err) {
      throw new OperationFailure(i, err);
    }
    done.push(i);
  }
}

function lastGood(migrations: readonly LoadedMigration[], applied: ReadonlySet<string>): string {
  const last = [...migrations].reverse().find((m) => applied.has(m.name));
  return last === undefined ? 'no migration applied' : last.name;
}

async function runStep(db: MigrationDatabase, dialect: DialectName, step: Step, ctx: RunContext): Promise<void> {
  const m = step.migration;
  const done: number[] = [];
  const record = async (): Promise<void> => {
    if (step.direction === 'up') await recordApplied(db, dialect, m.name);
    else await recordUnapplied(db, m.name);
  };
  // SQLite rebuilds tables with foreign keys off (they cannot change inside a transaction), so
  // dropping the old table cascades nothing; each rebuild checks the keys of its table itself.
  const foreignKeysOff = dialect === 'sqlite' && m.operations.some((o) => o.rebuildsOnSqlite);
  let restore = false;
  try {
    if (dialect === 'mysql') {
      await runOperations(db, dialect, step, done);
      await record();
      return;
    }
    if (foreignKeysOff) {
      const r = await sql<{ foreign_keys: number }>`pragma foreign_keys`.execute(db);
      restore = Number(r.rows[0]?.foreign_keys) === 1;
      await sql`pragma foreign_keys = off`.execute(db);
    }
    if (dialect === 'postgres') await sql`begin`.execute(db);
    else {
      await beginExclusive(db, ctx.timeoutSeconds);
      // Another process may have run this migration while this one waited for the lock.
      await ensureHistory(db, dialect);
      const applied = await readHistory(db);
      if (applied.has(m.name) === (step.direction === 'up')) {
        await sql`commit`.execute(db);
        step.skipped = true;
        return;
      }
    }
    try {
      await runOperations(db, dialect, step, done);
      await record();
      await sql`commit`.execute(db);
    } catch (err) {
      await sql`rollback`.execute(db).catch(() => undefined); // SQLite may have rolled back already
      throw err;
    }
  } catch (err) {
    if (!(err instanceof OperationFailure)) throw err;
    const failedIndex = err.index;
    const op = m.operations[failedIndex]!;
    const stays = step.direction === 'up' ? `the database stays at ${lastGood(ctx.migrations, ctx.applied)}` : `${m.name} stays applied`;
    let aftermath = `The migration was rolled back: ${stays}.`;
    if (dialect === 'mysql') aftermath = await compensate(db, step, done, failedIndex, stays);
    throw new MigrationFailedError(
      { migration: m.name, direction: step.direction, operationIndex: failedIndex + 1, operation: op.describe(), aftermath },
      err.cause,
    );
  } finally {
    if (restore) await sql`pragma foreign_keys = on`.execute(db);
  }
}

// Operations that are one statement on MySQL (or a transaction of their own): when one of them
// fails, it did nothing.
const ATOMIC_ON_MYSQL = new Set(['addIndex', 'removeIndex', 'renameIndex', 'dropTable', 'addForeignKey', 'removeForeignKey', 'runCode']);

/**
 * MySQL commits each DDL statement on its own, so a failed migration is undone by running the
 * reverse of the operations that completed, newest first.
 */
async function compensate(db: MigrationDatabase, step: Step, done: readonly number[], failed: number, stays: string): Promise<string> {
  const m = step.migration;
  const note = 'MySQL cannot roll back schema changes';
  const partial = ATOMIC_ON_MYSQL.has(m.operations[failed]!.data.op) ? '' : ` (operation ${failed + 1} runs several statements: check that none of them was applied)`;
  if (done.length === 0) return `${note}; no earlier operation of ${m.name} had run, so ${stays}${partial}.`;
  try {
    for (const i of [...done].reverse()) {
      const op = m.operations[i]!;
      if (step.direction === 'up') await op.backward(db, 'mysql', m.states[i]!);
      else await op.forward(db, 'mysql', m.states[i]!);
    }
    return `${note}; the ${done.length} operation(s) of ${m.name} that ran before it were reversed, so ${stays}${partial}.`;
  } catch (err) {
    return `${note}, and reversing the ${done.length} operation(s) that ran before it failed too (${(err as Error).message}): the database is partly migrated; repair it by hand.`;
  }
}

interface RunContext {
  readonly migrations: readonly LoadedMigration[];
  readonly applied: Set<string>;
  readonly timeoutSeconds: number;
}

async function runLocked(db: MigrationDatabase, dialect: DialectName, migrations: readonly LoadedMigration[], target: number, timeoutSeconds: number, steps: Step[]): Promise<void> {
  const release = await acquireLock(db, dialect, timeoutSeconds);
  try {
    let applied: Map<string, Date>;
    if (dialect === 'sqlite') {
      await beginExclusive(db, timeoutSeconds);
      try {
        await ensureHistory(db, dialect);
        applied = await readHistory(db);
      } finally {
        await sql`commit`.execute(db);
      }
    } else {
      // Under the lock: the table is created once, and the applied set is the current one.
      await ensureHistory(db, dialect);
      applied = await readHistory(db);
    }
    const down = migrations.filter((m, i) => i > target && applied.has(m.name)).reverse();
    const up = migrations.filter((m, i) => i <= target && !applied.has(m.name));
    for (const [list, direction] of [[down, 'down'], [up, 'up']] as const) {
      for (const migration of list) steps.push({ migration, direction, result: { name: migration.name, direction, status: 'notExecuted' } });
    }
    for (const m of down) {
      for (const [i, op] of m.operations.entries()) {
        const reason = op.irreversible(m.states[i]!);
        if (reason !== null) {
          throw new MigrationError('E_MIGRATION_IRREVERSIBLE', `Migration ${m.name} cannot be unapplied: operation ${i + 1} (${reason}). Nothing was unapplied.`, {
            hint: 'Add a backward function (runCode) or a default (removeColumn) to the operation, or choose a later target.',
          });
        }
      }
    }
    const ctx: RunContext = { migrations, applied: new Set(applied.keys()), timeoutSeconds };
    for (const step of steps) {
      try {
        await runStep(db, dialect, step, ctx);
      } catch (err) {
        step.result.status = 'error';
        throw err;
      }
      step.result.status = 'success';
      if (step.direction === 'up') ctx.applied.add(step.migration.name);
      else ctx.applied.delete(step.migration.name);
    }
  } finally {
    await release();
  }
}

/**
 * Applies the pending migrations of `dir` (or moves to `target`) and reports what it did.
 *
 * @example
 * const { error, results } = await migrate({ url: process.env.DATABASE_URL!, dir: './migrations' })
 * for (const r of results) console.log(`${r.direction === 'up' ? 'Applied' : 'Unapplied'} ${r.name}: ${r.status}`)
 * if (error) { console.error(error.message); process.exitCode = 1 }
 *
 * await migrate({ url, dir: './migrations', target: '0001_initial' }) // roll back to 0001
 * @see docs/migrations.md
 */
export async function migrate<DB>(options: MigrateOptions<DB>): Promise<MigrationResultSet> {
  const steps: Step[] = [];
  const report = (): MigrationResult[] => steps.filter((s) => s.skipped !== true).map((s) => s.result);
  let close: (() => Promise<void>) | undefined;
  try {
    const migrations = await loadMigrations(options.dir, { mustExist: true });
    const target = resolveTarget(migrations, options.target);
    const timeoutSeconds = options.lockTimeoutSeconds ?? MIGRATE_DEFAULTS.lockTimeoutSeconds;
    if (!Number.isInteger(timeoutSeconds) || timeoutSeconds < 1) {
      // MySQL's GET_LOCK waits forever on a negative timeout: only whole positive seconds pass.
      throw new MigrationError('E_MIGRATION_OPTIONS', `migrate: lockTimeoutSeconds must be a whole number of seconds from 1, not ${String(timeoutSeconds)}.`);
    }
    const opened = await openDatabase(options);
    close = opened.close;
    await opened.db.connection().execute((conn) => runLocked(conn, opened.dialect, migrations, target, timeoutSeconds, steps));
    return { results: report() };
  } catch (err) {
    return { error: err instanceof Error ? err : new Error(String(err)), results: report() };
  } finally {
    await close?.();
  }
}
