/**
 * Execute SQL Task settings as the package stores them (`SQLTask:SqlTaskData` attributes, parameter
 * and result bindings) and the two code tables that differ by connection type: OLE DB parameter
 * types are DBTYPE numbers, ADO.NET ones are System.Data.DbType numbers. Kept apart from the task so
 * validation and the run read one interpretation.
 */
import type { XmlElement } from '../xml.ts';
import { localName } from '../xml.ts';
import { parseBool } from '../load-dtsx.ts';
import type { ParamDirection, ParamType } from '../connections/provider.ts';

export type SourceType = 'DirectInput' | 'FileConnection' | 'Variable';
export type ResultSetType = 'None' | 'SingleRow' | 'Full' | 'XML';

export interface ParameterBinding {
  /** As written: `0`, `1`… (OLE DB `?` ordinals) or `@name` / `name`. */
  readonly parameterName: string;
  readonly variable: string;
  readonly direction: ParamDirection;
  /** The DataType code as written (DBTYPE or DbType, see `paramTypeOf`). */
  readonly dataType: number;
  readonly size: number;
}

export interface ResultBinding {
  /** `0`, `1`… (column ordinal, or result set 0 for a full result set) or a column name. */
  readonly resultName: string;
  readonly variable: string;
}

export interface SqlTaskSettings {
  readonly connection: string;
  readonly sourceType: SourceType;
  /** SQL text, a variable name or a connection name, by `sourceType`. */
  readonly source: string;
  readonly resultSetType: ResultSetType;
  readonly isStoredProcedure: boolean;
  readonly timeoutSeconds: number;
  readonly codePage: number;
  readonly parameters: readonly ParameterBinding[];
  readonly results: readonly ResultBinding[];
}

/** Task property names (property expressions, overrides) → `SqlTaskData` attribute names. */
const ALIASES: Readonly<Record<string, string>> = {
  SqlStatementSourceType: 'SqlStmtSourceType', ResultSetType: 'ResultType', IsQueryStoredProcedure: 'IsStoredProc',
};

const SOURCE_TYPES: Readonly<Record<string, SourceType>> = {
  directinput: 'DirectInput', '1': 'DirectInput', fileconnection: 'FileConnection', '2': 'FileConnection', variable: 'Variable', '3': 'Variable',
};
const RESULT_TYPES: Readonly<Record<string, ResultSetType>> = {
  resultsettype_none: 'None', none: 'None', '1': 'None', resultsettype_singlerow: 'SingleRow', singlerow: 'SingleRow', '2': 'SingleRow',
  resultsettype_rowset: 'Full', rowset: 'Full', full: 'Full', fullresultset: 'Full', '3': 'Full', resultsettype_xml: 'XML', xml: 'XML', '4': 'XML',
};
const DIRECTIONS: Readonly<Record<string, ParamDirection>> = {
  input: 'input', '1': 'input', output: 'output', '2': 'output', inputoutput: 'inputOutput', '3': 'inputOutput', returnvalue: 'returnValue', '4': 'returnValue', '6': 'returnValue',
};

/**
 * Reads the settings from the task's effective properties (`props`) and its ObjectData children.
 * Throws a plain `Error` naming the attribute and the accepted values for an unknown enum value.
 */
export function readSqlTaskSettings(props: Readonly<Record<string, string>>, objectData: XmlElement | undefined): SqlTaskSettings {
  // Overrides and property expressions arrive lower-cased and may use property names: match case-insensitively.
  const canonical = new Map<string, string>();
  for (const n of ['Connection', 'SqlStmtSourceType', 'SqlStatementSource', 'ResultType', 'IsStoredProc', 'TimeOut', 'CodePage', 'BypassPrepare']) canonical.set(n.toLowerCase(), n);
  for (const [prop, attr] of Object.entries(ALIASES)) canonical.set(prop.toLowerCase(), attr);
  const p: Record<string, string> = {};
  const entries = Object.entries(props);
  for (const [k, v] of entries) if (k !== k.toLowerCase() || !canonical.has(k)) p[canonical.get(k.toLowerCase()) ?? k] = v;
  for (const [k, v] of entries) if (k === k.toLowerCase() && canonical.has(k)) p[canonical.get(k)!] = v;
  const enumOf = <T>(table: Readonly<Record<string, T>>, raw: string | undefined, dflt: T, name: string): T => {
    if (raw === undefined || raw.trim() === '') return dflt;
    const v = table[raw.trim().toLowerCase()];
    if (v === undefined) throw new Error(`${name} '${raw}' is not one of ${[...new Set(Object.values(table))].join(', ')}`);
    return v;
  };
  const children = objectData?.children ?? [];
  const attr = (el: XmlElement, name: string) => {
    for (const [k, v] of Object.entries(el.attrs)) if (localName(k) === name) return v;
    return undefined;
  };
  const parameters = children.filter((c) => localName(c.name) === 'ParameterBinding').map((c, i) => {
    const name = attr(c, 'ParameterName') ?? String(i);
    return {
      parameterName: name.trim(),
      variable: attr(c, 'DtsVariableName') ?? '',
      direction: enumOf(DIRECTIONS, attr(c, 'ParameterDirection'), 'input' as ParamDirection, `ParameterDirection of parameter '${name}'`),
      dataType: Number(attr(c, 'DataType') ?? -1),
      size: Number(attr(c, 'ParameterSize') ?? -1),
    };
  });
  const results = children.filter((c) => localName(c.name) === 'ResultBinding').map((c) => ({
    resultName: (attr(c, 'ResultName') ?? '').trim(), variable: attr(c, 'DtsVariableName') ?? '',
  }));
  const timeout = Number(p.TimeOut ?? 0);
  const codePage = Number(p.CodePage ?? 1252);
  return {
    connection: p.Connection ?? '',
    sourceType: enumOf(SOURCE_TYPES, p.SqlStmtSourceType, 'DirectInput', 'SqlStatementSourceType'),
    source: p.SqlStatementSource ?? '',
    resultSetType: enumOf(RESULT_TYPES, p.ResultType ?? p.ResultSetType, 'None', 'ResultSetType'),
    isStoredProcedure: parseBool(p.IsStoredProc),
    timeoutSeconds: Number.isFinite(timeout) && timeout > 0 ? timeout : 0,
    codePage: Number.isFinite(codePage) ? codePage : 1252,
    parameters, results,
  };
}

/** OLE DB DBTYPE codes (what an OLE DB Execute SQL binding stores) → session types. */
const OLEDB_TYPES: Readonly<Record<number, ParamType>> = {
  2: 'int16', 3: 'int32', 4: 'real', 5: 'float', 6: 'money', 7: 'datetime', 8: 'string', 11: 'bool', 12: 'variant',
  14: 'decimal', 16: 'int8', 17: 'uint8', 18: 'int32', 19: 'int64', 20: 'int64', 21: 'int64', 64: 'datetime', 72: 'guid',
  128: 'binary', 129: 'ansiString', 130: 'string', 131: 'decimal', 133: 'date', 134: 'time', 135: 'datetime',
  145: 'time', 146: 'datetimeoffset',
};

/** ADO.NET System.Data.DbType codes → session types. */
const DBTYPE_TYPES: Readonly<Record<number, ParamType>> = {
  0: 'ansiString', 1: 'binary', 2: 'uint8', 3: 'bool', 4: 'money', 5: 'date', 6: 'datetime', 7: 'decimal', 8: 'float',
  9: 'guid', 10: 'int16', 11: 'int32', 12: 'int64', 13: 'variant', 14: 'int8', 15: 'real', 16: 'string', 17: 'time',
  18: 'int32', 19: 'int64', 20: 'decimal', 21: 'decimal', 22: 'ansiString', 23: 'string', 25: 'string', 26: 'datetime2', 27: 'datetimeoffset',
};

/** The session type of a binding's DataType code; unknown codes bind as a variant (the value decides). */
export function paramTypeOf(dataType: number, adoNet: boolean): ParamType {
  return (adoNet ? DBTYPE_TYPES : OLEDB_TYPES)[dataType] ?? 'variant';
}

/** A binding name that is an OLE DB ordinal (`0`, `1`…). */
export function ordinalOf(name: string): number | undefined {
  return /^\d+$/.test(name) ? Number(name) : undefined;
}

/** `@Name` → `Name`. */
export function bareName(name: string): string {
  return name.replace(/^[@:]/, '');
}

/** Windows code page → TextDecoder label (the code pages SQL files are saved in). */
export function decoderLabel(codePage: number): string {
  const map: Record<number, string> = {
    65001: 'utf-8', 1200: 'utf-16le', 1201: 'utf-16be', 1252: 'windows-1252', 1250: 'windows-1250', 1251: 'windows-1251',
    1253: 'windows-1253', 1254: 'windows-1254', 1255: 'windows-1255', 1256: 'windows-1256', 1257: 'windows-1257', 1258: 'windows-1258',
    28591: 'iso-8859-1', 28605: 'iso-8859-15', 932: 'shift_jis', 936: 'gbk', 949: 'euc-kr', 950: 'big5', 20127: 'us-ascii',
  };
  return map[codePage] ?? 'windows-1252';
}
