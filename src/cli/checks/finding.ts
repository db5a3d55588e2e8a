/**
 * What a check reports: an id that never changes meaning (`security.W004`), a level, what is wrong
 * and how to fix it. Every id is documented in docs/deployment.md.
 *
 * @module
 */

/** `error`: the app is unsafe or broken as configured; `warning`: fix before deploying; `info`: a note. */
export type FindingLevel = 'error' | 'warning' | 'info';

/** One problem found by `rampart check`. */
export interface Finding {
  /** `security.W004`, `csrf.W001`… */
  readonly id: string;
  readonly level: FindingLevel;
  readonly message: string;
  readonly fix: string;
  /** Where: `src/app.ts:12`, `POST /webhook`… */
  readonly where?: readonly string[];
}

/** A finding, with the `where` list left out when empty. */
export function finding(id: string, level: FindingLevel, message: string, fix: string, where: readonly string[] = []): Finding {
  return where.length === 0 ? { id, level, message, fix } : { id, level, message, fix, where };
}

/** Whether findings fail the check (exit 1): any error or warning. Notes never do. */
export function failing(findings: readonly Finding[]): boolean {
  return findings.some((f) => f.level !== 'info');
}
