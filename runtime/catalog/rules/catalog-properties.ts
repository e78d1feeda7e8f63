/** `catalog.configure_catalog`'s property names and value rules (reference §4.2, §4.5). */
import { VALID_LOGGING_LEVELS } from '../../../actors/catalog-codes.ts';

/** `configure_catalog` property rules: returns the value to store, or undefined when invalid. */
export const CATALOG_PROPERTY_RULES: Readonly<Record<string, (v: string) => string | undefined>> = {
  DEFAULT_EXECUTION_MODE: (v) => (v === '0' || v === '1' ? v : undefined),
  SERVER_LOGGING_LEVEL: (v) => (/^\d+$/.test(v) && VALID_LOGGING_LEVELS.has(Number(v)) ? String(Number(v)) : undefined),
  RETENTION_WINDOW: (v) => (/^-?\d+$/.test(v) && Number(v) >= -1 && Number(v) !== 0 && Number(v) <= 2147483647 ? String(Number(v)) : undefined),
  MAX_PROJECT_VERSIONS: (v) => (/^\d+$/.test(v) && Number(v) >= 1 && Number(v) <= 2147483647 ? String(Number(v)) : undefined),
  OPERATION_CLEANUP_ENABLED: (v) => (/^(true|false)$/i.test(v) ? v.toUpperCase() : undefined),
  VERSION_CLEANUP_ENABLED: (v) => (/^(true|false)$/i.test(v) ? v.toUpperCase() : undefined),
  VALIDATION_TIMEOUT: (v) => (/^\d+$/.test(v) && Number(v) >= 1 ? String(Number(v)) : undefined),
  SERVER_OPERATION_ENCRYPTION_LEVEL: (v) => (v === '1' || v === '2' ? v : undefined),
  ENCRYPTION_ALGORITHM: (v) => (['DES', 'TRIPLE_DES', 'TRIPLE_DES_3KEY', 'DESX', 'AES_128', 'AES_192', 'AES_256'].includes(v.toUpperCase()) ? v.toUpperCase() : undefined),
};

