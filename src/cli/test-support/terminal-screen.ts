/**
 * A tiny terminal for tests of live output: it applies what the progress
 * view writes (text, newlines, `ESC[nF` cursor up to line start, `ESC[2K`
 * clear line, `ESC[J` clear below) to a grid of lines, so a test can assert
 * what a user would see on screen, ghosts included.
 */
export class TerminalScreen {
  readonly #lines: string[] = [''];
  #row = 0;
  #col = 0;

  /** A stream writing onto this screen, as a TTY of the given size. */
  stream(columns = 80, rows = 24): { write(text: string): boolean; isTTY: true; columns: number; rows: number } {
    return { write: (text: string) => (this.write(text), true), isTTY: true, columns, rows };
  }

  write(text: string): void {
    for (const token of text.match(/\x1b\[\d*[A-Za-z]|[^\x1b]/g) ?? []) {
      if (token.startsWith('\x1b[')) this.#escape(token);
      else if (token === '\n') this.#newline();
      else if (token === '\r') this.#col = 0;
      else this.#put(token);
    }
  }

  /** The screen's lines, trailing spaces and empty last lines removed. */
  lines(): string[] {
    const lines = this.#lines.map((line) => line.trimEnd());
    while (lines.length > 0 && lines.at(-1) === '') lines.pop();
    return lines;
  }

  #escape(token: string): void {
    const count = Number(token.slice(2, -1) || '1');
    switch (token.at(-1)) {
      case 'F':
        this.#row = Math.max(0, this.#row - count);
        this.#col = 0;
        break;
      case 'A':
        this.#row = Math.max(0, this.#row - count);
        break;
      case 'K':
        this.#lines[this.#row] = '';
        break;
      case 'J':
        this.#lines[this.#row] = (this.#lines[this.#row] ?? '').slice(0, this.#col);
        this.#lines.length = this.#row + 1;
        break;
    }
  }

  #newline(): void {
    this.#row++;
    this.#col = 0;
    if (this.#lines.length <= this.#row) this.#lines.push('');
  }

  #put(char: string): void {
    const line = (this.#lines[this.#row] ?? '').padEnd(this.#col);
    this.#lines[this.#row] = line.slice(0, this.#col) + char + line.slice(this.#col + 1);
    this.#col++;
  }
}
