/**
 * Shared helpers of the template-engine integration tests: render a template given as a string
 * through the public API, catch the error a template throws, and the classic XSS payloads.
 */
import assert from 'node:assert/strict';
import { templates, type TemplatesOptions, type RenderHooks } from 'rampart/templates';

/** Renders `source` as template `page.html` (plus any other `sources`), strict by default. */
export function render(
  source: string,
  data: Readonly<Record<string, unknown>> = {},
  options: TemplatesOptions & { hooks?: RenderHooks } = {},
): string {
  const { hooks, sources, ...rest } = options;
  const t = templates({ strict: true, reload: false, ...rest, sources: { ...sources, 'page.html': source } });
  return t.render('page.html', data, hooks ?? {}).toString();
}

/** The error `fn` throws; fails the test when it does not throw. */
export function thrown(fn: () => unknown): Error & { code?: string; template?: string; line?: number; col?: number; hint?: string } {
  try {
    fn();
  } catch (err) {
    assert.ok(err instanceof Error, `expected an Error, got ${String(err)}`);
    return err as Error & { code?: string };
  }
  assert.fail('expected an error, but nothing was thrown');
}

/** The error rendering `source` throws. */
export function renderError(source: string, data: Readonly<Record<string, unknown>> = {}, options: TemplatesOptions = {}): ReturnType<typeof thrown> {
  return thrown(() => render(source, data, options));
}

/** The classic payloads the issue lists, by a short name. */
export const PAYLOADS = {
  scriptTag: '<script>alert(1)</script>',
  breakOutImg: '"><img src=x onerror=alert(1)>',
  singleQuoteHandler: "' onmouseover='alert(1)",
  unquotedHandler: 'x onmouseover=alert(1)',
  javascript: 'javascript:alert(1)',
  mixedCase: 'JaVaScRiPt:alert(1)',
  entity: '&#106;avascript:alert(1)',
  tab: 'java\tscript:alert(1)',
  leadingSpace: ' javascript:alert(1)',
  dataUrl: 'data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==',
  closeScript: '</script><script>alert(1)</script>',
  closeStyle: '</style><script>',
  lineSeparator: '\u2028',
  templateInjection: '{{ 7*7 }}',
} as const;

export type PayloadName = keyof typeof PAYLOADS;

/** What a URL attribute gets instead of a URL with a refused scheme. */
export const BLOCKED_URL = 'about:invalid#rampart-blocked';
