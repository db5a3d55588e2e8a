/**
 * Standard Schema (https://standardschema.dev): the interface zod, valibot, arktype and others
 * implement, so `req.json(schema)` validates with any of them. Only the members Rampart reads are
 * declared here; the core depends on no schema library.
 *
 * @module
 */
import { RampartError } from '../errors.js';
import { HttpError } from './errors.js';

/** One problem found by a schema. */
export interface StandardSchemaIssue {
  readonly message: string;
  readonly path?: ReadonlyArray<PropertyKey | { readonly key: PropertyKey }> | undefined;
}

/** What a schema's `validate` returns. */
export type StandardSchemaResult<Output> = { readonly value: Output; readonly issues?: undefined } | { readonly issues: ReadonlyArray<StandardSchemaIssue> };

/**
 * A validator implementing Standard Schema v1 (a zod, valibot or arktype schema, or your own).
 *
 * @example
 * const Note = z.object({ title: z.string().max(200) })   // any Standard Schema
 * app.post('/api/notes', async (req) => { const note = await req.json(Note); ... })
 */
export interface StandardSchema<Input = unknown, Output = Input> {
  readonly '~standard': {
    readonly version: 1;
    readonly vendor: string;
    readonly validate: (value: unknown) => StandardSchemaResult<Output> | Promise<StandardSchemaResult<Output>>;
    readonly types?: { readonly input: Input; readonly output: Output } | undefined;
  };
}

/** The output type of a Standard Schema. */
export type StandardSchemaOutput<S extends StandardSchema> = NonNullable<S['~standard']['types']>['output'];

/** Error code of a JSON body refused by its schema. */
export const SCHEMA_ERROR_CODE = 'E_BODY_SCHEMA';

/** Where an issue goes in `details.fields`: its path joined with dots, `__all__` for the root. */
function issueKey(issue: StandardSchemaIssue): string {
  if (issue.path === undefined || issue.path.length === 0) return '__all__';
  return issue.path.map((p) => String(typeof p === 'object' && p !== null ? p.key : p)).join('.');
}

/**
 * Validates a parsed body with a schema: its output, or a 422 whose JSON body carries every issue
 * in `details.fields`, keyed by path (`address.city`, `items.0.name`; `__all__` for the root).
 */
export async function validateWithSchema(schema: StandardSchema, value: unknown): Promise<unknown> {
  const std = (schema as Partial<StandardSchema> | null)?.['~standard'];
  if (typeof std !== 'object' || std === null || typeof std.validate !== 'function') {
    throw new RampartError('E_BODY_SCHEMA_UNSUPPORTED', 'req.json(schema) was given a value that does not implement Standard Schema (no ~standard.validate function).', {
      hint: 'Pass a schema of a library that implements Standard Schema (zod 3.24+, valibot 1+, arktype 2+), or call req.json() without an argument.',
    });
  }
  const result = await std.validate(value);
  if (result.issues === undefined) return result.value;
  // Keys come from the client's JSON (a path into it): a null-prototype map keeps `__proto__` a key.
  const fields = Object.create(null) as Record<string, string[]>;
  for (const issue of result.issues) (fields[issueKey(issue)] ??= []).push(String(issue.message));
  const keys = Object.keys(fields);
  const first = keys[0] === undefined ? 'invalid' : `${keys[0]}: ${fields[keys[0]]![0]}`;
  throw new HttpError(422, `The JSON body is invalid: ${first}${keys.length > 1 ? ` (and ${keys.length - 1} more)` : ''}`, {
    code: SCHEMA_ERROR_CODE,
    details: { fields },
  });
}
