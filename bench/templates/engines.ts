// The five engines, each set up the way its documentation recommends for production (templates
// compiled once and cached, no file watching), and a render function per scenario that returns
// the page as a string. The templates are in views/<engine>/, written in each engine's own idiom.
//
// Each engine's package is imported only when that engine is created, so a worker thread that runs
// one engine loads no other (see "Isolation" in bench/README.md: merely loading Nunjucks slows
// other code down).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PAGE_DATA, fortunesData } from './data.js';
import { capitalize, formatDate, helpers, round, truncate } from './helpers.js';

export const ENGINE_IDS = ['rampart', 'nunjucks', 'eta', 'ejs', 'handlebars'] as const;
export type EngineId = (typeof ENGINE_IDS)[number];

export const SCENARIO_IDS = ['fortunes', 'complex'] as const;
export type ScenarioId = (typeof SCENARIO_IDS)[number];

export const SCENARIO_TITLES: Readonly<Record<ScenarioId, string>> = {
  fortunes: 'TechEmpower fortunes',
  complex: 'Complex page (3-level layout, 200 rows, 3 includes, 10 filters)',
};

export interface Engine {
  readonly id: EngineId;
  /** npm package whose version is reported (Rampart: this repository). */
  readonly pkg: string | null;
  /** How escaping is configured, and how the complex page expresses inheritance and filters. */
  readonly notes: string;
  readonly render: Readonly<Record<ScenarioId, () => string>>;
}

export const VIEWS = join(import.meta.dirname, 'views');

async function rampart(): Promise<Engine> {
  const { templates } = await import('../../src/templates/index.js');
  const t = templates({ folders: [join(VIEWS, 'rampart')], strict: true, reload: false });
  t.precompile();
  return {
    id: 'rampart',
    pkg: null,
    notes:
      'context-aware escaping (always on), `strict: true`, `reload: false`, all templates precompiled. ' +
      '`{% extends %}` chain page → section → base, `{% include %}` ×3, built-in filters; the hrefs need no ' +
      'filter (a value continuing a URL is percent-encoded by the engine).',
    render: {
      fortunes: () => t.render('fortunes.html', fortunesData()).toString(),
      complex: () => t.render('page.html', PAGE_DATA).toString(),
    },
  };
}

async function nunjucksEngine(): Promise<Engine> {
  const { default: nunjucks } = await import('nunjucks');
  const env = new nunjucks.Environment(new nunjucks.FileSystemLoader(join(VIEWS, 'nunjucks'), { watch: false, noCache: false }), {
    autoescape: true,
  });
  env.addFilter('date', (d: Date, format: string) => formatDate(d, format));
  const fortunes = env.getTemplate('fortunes.njk', true);
  const page = env.getTemplate('page.njk', true);
  return {
    id: 'nunjucks',
    pkg: 'nunjucks',
    notes:
      '`autoescape: true`, FileSystemLoader with its cache (`noCache: false`, no watch), templates compiled eagerly. ' +
      '`{% extends %}` chain, `{% include %}` ×3, built-in filters plus a registered `date` filter (Nunjucks has none); ' +
      '`|urlencode` on the query in the href (autoescape only HTML-escapes).',
    render: {
      fortunes: () => fortunes.render(fortunesData()),
      complex: () => page.render(PAGE_DATA),
    },
  };
}

async function etaEngine(): Promise<Engine> {
  const { Eta } = await import('eta');
  const eta = new Eta({ views: join(VIEWS, 'eta'), cache: true, autoEscape: true });
  const data = { ...PAGE_DATA, h: helpers };
  return {
    id: 'eta',
    pkg: 'eta',
    notes:
      '`autoEscape: true` (`<%= %>`), `cache: true`. Eta layouts: page → `layout("./section")` → `layout("./base")`, ' +
      '`include()` ×3; JavaScript inline (toUpperCase, join, `??`, replaceAll, encodeURIComponent, .length) and ' +
      'helper functions passed in the data for capitalize, truncate, round and date.',
    render: {
      fortunes: () => eta.render('./fortunes', fortunesData()),
      complex: () => eta.render('./page', data),
    },
  };
}

async function ejsEngine(): Promise<Engine> {
  const { default: ejs } = await import('ejs');
  const dir = join(VIEWS, 'ejs');
  const compile = (name: string) => {
    const filename = join(dir, name);
    return ejs.compile(readFileSync(filename, 'utf8'), { filename, cache: true, views: [dir] });
  };
  const fortunes = compile('fortunes.ejs');
  const page = compile('page.ejs');
  const data = { ...PAGE_DATA, h: helpers };
  return {
    id: 'ejs',
    pkg: 'ejs',
    notes:
      '`<%= %>` escaping, `cache: true`, default options otherwise. No inheritance in EJS: its documented idiom, ' +
      'header/footer includes (page → section-header/footer → base-header/footer, 4 includes more), plus ' +
      '`include()` ×3; JavaScript inline and helper functions in the data as for Eta. ' +
      'EJS resolves each include with fs.existsSync at every render (its normal behaviour).',
    render: {
      fortunes: () => fortunes(fortunesData()),
      complex: () => page(data),
    },
  };
}

async function handlebarsEngine(): Promise<Engine> {
  const { default: Handlebars } = await import('handlebars');
  const hb = Handlebars.create();
  const dir = join(VIEWS, 'handlebars');
  const read = (name: string) => readFileSync(join(dir, `${name}.hbs`), 'utf8');
  for (const name of ['base', 'section', 'nav', 'sidebar', 'footer']) hb.registerPartial(name, hb.compile(read(name)));
  hb.registerHelper({
    upper: (s: string) => s.toUpperCase(),
    capitalize: (s: string) => capitalize(s),
    truncate: (s: string, n: number) => truncate(s, n),
    join: (a: readonly string[], sep: string) => a.join(sep),
    round: (n: number, p: number) => round(n, p),
    date: (d: Date, format: string) => formatDate(d, format),
    default: (v: unknown, fallback: unknown) => v ?? fallback,
    replace: (s: string, a: string, b: string) => s.replaceAll(a, b),
    urlencode: (s: string) => encodeURIComponent(s),
  });
  const fortunes = hb.compile(read('fortunes'));
  const page = hb.compile(read('page'));
  return {
    id: 'handlebars',
    pkg: 'handlebars',
    notes:
      '`{{ }}` escaping, default compile options. No inheritance in Handlebars: the partial-block layout pattern, ' +
      'page `{{#> section}}` → section `{{#> base}}` with `{{#*inline}}` partials for the overridden parts, ' +
      'partials ×3; registered helpers for the 9 filters it lacks, `items.length` for length.',
    render: {
      fortunes: () => fortunes(fortunesData()),
      complex: () => page(PAGE_DATA),
    },
  };
}

const FACTORIES: Readonly<Record<EngineId, () => Promise<Engine>>> = {
  rampart,
  nunjucks: nunjucksEngine,
  eta: etaEngine,
  ejs: ejsEngine,
  handlebars: handlebarsEngine,
};

export function createEngine(id: EngineId): Promise<Engine> {
  return FACTORIES[id]();
}
