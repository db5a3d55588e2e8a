// The data both scenarios render, and the reference output of the fortunes page.
//
// Fortunes: the 12 rows of the TechEmpower "fortunes" test (the standard messages, one of them a
// <script> that must come out escaped, one in Japanese), plus one added at request time; every
// render copies the rows, adds that one and sorts them by message, as a TechEmpower handler does.
//
// Complex page: a shop listing with 200 items. Some names carry markup and quotes that must come
// out escaped; descriptions are long enough to be truncated; every third item has a note, the
// others none (so `default` has something to do).

export interface Fortune {
  readonly id: number;
  readonly message: string;
}

/** The 12 rows of TechEmpower's Fortune table. */
export const FORTUNES: readonly Fortune[] = Object.freeze([
  { id: 1, message: 'fortune: No such file or directory' },
  { id: 2, message: "A computer scientist is someone who fixes things that aren't broken." },
  { id: 3, message: 'After enough decimal points, nobody gives a damn.' },
  { id: 4, message: 'A bad random number generator: 1, 1, 1, 1, 1, 4.33e+67, 1, 1, 1' },
  { id: 5, message: 'A computer program does what you tell it to do, not what you want it to do.' },
  { id: 6, message: 'Emacs is a nice operating system, but I prefer UNIX. — Tom Christaensen' },
  { id: 7, message: 'Any program that runs right is obsolete.' },
  { id: 8, message: 'A list is only as strong as its weakest link. — Donald Knuth' },
  { id: 9, message: 'Feature: A bug with seniority.' },
  { id: 10, message: 'Computers make very fast, very accurate mistakes.' },
  { id: 11, message: '<script>alert("This should not be displayed in a browser alert box.");</script>' },
  { id: 12, message: 'フレームワークのベンチマーク' },
]);

export const ADDITIONAL_FORTUNE = 'Additional fortune added at request time.';

const byMessage = (a: Fortune, b: Fortune): number => (a.message < b.message ? -1 : a.message > b.message ? 1 : 0);

/** What a fortunes handler does before rendering: copy the rows, add one, sort by message. */
export function fortunesData(): { fortunes: Fortune[] } {
  const fortunes = FORTUNES.slice();
  fortunes.push({ id: 0, message: ADDITIONAL_FORTUNE });
  fortunes.sort(byMessage);
  return { fortunes };
}

const ESCAPES: Readonly<Record<string, string>> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
const escape = (s: string): string => s.replace(/[&<>"']/g, (c) => ESCAPES[c]!);

/** The page TechEmpower expects (whitespace aside), escaped with the canonical entities. */
export function fortunesReference(): string {
  const rows = fortunesData()
    .fortunes.map((f) => `<tr><td>${f.id}</td><td>${escape(f.message)}</td></tr>`)
    .join('');
  return `<!DOCTYPE html><html><head><title>Fortunes</title></head><body><table><tr><th>id</th><th>message</th></tr>${rows}</table></body></html>`;
}

// ---------------------------------------------------------------------------------------------
// The complex page

export interface Item {
  readonly id: number;
  readonly slug: string;
  readonly sku: string;
  readonly name: string;
  readonly category: string;
  readonly description: string;
  readonly tags: readonly string[];
  readonly price: number;
  readonly added: Date;
  readonly note?: string;
}

export const ITEM_COUNT = 200;

const CATEGORIES = ['hardware', 'GARDEN', 'kitchen', 'Toys'] as const;
// Each is longer than the truncation length (40) and has no space at positions 37-40, so
// Jinja's truncate (cut at 40 - len('...') = 37, then back to a space) and Nunjucks' (back from 40
// to a space) cut at the same word and every engine prints the same text.
const DESCRIPTIONS = [
  'A sturdy, reliable and hand-crafted widget for everyday use around the house',
  'Lightweight aluminium frame & handlebars: foldable, stores anywhere',
  'Includes <three> spare parts, "quick-start" guides and a lifetime warranty',
] as const;
const TAGS = ['new', 'sale', 'eco-friendly'] as const;
const DAY_MS = 86_400_000;
const FIRST_DAY = Date.UTC(2024, 0, 1, 9, 30);

function itemName(i: number): string {
  if (i % 25 === 0) return `<script>alert("item ${i}")</script>`;
  if (i % 10 === 0) return `Tom & Jerry's "Deluxe" <${i}>`;
  return `Widget ${i}`;
}

function makeItem(i: number): Item {
  const item = {
    id: i,
    slug: `widget-${i}`,
    sku: `WDG-${String(i).padStart(4, '0')}-X`,
    name: itemName(i),
    category: CATEGORIES[i % CATEGORIES.length]!,
    description: DESCRIPTIONS[i % DESCRIPTIONS.length]!,
    tags: TAGS.slice(0, 1 + (i % TAGS.length)),
    // Three decimals ending in 3: never a half to round, so every engine's round(2) agrees.
    price: Math.round((i * 1.37 + 0.123) * 1000) / 1000,
    added: new Date(FIRST_DAY + i * 1.5 * DAY_MS),
  };
  return i % 3 === 0 ? { ...item, note: `Back in stock on day ${i}` } : item;
}

// A type, not an interface: it must be assignable to Record<string, unknown> (Rampart's render data).
export type PageData = {
  readonly site: {
    readonly name: string;
    readonly contact: string;
    readonly nav: readonly { readonly url: string; readonly label: string }[];
  };
  readonly user: { readonly name: string };
  readonly section: { readonly title: string };
  readonly query: string;
  readonly year: number;
  readonly categories: readonly { readonly slug: string; readonly name: string; readonly count: number }[];
  readonly items: readonly Item[];
};

export const PAGE_DATA: PageData = {
  site: {
    name: 'Rampart Shop',
    contact: 'mailto:team@example.com',
    nav: [
      { url: '/', label: 'Home' },
      { url: '/catalogue', label: 'Catalogue' },
      { url: '/offers?sort=price&dir=asc', label: 'Offers & deals' },
      { url: '/about', label: 'About us' },
      { url: 'https://blog.example.com/', label: 'Blog' },
    ],
  },
  user: { name: 'Ada <Admin> Lovelace' },
  section: { title: 'Hardware & tools' },
  query: 'tea & "biscuits"',
  year: 2024,
  categories: CATEGORIES.map((c, i) => ({ slug: c.toLowerCase(), name: c, count: 50 + i })),
  items: Array.from({ length: ITEM_COUNT }, (_, i) => makeItem(i + 1)),
};
