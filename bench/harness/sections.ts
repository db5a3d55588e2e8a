// bench/RESULTS.md holds one `## ` section per benchmark. Each benchmark rewrites its own section
// and keeps the others, so running one never erases another's figures.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';

interface Section {
  readonly heading: string;
  readonly text: string;
}

/** Splits markdown into its preamble (before the first `## `) and its `## ` sections. */
function split(markdown: string): { preamble: string; sections: Section[] } {
  const parts = `\n${markdown}`.split('\n## ');
  const preamble = parts.shift()!.slice(1);
  return { preamble, sections: parts.map((p) => ({ heading: p.slice(0, p.indexOf('\n') === -1 ? p.length : p.indexOf('\n')), text: `## ${p}` })) };
}

function join(preamble: string, sections: readonly Section[]): string {
  const blocks = [preamble, ...sections.map((s) => s.text)].map((b) => b.trim()).filter((b) => b !== '');
  return `${blocks.join('\n\n')}\n`;
}

/**
 * Replaces the section whose heading starts with `headingStart` (or appends it) in `file`.
 * `BENCH_WRITE=0` leaves the file alone.
 */
export function writeSection(file: string, headingStart: string, section: string): void {
  if (process.env.BENCH_WRITE === '0') return;
  const { preamble, sections } = split(existsSync(file) ? readFileSync(file, 'utf8') : '');
  const mine: Section = { heading: headingStart, text: section };
  const at = sections.findIndex((s) => s.heading.startsWith(headingStart));
  if (at === -1) sections.push(mine);
  else sections[at] = mine;
  writeFileSync(file, join(preamble, sections));
}

/**
 * `fresh` with the sections of the file's current text that `fresh` does not have appended, so a
 * report that owns several sections can be rewritten without dropping other benchmarks' sections.
 */
export function keepOtherSections(file: string, fresh: string): string {
  if (!existsSync(file)) return fresh;
  const old = split(readFileSync(file, 'utf8')).sections;
  const next = split(fresh);
  const own = new Set(next.sections.map((s) => s.heading));
  return join(next.preamble, [...next.sections, ...old.filter((s) => !own.has(s.heading))]);
}
