/**
 * The package model: what `load-dtsx.ts` makes of a `.dtsx` file of any format (2, 3, 6, 8) and what
 * validation, the control-flow runtime and the tasks read. Plain data: the runtime never mutates it
 * (property expressions and overrides are applied to per-run copies of `properties`).
 */
import type { XmlElement } from './xml.ts';

/** Variable / package-parameter data type codes as `.dtsx` writes them (`DTS:DataType`: COM VARTYPE numbers; Char is stored as 18). */
export const VarType = {
  empty: 0, null: 1, int16: 2, int32: 3, single: 4, double: 5, currency: 6, dateTime: 7, string: 8,
  boolean: 11, object: 13, decimal: 14, sbyte: 16, byte: 17, uint16: 18, uint32: 19, int64: 20, uint64: 21, int: 22, uint: 23, guid: 72,
} as const;

/**
 * A variable value at run time. Numbers for every numeric type (bigint only beyond 2^53), `Date` for
 * DateTime, and anything for Object variables (an ADO recordset is `Recordset`).
 */
export type VarValue = string | number | bigint | boolean | Date | null | Recordset | object;

/** An in-memory table held by an Object variable (Execute SQL full result set → ADO enumerator). */
export interface Recordset {
  readonly kind: 'recordset';
  readonly columns: readonly string[];
  readonly rows: readonly (readonly unknown[])[];
}

export function isRecordset(v: unknown): v is Recordset {
  return typeof v === 'object' && v !== null && (v as { kind?: unknown }).kind === 'recordset' && Array.isArray((v as { rows?: unknown }).rows);
}

export interface VariableDef {
  readonly id: string;
  readonly namespace: string;
  readonly name: string;
  /** `Namespace::Name`. */
  readonly qualifiedName: string;
  readonly dataType: number;
  readonly value: VarValue;
  readonly evaluateAsExpression: boolean;
  readonly expression: string;
  readonly readOnly: boolean;
  readonly raiseChangedEvent: boolean;
}

export interface ParameterDef {
  readonly name: string;
  /** Same codes as variables (`VarType`); project parameters are converted from System.TypeCode. */
  readonly dataType: number;
  readonly value: VarValue;
  readonly required: boolean;
  readonly sensitive: boolean;
  readonly id?: string;
}

export interface PropertyExpression {
  /** Property name, e.g. `ConnectionString`, `Disable`, `[Source].[SqlCommand]`. */
  readonly name: string;
  readonly expression: string;
}

export interface ConnectionManagerDef {
  readonly id: string;
  readonly name: string;
  /** `OLEDB`, `FLATFILE`, `FILE`, `ADO.NET:System.Data.SqlClient…`, `SMTP`, `EXCEL`, … */
  readonly creationName: string;
  readonly connectionString: string;
  /** Every other property of the inner `ObjectData` connection manager (FileUsageType, Format, …). */
  readonly properties: Readonly<Record<string, string>>;
  readonly propertyExpressions: readonly PropertyExpression[];
  /** `ObjectData` as written (flat-file columns etc.), for the connection providers. */
  readonly objectData?: XmlElement;
  /** `package` for one inside the `.dtsx`, `project` for a `.conmgr`. */
  readonly scope: 'package' | 'project';
}

/**
 * Normalized executable kinds. Containers run in `control-flow`; tasks are looked up in
 * `tasks/registry.ts`; `unsupported` tasks are named by validation and never run.
 */
export type TaskKind =
  | 'executeSql' | 'dataFlow' | 'script' | 'fileSystem' | 'executePackage' | 'executeProcess'
  | 'sendMail' | 'expression' | 'ftp' | 'webService' | 'bulkInsert' | 'xml' | 'dataProfiling'
  | 'analysisServices' | 'maintenance' | 'transfer' | 'wmi' | 'messageQueue' | 'cdcControl' | 'thirdParty' | 'unknown';

export type ContainerKind = 'package' | 'sequence' | 'forLoop' | 'foreachLoop' | 'eventHandler';

export type ExecutableKind = ContainerKind | TaskKind;

export interface ExecutableCommon {
  readonly id: string;
  readonly name: string;
  readonly description: string;
  /** Package path as SSISDB prints it: `\Package\Seq\Task`, `\Package.EventHandlers[OnError]\Task`. */
  readonly path: string;
  /** The type string as written (`Microsoft.ExecuteSQLTask`, `SSIS.Pipeline.3`, an assembly-qualified name, a CLSID…). */
  readonly creationName: string;
  readonly disabled: boolean;
  readonly failPackageOnFailure: boolean;
  readonly failParentOnFailure: boolean;
  /** `MaximumErrorCount` (`MaxErrorCount` in 2005/2008); 0 means unlimited. */
  readonly maximumErrorCount: number;
  /** -1 none, 0 success, 1 failure, 2 completion. */
  readonly forceExecutionResult: number;
  readonly disableEventHandlers: boolean;
  readonly delayValidation: boolean;
  readonly variables: readonly VariableDef[];
  readonly propertyExpressions: readonly PropertyExpression[];
  readonly eventHandlers: readonly EventHandlerDef[];
  /** Every scalar property as written (attribute or `DTS:Property`), by name without prefix. */
  readonly properties: Readonly<Record<string, string>>;
}

export interface TaskDef extends ExecutableCommon {
  readonly kind: TaskKind;
  /** The task's own data (`DTS:ObjectData` child), parsed; task implementations read it. */
  readonly objectData?: XmlElement;
}

export interface ContainerCommon extends ExecutableCommon {
  readonly executables: readonly ExecutableDef[];
  readonly constraints: readonly PrecedenceConstraintDef[];
  /** -1 = processor count + 2. */
  readonly maxConcurrent: number;
}

export interface SequenceDef extends ContainerCommon { readonly kind: 'sequence' }

export interface ForLoopDef extends ContainerCommon {
  readonly kind: 'forLoop';
  readonly initExpression: string;
  readonly evalExpression: string;
  readonly assignExpression: string;
}

/** `none`: the Foreach Loop has no enumerator configured (an empty `DTS:ForEachEnumerator` or none at all). */
export type EnumeratorKind = 'file' | 'item' | 'ado' | 'fromVariable' | 'nodeList' | 'schemaRowset' | 'smo' | 'azureBlob' | 'dataLake' | 'hdfs' | 'none' | 'other';

export interface ForeachEnumeratorDef {
  readonly kind: EnumeratorKind;
  readonly creationName: string;
  /** Enumerator settings by name: Folder/Directory, FileSpec, FileNameRetrievalType, Recurse, VarName, EnumType, VariableName… */
  readonly properties: Readonly<Record<string, string>>;
  readonly propertyExpressions: readonly PropertyExpression[];
  /** Item enumerator rows: each a list of typed values. */
  readonly items: readonly (readonly { readonly dataType: number; readonly value: string }[])[];
  readonly objectData?: XmlElement;
}

export interface ForeachLoopDef extends ContainerCommon {
  readonly kind: 'foreachLoop';
  readonly enumerator: ForeachEnumeratorDef;
  readonly mappings: readonly { readonly variableName: string; readonly valueIndex: number }[];
}

export interface EventHandlerDef extends ContainerCommon {
  readonly kind: 'eventHandler';
  /** `OnError`, `OnPreExecute`, … */
  readonly eventName: string;
}

export type ContainerDef = SequenceDef | ForLoopDef | ForeachLoopDef | EventHandlerDef | PackageDef;
export type ExecutableDef = TaskDef | SequenceDef | ForLoopDef | ForeachLoopDef;

/** `DTS:Value`: the outcome the constraint waits for. */
export const ConstraintValue = { success: 0, failure: 1, completion: 2 } as const;
/** `DTS:EvalOp` as SSIS writes it (DTSPrecedenceEvalOp): absent means Constraint. */
export const EvalOp = { expression: 1, constraint: 2, expressionAndConstraint: 3, expressionOrConstraint: 4 } as const;

export interface PrecedenceConstraintDef {
  readonly id: string;
  readonly name: string;
  /** Paths of the executables (siblings in one container). */
  readonly from: string;
  readonly to: string;
  readonly value: number;
  readonly evalOp: number;
  readonly expression: string;
  readonly logicalAnd: boolean;
}

/** A 2005/2008 package configuration (`DTS:Configuration`). */
export interface ConfigurationDef {
  readonly name: string;
  /** 0 parent variable, 1 XML file, 2 environment variable, 3 registry, 4 SQL Server, 5 indirect XML, 6 indirect env, 7 indirect registry, 8 indirect parent, 9 indirect SQL. */
  readonly type: number;
  readonly configurationString: string;
  readonly variable: string;
}

export interface PackageDef extends ContainerCommon {
  readonly kind: 'package';
  /** File name the package was loaded from (`Load.dtsx`). */
  readonly fileName: string;
  readonly formatVersion: number;
  readonly protectionLevel: number;
  readonly connections: readonly ConnectionManagerDef[];
  readonly parameters: readonly ParameterDef[];
  readonly configurations: readonly ConfigurationDef[];
  /** Log providers are ignored at run time (SSISDB logging replaces them); kept to say so. */
  readonly logProviders: readonly { readonly name: string; readonly creationName: string }[];
  readonly versionGuid: string;
  /** Things the loader understood but will not honour (log providers, checkpoints…): reported as warnings. */
  readonly notes: readonly { readonly path: string; readonly message: string }[];
}

export const CONTAINER_KINDS: ReadonlySet<string> = new Set(['package', 'sequence', 'forLoop', 'foreachLoop', 'eventHandler']);

export function isContainer(e: ExecutableDef | ContainerDef): e is ContainerDef | SequenceDef | ForLoopDef | ForeachLoopDef {
  return CONTAINER_KINDS.has(e.kind);
}
