/**
 * Reverse routing: `urlFor('user', { id: 42 })` → `/users/42`, with every param percent-encoded so
 * a value can never add a segment, a query string or a fragment.
 *
 * @module
 */
import { editDistance } from '../edit-distance.js';
import { RampartError } from '../errors.js';
import type { ParsedPattern } from './pattern.js';

/** `urlFor()` was called with an unknown name or wrong params; a programming error. */
export class UrlBuildError extends RampartError {}

function suggest(name: string, candidates: Iterable<string>): string {
  const names = [...candidates];
  let best: string | undefined;
  let bestScore = Infinity;
  for (const n of names) {
    const score = editDistance(name, n, 3);
    if (score < bestScore) {
      bestScore = score;
      best = n;
    }
  }
  if (best !== undefined && bestScore <= Math.max(2, name.length / 3)) return ` Did you mean '${best}'?`;
  // A name used without its mount prefix: 'entry' for 'blog.entry'.
  for (const n of names) if (n.endsWith('.' + name)) return ` Did you mean '${n}'?`;
  return '';
}

/** Builds the path of a named route. */
export function buildUrl(
  routes: ReadonlyMap<string, ParsedPattern>,
  name: string,
  params: Readonly<Record<string, string | number>> = {},
  query?: Readonly<Record<string, string>>,
): string {
  const parsed = routes.get(name);
  if (parsed === undefined) {
    throw new UrlBuildError('E_URL_ROUTE_UNKNOWN', `No route is named '${name}'.${suggest(name, routes.keys())}`);
  }
  for (const key of Object.keys(params)) {
    if (!parsed.paramNames.includes(key)) {
      throw new UrlBuildError('E_URL_PARAM_UNKNOWN', `Route '${name}' (${parsed.pattern}) has no parameter '${key}'.`, {
        hint: 'Pass query-string values in the third argument: urlFor(name, params, { page: "2" }).',
      });
    }
  }
  let path = '';
  for (const seg of parsed.segments) {
    if (seg.kind === 'static') {
      path += '/' + seg.value;
      continue;
    }
    const value = params[seg.value];
    if (value === undefined || value === '') {
      throw new UrlBuildError('E_URL_PARAM_MISSING', `Route '${name}' (${parsed.pattern}) needs a value for '${seg.value}'.`);
    }
    if (seg.converter === 'int' && !(typeof value === 'number' ? Number.isSafeInteger(value) && value >= 0 : /^(0|[1-9][0-9]{0,14})$/.test(value))) {
      throw new UrlBuildError('E_URL_PARAM_INVALID', `Route '${name}' needs a non-negative integer for '${seg.value}', got ${JSON.stringify(value)}.`);
    }
    const text = String(value);
    if (seg.kind === 'param' && (text.indexOf('/') !== -1 || text === '.' || text === '..')) {
      // The router never matches such a segment, so the URL would be a guaranteed 404.
      throw new UrlBuildError('E_URL_PARAM_INVALID', `Route '${name}' cannot take ${JSON.stringify(text)} for '${seg.value}': a parameter is one path segment.`, {
        hint: `Use a wildcard (*${seg.value}) in the pattern for values that contain '/'.`,
      });
    }
    if (seg.kind === 'wildcard' && text.split('/').some((p) => p === '.' || p === '..' || p === '')) {
      throw new UrlBuildError('E_URL_PARAM_INVALID', `Route '${name}' cannot take ${JSON.stringify(text)} for '*${seg.value}': empty and dot segments are refused.`);
    }
    path += '/' + (seg.kind === 'wildcard' ? text.split('/').map(encodeURIComponent).join('/') : encodeURIComponent(text));
  }
  if (path === '') path = '/';
  if (query !== undefined) {
    const qs = new URLSearchParams(query).toString();
    if (qs !== '') path += '?' + qs;
  }
  return path;
}
