/**
 * Rename detection. A table or column that disappears while one of the same shape appears may be
 * a rename or a drop and an add; the difference is the data, so it is never guessed. Explicit
 * answers win, then the prompt; with neither, every candidate is listed in one error.
 *
 * @module
 */
import type { ColumnState, SchemaState, TableState } from '../schema-state.js';
import { typeLabel } from './defaults.js';
import { AutodetectorError } from './errors.js';
import { isYes, type MigrationPrompt, type RenameAnswers } from './questions.js';
import { sameType } from './state.js';

interface Context {
  readonly renames: RenameAnswers;
  readonly prompt: MigrationPrompt | undefined;
}

/** A candidate nobody answered, for the error message. */
interface Unanswered {
  readonly line: string;
  readonly example: string;
}

function sameTableShape(a: TableState, b: TableState): boolean {
  if (a.columns.length !== b.columns.length) return false;
  return a.columns.every((c) => {
    const d = b.columns.find((x) => x.name === c.name);
    return d !== undefined && sameType(c.type, d.type);
  });
}

function sameColumnShape(a: ColumnState, b: ColumnState): boolean {
  return sameType(a.type, b.type) && (a.references?.table ?? null) === (b.references?.table ?? null);
}

function invalid(message: string): never {
  throw new AutodetectorError('E_MIGRATION_RENAME_INVALID', message, {
    hint: 'Rename answers map an old name that the models no longer have to a new name they have (or to false). Remove answers already applied.',
  });
}

function ambiguous(unanswered: readonly Unanswered[], kind: 'tables' | 'columns'): AutodetectorError {
  return new AutodetectorError(
    'E_MIGRATION_RENAME_AMBIGUOUS',
    `makeMigrations cannot tell whether these were renamed, or dropped and added (dropping loses the data):\n${unanswered.map((u) => `  - ${u.line}`).join('\n')}\n` +
      `Answer through the prompt option, or pass renames: { ${kind}: { ${unanswered.map((u) => u.example).join(', ')} } } (false instead of the new name means dropped and added).`,
  );
}

/**
 * Pairs of removed and added names that are renames. `candidates(old)` lists the added names
 * of the same shape; `explicit` is the answer given in the options for `old`, if any.
 */
async function pair(
  removed: readonly string[],
  added: readonly string[],
  explicit: (old: string) => string | false | undefined,
  candidates: (old: string, free: readonly string[]) => string[],
  ask: (old: string, next: string) => Promise<boolean>,
  describe: (old: string, next: string) => Unanswered,
  prompt: MigrationPrompt | undefined,
): Promise<{ pairs: [string, string][]; unanswered: Unanswered[] }> {
  const pairs: [string, string][] = [];
  const unanswered: Unanswered[] = [];
  const taken = new Set<string>();
  for (const old of removed) {
    const answer = explicit(old);
    if (answer === false) continue;
    if (typeof answer === 'string') {
      if (!added.includes(answer) || taken.has(answer)) invalid(`The rename of ${old} to ${answer} does not fit: the models have no new ${answer} (or it is the target of another rename).`);
      pairs.push([old, answer]);
      taken.add(answer);
    }
  }
  for (const old of removed) {
    if (explicit(old) !== undefined) continue;
    for (const next of candidates(old, added.filter((a) => !taken.has(a)))) {
      if (prompt === undefined) {
        unanswered.push(describe(old, next));
        continue;
      }
      if (await ask(old, next)) {
        pairs.push([old, next]);
        taken.add(next);
        break;
      }
    }
  }
  return { pairs, unanswered };
}

/** Table renames from `from` to `to`, as `[old, new]` pairs. */
export async function tableRenames(from: SchemaState, to: SchemaState, ctx: Context): Promise<[string, string][]> {
  const removed = Object.keys(from.tables).filter((t) => to.tables[t] === undefined).sort();
  const added = Object.keys(to.tables).filter((t) => from.tables[t] === undefined).sort();
  const answers = ctx.renames.tables ?? {};
  for (const key of Object.keys(answers)) {
    if (!removed.includes(key)) invalid(`renames.tables names '${key}', but the migrations have no table ${key} that the models removed.`);
  }
  const { pairs, unanswered } = await pair(
    removed,
    added,
    (old) => (Object.hasOwn(answers, old) ? answers[old] : undefined),
    (old, free) => free.filter((a) => sameTableShape(from.tables[old]!, to.tables[a]!)),
    async (old, next) => isYes(await ctx.prompt!({ kind: 'renameTable', from: old, to: next, text: `Was table ${old} renamed to ${next}? (y/N)` })),
    (old, next) => ({ line: `table ${old} -> ${next}`, example: `${old}: '${next}'` }),
    ctx.prompt,
  );
  if (unanswered.length > 0) throw ambiguous(unanswered, 'tables');
  return pairs;
}

/** Column renames per table (tables compared under their new names), as `[table, old, new]`. */
export async function columnRenames(from: SchemaState, to: SchemaState, ctx: Context, oldName: (table: string) => string): Promise<[string, string, string][]> {
  const answers = ctx.renames.columns ?? {};
  const used = new Set<string>();
  const out: [string, string, string][] = [];
  const unanswered: Unanswered[] = [];
  for (const name of Object.keys(to.tables).sort()) {
    const before = from.tables[name];
    const after = to.tables[name]!;
    if (before === undefined) continue;
    const removed = before.columns.filter((c) => !after.columns.some((x) => x.name === c.name)).map((c) => c.name);
    const added = after.columns.filter((c) => !before.columns.some((x) => x.name === c.name)).map((c) => c.name);
    const keyOf = (old: string): string | undefined =>
      [`${name}.${old}`, `${oldName(name)}.${old}`].find((k) => Object.hasOwn(answers, k));
    const { pairs, unanswered: open } = await pair(
      removed,
      added,
      (old) => {
        const key = keyOf(old);
        if (key === undefined) return undefined;
        used.add(key);
        return answers[key];
      },
      (old, free) => free.filter((a) => sameColumnShape(before.columns.find((c) => c.name === old)!, after.columns.find((c) => c.name === a)!)),
      async (old, next) => {
        const type = typeLabel(after.columns.find((c) => c.name === next)!.type);
        return isYes(await ctx.prompt!({ kind: 'renameColumn', table: name, from: old, to: next, text: `Was column ${name}.${old} renamed to ${name}.${next} (${type})? (y/N)` }));
      },
      (old, next) => ({
        line: `column ${name}.${old} -> ${name}.${next} (${typeLabel(after.columns.find((c) => c.name === next)!.type)})`,
        example: `'${name}.${old}': '${next}'`,
      }),
      ctx.prompt,
    );
    for (const [a, b] of pairs) out.push([name, a, b]);
    unanswered.push(...open);
  }
  for (const key of Object.keys(answers)) {
    if (!used.has(key)) invalid(`renames.columns names '${key}', but the migrations have no column ${key} that the models removed.`);
  }
  if (unanswered.length > 0) throw ambiguous(unanswered, 'columns');
  return out;
}
