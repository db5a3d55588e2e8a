/**
 * The `rampart` command: finds the subcommand, parses its options, runs it and turns every error
 * into a message and an exit code (0 ok, 1 failure or findings, 2 usage, 3 registry unavailable).
 *
 * @module
 */
import { readFileSync } from 'node:fs';
import { commandHelp, parseCommandArgs, usageLine, type CommandContext, type Output } from './command.js';
import { COMMANDS } from './commands/index.js';
import type { ResolvedConfig } from './config.js';
import { EXIT_CODES, UsageError } from './errors.js';
import { findProject, loadApp, type LoadedApp } from './project.js';
import { reportError } from './report.js';

/** Where the command runs and writes; tests of the framework pass their own. */
export interface CliEnvironment {
  readonly cwd: string;
  readonly io: Output;
  readonly stdin: NodeJS.ReadStream;
}

const defaultEnvironment = (): CliEnvironment => ({
  cwd: process.cwd(),
  io: {
    out: (line = '') => process.stdout.write(line + '\n'),
    err: (line = '') => process.stderr.write(line + '\n'),
    write: (text) => process.stdout.write(text),
  },
  stdin: process.stdin,
});

function version(): string {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
  return pkg.version;
}

function overview(): string {
  const visible = COMMANDS.filter((c) => !c.hidden);
  const width = Math.max(...visible.map((c) => c.name.length)) + 2;
  return [
    'Usage: rampart <command> [options]',
    '',
    'Commands:',
    ...visible.map((c) => `  ${c.name.padEnd(width)}${c.summary}`),
    '',
    'Run `rampart <command> --help` for the options of a command.',
    'Exit codes: 0 ok, 1 failure or findings, 2 wrong command line, 3 registry unavailable (audit).',
  ].join('\n');
}

/**
 * Runs one `rampart` command line and resolves to its exit code.
 *
 * @example process.exitCode = await runCli(['routes'])
 */
export async function runCli(argv: readonly string[], env: CliEnvironment = defaultEnvironment()): Promise<number> {
  const { io } = env;
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    const target = name === 'help' ? COMMANDS.find((c) => c.name === rest[0]) : undefined;
    io.out(target === undefined ? overview() : commandHelp(target));
    return EXIT_CODES.ok;
  }
  if (name === '--version' || name === '-v') {
    io.out(version());
    return EXIT_CODES.ok;
  }
  const command = COMMANDS.find((c) => c.name === name);
  if (command === undefined) {
    const near = COMMANDS.filter((c) => !c.hidden && (c.name.startsWith(name.slice(0, 3)) || name.startsWith(c.name.slice(0, 3)))).map((c) => c.name);
    return reportError(io, new UsageError(`Unknown command '${name}'.${near.length > 0 ? ` Did you mean ${near.join(' or ')}?` : ''}`, 'Run `rampart --help` for the list of commands.'));
  }
  // A holder, not a `let`: the closure below assigns it, which narrowing cannot follow.
  const opened: { app: { config: ResolvedConfig; loaded: LoadedApp } | null } = { app: null };
  try {
    const { values, positionals } = parseCommandArgs(command, rest);
    if (values['help'] === true) {
      io.out(commandHelp(command));
      return EXIT_CODES.ok;
    }
    let project: Promise<ResolvedConfig> | null = null;
    const configOption = typeof values['config'] === 'string' ? values['config'] : undefined;
    const ctx: CommandContext = {
      cwd: env.cwd,
      io,
      values,
      positionals,
      stdin: env.stdin,
      project: () => (project ??= findProject(env.cwd, configOption)),
      app: async () => {
        if (opened.app === null) {
          const config = await ctx.project();
          opened.app = { config, loaded: await loadApp(config) };
        }
        return opened.app;
      },
    };
    return await command.run(ctx);
  } catch (err) {
    const code = reportError(io, err);
    if (err instanceof UsageError && !/^Usage:|--help/.test(err.hint ?? '')) io.err(`Usage: ${usageLine(command)}`);
    return code;
  } finally {
    if (opened.app !== null) await closeApp(opened.app.loaded, io);
  }
}

/** Runs the app's close hooks and closes an exported `db`, so no pool keeps the process alive. */
async function closeApp(loaded: LoadedApp, io: Output): Promise<void> {
  try {
    await loaded.app.close();
    await loaded.db?.close();
  } catch (err) {
    io.err(`rampart: closing the app failed: ${(err as Error).message}`);
  }
}

