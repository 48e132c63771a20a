import { Writable } from 'node:stream';

const ESCAPE = String.fromCharCode(27);
const CONTROL_SEQUENCE = new RegExp(`${ESCAPE}(?:\\[[0-9;?]*[A-Za-z]|[78])`, 'g');

/** A stream that records what is written to it, saying it is a terminal (`isTTY`) or not, as stderr would. */
export class FakeTerminal extends Writable {
  readonly columns = 200;
  written = '';

  constructor(readonly isTTY: boolean) {
    super();
  }

  override _write(chunk: Buffer | string, _encoding: BufferEncoding, done: (error?: Error | null) => void): void {
    this.written += chunk.toString();
    done();
  }

  /** What was written without the cursor movements and line clearing. */
  get text(): string {
    return this.written.replace(CONTROL_SEQUENCE, '');
  }

  /** The line as a person last saw it: a redraw starts by moving the cursor to the first column. */
  get lastDrawn(): string {
    return (this.written.split(`${ESCAPE}[1G`).at(-1) ?? '').replace(CONTROL_SEQUENCE, '').trim();
  }
}
