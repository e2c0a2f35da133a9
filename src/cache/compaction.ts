/**
 * Giving disk space back. A KV file never shrinks by itself: SQLite reuses
 * the pages freed by evictions and deletions but keeps them in the file, and
 * keeps its write-ahead log at its largest. After `delete()`, and whenever
 * the file has grown past a few times the size bound, the file is vacuumed
 * and its log truncated through `node:sqlite` (loaded only then). It takes
 * an exclusive lock for a moment; when another process is writing, it is
 * skipped and tried again later. Deno lets `node:sqlite` run `VACUUM` (which
 * attaches a temporary database) only with `--allow-all`; without it only
 * the log is truncated.
 *
 * @module
 */

/** Past this many times the size bound, the file is compacted. */
const COMPACT_FACTOR = 3;
/** Files this small are left alone: SQLite's own overhead. */
const COMPACT_MIN_BYTES = 1024 * 1024;

/** Compacts the file when it weighs more than a few times `maxSize`. */
export async function compactIfLarge(path: string, maxSize: number): Promise<boolean> {
  let bytes = 0;
  try {
    bytes = (await Deno.stat(path)).size;
  } catch {
    return false;
  }
  if (bytes <= Math.max(COMPACT_FACTOR * maxSize, COMPACT_MIN_BYTES)) return false;
  return await compact(path);
}

/**
 * Vacuums the database file and truncates its log, trying `attempts` times
 * 50 ms apart while a connection holds a lock (the sync call never waits on
 * one, so the event loop is not blocked); `false` when it could not.
 */
export async function compact(path: string, attempts = 1): Promise<boolean> {
  let sqlite: typeof import("node:sqlite");
  try {
    sqlite = await import("node:sqlite");
  } catch {
    return false;
  }
  for (let attempt = 0; attempt < attempts; attempt++) {
    if (attempt > 0) await new Promise((resolve) => setTimeout(resolve, 50));
    try {
      const db = new sqlite.DatabaseSync(path);
      try {
        db.exec("PRAGMA busy_timeout = 0");
        const vacuumed = vacuum(db);
        db.exec("PRAGMA wal_checkpoint(TRUNCATE)");
        return vacuumed;
      } finally {
        db.close();
      }
    } catch {
      // Locked (or not a database): try again.
    }
  }
  return false;
}

/** `VACUUM`, or `false` when Deno does not allow it (no `--allow-all`); a lock throws. */
function vacuum(db: { exec(sql: string): void }): boolean {
  try {
    db.exec("VACUUM");
    return true;
  } catch (error) {
    if (/attached databases/i.test(String(error))) return false;
    throw error;
  }
}
