/**
 * Parameter values typed on a command line (`scaleout execute --param LOGGING_LEVEL=3`) arrive as
 * text; the catalog checks a value against the parameter's data type as SSISDB does (27147), so the
 * text is converted to that type first. The types come from the deployed project
 * (`catalog.object_parameters`) and, for system parameters, from the table SSISDB gives every
 * execution. A value that does not convert is a 27147 naming the parameter and the type.
 */
import type { CatalogStore, ParameterValue, Principal } from '../../actors/ports.ts';
import { catalogError } from '../../actors/catalog-errors.ts';

/** The system parameters (object_type 50) every execution has, with their data types. */
export const SYSTEM_PARAMETER_TYPES: Readonly<Record<string, string>> = {
  LOGGING_LEVEL: 'Int32', CUSTOMIZED_LOGGING_LEVEL: 'String', DUMP_ON_ERROR: 'Boolean', DUMP_ON_EVENT: 'Boolean',
  DUMP_EVENT_CODE: 'String', CALLER_INFO: 'String', SYNCHRONIZED: 'Boolean',
};

const INTS: Readonly<Record<string, readonly [bigint, bigint]>> = {
  Byte: [0n, 255n], SByte: [-128n, 127n], Int16: [-32768n, 32767n], Int32: [-2147483648n, 2147483647n],
  UInt32: [0n, 4294967295n], Int64: [-(2n ** 63n), 2n ** 63n - 1n], UInt64: [0n, 2n ** 64n - 1n],
};

/** Converts command-line text to a value of `dataType`; 27147 when it is not one. */
export function parameterValueFromText(dataType: string, text: string, name: string): ParameterValue {
  const bad = () => catalogError(27147, name, dataType);
  const t = text.trim();
  switch (dataType) {
    case 'String': return text;
    case 'Boolean':
      if (/^(true|1)$/i.test(t)) return true;
      if (/^(false|0)$/i.test(t)) return false;
      throw bad();
    case 'DateTime':
      if (t === '' || Number.isNaN(Date.parse(t))) throw bad();
      return t;
    case 'Decimal': case 'Double': case 'Single': {
      const n = Number(t);
      if (t === '' || !Number.isFinite(n)) throw bad();
      return n;
    }
    default: {
      const range = INTS[dataType];
      if (range === undefined || !/^[-+]?\d+$/.test(t)) throw bad();
      const big = BigInt(t);
      if (big < range[0] || big > range[1]) throw bad();
      return big >= BigInt(Number.MIN_SAFE_INTEGER) && big <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(big) : big;
    }
  }
}

/** object_type → name → data type, for one package of the deployed project (plus system parameters). */
export async function parameterTypes(store: CatalogStore, caller: Principal, folder: string, project: string, pkg: string): Promise<Map<number, Map<string, string>> | null> {
  const folders = await store.queryView(caller, 'catalog.folders');
  const folderRow = folders.rows.find((r) => r['name'] === folder);
  const projects = await store.queryView(caller, 'catalog.projects');
  const projectRow = projects.rows.find((r) => r['name'] === project && folderRow !== undefined && Number(r['folder_id']) === Number(folderRow['folder_id']));
  const out = new Map<number, Map<string, string>>([[20, new Map()], [30, new Map()], [50, new Map(Object.entries(SYSTEM_PARAMETER_TYPES))]]);
  if (projectRow === undefined) return null; // create_execution reports the missing folder/project with its own number
  const params = await store.queryView(caller, 'catalog.object_parameters');
  for (const r of params.rows) {
    if (Number(r['project_id']) !== Number(projectRow['project_id'])) continue;
    const type = Number(r['object_type']);
    if (type === 20 && r['object_name'] === project) out.get(20)!.set(String(r['parameter_name']), String(r['data_type']));
    if (type === 30 && r['object_name'] === pkg) out.get(30)!.set(String(r['parameter_name']), String(r['data_type']));
  }
  return out;
}
