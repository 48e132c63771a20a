import { SingleBar } from 'cli-progress';
import type { ImportProgress, ImportReport } from '../complaints/complaint.import';

/** A stream a progress line may be drawn on (stderr): drawn only when it is a terminal. */
export interface ProgressStream extends NodeJS.WritableStream {
  isTTY?: boolean;
  columns?: number;
}

/** An import's progress line: fed the import's figures while it reads, then finished with its report, or stopped. */
export interface ImportProgressLine {
  update(progress: ImportProgress): void;
  /** Draws the outcome and leaves the line: a refused import imported nothing, whatever it had read. */
  finish(report: ImportReport): void;
  /** Leaves the line as it is (the import failed). */
  stop(): void;
}

const FORMAT = '{bar} {percentage}% | {rows} rows read, {imported} imported, {refused} refused | {rate} rows/s';

const count = (n: number) => n.toLocaleString('en-US');

/** Rows per second over `elapsedMs`, as the line shows it. */
export function formatRowsPerSecond(rows: number, elapsedMs: number): string {
  return count(elapsedMs > 0 ? Math.round((rows * 1000) / elapsedMs) : 0);
}

/**
 * The progress line of an import of a `totalBytes` file, drawn on `stream`: a bar over the bytes read, then rows
 * read, imported and refused, and rows per second since it started (`clock`, in milliseconds). Undefined when
 * `stream` is not a terminal, so logs, pipes and tests stay clean.
 */
export function importProgressLine(
  stream: ProgressStream,
  totalBytes: number,
  clock: () => number = () => performance.now(),
): ImportProgressLine | undefined {
  if (stream.isTTY !== true) return undefined;
  // Line wrapping is left as the terminal has it (the line is cut to its width instead): turned off, a Ctrl-C
  // mid-import would leave it off.
  const bar = new SingleBar({ stream, format: FORMAT, barsize: 24, linewrap: null });
  const started = clock();
  const figures = (p: Pick<ImportProgress, 'rows' | 'imported' | 'refused'>) => ({
    rows: count(p.rows),
    imported: count(p.imported),
    refused: count(p.refused),
    rate: formatRowsPerSecond(p.rows, clock() - started),
  });
  // An empty file still gets a bar (of one byte) to fill when it is done.
  const total = Math.max(totalBytes, 1);
  let last: ImportProgress = { bytes: 0, rows: 0, imported: 0, refused: 0, ignored: 0, done: false };
  bar.start(total, 0, figures(last));
  return {
    update(progress) {
      last = progress;
      bar.update(Math.min(progress.bytes, total), figures(progress));
    },
    finish(report) {
      bar.update(total, figures({ ...last, imported: report.committed ? last.imported : 0 }));
      bar.stop();
    },
    stop() {
      bar.stop();
    },
  };
}
