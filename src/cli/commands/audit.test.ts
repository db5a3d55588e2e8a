import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { CliError } from '../errors.js';
import { parseAuditOutput } from './audit.js';

describe('parseAuditOutput', () => {
  test('returns a version 2 report', () => {
    const report = parseAuditOutput('{"auditReportVersion":2,"vulnerabilities":{},"metadata":{"vulnerabilities":{"high":0}}}', '');
    assert.deepEqual(report.vulnerabilities, {});
  });

  test('a registry error is E_CLI_AUDIT_UNAVAILABLE with exit code 3, URL credentials masked', () => {
    const body = JSON.stringify({ message: '405 Method Not Allowed - POST https://u:tok@registry.example/-/npm/v1/security/advisories/bulk', statusCode: 405 });
    assert.throws(
      () => parseAuditOutput(body, ''),
      (err: unknown) =>
        err instanceof CliError &&
        err.code === 'E_CLI_AUDIT_UNAVAILABLE' &&
        err.exitCode === 3 &&
        err.message === 'The registry could not be asked for advisories: 405 Method Not Allowed - POST https://u:***@registry.example/-/npm/v1/security/advisories/bulk. Nothing was audited.',
    );
  });

  test('output that is not JSON quotes npm\'s error line', () => {
    assert.throws(
      () => parseAuditOutput('', 'npm warn something\nnpm error code ENOLOCK\n'),
      (err: unknown) => err instanceof CliError && err.message === 'npm audit gave no report: code ENOLOCK.',
    );
  });
});
