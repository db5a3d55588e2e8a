/**
 * `rampart audit`: runs `npm audit --json` on the project's lockfile and fails on high and
 * critical advisories. When the registry cannot be asked (unreachable, or an error such as HTTP
 * 405), it says so and exits 3, so a pipeline can tell "vulnerable" (1) from "not audited" (3).
 *
 * @module
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { stringOption, table, type Command } from '../command.js';
import { maskPasswords } from '../database-errors.js';
import { CliError, EXIT_CODES, UsageError } from '../errors.js';

/** Severities in increasing order, as npm names them. */
export const SEVERITIES = Object.freeze(['info', 'low', 'moderate', 'high', 'critical'] as const);
export type Severity = (typeof SEVERITIES)[number];

/** Audit defaults. */
export const AUDIT_DEFAULTS = Object.freeze({
  /** The lowest severity that fails the audit: high and critical advisories block a deploy. */
  level: 'high' as Severity,
  /** How long npm may take, so a hung registry connection cannot hang a pipeline. */
  timeoutMs: 120_000,
  /** Bytes of npm output read at most. */
  maxOutputBytes: 32 * 1024 * 1024,
});

interface Advisory {
  readonly title?: string;
  readonly url?: string;
  readonly severity?: string;
}

interface Vulnerability {
  readonly name: string;
  readonly severity: Severity;
  readonly isDirect?: boolean;
  readonly via?: readonly (string | Advisory)[];
  readonly range?: string;
  readonly fixAvailable?: boolean | { name?: string; version?: string; isSemVerMajor?: boolean };
}

interface AuditReport {
  readonly auditReportVersion: number;
  readonly vulnerabilities: Readonly<Record<string, Vulnerability>>;
  readonly metadata?: { readonly vulnerabilities?: Readonly<Record<string, number>> };
}

function isSeverity(value: string): value is Severity {
  return (SEVERITIES as readonly string[]).includes(value);
}

function unavailable(message: string, hint: string): CliError {
  return new CliError('E_CLI_AUDIT_UNAVAILABLE', maskPasswords(message), { hint, exitCode: EXIT_CODES.unavailable });
}

/** The npm command: the one running this script when started by `npm run`, else `npm` from PATH. */
function npmCommand(): { command: string; prefix: string[] } {
  const execPath = process.env['npm_execpath'];
  if (execPath !== undefined && /npm-cli\.js$/.test(execPath)) return { command: process.execPath, prefix: [execPath] };
  return { command: 'npm', prefix: [] };
}

async function runNpmAudit(root: string, extra: readonly string[]): Promise<{ stdout: string; stderr: string; code: number | null }> {
  const { command, prefix } = npmCommand();
  const child = spawn(command, [...prefix, 'audit', '--json', '--package-lock-only', ...extra], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  let size = 0;
  const collect = (add: (s: string) => void) => (chunk: Buffer) => {
    size += chunk.length;
    if (size <= AUDIT_DEFAULTS.maxOutputBytes) add(chunk.toString('utf8'));
  };
  child.stdout.on('data', collect((s) => (stdout += s)));
  child.stderr.on('data', collect((s) => (stderr += s)));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(unavailable(`npm audit did not finish within ${AUDIT_DEFAULTS.timeoutMs / 1000} s.`, 'The registry may be unreachable; check the network and the registry setting (npm config get registry).'));
    }, AUDIT_DEFAULTS.timeoutMs);
    child.once('error', (err) => {
      clearTimeout(timer);
      reject(unavailable(`npm could not be run: ${err.message}`, 'Install npm (it comes with Node.js) and make sure it is on PATH.'));
    });
    child.once('close', (code) => {
      clearTimeout(timer);
      resolve({ stdout, stderr, code });
    });
  });
}

/** The report npm printed, or the reason there is none (the registry's error). */
export function parseAuditOutput(stdout: string, stderr: string): AuditReport {
  let parsed: unknown;
  try {
    parsed = JSON.parse(stdout);
  } catch {
    const line = stderr.split('\n').find((l) => /npm (error|ERR!)/.test(l)) ?? stderr.trim().split('\n').at(-1) ?? '';
    throw unavailable(`npm audit gave no report${line === '' ? '' : `: ${line.replace(/^npm (error|ERR!)\s*/, '')}`}.`, 'Run `npm audit` yourself to see the full output.');
  }
  const p = parsed as Partial<AuditReport> & { message?: unknown; statusCode?: unknown; error?: { summary?: unknown; code?: unknown } };
  if (typeof p.auditReportVersion === 'number' && typeof p.vulnerabilities === 'object' && p.vulnerabilities !== null) return p as AuditReport;
  const reason =
    typeof p.message === 'string' && p.message !== ''
      ? p.message
      : typeof p.error?.summary === 'string' && p.error.summary !== ''
        ? p.error.summary
        : typeof p.error?.code === 'string'
          ? p.error.code
          : 'the answer was not an audit report';
  throw unavailable(
    `The registry could not be asked for advisories: ${reason}. Nothing was audited.`,
    'The registry (or a mirror in between) must support the advisory endpoint POST /-/npm/v1/security/advisories/bulk; use --registry to point at one that does.',
  );
}

function advisories(v: Vulnerability): string {
  const via = v.via ?? [];
  const own = via.filter((x): x is Advisory => typeof x === 'object');
  if (own.length > 0) return own.map((a) => `${a.title ?? 'advisory'}${a.url === undefined ? '' : ` (${a.url})`}`).join('; ');
  return `through ${via.filter((x): x is string => typeof x === 'string').join(', ')}`;
}

function fix(v: Vulnerability): string {
  const f = v.fixAvailable;
  if (f === true) return 'npm audit fix';
  if (f === false || f === undefined) return 'no fix yet';
  return `${f.name ?? v.name}@${f.version ?? '?'}${f.isSemVerMajor === true ? ' (major)' : ''}`;
}

export const auditCommand: Command = {
  name: 'audit',
  summary: "check the lockfile's packages against the registry's advisories (fails on high and critical)",
  description: 'Runs `npm audit --json --package-lock-only`. Exit 0: nothing at or above the level; 1: advisories at or above it; 3: the registry could not be asked (nothing was audited).',
  options: {
    level: { type: 'string', value: 'SEVERITY', help: 'lowest severity that fails: low, moderate, high (default) or critical' },
    registry: { type: 'string', value: 'URL', help: 'the registry to ask (default: npm config)' },
    production: { type: 'boolean', help: 'skip devDependencies' },
    json: { type: 'boolean', help: "print npm's report as JSON" },
  },
  async run(ctx) {
    const level = stringOption(ctx.values, 'level') ?? AUDIT_DEFAULTS.level;
    if (!isSeverity(level) || level === 'info') throw new UsageError(`--level must be low, moderate, high or critical, got ${JSON.stringify(level)}.`);
    const root = ctx.cwd;
    if (!existsSync(join(root, 'package-lock.json')) && !existsSync(join(root, 'npm-shrinkwrap.json'))) {
      throw new CliError('E_CLI_AUDIT_NO_LOCKFILE', `No package-lock.json in ${root}: there is nothing to audit.`, {
        hint: 'Run `npm install` (or `npm install --package-lock-only`) to write it, and commit it.',
      });
    }
    const registry = stringOption(ctx.values, 'registry');
    const extra = [...(registry === undefined ? [] : ['--registry', registry]), ...(ctx.values['production'] === true ? ['--omit', 'dev'] : [])];
    const { stdout, stderr } = await runNpmAudit(root, extra);
    const report = parseAuditOutput(stdout, stderr);
    const threshold = SEVERITIES.indexOf(level);
    const failing = Object.values(report.vulnerabilities)
      .filter((v) => SEVERITIES.indexOf(v.severity) >= threshold)
      .sort((a, b) => SEVERITIES.indexOf(b.severity) - SEVERITIES.indexOf(a.severity) || a.name.localeCompare(b.name));
    if (ctx.values['json'] === true) ctx.io.out(JSON.stringify(report, null, 2));
    else {
      if (failing.length > 0) {
        ctx.io.out(table(['PACKAGE', 'SEVERITY', 'DIRECT', 'FIX', 'ADVISORY'], failing.map((v) => [v.name, v.severity, v.isDirect === true ? 'yes' : 'no', fix(v), advisories(v)])));
        ctx.io.out('');
      }
      const counts = report.metadata?.vulnerabilities ?? {};
      const summary = SEVERITIES.filter((s) => (counts[s] ?? 0) > 0).map((s) => `${counts[s]} ${s}`);
      ctx.io.out(`${summary.length === 0 ? 'No known vulnerabilities' : `Vulnerabilities: ${summary.join(', ')}`}; ${failing.length} at or above ${level}.`);
    }
    return failing.length > 0 ? EXIT_CODES.failure : EXIT_CODES.ok;
  },
};
