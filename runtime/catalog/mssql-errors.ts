/**
 * SQL Server errors back to the project's errors. The catalog procedures raise SSISDB's numbers as
 * `THROW 50000, '[27243] <SSISDB text>', 1` (internal.raise_catalog_error: numbers below 50000 cannot
 * be thrown or registered), so a caller of the mssql adapter sees the same `SsoError` as with SQLite:
 * code SSO_ERR_CATALOG, `number` 27243, the registry's text.
 */
import { SsoError } from '../../actors/errors.ts';
import { CatalogErrorMessages } from '../../actors/catalog-errors.ts';

/** The text prefix internal.raise_catalog_error puts before SSISDB's message. */
const CATALOG_PREFIX_RE = /^\[(\d{5})\] ([\s\S]*)$/;

/** SQL Server error numbers worth a retry: the whole transaction was rolled back and nothing applied. */
export const RETRYABLE_SQL_ERRORS: ReadonlySet<number> = new Set([
  1205, // chosen as deadlock victim
  1222, // lock request time out
]);

interface DriverErrorShape {
  readonly number?: unknown;
  readonly message?: unknown;
  readonly code?: unknown;
  readonly originalError?: { readonly info?: { readonly number?: unknown; readonly message?: unknown } } & { readonly number?: unknown; readonly message?: unknown };
  readonly precedingErrors?: readonly unknown[];
}

/** The SQL Server error number and text of a driver error, looking through mssql's wrappers. */
export function sqlErrorInfo(error: unknown): { number: number | undefined; message: string } {
  const e = (error ?? {}) as DriverErrorShape;
  const candidates = [e.number, e.originalError?.info?.number, e.originalError?.number];
  const number = candidates.find((n): n is number => typeof n === 'number');
  const message = [e.message, e.originalError?.info?.message, e.originalError?.message].find((m): m is string => typeof m === 'string') ?? String(error);
  return { number, message };
}

/**
 * Maps a driver error: a catalog error (50000 with the `[number]` prefix) → SSO_ERR_CATALOG with
 * SSISDB's number and text (level 16); anything else → SSO_ERR_CATALOG_IO naming the SQL error.
 * An SsoError passes through unchanged.
 */
export function mapMssqlError(error: unknown, where: string): SsoError {
  if (SsoError.is(error)) return error;
  const { number, message } = sqlErrorInfo(error);
  const m = CATALOG_PREFIX_RE.exec(message);
  if (m !== null && (number === 50000 || number === undefined)) {
    const catalogNumber = Number(m[1]);
    if (catalogNumber in CatalogErrorMessages) return new SsoError('SSO_ERR_CATALOG', m[2]!, { number: catalogNumber, level: 16, where });
  }
  const code = typeof (error as DriverErrorShape)?.code === 'string' ? ` (${(error as DriverErrorShape).code as string})` : '';
  const text = number === undefined ? `The SQL Server catalog call failed${code}: ${message}` : `The SQL Server catalog call failed with SQL error ${number}${code}: ${message}`;
  return new SsoError('SSO_ERR_CATALOG_IO', text, { where, cause: error, ...(number === undefined ? {} : { number }) });
}

/** True when the error means "the transaction was rolled back as a whole; try again". */
export function isRetryableSqlError(error: unknown): boolean {
  const { number } = sqlErrorInfo(error);
  return number !== undefined && RETRYABLE_SQL_ERRORS.has(number);
}
