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
}
