/**
 * CLI errors and the exit codes scripts can rely on.
 *
 * @module
 */
import { RampartError } from '../errors.js';

/**
 * Exit codes of the `rampart` command. They never change meaning, so CI scripts can branch on them.
 *
 * @example if (status === EXIT_CODES.findings) console.log('rampart check found problems')
 */
export const EXIT_CODES = Object.freeze({
  /** Everything went well. */
  ok: 0,
  /** The command failed, or a check/audit found problems. */
  failure: 1,
  /** The command line was wrong: unknown command or option, missing argument. */
  usage: 2,
  /** `rampart audit` could not get an answer from the registry: nothing was audited. */
  unavailable: 3,
});

/** The exit code a `CliError` ends the command with. */
export type ExitCode = (typeof EXIT_CODES)[keyof typeof EXIT_CODES];

/**
 * An error the `rampart` command reports as one clear message (and hint), never as a stack trace.
 *
 * @example throw new CliError('E_CLI_APP_NOT_FOUND', 'No app found.', { hint: 'Create rampart.config.ts.' })
 */
export class CliError extends RampartError {
  /** The process exit code. */
  readonly exitCode: ExitCode;

  constructor(code: string, message: string, options: { hint?: string; cause?: unknown; exitCode?: ExitCode } = {}) {
    super(code, message, options);
    this.exitCode = options.exitCode ?? EXIT_CODES.failure;
  }
}

/** A command-line mistake: exits 2 and prints the command's usage. */
export class UsageError extends CliError {
  constructor(message: string, hint?: string) {
    super('E_CLI_USAGE', message, { exitCode: EXIT_CODES.usage, ...(hint === undefined ? {} : { hint }) });
  }
}
