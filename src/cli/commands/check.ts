/**
 * `rampart check [--deploy]`: loads the app and reports problems with ids, messages and fixes.
 * Without --deploy: the app loads, its routes compile, its templates compile, its migrations are
 * up to date. With --deploy: also every security setting production needs, judged as
 * `rampart start` would run the app (NODE_ENV=production unless set otherwise).
 *
 * @module
 */
import type { App } from '../../app.js';
import { makeMigrations } from '../../db/index.js';
import { RampartError } from '../../errors.js';
import type { Command } from '../command.js';
import { failing, finding, type Finding } from '../checks/finding.js';
import { hostsFinding, modeChecks, routeChecks, secretKeyFinding, transportAndHeaderChecks } from '../checks/security-checks.js';
import { sourceChecks, templateChecks } from '../checks/source-checks.js';
import type { ResolvedConfig } from '../config.js';
import { EXIT_CODES } from '../errors.js';
import type { LoadedApp } from '../project.js';

/** A refusal of the app to start in production, as the finding it corresponds to. */
function refusalFinding(err: RampartError): Finding | null {
  const reason = err.message.replace(/^Refusing to start in production: /, '').replace(/\.\s.*$/s, '');
  if (err.code === 'E_CONFIG_SECRET_KEY') return secretKeyFinding(`${reason}; the app refuses to start in production`);
  if (err.code === 'E_CONFIG_ALLOWED_HOSTS') return hostsFinding(`${reason}; the app refuses to start in production`);
  return null;
}

async function migrationCheck(config: ResolvedConfig, loaded: LoadedApp): Promise<Finding[]> {
  if (loaded.models === null) return [];
  const fix = 'Run `rampart makemigrations`, review the file, commit it, and run `rampart migrate` when deploying.';
  try {
    const result = await makeMigrations({ models: loaded.models, dir: config.migrations, dryRun: true });
    if (!result.changed) return [];
    return [finding('migrations.W001', 'warning', 'The models have changes that no migration file has: the database will not match the code.', fix, result.operations)];
  } catch (err) {
    if (err instanceof RampartError && err.code.startsWith('E_MIGRATION_') && /^E_MIGRATION_(RENAME_AMBIGUOUS|DEFAULT_REQUIRED)$/.test(err.code)) {
      return [finding('migrations.W001', 'warning', `The models have changes that no migration file has (makemigrations will ask: ${err.message.split('\n')[0]}).`, fix)];
    }
    throw err;
  }
}

function appChecks(app: App): Finding[] {
  const out: Finding[] = [];
  try {
    app.ready();
  } catch (err) {
    out.push(finding('routes.E001', 'error', `The route table does not compile: ${(err as Error).message}`, 'Fix the routes named in the message; the app refuses to start with them.'));
  }
  try {
    app.templates?.precompile?.();
  } catch (err) {
    out.push(finding('templates.E002', 'error', `A template does not compile: ${(err as Error).message}`, 'Fix the template named in the message; in production the app refuses to start with it.'));
  }
  return out;
}

function print(ctx: Parameters<Command['run']>[0], findings: readonly Finding[], silenced: number): void {
  for (const f of findings) {
    ctx.io.out(`${f.id} ${f.level}: ${f.message}`);
    for (const w of f.where ?? []) ctx.io.out(`    at ${w}`);
    ctx.io.out(`  fix: ${f.fix}`);
  }
  const counted = findings.filter((f) => f.level !== 'info').length;
  const notes = findings.length - counted;
  const tail = [notes > 0 ? `${notes} note${notes === 1 ? '' : 's'}` : '', silenced > 0 ? `${silenced} silenced` : ''].filter((x) => x !== '').join(', ');
  if (findings.length > 0) ctx.io.out('');
  ctx.io.out(`${counted === 0 ? 'No issues found' : `${counted} issue${counted === 1 ? '' : 's'} found`}${tail === '' ? '' : ` (${tail})`}.`);
}

export const checkCommand: Command = {
  name: 'check',
  summary: 'check the app for problems; --deploy adds the production security checks',
  description: 'Exit 1 when an error or warning is found (notes do not count). Every id is explained in docs/deployment.md; silence reviewed ones with silencedChecks in rampart.config.ts.',
  options: {
    deploy: { type: 'boolean', help: 'also run the security checks for production (as rampart start runs the app)' },
    json: { type: 'boolean', help: 'print the findings as JSON' },
  },
  async run(ctx) {
    const deploy = ctx.values['deploy'] === true;
    if (deploy && (process.env['NODE_ENV'] ?? '') === '') process.env['NODE_ENV'] = 'production';
    const config = await ctx.project();
    const findings: Finding[] = [];
    let loaded: LoadedApp | null = null;
    try {
      loaded = (await ctx.app()).loaded;
    } catch (err) {
      const refusal = deploy && err instanceof RampartError ? refusalFinding(err) : null;
      if (refusal === null) throw err;
      findings.push(refusal);
      // The secret key is checked first; say now too if the hosts would be refused next.
      if (refusal.id === 'security.W009' && (process.env['ALLOWED_HOSTS'] ?? '').trim() === '') {
        findings.push(hostsFinding('ALLOWED_HOSTS is not set; the app refuses to start in production'));
      }
    }
    if (loaded !== null) {
      findings.push(...appChecks(loaded.app));
      if (deploy) findings.push(...modeChecks(loaded.app), ...transportAndHeaderChecks(loaded.app), ...routeChecks(loaded.app));
      findings.push(...(await migrationCheck(config, loaded)));
    }
    findings.push(...templateChecks(config.root, config.templates));
    if (deploy) findings.push(...sourceChecks(config.root, config.sources));
    const silenced = new Set(config.silencedChecks);
    const shown = findings.filter((f) => !silenced.has(f.id)).sort((a, b) => a.id.localeCompare(b.id));
    if (ctx.values['json'] === true) ctx.io.out(JSON.stringify(shown, null, 2));
    else print(ctx, shown, findings.length - shown.length);
    return failing(shown) ? EXIT_CODES.failure : EXIT_CODES.ok;
  },
};
