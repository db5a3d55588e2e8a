/**
 * The template engine interface: the core renders pages through it (`req.render()`) without
 * knowing which engine is installed. `rampart/templates` provides the default implementation.
 *
 * @module
 */
import type { SafeHtml } from './html.js';

/** What a render gets from the request it answers; every hook is optional. */
export interface RenderHooks {
  /** The response's CSP nonce. Called only when the page has an inline `<script>`/`<style>`. */
  nonce?: () => string;
  /** The CSRF token for the hidden field of POST forms; null or absent means no field. */
  csrfToken?: () => string | null;
  /** Reverse routing for the `url_for` template global. */
  urlFor?: (name: string, params?: Readonly<Record<string, string | number>>, query?: Readonly<Record<string, string>>) => string;
  /** A read-only view of the request, exposed to templates as `request`. */
  request?: Readonly<Record<string, unknown>>;
}

/**
 * A template engine the app renders with.
 *
 * @example
 * const app = rampart({ templates: templates({ folders: ['templates'] }) })
 * app.get('/', (req) => req.render('home.html', { name: 'Ada' }))
 */
export interface TemplateEngine {
  render(name: string, data: Readonly<Record<string, unknown>>, hooks: RenderHooks): SafeHtml;
  /** Compiles every template now, so a broken one stops startup in production. */
  precompile?(): void;
  /** Gives the engine the app's logger for its warnings, unless it was given its own. */
  useWarningSink?(warn: (message: string) => void): void;
}
