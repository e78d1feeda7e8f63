/** GUID arguments (worker agent ids, message guids): both adapters accept them in any case, braces optional. */
import { catalogError } from '../../../actors/catalog-errors.ts';

export const GUID_RE = /^\{?([0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12})\}?$/;

/** True for a GUID already in the stored form (36 characters, lower-case hex): the usual case, no regex. */
export function isCanonicalGuid(s: string): boolean {
  if (s.length !== 36) return false;
  for (let i = 0; i < 36; i++) {
    const c = s.charCodeAt(i);
    if (i === 8 || i === 13 || i === 18 || i === 23) {
      if (c !== 45) return false; // '-'
    } else if (!((c >= 48 && c <= 57) || (c >= 97 && c <= 102))) return false; // 0-9 a-f
  }
  return true;
}

/** A GUID parameter: NULL → 27100, malformed → 27101, both naming the parameter. Returns it lower-case. */
export function guidParam(name: string, value: unknown): string {
  if (typeof value === 'string' && isCanonicalGuid(value)) return value;
  if (value === null || value === undefined) throw catalogError(27100, name);
  const m = typeof value === 'string' ? GUID_RE.exec(value.trim()) : null;
  if (!m) throw catalogError(27101, name);
  return m[1]!.toLowerCase();
}

