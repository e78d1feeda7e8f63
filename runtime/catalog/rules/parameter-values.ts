/**
 * Parameter value rules both adapters apply: a value checked against an SSIS parameter data type
 * (27147 naming the parameter), the stored form, and the stored form back. Environment variables use
 * the same types (catalog.create_environment_variable @data_type).
 */
import type { SsoError } from '../../../actors/errors.ts';
import { catalogError } from '../../../actors/catalog-errors.ts';
import type { ParameterDataType, ParameterValue } from '../../../actors/ports.ts';
import { bool } from '../catalog-rows.ts';

/** The data types a parameter or environment variable may have. */
export const DATA_TYPES: readonly string[] = ['Boolean', 'Byte', 'DateTime', 'Decimal', 'Double', 'Int16', 'Int32', 'Int64', 'SByte', 'Single', 'String', 'UInt32', 'UInt64'];

const INT_RANGES: Partial<Record<ParameterDataType, readonly [bigint, bigint]>> = {
  Byte: [0n, 255n], SByte: [-128n, 127n], Int16: [-32768n, 32767n], Int32: [-2147483648n, 2147483647n],
  UInt32: [0n, 4294967295n], Int64: [-(2n ** 63n), 2n ** 63n - 1n], UInt64: [0n, 2n ** 64n - 1n],
};

/**
 * Checks a value against a parameter data type (27147 naming the parameter and the type) and
 * returns what is stored: booleans as 0/1, integers as number (bigint beyond 2^53), text as is.
 */
export function storeValue(dataType: string, value: ParameterValue, name: string): number | bigint | string | null {
  if (value === null) return null;
  const bad = (): SsoError => catalogError(27147, name, dataType);
  switch (dataType) {
    case 'String':
      if (typeof value !== 'string') throw bad();
      return value;
    case 'Boolean':
      if (typeof value === 'boolean') return value ? 1 : 0;
      if (value === 0 || value === 1 || value === 0n || value === 1n) return Number(value);
      if (typeof value === 'string' && /^(true|false)$/i.test(value.trim())) return /^true$/i.test(value.trim()) ? 1 : 0;
      throw bad();
    case 'DateTime':
      if (typeof value !== 'string' || Number.isNaN(Date.parse(value))) throw bad();
      return value;
    case 'Decimal': case 'Double': case 'Single':
      if (typeof value === 'number' && Number.isFinite(value)) return value;
      if (typeof value === 'bigint') return Number(value);
      throw bad();
    default: {
      const range = INT_RANGES[dataType as ParameterDataType];
      if (range === undefined) throw bad();
      let big: bigint;
      if (typeof value === 'number' && Number.isInteger(value)) big = BigInt(value);
      else if (typeof value === 'bigint') big = value;
      else throw bad();
      if (big < range[0] || big > range[1]) throw bad();
      return big >= BigInt(Number.MIN_SAFE_INTEGER) && big <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(big) : big;
    }
  }
}

/** The stored form back to a ParameterValue of the parameter's type. */
export function loadValue(dataType: string, stored: unknown): ParameterValue {
  if (stored === null || stored === undefined) return null;
  if (dataType === 'Boolean') return bool(stored) || stored === '1';
  if (typeof stored === 'bigint') return stored >= BigInt(Number.MIN_SAFE_INTEGER) && stored <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(stored) : stored;
  if (typeof stored === 'number' || typeof stored === 'string') return stored;
  return String(stored);
}

