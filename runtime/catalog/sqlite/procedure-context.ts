/**
 * What an embedded catalog procedure (one file each under ./procedures/, named after its SQL Server
 * script) gets from the store: statements inside the caller's group transaction, the clock, catalog
 * properties, the operations table and the catalog key. A procedure runs synchronously inside that
 * transaction, so a throw undoes everything it wrote.
 */
import type Database from 'better-sqlite3';
import type { Principal } from '../../../actors/ports.ts';
import type { Row } from '../catalog-rows.ts';
import type { CatalogCipher } from '../catalog-key.ts';

export interface ProcedureDb {
  get<T = Row>(sql: string, ...params: unknown[]): T | undefined;
  all<T = Row>(sql: string, ...params: unknown[]): T[];
  run(sql: string, ...params: unknown[]): Database.RunResult;
  nowIso(): string;
  prop(name: string): string;
  insertOperation(type: number, status: number, caller: Principal, object: { type: number | null; id: number | null; name: string | null }, start: boolean): number;
  readonly cipher: CatalogCipher;
  // Internal procedures the public ones call (they stay in the store: the master's internal verbs use them too).
  /** The execution with its operation, if the caller has READ + MODIFY on it, else 27103 (27100/27101 for a bad id). */
  visibleExecution(caller: Principal, executionId: unknown): Row;
  /** A registered worker by id: NULL 27100, malformed or the sentinel 27101, unknown 27243. */
  workerRow(param: string, id: unknown): { id: string; row: Row };
  /** `internal.cancel_job`. */
  cancelJob(jobId: string, stopId: number): void;
  /** The execution → canceled (3) and its stop operation → succeeded (7). */
  completeCancel(operationId: number, stopId: number | null): void;
  setMasterProperty(name: string, value: string): void;
  /** `internal.prune_project_versions`. */
  pruneVersions(projectId: number): void;
}
