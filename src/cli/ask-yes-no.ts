import { createInterface } from 'node:readline';
import type { PromptInput } from './io.js';

/**
 * Reads one answer line from `input` (the question is already printed):
 * an empty answer, `y` or `yes` is yes; anything else, or the end of the
 * input, is no.
 */
export function readYesNo(input: PromptInput): Promise<boolean> {
  return new Promise((resolve) => {
    // terminal: false leaves line editing and Ctrl-C to the terminal: Ctrl-C ends the process as usual.
    const lines = createInterface({ input, terminal: false });
    let answered = false;
    lines.once('line', (answer) => {
      answered = true;
      lines.close();
      resolve(/^(y|yes)?$/i.test(answer.trim()));
    });
    lines.once('close', () => {
      if (!answered) resolve(false);
    });
  });
}
