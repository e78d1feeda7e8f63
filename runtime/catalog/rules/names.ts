/**
 * Naming and argument rules both adapters apply (reference §4.5): folder, project and environment
 * names; parameter and environment variable names.
 */
import { catalogError } from '../../../actors/catalog-errors.ts';

/** Folder/project/environment names: 1–128 chars, no edge spaces, no leading '@', no control chars or `"<>|`. */
export function objectName(param: string, value: unknown): string {
  if (value === null || value === undefined) throw catalogError(27100, param);
  if (typeof value !== 'string') throw catalogError(27101, param);
  if (value.length === 0) throw catalogError(27102, param);
  let why: string | undefined;
  if (value.length > 128) why = 'it is longer than 128 characters';
  else if (/^\s|\s$/.test(value)) why = 'it begins or ends with a space';
  else if (value.startsWith('@')) why = "it begins with '@'";
  // eslint-disable-next-line no-control-regex
  else if (/[\u0000-\u001f"<>|]/.test(value)) why = 'it contains a control character or one of " < > |';
  if (why !== undefined) throw catalogError(27400, value, why);
  return value;
}

/** Parameter and environment variable names: a letter or `_`, then letters, digits or `_` (1–128). */
export function identifierName(param: string, value: unknown): string {
  if (value === null || value === undefined) throw catalogError(27100, param);
  if (typeof value !== 'string') throw catalogError(27101, param);
  if (value.length === 0) throw catalogError(27102, param);
  if (value.length > 128 || !/^[\p{L}_][\p{L}\p{Nd}_]*$/u.test(value)) {
    throw catalogError(27400, value, 'a variable name begins with a letter or _ and holds only letters, digits and _ (at most 128)');
  }
  return value;
}

/** A required text argument: NULL → 27100, not text → 27101. */
export function textArg(param: string, value: unknown, max = 4000): string {
  if (value === null || value === undefined) throw catalogError(27100, param);
  if (typeof value !== 'string' || value.length > max) throw catalogError(27101, param);
  return value;
}

/** An optional description: NULL allowed, at most 1024 characters. */
export function descriptionArg(param: string, value: unknown): string | null {
  if (value === null || value === undefined) return null;
  if (typeof value !== 'string' || value.length > 1024) throw catalogError(27101, param);
  return value;
}

/** An id argument (bigint): NULL → 27100, not a positive integer → 27101. */
export function idArg(param: string, value: unknown): number {
  if (value === null || value === undefined) throw catalogError(27100, param);
  if (typeof value === 'bigint') value = Number(value);
  if (typeof value !== 'number' || !Number.isInteger(value)) throw catalogError(27101, param);
  return value;
}

/**
 * SQL Server truncates an argument longer than its procedure parameter without a word (a 129-character
 * folder name would reach `catalog.create_folder` as a valid 128-character one). The SQL Server adapter
 * therefore hands such a value to the rule the procedure applies to it (`objectName`, `identifierName`,
 * `descriptionArg`, `textArg`…), which refuses it with the same number and text as the embedded
 * catalog; values that fit go to the procedure untouched. This is the rule applied early, not a copy.
 */
export function refuseTruncated(value: unknown, max: number, rule: (value: unknown) => unknown): void {
  if (typeof value === 'string' && value.length > max) rule(value);
  // A value of another type than text cannot be bound to an nvarchar parameter faithfully either.
  if (value !== null && value !== undefined && typeof value !== 'string') rule(value);
}

/** create_execution's folder, project and package arguments: NULL → 27138 (this procedure's number), not text → 27101. */
export function executionNameArg(param: string, value: unknown): string {
  if (value === null || value === undefined) throw catalogError(27138, param);
  if (typeof value !== 'string') throw catalogError(27101, param);
  return value;
}
