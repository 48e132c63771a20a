import fs from 'node:fs';
import path from 'node:path';
import { formatImportReport, type ImportReport, importComplaintsCsv } from '../complaints/complaint.import';
import { refreshStatistics } from '../db/maintenance.repository';
import { migrateToLatest } from '../db/migrate';
import { importProgressLine } from './import-progress';
import { type Command, parseFlags, UsageError } from './support';

/**
 * `import --skip-invalid`'s exit code when it imported the valid rows and refused others: distinct from 1 (nothing
 * imported) so a script can tell "some rows need fixing" from "the import failed", and non-zero so neither passes
 * for a clean import.
 */
export const IMPORT_ROWS_REFUSED = 3;

/**
 * `import FILE.csv [--skip-invalid]`: streams the file into the database (src/complaints/complaint.import.ts), with
 * a progress line on stderr when it is a terminal, then prints the report. Exit 0 when every row was fine, 1 when
 * nothing was imported, {@link IMPORT_ROWS_REFUSED} when --skip-invalid refused rows.
 */
export const importCommand: Command = {
  summary:
    'import complaints from a CSV file whose header names the generic fields (one transaction); exit 3 when --skip-invalid refused rows',
  usage: 'import FILE.csv [--skip-invalid]',
  purpose: 'database',
  async run(ctx) {
    const { values, positionals } = parseFlags(ctx.args, { 'skip-invalid': { type: 'boolean' } }, true);
    const [file, ...extra] = positionals;
    if (!file || extra.length > 0) throw new UsageError('give exactly one CSV file');
    const size = readableFileSize(file);
    return ctx.withDatabase(async (database) => {
      await migrateToLatest(database.db);
      const progress = ctx.terminal && importProgressLine(ctx.terminal, size);
      let report: ImportReport;
      try {
        report = await importComplaintsCsv(database, {
          csv: fs.createReadStream(file),
          rule: { priorities: ctx.config.majorPriorities, tags: ctx.config.majorTags },
          skipInvalid: values['skip-invalid'] === true,
          now: ctx.now(),
          file: path.basename(file),
          onProgress: progress ? (p) => progress.update(p) : undefined,
        });
      } catch (e) {
        progress?.stop();
        throw e;
      }
      progress?.finish(report);
      if (report.created > 0) await refreshStatistics(database.db);
      ctx.out(formatImportReport(report));
      if (!report.committed) return 1;
      return report.invalid.length === 0 ? 0 : IMPORT_ROWS_REFUSED;
    });
  },
};

/** The size of a file the import can read, or a UsageError saying why it cannot, before any database is opened. */
function readableFileSize(file: string): number {
  let fd: number | undefined;
  try {
    fd = fs.openSync(file, 'r');
    const stat = fs.fstatSync(fd);
    if (stat.isDirectory()) throw Object.assign(new Error('is a directory'), { code: 'EISDIR' });
    return stat.size;
  } catch (e) {
    throw new UsageError(`cannot read ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`, {
      cause: e,
    });
  } finally {
    if (fd !== undefined) fs.closeSync(fd);
  }
}
