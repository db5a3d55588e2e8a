/**
 * Questions in the terminal: a line, a yes/no, and a password typed without echo. Commands ask
 * only when standard input is a terminal; otherwise they stop and say which option answers.
 *
 * One buffer per input stream holds what was typed ahead (a paste of several answers), so each
 * question takes exactly one line of it.
 *
 * @module
 */
import type { Output } from './command.js';
import { CliError } from './errors.js';

/** Longest answer read, so a paste of a whole file is refused rather than held in memory. */
const MAX_ANSWER_LENGTH = 4096;

/** Whether the command may ask questions: standard input is a terminal. */
export function canPrompt(stdin: NodeJS.ReadStream): boolean {
  return stdin.isTTY === true;
}

function aborted(): CliError {
  return new CliError('E_CLI_ABORTED', 'Stopped: the input ended or Ctrl-C was pressed before an answer.');
}

class LineBuffer {
  #text = '';
  #ended = false;
  #wake: (() => void) | null = null;
  readonly #stream: NodeJS.ReadStream;

  constructor(stream: NodeJS.ReadStream) {
    this.#stream = stream;
    stream.setEncoding('utf8');
    stream.on('data', (chunk: string) => {
      this.#text += chunk;
      if (this.#text.length > MAX_ANSWER_LENGTH * 4) this.#text = this.#text.slice(-MAX_ANSWER_LENGTH * 4);
      this.#wake?.();
    });
    stream.on('end', () => {
      this.#ended = true;
      this.#wake?.();
    });
  }

  /** The next line; in raw mode Enter is `\r`, Backspace edits and Ctrl-C/Ctrl-D abort. */
  async line(raw: boolean, prompt: () => void): Promise<string> {
    const wasRaw = this.#stream.isRaw;
    // Raw mode before the prompt is shown: nothing typed after it is ever echoed.
    if (raw) this.#stream.setRawMode(true);
    prompt();
    this.#stream.resume();
    try {
      for (;;) {
        const end = this.#text.search(/[\r\n]/);
        if (raw && /[\u0003\u0004]/.test(end === -1 ? this.#text : this.#text.slice(0, end))) {
          this.#text = '';
          throw aborted();
        }
        if (end !== -1) {
          let line = this.#text.slice(0, end);
          const skip = this.#text.startsWith('\r\n', end) ? 2 : 1;
          this.#text = this.#text.slice(end + skip);
          if (raw) line = [...line].reduce((acc, ch) => (ch === '\u007f' || ch === '\b' ? acc.slice(0, -1) : ch >= ' ' ? acc + ch : acc), '');
          return line.slice(0, MAX_ANSWER_LENGTH);
        }
        if (this.#ended) throw aborted();
        await new Promise<void>((resolve) => (this.#wake = resolve));
        this.#wake = null;
      }
    } finally {
      if (raw) this.#stream.setRawMode(wasRaw);
      this.#stream.pause();
    }
  }
}

const buffers = new WeakMap<NodeJS.ReadStream, LineBuffer>();

function bufferOf(stdin: NodeJS.ReadStream): LineBuffer {
  let b = buffers.get(stdin);
  if (b === undefined) buffers.set(stdin, (b = new LineBuffer(stdin)));
  return b;
}

/** Asks for one line. */
export function question(stdin: NodeJS.ReadStream, io: Output, text: string): Promise<string> {
  return bufferOf(stdin).line(false, () => io.write(text));
}

/** Asks a yes/no question; anything but y/yes is no. */
export async function confirm(stdin: NodeJS.ReadStream, io: Output, text: string): Promise<boolean> {
  const answer = await question(stdin, io, text);
  return /^\s*(y|yes)\s*$/i.test(answer);
}

/**
 * Asks for a password without showing it: the terminal is put in raw mode and nothing typed is
 * echoed, so it never lands in the scrollback or a screen recording.
 */
export async function password(stdin: NodeJS.ReadStream, io: Output, text: string): Promise<string> {
  const value = await bufferOf(stdin).line(canPrompt(stdin), () => io.write(text));
  io.write('\n');
  return value;
}
