/**
 * `showMigrations()`: which migrations of the folder are applied, and when.
 *
 * @module
 */
import { listMigrations } from './files.js';
import { historyExists, readHistory } from './history.js';
import { openDatabase, type DatabaseTarget } from './open.js';

/** One migration and whether the database has it. */
export interface MigrationStatus {
  readonly name: string;
  readonly applied: boolean;
  readonly appliedAt: Date | null;
  /** False for a migration the database records but the folder no longer has. */
  readonly file: boolean;
}

/**
 * The migrations of `dir` in order, with whether each is applied; migrations the database records
 * without a file (another branch, a deleted file) come last with `file: false`.
 *
 * @example
 * for (const m of await showMigrations({ url, dir: './migrations' })) console.log(`[${m.applied ? 'X' : ' '}] ${m.name}`)
 * @see docs/migrations.md
 */
export async function showMigrations<DB>(options: DatabaseTarget<DB> & { readonly dir: string }): Promise<MigrationStatus[]> {
  const entries = listMigrations(options.dir, { mustExist: true });
  const { db, dialect, close } = await openDatabase(options);
  try {
    const applied = (await historyExists(db, dialect)) ? await readHistory(db) : new Map<string, Date>();
    const out: MigrationStatus[] = entries.map((e) => ({ name: e.name, applied: applied.has(e.name), appliedAt: applied.get(e.name) ?? null, file: true }));
    const known = new Set(entries.map((e) => e.name));
    for (const [name, at] of applied) if (!known.has(name)) out.push({ name, applied: true, appliedAt: at, file: false });
    return out;
  } finally {
    await close();
  }
}
