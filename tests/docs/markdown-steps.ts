/**
 * Reads the steps of a guide page written to be run: each fenced code block is preceded, on the
 * line just above its fence, by an HTML comment saying what it is. Browsers and GitHub show none
 * of the comments, so the page reads as an ordinary tutorial.
 *
 * | marker | the block is |
 * | --- | --- |
 * | `<!-- file: path -->` | the whole content of the file at `path` (relative to the current folder) |
 * | `<!-- run -->`, `<!-- run: exit N -->` | shell commands, run with bash; they must exit 0 (or N) |
 * | `<!-- output -->` | the exact output (stdout and stderr) of the `run` block before it |
 * | `<!-- output: contains -->` | lines that must each be a line of that output |
 * | `<!-- serve: name -->` | a command that serves the app; the test starts it and runs its check `name` |
 * | `<!-- excerpt: path -->` | text found as is in the file at `path` |
 * | `<!-- exists -->` | lines whose first word is a path that must exist |
 *
 * A fenced block without a marker is an error: every block of such a page is checked.
 */

export type Step =
  | { readonly kind: 'file'; readonly line: number; readonly path: string; readonly text: string }
  | { readonly kind: 'run'; readonly line: number; readonly script: string; readonly exit: number }
  | { readonly kind: 'output'; readonly line: number; readonly text: string; readonly mode: 'exact' | 'contains' }
  | { readonly kind: 'serve'; readonly line: number; readonly script: string; readonly check: string }
  | { readonly kind: 'excerpt'; readonly line: number; readonly path: string; readonly text: string }
  | { readonly kind: 'exists'; readonly line: number; readonly paths: readonly string[] };

const MARKER = /^<!--\s*([a-z]+)(?::\s*(.*?))?\s*-->$/;
const FENCE = /^(`{3,}|~{3,})(.*)$/;

/** A path inside the project: relative, without `..`, so a page cannot write outside its folder. */
function projectPath(value: string | undefined, line: number): string {
  const path = (value ?? '').trim();
  if (path === '' || path.startsWith('/') || path.split('/').some((s) => s === '..' || s === '')) {
    throw new Error(`line ${line}: "${path}" is not a relative path inside the project`);
  }
  return path;
}

function step(kind: string, arg: string | undefined, text: string, line: number): Step {
  switch (kind) {
    case 'file':
      return { kind, line, path: projectPath(arg, line), text };
    case 'run': {
      const exit = arg === undefined ? 0 : Number(/^exit (\d+)$/.exec(arg)?.[1] ?? NaN);
      if (!Number.isInteger(exit)) throw new Error(`line ${line}: write <!-- run --> or <!-- run: exit N -->`);
      return { kind, line, script: text, exit };
    }
    case 'output':
      if (arg !== undefined && arg !== 'contains') throw new Error(`line ${line}: write <!-- output --> or <!-- output: contains -->`);
      return { kind, line, text, mode: arg === 'contains' ? 'contains' : 'exact' };
    case 'serve':
      if (arg === undefined || !/^[a-z][a-z0-9-]*$/.test(arg)) throw new Error(`line ${line}: write <!-- serve: check-name -->`);
      return { kind, line, script: text, check: arg };
    case 'excerpt':
      return { kind, line, path: projectPath(arg, line), text };
    case 'exists': {
      const paths = text.split('\n').map((l) => l.trim().split(/\s+/)[0] ?? '').filter((p) => p !== '');
      return { kind, line, paths: paths.map((p) => projectPath(p, line)) };
    }
    default:
      throw new Error(`line ${line}: unknown marker "${kind}"`);
  }
}

/**
 * The steps of a page, in order. Throws on a code block without a marker, an unknown marker, an
 * unclosed fence, or an `output` that does not follow a `run`.
 *
 * @example parseSteps(readFileSync('docs/tutorial.md', 'utf8'))
 */
export function parseSteps(markdown: string): Step[] {
  const lines = markdown.split('\n');
  const steps: Step[] = [];
  for (let i = 0; i < lines.length; i++) {
    const open = FENCE.exec(lines[i]!);
    if (open === null) continue;
    const fence = open[1]!;
    const start = i + 1; // 1-based line number of the fence
    const body: string[] = [];
    for (i++; i < lines.length && !(lines[i]!.startsWith(fence) && lines[i]!.slice(fence.length).trim() === ''); i++) body.push(lines[i]!);
    if (i >= lines.length) throw new Error(`line ${start}: the code block is not closed`);
    const marker = MARKER.exec((lines[start - 2] ?? '').trim());
    if (marker === null) throw new Error(`line ${start}: a code block without a marker comment on the line above (see tests/docs/markdown-steps.ts)`);
    const s = step(marker[1]!, marker[2], body.length === 0 ? '' : body.join('\n') + '\n', start);
    if (s.kind === 'output' && steps.at(-1)?.kind !== 'run') throw new Error(`line ${start}: an output block must follow a run block`);
    steps.push(s);
  }
  return steps;
}

/** Output as compared: `npm warn` lines (this machine's npm configuration) dropped, line ends trimmed. */
export function normalizeOutput(output: string): string {
  return output
    .split('\n')
    .filter((l) => !/^npm (warn|notice)\b/.test(l))
    .map((l) => l.trimEnd())
    .join('\n')
    .replace(/\n+$/, '\n')
    .replace(/^\n+/, '');
}
