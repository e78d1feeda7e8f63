/**
 * Type strings of executables and enumerators → normalized kinds. One table for every format:
 * 2012+ short names (`Microsoft.ExecuteSQLTask`), 2005/2008 ProgIDs (`SSIS.Pipeline.2`), assembly-qualified
 * names (`Microsoft.SqlServer.Dts.Tasks.ExecuteSQLTask.ExecuteSQLTask, …`) and CLSIDs.
 */
import type { ContainerKind, EnumeratorKind, TaskKind } from './model.ts';
import type { XmlElement } from './xml.ts';
import { findDeep } from './xml.ts';

export function containerKindOf(type: string): ContainerKind | undefined {
  const t = type.trim().toUpperCase();
  if (t === 'STOCK:SEQUENCE') return 'sequence';
  if (t === 'STOCK:FORLOOP') return 'forLoop';
  if (t === 'STOCK:FOREACHLOOP') return 'foreachLoop';
  if (t === 'MICROSOFT.PACKAGE' || /^(SSIS|MSDTS)\.PACKAGE\.\d+$/.test(t)) return 'package';
  return undefined;
}

/** Short names and the class part of assembly-qualified names, lower-cased, → kind. */
const BY_NAME: ReadonlyArray<readonly [RegExp, TaskKind]> = [
  [/^(microsoft\.executesqltask|.*\.executesqltask\.executesqltask|ssis\.executesqltask\.\d+)$/, 'executeSql'],
  [/^(microsoft\.pipeline|ssis\.pipeline\.\d+|dts\.pipeline\.\d+)$/, 'dataFlow'],
  [/^(microsoft\.scripttask|.*\.scripttask\.scripttask|ssis\.scripttask\.\d+)$/, 'script'],
  [/^(microsoft\.filesystemtask|.*\.filesystemtask\.filesystemtask|ssis\.filesystemtask\.\d+)$/, 'fileSystem'],
  [/^(microsoft\.executepackagetask|.*\.executepackagetask\.executepackagetask|ssis\.executepackagetask\.\d+)$/, 'executePackage'],
  [/^(microsoft\.executeprocess(task)?|.*\.executeprocess\.executeprocess|ssis\.executeprocesstask\.\d+)$/, 'executeProcess'],
  [/^(microsoft\.sendmailtask|.*\.sendmailtask\.sendmailtask|ssis\.sendmailtask\.\d+)$/, 'sendMail'],
  [/^(microsoft\.expressiontask|.*\.expressiontask\.expressiontask)$/, 'expression'],
  [/^(microsoft\.ftptask|.*\.ftptask\.ftptask)$/, 'ftp'],
  [/^(microsoft\.webservicetask|.*\.webservicetask\.webservicetask)$/, 'webService'],
  [/^(microsoft\.bulkinserttask|.*\.bulkinserttask\.bulkinserttask)$/, 'bulkInsert'],
  [/^(microsoft\.xmltask|.*\.xmltask\.xmltask)$/, 'xml'],
  [/^(microsoft\.dataprofilingtask|.*\.dataprofilingtask\.dataprofilingtask)$/, 'dataProfiling'],
  [/^(microsoft\.dtsprocessingtask|microsoft\.asexecuteddltask|.*analysisservices.*)$/, 'analysisServices'],
  [/^(microsoft\.dbmaintenance\w*|.*\.dbmaintenance\w*)$/, 'maintenance'],
  [/^(microsoft\.transfer\w*task|.*\.transfer\w*task)$/, 'transfer'],
  [/^(microsoft\.wmi\w*task|.*\.wmi\w*task)$/, 'wmi'],
  [/^(microsoft\.messagequeuetask|.*\.messagequeuetask)$/, 'messageQueue'],
  [/^(microsoft\.cdccontroltask|attunity\.cdccontroltask|.*cdccontrol.*)$/, 'cdcControl'],
];

/** Known CLSIDs of stock tasks in 2005/2008 packages. */
const BY_CLSID: Readonly<Record<string, TaskKind>> = {
  '{E3CFBEA8-1F48-40D8-91E1-2DEDC1EDDD56}': 'dataFlow',
  '{C3BF9DC1-4715-4694-936F-D3CFDA9E42C5}': 'dataFlow',
};

const THIRD_PARTY = /^(zappysys|cozyroc|kingswaysoft|pragmaticworks|taskfactory|theobald|varigence|cdata|sentryone|biml|azure|microsoft\.azure|microsoft\.datatransformationservices\.azure)/i;

/**
 * The task kind for a type string. `objectData` disambiguates unknown CLSIDs by their content (a
 * `pipeline` element is a data flow whatever its class id says). Unrecognized names are `thirdParty`
 * when they look like a vendor's, else `unknown`.
 */
export function taskKindOf(type: string, objectData?: XmlElement): TaskKind {
  const raw = type.trim();
  const cls = (raw.split(',')[0] ?? '').trim().toLowerCase();
  for (const [re, kind] of BY_NAME) if (re.test(cls)) return kind;
  const clsid = BY_CLSID[raw.toUpperCase()];
  if (clsid) return clsid;
  if (objectData) {
    if (findDeep(objectData, 'pipeline') || objectData.name === 'pipeline') return 'dataFlow';
    if (objectData.name.endsWith('SqlTaskData') || findDeep(objectData, 'SqlTaskData')) return 'executeSql';
    if (objectData.name === 'ScriptProject' || findDeep(objectData, 'ScriptProject')) return 'script';
  }
  if (THIRD_PARTY.test(raw)) return 'thirdParty';
  if (/^[A-Za-z_][\w.]*\.[\w.]+/.test(raw) && !/^microsoft\./i.test(raw)) return 'thirdParty';
  return 'unknown';
}

/**
 * The enumerator kind for a `CreationName`: 2012+ names (`Microsoft.ForEachFromVarEnumerator`),
 * 2008 ProgIDs (`DTS.ForEachFileEnumerator.2`) and assembly-qualified names
 * (`Microsoft.SqlServer.Dts.Runtime.Enumerators.ADO.ForEachADOEnumerator, …`). Empty → `none`.
 */
export function enumeratorKindOf(type: string): EnumeratorKind {
  const t = (type.split(',')[0] ?? '').trim().toLowerCase();
  if (t === '') return 'none';
  if (/foreachfileenumerator/.test(t)) return 'file';
  if (/foreachitemenumerator/.test(t)) return 'item';
  if (/foreachadoenumerator/.test(t)) return 'ado';
  if (/foreachfromvar(iable)?enumerator/.test(t)) return 'fromVariable';
  if (/foreachnodelistenumerator/.test(t)) return 'nodeList';
  if (/schemarowset/.test(t)) return 'schemaRowset';
  if (/foreachsmoenumerator/.test(t)) return 'smo';
  if (/azureblob/.test(t)) return 'azureBlob';
  if (/datalake/.test(t)) return 'dataLake';
  if (/hdfs/.test(t)) return 'hdfs';
  return 'other';
}

/** Human names of enumerators, as the Foreach Loop Editor lists them. */
export const ENUMERATOR_KIND_NAMES: Readonly<Record<EnumeratorKind, string>> = {
  file: 'Foreach File Enumerator', item: 'Foreach Item Enumerator', ado: 'Foreach ADO Enumerator',
  fromVariable: 'Foreach From Variable Enumerator', nodeList: 'Foreach NodeList Enumerator',
  schemaRowset: 'Foreach ADO.NET Schema Rowset Enumerator', smo: 'Foreach SMO Enumerator',
  azureBlob: 'Foreach Azure Blob Enumerator', dataLake: 'Foreach Data Lake Storage Enumerator', hdfs: 'Foreach HDFS File Enumerator',
  none: 'no enumerator', other: 'enumerator',
};

/** Why a Foreach Loop's enumerator cannot run here, or undefined when it can. */
export function enumeratorProblem(kind: EnumeratorKind, creationName: string): string | undefined {
  if (kind === 'file' || kind === 'item' || kind === 'ado' || kind === 'fromVariable') return undefined;
  if (kind === 'none') return 'the Foreach Loop has no enumerator configured (choose one on the Collection page of the Foreach Loop Editor): it cannot run';
  const name = kind === 'other' ? `the enumerator '${creationName}'` : `the ${ENUMERATOR_KIND_NAMES[kind]} (${creationName})`;
  return `${name} is not supported here (supported: Foreach File, Item, ADO and From Variable enumerators)`;
}

/** Human name of a task kind for messages. */
export const TASK_KIND_NAMES: Readonly<Record<TaskKind, string>> = {
  executeSql: 'Execute SQL Task', dataFlow: 'Data Flow Task', script: 'Script Task', fileSystem: 'File System Task',
  executePackage: 'Execute Package Task', executeProcess: 'Execute Process Task', sendMail: 'Send Mail Task',
  expression: 'Expression Task', ftp: 'FTP Task', webService: 'Web Service Task', bulkInsert: 'Bulk Insert Task',
  xml: 'XML Task', dataProfiling: 'Data Profiling Task', analysisServices: 'Analysis Services task',
  maintenance: 'Maintenance plan task', transfer: 'Transfer task', wmi: 'WMI task', messageQueue: 'Message Queue Task',
  cdcControl: 'CDC Control Task', thirdParty: 'third-party task', unknown: 'unknown task type',
};
