// The reader of runnable guide pages: markers, refusals of unmarked blocks and unsafe paths, and
// the output normalisation the tutorial test compares with.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { normalizeOutput, parseSteps } from './markdown-steps.ts';

const page = [
  '# A page',
  '',
  '<!-- run -->',
  '```sh',
  'npx rampart migrate',
  '```',
  '',
  '<!-- output -->',
  '```',
  'Apply 0001_initial... OK',
  '```',
  '',
  '<!-- file: src/app.ts -->',
  '```ts',
  "export const a = '```';",
  '```',
  '',
  '<!-- run: exit 1 -->',
  '```sh',
  'false',
  '```',
  '',
  '<!-- output: contains -->',
  '```',
  '# fail 0',
  '```',
  '',
  '<!-- serve: tasks -->',
  '```sh',
  'npm run dev',
  '```',
  '',
  '<!-- excerpt: migrations/0002_tasks.ts -->',
  '````ts',
  "      table: 'tasks_task',",
  '````',
  '',
  '<!-- exists -->',
  '```',
  'package.json   the scripts',
  '',
  'src/app.ts',
  '```',
].join('\n');

describe('parseSteps', () => {
  test('reads every marked block in order, with its line', () => {
    assert.deepEqual(parseSteps(page), [
      { kind: 'run', line: 4, script: 'npx rampart migrate\n', exit: 0 },
      { kind: 'output', line: 9, text: 'Apply 0001_initial... OK\n', mode: 'exact' },
      { kind: 'file', line: 14, path: 'src/app.ts', text: "export const a = '```';\n" },
      { kind: 'run', line: 19, script: 'false\n', exit: 1 },
      { kind: 'output', line: 24, text: '# fail 0\n', mode: 'contains' },
      { kind: 'serve', line: 29, script: 'npm run dev\n', check: 'tasks' },
      { kind: 'excerpt', line: 34, path: 'migrations/0002_tasks.ts', text: "      table: 'tasks_task',\n" },
      { kind: 'exists', line: 39, paths: ['package.json', 'src/app.ts'] },
    ]);
  });

  test('refuses a code block without a marker', () => {
    assert.throws(() => parseSteps('Text\n\n```ts\nconst a = 1;\n```\n'), /line 3: a code block without a marker comment/);
  });

  test('refuses a marker separated from its block by a blank line', () => {
    assert.throws(() => parseSteps('<!-- run -->\n\n```sh\nls\n```\n'), /line 3: a code block without a marker/);
  });

  test('refuses unknown markers and malformed arguments', () => {
    assert.throws(() => parseSteps('<!-- shell -->\n```sh\nls\n```\n'), /line 2: unknown marker "shell"/);
    assert.throws(() => parseSteps('<!-- run: twice -->\n```sh\nls\n```\n'), /line 2: write <!-- run --> or <!-- run: exit N -->/);
    assert.throws(() => parseSteps('<!-- serve -->\n```sh\nnpm run dev\n```\n'), /line 2: write <!-- serve: check-name -->/);
    assert.throws(() => parseSteps('<!-- run -->\n```sh\nls\n```\n<!-- output: roughly -->\n```\nx\n```\n'), /line 6: write <!-- output -->/);
  });

  test('refuses an output that does not follow a run block', () => {
    assert.throws(() => parseSteps('<!-- output -->\n```\nOK\n```\n'), /line 2: an output block must follow a run block/);
  });

  test('refuses paths that leave the project', () => {
    for (const path of ['../outside.ts', '/etc/passwd', 'src/../../x', 'src//x', '']) {
      assert.throws(() => parseSteps(`<!-- file: ${path} -->\n\`\`\`ts\nx\n\`\`\`\n`), /is not a relative path inside the project/, path);
    }
    assert.throws(() => parseSteps('<!-- exists -->\n```\n../x\n```\n'), /"\.\.\/x" is not a relative path/);
  });

  test('refuses an unclosed block', () => {
    assert.throws(() => parseSteps('<!-- run -->\n```sh\nls\n'), /line 2: the code block is not closed/);
  });
});

describe('normalizeOutput', () => {
  test("drops npm's configuration warnings and trailing spaces, keeps everything else", () => {
    const raw = 'npm warn Unknown user config "nodedir".\nWrote migrations/0002_tasks.ts:   \n  - Create table tasks_task\n\n';
    assert.equal(normalizeOutput(raw), 'Wrote migrations/0002_tasks.ts:\n  - Create table tasks_task\n');
  });
});
