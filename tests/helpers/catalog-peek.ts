/**
 * Read-only looks into an embedded catalog file from a test, beside the process that writes it
 * (WAL lets a reader see the last commit): a task of an execution, and whole-table snapshots to prove
 * that a refused input changed nothing.
 */
import Database from 'better-sqlite3';

export function openPeek(path: string): Database.Database {
  return new Database(path, { readonly: true, fileMustExist: true });
}

export function taskOf(db: Database.Database, executionId: number): { TaskId: string; ExecutedCount: number; WorkerAgentId: string | null; Status: number } {
  const row = db.prepare(`SELECT t.TaskId, t.ExecutedCount, t.WorkerAgentId, t.Status FROM tasks t JOIN executions e ON e.job_id = t.JobId
    WHERE e.execution_id = ?`).get(executionId) as { TaskId: string; ExecutedCount: number; WorkerAgentId: string | null; Status: number } | undefined;
  if (!row) throw new Error(`no task for execution ${executionId}`);
  return row;
}

/** Every row of the named tables (or of every table), as sorted JSON lines per table. */
export function snapshot(db: Database.Database, tables?: readonly string[]): Record<string, string[]> {
  const names = tables ?? (db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name").all() as { name: string }[]).map((r) => r.name);
  const out: Record<string, string[]> = {};
  for (const t of names) out[t] = (db.prepare(`SELECT * FROM "${t}"`).all() as unknown[]).map((r) => JSON.stringify(r)).sort();
  return out;
}

/** The names of tables whose rows differ between two snapshots (with a short sample of the difference). */
export function diffSnapshots(a: Record<string, string[]>, b: Record<string, string[]>): string[] {
  const out: string[] = [];
  for (const t of new Set([...Object.keys(a), ...Object.keys(b)])) {
    const x = new Set(a[t] ?? []);
    const y = new Set(b[t] ?? []);
    const gone = [...x].filter((r) => !y.has(r));
    const added = [...y].filter((r) => !x.has(r));
    if (gone.length + added.length > 0) out.push(`${t}: -${gone.length} +${added.length} ${(added[0] ?? gone[0] ?? '').slice(0, 200)}`);
  }
  return out;
}
