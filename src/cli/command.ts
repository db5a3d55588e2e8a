/**
 * The shape of a command, its option parsing (node's `util.parseArgs`, strict) and its `--help`.
 *
 * @module
 */
import { parseArgs } from 'node:util';
import type { ResolvedConfig } from './config.js';
import { UsageError } from './errors.js';
import type { LoadedApp } from './project.js';

/** One option of a command. */
export interface OptionSpec {
  readonly type: 'string' | 'boolean';
  readonly short?: string;
  readonly multiple?: boolean;
  /** Placeholder shown in the help, e.g. `N` for `--workers N`. */
  readonly value?: string;
  readonly help: string;
}

/** Where a command writes: stdout for results, stderr for progress, warnings and errors. */
export interface Output {
  out(line?: string): void;
  err(line?: string): void;
  /** Writes to stdout without a newline (prompts). */
  write(text: string): void;
}

/** What a command gets when it runs. */
export interface CommandContext {
  readonly cwd: string;
  readonly io: Output;
  /** Parsed options (`--name value` as `values.name`). */
  readonly values: Readonly<Record<string, string | boolean | string[] | undefined>>;
  readonly positionals: readonly string[];
  /** The project (config file), found on first use. */
  project(): Promise<ResolvedConfig>;
  /** The project and its loaded app module, loaded on first use and closed after the command. */
  app(): Promise<{ config: ResolvedConfig; loaded: LoadedApp }>;
  /** Reads standard input, for the prompts. */
  readonly stdin: NodeJS.ReadStream;
}

/** A `rampart` subcommand. */
export interface Command {
  readonly name: string;
  /** One line for `rampart --help`. */
  readonly summary: string;
  /** The arguments after the name, e.g. `<dir>` or `[target]`. */
  readonly args?: string;
  /** More lines for `rampart <name> --help`. */
  readonly description?: string;
  readonly options?: Readonly<Record<string, OptionSpec>>;
  /** Fewest and most positional arguments. @default [0, 0] */
  readonly positionals?: readonly [number, number];
  /** Not listed in `rampart --help` (used by other commands). */
  readonly hidden?: boolean;
  /** Runs the command; resolves to the exit code. */
  run(ctx: CommandContext): Promise<number>;
}

/** Options every command takes. */
export const GLOBAL_OPTIONS: Readonly<Record<string, OptionSpec>> = Object.freeze({
  config: { type: 'string', value: 'FILE', help: 'the config file (default: rampart.config.ts in the working directory)' },
  help: { type: 'boolean', short: 'h', help: 'show this help' },
});

/** Parses a command's arguments; unknown options and wrong counts are usage errors (exit 2). */
export function parseCommandArgs(command: Command, argv: readonly string[]): { values: Record<string, string | boolean | string[] | undefined>; positionals: string[] } {
  const options = { ...GLOBAL_OPTIONS, ...command.options };
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      options: Object.fromEntries(
        Object.entries(options).map(([k, o]) => [k, { type: o.type, ...(o.short === undefined ? {} : { short: o.short }), ...(o.multiple === true ? { multiple: true } : {}) }]),
      ),
      allowPositionals: true,
      strict: true,
    });
  } catch (err) {
    // parseArgs messages name the option ("Unknown option '--wrkers'"); keep them, drop the hint to use '--'.
    const message = (err as Error).message.replace(/\. To specify a positional argument starting with a '-'.*$/s, '.');
    throw new UsageError(`${command.name}: ${message}`, `Run \`rampart ${command.name} --help\` for its options.`);
  }
  const values = parsed.values as Record<string, string | boolean | string[] | undefined>;
  if (values['help'] === true) return { values, positionals: parsed.positionals };
  const [min, max] = command.positionals ?? [0, 0];
  const n = parsed.positionals.length;
  if (n < min || n > max) {
    const what = n < min ? `needs ${command.args ?? 'an argument'}` : `takes ${max === 0 ? 'no arguments' : `at most ${max} argument${max === 1 ? '' : 's'}`}, got ${parsed.positionals.map((p) => JSON.stringify(p)).join(' ')}`;
    throw new UsageError(`${command.name} ${what}.`, `Usage: ${usageLine(command)}`);
  }
  return { values, positionals: parsed.positionals };
}

/** `rampart migrate [target] [options]` */
export function usageLine(command: Command): string {
  return `rampart ${command.name}${command.args === undefined ? '' : ` ${command.args}`} [options]`;
}

/** The text of `rampart <command> --help`. */
export function commandHelp(command: Command): string {
  const lines = [`Usage: ${usageLine(command)}`, '', command.summary];
  if (command.description !== undefined) lines.push('', command.description);
  const options = { ...command.options, ...GLOBAL_OPTIONS };
  const left = Object.entries(options).map(([k, o]) => `${o.short === undefined ? '    ' : `-${o.short}, `}--${k}${o.type === 'string' ? ` ${o.value ?? 'VALUE'}` : ''}`);
  const width = Math.max(...left.map((l) => l.length)) + 2;
  lines.push('', 'Options:');
  Object.values(options).forEach((o, i) => lines.push(`  ${left[i]!.padEnd(width)}${o.help}`));
  return lines.join('\n');
}

/** A string option's value, or undefined. */
export function stringOption(values: CommandContext['values'], name: string): string | undefined {
  const v = values[name];
  return typeof v === 'string' ? v : undefined;
}

/** A repeatable string option's values. */
export function listOption(values: CommandContext['values'], name: string): string[] {
  const v = values[name];
  return Array.isArray(v) ? v : typeof v === 'string' ? [v] : [];
}

/** Formats rows as aligned columns under a header line. */
export function table(headers: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]): string =>
    cells
      .map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd();
  return [line(headers), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}
