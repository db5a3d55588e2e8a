/**
 * Writes operations as the TypeScript source of a migration file: plain object literals, one
 * operation per entry, short objects on one line, so a reviewer reads the change at a glance.
 *
 * @module
 */
import type { Operation } from './types.js';

const LINE_WIDTH = 110;
const IDENT_KEY = /^[A-Za-z_$][\w$]*$/;

function quote(s: string): string {
  const json = JSON.stringify(s).slice(1, -1).replace(/\\"/g, '"').replace(/'/g, "\\'");
  return `'${json}'`;
}

function inline(value: unknown): string {
  if (value === null) return 'null';
  if (typeof value === 'string') return quote(value);
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (Array.isArray(value)) return `[${value.map(inline).join(', ')}]`;
  if (typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== undefined);
    if (entries.length === 0) return '{}';
    return `{ ${entries.map(([k, v]) => `${IDENT_KEY.test(k) ? k : quote(k)}: ${inline(v)}`).join(', ')} }`;
  }
  throw new Error(`a migration file cannot hold a ${typeof value}`);
}

function render(value: unknown, indent: string): string {
  const flat = inline(value);
  if (indent.length + flat.length <= LINE_WIDTH || value === null || typeof value !== 'object') return flat;
  const inner = `${indent}  `;
  if (Array.isArray(value)) return `[\n${value.map((v) => `${inner}${render(v, inner)},`).join('\n')}\n${indent}]`;
  const entries = Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== undefined);
  return `{\n${entries.map(([k, v]) => `${inner}${IDENT_KEY.test(k) ? k : quote(k)}: ${render(v, inner)},`).join('\n')}\n${indent}}`;
}

/** The source of a migration file holding `operations`. */
export function migrationSource(operations: readonly Operation[]): string {
  const body =
    operations.length === 0
      ? "    // Add operations here, e.g. { op: 'runCode', forward: async ({ db }) => { ... }, backward: async ({ db }) => { ... } },"
      : operations.map((op) => `    ${render(op, '    ')},`).join('\n');
  return [
    "import type { Migration } from 'rampart/db';",
    '',
    '// Written by makeMigrations. Review it before applying; see docs/migrations.md for the operations.',
    'export default {',
    '  operations: [',
    body,
    '  ],',
    '} satisfies Migration;',
    '',
  ].join('\n');
}
