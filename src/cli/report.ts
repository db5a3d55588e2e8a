/**
 * How every command reports an error: the message and its code, the hint, and for an app that
 * failed to load, the first lines of the stack that shows where.
 *
 * @module
 */
import { RampartError } from '../errors.js';
import type { Output } from './command.js';
import { CliError, EXIT_CODES } from './errors.js';

// Duck-typed: an app that reaches Rampart through another path has its own copy of the classes.
function isRampartError(err: unknown): err is RampartError {
  if (err instanceof RampartError) return true;
  const code = err instanceof Error ? (err as Error & { code?: unknown }).code : undefined;
  return typeof code === 'string' && /^E_[A-Z0-9_]+$/.test(code) && 'hint' in (err as object);
}

/** Prints an error the way every command reports one. */
export function reportError(io: Output, err: unknown): number {
  if (isRampartError(err)) {
    io.err(`rampart: ${err.message} [${err.code}]`);
    if (err.hint !== undefined) io.err(`  hint: ${err.hint}`);
    if (err.code === 'E_CLI_APP_LOAD_FAILED' && err.cause instanceof Error && err.cause.stack !== undefined) {
      io.err('');
      io.err(err.cause.stack.split('\n').slice(0, 12).join('\n'));
    }
    return err instanceof CliError ? err.exitCode : EXIT_CODES.failure;
  }
  io.err(`rampart: unexpected error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
  return EXIT_CODES.failure;
}

