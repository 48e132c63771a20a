import { formatRowsPerSecond, importProgressLine } from '../../src/cli/import-progress';
import type { ImportReport } from '../../src/complaints/complaint.import';
import { FakeTerminal } from '../helpers/fake-terminal';

const report = (committed: boolean): ImportReport => ({
  rows: 5_000,
  created: 3_000,
  duplicates: 1_000,
  ignored: 988,
  invalid: [{ line: 7, field: 'subject', message: 'is required' }],
  committed,
});

describe('the import progress line', () => {
  it('draws a bar over the bytes read, then rows read, imported, refused and rows per second', () => {
    const terminal = new FakeTerminal(true);
    let now = 10_000;
    const line = importProgressLine(terminal, 2_000, () => now);
    if (!line) throw new Error('no line drawn on a terminal');

    now += 2_000;
    line.update({ bytes: 1_000, rows: 5_000, imported: 4_000, refused: 12, ignored: 988, done: false });
    line.stop();

    expect(terminal.lastDrawn).toMatch(/^=+-+ 50% \| 5,000 rows read, 4,000 imported, 12 refused \| 2,500 rows\/s$/);
    // The line is left on screen, and what follows starts on the next.
    expect(terminal.text.endsWith('\n')).toBe(true);
  });

  it('ends full, with the rate over the whole import, and nothing imported when the import was refused', () => {
    for (const committed of [true, false]) {
      const terminal = new FakeTerminal(true);
      let now = 0;
      const line = importProgressLine(terminal, 2_000, () => now);
      if (!line) throw new Error('no line drawn on a terminal');
      now = 1_000;
      line.update({ bytes: 2_000, rows: 5_000, imported: 4_000, refused: 12, ignored: 988, done: true });
      // Moving the rows in from staging takes time too.
      now = 4_000;
      line.finish(report(committed));

      expect(terminal.lastDrawn).toMatch(
        new RegExp(`^=+ 100% \\| 5,000 rows read, ${committed ? '4,000' : '0'} imported, 12 refused \\| 1,250 rows/s$`),
      );
    }
  });

  it('draws nothing, and asks for nothing, when the stream is not a terminal', () => {
    const pipe = new FakeTerminal(false);
    expect(importProgressLine(pipe, 2_000)).toBeUndefined();
    expect(pipe.written).toBe('');
  });

  it.each([
    [0, 0, '0'],
    [100, 0, '0'],
    [1_500, 1_000, '1,500'],
    [10_001, 3_000, '3,334'],
  ])('shows %i rows in %i ms as %s rows/s', (rows, ms, shown) => {
    expect(formatRowsPerSecond(rows, ms)).toBe(shown);
  });
});
