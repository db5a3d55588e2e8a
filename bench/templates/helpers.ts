// The filters the peer engines lack, written once as plain functions, each doing what Rampart's
// built-in filter of the same name does on this data (Jinja semantics). Nunjucks registers the one
// it lacks (`date`) as a filter, Handlebars registers them all as helpers, Eta and EJS templates call
// them as functions passed in the data (`it.h.truncate(...)`, `h.truncate(...)`), which is how
// those engines are used. Where JavaScript has a one-liner (toUpperCase, join, `??`, replaceAll,
// encodeURIComponent, .length), the Eta and EJS templates write it inline instead.

/** Jinja's `capitalize`: first character upper case, the rest lower case. */
export function capitalize(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1).toLowerCase();
}

/** Jinja's `truncate(length)`: cut to `length - 3` characters, back to the last space, add '...'. */
export function truncate(s: string, length: number): string {
  if (s.length <= length) return s;
  const cut = s.slice(0, length - 3);
  const space = cut.lastIndexOf(' ');
  return (space === -1 ? cut : cut.slice(0, space)) + '...';
}

/** Jinja's `round(precision)` for the common method. */
export function round(n: number, precision: number): number {
  const f = 10 ** precision;
  return Math.round(n * f) / f;
}

const pad2 = (n: number): string => (n < 10 ? '0' : '') + n;

/** A `date` filter with the strftime codes the page uses (%Y %m %d %H %M %S), in UTC. */
export function formatDate(d: Date, format: string): string {
  return format.replace(/%([YmdHMS%])/g, (_, code: string) => {
    switch (code) {
      case 'Y':
        return String(d.getUTCFullYear());
      case 'm':
        return pad2(d.getUTCMonth() + 1);
      case 'd':
        return pad2(d.getUTCDate());
      case 'H':
        return pad2(d.getUTCHours());
      case 'M':
        return pad2(d.getUTCMinutes());
      case 'S':
        return pad2(d.getUTCSeconds());
      default:
        return '%';
    }
  });
}

/** Passed to Eta and EJS templates as `h`. */
export const helpers = Object.freeze({ capitalize, truncate, round, formatDate });
export type Helpers = typeof helpers;
